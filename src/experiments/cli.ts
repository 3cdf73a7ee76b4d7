/**
 * `tdmpc figures <chapter>`: export a chapter's figures (PNG + SVG under figures/) from its committed results,
 * without re-running anything; `tdmpc figures run <chapter>` re-runs the chapter's experiments first (resumable).
 * The notebooks build the same figures with the same functions. `tdmpc oracle`: MPC on the true simulator per task.
 */
import type { Command } from "commander";
import { join } from "node:path";
import { projectRoot, resultsDir } from "../tooling/paths.js";
import { choiceListFlag, intFlag, intListFlag } from "../util/validate.js";
import { FigureExporter } from "../viz/export.js";
import type { Figure } from "../viz/plotly.js";
import { ORACLE_SETTINGS, oracleSummary, readOracleCsv, runOracle } from "./oracle-mpc.js";
import { progress, type Progress } from "../util/progress.js";
import { textTable } from "../envs/cli.js";
import { chapterFigures, FIGURE_CHAPTERS, resultsDir as committedResults } from "../viz/figures/index.js";
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
    .description("export a chapter's figures (PNG + SVG in figures/) from its committed results; `figures run <chapter>` re-runs its experiments first")
    .argument("<chapter>", `a chapter (${FIGURE_CHAPTERS.join(", ")})`)
    .option("--results <dir>", "results folder to read", committedResults())
    .option("--out <dir>", "where the figures go", join(projectRoot(), "figures"))
    .action(async (chapter: string, o: { results: string; out: string }) => {
      await exportChapter(chapter, await chapterFigures(chapter, o.results), o.out);
    });
}

/**
 * `figures run <chapter>` for the chapters whose notebooks read several results files (ch01–ch03): re-run the
 * missing runs into `dir` (resumable; finished rows are kept and skipped), then export the chapter's figures.
 */
export async function regenerateAndExport(chapter: string, o: { results: string; out: string; seeds?: number[]; quick?: boolean }): Promise<void> {
  console.error(`re-running ${chapter}'s experiments into ${o.results} (${REGENERATE_COST[chapter] ?? "see the notebook"}); finished runs there are kept`);
  await regenerateChapter(chapter, { dir: o.results, quick: o.quick, seeds: o.seeds });
  await exportChapter(chapter, await chapterFigures(chapter, o.results), o.out);
}

export { REGENERATE_CHAPTERS };

/**
 * Every chapter's figures from the committed results (what `figures <chapter>` exports, for each chapter in turn);
 * returns how many chapters failed (their error is printed).
 */
export async function exportAllChapters(outDir = join(projectRoot(), "figures")): Promise<number> {
  let failed = 0;
  for (const chapter of FIGURE_CHAPTERS) {
    try {
      await exportChapter(chapter, await chapterFigures(chapter), outDir);
    } catch (e) {
      failed++;
      console.error(`${chapter}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return failed;
}
