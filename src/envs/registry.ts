/**
 * `makeEnv(name, {seed, actionRepeat})`: the one way the library and the notebooks create environments.
 * Importing this module registers every task module listed in tasks/index.ts.
 */
import "./tasks/index.js";
import { createMujocoEnv, type Env, type OnDivergence } from "./env.js";
import { PixelEnv, type PixelOptions } from "./pixels.js";
import { finite, positiveInt } from "../util/validate.js";
import { getTask, registeredTaskNames, type TaskDefinition } from "./task.js";
import { ActionRepeat } from "./wrappers.js";

export interface MakeEnvOptions {
  /** Seed of the generator that draws initial states (default 0). `reset(seed)` re-seeds. */
  seed?: number;
  /** Control steps per agent step; default: the task's TD-MPC value (`task.actionRepeat`); 1 = none. */
  actionRepeat?: number;
  /** A diverged simulation: throw PhysicsDivergenceError (default) or end the episode with `info.diverged`. */
  onDivergence?: OnDivergence;
  /** Observations are stacked rendered frames, uint8 [3·frameStack, size, size] (pixels.ts) instead of the state. */
  pixels?: boolean;
  /** With `pixels`: frame size (default 84), camera (default 0), frameStack (default 3), supersample (default 1). */
  size?: PixelOptions["size"];
  camera?: PixelOptions["camera"];
  frameStack?: PixelOptions["frameStack"];
  supersample?: PixelOptions["supersample"];
}

/**
 * Create a registered task's environment. An unknown name → an error that lists the known tasks. With
 * `pixels: true` the observations are rendered frames, taken after the action repeat.
 */
export async function makeEnv(name: string, opts: MakeEnvOptions & { pixels: true }): Promise<PixelEnv>;
export async function makeEnv(name: string, opts?: MakeEnvOptions & { pixels?: false }): Promise<Env>;
export async function makeEnv(name: string, opts?: MakeEnvOptions): Promise<Env | PixelEnv>;
export async function makeEnv(name: string, opts: MakeEnvOptions = {}): Promise<Env | PixelEnv> {
  const task = getTask(name);
  const k = opts.actionRepeat ?? task.actionRepeat;
  positiveInt("actionRepeat", k);
  if (opts.seed !== undefined) finite("seed", opts.seed);
  const pixelKeys = (["size", "camera", "frameStack", "supersample"] as const).filter((key) => opts[key] !== undefined);
  if (!opts.pixels && pixelKeys.length) throw new Error(`${pixelKeys.join(", ")} only apply with pixels: true`);
  const base = await createMujocoEnv(task, opts.seed ?? 0, opts.onDivergence);
  const env = k === 1 ? base : new ActionRepeat(base, k);
  if (!opts.pixels) return env;
  try {
    return new PixelEnv(env, { size: opts.size, camera: opts.camera, frameStack: opts.frameStack, supersample: opts.supersample });
  } catch (e) {
    env.close();
    throw e;
  }
}

/** Names of every registered task, sorted. */
export function listTasks(): string[] {
  return registeredTaskNames();
}

/** A registered task's definition. */
export function taskInfo(name: string): TaskDefinition {
  return getTask(name);
}
