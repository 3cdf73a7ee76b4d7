/**
 * TD-MPC (Hansen, Wang & Su 2022, "Temporal Difference Learning for Model Predictive Control"), top to bottom:
 *
 *   act     plan with MPPI in the latent space of TOLD: 512 Gaussian sequences + 25 from the policy, returns
 *           Σ γ^t R(z_t, a_t) + γ^H min Q(z_H, π(z_H)), 6 iterations, momentum 0.1, one elite drawn by score (Alg. 1);
 *           uniformly random actions for the first `seed_steps`; horizon and std on linear schedules.
 *   update  one step of TOLD on a prioritised batch of H+1-step sequences (Eq. 3–6): latent rollout from h(o_0),
 *           consistency with the target encoder, reward and clipped-double-Q TD losses weighted by ρ^t, PER weights,
 *           new priorities from |Q − target|; then the policy step −Q(z, π(z)) on the detached latents; an EMA of the
 *           whole model every `update_freq` updates. From pixels (modality=pixels): h is TD-MPC's CNN and every
 *           observation of the batch is randomly shifted first (DrQ), as the official update does.
 * Parts: world model (src/models), planner (src/planning), replay (src/replay); the loop is src/agents/trainer.ts.
 */
import { randomShift } from "../nn/augment.js";
import { tf } from "../nn/backend.js";
import { pixelBatch } from "../nn/conv.js";
import { stopGradient } from "../nn/layers.js";
import { Adam, polyak, trainStep } from "../nn/optim.js";
import { consistencyLoss } from "../models/latent.js";
import { WorldModel } from "../models/world-model.js";
import { LatentPlanningModel } from "../planning/latent-model.js";
import { PoplinPlanner } from "../planning/poplin.js";
import { mppiPlanner, type SamplingPlanner } from "../planning/sampling.js";
import type { SequenceBatch } from "../replay/store.js";
import { Rng } from "../util/random.js";
import type { ActContext } from "../envs/agent.js";
import { parseSchedule, type TdmpcConfig } from "./config.js";
import { engineFor, OnnxUpdater, type EngineChoice } from "./engine.js";
import { policyLoss } from "./policy-learners.js";
import type { LearningAgent, UpdateInfo } from "./types.js";

export class TdmpcAgent implements LearningAgent {
  readonly name = "TD-MPC";
  readonly wm: WorldModel;
  readonly planner: SamplingPlanner | PoplinPlanner;
  readonly model: LatentPlanningModel;
  readonly optim: Adam;
  readonly piOptim: Adam;
  readonly rng: Rng;
  /** Agent steps collected so far (the trainer advances it); drives seeding and the schedules. */
  step = 0;
  updates = 0;
  /** Set when the update runs on onnxruntime (`useEngine`). */
  updater?: OnnxUpdater;
  private readonly stdSchedule: (step: number) => number;
  private readonly horizonSchedule: (step: number) => number;

  constructor(
    readonly cfg: TdmpcConfig,
    readonly obsDim: number,
    readonly actionDim: number,
    seed: number,
  ) {
    this.rng = new Rng(seed);
    this.wm = new WorldModel(cfg, obsDim, actionDim, seed);
    const modules = ["encoder/", "dynamics/", "reward/", "q/", ...(cfg.decoder ? ["decoder/"] : [])];
    this.optim = new Adam(this.wm.params, { lr: cfg.lr, clipNorm: cfg.grad_clip_norm }, modules);
    this.piOptim = new Adam(this.wm.params, { lr: cfg.lr, clipNorm: cfg.grad_clip_norm }, ["pi/"]);
    const poplin = cfg.planner !== "mppi"; // POPLIN's std is in units of its search variables (src/planning/poplin.ts)
    const search = {
      horizon: cfg.horizon,
      numSamples: cfg.num_samples,
      numPiTrajs: poplin ? 0 : Math.floor(cfg.mixture_coef * cfg.num_samples),
      iterations: cfg.iterations,
      numElites: cfg.num_elites,
      temperature: cfg.temperature,
      momentum: cfg.momentum,
      minStd: poplin ? Math.min(cfg.min_std, cfg.poplin_std) : cfg.min_std,
      maxStd: poplin ? cfg.poplin_std : 2,
      selection: "elite" as const,
      seed: this.rng.int(2 ** 31),
    };
    this.planner = poplin ? new PoplinPlanner(cfg.planner as "poplin_a" | "poplin_p", this.wm, search) : mppiPlanner(actionDim, search);
    this.model = new LatentPlanningModel(this.wm, { discount: cfg.discount, terminalValue: cfg.terminal_value, piStd: cfg.min_std });
    this.stdSchedule = parseSchedule(cfg.std_schedule);
    this.horizonSchedule = parseSchedule(cfg.horizon_schedule);
  }

  reset(): void {
    this.planner.reset();
  }

  /** Train on onnxruntime ("onnx", or "auto" where the config allows) or tfjs; see agents/engine.ts. */
  async useEngine(choice: EngineChoice, seed: number, threads = 1): Promise<{ kind: "tfjs" | "onnx"; why?: string }> {
    const e = engineFor(this, choice);
    if (e.kind === "onnx" && !this.updater) {
      const updater = (this.updater = await OnnxUpdater.create(this, seed, threads));
      this.model.rollout = (H) => updater.rollout(H); // plan on onnxruntime too, from the same weights
    }
    return e;
  }

  /** Planning horizon at the current step: int(min(horizon, schedule(step))). */
  get planHorizon(): number {
    return Math.max(1, Math.floor(Math.min(this.cfg.horizon, this.horizonSchedule(this.step))));
  }

  async act(obs: Float32Array, ctx: ActContext): Promise<Float32Array> {
    if (ctx.explore && this.step < this.cfg.seed_steps) return Float32Array.from({ length: this.actionDim }, () => this.rng.uniform(-1, 1));
    this.updater?.sync();
    this.model.setStart(obs);
    if (!this.cfg.plan) return this.policyAction(ctx.explore);
    const plan = await this.planner.plan(this.model, { horizon: this.planHorizon, minStd: this.stdSchedule(this.step), explore: ctx.explore });
    return plan.action;
  }

  /** π(h(o)) alone, with the policy noise while training (chapter 5: "policy alone"). */
  private policyAction(explore: boolean): Float32Array {
    const a = tf.tidy(() => this.wm.pi.sample(tf.tensor2d(this.model.start, [1, this.wm.latentDim]), { std: explore ? this.cfg.min_std : 0 }).action);
    const out = a.dataSync() as Float32Array;
    a.dispose();
    return Float32Array.from(out);
  }

  update(batch: SequenceBatch): UpdateInfo | Promise<UpdateInfo> {
    if (this.updater) {
      this.updates++;
      return this.updater.update(batch); // the same update as below, as one onnxruntime graph (src/nn/onnx/tdmpc.ts)
    }
    const c = this.cfg;
    const { horizon: H, batchSize: B } = batch;
    const O = this.obsDim;
    const A = this.actionDim;
    const wm = this.wm;
    const [obs0, next] = this.observations(batch); // h's inputs: o_0 [B, …] and o_1 … o_H [H·B, …]
    const act = tf.tensor2d(batch.action, [H * B, A]); // rows t-major: row t·B + b
    const rew = tf.tensor2d(batch.reward, [H * B, 1]);
    const weights = tf.tensor2d(batch.weight, [B, 1]);
    const rows = (x: tf.Tensor2D, t: number) => tf.slice(x, [t * B, 0], [B, -1]) as tf.Tensor2D;
    const perStep = (x: tf.Tensor2D) => tf.reshape(x, [H, B]); // [H·B, 1] → [H, B]
    const rho = tf.tensor2d(Float32Array.from({ length: H }, (_, t) => c.rho ** t), [H, 1]);

    // Targets, no gradient, all H steps in one batch: z'_t from the target encoder; TD = r_t + γ min Q_target(z', π(z')) with z' = h(o') online
    const [zTarget, td] = tf.tidy(() => {
      const zNext = wm.latent.encode(next);
      const aNext = wm.pi.sample(zNext, { std: c.min_std }).action;
      return [wm.latent.encode(next, wm.target), tf.add(rew, tf.mul(c.discount, wm.q.value(zNext, aNext, "min", { from: wm.target })))];
    });
    const detachHeads = c.latent_mode === "independent";
    const model = trainStep(this.optim, () => {
      // latent rollout z_{t+1} = d(z_t, a_t) from z_0 = h(o_0); then the heads on all H latents at once
      let z = wm.latent.encode(obs0);
      const zs: tf.Tensor2D[] = [z];
      for (let t = 0; t < H; t++) zs.push((z = wm.latent.next(z, rows(act, t))));
      const zIn = tf.concat(zs.slice(0, H), 0) as tf.Tensor2D;
      const zHead = detachHeads ? stopGradient(zIn) : zIn;
      const q = wm.q.values(zHead, act); // [2, H·B, 1]
      // per-sample losses Σ_t ρ^t ℓ_t, each [B, 1] (TD-MPC Eq. 6)
      const weigh = (perRow: tf.Tensor2D) => tf.reshape(tf.sum(tf.mul(perStep(perRow), rho), 0), [B, 1]);
      const cons = weigh(consistencyLoss(tf.concat(zs.slice(1), 0) as tf.Tensor2D, zTarget));
      const rLoss = weigh(wm.latent.rewardLoss(zHead, act, rew));
      const vLoss = weigh(tf.sum(tf.square(tf.sub(q, td)), 0) as tf.Tensor2D);
      const recon = c.reconstruction_coef > 0 ? weigh(tf.mean(tf.squaredDifference(wm.latent.decode(zIn), tf.concat([obs0, tf.slice(next, [0, 0], [(H - 1) * B, O])], 0)), 1, true) as tf.Tensor2D) : tf.zeros([B, 1]);
      const clamp = (x: tf.Tensor) => tf.minimum(x, 1e4);
      const perSample = tf.addN([
        tf.mul(c.consistency_coef, clamp(cons)),
        tf.mul(c.reward_coef, clamp(rLoss)),
        tf.mul(c.value_coef, clamp(vLoss)),
        tf.mul(c.reconstruction_coef, recon),
      ]);
      // the official code scales the gradient by 1/H (a hook on the loss): same as dividing the loss
      const loss = tf.div(tf.mean(tf.mul(perSample, weights)), H) as tf.Scalar;
      // new priorities Σ_t ρ^t (|Q1 − td| + |Q2 − td|), clamped at 1e4, + 1e-6 (no gradient flows out of `keep`)
      const priority = tf.add(tf.minimum(weigh(tf.sum(tf.abs(tf.sub(q, td)), 0) as tf.Tensor2D), 1e4), 1e-6);
      return {
        loss,
        extras: { consistency: tf.mean(cons) as tf.Scalar, reward: tf.mean(rLoss) as tf.Scalar, value: tf.mean(vLoss) as tf.Scalar, reconstruction: tf.mean(recon) as tf.Scalar },
        keep: [priority, tf.concat(zs, 0)],
      };
    });
    const [priority, zsAll] = model.kept as [tf.Tensor2D, tf.Tensor2D];
    const priorities = Float32Array.from(priority.dataSync());
    const pi = policyLoss(this, zsAll, batch);
    this.updates++;
    if (this.updates % c.update_freq === 0) polyak(wm.target, wm.params, c.tau);
    tf.dispose([obs0, next, act, rew, weights, rho, zTarget, td, zsAll, priority]);
    const x = model.extras;
    return { consistency: x.consistency!, reward: x.reward!, value: x.value!, reconstruction: x.reconstruction!, total: model.loss, gradNorm: model.gradNorm, piLoss: pi, priorities };
  }

  /**
   * The batch's observations as the encoder's inputs: o_0 [B, O] and o_1 … o_H [H·B, O] (t-major); pixels: each
   * stack randomly shifted (pad int(img_size/21), as the official `self.aug` on obs and on every next_obses[t]) and
   * turned into NHWC float frames of raw 0–255 values.
   */
  private observations(batch: SequenceBatch): [tf.Tensor, tf.Tensor] {
    const { horizon: H, batchSize: B, obs } = batch;
    const O = this.obsDim;
    if (this.cfg.modality !== "pixels") {
      const all = tf.tensor2d(obs, [(H + 1) * B, O], "float32");
      const split = tf.split(all, [B, H * B], 0);
      all.dispose();
      return [split[0]!, split[1]!];
    }
    if (!(obs instanceof Uint8Array)) throw new Error("TD-MPC from pixels: the batch's observations must be uint8 frame stacks (a pixel replay store)");
    const { img_size: S, frame_stack: k } = this.cfg;
    const C = 3 * k;
    const shifted = randomShift(obs, (H + 1) * B, C, S, Math.floor(S / 21), this.rng).out;
    return [pixelBatch(shifted.subarray(0, B * O), B, C, S), pixelBatch(shifted.subarray(B * O), H * B, C, S)];
  }

  dispose(): void {
    void this.updater?.dispose();
    this.model.dispose();
    this.optim.dispose();
    this.piOptim.dispose();
    this.wm.dispose();
  }
}
