/**
 * The PETS results file (`tdmpc train pets`, the registry's `pets` run kind): one row per episode keyed by
 * (task, seed, iteration), the environment steps a row must carry, and where each seed's checkpoint lives.
 */
import { join, resolve } from "node:path";
import { getTask } from "../envs/task.js";
import { fnv1aHex } from "../util/checksum.js";
import { PETS_DEFAULTS } from "./pets.js";

export const PETS_COLUMNS = ["task", "seed", "iteration", "kind", "envSteps", "episodeReturn", "modelLoss", "wallSec"] as const;
export const PETS_KEY = ["task", "seed", "iteration"] as const;

/** Environment steps after the episode of `iteration` (random episodes have iterations −ninit … −1). */
export function expectedEnvSteps(task: string, iteration: number, episodeSteps: number | undefined, ninit = PETS_DEFAULTS.ninitRollouts): number {
  const t = getTask(task);
  const agentSteps = Math.min(episodeSteps ?? Infinity, Math.ceil(t.episodeLength / t.actionRepeat));
  return (iteration + ninit + 1) * agentSteps * t.actionRepeat; // as runPets counts: agent steps × action repeat
}

/** The per-seed checkpoint folder of a results file (the same command finds it again). */
export function petsCheckpointDir(root: string, out: string, task: string, seed: number): string {
  return join(root, `pets-${fnv1aHex(resolve(out))}`, `${task}-seed${seed}`);
}
