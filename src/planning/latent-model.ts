/**
 * A learned world model as the planner's model (chapters 4–7): the start state is the encoded observation
 * z_0 = h(o), a sequence's return is the latent rollout's Σ γ^t R(z_t, a_t), plus γ^H·Q(z_H, π(z_H)) when the terminal
 * value is on (chapter 5: value beyond the horizon), and the policy prior proposes sequences (TD-MPC's `num_pi_trajs`).
 */
import { tf } from "../nn/backend.js";
import type { WorldModel } from "../models/world-model.js";
import type { PlanningModel } from "./types.js";

export interface LatentPlanningOptions {
  discount: number;
  /** Add γ^H·Q(z_H, a_H), a_H ~ π(z_H), to each return. */
  terminalValue: boolean;
  /** TD-MPC's policy noise std for the terminal action and the policy sequences (its `min_std`, 0.05); TD-MPC2 samples its own. */
  piStd?: number;
}

export class LatentPlanningModel implements PlanningModel {
  readonly actionDim: number;
  private z0: tf.Tensor2D | undefined;

  constructor(
    readonly wm: WorldModel,
    readonly opts: LatentPlanningOptions,
  ) {
    this.actionDim = wm.actionDim;
    if (!(opts.discount > 0 && opts.discount <= 1)) throw new RangeError(`discount must be in (0, 1], got ${opts.discount}`);
  }

  /** Plan from this observation: z_0 = h(o). */
  setStart(obs: Float32Array): this {
    if (obs.length !== this.wm.obsDim) throw new RangeError(`setStart: observation has ${obs.length} values, the model expects ${this.wm.obsDim}`);
    this.z0?.dispose();
    this.z0 = tf.tidy(() => this.wm.latent.encode(tf.tensor2d(obs, [1, obs.length])));
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
    const G = tf.tidy(() =>
      this.wm.rolloutValue(z0, tf.tensor3d(actions, [n, horizon, A]), { discount: this.opts.discount, terminal: this.opts.terminalValue, piStd: this.opts.piStd }),
    );
    const out = (await G.data()) as Float32Array;
    G.dispose();
    return out;
  }

  async policySequences(n: number, horizon: number): Promise<Float32Array> {
    const z0 = this.startTensor();
    const seqs = tf.tidy(() => this.wm.policySequences(z0, n, horizon, this.opts.piStd));
    const out = (await seqs.data()) as Float32Array;
    seqs.dispose();
    return out;
  }

  dispose(): void {
    this.z0?.dispose();
    this.z0 = undefined;
  }

  private startTensor(): tf.Tensor2D {
    if (!this.z0) throw new Error("LatentPlanningModel: call setStart(obs) before planning");
    return this.z0;
  }
}
