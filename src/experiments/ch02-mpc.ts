/**
 * Chapter 2's measurements: MPC with the true simulator as the model. Each run plays one episode (or its first
 * `steps` agent steps) with a planner and records the return and the wall-clock per action. The sweeps vary one
 * knob at a time around a base configuration: samples, horizon, planner, receding horizon vs open loop, warm start
 * on/off; and the myopia runs on the sparse pendulum. `runCh02` plays every run not yet in the results file and
 * appends it (a killed run resumes); `npx tdmpc figures run ch02` calls it. Figures: src/viz/figures/ch02.ts.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { makeEnv } from "../envs/registry.js";
import { makeVecEnv } from "../envs/vec.js";
import { CmaesPlanner } from "../planning/cmaes-planner.js";
import { runMpcEpisode, type MpcEpisode, type MpcOptions } from "../planning/mpc.js";
import { cemPlanner, mppiPlanner, randomShooting } from "../planning/sampling.js";
import { SimulatorModel } from "../planning/simulator-model.js";
import type { Planner } from "../planning/types.js";
import { parseResults } from "../util/results.js";

export type PlannerKind = "random" | "cem" | "mppi" | "cmaes";

export interface MpcRunSpec {
  /** Which sweep the run belongs to (for grouping in plots). */
  sweep: string;
  task: string;
  planner: PlannerKind;
  numSamples: number;
  horizon: number;
  iterations: number;
  /** Agent steps (after action repeat) to play. */
  steps: number;
  /** Actions executed per plan: 1 = receding horizon, `horizon` = open loop. */
  replanEvery: number;
  actionRepeat?: number;
  seed: number;
  /** Start each plan from the previous one shifted by a step (default true; the "random initial sequences" weakness when false). */
  warmStart?: boolean;
}

export interface MpcRunResult extends MpcRunSpec {
  episodeReturn: number;
  /** Median wall-clock milliseconds per planning call. */
  msPerPlan: number;
  /** Mean wall-clock milliseconds per executed action (planning cost spread over the actions it serves). */
  msPerAction: number;
  /** Seconds of simulated time the planner looks ahead. */
  lookaheadSec: number;
}

export function makePlanner(kind: PlannerKind, actionDim: number, s: Pick<MpcRunSpec, "numSamples" | "horizon" | "iterations" | "seed" | "warmStart">): Planner {
  const common = { horizon: s.horizon, numSamples: s.numSamples, iterations: s.iterations, seed: s.seed, warmStart: s.warmStart ?? true };
  const elites = Math.max(2, Math.round(s.numSamples / 8));
  switch (kind) {
    // random shooting gets the same number of model evaluations as the iterative planners
    case "random":
      return randomShooting(actionDim, { ...common, numSamples: s.numSamples * s.iterations });
    case "cem":
      return cemPlanner(actionDim, { ...common, numElites: elites });
    case "mppi":
      return mppiPlanner(actionDim, { ...common, numElites: elites });
    case "cmaes":
      if (s.warmStart === false) throw new Error("the CMA-ES planner always warm-starts: warmStart: false applies to cem and mppi");
      return new CmaesPlanner(actionDim, { horizon: s.horizon, iterations: s.iterations, popsize: s.numSamples, seed: s.seed });
    default:
      throw new Error(`unknown planner '${String(kind)}': use random, cem, mppi or cmaes`);
  }
}

/** One MPC episode on the true simulator as `spec` describes it, with every action and reward kept. */
export async function playMpc(spec: MpcRunSpec, opts: { onStep?: MpcOptions["onStep"] } = {}): Promise<{ episode: MpcEpisode; wallMs: number; lookaheadSec: number }> {
  const env = await makeEnv(spec.task, { seed: spec.seed, actionRepeat: spec.actionRepeat });
  const vec = await makeVecEnv(spec.task, spec.numSamples, { actionRepeat: spec.actionRepeat });
  try {
    const model = new SimulatorModel(vec);
    const planner = makePlanner(spec.planner, env.actionSpace.shape[0]!, spec);
    const t0 = performance.now();
    const episode = await runMpcEpisode(env, planner, () => model.setStart(env.getState()), {
      maxSteps: spec.steps,
      replanEvery: spec.replanEvery,
      seed: spec.seed,
      onStep: opts.onStep,
    });
    const controlDt = env.task.physicsStepsPerControlStep * env.physics.timestep;
    return { episode, wallMs: performance.now() - t0, lookaheadSec: spec.horizon * env.actionRepeat * controlDt };
  } finally {
    vec.close();
    env.close();
  }
}

export async function runMpcExperiment(spec: MpcRunSpec, opts: { onStep?: MpcOptions["onStep"] } = {}): Promise<MpcRunResult> {
  return resultOf(spec, await playMpc(spec, opts));
}

/** A played episode as a results row: return, median ms per plan, ms per executed action. */
function resultOf(spec: MpcRunSpec, played: { episode: MpcEpisode; wallMs: number; lookaheadSec: number }): MpcRunResult {
  const ep = played.episode;
  const sorted = [...ep.planMs].sort((a, b) => a - b);
  return { ...spec, episodeReturn: ep.totalReturn, msPerPlan: sorted[Math.floor(sorted.length / 2)] ?? 0, msPerAction: played.wallMs / ep.steps, lookaheadSec: played.lookaheadSec };
}

/** Seeds of the committed chapter-2 run (five wherever a run takes minutes). */
export const CH02_SEEDS = [0, 1, 2, 3, 4];

/**
 * The chapter's sweeps. Base: cartpole-swingup, CEM, 64 samples, horizon 12 (0.96 s), 3 iterations, receding
 * horizon, warm start. Full: whole episodes (125 agent steps at action repeat 8 = 1000 control steps). The loop
 * runs come first for each seed: the others that repeat the base configuration reuse their result.
 */
export function ch02Sweeps(opts: { quick: boolean; seeds?: number[] }): MpcRunSpec[] {
  const q = opts.quick;
  const seeds = opts.seeds ?? (q ? [0] : CH02_SEEDS);
  const steps = q ? 6 : 125;
  const base = { task: "cartpole-swingup", planner: "cem" as PlannerKind, numSamples: q ? 16 : 64, horizon: q ? 4 : 12, iterations: 3, steps, replanEvery: 1 };
  const specs: MpcRunSpec[] = [];
  for (const seed of seeds) {
    specs.push({ ...base, sweep: "loop", replanEvery: 1, seed });
    specs.push({ ...base, sweep: "loop", replanEvery: base.horizon, seed });
    for (const numSamples of q ? [8, 16] : [8, 16, 32, 64, 128]) specs.push({ ...base, sweep: "samples", numSamples, seed });
    for (const horizon of q ? [2, 4] : [2, 4, 8, 12, 20]) specs.push({ ...base, sweep: "horizon", horizon, seed });
    for (const planner of ["random", "cem", "mppi", "cmaes"] as PlannerKind[]) specs.push({ ...base, sweep: "planner", planner, seed });
    // warm start on/off at the base budget and at a small one (16 samples, 1 iteration), where a plan has little
    // chance to recover from starting at mean 0
    for (const [numSamples, iterations] of q ? [[16, 3]] : [[64, 3], [16, 1]])
      for (const warmStart of [true, false]) specs.push({ ...base, sweep: "warmstart", numSamples, iterations, warmStart, seed });
  }
  return specs;
}

/**
 * Myopia on pendulum-swingup (sparse reward: only within 8° of upright pays). The pole cannot be held at an
 * angle by the weak motor; the planner must see the reward within its lookahead, so short horizons earn nothing.
 * Action repeat 8 (0.16 s per agent step) so that long lookaheads stay cheap; whole episodes (125 agent steps =
 * 1000 control steps), so a return is out of 1000 as everywhere else.
 */
export function ch02MyopiaRuns(opts: { quick: boolean; seeds?: number[] }): MpcRunSpec[] {
  const q = opts.quick;
  const seeds = opts.seeds ?? (q ? [1] : [0, 1, 2, 3, 4, 5]);
  const specs: MpcRunSpec[] = [];
  for (const seed of seeds)
    for (const horizon of q ? [3, 6] : [3, 6, 12, 25])
      specs.push({ sweep: "myopia", task: "pendulum-swingup", planner: "cem", numSamples: q ? 16 : 64, horizon, iterations: 3, steps: q ? 6 : 125, replanEvery: 1, actionRepeat: 8, seed });
  return specs;
}

export const CH02_CSV_COLUMNS: (keyof MpcRunResult)[] = [
  "sweep", "task", "planner", "numSamples", "horizon", "iterations", "steps", "replanEvery", "actionRepeat", "seed",
  "episodeReturn", "msPerPlan", "msPerAction", "lookaheadSec", "warmStart",
];

/** One CSV cell: numbers rounded to 3 decimals, a missing value empty. */
export function csvCell(v: unknown): string {
  return v === undefined ? "" : typeof v === "number" ? String(Math.round(v * 1000) / 1000) : String(v);
}

/** One cell of an MPC run's row: warmStart is written only where it is off (an empty cell means the default, on). */
export function mpcCell(row: Partial<Record<keyof MpcRunResult, unknown>>, c: keyof MpcRunResult): string {
  return c === "warmStart" ? (row.warmStart === false || row.warmStart === "false" ? "false" : "") : csvCell(row[c]);
}

/** A run's cells by column (also a partial spec's: the columns it lacks are empty). */
export function mpcCells(row: Partial<Record<keyof MpcRunResult, unknown>>, columns = CH02_CSV_COLUMNS): Record<string, string> {
  return Object.fromEntries(columns.map((c) => [c, mpcCell(row, c)]));
}

/** One CSV line of a run. */
export function csvRow(row: MpcRunResult, columns = CH02_CSV_COLUMNS): string {
  return columns.map((c) => mpcCell(row, c)).join(",");
}

export function toCsv(rows: MpcRunResult[], columns = CH02_CSV_COLUMNS): string {
  return [columns.join(","), ...rows.map((r) => csvRow(r, columns))].join("\n") + "\n";
}

/**
 * Parse a results CSV back into rows (numbers where a cell is numeric). Read through util/results.ts: a torn last
 * line (a crash mid-write) is dropped, not read as a finished run with a cut-off return.
 */
export function fromCsv(text: string, file?: string): MpcRunResult[] {
  const { rows } = parseResults(text, file);
  return rows.map((cells) => {
    const row: Record<string, unknown> = {};
    for (const [c, v] of Object.entries(cells)) row[c] = v === "" ? undefined : v === "true" || v === "false" ? v === "true" : Number.isNaN(Number(v)) ? v : Number(v);
    return row as unknown as MpcRunResult;
  });
}


/** The run's identity: every spec field but `sweep` (two sweeps that repeat the base configuration share one run). */
export function runKey(s: MpcRunSpec): string {
  return JSON.stringify([s.task, s.planner, s.numSamples, s.horizon, s.iterations, s.steps, s.replanEvery, s.actionRepeat ?? null, s.seed, s.warmStart !== false]);
}

/** Rows of a chapter-2 CSV, or none when the file does not exist yet. */
export function readCh02Csv(path: string): MpcRunResult[] {
  return existsSync(path) ? fromCsv(readFileSync(path, "utf8")) : [];
}

/** Pole trajectories of the loop runs (notebook 02's receding-horizon vs open-loop figure). */
export interface LoopTraceRow {
  seed: number;
  replanEvery: number;
  step: number;
  /** cos θ of the pole (1 = upright), from the observation. */
  cosTheta: number;
  reward: number;
}

export const LOOP_TRACE_COLUMNS: (keyof LoopTraceRow)[] = ["seed", "replanEvery", "step", "cosTheta", "reward"];

export function readLoopTraces(path: string): LoopTraceRow[] {
  if (!existsSync(path)) return [];
  const [head, ...lines] = readFileSync(path, "utf8").trim().split("\n");
  const cols = head!.split(",");
  return lines.map((l) => {
    const c = l.split(",").map(Number);
    return Object.fromEntries(cols.map((k, i) => [k, c[i]])) as unknown as LoopTraceRow;
  });
}

/** Append rows to a CSV, writing the header first for a new file. An existing file with other columns is rewritten with the new header, rows kept. */
function appendRows(path: string, columns: string[], lines: string[], migrate?: () => string[]): void {
  mkdirSync(dirname(path), { recursive: true });
  if (existsSync(path)) {
    const head = readFileSync(path, "utf8").split("\n", 1)[0]!;
    if (head !== columns.join(",")) {
      if (!migrate) throw new Error(`${path} has columns '${head}', expected '${columns.join(",")}'`);
      writeFileSync(path, [columns.join(","), ...migrate()].join("\n") + "\n");
    }
  } else writeFileSync(path, columns.join(",") + "\n");
  if (lines.length) appendFileSync(path, lines.join("\n") + "\n");
}

export interface Ch02RunOptions {
  /** Results file (data/results/ch02-mpc.csv for the committed run). */
  out: string;
  /** Pole trajectories of the loop runs (data/results/ch02-loop.csv). */
  loopOut?: string;
  quick?: boolean;
  seeds?: number[];
  onRun?: (row: MpcRunResult, done: number, total: number, reused: boolean) => void;
  onStep?: (spec: MpcRunSpec, step: number, totalReturn: number) => void;
}

/**
 * Play every chapter-2 run that `out` does not hold yet and append it (resumable: finished rows are never
 * rewritten). A spec that repeats an earlier run's configuration under another sweep reuses that run's result.
 */
export async function runCh02(o: Ch02RunOptions): Promise<MpcRunResult[]> {
  const specs = [...ch02Sweeps({ quick: o.quick ?? false, seeds: o.seeds }), ...ch02MyopiaRuns({ quick: o.quick ?? false, seeds: o.seeds })];
  const existing = readCh02Csv(o.out);
  appendRows(o.out, CH02_CSV_COLUMNS as string[], [], () => existing.map((r) => csvRow(r)));
  const have = new Set(existing.map((r) => `${r.sweep}|${runKey(r)}`));
  const byKey = new Map(existing.map((r) => [runKey(r), r]));
  const traced = new Set(o.loopOut ? readLoopTraces(o.loopOut).map((t) => `${t.seed}|${t.replanEvery}`) : []);
  const rows: MpcRunResult[] = [];
  let done = 0;
  for (const spec of specs) {
    done++;
    // a loop run whose trajectory is missing is played again (same seed, same episode) for its trace
    const needTrace = spec.sweep === "loop" && o.loopOut !== undefined && !traced.has(`${spec.seed}|${spec.replanEvery}`);
    const present = have.has(`${spec.sweep}|${runKey(spec)}`);
    if (present && !needTrace) continue;
    const prior = needTrace ? undefined : byKey.get(runKey(spec));
    let row: MpcRunResult;
    if (prior) row = { ...prior, sweep: spec.sweep };
    else {
      const played = await playMpc(spec, { onStep: (i) => o.onStep?.(spec, i.step, i.totalReturn) });
      const ep = played.episode;
      row = resultOf(spec, played);
      if (spec.sweep === "loop" && o.loopOut) {
        const trace = ep.rewards.map((r, t) => [spec.seed, spec.replanEvery, t + 1, Math.round(ep.observations[t + 1]![1]! * 1e4) / 1e4, Math.round(r * 1e4) / 1e4].join(","));
        appendRows(o.loopOut, LOOP_TRACE_COLUMNS as string[], [[spec.seed, spec.replanEvery, 0, Math.round(ep.observations[0]![1]! * 1e4) / 1e4, 0].join(","), ...trace]);
      }
    }
    if (needTrace) traced.add(`${spec.seed}|${spec.replanEvery}`);
    if (present) continue;
    appendRows(o.out, CH02_CSV_COLUMNS as string[], [csvRow(row)]);
    have.add(`${spec.sweep}|${runKey(spec)}`);
    byKey.set(runKey(spec), row);
    rows.push(row);
    o.onRun?.(row, done, specs.length, Boolean(prior));
  }
  return rows;
}

export { imagine, RecordingModel, type Imagination } from "./ch02-imagination.js";
