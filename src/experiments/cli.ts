/**
 * `tdmpc figures <chapter>`: export a chapter's figures (PNG + SVG under figures/) from its committed results,
 * without re-running the experiments. The notebooks build the same figures with the same functions.
 */
import type { Command } from "commander";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot, resultsDir } from "../tooling/paths.js";
import { choiceListFlag, intFlag, intListFlag } from "../util/validate.js";
import { FigureExporter } from "../viz/export.js";
import type { Figure } from "../viz/plotly.js";
import { ch02Figures, fromCsv } from "./ch02-mpc.js";
import { parsePetsCsv, petsCurveFigure } from "./ch03-models.js";
import { ORACLE_SETTINGS, oracleFigure, oracleSummary, readOracleCsv, runOracle } from "./oracle-mpc.js";
import { progress, type Progress } from "../util/progress.js";
import { textTable } from "../envs/cli.js";
import { ch04Figures } from "../viz/figures/ch04.js";
import { ch05Figures } from "../viz/figures/ch05.js";

function read(path: string, how: string): string {
  if (!existsSync(path)) throw new Error(`${path} does not exist: ${how}`);
  return readFileSync(path, "utf8");
}

/** Mean return of chapter 2's CEM runs on the true simulator (the oracle line of chapter 3). */
export function oracleReturn(root = projectRoot()): number | undefined {
  const p = join(root, "data", "results", "ch02-mpc.csv");
  if (!existsSync(p)) return undefined;
  const rows = fromCsv(readFileSync(p, "utf8")).filter((r) => r.sweep === "planner" && r.planner === "cem");
  return rows.length ? rows.reduce((a, r) => a + r.episodeReturn, 0) / rows.length : undefined;
}

export function chapterFigures(chapter: string, root = projectRoot()): Record<string, Figure> {
  const results = join(root, "data", "results");
  switch (chapter) {
    case "ch02":
      return ch02Figures(fromCsv(read(join(results, "ch02-mpc.csv"), "run notebooks/02-mpc.ipynb in full mode")));
    case "ch03":
      return { pets: petsCurveFigure(parsePetsCsv(read(join(results, "pets-cartpole-swingup.csv"), "run `npx tdmpc train pets --seeds 0,1,2 --out data/results/pets-cartpole-swingup.csv`")), oracleReturn(root)) };
    case "ch00b": {
      const rows = readOracleCsv(join(results, "oracle-mpc.csv"));
      if (!rows.length) throw new Error("data/results/oracle-mpc.csv holds no oracle rows: run `npx tdmpc oracle`");
      return { oracle: oracleFigure(rows) };
    }
    case "ch04":
      return ch04Figures(results);
    case "ch05":
      return ch05Figures(results);
    default:
      throw new Error(`no figures for '${chapter}': known chapters ch00b, ch02, ch03, ch04, ch05`);
  }
}

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


  program
    .command("figures")
    .description("export a chapter's figures (PNG + SVG in figures/) from its committed results in data/results/")
    .argument("<chapter>", "ch00b (the oracle), ch02, ch03, ch04 or ch05")
    .action(async (chapter: string) => {
      const figs = chapterFigures(chapter);
      const ex = await FigureExporter.open();
      try {
        for (const [name, fig] of Object.entries(figs)) {
          const files = await ex.export(fig, join(projectRoot(), "figures", `${chapter}-${name}`), { width: 900, height: (fig.layout?.height as number) ?? 420 });
          console.log(`wrote ${files.join(", ")}`);
        }
      } finally {
        await ex.close();
      }
    });
}
