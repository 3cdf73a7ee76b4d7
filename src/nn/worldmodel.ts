/**
 * A TD-MPC2-shaped world model (Hansen, Su & Wang 2024): encoder h, latent dynamics d, reward R, an ensemble of
 * Q heads, a policy prior π, and target Q heads, with the model update of the paper (Eq. 3–5 in §3) and the
 * latent rollout value used by planning. The full agent (replay, planning loop in an env, running scale of the
 * policy loss) builds on this module; here it is also what `tdmpc bench nn` trains.
 *
 * Shapes: obs [B, obsDim], latents z [B, latent_dim] (SimNorm'd), actions a ∈ [−1, 1]^A.
 */
import { tf } from "./backend.js";
import { Rng } from "../util/random.js";
import { applyEnsemble, applyMlp, ensemble, mlp, Params, type EnsembleSpec, type MlpSpec } from "./layers.js";
import { mse, softCrossEntropy, twoHotInv, type TwoHotConfig } from "./losses.js";
import { Adam, polyak, trainStep } from "./optim.js";
import { TRAIN_DEFAULTS, type ModelConfig, type TrainConfig } from "./presets.js";

export interface Batch {
  /** observations o_0 … o_H: [H+1, B, obsDim] flattened */
  obs: Float32Array;
  /** actions a_0 … a_{H−1}: [H, B, A] */
  action: Float32Array;
  /** rewards r_0 … r_{H−1}: [H, B] */
  reward: Float32Array;
}

export interface UpdateInfo {
  consistency: number;
  reward: number;
  value: number;
  total: number;
  gradNorm: number;
  piLoss: number;
}

export class WorldModel {
  readonly params = new Params();
  readonly target: Params;
  readonly enc: MlpSpec;
  readonly dyn: MlpSpec;
  readonly rew: MlpSpec;
  readonly pi: MlpSpec;
  readonly q: EnsembleSpec;
  readonly twoHot: TwoHotConfig;
  readonly wmOpt: Adam;
  readonly piOpt: Adam;
  readonly rng: Rng;

  constructor(
    readonly cfg: ModelConfig,
    readonly obsDim: number,
    readonly actionDim: number,
    seed = 0,
    readonly train: TrainConfig = TRAIN_DEFAULTS,
  ) {
    if (!(obsDim >= 1 && actionDim >= 1)) throw new Error(`WorldModel: obsDim and actionDim must be ≥ 1, got ${obsDim}, ${actionDim}`);
    if (cfg.latent_dim % cfg.simnorm_dim !== 0) throw new Error(`latent_dim ${cfg.latent_dim} is not a multiple of simnorm_dim ${cfg.simnorm_dim}`);
    this.rng = new Rng(seed);
    const r = this.rng;
    const L = cfg.latent_dim;
    const H = cfg.mlp_dim;
    const sn = { simnormDim: cfg.simnorm_dim };
    const encHidden = Array.from({ length: Math.max(0, cfg.num_enc_layers - 1) }, () => cfg.enc_dim);
    this.enc = mlp(this.params, "encoder", [obsDim, ...encHidden, L], r, { outAct: "simnorm", ...sn });
    this.dyn = mlp(this.params, "dynamics", [L + actionDim, H, H, L], r, { outAct: "simnorm", ...sn });
    this.rew = mlp(this.params, "reward", [L + actionDim, H, H, cfg.num_bins], r, { zeroLast: true });
    this.pi = mlp(this.params, "pi", [L, H, H, 2 * actionDim], r);
    this.q = ensemble(this.params, "q", cfg.num_q, [L + actionDim, H, H, cfg.num_bins], r, { dropout: cfg.dropout, zeroLast: true });
    this.target = this.params.clone("q/");
    this.twoHot = { numBins: cfg.num_bins, vmin: cfg.vmin, vmax: cfg.vmax };
    const t = this.train;
    this.wmOpt = new Adam(this.params, { lr: t.lr, clipNorm: t.grad_clip_norm, lrScale: { "encoder/": t.enc_lr_scale } }, ["encoder/", "dynamics/", "reward/", "q/"]);
    this.piOpt = new Adam(this.params, { lr: t.lr, eps: 1e-5, clipNorm: t.grad_clip_norm }, ["pi/"]);
  }

  numParams(): number {
    return this.params.count();
  }

  encode(obs: tf.Tensor2D): tf.Tensor2D {
    return applyMlp(this.params, this.enc, obs);
  }

  /** z' = d(z, a) */
  next(z: tf.Tensor2D, a: tf.Tensor2D): tf.Tensor2D {
    return applyMlp(this.params, this.dyn, tf.concat([z, a], 1));
  }

  rewardLogits(z: tf.Tensor2D, a: tf.Tensor2D): tf.Tensor2D {
    return applyMlp(this.params, this.rew, tf.concat([z, a], 1));
  }

  /** Q heads' logits [num_q (or heads.length), B, num_bins]; `target` uses the Polyak-averaged copy. */
  qLogits(z: tf.Tensor2D, a: tf.Tensor2D, opts: { target?: boolean; training?: boolean; heads?: number[]; frozen?: boolean } = {}): tf.Tensor3D {
    return applyEnsemble(opts.target ? this.target : this.params, this.q, tf.concat([z, a], 1), {
      training: opts.training,
      rng: this.rng,
      heads: opts.heads,
      frozen: opts.frozen,
    });
  }

  /**
   * Q value from two randomly chosen heads: their min (TD targets) or mean (policy loss, planning) → [B, 1].
   * Only the two drawn heads are evaluated (the values equal those of evaluating all heads and picking two).
   */
  qValue(z: tf.Tensor2D, a: tf.Tensor2D, kind: "min" | "avg", opts: { target?: boolean; heads?: [number, number]; frozen?: boolean } = {}): tf.Tensor2D {
    const heads = opts.heads ?? this.twoHeads();
    const logits = this.qLogits(z, a, { ...opts, heads }); // [2, B, bins]
    const v = twoHotInv(logits, this.twoHot); // [2, B, 1]
    return (kind === "min" ? tf.min(v, 0) : tf.mean(v, 0)) as tf.Tensor2D;
  }

  twoHeads(): [number, number] {
    const E = this.cfg.num_q;
    const i = this.rng.int(E);
    const j = E > 1 ? (i + 1 + this.rng.int(E - 1)) % E : i;
    return [i, j];
  }

  /**
   * Policy prior π(z): squashed Gaussian (TD-MPC2 / SAC). Returns the squashed mean, a sample and its log-probability.
   */
  policy(z: tf.Tensor2D, seed?: number): { mu: tf.Tensor2D; action: tf.Tensor2D; logProb: tf.Tensor2D } {
    const A = this.actionDim;
    const out = applyMlp(this.params, this.pi, z);
    const [mu, rawLogStd] = tf.split(out, [A, A], 1) as [tf.Tensor2D, tf.Tensor2D];
    const { log_std_min: lo, log_std_max: hi } = this.train;
    const logStd = tf.add(lo, tf.mul(0.5 * (hi - lo), tf.add(tf.tanh(rawLogStd), 1)));
    const eps = tf.randomNormal(mu.shape, 0, 1, "float32", seed ?? this.rng.int(2 ** 31));
    const pre = tf.add(mu, tf.mul(eps, tf.exp(logStd)));
    const gaussLogProb = tf.sum(tf.sub(tf.mul(-0.5, tf.square(eps)), tf.add(logStd, 0.5 * Math.log(2 * Math.PI))), 1, true);
    const action = tf.tanh(pre) as tf.Tensor2D;
    const squash = tf.sum(tf.log(tf.add(tf.relu(tf.sub(1, tf.square(action))), 1e-6)), 1, true);
    return { mu: tf.tanh(mu) as tf.Tensor2D, action, logProb: tf.sub(gaussLogProb, squash) as tf.Tensor2D };
  }

  /**
   * One TD-MPC2 update (Hansen et al. 2024, Eq. 3–5): TD targets from target Qs, latent rollout over the horizon
   * with consistency, reward and value losses weighted by ρ^t, one Adam step of encoder/dynamics/reward/Q (encoder
   * at enc_lr_scale × lr, gradients clipped), then a policy step on the detached latents, then Polyak targets.
   * Deviation kept for now: the policy loss is not divided by TD-MPC2's running 5–95 % Q scale.
   */
  update(batch: Batch, batchSize: number): UpdateInfo {
    const T = this.train;
    const Hh = T.horizon;
    const B = batchSize;
    const A = this.actionDim;
    const O = this.obsDim;
    if (batch.obs.length !== (Hh + 1) * B * O) throw new Error(`update: obs has ${batch.obs.length} values, expected (H+1)·B·obsDim = ${(Hh + 1) * B * O}`);
    if (batch.action.length !== Hh * B * A) throw new Error(`update: action has ${batch.action.length} values, expected H·B·A = ${Hh * B * A}`);
    if (batch.reward.length !== Hh * B) throw new Error(`update: reward has ${batch.reward.length} values, expected H·B = ${Hh * B}`);

    const obs = tf.tensor3d(batch.obs, [Hh + 1, B, O]);
    const act = tf.tensor2d(batch.action, [Hh * B, A]);
    const rew = tf.tensor2d(batch.reward, [Hh * B, 1]);
    // rows are ordered t-major (row = t·B + b): ρ^t per row
    const rhoW = tf.tensor2d(Float32Array.from({ length: Hh * B }, (_, i) => T.rho ** Math.floor(i / B)), [Hh * B, 1]);

    // TD targets (no gradient): r_t + γ · min of two target Q heads at (z'_{t+1}, π(z'_{t+1}))
    const [nextZ, tdTarget] = tf.tidy(() => {
      const nz = this.encode(tf.reshape(tf.slice(obs, [1, 0, 0], [Hh, B, O]), [Hh * B, O]));
      const a = this.policy(nz).action;
      const q = this.qValue(nz, a, "min", { target: true });
      return [nz, tf.add(rew, tf.mul(T.discount, q))];
    });

    const E = this.cfg.num_q;
    const wm = trainStep(this.wmOpt, () => {
      let z = this.encode(tf.reshape(tf.slice(obs, [0, 0, 0], [1, B, O]), [B, O]));
      const zs: tf.Tensor2D[] = [z];
      let consistency: tf.Scalar = tf.scalar(0);
      for (let t = 0; t < Hh; t++) {
        z = this.next(z, tf.slice(act, [t * B, 0], [B, A]));
        consistency = tf.add(consistency, tf.mul(T.rho ** t, mse(z, tf.slice(nextZ, [t * B, 0], [B, this.cfg.latent_dim]))));
        zs.push(z);
      }
      const zIn = tf.concat(zs.slice(0, Hh), 0) as tf.Tensor2D; // [H·B, L]
      const rewardCe = softCrossEntropy(this.rewardLogits(zIn, act), rew, this.twoHot);
      const rewardLoss = tf.div(tf.sum(tf.mul(rewardCe, rhoW)), B * Hh) as tf.Scalar;
      const qs = this.qLogits(zIn, act, { training: true }); // [E, H·B, bins]
      const flatQ = tf.reshape(qs, [E * Hh * B, this.cfg.num_bins]) as tf.Tensor2D;
      const tdRep = tf.tile(tdTarget, [E, 1]);
      const valueCe = softCrossEntropy(flatQ, tdRep, this.twoHot);
      const valueLoss = tf.div(tf.sum(tf.mul(valueCe, tf.tile(rhoW, [E, 1]))), B * Hh * E) as tf.Scalar;
      const consistencyLoss = tf.div(consistency, Hh) as tf.Scalar;
      const loss = tf.addN([
        tf.mul(T.consistency_coef, consistencyLoss),
        tf.mul(T.reward_coef, rewardLoss),
        tf.mul(T.value_coef, valueLoss),
      ]) as tf.Scalar;
      return {
        loss,
        extras: { consistency: consistencyLoss, reward: rewardLoss, value: valueLoss },
        keep: [tf.concat(zs, 0)], // all H+1 latents, detached, for the policy step
      };
    });
    const zsAll = wm.kept[0] as tf.Tensor2D;

    // policy step (Q heads receive no update: only π's variables are differentiated)
    const rhoPi = tf.tensor2d(Float32Array.from({ length: (Hh + 1) * B }, (_, i) => T.rho ** Math.floor(i / B)), [(Hh + 1) * B, 1]);
    const pi = trainStep(this.piOpt, () => {
      const { action, logProb } = this.policy(zsAll);
      const q = this.qValue(zsAll, action, "avg", { frozen: true });
      const perRow = tf.sub(tf.mul(T.entropy_coef, logProb), q);
      return { loss: tf.div(tf.sum(tf.mul(perRow, rhoPi)), (Hh + 1) * B) as tf.Scalar };
    });
    polyak(this.target, this.params, T.tau);
    tf.dispose([obs, act, rew, rhoW, nextZ, tdTarget, zsAll, rhoPi]);
    return { ...(wm.extras as { consistency: number; reward: number; value: number }), total: wm.loss, gradNorm: wm.gradNorm, piLoss: pi.loss };
  }

  /**
   * Value of action sequences from a start latent (the planner's objective, TD-MPC2 Eq. 6 without the π trajectories):
   * G = Σ_t γ^t R(z_t, a_t) + γ^H · Q̄(z_H, π_μ(z_H)), with z_{t+1} = d(z_t, a_t) and Q̄ the mean of two heads.
   * z0 [N, L], actions [H, N, A] → [N, 1].
   */
  rolloutValue(z0: tf.Tensor2D, actions: tf.Tensor3D, heads: [number, number]): tf.Tensor2D {
    const [Hh, N, A] = actions.shape;
    let z = z0;
    let G: tf.Tensor2D = tf.zeros([N, 1]);
    let disc = 1;
    for (let t = 0; t < Hh; t++) {
      const a = tf.reshape(tf.slice(actions, [t, 0, 0], [1, N, A]), [N, A]) as tf.Tensor2D;
      const za = tf.concat([z, a], 1) as tf.Tensor2D;
      const r = twoHotInv(applyMlp(this.params, this.rew, za), this.twoHot);
      z = applyMlp(this.params, this.dyn, za);
      G = tf.add(G, tf.mul(disc, r));
      disc *= this.train.discount;
    }
    const aH = this.policy(z).mu;
    return tf.add(G, tf.mul(disc, this.qValue(z, aH, "avg", { heads })));
  }

  dispose(): void {
    this.wmOpt.dispose();
    this.piOpt.dispose();
    this.params.dispose();
    this.target.dispose();
  }
}

/** A random batch of the right shapes (benchmarks, tests). */
export function randomBatch(rng: Rng, horizon: number, batch: number, obsDim: number, actionDim: number): Batch {
  const obs = rng.fillNormal(new Float32Array((horizon + 1) * batch * obsDim));
  const action = rng.fillUniform(new Float32Array(horizon * batch * actionDim), -1, 1);
  const reward = rng.fillUniform(new Float32Array(horizon * batch), 0, 1);
  return { obs, action, reward };
}
