/**
 * A vectorised environment: N MjData objects on ONE MjModel, stepped in lock-step. Chapter 2's planners use it
 * to roll action sequences out on the true simulator ("the simulator as the model"): set every copy to the
 * current state, apply N candidate sequences, read N returns — see `rollout`.
 *
 * One model is shared, so anything that differs between copies must live in MjData (qpos, qvel, act, mocap):
 * the task rules in task.ts guarantee that.
 *
 * A copy whose simulation diverges (physics.ts `divergence()`: MuJoCo reset a NaN or huge state) is marked and no
 * longer stepped until the next reset/setState: `step` reports it in `diverged` with reward 0, and `rollout` gives
 * its sequence the return −Infinity, so a planner never picks it (planning/types.ts `checkReturns`).
 */
import { Rng } from "../util/random.js";
import { boxSpace, checkEnvState, clipAction, readMjcf, type BoxSpace, type EnvState } from "./env.js";
import { inRange, positiveInt } from "../util/validate.js";
import { loadModelFromXml, type MjModel } from "./mujoco.js";
import { Physics } from "./physics.js";
import "./tasks/index.js";
import { getTask, observationSize, type TaskDefinition } from "./task.js";

export interface VecStepResult {
  /** N × obsDim, row-major. */
  obs: Float32Array;
  /** N summed rewards (over the action repeat). */
  reward: Float64Array;
  /** The time limit was reached (all copies run in lock-step, so one flag). */
  truncated: boolean;
  /** 1 for each copy whose simulation has diverged since the last reset/setState (its reward is 0, its state void). */
  diverged: Uint8Array;
}

export class VecEnv {
  readonly task: TaskDefinition;
  readonly num: number;
  readonly actionRepeat: number;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: BoxSpace;
  readonly maxEpisodeSteps: number;
  /** One simulator per copy (they share the model). */
  readonly physics: Physics[];
  private readonly model: MjModel;
  private readonly ownsModel: boolean;
  private rng: Rng;
  private steps = 0;
  private freed = false;
  /** Copies that diverged since the last reset/setState (no longer stepped). */
  private readonly dead: Uint8Array;
  private readonly u: Float64Array;
  private readonly obsDim: number;
  private readonly actDim: number;

  /** `ownsModel`: whether `close()` also frees the model (false for copies forked from an env's simulator). */
  constructor(task: TaskDefinition, physics: Physics[], model: MjModel, actionRepeat: number, seed: number, ownsModel = true) {
    this.task = task;
    this.ownsModel = ownsModel;
    this.physics = physics;
    this.model = model;
    this.num = physics.length;
    this.actionRepeat = actionRepeat;
    this.rng = new Rng(seed);
    const ranges = physics[0]!.controlRanges();
    this.actionSpace = boxSpace(
      ranges.map(([lo]) => lo),
      ranges.map(([, hi]) => hi),
    );
    this.obsDim = observationSize(task);
    this.actDim = ranges.length;
    this.observationSpace = boxSpace(new Array<number>(this.obsDim).fill(-Infinity), new Array<number>(this.obsDim).fill(Infinity));
    this.maxEpisodeSteps = Math.ceil(task.episodeLength / actionRepeat);
    this.u = new Float64Array(this.actDim);
    this.dead = new Uint8Array(this.num);
  }

  /** Start N episodes; copy i draws its initial state from its own stream forked from the seed. */
  reset(seed?: number): { obs: Float32Array } {
    this.assertOpen();
    if (seed !== undefined) this.rng = new Rng(seed);
    for (const p of this.physics) {
      const r = this.rng.fork();
      p.reset();
      this.task.initializeEpisode(p, r);
      p.forward();
    }
    this.dead.fill(0);
    this.steps = 0;
    return { obs: this.observeAll() };
  }

  /** `actions`: N × actDim, row-major. Each copy holds its action for `actionRepeat` control steps. */
  step(actions: ArrayLike<number>): VecStepResult {
    this.assertOpen();
    const m = this.actDim;
    if (actions.length !== this.num * m) throw new RangeError(`actions has length ${actions.length}, expected num × actDim = ${this.num} × ${m} = ${this.num * m}`);
    const reward = new Float64Array(this.num);
    const k = Math.min(this.actionRepeat, this.task.episodeLength - this.steps);
    if (k <= 0) throw new Error("step() after the episode ended: call reset() or setState() first");
    for (let i = 0; i < this.num; i++) {
      if (this.dead[i]) continue;
      const row = ArrayBuffer.isView(actions) ? (actions as Float32Array).subarray(i * m, i * m + m) : (Array.prototype.slice.call(actions, i * m, i * m + m) as number[]);
      const u = clipAction(row, this.actionSpace, this.u);
      const p = this.physics[i]!;
      for (let r = 0; r < k; r++) {
        if (this.task.beforeStep) this.task.beforeStep(p, u);
        else p.setControl(u);
        p.step(this.task.physicsStepsPerControlStep);
        reward[i] += this.task.reward(p);
      }
      // once per agent step: MuJoCo's counters keep any divergence of the k control steps, and the reward of a
      // diverged copy is discarded anyway
      if (p.divergence()) {
        this.dead[i] = 1;
        reward[i] = 0;
      }
    }
    this.steps += k;
    return { obs: this.observeAll(), reward, truncated: this.steps >= this.task.episodeLength, diverged: this.dead.slice() };
  }

  /** Put every copy (or copy `i`) in state `s` (from `Env.getState()` or `getState`). */
  setState(s: EnvState, i?: number): void {
    this.assertOpen();
    checkEnvState(s, this.task.episodeLength);
    if (i !== undefined) {
      this.physics[i]!.setState(s.physics);
      this.dead[i] = 0;
    } else {
      for (const p of this.physics) p.setState(s.physics);
      this.dead.fill(0);
    }
    this.steps = s.step;
  }

  getState(i: number): EnvState {
    this.assertOpen();
    return { physics: this.physics[i]!.getState(), step: this.steps };
  }

  /**
   * Returns of N action sequences from one start state: sequence i is `actions[i·H·m … (i+1)·H·m)`, H agent steps
   * of m numbers. Σ_t γ^t r_t with r_t the (action-repeat summed) reward of agent step t; −Infinity for a sequence
   * whose simulation diverged (an invalid candidate). Copies are left at the end states.
   */
  rollout(start: EnvState, actions: ArrayLike<number>, horizon: number, discount = 1): Float64Array {
    positiveInt("horizon", horizon);
    inRange("discount", discount, 0, 1);
    const m = this.actDim;
    if (actions.length !== this.num * horizon * m) {
      throw new RangeError(`actions has length ${actions.length}, expected num × horizon × actDim = ${this.num} × ${horizon} × ${m}`);
    }
    this.setState(start);
    const returns = new Float64Array(this.num);
    const step = new Float64Array(this.num * m);
    let g = 1;
    for (let t = 0; t < horizon; t++) {
      if (this.steps >= this.task.episodeLength) break;
      for (let i = 0; i < this.num; i++) for (let j = 0; j < m; j++) step[i * m + j] = actions[(i * horizon + t) * m + j]!;
      const r = this.step(step);
      for (let i = 0; i < this.num; i++) returns[i] += g * r.reward[i]!;
      g *= discount;
    }
    for (let i = 0; i < this.num; i++) if (this.dead[i]) returns[i] = -Infinity;
    return returns;
  }

  observeAll(): Float32Array {
    const out = new Float32Array(this.num * this.obsDim);
    for (let i = 0; i < this.num; i++) out.set(this.task.observation(this.physics[i]!), i * this.obsDim);
    return out;
  }

  get closed(): boolean {
    return this.freed;
  }

  /** Free every data object, then the model (if this batch owns it). */
  close(): void {
    if (this.freed) return;
    this.freed = true;
    for (const p of this.physics) p.delete();
    if (this.ownsModel) this.model.delete();
  }

  private assertOpen(): void {
    if (this.freed) throw new Error(`the vectorised '${this.task.name}' environment is closed`);
  }
}

export interface MakeVecEnvOptions {
  seed?: number;
  actionRepeat?: number;
}

/** N copies of a registered task on one model. */
export async function makeVecEnv(name: string, num: number, opts: MakeVecEnvOptions = {}): Promise<VecEnv> {
  positiveInt("num", num);
  const task = getTask(name);
  const k = positiveInt("actionRepeat", opts.actionRepeat ?? task.actionRepeat);
  const loaded = await loadModelFromXml(readMjcf(task.mjcf));
  const physics: Physics[] = [new Physics(loaded.mj, loaded.model, loaded.data, false)];
  try {
    for (let i = 1; i < num; i++) physics.push(new Physics(loaded.mj, loaded.model, new loaded.mj.MjData(loaded.model), false));
  } catch (e) {
    for (const p of physics) p.delete();
    loaded.model.delete();
    throw new Error(`cannot allocate ${num} MjData objects for '${name}' (the wasm heap is 2 GB): ${e instanceof Error ? e.message : String(e)}`);
  }
  return new VecEnv(task, physics, loaded.model, k, opts.seed ?? 0);
}

/**
 * N copies of an open env's simulator (synchronous: no model to load), in its current state. They share the env's
 * model: close the batch before the env.
 */
export function forkVecEnv(env: { readonly task: TaskDefinition; readonly physics: Physics }, num: number, opts: MakeVecEnvOptions = {}): VecEnv {
  positiveInt("num", num);
  const k = positiveInt("actionRepeat", opts.actionRepeat ?? env.task.actionRepeat);
  const physics: Physics[] = [];
  for (let i = 0; i < num; i++) physics.push(env.physics.fork());
  return new VecEnv(env.task, physics, env.physics.model, k, opts.seed ?? 0, false);
}
