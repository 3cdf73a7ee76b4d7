/**
 * The oracle: MPC with the true simulator as its model, on every task. No learning and no model error — what
 * the planner alone can earn within its lookahead and sampling budget. Two uses:
 *  - evidence that each task's reward and dynamics mean what the suite's do (a sensible behaviour earns a high
 *    return; issue "MuJoCo tasks": hand-written controllers for the simple tasks, this oracle for locomotion);
 *  - the reference line of later chapters' learning curves (a learned model plans at best this well, with the same
 *    planner and budget).
 * Results: `npx tdmpc oracle` appends one row per finished episode (util/results.ts, keyed by the run's spec:
 * task, seed, steps and planner settings), so a killed run resumes where it stopped; the committed reference is
 * data/results/oracle-mpc.csv (written only when --out names it).
 */
import { existsSync, readFileSync } from "node:fs";
import { ResultsLog } from "../util/results.js";
import { distinctList, positiveInt } from "../util/validate.js";
import { CH02_CSV_COLUMNS, fromCsv, mpcCells, playMpc, runMpcExperiment, type MpcRunResult, type MpcRunSpec } from "./ch02-mpc.js";
import { getTask } from "../envs/task.js";
import type { MpcEpisode } from "../planning/mpc.js";

/** Planner settings per task, chosen so that one full episode takes minutes, not hours, on one laptop core. */
export type OracleSettings = Omit<MpcRunSpec, "sweep" | "task" | "seed" | "steps" | "replanEvery">;

/**
 * MPPI (TD-MPC's planner) for the multi-joint tasks, CEM where chapter 2 measured it. Lookahead = horizon ×
 * action repeat × control timestep: ≈ 1 s for cartpole, 2–4 s for the swing-ups with a sparse or distant reward,
 * 0.4–0.5 s for locomotion (the gait only needs the next stride).
 */
export const ORACLE_SETTINGS: Readonly<Record<string, OracleSettings>> = {
  "pendulum-swingup": { planner: "cem", numSamples: 64, horizon: 25, iterations: 3, actionRepeat: 8 },
  "cartpole-balance": { planner: "cem", numSamples: 64, horizon: 12, iterations: 3 },
  "cartpole-balance_sparse": { planner: "cem", numSamples: 64, horizon: 12, iterations: 3 },
  "cartpole-swingup": { planner: "cem", numSamples: 64, horizon: 12, iterations: 3 },
  "cartpole-swingup_sparse": { planner: "cem", numSamples: 64, horizon: 25, iterations: 3 },
  "acrobot-swingup": { planner: "mppi", numSamples: 64, horizon: 25, iterations: 3 },
  "reacher-easy": { planner: "mppi", numSamples: 64, horizon: 10, iterations: 3 },
  "reacher-hard": { planner: "mppi", numSamples: 64, horizon: 10, iterations: 3 },
  "point_mass-easy": { planner: "mppi", numSamples: 64, horizon: 10, iterations: 3 },
  // action repeat 4 as in the committed run (made before finger-spin took TD-MPC's repeat of 2): 1.2 s of lookahead
  "finger-spin": { planner: "mppi", numSamples: 64, horizon: 15, iterations: 3, actionRepeat: 4 },
  "cheetah-run": { planner: "mppi", numSamples: 64, horizon: 12, iterations: 4 },
  "walker-stand": { planner: "mppi", numSamples: 64, horizon: 10, iterations: 3 },
  "walker-walk": { planner: "mppi", numSamples: 64, horizon: 10, iterations: 3 },
  "hopper-stand": { planner: "mppi", numSamples: 64, horizon: 15, iterations: 3 },
};

/**
 * Tasks whose reward is zero almost everywhere (an indicator, or a margin as small as the target): the planner sees
 * nothing to climb until a sampled sequence reaches the paying states within its lookahead. The others shape the
 * reward (a tolerance with a wide margin, a speed, an upright term) so every step says "warmer" or "colder".
 */
export const SPARSE_REWARD_TASKS: ReadonlySet<string> = new Set([
  "pendulum-swingup", // 1 within 8° of upright
  "cartpole-balance_sparse",
  "cartpole-swingup_sparse",
  "point_mass-easy", // margin = target radius 0.015 m
  "reacher-easy", // 1 while the finger touches the target
  "reacher-hard",
  "finger-spin", // 1 while the spinner turns faster than 15 rad/s
]);

/** The run of one oracle episode: `steps` agent steps (default: the whole episode). */
export function oracleSpec(task: string, seed: number, steps?: number): MpcRunSpec {
  const t = getTask(task); // an unknown name gets the registry's error, which lists the known tasks
  const settings = ORACLE_SETTINGS[task];
  if (!settings) throw new Error(`no oracle settings for task '${task}': known ${Object.keys(ORACLE_SETTINGS).join(", ")}`);
  const actionRepeat = settings.actionRepeat ?? t.actionRepeat;
  const episodeSteps = Math.ceil(t.episodeLength / actionRepeat);
  return { sweep: "oracle", task, seed, steps: steps ?? episodeSteps, replanEvery: 1, ...settings, actionRepeat };
}

/**
 * One oracle episode with its actions kept (a notebook replays them: the env is deterministic under the seed, so
 * `await recordEpisode(env, (_obs, t) => episode.actions[t], { seed })` shows exactly this episode).
 */
export async function oracleEpisode(task: string, seed: number, opts: { steps?: number; onStep?: (step: number, totalReturn: number) => void } = {}): Promise<{ spec: MpcRunSpec; episode: MpcEpisode }> {
  const spec = oracleSpec(task, seed, opts.steps);
  const { episode } = await playMpc(spec, { onStep: (i) => opts.onStep?.(i.step, i.totalReturn) });
  return { spec, episode };
}

/** Rows of an oracle CSV (the chapter-2 columns), or none when the file does not exist yet. */
export function readOracleCsv(path: string): MpcRunResult[] {
  return existsSync(path) ? fromCsv(readFileSync(path, "utf8"), path).filter((r) => r.sweep === "oracle") : [];
}

/** A run's identity in the results file: every spec column (the settings, task, seed and length). */
/** What tells two MPC runs apart (chapter 2's warm-start sweep differs only in warmStart). */
export const ORACLE_KEY = ["sweep", "task", "planner", "numSamples", "horizon", "iterations", "steps", "replanEvery", "actionRepeat", "seed", "warmStart"] as const;

/** Open an oracle results file for appending (see util/results.ts). */
export function openOracleLog(path: string): ResultsLog {
  return ResultsLog.open(path, { columns: CH02_CSV_COLUMNS, key: ORACLE_KEY });
}

/** A row's cells as the file holds them (numbers rounded to 3 decimals). */
function oracleCells(row: Partial<MpcRunResult>): Record<string, string> {
  return mpcCells(row);
}

/**
 * Play the oracle on every (task, seed) not yet in `out` (resume), appending each episode as it finishes.
 * `onStep` reports progress inside an episode (the CLI draws a bar with it).
 */
export async function runOracle(opts: {
  tasks: string[];
  seeds: number[];
  out?: string;
  steps?: number;
  onEpisodeStart?: (spec: MpcRunSpec) => void;
  onStep?: (spec: MpcRunSpec, step: number, totalReturn: number) => void;
  onEpisode?: (row: MpcRunResult) => void;
  /** Told how many damaged lines were cut off the end of `out` (a torn last write) before resuming. */
  onDropped?: (lines: number) => void;
}): Promise<MpcRunResult[]> {
  distinctList("tasks", opts.tasks);
  distinctList("seeds", opts.seeds);
  if (opts.steps !== undefined) positiveInt("steps", opts.steps);
  const specs = opts.tasks.flatMap((task) => opts.seeds.map((seed) => oracleSpec(task, seed, opts.steps))); // bad names fail before any work
  const log = opts.out ? openOracleLog(opts.out) : undefined;
  if (log?.dropped) opts.onDropped?.(log.dropped);
  const rows: MpcRunResult[] = [];
  for (const spec of specs) {
    if (log?.has(oracleCells(spec))) continue;
    opts.onEpisodeStart?.(spec);
    const row = await runMpcExperiment(spec, { onStep: (i) => opts.onStep?.(spec, i.step, i.totalReturn) });
    log?.append(oracleCells(row));
    opts.onEpisode?.(row);
    rows.push(row);
  }
  return rows;
}

export interface OracleSummaryRow {
  task: string;
  /** Agent steps per episode: episodes of different lengths are never averaged together. */
  steps: number;
  seeds: number;
  mean: number;
  min: number;
  max: number;
}

/** Mean and range of the oracle's return per task and episode length, from its CSV rows. */
export function oracleSummary(rows: MpcRunResult[]): OracleSummaryRow[] {
  const groups = new Map<string, { task: string; steps: number; v: number[] }>();
  for (const r of rows) {
    const k = `${r.task}\u0000${r.steps}`;
    if (!groups.has(k)) groups.set(k, { task: r.task, steps: r.steps, v: [] });
    groups.get(k)!.v.push(r.episodeReturn);
  }
  return [...groups.values()].map(({ task, steps, v }) => ({ task, steps, seeds: v.length, mean: v.reduce((a, b) => a + b, 0) / v.length, min: Math.min(...v), max: Math.max(...v) }));
}

/** A row's group label: the task, with its episode length when the rows hold several lengths for it. */
export function oracleGroupLabel(rows: readonly { task: string; steps: number }[]): (task: string, steps: number) => string {
  const lengths = new Map<string, Set<number>>();
  for (const r of rows) lengths.set(r.task, (lengths.get(r.task) ?? new Set()).add(r.steps));
  return (task, steps) => (lengths.get(task)!.size > 1 ? `${task} (${steps} steps)` : task);
}
