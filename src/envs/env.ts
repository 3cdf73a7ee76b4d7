/**
 * Environments in Gymnasium's shape over a task (task.ts) and the MuJoCo simulator (physics.ts):
 *
 *   const env = await makeEnv("cartpole-swingup", { seed: 1 });
 *   let { obs } = env.reset();
 *   for (;;) { const r = env.step(action); if (r.terminated || r.truncated) break; }
 *   env.close();
 *
 * Semantics follow dm_control's `control.Environment`: an episode is `task.episodeLength` control steps (1000),
 * each control step is `physicsStepsPerControlStep` physics steps with the action held, actions are clipped to
 * the actuators' control range ([-1, 1] for every suite task), the suite never terminates early (`terminated` is
 * always false; the time limit gives `truncated`). TD-MPC's action repeat (wrappers.ts) is layered on top.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { projectRoot } from "../tooling/paths.js";
import { Rng } from "../util/random.js";
import { InvalidStateError, Physics, PhysicsDivergenceError, type Divergence, type PhysicsState } from "./physics.js";
import { intInRange } from "../util/validate.js";
import { observationSize, type MjcfSource, type TaskDefinition } from "./task.js";

export { InvalidStateError, PhysicsDivergenceError, type Divergence };

/** A box space: `shape` and element-wise bounds (Gymnasium's `Box`); uint8 for pixel observations. */
export interface BoxSpace {
  readonly shape: readonly number[];
  readonly low: Float32Array;
  readonly high: Float32Array;
  readonly dtype: "float32" | "uint8";
}

/** What an observation is: a state vector (Float32Array) or stacked frames (Uint8Array, src/envs/pixels.ts). */
export type Observation = Float32Array | Uint8Array;

export interface ResetResult<O extends Observation = Float32Array> {
  obs: O;
  info: StepInfo;
}

export interface StepResult<O extends Observation = Float32Array> {
  obs: O;
  reward: number;
  /** The task ended (never, in the suite). */
  terminated: boolean;
  /** The time limit was reached. */
  truncated: boolean;
  info: StepInfo;
}

export interface StepInfo {
  /** Control steps taken in this episode (of the underlying, un-repeated env). */
  step: number;
  /** Simulated time in seconds. */
  time: number;
  /** Set on the step where the simulation diverged (only with `onDivergence: "end"`; the default throws). */
  diverged?: Divergence;
  /** The state observation, when `obs` is something else (pixels). */
  state?: Float32Array;
}

/**
 * What a step does when the simulation diverges (NaN/huge state: MuJoCo resets it): "throw" a
 * PhysicsDivergenceError (default, like dm_control), or "end" the episode: `terminated: true`, reward 0 and
 * `info.diverged` saying what happened.
 */
export type OnDivergence = "throw" | "end";

/** Everything needed to resume an episode exactly: the simulator state and the step counter. */
export interface EnvState {
  physics: PhysicsState;
  step: number;
  /** The frame stack of a pixel env. */
  frames?: Uint8Array;
}

/** Check an EnvState's shape and step counter (0 … episode length, an integer); InvalidStateError names the problem. */
export function checkEnvState(s: EnvState, episodeLength: number): void {
  if (s === null || typeof s !== "object" || s.physics === undefined) throw new InvalidStateError(`an env state is {physics, step} (from getState()), got ${s === null || typeof s !== "object" ? String(s) : `an object without 'physics'`}`);
  try {
    intInRange("state.step", s.step, 0, episodeLength);
  } catch (e) {
    throw new InvalidStateError(`${(e as Error).message} (control steps into an episode of ${episodeLength})`);
  }
}

/** The Gymnasium-shaped interface every environment (and wrapper) implements. */
export interface Env<O extends Observation = Float32Array> {
  readonly task: TaskDefinition;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: BoxSpace;
  /** Steps per episode of this env (1000 / action repeat, rounded up, for a wrapped env). */
  readonly maxEpisodeSteps: number;
  /** Control steps of the underlying env per `step()` call. */
  readonly actionRepeat: number;
  /** The simulator (for replays, planners that read the state, and tests). */
  readonly physics: Physics;
  reset(seed?: number): ResetResult<O>;
  step(action: ArrayLike<number>): StepResult<O>;
  getState(): EnvState;
  setState(s: EnvState): void;
  /** The current observation (after reset/step/setState). */
  observe(): O;
  close(): void;
  readonly closed: boolean;
}

/** Read an MJCF source: a file path relative to the project root (or absolute), or an inline string. */
export function readMjcf(src: MjcfSource): string {
  if ("xml" in src) return src.xml;
  const path = isAbsolute(src.file) ? src.file : join(projectRoot(), src.file);
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`cannot read the MJCF file ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function boxSpace(low: ArrayLike<number>, high: ArrayLike<number>): BoxSpace {
  return { shape: [low.length], low: Float32Array.from(low), high: Float32Array.from(high), dtype: "float32" };
}

/**
 * Check an action and clip it into `out` (the control range). Wrong length or a non-finite entry → a RangeError
 * that says which.
 */
export function clipAction(action: ArrayLike<number>, space: BoxSpace, out: Float64Array): Float64Array {
  const n = space.shape[0]!;
  if (action == null || typeof action.length !== "number") throw new TypeError(`action must be an array of ${n} numbers, got ${String(action)}`);
  if (action.length !== n) throw new RangeError(`action has length ${action.length}, expected ${n}`);
  for (let i = 0; i < n; i++) {
    const a = action[i]!;
    if (typeof a !== "number" || !Number.isFinite(a)) throw new RangeError(`action[${i}] is ${String(a)}: actions must be finite numbers`);
    const lo = space.low[i]!;
    const hi = space.high[i]!;
    out[i] = a < lo ? lo : a > hi ? hi : a;
  }
  return out;
}

/** The environment of one task on one simulator (no action repeat). */
export class MujocoEnv implements Env {
  readonly task: TaskDefinition;
  readonly physics: Physics;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: BoxSpace;
  readonly maxEpisodeSteps: number;
  readonly actionRepeat = 1;
  private rng: Rng;
  private stepCount = 0;
  private needsReset = true;
  private readonly u: Float64Array;
  readonly onDivergence: OnDivergence;

  /** Use `createMujocoEnv` / `makeEnv` (loading the model is asynchronous). */
  constructor(task: TaskDefinition, physics: Physics, seed = 0, onDivergence: OnDivergence = "throw") {
    if (onDivergence !== "throw" && onDivergence !== "end") throw new RangeError(`onDivergence must be "throw" or "end", got ${String(onDivergence)}`);
    this.onDivergence = onDivergence;
    this.task = task;
    this.physics = physics;
    this.rng = new Rng(seed);
    this.maxEpisodeSteps = task.episodeLength;
    const ranges = physics.controlRanges();
    if (ranges.length === 0) throw new Error(`task '${task.name}': the model has no actuators`);
    this.actionSpace = boxSpace(
      ranges.map(([lo]) => lo),
      ranges.map(([, hi]) => hi),
    );
    const n = observationSize(task);
    this.observationSpace = boxSpace(new Array<number>(n).fill(-Infinity), new Array<number>(n).fill(Infinity));
    this.u = new Float64Array(ranges.length);
  }

  get closed(): boolean {
    return this.physics.deleted;
  }

  /** Start an episode. A seed re-seeds the env's generator (same seed → same episode); without one the stream continues. */
  reset(seed?: number): ResetResult {
    this.assertOpen();
    if (seed !== undefined) this.rng = new Rng(seed);
    this.physics.reset();
    this.task.initializeEpisode(this.physics, this.rng);
    this.physics.forward();
    this.stepCount = 0;
    this.needsReset = false;
    return { obs: this.observe(), info: this.info() };
  }

  step(action: ArrayLike<number>): StepResult {
    this.assertOpen();
    if (this.needsReset) throw new Error(`step() called ${this.stepCount === 0 ? "before reset()" : "after the episode ended"}: call reset() first`);
    const u = clipAction(action, this.actionSpace, this.u);
    if (this.task.beforeStep) this.task.beforeStep(this.physics, u);
    else this.physics.setControl(u);
    this.physics.step(this.task.physicsStepsPerControlStep);
    this.stepCount++;
    const diverged = this.physics.divergence();
    if (diverged) {
      this.needsReset = true;
      if (this.onDivergence === "throw") throw new PhysicsDivergenceError(this.task.name, diverged, this.stepCount);
      return { obs: this.observe(), reward: 0, terminated: true, truncated: false, info: { ...this.info(), diverged } };
    }
    const reward = this.task.reward(this.physics);
    const truncated = this.stepCount >= this.maxEpisodeSteps;
    if (truncated) this.needsReset = true;
    return { obs: this.observe(), reward, terminated: false, truncated, info: this.info() };
  }

  observe(): Float32Array {
    this.assertOpen();
    return this.task.observation(this.physics);
  }

  getState(): EnvState {
    this.assertOpen();
    return { physics: this.physics.getState(), step: this.stepCount };
  }

  setState(s: EnvState): void {
    this.assertOpen();
    checkEnvState(s, this.maxEpisodeSteps);
    this.physics.setState(s.physics);
    this.stepCount = s.step;
    this.needsReset = s.step >= this.maxEpisodeSteps;
  }

  /** The generator that draws initial states (exposed for checkpointing: `getState()`/`setState()`). */
  get random(): Rng {
    return this.rng;
  }

  close(): void {
    this.physics.delete();
  }

  private info(): StepInfo {
    return { step: this.stepCount, time: this.physics.time };
  }

  private assertOpen(): void {
    if (this.physics.deleted) throw new Error(`the '${this.task.name}' environment is closed`);
  }
}

/** Load a task's MJCF and make its environment (no action repeat; `makeEnv` adds the task's default). */
export async function createMujocoEnv(task: TaskDefinition, seed = 0, onDivergence: OnDivergence = "throw"): Promise<MujocoEnv> {
  const physics = await Physics.fromXml(readMjcf(task.mjcf));
  try {
    return new MujocoEnv(task, physics, seed, onDivergence);
  } catch (e) {
    physics.delete();
    throw e;
  }
}
