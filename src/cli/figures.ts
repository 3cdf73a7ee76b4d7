/**
 * `tdmpc figures <chapter>`: export a chapter's figures (PNG + SVG under figures/) from its committed results,
 * without re-running anything; `tdmpc figures run <chapter>` re-runs the chapter's experiments first (resumable).
 * The notebooks build the same figures with the same functions.
 * `tdmpc figures list | run NAME | adopt NAME DIRS | draw NAME`: the experiment registry (experiments/registry.ts);
 * `tdmpc figures table`: the README's table of returns at 100k env steps.
 */
import type { Command } from "commander";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { adoptRuns, defaultCheckpointRoot, drawEntry, exportDrawn, figuresDir, NoResultsError, planEntry, runFigures, type EntryPlan, type Where } from "../experiments/figures-run.js";
import { curvesTableMarkdown } from "../experiments/curves-table.js";
import { regenerateChapter, REGENERATE_CHAPTERS, REGENERATE_COST } from "../experiments/regenerate.js";
import { redisConnection } from "../experiments/redis-queue.js";
import { FIGURES, getFigure, type FigureEntry } from "../experiments/registry.js";
import { projectRoot } from "../tooling/paths.js";
import { textTable } from "../util/table.js";
import { intFlag, intListFlag } from "../util/validate.js";
import { FigureExporter } from "../viz/export.js";
import { chapterFigures, FIGURE_CHAPTERS, resultsDir as committedResults } from "../viz/figures/index.js";
import type { Figure } from "../viz/plotly.js";

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

/** NAME or --all, never both. */
function pick(name: string | undefined, all: boolean | undefined): FigureEntry[] {
  if (all && name) throw new Error("give a figure name or --all, not both");
  if (all) return [...FIGURES];
  if (!name) throw new Error("give a figure name (see `tdmpc figures list`) or --all");
  return [getFigure(name)];
}

/** Draw and export; returns how many entries failed. With `skipEmpty` (--all), an entry without results is a note. */
async function draw(entries: FigureEntry[], w: Where, log: (line: string) => void, skipEmpty = false): Promise<number> {
  const ex = await FigureExporter.open();
  let failed = 0;
  try {
    for (const e of entries) {
      try {
        const d = drawEntry(e, w);
        if (d.complete < d.runs) log(`${e.name}: drawn from ${d.complete} of ${d.runs} runs (the rest are not in the results yet: \`tdmpc figures run ${e.name}${w.quick ? " --quick" : ""}\`)`);
        log(`wrote ${(await exportDrawn(d, figuresDir(w), ex)).join(", ")}`);
      } catch (err) {
        if (!(skipEmpty && err instanceof NoResultsError)) failed++;
        log(err instanceof Error ? err.message : String(err));
      }
    }
  } finally {
    await ex.close();
  }
  return failed;
}

export function register(program: Command): void {
  const figures = program
    .command("figures")
    .description("the figures of the course: `figures list`, `figures run NAME`, `figures draw NAME` (experiment registry, docs/experiments.md); `figures <chapter>` re-exports a chapter's figures")
    .argument("<chapter>", `a chapter (${FIGURE_CHAPTERS.join(", ")})`)
    .option("--results <dir>", "results folder to read", committedResults())
    .option("--out <dir>", "where the figures go", join(projectRoot(), "figures"))
    .action(async (chapter: string, o: { results: string; out: string }) => {
      await exportChapter(chapter, await chapterFigures(chapter, o.results), o.out);
    });

  figures
    .command("list")
    .description("every registered figure: its runs, how many are in the committed results, its results file")
    .option("--json", "print JSON")
    .action((o: { json?: boolean }) => {
      const rows = FIGURES.map((e) => {
        const plan = planEntry(e, { quick: false });
        return { name: e.name, chapter: e.chapter, runs: plan.runs.length, quick: e.grid({ quick: true }).length, committed: plan.complete.length, results: `data/results/${e.results}`, description: e.description };
      });
      if (o.json) console.log(JSON.stringify(rows));
      else console.log(textTable(rows.map(({ description: _d, ...r }) => r)) + "\n\n" + rows.map((r) => `${r.name}: ${r.description}`).join("\n"));
    });

  figures
    .command("run")
    .description("run the runs of a figure that are not in its results yet, then draw it (figures/NAME.png, .svg, .csv)")
    .argument("[name]", "figure name (`tdmpc figures list`)")
    .option("--all", "every registered figure")
    .option("--quick", "the tiny grid: results and figures under results/quick/ (git-ignored), in seconds")
    .option("--workers <n>", "local executor processes (default: one per core)", intFlag("--workers", { min: 1 }), availableParallelism())
    .option("--redis <url>", "queue the runs on Redis (redis://HOST:PORT) for `tdmpc worker --redis` processes instead of running them here")
    .option("--queue <name>", "queue name on Redis", "tdmpc-runs")
    .option("--checkpoint-dir <dir>", "run folders with checkpoints (local runs)", defaultCheckpointRoot())
    .option("--no-draw", "do not draw the figures afterwards")
    .option("--results <dir>", `chapters ${REGENERATE_CHAPTERS.join(", ")}: the results folder to complete (default data/results/)`)
    .option("--seeds <list>", `chapters ${REGENERATE_CHAPTERS.join(", ")}: seeds instead of the chapter's own`, intListFlag("--seeds", { min: 0 }))
    .action(async (name: string | undefined, o: { all?: boolean; quick?: boolean; workers: number; redis?: string; queue: string; checkpointDir: string; draw: boolean; results?: string; seeds?: number[] }) => {
      if (o.redis) redisConnection(o.redis); // a bad URL is named before any planning
      if (name && !o.all && !o.redis && REGENERATE_CHAPTERS.includes(name)) {
        // a whole chapter (every results file its notebook reads), not one registry entry
        if (o.quick && !o.results) throw new Error(`figures run ${name} --quick: give --results DIR (quick rows must not land in data/results/)`);
        await regenerateAndExport(name, { results: o.results ?? committedResults(), out: join(projectRoot(), "figures"), seeds: o.seeds, quick: o.quick });
        return;
      }
      const entries = pick(name, o.all);
      const w: Where = { quick: !!o.quick };
      const onPlan = (plans: EntryPlan[]) => {
        for (const p of plans) console.error(`${p.entry.name}: ${p.runs.length} runs, ${p.complete.length} already in ${p.file}, ${p.missing.length} to run`);
      };
      const { report } = await runFigures(entries, w, { workers: o.workers, redis: o.redis, queue: o.queue, checkpointRoot: o.checkpointDir, onPlan });
      console.error(`ran ${report.done.length} run(s), ${report.failed.length} failed`);
      for (const f of report.failed) console.error(`FAILED ${f.message}`);
      const drawFailed = o.draw ? await draw(entries, w, (l) => console.error(l), !!o.all) : 0;
      if (report.failed.length || drawFailed) process.exitCode = 1;
    });

  figures
    .command("table")
    .description("the learning curves' returns at 100k env steps per agent and configuration, with the papers' and the wall-clock per run (Markdown: the README's table)")
    .option("--results <dir>", "results folder to read", committedResults())
    .action((o: { results: string }) => console.log(curvesTableMarkdown(o.results)));

  figures
    .command("adopt")
    .description("add finished `tdmpc train` runs (their run folders) to a figure's results, each under the grid run it matches")
    .argument("<name>", "figure name (`tdmpc figures list`)")
    .argument("<dirs...>", "run folders (with config.json and results.csv)")
    .action((name: string, dirs: string[]) => {
      const res = adoptRuns(getFigure(name), dirs);
      for (const a of res) console.log(`${a.dir}: ${a.id ?? "-"}: ${a.note}${a.rows ? ` (${a.rows} rows)` : ""}`);
      if (res.some((a) => !a.id)) process.exitCode = 1;
    });

  figures
    .command("draw")
    .description("draw figures from their results alone (no run): figures/NAME.png, .svg and the rows drawn as .csv")
    .argument("[name]", "figure name")
    .option("--all", "every registered figure, then every chapter's figures (`figures <chapter>`): all of figures/")
    .option("--quick", "from the quick grid's results (results/quick/)")
    .action(async (name: string | undefined, o: { all?: boolean; quick?: boolean }) => {
      let failed = await draw(pick(name, o.all), { quick: !!o.quick }, (l) => console.error(l), !!o.all);
      if (o.all && !o.quick) failed += await exportAllChapters();
      if (failed > 0) process.exitCode = 1;
    });
}

/**
 * `figures run <chapter>` for the chapters whose notebooks read several results files (ch01–ch03): re-run the
 * missing runs into `dir` (resumable; finished rows are kept and skipped), then export the chapter's figures.
 */
async function regenerateAndExport(chapter: string, o: { results: string; out: string; seeds?: number[]; quick?: boolean }): Promise<void> {
  console.error(`re-running ${chapter}'s experiments into ${o.results} (${REGENERATE_COST[chapter] ?? "see the notebook"}); finished runs there are kept`);
  await regenerateChapter(chapter, { dir: o.results, quick: o.quick, seeds: o.seeds });
  await exportChapter(chapter, await chapterFigures(chapter, o.results), o.out);
}

/**
 * Every chapter's figures from the committed results (what `figures <chapter>` exports, for each chapter in turn);
 * returns how many chapters failed (their error is printed).
 */
async function exportAllChapters(outDir = join(projectRoot(), "figures")): Promise<number> {
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
