/**
 * What one run of a figure's grid is, and how a worker runs it. A run is plain JSON (it travels through Redis to
 * other machines): a `kind` and that kind's parameters. Its id is stable — a readable prefix and a hash of the
 * whole spec — so that the same run is recognised in a results file, a queue and a checkpoint folder.
 *
 * Kinds:
 *   train  the TD-MPC / TD-MPC2 trainer (agents/trainer.ts): resumes from the run folder's last checkpoint.
 *   pets   the PETS loop (agents/pets.ts): resumes from its checkpoint after every episode.
 *   mpc    one MPC episode on the true simulator (chapter 2 and the oracle): no checkpoint, reruns from zero.
 *   course a TD-MPC run of chapters 4–5 (tdmpc-runs.ts: a variant at the course's small scale): resumes like train.
 *   optim  one cell of chapter 1's benchmark (an optimiser on a function in one dimension, every seed): seconds.
 * Each kind declares its results table (columns and the key that identifies a row), the rows a run owns in it
 * and whether they are all there. `registerRunKind` adds a kind (a chapter's own runner) without touching the
 * queue or the workers: they only see specs.
 */
import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { expectedEnvSteps, PETS_COLUMNS, PETS_KEY } from "../agents/pets-results.js";
import { latestCheckpoint } from "../agents/checkpoint.js";
import { makeConfig } from "../agents/config.js";
import { PETS_DEFAULTS, checkPetsConfig, runPets, type PetsConfig } from "../agents/pets.js";
import { RESULT_COLUMNS, train, type Protocol } from "../agents/trainer.js";
import { getTask } from "../envs/task.js";
import "../envs/tasks/index.js";
import { fnv1aHex } from "../util/checksum.js";
import { cellText, readResults, type Cell, type ResultRow, type ResultsSpec } from "../util/results.js";
import { distinctList, nonNegativeInt, positiveInt, ValidationError } from "../util/validate.js";
import { CH02_CSV_COLUMNS, csvCell, makePlanner, mpcCell, mpcCells, runMpcExperiment, type MpcRunSpec } from "./ch02-mpc.js";
import { ORACLE_KEY } from "./oracle-mpc.js";
import { CH01_CURVE_COLUMNS, CH01_RUN_COLUMNS, ch01Cell, CURVE_DIM, runCh01Cell, type Ch01CellSpec } from "./ch01-optim.js";
import { COURSE_FORMAT, defaultRunRoot, finished, runConfig, runName, trainCourseRun, trainerRows, VARIANTS, type Overrides, type RunSpec as CourseSpec, type VariantName } from "./tdmpc-runs.js";
import { OPTIMIZERS } from "../optim/benchmark.js";
import { testFunction } from "../optim/functions.js";

/** The TD-MPC / TD-MPC2 trainer: `tdmpc train --agent A --preset P --task T --seed S --steps N --set k=v …`. */
export interface TrainRun {
  kind: "train";
  agent: "tdmpc" | "tdmpc2";
  preset: string;
  /** Config overrides (official snake_case names), as `--set` gives them. */
  overrides?: Record<string, string | number | boolean>;
  /** One task, or several for one multi-task TD-MPC2. */
  task: string | string[];
  seed: number;
  steps: number;
  protocol?: Protocol;
  evalFreq: number;
  evalEpisodes: number;
}

/** PETS: `tdmpc train pets --task T --seeds S --iters N [--episode-steps K]`. */
export interface PetsRun {
  kind: "pets";
  task: string;
  seed: number;
  iters: number;
  episodeSteps?: number;
  /** Hidden layer widths of each ensemble member (default PETS_DEFAULTS: 200×3). */
  hidden?: number[];
}

/** One MPC episode on the true simulator (chapter 2's sweeps, the oracle). */
export type MpcRun = { kind: "mpc" } & MpcRunSpec;

/**
 * A chapter 4–5 run: TD-MPC at the course's small scale with one variant's switches (`tdmpc grid ch04|ch05`): the
 * grid's spec with the variant by name (`scale`: config keys over the small scale, the quick grid's tiny networks).
 */
export type CourseRun = { kind: "course"; variant: VariantName } & Omit<CourseSpec, "variant">;

/** One cell of chapter 1's benchmark: its per-seed rows (`optim`), or its convergence points (`optim-curves`, CURVE_DIM only). */
export type OptimRun = { kind: "optim" | "optim-curves" } & Ch01CellSpec;

export type RunSpec = TrainRun | PetsRun | MpcRun | CourseRun | OptimRun | { kind: string; [key: string]: unknown };

/** A run of a grid: the spec and its id. */
export interface GridRun {
  id: string;
  spec: RunSpec;
}

/** What a worker gives a running run. */
export interface ExecContext {
  id: string;
  /** This run's own folder (checkpoints): on storage all workers share, a retried run resumes from it. */
  runDir: string;
  onProgress(value: number, total: number, info?: Record<string, string | number>): void;
  log(line: string): void;
}

export interface RunKind<S extends RunSpec = RunSpec> {
  /** The results table runs of this kind append to. */
  format: ResultsSpec;
  /** A short readable name (ids, progress bars). */
  label(spec: S): string;
  /** Throw an error that names the problem when the spec cannot run (checked before queueing and by the worker). */
  validate(spec: S): void;
  /** Run it to the end (resuming from `ctx.runDir` where the kind can) and return all its rows. */
  execute(spec: S, ctx: ExecContext): Promise<Record<string, Cell>[]>;
  /** The rows of a results file that belong to this run, and whether they are all there. */
  rowsOf(run: GridRun, rows: ResultRow[]): { rows: ResultRow[]; complete: boolean };
}

/** A spec that can never run (unknown kind, bad config): the queue fails it at once instead of retrying it. */
export class BadRunError extends Error {
  override name = "BadRunError";
}

const KINDS = new Map<string, RunKind>();

export function registerRunKind<S extends RunSpec>(kind: string, impl: RunKind<S>): void {
  if (KINDS.has(kind)) throw new Error(`run kind '${kind}' is registered twice`);
  KINDS.set(kind, impl as unknown as RunKind);
}

export function runKind(kind: string): RunKind {
  const k = KINDS.get(kind);
  if (!k) throw new BadRunError(`unknown run kind '${kind}' (known: ${[...KINDS.keys()].join(", ")})`);
  return k;
}

/** JSON with sorted keys (undefined dropped): the same spec always hashes the same. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/** The run's stable id: `<label>-<8 hex digits of the spec's hash>`. */
export function runId(spec: RunSpec): string {
  return `${runKind(spec.kind).label(spec)}-${fnv1aHex(canonical(spec))}`.replace(/[^\w.+=-]/g, "_");
}

export function gridRuns(specs: RunSpec[]): GridRun[] {
  const runs = specs.map((spec) => ({ id: runId(spec), spec }));
  distinctList("grid run ids", runs.map((r) => r.id));
  return runs;
}

/** Check a spec, as a BadRunError naming the run (a worker fails such a job at once). */
export function validateRun(run: GridRun): void {
  try {
    runKind(run.spec.kind).validate(run.spec);
  } catch (e) {
    throw new BadRunError(`run ${run.id}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Run it and return its rows as text cells, as the results file will hold them (String(v) for a number, NaN
 * included): rows cross process and machine boundaries as JSON, which has no NaN.
 */
export async function executeRun(run: GridRun, ctx: ExecContext): Promise<Record<string, string>[]> {
  validateRun(run);
  const rows = await runKind(run.spec.kind).execute(run.spec, ctx);
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([c, v]) => [c, cellText(v, c)])));
}

// ─── train ──────────────────────────────────────────────────────────────────────────────────────────────────

/** Results of trainer runs: the run id, the row's index in the run, the run's row count, then the trainer's columns. */
export const TRAIN_FORMAT: ResultsSpec = { columns: ["run", "row", "rows", ...RESULT_COLUMNS], key: ["run", "row"] };

const tasksOf = (t: string | string[]) => (typeof t === "string" ? [t] : t);

registerRunKind<TrainRun>("train", {
  format: TRAIN_FORMAT,
  label: (s) => `${s.agent}-${s.preset}-${tasksOf(s.task).join("+")}-s${s.seed}`,
  validate(s) {
    if (s.agent !== "tdmpc" && s.agent !== "tdmpc2") throw new ValidationError(`agent must be tdmpc or tdmpc2, got '${String(s.agent)}'`);
    const tasks = distinctList("task", tasksOf(s.task));
    tasks.forEach((t) => getTask(t));
    if (tasks.length > 1 && (s.agent !== "tdmpc2" || s.protocol === "tdmpc")) throw new ValidationError("a multi-task run is one TD-MPC2 agent under the tdmpc2 protocol");
    nonNegativeInt("seed", s.seed);
    positiveInt("steps", s.steps);
    positiveInt("evalFreq", s.evalFreq);
    positiveInt("evalEpisodes", s.evalEpisodes);
    if (s.protocol !== undefined && s.protocol !== "tdmpc" && s.protocol !== "tdmpc2") throw new ValidationError(`protocol must be tdmpc or tdmpc2, got '${String(s.protocol)}'`);
    makeConfig(s.agent, s.preset, s.overrides ?? {});
  },
  async execute(s, ctx) {
    const cfg = makeConfig(s.agent, s.preset, s.overrides ?? {});
    const from = latestCheckpoint(join(ctx.runDir, "checkpoints"));
    if (from) ctx.log(`${ctx.id}: resuming from checkpoint ${basename(from)} in ${ctx.runDir}`);
    const out = join(ctx.runDir, "results.csv");
    await train(cfg, {
      task: s.task,
      seed: s.seed,
      steps: s.steps,
      protocol: s.protocol,
      evalFreq: s.evalFreq,
      evalEpisodes: s.evalEpisodes,
      runDir: ctx.runDir,
      out,
      resume: true,
      label: s.preset,
      silent: true,
      onRow: (r) => ctx.onProgress(r.env_step, s.steps, { [r.kind]: Math.round(r.return) }),
    });
    // the file holds the whole run (a resumed session's `train` returns only its own rows)
    const rows = readResults(out)?.rows ?? [];
    return rows.map((r, i) => ({ run: ctx.id, row: i, rows: rows.length, ...r }));
  },
  rowsOf(run, rows) {
    const mine = rows.filter((r) => r.run === run.id);
    return { rows: mine, complete: mine.length > 0 && mine.length === Number(mine[0]!.rows) };
  },
});

// ─── pets ───────────────────────────────────────────────────────────────────────────────────────────────────

const round4 = (v: number) => (Number.isFinite(v) ? Number(v.toFixed(4)) : v);

function petsConfig(s: PetsRun): Partial<PetsConfig> & Pick<PetsConfig, "task" | "seed"> {
  return { task: s.task, seed: s.seed, ntrainIters: s.iters, episodeSteps: s.episodeSteps, model: s.hidden ? { hidden: s.hidden } : undefined };
}

registerRunKind<PetsRun>("pets", {
  format: { columns: PETS_COLUMNS, key: PETS_KEY },
  label: (s) => `pets-${s.task}-s${s.seed}`,
  validate(s) {
    getTask(s.task);
    checkPetsConfig({ ...PETS_DEFAULTS, ...petsConfig(s), model: PETS_DEFAULTS.model } as PetsConfig);
    if (s.hidden) s.hidden.forEach((h, i) => positiveInt(`hidden[${i}]`, h));
  },
  async execute(s, ctx) {
    const total = s.iters + PETS_DEFAULTS.ninitRollouts;
    if (existsSync(ctx.runDir) && readdirSync(ctx.runDir).length) ctx.log(`${ctx.id}: resuming from the checkpoint in ${ctx.runDir}`);
    let done = 0;
    const results = await runPets(petsConfig(s), (r) => ctx.onProgress(++done, total, { ret: Math.round(r.episodeReturn) }), { checkpointDir: ctx.runDir });
    return results.map((r) => ({ task: s.task, ...r, episodeReturn: round4(r.episodeReturn), modelLoss: round4(r.modelLoss), wallSec: round4(r.wallSec) }));
  },
  rowsOf(run, rows) {
    const s = run.spec as PetsRun;
    const first = -PETS_DEFAULTS.ninitRollouts;
    const mine = rows.filter((r) => r.task === s.task && Number(r.seed) === s.seed && Number(r.iteration) >= first && Number(r.iteration) < s.iters);
    for (const r of mine) {
      const want = expectedEnvSteps(s.task, Number(r.iteration), s.episodeSteps);
      if (Number(r.envSteps) !== want) throw new Error(`PETS results hold ${s.task} seed ${s.seed} iteration ${r.iteration} with envSteps ${r.envSteps}, but run ${run.id} gives ${want}: rows of another episode length`);
    }
    return { rows: mine, complete: mine.length === s.iters - first };
  },
});

// ─── mpc ────────────────────────────────────────────────────────────────────────────────────────────────────

const mpcKey = (s: Record<string, unknown>) => ORACLE_KEY.map((c) => mpcCell(s, c)).join(",");

registerRunKind<MpcRun>("mpc", {
  format: { columns: CH02_CSV_COLUMNS, key: ORACLE_KEY },
  label: (s) => `${s.sweep}-${s.task}-${s.planner}-s${s.seed}`,
  validate(s) {
    getTask(s.task);
    for (const k of ["numSamples", "horizon", "iterations", "steps", "replanEvery"] as const) positiveInt(k, s[k]);
    if (s.actionRepeat !== undefined) positiveInt("actionRepeat", s.actionRepeat);
    nonNegativeInt("seed", s.seed);
    makePlanner(s.planner, 1, s); // an unknown planner is named here
  },
  async execute(s, ctx) {
    const row = await runMpcExperiment(s, { onStep: (i) => ctx.onProgress(i.step, s.steps, { ret: Math.round(i.totalReturn) }) });
    return [mpcCells(row)];
  },
  rowsOf(run, rows) {
    const key = mpcKey(run.spec as unknown as Record<string, unknown>);
    const mine = rows.filter((r) => mpcKey(r) === key);
    return { rows: mine, complete: mine.length > 0 };
  },
});

// ─── course (chapters 4–5) ──────────────────────────────────────────────────────────────────────────────────

export function courseSpec(s: CourseRun): CourseSpec {
  const variant = VARIANTS[s.variant];
  if (!variant) throw new ValidationError(`unknown variant '${String(s.variant)}' (known: ${Object.keys(VARIANTS).join(", ")})`);
  return { variant, task: s.task, seed: s.seed, steps: s.steps, evalFreq: s.evalFreq, evalEpisodes: s.evalEpisodes, ...(s.scale ? { scale: s.scale } : {}) };
}

registerRunKind<CourseRun>("course", {
  format: COURSE_FORMAT,
  label: (s) => `course-${s.variant}-${s.task}-s${s.seed}`,
  validate(s) {
    const spec = courseSpec(s);
    getTask(s.task);
    nonNegativeInt("seed", s.seed);
    positiveInt("steps", s.steps);
    positiveInt("evalFreq", s.evalFreq);
    positiveInt("evalEpisodes", s.evalEpisodes);
    runConfig(spec); // unknown or out-of-range config keys are named here
  },
  async execute(s, ctx) {
    const spec = courseSpec(s);
    // a full-scale run `tdmpc grid` already finished in its own folder is not trained again
    const gridCsv = join(defaultRunRoot(), runName(spec), "results.csv");
    const byGrid = s.scale ? undefined : readResults(gridCsv);
    if (byGrid && finished(trainerRows(byGrid.rows), spec)) {
      ctx.log(`${ctx.id}: finished by \`tdmpc grid\` in ${dirname(gridCsv)}: its rows are taken`);
      return byGrid.rows;
    }
    if (latestCheckpoint(join(ctx.runDir, "checkpoints"))) ctx.log(`${ctx.id}: resuming from the last checkpoint in ${ctx.runDir}`);
    await trainCourseRun(spec, ctx.runDir, { silent: true, onRow: (r) => ctx.onProgress(r.env_step, s.steps, { [r.kind]: Math.round(r.return) }) });
    return readResults(join(ctx.runDir, "results.csv"))!.rows;
  },
  rowsOf(run, rows) {
    const s = run.spec as CourseRun;
    const mine = rows.filter((r) => r.label === s.variant && r.task === s.task && Number(r.seed) === s.seed);
    return { rows: mine, complete: finished(trainerRows(mine), courseSpec(s)) };
  },
});

// ─── optim (chapter 1) ──────────────────────────────────────────────────────────────────────────────────────

const inCell = (s: OptimRun, r: ResultRow) => r.optimizer === s.optimizer && r.fn === s.fn && Number(r.dim) === s.dim && Number(r.seed) < s.seeds;

/** The two tables of a benchmark cell share everything but their columns and rows. */
function registerOptim(kind: OptimRun["kind"], format: ResultsSpec, rowsOf: (r: ReturnType<typeof runCh01Cell>) => object[]): void {
  registerRunKind<OptimRun>(kind, {
    format,
    label: (s) => `${kind}-${s.optimizer}-${s.fn}-${s.dim}d`,
    validate(s) {
      if (!(OPTIMIZERS as readonly string[]).includes(s.optimizer)) throw new ValidationError(`unknown optimizer '${s.optimizer}' (known: ${OPTIMIZERS.join(", ")})`);
      positiveInt("dim", s.dim);
      testFunction(s.fn, s.dim);
      positiveInt("seeds", s.seeds);
      positiveInt("maxEvals", s.maxEvals);
      if (kind === "optim-curves" && s.dim !== CURVE_DIM) throw new ValidationError(`convergence curves are kept in ${CURVE_DIM} dimensions, not ${s.dim}`);
    },
    async execute(s, ctx) {
      ctx.onProgress(0, s.seeds);
      const rows = rowsOf(runCh01Cell(s)) as Record<string, unknown>[];
      ctx.onProgress(s.seeds, s.seeds);
      return rows.map((x) => Object.fromEntries(Object.entries(x).map(([k, v]) => [k, ch01Cell(v)])));
    },
    rowsOf(run, rows) {
      const s = run.spec as OptimRun;
      const mine = rows.filter((r) => inCell(s, r) && (kind === "optim-curves" || Number(r.maxEvals) === s.maxEvals));
      return { rows: mine, complete: new Set(mine.map((r) => r.seed)).size === s.seeds };
    },
  });
}

registerOptim("optim", { columns: CH01_RUN_COLUMNS, key: ["optimizer", "fn", "dim", "seed"] }, (r) => r.runs);
registerOptim("optim-curves", { columns: CH01_CURVE_COLUMNS, key: ["optimizer", "fn", "dim", "seed", "evals"] }, (r) => r.curves);
