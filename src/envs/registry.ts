/**
 * `makeEnv(name, {seed, actionRepeat})`: the one way the library and the notebooks create environments.
 * Importing this module registers every task module listed in tasks/index.ts.
 */
import "./tasks/index.js";
import { createMujocoEnv, type Env } from "./env.js";
import { getTask, registeredTaskNames, type TaskDefinition } from "./task.js";
import { ActionRepeat } from "./wrappers.js";

export interface MakeEnvOptions {
  /** Seed of the generator that draws initial states (default 0). `reset(seed)` re-seeds. */
  seed?: number;
  /** Control steps per agent step; default: the task's TD-MPC value (`task.actionRepeat`); 1 = none. */
  actionRepeat?: number;
}

/** Create a registered task's environment. An unknown name → an error that lists the known tasks. */
export async function makeEnv(name: string, opts: MakeEnvOptions = {}): Promise<Env> {
  const task = getTask(name);
  const k = opts.actionRepeat ?? task.actionRepeat;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`actionRepeat must be a positive integer, got ${k}`);
  if (opts.seed !== undefined && !Number.isFinite(opts.seed)) throw new RangeError(`seed must be a finite number, got ${opts.seed}`);
  const env = await createMujocoEnv(task, opts.seed ?? 0);
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
