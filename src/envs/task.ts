/**
 * What a task is: the interface every DeepMind-Control-Suite-style task implements, the task registry, and
 * `tolerance`, the soft indicator all suite rewards are built from.
 *
 * A task = an MJCF model + how an episode starts + what the agent observes + the reward. The environment
 * (env.ts) does the rest: stepping, action clipping, episode length, action repeat, seeding.
 *
 * ─── How to write and register a task (e.g. src/envs/tasks/cheetah.ts) ────────────────────────────────────
 *
 *   import { defineTask, tolerance, type TaskDefinition } from "../task.js";
 *
 *   // facts from dm_control/suite/cheetah.py: _RUN_SPEED = 10, control timestep 0.01 = physics timestep 0.01
 *   export const cheetahRun: TaskDefinition = defineTask({
 *     name: "cheetah-run",
 *     domain: "cheetah",
 *     mjcf: { file: "data/mjcf/cheetah.xml" },   // relative to the project root, read at run time
 *     physicsStepsPerControlStep: 1,             // dm_control control timestep / MJCF <option timestep>
 *     actionRepeat: 4,                           // TD-MPC's cfgs/tasks: cartpole 8, walker 2, finger 2, everything else 4
 *     plane: "xz",                               // planar replay (omit for 3-D only)
 *     observationSpec: [["position", 8], ["velocity", 9]],   // dm_control's OrderedDict order, flattened
 *     randomReturn: [0, 30],                     // a uniform random policy's 1000-step return lies in here
 *     initializeEpisode(physics, rng) { ...set physics.qpos from rng...; },   // env calls reset() before, forward() after
 *     observation(physics) { return concat(physics.qpos.subarray(1), physics.qvel); },
 *     reward(physics) { return tolerance(physics.sensor("torso_subtreelinvel")[0]!, [10, Infinity], 10, "linear", 0); },
 *   });
 *   export const tasks = [cheetahRun];
 *
 * then add ONE line to src/envs/tasks/index.ts: `import { tasks as cheetah } from "./cheetah.js";` and list it in
 * `ALL_TASK_MODULES`. The registry (`makeEnv("cheetah-run")`, `tdmpc env list`, the env tests that iterate over
 * every registered task) picks it up from there.
 *
 * Rules that keep tasks faithful to the suite:
 *  - `initializeEpisode` may only draw randomness from the `rng` it is given (same seed → same episode).
 *  - `observation` returns a fresh Float32Array whose length is the sum of `observationSpec` sizes.
 *  - `reward` returns a number in [0, 1] (every suite reward does).
 *  - Things that differ between episodes must live in MjData (qpos, qvel, act, mocap bodies), never in the
 *    MjModel: vectorised environments share one model. (reacher's random target is a mocap body for that reason.)
 *  - MuJoCo's default arena is 13.6 MB per MjData; put `<size memory="2M"/>` (or what the model needs) in the MJCF
 *    so that batched rollouts (N data objects) fit in the 2 GB wasm heap.
 */
import type { Physics } from "./physics.js";
import type { Rng } from "../util/random.js";

/** Where a task's MJCF comes from: a file (path relative to the project root) or an inline XML string. */
export type MjcfSource = { file: string } | { xml: string };

export interface TaskDefinition {
  /** Registry name, `domain-task` as in dm_control: "cartpole-swingup". */
  readonly name: string;
  readonly domain: string;
  readonly mjcf: MjcfSource;
  /** Physics steps per control step: dm_control's control timestep divided by the MJCF timestep. */
  readonly physicsStepsPerControlStep: number;
  /** Episode length in control steps (the suite: 1000). */
  readonly episodeLength: number;
  /** TD-MPC's default action repeat for this task (cfgs/tasks/*.yaml: cartpole 8, walker 2, default 4). */
  readonly actionRepeat: number;
  /** Names and sizes of the observation parts, in dm_control's order; the observation is their concatenation. */
  readonly observationSpec: ReadonlyArray<readonly [name: string, size: number]>;
  /** Plane of motion for 2-D replays ("xz": side view, "xy": top view); undefined: no 2-D view. */
  readonly plane?: "xz" | "xy";
  /**
   * Range a uniform-random policy's undiscounted 1000-step return falls in (used by the tests): actions drawn
   * i.i.d. U[-1, 1] at every control step, no action repeat. Set from our own measurement (30 episodes, seed 7,
   * scratch run) with a margin; e.g. cartpole-balance: min 306, median 360, max 465.
   */
  readonly randomReturn: readonly [number, number];
  /** One-line description for `tdmpc env list`. */
  readonly description?: string;
  /** Set the initial state. The env has called `physics.reset()` before and calls `physics.forward()` after. */
  initializeEpisode(physics: Physics, rng: Rng): void;
  /** The flattened observation (Float32Array, length = sum of observationSpec sizes). */
  observation(physics: Physics): Float32Array;
  /** The reward after a control step, in [0, 1]. */
  reward(physics: Physics): number;
  /** Apply an action (already clipped to the control range) before stepping; default: `physics.setControl(action)`. */
  beforeStep?(physics: Physics, action: Float64Array): void;
}

/** Input of `defineTask`: `episodeLength` defaults to 1000. */
export type TaskInput = Omit<TaskDefinition, "episodeLength"> & { episodeLength?: number };

/** Validate a task's constants and fill defaults (fails at import time, naming the task and the field). */
export function defineTask(t: TaskInput): TaskDefinition {
  const bad = (msg: string): never => {
    throw new Error(`task '${t.name}': ${msg}`);
  };
  if (!/^[a-z_0-9]+-[a-z_0-9]+$/.test(t.name)) bad("name must look like 'domain-task' (lower case, e.g. 'cartpole-swingup')");
  if (!t.name.startsWith(t.domain + "-")) bad(`name must start with its domain '${t.domain}-'`);
  const posInt = (v: number, field: string) => {
    if (!Number.isInteger(v) || v < 1) bad(`${field} must be a positive integer, got ${v}`);
  };
  posInt(t.physicsStepsPerControlStep, "physicsStepsPerControlStep");
  posInt(t.actionRepeat, "actionRepeat");
  const episodeLength = t.episodeLength ?? 1000;
  posInt(episodeLength, "episodeLength");
  if (t.observationSpec.length === 0) bad("observationSpec is empty");
  for (const [n, s] of t.observationSpec) posInt(s, `observationSpec '${n}' size`);
  if (!(t.randomReturn[0] <= t.randomReturn[1])) bad("randomReturn must be [lo, hi] with lo ≤ hi");
  return { ...t, episodeLength };
}

/** Total observation size of a task. */
export function observationSize(t: TaskDefinition): number {
  return t.observationSpec.reduce((s, [, n]) => s + n, 0);
}

// ─── tolerance: dm_control.utils.rewards.tolerance ─────────────────────────────────────────────────────────

export type Sigmoid = "gaussian" | "hyperbolic" | "long_tail" | "reciprocal" | "cosine" | "linear" | "quadratic" | "tanh_squared";

export const SIGMOIDS: readonly Sigmoid[] = ["gaussian", "hyperbolic", "long_tail", "reciprocal", "cosine", "linear", "quadratic", "tanh_squared"];

/** dm_control's default value at the margin. */
export const DEFAULT_VALUE_AT_MARGIN = 0.1;

/**
 * A sigmoid-like bump s(d) with s(0) = 1 and s(1) = `valueAt1`, for a distance d ≥ 0 measured in margins.
 * Each kind is scaled so that it passes through (1, valueAt1):
 *   gaussian      exp(-½ (d·s)²),            s = √(−2 ln v)
 *   hyperbolic    1 / cosh(d·s),             s = arccosh(1/v)
 *   long_tail     1 / ((d·s)² + 1),          s = √(1/v − 1)
 *   reciprocal    1 / (|d|·s + 1),           s = 1/v − 1
 *   cosine        (1 + cos(π d·s))/2 if |d·s| < 1 else 0,   s = arccos(2v − 1)/π
 *   linear        1 − d·s if |d·s| < 1 else 0,              s = 1 − v
 *   quadratic     1 − (d·s)² if |d·s| < 1 else 0,           s = √(1 − v)
 *   tanh_squared  1 − tanh(d·s)²,            s = arctanh(√(1 − v))
 * cosine, linear and quadratic accept v = 0 (they reach 0 at the margin); the others need 0 < v < 1.
 */
export function sigmoid(d: number, valueAt1: number, kind: Sigmoid): number {
  if (kind === "cosine" || kind === "linear" || kind === "quadratic") {
    if (!(valueAt1 >= 0 && valueAt1 < 1)) throw new RangeError(`value_at_margin must be in [0, 1) for the ${kind} sigmoid, got ${valueAt1}`);
  } else if (!(valueAt1 > 0 && valueAt1 < 1)) {
    throw new RangeError(`value_at_margin must be strictly between 0 and 1 for the ${kind} sigmoid, got ${valueAt1}`);
  }
  switch (kind) {
    case "gaussian": {
      const s = Math.sqrt(-2 * Math.log(valueAt1));
      return Math.exp(-0.5 * (d * s) ** 2);
    }
    case "hyperbolic":
      return 1 / Math.cosh(d * Math.acosh(1 / valueAt1));
    case "long_tail": {
      const s = Math.sqrt(1 / valueAt1 - 1);
      return 1 / ((d * s) ** 2 + 1);
    }
    case "reciprocal":
      return 1 / (Math.abs(d) * (1 / valueAt1 - 1) + 1);
    case "cosine": {
      const x = (d * Math.acos(2 * valueAt1 - 1)) / Math.PI;
      return Math.abs(x) < 1 ? (1 + Math.cos(Math.PI * x)) / 2 : 0;
    }
    case "linear": {
      const x = d * (1 - valueAt1);
      return Math.abs(x) < 1 ? 1 - x : 0;
    }
    case "quadratic": {
      const x = d * Math.sqrt(1 - valueAt1);
      return Math.abs(x) < 1 ? 1 - x * x : 0;
    }
    case "tanh_squared":
      return 1 - Math.tanh(d * Math.atanh(Math.sqrt(1 - valueAt1))) ** 2;
    default:
      throw new RangeError(`unknown sigmoid '${String(kind)}'; known: ${SIGMOIDS.join(", ")}`);
  }
}

/**
 * 1 when `x` lies in [lower, upper]; outside, a sigmoid of the distance to the nearest bound measured in margins,
 * equal to `valueAtMargin` one margin away (dm_control.utils.rewards.tolerance, same arguments and defaults).
 * With `margin = 0` it is the hard indicator of the interval. Bounds may be infinite.
 */
export function tolerance(
  x: number,
  bounds: readonly [number, number] = [0, 0],
  margin = 0,
  kind: Sigmoid = "gaussian",
  valueAtMargin = DEFAULT_VALUE_AT_MARGIN,
): number {
  const [lower, upper] = bounds;
  if (lower > upper) throw new RangeError(`tolerance: lower bound ${lower} must be ≤ upper bound ${upper}`);
  if (margin < 0) throw new RangeError(`tolerance: margin must be non-negative, got ${margin}`);
  const inBounds = lower <= x && x <= upper;
  if (margin === 0) return inBounds ? 1 : 0;
  // The sigmoid is validated (and value_at_margin checked) even in bounds, as dm_control evaluates it anyway.
  const d = (x < lower ? lower - x : x - upper) / margin;
  const s = sigmoid(inBounds ? 0 : d, valueAtMargin, kind);
  return inBounds ? 1 : s;
}

// ─── the task registry ─────────────────────────────────────────────────────────────────────────────────────

const registry = new Map<string, TaskDefinition>();

/** Add a task (an existing name is an error: two modules defining the same task is a bug). */
export function registerTask(t: TaskDefinition): void {
  if (registry.has(t.name) && registry.get(t.name) !== t) throw new Error(`task '${t.name}' is registered twice`);
  registry.set(t.name, t);
}

/** Registered task names, sorted. */
export function registeredTaskNames(): string[] {
  return [...registry.keys()].sort();
}

/** A registered task; an unknown name lists the known ones. */
export function getTask(name: string): TaskDefinition {
  const t = registry.get(name);
  if (!t) throw new Error(`unknown task '${name}'; known tasks: ${registeredTaskNames().join(", ") || "(none registered)"}`);
  return t;
}
