/**
 * `tdmpc oracle`: MPC on the true simulator per task (experiments/oracle-mpc.ts), the reference return of every
 * chapter.
 */
import type { Command } from "commander";
import { join } from "node:path";
import { ORACLE_SETTINGS, oracleSummary, readOracleCsv, runOracle } from "../experiments/oracle-mpc.js";
import { resultsDir } from "../tooling/paths.js";
import { progress, type Progress } from "../util/progress.js";
import { textTable } from "../util/table.js";
import { choiceListFlag, intFlag, intListFlag } from "../util/validate.js";

export function register(program: Command): void {
  program
    .command("oracle")
    .description("MPC on the true simulator for each task (the reference return of every chapter); appends one CSV row per finished episode and skips the ones already there (resume)")
    .option("--tasks <names>", "comma-separated tasks (default: all)", choiceListFlag("--tasks", Object.keys(ORACLE_SETTINGS)), Object.keys(ORACLE_SETTINGS))
    .option("--seeds <list>", "comma-separated seeds (non-negative, no duplicates)", intListFlag("--seeds", { min: 0 }), [0, 1])
    .option("--steps <n>", "agent steps per episode (default: the whole episode)", intFlag("--steps", { min: 1 }))
    .option("--out <csv>", "results file (default: results/oracle-mpc.csv, which git ignores; the committed reference is data/results/oracle-mpc.csv)")
    .option("--json", "print exactly one JSON array of the summary per task and episode length {task, steps, seeds, mean, min, max}")
    .action(async (o: { tasks: string[]; seeds: number[]; steps?: number; out?: string; json?: boolean }) => {
      const out = o.out ?? join(resultsDir(), "oracle-mpc.csv");
      console.error(`results → ${out}`);
      let bar: Progress | undefined;
      await runOracle({
        tasks: o.tasks,
        seeds: o.seeds,
        out,
        steps: o.steps,
        onDropped: (n) => console.error(`${out}: cut ${n} damaged line(s) off the end (an interrupted write); those episodes are played again`),
        onEpisodeStart: (spec) => (bar = progress(spec.steps, `oracle ${spec.task} seed ${spec.seed}`)),
        onStep: (_spec, step, ret) => bar?.update(step, { ret: Math.round(ret * 10) / 10 }),
        onEpisode: (row) => {
          bar?.stop();
          console.error(`${row.task} seed ${row.seed}: return ${row.episodeReturn.toFixed(1)} (${(row.msPerAction / 1000).toFixed(2)} s/action)`);
        },
      });
      const summary = oracleSummary(readOracleCsv(out));
      if (o.json) console.log(JSON.stringify(summary));
      else console.log(textTable(summary.map((s) => ({ ...s, mean: Math.round(s.mean), min: Math.round(s.min), max: Math.round(s.max) }))));
    });
}
