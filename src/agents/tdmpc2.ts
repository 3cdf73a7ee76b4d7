/**
 * TD-MPC2 (Hansen, Su & Wang 2024, "TD-MPC2: Scalable, Robust World Models for Continuous Control"), top to bottom:
 *
 *   act     MPPI in the SimNorm latent space: 488 Gaussian sequences + 24 from the policy prior, returns
 *           Σ γ^t R(z_t, a_t) + γ^H Q̄(z_H, a_H) with a_H ~ π(z_H) and Q̄ the mean of two random heads, 6 iterations,
 *           no momentum, one elite drawn with probability ∝ its score (Gumbel-max); random actions for `seed_steps`.
 *   update  one step on a uniform batch of H+1-step sequences (Eq. 3–5): TD targets from two random target heads at
 *           a' ~ π(z'), latent rollout with consistency (online encoder, no gradient), reward and value losses as
 *           soft cross-entropies against two-hot targets, all heads with dropout, weighted by ρ^t; encoder at
 *           enc_lr_scale × lr; then the max-entropy policy step with Q divided by its running scale; Polyak of the
 *           target Q heads.
 */
import { tf } from "../nn/backend.js";
import { stopGradient } from "../nn/layers.js";
import { Adam, polyak, trainStep } from "../nn/optim.js";
import { RunningScale } from "../nn/running-scale.js";
import { consistencyLoss } from "../models/latent.js";
import { WorldModel } from "../models/world-model.js";
import { LatentPlanningModel } from "../planning/latent-model.js";
import { mppiPlanner, type SamplingPlanner } from "../planning/sampling.js";
import type { SequenceBatch } from "../replay/store.js";
import { Rng } from "../util/random.js";
import type { ActContext } from "../envs/agent.js";
import type { Tdmpc2Config } from "./config.js";
import { policyLoss } from "./policy-learners.js";
import type { LearningAgent, UpdateInfo } from "./types.js";

export class Tdmpc2Agent implements LearningAgent {
  readonly name = "TD-MPC2";
  readonly wm: WorldModel;
  readonly planner: SamplingPlanner;
  readonly model: LatentPlanningModel;
  readonly optim: Adam;
  readonly piOptim: Adam;
  readonly scale: RunningScale;
  readonly rng: Rng;
  step = 0;
  updates = 0;

  constructor(
    readonly cfg: Tdmpc2Config,
    readonly obsDim: number,
    readonly actionDim: number,
    seed: number,
  ) {
    this.rng = new Rng(seed);
    this.wm = new WorldModel(cfg, obsDim, actionDim, seed);
    const modules = ["encoder/", "dynamics/", "reward/", "q/", ...(cfg.decoder ? ["decoder/"] : [])];
    this.optim = new Adam(this.wm.params, { lr: cfg.lr, clipNorm: cfg.grad_clip_norm, lrScale: { "encoder/": cfg.enc_lr_scale } }, modules);
    this.piOptim = new Adam(this.wm.params, { lr: cfg.lr, eps: 1e-5, clipNorm: cfg.grad_clip_norm }, ["pi/"]);
    this.scale = new RunningScale(cfg.tau);
    this.planner = mppiPlanner(actionDim, {
      horizon: cfg.horizon,
      numSamples: cfg.num_samples - cfg.num_pi_trajs,
      numPiTrajs: cfg.num_pi_trajs,
      iterations: cfg.iterations,
      numElites: cfg.num_elites,
      temperature: cfg.temperature,
      momentum: 0,
      minStd: cfg.min_std,
      maxStd: cfg.max_std,
      selection: "gumbel",
      seed: this.rng.int(2 ** 31),
    });
    this.model = new LatentPlanningModel(this.wm, { discount: cfg.discount, terminalValue: cfg.terminal_value });
  }

  reset(): void {
    this.planner.reset();
  }

  async act(obs: Float32Array, ctx: ActContext): Promise<Float32Array> {
    if (ctx.explore && this.step < this.cfg.seed_steps) return Float32Array.from({ length: this.actionDim }, () => this.rng.uniform(-1, 1));
    this.model.setStart(obs);
    if (this.cfg.plan) return (await this.planner.plan(this.model, { explore: ctx.explore })).action;
    const z = tf.tensor2d(this.model.start, [1, this.wm.latentDim]);
    const s = this.wm.pi.sample(z);
    const a = Float32Array.from((ctx.explore ? s.action : s.mu).dataSync());
    tf.dispose([z, s.mu, s.action, s.logProb!, s.gaussLogProb!]);
    return a;
  }

  update(batch: SequenceBatch): UpdateInfo {
    const c = this.cfg;
    const { horizon: H, batchSize: B } = batch;
    const [O, A, L, E] = [this.obsDim, this.actionDim, this.wm.latentDim, c.num_q];
    const wm = this.wm;
    const obs = tf.tensor3d(batch.obs, [H + 1, B, O]);
    const act = tf.tensor2d(batch.action, [H * B, A]);
    const rew = tf.tensor2d(batch.reward, [H * B, 1]);
    const rhoRows = (n: number) => tf.tensor2d(Float32Array.from({ length: n * B }, (_, i) => c.rho ** Math.floor(i / B)), [n * B, 1]);
    const rhoW = rhoRows(H);

    // Targets, no gradient: z'_t = h(o_{t+1}); TD = r_t + γ · min of two random target heads at (z', a' ~ π(z'))
    const [nextZ, td] = tf.tidy(() => {
      const nz = wm.latent.encode(tf.reshape(tf.slice(obs, [1, 0, 0], [H, B, O]), [H * B, O]) as tf.Tensor2D);
      const q = wm.q.value(nz, wm.pi.sample(nz).action, "min", { from: wm.target });
      return [nz, tf.add(rew, tf.mul(c.discount, q))];
    });
    const detachHeads = c.latent_mode === "independent";
    const model = trainStep(this.optim, () => {
      let z = wm.latent.encode(tf.reshape(tf.slice(obs, [0, 0, 0], [1, B, O]), [B, O]) as tf.Tensor2D);
      const zs: tf.Tensor2D[] = [z];
      let cons: tf.Tensor = tf.scalar(0);
      for (let t = 0; t < H; t++) {
        z = wm.latent.next(z, tf.slice(act, [t * B, 0], [B, A]));
        cons = tf.add(cons, tf.mul(c.rho ** t, tf.mean(consistencyLoss(z, tf.slice(nextZ, [t * B, 0], [B, L])))));
        zs.push(z);
      }
      const zIn = tf.concat(zs.slice(0, H), 0) as tf.Tensor2D; // [H·B, L], t-major
      const zHead = detachHeads ? stopGradient(zIn) : zIn;
      const rewardLoss = tf.div(tf.sum(tf.mul(wm.latent.rewardLoss(zHead, act, rew), rhoW)), B * H);
      const valueLoss = tf.div(tf.sum(tf.mul(wm.q.loss(zHead, act, td, { training: true }), tf.tile(rhoW, [E, 1]))), B * H * E);
      const consistency = tf.div(cons, H);
      let recon: tf.Tensor = tf.scalar(0);
      if (c.reconstruction_coef > 0) {
        const target = tf.reshape(tf.slice(obs, [0, 0, 0], [H, B, O]), [H * B, O]);
        recon = tf.div(tf.sum(tf.mul(tf.mean(tf.squaredDifference(wm.latent.decode(zIn), target), 1, true), rhoW)), B * H);
      }
      const loss = tf.addN([
        tf.mul(c.consistency_coef, consistency),
        tf.mul(c.reward_coef, rewardLoss),
        tf.mul(c.value_coef, valueLoss),
        tf.mul(c.reconstruction_coef, recon),
      ]) as tf.Scalar;
      return {
        loss,
        extras: { consistency: consistency as tf.Scalar, reward: rewardLoss as tf.Scalar, value: valueLoss as tf.Scalar, reconstruction: recon as tf.Scalar },
        keep: [tf.concat(zs, 0)],
      };
    });
    const zsAll = model.kept[0] as tf.Tensor2D;
    const pi = policyLoss(this, zsAll, batch);
    polyak(wm.target, wm.params, c.tau);
    this.updates++;
    tf.dispose([obs, act, rew, rhoW, nextZ, td, zsAll]);
    const x = model.extras;
    return { consistency: x.consistency!, reward: x.reward!, value: x.value!, reconstruction: x.reconstruction!, total: model.loss, gradNorm: model.gradNorm, piLoss: pi };
  }

  extraState(): Record<string, unknown> {
    return { scale: this.scale.value };
  }

  loadExtraState(s: Record<string, unknown>): void {
    if (typeof s.scale !== "number" || !(s.scale >= 1)) throw new Error(`TD-MPC2 state: running scale must be a number ≥ 1, got ${String(s.scale)}`);
    this.scale.value = s.scale;
  }

  dispose(): void {
    this.model.dispose();
    this.optim.dispose();
    this.piOptim.dispose();
    this.wm.dispose();
  }
}
