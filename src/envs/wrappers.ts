/**
 * Action repeat (TD-MPC, following PlaNet/DrQ): the agent picks an action every k control steps and the env holds
 * it for k steps, summing the rewards. An episode of 1000 control steps becomes ceil(1000 / k) agent steps, and a
 * return is still a sum over the 1000 underlying rewards (so returns stay comparable across k, in [0, 1000]).
 */
import type { BoxSpace, Env, EnvState, ResetResult, StepResult } from "./env.js";
import type { Physics } from "./physics.js";
import type { TaskDefinition } from "./task.js";
import { positiveInt } from "../util/validate.js";

export class ActionRepeat implements Env {
  readonly inner: Env;
  readonly actionRepeat: number;
  readonly maxEpisodeSteps: number;

  constructor(inner: Env, k: number) {
    positiveInt("actionRepeat", k);
    this.inner = inner;
    this.actionRepeat = k * inner.actionRepeat;
    this.maxEpisodeSteps = Math.ceil(inner.maxEpisodeSteps / k);
  }

  get task(): TaskDefinition {
    return this.inner.task;
  }
  get observationSpace(): BoxSpace {
    return this.inner.observationSpace;
  }
  get actionSpace(): BoxSpace {
    return this.inner.actionSpace;
  }
  get physics(): Physics {
    return this.inner.physics;
  }
  get closed(): boolean {
    return this.inner.closed;
  }

  reset(seed?: number): ResetResult {
    return this.inner.reset(seed);
  }

  /** Hold `action` for k inner steps (fewer if the episode ends first); reward = their sum. */
  step(action: ArrayLike<number>): StepResult {
    const k = this.actionRepeat / this.inner.actionRepeat;
    let reward = 0;
    let r: StepResult | undefined;
    for (let i = 0; i < k; i++) {
      r = this.inner.step(action);
      reward += r.reward;
      if (r.terminated || r.truncated) break;
    }
    return { ...r!, reward };
  }

  observe(): Float32Array {
    return this.inner.observe();
  }
  getState(): EnvState {
    return this.inner.getState();
  }
  setState(s: EnvState): void {
    this.inner.setState(s);
  }
  close(): void {
    this.inner.close();
  }
}
