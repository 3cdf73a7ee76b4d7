/**
 * `tdmpc figures <chapter>`: export a chapter's figures (PNG + SVG under figures/) from its committed results,
 * without re-running anything; `tdmpc figures run <chapter>` re-runs the chapter's experiments first (resumable).
 * The notebooks build the same figures with the same functions. `tdmpc oracle`: MPC on the true simulator per task.
 */
import type { Command } from "commander";
import { join } from "node:path";
import { projectRoot } from "../tooling/paths.js";
import { FigureExporter } from "../viz/export.js";
import type { Figure } from "../viz/plotly.js";
import { ORACLE_SETTINGS, oracleSummary, readOracleCsv, runOracle } from "./oracle-mpc.js";
import { progress, type Progress } from "../util/progress.js";
import { textTable } from "../envs/cli.js";
import { chapterFigures, FIGURE_CHAPTERS, resultsDir } from "../viz/figures/index.js";
import { regenerateChapter, REGENERATE_CHAPTERS, REGENERATE_COST } from "./regenerate.js";

/** Export figures as PNG + SVG: `figures/<chapter>-<name>.{png,svg}`. */
async function exportChapter(chapter: string, figs: Record<string, Figure>, outDir: string): Promise<void> {
  const ex = await FigureExporter.open();
  try {
    for (const [name, fig] of Object.entries(figs)) {
      const width = (fig.layout?.width as number | undefined) ?? 900;
      const height = (fig.layout?.height as number | undefined) ?? 420;
      const files = await ex.export(fig, join(outDir, `${chapter}-${name}`), { width, height });
      console.log(`wrote ${files.join(", ")}`);
    }
  } finally {
    await ex.close();
  }
}

function parseList(flag: string, text: string): number[] {
  const v = text.split(",").map((x) => Number(x.trim()));
  if (v.some((x) => !Number.isInteger(x) || x < 0)) throw new Error(`${flag} must be comma-separated non-negative integers, got '${text}'`);
  return v;
}

export function register(program: Command): void {
  program
    .command("oracle")
    .description("MPC on the true simulator for each task (the reference return of every chapter); appends one CSV row per finished episode and skips the ones already there (resume)")
    .option("--tasks <names>", "comma-separated tasks (default: all)", Object.keys(ORACLE_SETTINGS).join(","))
    .option("--seeds <list>", "comma-separated seeds", "0,1")
    .option("--steps <n>", "agent steps per episode (default: the whole episode)")
    .option("--out <csv>", "results file", join(projectRoot(), "data", "results", "oracle-mpc.csv"))
    .option("--json", "print exactly one JSON array of the per-task summary {task, seeds, mean, min, max}")
    .action(async (o: { tasks: string; seeds: string; steps?: string; out: string; json?: boolean }) => {
      const steps = o.steps === undefined ? undefined : Number(o.steps);
      if (steps !== undefined && !(Number.isInteger(steps) && steps > 0)) throw new Error(`--steps must be a positive integer, got '${o.steps}'`);
      let bar: Progress | undefined;
      await runOracle({
        tasks: o.tasks.split(",").map((t) => t.trim()),
        seeds: parseList("--seeds", o.seeds),
        out: o.out,
        steps,
        onEpisodeStart: (spec) => (bar = progress(spec.steps, `oracle ${spec.task} seed ${spec.seed}`)),
        onStep: (_spec, step, ret) => bar?.update(step, { ret: Math.round(ret * 10) / 10 }),
        onEpisode: (row) => {
          bar?.stop();
          console.error(`${row.task} seed ${row.seed}: return ${row.episodeReturn.toFixed(1)} (${(row.msPerAction / 1000).toFixed(2)} s/action)`);
        },
      });
      const summary = oracleSummary(readOracleCsv(o.out));
      if (o.json) console.log(JSON.stringify(summary));
      else console.log(textTable(summary.map((s) => ({ ...s, mean: Math.round(s.mean), min: Math.round(s.min), max: Math.round(s.max) }))));
    });


  program
    .command("figures")
    .description("export a chapter's figures (PNG + SVG in figures/) from its committed results; `figures run <chapter>` re-runs its experiments first")
    .argument("<chapter-or-run>", `a chapter (${FIGURE_CHAPTERS.join(", ")}), or 'run' followed by one (${REGENERATE_CHAPTERS.join(", ")})`)
    .argument("[chapter]", "with 'run': the chapter whose experiments to re-run")
    .option("--results <dir>", "results folder: read (and with 'run', appended to; rows already there are kept and skipped)", resultsDir())
    .option("--out <dir>", "where the figures go", join(projectRoot(), "figures"))
    .option("--seeds <list>", "with 'run': comma-separated seeds instead of the chapter's own")
    .option("--quick", "with 'run': tiny budgets (a smoke test; write them elsewhere with --results)")
    .action(async (first: string, second: string | undefined, o: { results: string; out: string; seeds?: string; quick?: boolean }) => {
      const regenerate = first === "run";
      const chapter = regenerate ? second : first;
      if (!chapter) throw new Error("figures run: name the chapter, e.g. `npx tdmpc figures run ch02`");
      if (!regenerate && second !== undefined) throw new Error(`figures: unexpected argument '${second}' (did you mean \`figures run ${second}\`?)`);
      if (regenerate) {
        console.error(`re-running ${chapter}'s experiments into ${o.results} (${REGENERATE_COST[chapter] ?? "see the notebook"}); finished runs there are kept`);
        await regenerateChapter(chapter, { dir: o.results, quick: o.quick, seeds: o.seeds ? parseList("--seeds", o.seeds) : undefined });
      }
      await exportChapter(chapter, await chapterFigures(chapter, o.results), o.out);
    });
}
