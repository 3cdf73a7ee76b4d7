/**
 * Chapter 4: latent world models.
 *   grid        the comparison the lecture says is missing — a joint backbone (reward, value and consistency all
 *               shape the encoder: TD-MPC) against independent modules (encoder and dynamics from the consistency
 *               loss alone) — on cartpole-swingup and cartpole-balance, 5 seeds; and on cartpole-swingup what the
 *               consistency loss does: without it, and with a reconstruction loss instead (runs: tdmpc-runs.ts).
 *   prediction  multi-step prediction error of the trained latent models next to chapter 3's state-space ensemble
 *               (PETS) fitted on the same transitions.
 */
import { protocolEnv } from "../agents/trainer.js";
import { runEpisode, type Episode } from "../envs/agent.js";
import { decomposeVariance, DynamicsEnsemble, PETS_ENSEMBLE_DEFAULTS } from "../models/ensemble.js";
import type { WorldModel } from "../models/world-model.js";
import { tf } from "../nn/backend.js";
import { budgets, grid, loadReplay, loadTrained, type RunSpec, type VariantName } from "./tdmpc-runs.js";

export const CH04_MODES: VariantName[] = ["tdmpc", "independent"];
export const CH04_LOSSES: VariantName[] = ["no_consistency", "reconstruction"];

/**
 * Joint vs independent on cartpole-swingup and cartpole-balance (seeds 0–4; pendulum-swingup with `pendulum`, where
 * the TD-MPC pilot never swung up at this scale), the consistency variants on cartpole-swingup (seeds 0–2).
 */
export function ch04Grid(o: { seeds?: number[]; pendulum?: boolean } = {}): RunSpec[] {
  const seeds = o.seeds ?? [0, 1, 2, 3, 4];
  const tasks = ["cartpole-swingup", "cartpole-balance", ...(o.pendulum ? ["pendulum-swingup"] : [])];
  return [...grid(CH04_MODES, budgets(tasks), seeds), ...grid(CH04_LOSSES, budgets(["cartpole-swingup"]), seeds.filter((s) => s < 3))];
}

// ─── prediction error over the horizon: latent models vs chapter 3's state-space ensemble ───────────────────────

export interface PredictionRow {
  /** A grid variant (a latent model), or "pets" (chapter 3's ensemble fitted on the same transitions). */
  model: string;
  task: string;
  seed: number;
  /** Steps predicted ahead. */
  k: number;
  /** RMS error of the reward predicted for step t+k−1 from o_t and a_t … a_{t+k−1} (per agent step: the sum over the action repeat). */
  reward_rmse: number;
  /** RMS error of the predicted state o_{t+k} in units of each state dimension's std (PETS; the decoder's output). */
  state_rmse: number;
  /** RMS error of the predicted latent against h(o_{t+k}), relative to the latents' spread (latent models). */
  latent_rel: number;
}

export const PREDICTION_COLUMNS: (keyof PredictionRow)[] = ["model", "task", "seed", "k", "reward_rmse", "state_rmse", "latent_rel"];
export const PREDICTION_TEXT = ["model", "task"];

/** Test episodes: played by a trained agent (planner, exploration noise on: what its replay holds). */
export async function testEpisodes(runDir: string, episodes: number): Promise<Episode[]> {
  const { agent, task, protocol, seed } = await loadTrained(runDir);
  const env = await protocolEnv(task, protocol, seed);
  try {
    const out: Episode[] = [];
    for (let k = 0; k < episodes; k++) out.push(await runEpisode(env, agent, { seed: 4_000_000 + k, explore: true }));
    return out;
  } finally {
    agent.dispose();
    env.close();
  }
}

/** Windows (start t, k = 1…maxK) of the test episodes: starts every `stride` steps. */
function windows(eps: Episode[], maxK: number, stride: number): { ep: Episode; t: number }[] {
  const out: { ep: Episode; t: number }[] = [];
  for (const ep of eps) for (let t = 0; t + maxK <= ep.actions.length; t += stride) out.push({ ep, t });
  return out;
}

const rms = (sq: Float64Array, n: number) => Array.from(sq, (s) => Math.sqrt(s / Math.max(n, 1)));

/**
 * A trained latent model rolled k = 1…maxK steps from z_t = h(o_t) on the recorded actions: ẑ_{t+k} = d(ẑ_{t+k−1}, a),
 * r̂ = R(ẑ, a); errors against r and h(o_{t+k}) (and, with a decoder, D(ẑ) against o_{t+k}).
 */
export function latentErrors(wm: WorldModel, eps: Episode[], maxK: number, stride = 5): Pick<PredictionRow, "k" | "reward_rmse" | "state_rmse" | "latent_rel">[] {
  const win = windows(eps, maxK, stride);
  const n = win.length;
  const O = wm.obsDim;
  const A = wm.actionDim;
  const stack = (f: (w: { ep: Episode; t: number }) => ArrayLike<number>, width: number) => {
    const out = new Float32Array(n * width);
    win.forEach((w, i) => out.set(f(w), i * width));
    return tf.tensor2d(out, [n, width]);
  };
  const obsStd = stateStd(eps);
  return tf.tidy(() => {
    const allObs = tf.tensor2d(Float32Array.from(eps.flatMap((e) => e.observations.flatMap((o) => Array.from(o)))), [eps.reduce((s, e) => s + e.observations.length, 0), O]);
    const zAll = wm.latent.encode(allObs);
    const spread = tf.mean(tf.sum(tf.square(tf.sub(zAll, tf.mean(zAll, 0))), 1)).dataSync()[0]!;
    let z = wm.latent.encode(stack((w) => w.ep.observations[w.t]!, O));
    const rows = [];
    for (let k = 1; k <= maxK; k++) {
      const a = stack((w) => w.ep.actions[w.t + k - 1]!, A);
      const r = stack((w) => [w.ep.rewards[w.t + k - 1]!], 1);
      const rErr = tf.sum(tf.square(tf.sub(wm.latent.rewardValue(z, a), r))).dataSync()[0]!;
      z = wm.latent.next(z, a);
      const target = wm.latent.encode(stack((w) => w.ep.observations[w.t + k]!, O));
      const zErr = tf.mean(tf.sum(tf.square(tf.sub(z, target)), 1)).dataSync()[0]!;
      let sErr = Number.NaN;
      if (wm.latent.decoder) {
        const d = tf.div(tf.sub(wm.latent.decode(z), stack((w) => w.ep.observations[w.t + k]!, O)), tf.tensor1d(obsStd));
        sErr = Math.sqrt(tf.mean(tf.square(d)).dataSync()[0]!);
      }
      rows.push({ k, reward_rmse: Math.sqrt(rErr / n), state_rmse: sErr, latent_rel: Math.sqrt(zErr / spread) });
    }
    return rows;
  });
}

/** Std of each observation dimension over the episodes (the unit of state errors, as in chapter 3). */
function stateStd(eps: Episode[]): Float32Array {
  const O = eps[0]!.observations[0]!.length;
  const all = eps.flatMap((e) => e.observations);
  const mean = new Float64Array(O);
  for (const o of all) for (let d = 0; d < O; d++) mean[d]! += o[d]! / all.length;
  const sd = new Float32Array(O);
  for (const o of all) for (let d = 0; d < O; d++) sd[d]! += (o[d]! - mean[d]!) ** 2 / all.length;
  return sd.map((v) => Math.max(Math.sqrt(v), 1e-6));
}

/** Chapter 3's ensemble (mean of its members) rolled k steps on the recorded actions: state and reward errors. */
export function petsErrors(model: DynamicsEnsemble, eps: Episode[], maxK: number, stride = 5): Pick<PredictionRow, "k" | "reward_rmse" | "state_rmse" | "latent_rel">[] {
  const win = windows(eps, maxK, stride);
  const n = win.length;
  const S = model.obsDim;
  const A = model.actDim;
  const E = model.cfg.ensembleSize;
  const std = stateStd(eps);
  let state = new Float32Array(n * S);
  win.forEach((w, i) => state.set(w.ep.observations[w.t]!, i * S));
  const rows = [];
  for (let k = 1; k <= maxK; k++) {
    const act = new Float32Array(n * A);
    win.forEach((w, i) => act.set(w.ep.actions[w.t + k - 1]!, i * A));
    const p = decomposeVariance(model.predictAll(state, act, n), E, model.outDim);
    const next = new Float32Array(n * S);
    let sSq = 0;
    let rSq = 0;
    win.forEach((w, i) => {
      for (let d = 0; d < S; d++) {
        next[i * S + d] = state[i * S + d]! + p.mean[i * model.outDim + d]!;
        sSq += ((next[i * S + d]! - w.ep.observations[w.t + k]![d]!) / std[d]!) ** 2;
      }
      rSq += (p.mean[i * model.outDim + S]! - w.ep.rewards[w.t + k - 1]!) ** 2;
    });
    rows.push({ k, reward_rmse: Math.sqrt(rSq / n), state_rmse: Math.sqrt(sSq / (n * S)), latent_rel: Number.NaN });
    state = next;
  }
  return rows;
}

/**
 * The prediction study for one task and seed: test episodes played by the TD-MPC run; each trained latent model of
 * `variants` and a PETS ensemble fitted on the TD-MPC run's replay (the same transitions the latent model learnt
 * from), rolled up to `maxK` steps.
 */
export async function predictionStudy(runDirOf: (variant: string) => string, variants: string[], o: { task: string; seed: number; maxK: number; episodes: number; petsEpochs: number; petsHidden: number[] }): Promise<PredictionRow[]> {
  const eps = await testEpisodes(runDirOf("tdmpc"), o.episodes);
  const out: PredictionRow[] = [];
  for (const v of variants) {
    const { agent } = await loadTrained(runDirOf(v));
    try {
      for (const r of latentErrors(agent.wm, eps, o.maxK)) out.push({ model: v, task: o.task, seed: o.seed, ...r });
    } finally {
      agent.dispose();
    }
  }
  const data = (await loadReplay(runDirOf("tdmpc"))).transitions();
  const S = eps[0]!.observations[0]!.length;
  const pets = new DynamicsEnsemble(S, eps[0]!.actions[0]!.length, { ...PETS_ENSEMBLE_DEFAULTS, hidden: o.petsHidden, seed: o.seed });
  try {
    pets.fit(data, o.petsEpochs);
    for (const r of petsErrors(pets, eps, o.maxK)) out.push({ model: "pets", task: o.task, seed: o.seed, ...r });
  } finally {
    pets.dispose();
  }
  return out;
}
