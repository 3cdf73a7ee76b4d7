/**
 * The true simulator as the planner's model (chapter 2: MPC with a perfect model). A batch of MuJoCo copies
 * (VecEnv: N MjData on one MjModel) is put in the real env's state, and each copy plays one candidate sequence.
 * Returns are exact (up to the horizon): what a learned model can at best approximate. A candidate whose
 * simulation diverges (NaN or huge state, which MuJoCo silently resets) returns −Infinity instead of the reward
 * of the reset state, so it ranks last (vec.ts `rollout`).
 */
import type { EnvState } from "../envs/env.js";
import type { VecEnv } from "../envs/vec.js";
import type { PlanningModel } from "./types.js";

export class SimulatorModel implements PlanningModel {
  readonly actionDim: number;
  private start: EnvState | undefined;
  /** Physics steps simulated so far (each agent step = actionRepeat × physics steps per control step). */
  physicsSteps = 0;

  /**
   * @param vec     the batch of simulators; `vec.num` sequences are rolled out per chunk.
   * @param discount γ in Σ_t γ^t r_t (the planners of chapter 2 use 1).
   */
  constructor(
    readonly vec: VecEnv,
    readonly discount = 1,
  ) {
    this.actionDim = vec.actionSpace.shape[0]!;
  }

  /** Plan from this state (the real env's `getState()`). */
  setStart(state: EnvState): this {
    this.start = state;
    return this;
  }

  evaluate(actions: Float32Array, n: number, horizon: number): Float32Array {
    if (!this.start) throw new Error("SimulatorModel: call setStart(env.getState()) before planning");
    const D = horizon * this.actionDim;
    if (actions.length !== n * D) throw new RangeError(`actions has length ${actions.length}, expected n × horizon × actionDim = ${n * D}`);
    const out = new Float32Array(n);
    const B = this.vec.num;
    const chunk = new Float32Array(B * D);
    for (let i0 = 0; i0 < n; i0 += B) {
      const m = Math.min(B, n - i0);
      chunk.fill(0);
      chunk.set(actions.subarray(i0 * D, (i0 + m) * D));
      const r = this.vec.rollout(this.start, chunk, horizon, this.discount);
      for (let i = 0; i < m; i++) out[i0 + i] = r[i]!;
      this.physicsSteps += B * horizon * this.vec.actionRepeat * this.vec.task.physicsStepsPerControlStep;
    }
    return out;
  }
}
