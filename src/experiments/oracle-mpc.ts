/**
 * The oracle: MPC with the true simulator as its model, on every task. No learning and no model error — what
 * the planner alone can earn within its lookahead and sampling budget. Two uses:
 *  - evidence that each task's reward and dynamics mean what the suite's do (a sensible behaviour earns a high
 *    return; issue "MuJoCo tasks": hand-written controllers for the simple tasks, this oracle for locomotion);
 *  - the reference line of later chapters' learning curves (a learned model plans at best this well, with the same
 *    planner and budget).
 * Results: data/results/oracle-mpc.csv, written by `npx tdmpc oracle` one finished episode at a time, so a killed
 * run resumes where it stopped (finished (task, seed) rows are skipped).
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { CH02_CSV_COLUMNS, csvRow, fromCsv, playMpc, runMpcExperiment, type MpcRunResult, type MpcRunSpec } from "./ch02-mpc.js";
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
 * `recordEpisode(env, (_obs, t) => episode.actions[t], { seed })` shows exactly this episode).
 */
export async function oracleEpisode(task: string, seed: number, opts: { steps?: number; onStep?: (step: number, totalReturn: number) => void } = {}): Promise<{ spec: MpcRunSpec; episode: MpcEpisode }> {
  const spec = oracleSpec(task, seed, opts.steps);
  const { episode } = await playMpc(spec, { onStep: (i) => opts.onStep?.(i.step, i.totalReturn) });
  return { spec, episode };
}

/** Rows of an oracle CSV (the chapter-2 columns), or none when the file does not exist yet. */
export function readOracleCsv(path: string): MpcRunResult[] {
  return existsSync(path) ? fromCsv(readFileSync(path, "utf8")).filter((r) => r.sweep === "oracle") : [];
}

/** Append one finished episode (writing the header first for a new file). */
export function appendOracleRow(path: string, row: MpcRunResult): void {
  if (!existsSync(path)) writeFileSync(path, CH02_CSV_COLUMNS.join(",") + "\n");
  appendFileSync(path, csvRow(row) + "\n");
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
}): Promise<MpcRunResult[]> {
  const done = new Set(opts.out ? readOracleCsv(opts.out).map((r) => `${r.task}/${r.seed}/${r.steps}`) : []);
  const rows: MpcRunResult[] = [];
  for (const task of opts.tasks) {
    for (const seed of opts.seeds) {
      const spec = oracleSpec(task, seed, opts.steps);
      if (done.has(`${task}/${seed}/${spec.steps}`)) continue;
      opts.onEpisodeStart?.(spec);
      const row = await runMpcExperiment(spec, { onStep: (i) => opts.onStep?.(spec, i.step, i.totalReturn) });
      if (opts.out) appendOracleRow(opts.out, row);
      opts.onEpisode?.(row);
      rows.push(row);
    }
  }
  return rows;
}

/** Mean and range of the oracle's full-episode return per task, from its CSV rows. */
export function oracleSummary(rows: MpcRunResult[]): { task: string; seeds: number; mean: number; min: number; max: number }[] {
  const byTask = new Map<string, number[]>();
  for (const r of rows) byTask.set(r.task, [...(byTask.get(r.task) ?? []), r.episodeReturn]);
  return [...byTask].map(([task, v]) => ({ task, seeds: v.length, mean: v.reduce((a, b) => a + b, 0) / v.length, min: Math.min(...v), max: Math.max(...v) }));
}
