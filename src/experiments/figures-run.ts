/**
 * Reproducing registry figures: find the runs whose rows are not in the results yet, run them (local executor
 * processes, or a BullMQ queue on Redis), append each finished run's rows — only this process writes results,
 * each row key once — and draw the figures from the results alone.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { makeConfig } from "../agents/config.js";
import { configForTask, runIdentity, runIdentityDiff } from "../agents/trainer.js";
import { join } from "node:path";
import { cacheDir, projectRoot, resultsDir } from "../tooling/paths.js";
import { progressBoard, type Progress, type ProgressBoard } from "../util/progress.js";
import { readResults, ResultsLog, type ResultRow, type ResultsSpec } from "../util/results.js";
import type { FigureExporter } from "../viz/export.js";
import type { Figure } from "../viz/plotly.js";
import type { Rows } from "./executor.js";
import { runLocal, type RunEvents } from "./local-pool.js";
import type { FigureEntry } from "./registry.js";
import { gridRuns, runKind, validateRun, type GridRun, type TrainRun } from "./run-kinds.js";

export interface Where {
  quick: boolean;
  /** Project root (default: this checkout's). */
  root?: string;
}

/** data/results/<file> for the full grid; <results dir>/quick/<file> for the quick one (git ignores it). */
export function resultsFile(entry: FigureEntry, w: Where): string {
  return w.quick ? join(resultsDir(), "quick", entry.results) : join(w.root ?? projectRoot(), "data", "results", entry.results);
}

/** figures/ for the full grid; <results dir>/quick/figures/ for the quick one (committed figures stay as they are). */
export function figuresDir(w: Where): string {
  return w.quick ? join(resultsDir(), "quick", "figures") : join(w.root ?? projectRoot(), "figures");
}

/** Run folders with checkpoints: <cache>/figures/<run id> unless a shared folder is given. */
export function defaultCheckpointRoot(): string {
  return join(cacheDir(), "figures");
}

export interface EntryPlan {
  entry: FigureEntry;
  file: string;
  runs: GridRun[];
  /** Runs whose rows are all in the results file. */
  complete: GridRun[];
  missing: GridRun[];
  /** The rows of the complete and partial runs, in file order per run. */
  rows: ResultRow[];
}

/** Which of an entry's runs are in its results file (reads the file, writes nothing). */
export function planEntry(entry: FigureEntry, w: Where): EntryPlan {
  const file = resultsFile(entry, w);
  const runs = gridRuns(entry.grid({ quick: w.quick }));
  const existing = readResults(file)?.rows ?? [];
  const plan: EntryPlan = { entry, file, runs, complete: [], missing: [], rows: [] };
  for (const run of runs) {
    const { rows, complete } = runKind(run.spec.kind).rowsOf(run, existing);
    (complete ? plan.complete : plan.missing).push(run);
    plan.rows.push(...rows);
  }
  return plan;
}

/** A run to execute and the results files its rows go to (a run shared by two entries runs once). */
export interface Job {
  run: GridRun;
  targets: { file: string; format: ResultsSpec }[];
}

export function jobsOf(plans: EntryPlan[]): Job[] {
  const jobs = new Map<string, Job>();
  for (const p of plans)
    for (const run of p.missing) {
      const job = jobs.get(run.id) ?? { run, targets: [] };
      if (!job.targets.some((t) => t.file === p.file)) job.targets.push({ file: p.file, format: runKind(run.spec.kind).format });
      jobs.set(run.id, job);
    }
  return [...jobs.values()];
}

export interface RunJobsOptions {
  /** Local executor processes (ignored with `redis`). */
  workers: number;
  /** Queue the runs on this Redis instead of running them here. */
  redis?: string;
  queue?: string;
  checkpointRoot?: string;
  /** Progress bars; default: a board on stderr. */
  board?: ProgressBoard;
}

export interface RunReport {
  done: { id: string; worker: string; appended: number }[];
  failed: { id: string; message: string }[];
}

/**
 * Execute the jobs and append their rows. Specs are not validated here (the queue must cope with a bad one:
 * its job fails with the message); `runFigures` validates its grids before it gets here.
 */
export async function runJobs(jobs: Job[], opts: RunJobsOptions): Promise<RunReport> {
  const report: RunReport = { done: [], failed: [] };
  if (!jobs.length) return report;
  const board = opts.board ?? progressBoard();
  const overall = board.add("all runs", jobs.length);
  const bars = new Map<string, { run: string; bar?: Progress }>();
  const logs = new Map<string, ResultsLog>();
  const byId = new Map(jobs.map((j) => [j.run.id, j]));
  const tick = () => overall.update(report.done.length + report.failed.length, { failed: report.failed.length });
  const endBar = (worker: string) => {
    bars.get(worker)?.bar?.stop();
    bars.delete(worker);
  };
  const events: RunEvents = {
    onStart(run, worker) {
      endBar(worker);
      bars.set(worker, { run: run.id });
    },
    onProgress(run, worker, value, total, info) {
      const b = bars.get(worker) ?? { run: run.id };
      b.bar ??= board.add(`${worker}: ${run.id}`, total);
      bars.set(worker, b);
      b.bar.update(value, info);
    },
    onLog: (line) => board.log(line),
    onDone(run, rows: Rows, worker) {
      endBar(worker);
      let appended = 0;
      for (const t of byId.get(run.id)!.targets) {
        let log = logs.get(t.file);
        if (!log) {
          log = ResultsLog.open(t.file, t.format);
          logs.set(t.file, log);
        }
        for (const row of rows)
          if (!log.has(row)) {
            log.append(row);
            appended++;
          }
      }
      report.done.push({ id: run.id, worker, appended });
      tick();
    },
    onFailed(run, message) {
      for (const [w, b] of bars) if (b.run === run.id) endBar(w);
      report.failed.push({ id: run.id, message });
      board.log(`FAILED ${message.startsWith(`run ${run.id}`) ? message : `${run.id}: ${message}`}`);
      tick();
    },
  };
  const runs = jobs.map((j) => j.run);
  try {
    if (opts.redis) await (await import("./redis-queue.js")).runOnRedis(runs, { url: opts.redis, queue: opts.queue }, events); // BullMQ loads only here
    else await runLocal(runs, { workers: opts.workers, checkpointRoot: opts.checkpointRoot ?? defaultCheckpointRoot() }, events);
  } finally {
    for (const w of [...bars.keys()]) endBar(w);
    overall.stop();
    if (!opts.board) board.stop();
  }
  return report;
}

/** Plan the entries, validate every missing run (a bad spec stops here, before any work), run what is missing. */
export async function runFigures(entries: FigureEntry[], w: Where, opts: RunJobsOptions & { onPlan?(plans: EntryPlan[]): void }): Promise<{ plans: EntryPlan[]; report: RunReport }> {
  const plans = entries.map((e) => planEntry(e, w));
  const jobs = jobsOf(plans);
  for (const j of jobs) validateRun(j.run);
  opts.onPlan?.(plans);
  return { plans, report: await runJobs(jobs, opts) };
}

// ─── drawing ───────────────────────────────────────────────────────────────────────────────────────────────

/** An entry whose results file holds none of its runs yet. */
export class NoResultsError extends Error {
  override name = "NoResultsError";
}

export interface DrawnEntry {
  name: string;
  /** File base name (no extension) → figure. */
  figures: Record<string, Figure>;
  /** The rows drawn, and their columns. */
  rows: ResultRow[];
  columns: string[];
  runs: number;
  complete: number;
}

/** The entry's figures from its results file alone (no run executes). */
export function drawEntry(entry: FigureEntry, w: Where): DrawnEntry {
  const plan = planEntry(entry, w);
  if (!plan.rows.length) throw new NoResultsError(`${entry.name}: no results in ${plan.file} yet: run \`tdmpc figures run ${entry.name}${w.quick ? " --quick" : ""}\``);
  const drawn = entry.draw(plan.rows, { root: w.root ?? projectRoot(), quick: w.quick, runs: plan.runs });
  const figures = isFigure(drawn) ? { [entry.name]: drawn } : Object.fromEntries(Object.entries(drawn).map(([k, f]) => [`${entry.name}-${k}`, f]));
  return { name: entry.name, figures, rows: plan.rows, columns: readResults(plan.file)!.columns, runs: plan.runs.length, complete: plan.complete.length };
}

function isFigure(x: unknown): x is Figure {
  return typeof x === "object" && x !== null && Array.isArray((x as Figure).data);
}

/** Write <dir>/<base>.png and .svg for each figure, and <dir>/<entry>.csv with the rows they were drawn from. */
export async function exportDrawn(d: DrawnEntry, dir: string, ex: FigureExporter): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [base, fig] of Object.entries(d.figures)) written.push(...(await ex.export(fig, join(dir, base), { width: (fig.layout?.width as number) ?? 900, height: (fig.layout?.height as number) ?? 460 })));
  const csv = join(dir, `${d.name}.csv`);
  writeFileSync(csv, [d.columns.join(","), ...d.rows.map((r) => d.columns.map((c) => r[c] ?? "").join(","))].join("\n") + "\n");
  written.push(csv);
  return written;
}

/** What `adoptRuns` did with one run folder. */
export interface Adopted {
  dir: string;
  /** The grid run it is, or why it is none. */
  id?: string;
  rows: number;
  note: string;
}

/**
 * Runs made with `tdmpc train` (its own run folders, any engine) join an entry's results: a finished run folder
 * whose config.json describes one of the entry's train runs (task, seed, steps, protocol, evaluation schedule and
 * the whole agent config) has its rows appended under that run's id, once. A folder that matches no run, or whose
 * run has not reached its last step, is reported and left alone.
 */
export function adoptRuns(entry: FigureEntry, dirs: string[], w: Where = { quick: false }): Adopted[] {
  const plan = planEntry(entry, w);
  const log = ResultsLog.open(plan.file, runKind("train").format);
  const out: Adopted[] = [];
  for (const dir of dirs) {
    const cfgPath = join(dir, "config.json");
    if (!existsSync(cfgPath)) {
      out.push({ dir, rows: 0, note: "no config.json: not a `tdmpc train` run folder" });
      continue;
    }
    const id = JSON.parse(readFileSync(cfgPath, "utf8")) as Record<string, unknown>;
    const run = plan.runs.find((r) => r.spec.kind === "train" && sameTrainRun(r.spec as TrainRun, id));
    if (!run) {
      out.push({ dir, rows: 0, note: `matches none of ${entry.name}'s runs (task, seed, steps, protocol, evaluations or config differ)` });
      continue;
    }
    if (plan.complete.some((r) => r.id === run.id)) {
      out.push({ dir, id: run.id, rows: 0, note: "already in the results" });
      continue;
    }
    const rows = readResults(join(dir, "results.csv"))?.rows ?? [];
    const last = rows.filter((r) => r.kind === "eval").at(-1);
    if (!last || Number(last.env_step) < (run.spec as TrainRun).steps) {
      out.push({ dir, id: run.id, rows: 0, note: `not finished (last evaluation at ${last?.env_step ?? "none"} of ${(run.spec as TrainRun).steps} steps)` });
      continue;
    }
    rows.forEach((r, i) => log.append({ run: run.id, row: i, rows: rows.length, ...r }));
    out.push({ dir, id: run.id, rows: rows.length, note: `adopted (engine ${String(id.engine)})` });
  }
  return out;
}

function sameTrainRun(s: TrainRun, id: Record<string, unknown>): boolean {
  const protocol = s.protocol ?? s.agent;
  // the trainer saves the config it trained with: episode-derived keys filled in for the (first) task
  const cfg = configForTask(makeConfig(s.agent, s.preset, s.overrides ?? {}), typeof s.task === "string" ? s.task : s.task[0]!, protocol);
  const want = runIdentity({ task: s.task, seed: s.seed, protocol, steps: s.steps, evalFreq: s.evalFreq, evalEpisodes: s.evalEpisodes, label: s.preset, cfg });
  // neither the engine (ONNX and tfjs train the same model) nor the label (what `train` names its rows: the preset
  // and its --set switches) is part of a grid run, so both are left out of the comparison
  const { engine: _engine, label: _label, ...saved } = id;
  const { label: _wanted, ...wanted } = want as Record<string, unknown>;
  return runIdentityDiff(saved, wanted).length === 0;
}
