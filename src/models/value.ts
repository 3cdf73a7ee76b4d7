/**
 * What a TD-MPC agent learns beyond its latent model: the state-action value Q(z, a) and the policy prior π(z).
 *
 *   Q ensemble  TD-MPC: two heads, TD targets from the min of both (clipped double Q, Fujimoto et al. 2018);
 *               TD-MPC2: five heads with dropout, two of them drawn at random per use (min for TD targets, mean for
 *               the policy loss and planning), values as two-hot distributions.
 *   policy      TD-MPC: deterministic a = tanh(μ(z)) plus truncated Gaussian noise of a fixed std (DDPG-like);
 *               TD-MPC2: a squashed Gaussian with a learned std (SAC-like, maximum entropy).
 */
import { tf } from "../nn/backend.js";
import { applyEnsemble, applyMlp, type EnsembleSpec, type MlpSpec, type Params } from "../nn/layers.js";
import { decodeScalar, scalarLoss, type ScalarCoding } from "../nn/losses.js";
import type { Rng } from "../util/random.js";

export interface QOptions {
  /** Weights to use: the online store (default) or a target copy. */
  from?: Params;
  /** Dropout on (TD-MPC2 trains with it, and keeps it on in the policy loss). */
  training?: boolean;
  /** Only the inputs get gradients (the Q heads are frozen, as in the policy loss). */
  frozen?: boolean;
  /** Evaluate only these heads. */
  heads?: number[];
}

export class QEnsemble {
  constructor(
    readonly params: Params,
    readonly spec: EnsembleSpec,
    readonly coding: ScalarCoding,
    private readonly rng: Rng,
  ) {}

  get numQ(): number {
    return this.spec.heads;
  }

  /** Raw head outputs [E, B, 1 or num_bins] for E = all heads or `opts.heads`. */
  out(z: tf.Tensor2D, a: tf.Tensor2D, opts: QOptions = {}): tf.Tensor3D {
    return applyEnsemble(opts.from ?? this.params, this.spec, tf.concat([z, a], 1), {
      training: opts.training,
      rng: this.rng,
      heads: opts.heads,
      frozen: opts.frozen,
    });
  }

  /** Per-head values [E, B, 1]. */
  values(z: tf.Tensor2D, a: tf.Tensor2D, opts: QOptions = {}): tf.Tensor3D {
    return decodeScalar(this.coding, this.out(z, a, opts)) as tf.Tensor3D;
  }

  /**
   * Q(z, a) as [B, 1] from two heads — the min (TD targets, TD-MPC's planning) or the mean (TD-MPC2's policy loss and
   * planning). With two heads these are the two; with more, two drawn at random (TD-MPC2), unless `opts.heads` says.
   */
  value(z: tf.Tensor2D, a: tf.Tensor2D, kind: "min" | "avg", opts: QOptions = {}): tf.Tensor2D {
    const v = this.values(z, a, { ...opts, heads: opts.heads ?? this.twoHeads() });
    return (kind === "min" ? tf.min(v, 0) : tf.mean(v, 0)) as tf.Tensor2D;
  }

  /** Two distinct heads drawn uniformly (all of them when there are two). */
  twoHeads(): number[] {
    const E = this.spec.heads;
    if (E <= 2) return Array.from({ length: E }, (_, i) => i);
    const i = this.rng.int(E);
    return [i, (i + 1 + this.rng.int(E - 1)) % E];
  }

  /** Per-row value loss summed over heads [E·B, 1] against TD targets [B, 1] (each head regresses the same target). */
  loss(z: tf.Tensor2D, a: tf.Tensor2D, tdTarget: tf.Tensor2D, opts: QOptions = {}): tf.Tensor2D {
    const out = this.out(z, a, opts);
    const [E, B, W] = out.shape;
    return scalarLoss(this.coding, tf.reshape(out, [E * B, W]) as tf.Tensor2D, tf.tile(tdTarget, [E, 1]));
  }
}

export type PolicyKind = "deterministic" | "gaussian";

export interface PolicySample {
  /** tanh(μ): the mode, [B, A] */
  mu: tf.Tensor2D;
  /** a sampled action in [−1, 1], [B, A] */
  action: tf.Tensor2D;
  /** Gaussian policy only: log π(a|z) of the squashed sample [B, 1] and the pre-squash Gaussian log-prob [B, 1] */
  logProb?: tf.Tensor2D;
  gaussLogProb?: tf.Tensor2D;
}

export class PolicyPrior {
  constructor(
    readonly params: Params,
    readonly spec: MlpSpec,
    readonly kind: PolicyKind,
    readonly actionDim: number,
    private readonly rng: Rng,
    /** TD-MPC2's bounds on the learned log std. */
    readonly logStd: { min: number; max: number } = { min: -10, max: 2 },
  ) {
    const out = spec.dims[spec.dims.length - 1];
    const want = kind === "gaussian" ? 2 * actionDim : actionDim;
    if (out !== want) throw new Error(`policy "${spec.prefix}": a ${kind} policy over ${actionDim}-D actions needs ${want} outputs, got ${out}`);
  }

  /**
   * Sample π(z). Deterministic policy (TD-MPC helper.py `TruncatedNormal`): a = clamp(tanh(μ) + clip(σ·ε, ±0.3), ±(1 − 1e−6))
   * with σ = `std` (0: the mode). Gaussian policy (TD-MPC2 world_model.py `pi`): a = tanh(μ + e^{log σ}·ε) with
   * log σ = min + ½(max − min)(tanh(raw) + 1), and log-probs with the tanh correction (SAC, Haarnoja et al. 2018, App. C).
   */
  sample(z: tf.Tensor2D, opts: { std?: number; frozen?: boolean } = {}): PolicySample {
    const A = this.actionDim;
    const out = applyMlp(this.params, this.spec, z, { frozen: opts.frozen });
    if (this.kind === "deterministic") {
      const mu = tf.tanh(out) as tf.Tensor2D;
      const std = opts.std ?? 0;
      if (std <= 0) return { mu, action: mu };
      const eps = tf.clipByValue(tf.mul(tf.randomNormal(mu.shape, 0, 1, "float32", this.rng.int(2 ** 31)), std), -0.3, 0.3);
      return { mu, action: tf.clipByValue(tf.add(mu, eps), -1 + 1e-6, 1 - 1e-6) as tf.Tensor2D };
    }
    const [mean, raw] = tf.split(out, [A, A], 1) as [tf.Tensor2D, tf.Tensor2D];
    const { min, max } = this.logStd;
    const logStd = tf.add(min, tf.mul(0.5 * (max - min), tf.add(tf.tanh(raw), 1)));
    const eps = tf.randomNormal(mean.shape, 0, 1, "float32", this.rng.int(2 ** 31));
    const action = tf.tanh(tf.add(mean, tf.mul(eps, tf.exp(logStd)))) as tf.Tensor2D;
    const gaussLogProb = tf.sum(tf.sub(tf.mul(-0.5, tf.square(eps)), tf.add(logStd, 0.5 * Math.log(2 * Math.PI))), 1, true) as tf.Tensor2D;
    const squash = tf.sum(tf.log(tf.add(tf.relu(tf.sub(1, tf.square(action))), 1e-6)), 1, true);
    return { mu: tf.tanh(mean) as tf.Tensor2D, action, logProb: tf.sub(gaussLogProb, squash) as tf.Tensor2D, gaussLogProb };
  }
}
