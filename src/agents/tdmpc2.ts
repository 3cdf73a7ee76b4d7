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
 *   multi-task  (TD-MPC2 §3.5) one model for several tasks: a learned task embedding joins every network's input,
 *           observations are zero-padded to the largest task's and actions masked to each task's dimensions; one
 *           planner per task; batches mix the tasks' episodes.
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
import { engineFor, OnnxUpdater, type EngineChoice } from "./engine.js";
import { policyLoss } from "./policy-learners.js";
import type { LearningAgent, UpdateInfo } from "./types.js";

/** Multi-task: each task's observation and action sizes (the model takes the largest of each). */
export interface TaskDims {
  obsDims: number[];
  actionDims: number[];
}

export class Tdmpc2Agent implements LearningAgent {
  readonly name = "TD-MPC2";
  readonly wm: WorldModel;
  /** One planner per task (a task's actions have its own size). */
  readonly planners: SamplingPlanner[];
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
    readonly tasks: TaskDims = { obsDims: [obsDim], actionDims: [actionDim] },
  ) {
    this.rng = new Rng(seed);
    if (tasks.obsDims.length !== cfg.num_tasks || tasks.actionDims.length !== cfg.num_tasks) {
      throw new RangeError(`TD-MPC2: num_tasks is ${cfg.num_tasks} but ${tasks.obsDims.length} tasks' sizes were given`);
    }
    if (Math.max(...tasks.obsDims) !== obsDim || Math.max(...tasks.actionDims) !== actionDim) throw new RangeError("TD-MPC2: obsDim and actionDim must be the largest task's");
    this.wm = new WorldModel(cfg, obsDim, actionDim, seed);
    const modules = ["encoder/", "dynamics/", "reward/", "q/", ...(cfg.decoder ? ["decoder/"] : []), ...(cfg.task_dim > 0 ? ["task_emb/"] : [])];
    this.optim = new Adam(this.wm.params, { lr: cfg.lr, clipNorm: cfg.grad_clip_norm, lrScale: { "encoder/": cfg.enc_lr_scale } }, modules);
    this.piOptim = new Adam(this.wm.params, { lr: cfg.lr, eps: 1e-5, clipNorm: cfg.grad_clip_norm }, ["pi/"]);
    this.scale = new RunningScale(cfg.tau);
    this.planners = tasks.actionDims.map((A) => mppiPlanner(A, {
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
    }));
    this.model = new LatentPlanningModel(this.wm, { discount: cfg.discount, terminalValue: cfg.terminal_value });
    if (cfg.num_tasks > 1) this.setTask(0);
  }

  /** The task being acted in (multi-task). */
  taskIndex = 0;
  /** Set when the update runs on onnxruntime (`useEngine`). */
  updater?: OnnxUpdater;

  /** Train on onnxruntime ("onnx", or "auto" where the config allows) or tfjs; see agents/engine.ts. */
  async useEngine(choice: EngineChoice, seed: number, threads = 1): Promise<{ kind: "tfjs" | "onnx"; why?: string }> {
    const e = engineFor(this, choice);
    if (e.kind === "onnx" && !this.updater) {
      const updater = (this.updater = await OnnxUpdater.create(this, seed, threads));
      this.model.rollout = (H) => updater.rollout(H);
    }
    return e;
  }

  get planner(): SamplingPlanner {
    return this.planners[this.taskIndex]!;
  }

  /** Act in task `i` from now on (multi-task agents). */
  setTask(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.cfg.num_tasks) throw new RangeError(`setTask: task index ${i} out of range 0…${this.cfg.num_tasks - 1}`);
    this.taskIndex = i;
    if (this.cfg.num_tasks > 1) this.model.setTask(i, this.tasks.actionDims[i]!);
  }

  /** Task embeddings and action masks of a batch's rows (multi-task), undefined for a single task. */
  private taskRows(ids: Int32Array): { embedding: tf.Tensor2D; mask: tf.Tensor2D } | undefined {
    if (this.cfg.num_tasks === 1) return undefined;
    const A = this.actionDim;
    const mask = new Float32Array(ids.length * A);
    ids.forEach((t, b) => mask.fill(1, b * A, b * A + this.tasks.actionDims[t]!));
    return { embedding: this.wm.taskEmbedding(ids)!, mask: tf.tensor2d(mask, [ids.length, A]) };
  }

  reset(): void {
    this.planner.reset();
  }

  async act(obs: Float32Array, ctx: ActContext): Promise<Float32Array> {
    const A = this.tasks.actionDims[this.taskIndex]!;
    if (ctx.explore && this.step < this.cfg.seed_steps) return Float32Array.from({ length: A }, () => this.rng.uniform(-1, 1));
    this.updater?.sync();
    this.model.setStart(obs);
    if (this.cfg.plan) return (await this.planner.plan(this.model, { explore: ctx.explore })).action;
    const a = tf.tidy(() => {
      const task = this.taskRows(Int32Array.of(this.taskIndex));
      const s = this.wm.pi.sample(tf.tensor2d(this.model.start, [1, this.wm.latentDim]), { task: task?.embedding, mask: task?.mask });
      return ctx.explore ? s.action : s.mu;
    });
    const out = Float32Array.from(a.dataSync()).slice(0, A);
    a.dispose();
    return out;
  }

  update(batch: SequenceBatch): UpdateInfo | Promise<UpdateInfo> {
    if (this.updater) {
      this.updates++;
      return this.updater.update(batch); // the same update as below, as one onnxruntime graph (src/nn/onnx/tdmpc2.ts)
    }
    const c = this.cfg;
    const { horizon: H, batchSize: B } = batch;
    const [O, A, L, E] = [this.obsDim, this.actionDim, this.wm.latentDim, c.num_q];
    const wm = this.wm;
    const obs = tf.tensor3d(batch.obs, [H + 1, B, O]);
    const act = tf.tensor2d(batch.action, [H * B, A]);
    const rew = tf.tensor2d(batch.reward, [H * B, 1]);
    const rhoRows = (n: number) => tf.tensor2d(Float32Array.from({ length: n * B }, (_, i) => c.rho ** Math.floor(i / B)), [n * B, 1]);
    const rhoW = rhoRows(H);

    // multi-task rows: the batch's task embeddings (learnt: computed again inside the differentiated step) and masks
    const tiled = (x: tf.Tensor2D | undefined, n: number) => x && (tf.tile(x, [n, 1]) as tf.Tensor2D);
    const rowsFixed = this.taskRows(batch.task);
    // Targets, no gradient: z'_t = h(o_{t+1}); TD = r_t + γ · min of two random target heads at (z', a' ~ π(z'))
    const [nextZ, td] = tf.tidy(() => {
      const e = tiled(rowsFixed?.embedding, H);
      const nz = wm.latent.encode(tf.reshape(tf.slice(obs, [1, 0, 0], [H, B, O]), [H * B, O]) as tf.Tensor2D, undefined, e);
      const q = wm.q.value(nz, wm.pi.sample(nz, { task: e, mask: tiled(rowsFixed?.mask, H) }).action, "min", { from: wm.target, task: e });
      return [nz, tf.add(rew, tf.mul(c.discount, q))];
    });
    const detachHeads = c.latent_mode === "independent";
    const model = trainStep(this.optim, () => {
      const e = this.cfg.num_tasks > 1 ? wm.taskEmbedding(batch.task) : undefined;
      const eH = tiled(e, H);
      let z = wm.latent.encode(tf.reshape(tf.slice(obs, [0, 0, 0], [1, B, O]), [B, O]) as tf.Tensor2D, undefined, e);
      const zs: tf.Tensor2D[] = [z];
      let cons: tf.Tensor = tf.scalar(0);
      for (let t = 0; t < H; t++) {
        z = wm.latent.next(z, tf.slice(act, [t * B, 0], [B, A]), e);
        cons = tf.add(cons, tf.mul(c.rho ** t, tf.mean(consistencyLoss(z, tf.slice(nextZ, [t * B, 0], [B, L])))));
        zs.push(z);
      }
      const zIn = tf.concat(zs.slice(0, H), 0) as tf.Tensor2D; // [H·B, L], t-major
      const zHead = detachHeads ? stopGradient(zIn) : zIn;
      const rewardLoss = tf.div(tf.sum(tf.mul(wm.latent.rewardLoss(zHead, act, rew, eH), rhoW)), B * H);
      const valueLoss = tf.div(tf.sum(tf.mul(wm.q.loss(zHead, act, td, { training: true, task: eH }), tf.tile(rhoW, [E, 1]))), B * H * E);
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
    const pi = policyLoss(this, zsAll, batch, rowsFixed);
    polyak(wm.target, wm.params, c.tau);
    this.updates++;
    tf.dispose([obs, act, rew, rhoW, nextZ, td, zsAll, ...(rowsFixed ? [rowsFixed.embedding, rowsFixed.mask] : [])]);
    const x = model.extras;
    return { consistency: x.consistency!, reward: x.reward!, value: x.value!, reconstruction: x.reconstruction!, total: model.loss, gradNorm: model.gradNorm, piLoss: pi };
  }

  extraState(): Record<string, unknown> {
    return { scale: this.updater?.piScale ?? this.scale.value, taskIndex: this.taskIndex, planners: this.planners.map((p) => p.getState()) };
  }

  loadExtraState(s: Record<string, unknown>): void {
    if (typeof s.scale !== "number" || !(s.scale >= 1)) throw new Error(`TD-MPC2 state: running scale must be a number ≥ 1, got ${String(s.scale)}`);
    this.scale.value = s.scale;
    const planners = s.planners as ReturnType<SamplingPlanner["getState"]>[] | undefined;
    if (planners && planners.length !== this.planners.length) throw new Error(`TD-MPC2 state: ${planners.length} planners for ${this.planners.length} tasks`);
    planners?.forEach((p, i) => this.planners[i]!.setState(p));
    this.setTask(typeof s.taskIndex === "number" ? s.taskIndex : 0);
  }

  dispose(): void {
    void this.updater?.dispose();
    this.model.dispose();
    this.optim.dispose();
    this.piOptim.dispose();
    this.wm.dispose();
  }
}
