/**
 * `makeEnv(name, {seed, actionRepeat})`: the one way the library and the notebooks create environments.
 * Importing this module registers every task module listed in tasks/index.ts.
 */
import "./tasks/index.js";
import { createMujocoEnv, type Env, type OnDivergence } from "./env.js";
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
}

/** Create a registered task's environment. An unknown name → an error that lists the known tasks. */
export async function makeEnv(name: string, opts: MakeEnvOptions = {}): Promise<Env> {
  const task = getTask(name);
  const k = opts.actionRepeat ?? task.actionRepeat;
  positiveInt("actionRepeat", k);
  if (opts.seed !== undefined) finite("seed", opts.seed);
  const env = await createMujocoEnv(task, opts.seed ?? 0, opts.onDivergence);
  return k === 1 ? env : new ActionRepeat(env, k);
}

/** Names of every registered task, sorted. */
export function listTasks(): string[] {
  return registeredTaskNames();
}

/** A registered task's definition. */
export function taskInfo(name: string): TaskDefinition {
  return getTask(name);
}
