/**
 * A learned world model as the planner's model (chapters 4–7): the start state is the encoded observation
 * z_0 = h(o), a sequence's return is the latent rollout's Σ γ^t R(z_t, a_t), plus γ^H·Q(z_H, π(z_H)) when the terminal
 * value is on (chapter 5: value beyond the horizon), and the policy prior proposes sequences (TD-MPC's `num_pi_trajs`).
 */
import { tf } from "../nn/backend.js";
import type { TaskInput, WorldModel } from "../models/world-model.js";
import type { PlanningModel } from "./types.js";

export interface LatentPlanningOptions {
  discount: number;
  /** Add γ^H·Q(z_H, a_H), a_H ~ π(z_H), to each return. */
  terminalValue: boolean;
  /** TD-MPC's policy noise std for the terminal action and the policy sequences (its `min_std`, 0.05); TD-MPC2 samples its own. */
  piStd?: number;
}

/**
 * A faster evaluator of the same return on another engine (onnxruntime): actions [H, N, A] time-major, ε [N, A],
 * `task` the task's index (multi-task models).
 */
export interface RolloutValueEngine {
  value(z0: Float32Array, actions: Float32Array, n: number, heads: [number, number], eps?: Float32Array, task?: number): Promise<Float32Array>;
}

export class LatentPlanningModel implements PlanningModel {
  /**
   * Evaluate returns on this engine instead of tfjs (one per horizon; models with a terminal value): the start latent
   * and the policy's proposals still come from tfjs.
   */
  rollout?: (horizon: number) => RolloutValueEngine;
  /** The planned actions' size: the model's, or the current task's (multi-task models pad the rest with zeros). */
  actionDim: number;
  private z0: tf.Tensor2D | undefined;
  private task: (TaskInput & { index: number }) | undefined;

  constructor(
    readonly wm: WorldModel,
    readonly opts: LatentPlanningOptions,
  ) {
    this.actionDim = wm.actionDim;
    if (!(opts.discount > 0 && opts.discount <= 1)) throw new RangeError(`discount must be in (0, 1], got ${opts.discount}`);
  }

  /**
   * Multi-task models: plan for task `index`, whose actions have `actionDim` ≤ the model's dimensions (the rest are
   * zero, as the official action masks make them); its observations may be shorter than the model's (zero-padded).
   */
  setTask(index: number, actionDim: number): this {
    const A = this.wm.actionDim;
    if (!Number.isInteger(actionDim) || actionDim < 1 || actionDim > A) throw new RangeError(`setTask: actionDim must be in [1, ${A}], got ${actionDim}`);
    const embedding = this.wm.taskEmbedding([index]);
    if (!embedding) throw new Error("setTask: this world model has no task embedding (task_dim 0)");
    if (this.task) tf.dispose([this.task.embedding, this.task.mask]);
    this.task = { index, embedding, mask: tf.tensor2d(Float32Array.from({ length: A }, (_, j) => (j < actionDim ? 1 : 0)), [1, A]) };
    this.actionDim = actionDim;
    return this;
  }

  /** Plan from this observation: z_0 = h(o) (zero-padded to the model's observation size), with the task's current embedding. */
  setStart(obs: ArrayLike<number>): this {
    const O = this.wm.obsDim;
    if (obs.length > O || (!this.task && obs.length !== O)) throw new RangeError(`setStart: observation has ${obs.length} values, the model expects ${O}`);
    const padded = new Float32Array(O);
    padded.set(obs);
    if (this.task) {
      // the embedding learns between plans: read it as it is now (the official `task_emb` looks it up at every call)
      this.task.embedding.dispose();
      this.task.embedding = this.wm.taskEmbedding([this.task.index])!;
    }
    this.z0?.dispose();
    this.z0 = tf.tidy(() => this.wm.latent.encode(tf.tensor2d(padded, [1, O]), undefined, this.task?.embedding));
    return this;
  }

  /** The start latent (after `setStart`). */
  get start(): Float32Array {
    return this.startTensor().dataSync() as Float32Array;
  }

  async evaluate(actions: Float32Array, n: number, horizon: number): Promise<Float32Array> {
    const z0 = this.startTensor();
    const A = this.actionDim;
    if (actions.length !== n * horizon * A) throw new RangeError(`actions has length ${actions.length}, expected n × horizon × actionDim = ${n * horizon * A}`);
    const full = this.pad(actions, n * horizon);
    if (this.rollout && this.opts.terminalValue) return this.evaluateOn(this.rollout(horizon), z0, full, n, horizon);
    const G = tf.tidy(() =>
      this.wm.rolloutValue(z0, tf.tensor3d(full, [n, horizon, this.wm.actionDim]), { discount: this.opts.discount, terminal: this.opts.terminalValue, piStd: this.opts.piStd, task: this.task }),
    );
    const out = (await G.data()) as Float32Array;
    G.dispose();
    return out;
  }

  async policySequences(n: number, horizon: number): Promise<Float32Array> {
    const z0 = this.startTensor();
    const seqs = tf.tidy(() => this.wm.policySequences(z0, n, horizon, this.opts.piStd, this.task));
    const out = (await seqs.data()) as Float32Array;
    seqs.dispose();
    return this.unpad(out, n * horizon);
  }

  private async evaluateOn(engine: RolloutValueEngine, z0: tf.Tensor2D, actions: Float32Array, n: number, H: number): Promise<Float32Array> {
    const A = this.wm.actionDim;
    const hna = new Float32Array(actions.length); // [N, H, A] → [H, N, A]
    for (let i = 0; i < n; i++) for (let t = 0; t < H; t++) hna.set(actions.subarray((i * H + t) * A, (i * H + t + 1) * A), (t * n + i) * A);
    const heads = this.wm.q.twoHeads();
    const eps = this.wm.rng.fillNormal(new Float32Array(n * A));
    return engine.value(z0.dataSync() as Float32Array, hna, n, [heads[0]!, heads[1] ?? heads[0]!], eps, this.task?.index);
  }

  /** Actions of the task's size → the model's (zeros in the dimensions the task lacks). */
  private pad(actions: Float32Array, rows: number): Float32Array {
    const [a, A] = [this.actionDim, this.wm.actionDim];
    if (a === A) return actions;
    const out = new Float32Array(rows * A);
    for (let r = 0; r < rows; r++) out.set(actions.subarray(r * a, (r + 1) * a), r * A);
    return out;
  }

  private unpad(actions: Float32Array, rows: number): Float32Array {
    const [a, A] = [this.actionDim, this.wm.actionDim];
    if (a === A) return actions;
    const out = new Float32Array(rows * a);
    for (let r = 0; r < rows; r++) out.set(actions.subarray(r * A, r * A + a), r * a);
    return out;
  }

  dispose(): void {
    this.z0?.dispose();
    this.z0 = undefined;
    if (this.task) tf.dispose([this.task.embedding, this.task.mask]);
    this.task = undefined;
  }

  /** The start latent z_0 as a tensor [1, L], owned by this model (POPLIN's search spaces roll out from it). */
  startTensor(): tf.Tensor2D {
    if (!this.z0) throw new Error("LatentPlanningModel: call setStart(obs) before planning");
    return this.z0;
  }
}
