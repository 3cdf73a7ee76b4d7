/**
 * The MPPI-style planning loop of TD-MPC2 (Hansen et al. 2024, §3.3, without the policy-prior trajectories):
 * sample N action sequences around (μ, σ), score them in latent space with the rollout value, refit (μ, σ) to the
 * top-k elites weighted by exp(τ·(G − max G)), repeat. Engine-agnostic: the scoring runs on onnxruntime or tfjs.
 * `tdmpc bench nn` times this exact loop against the same loop in PyTorch (scripts/bench_nn_torch.py).
 */
import type { Rng } from "../util/random.js";
import { tf } from "./backend.js";
import type { RolloutSpec } from "./onnx/rollout.js";
import type { PlanConfig } from "./presets.js";
import type { WorldModel } from "./worldmodel.js";

export interface ValueEngine {
  readonly name: string;
  value(z0: Float32Array, actions: Float32Array, n: number, heads: [number, number]): Promise<Float32Array>;
}

export interface PlanResult {
  /** first action of the refined mean, [A] */
  action: Float32Array;
  mean: Float32Array;
  std: Float32Array;
}

export async function planMppi(engine: ValueEngine, z0: Float32Array, actionDim: number, numQ: number, cfg: PlanConfig, rng: Rng): Promise<PlanResult> {
  const { horizon: H, num_samples: N, num_elites: K, iterations } = cfg;
  const A = actionDim;
  if (K > N) throw new Error(`planMppi: num_elites ${K} > num_samples ${N}`);
  const mean = new Float32Array(H * A);
  const std = new Float32Array(H * A).fill(cfg.max_std);
  const actions = new Float32Array(H * N * A);
  for (let it = 0; it < iterations; it++) {
    for (let t = 0; t < H; t++)
      for (let n = 0; n < N; n++)
        for (let a = 0; a < A; a++) {
          const v = mean[t * A + a]! + std[t * A + a]! * rng.normal();
          actions[(t * N + n) * A + a] = v < -1 ? -1 : v > 1 ? 1 : v;
        }
    const i = rng.int(numQ);
    const heads: [number, number] = [i, numQ > 1 ? (i + 1 + rng.int(numQ - 1)) % numQ : i];
    const G = await engine.value(z0, actions, N, heads);
    const elite = topK(G, K);
    const gmax = G[elite[0]!]!;
    const w = elite.map((e) => Math.exp(cfg.temperature * (G[e]! - gmax)));
    const wsum = w.reduce((s, x) => s + x, 0);
    for (let t = 0; t < H; t++)
      for (let a = 0; a < A; a++) {
        let m = 0;
        for (let k = 0; k < K; k++) m += w[k]! * actions[(t * N + elite[k]!) * A + a]!;
        m /= wsum;
        let s = 0;
        for (let k = 0; k < K; k++) s += w[k]! * (actions[(t * N + elite[k]!) * A + a]! - m) ** 2;
        mean[t * A + a] = m;
        std[t * A + a] = Math.min(cfg.max_std, Math.max(cfg.min_std, Math.sqrt(s / wsum)));
      }
  }
  return { action: mean.slice(0, A), mean, std };
}

/** Indices of the k largest values, largest first (NaN counts as smallest). */
export function topK(x: Float32Array, k: number): number[] {
  const idx = Array.from({ length: x.length }, (_, i) => i);
  const v = (i: number) => (Number.isNaN(x[i]!) ? -Infinity : x[i]!);
  idx.sort((a, b) => v(b) - v(a));
  return idx.slice(0, k);
}

/** The rollout value through tfjs (`WorldModel.rolloutValue`): the reference and GPU engine for planning. */
export class TfjsRolloutEngine implements ValueEngine {
  readonly name: string;
  constructor(readonly wm: WorldModel, readonly horizon: number) {
    this.name = `tfjs-${tf.getBackend()}`;
  }
  async init(): Promise<this> {
    return this;
  }
  sync(): void {}
  async value(z0: Float32Array, actions: Float32Array, n: number, heads: [number, number]): Promise<Float32Array> {
    const L = this.wm.cfg.latent_dim;
    const A = this.wm.actionDim;
    const G = tf.tidy(() => {
      const z = z0.length === L ? tf.tile(tf.tensor2d(z0, [1, L]), [n, 1]) : tf.tensor2d(z0, [n, L]);
      return this.wm.rolloutValue(z as tf.Tensor2D, tf.tensor3d(actions, [this.horizon, n, A]), heads);
    });
    const data = (await G.data()) as Float32Array;
    G.dispose();
    return data;
  }
  async dispose(): Promise<void> {}
}

/** The planning objective of a `WorldModel` as an ONNX rollout spec (its weights go in a `WeightStore`). */
export function rolloutSpecOf(wm: WorldModel, horizon: number): RolloutSpec {
  return { dynamics: wm.dyn, reward: wm.rew, pi: wm.pi, q: wm.q, rewardCoding: wm.twoHot, qCoding: wm.twoHot, qReduce: "avg", discount: wm.train.discount, horizon, actionDim: wm.actionDim };
}
