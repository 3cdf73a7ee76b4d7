/**
 * `tdmpc train pets`: run PETS for one or more seeds and append one CSV row per episode (util/results.ts), keyed by
 * (task, seed, iteration). Resumable: after a crash or kill -9 the same command continues each seed from its last
 * checkpoint (agents/pets-checkpoint.ts) and writes only the rows that are missing (docs/long-runs.md).
 */
import type { Command } from "commander";
import { resolve, join } from "node:path";
import { getTask, registeredTaskNames } from "../envs/task.js";
import "../envs/tasks/index.js";
import { initBackend } from "../nn/backend.js";
import { cacheDir, resultsDir } from "../tooling/paths.js";
import { fnv1aHex } from "../util/checksum.js";
import { progress } from "../util/progress.js";
import { ResultsLog } from "../util/results.js";
import { choiceFlag, intFlag, intListFlag } from "../util/validate.js";
import { PETS_DEFAULTS, runPets, type PetsEpisodeResult } from "./pets.js";
import { registerTrain } from "./train-cli.js";

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

const round4 = (v: number) => (Number.isFinite(v) ? Number(v.toFixed(4)) : v);

export function register(program: Command): void {
  const train = program.command("train").description("train an agent (--agent tdmpc|tdmpc2, or `train pets`); results go to a CSV as they come, resumable (docs/long-runs.md)");
  registerTrain(train, program);
  train
    .command("pets")
    .description("PETS: probabilistic ensemble + trajectory sampling + CEM-MPC (chapter 3); rerun the same command to resume")
    .option("--task <name>", "task", choiceFlag("--task", registeredTaskNames()), "cartpole-swingup")
    .option("--seeds <list>", "comma-separated seeds (non-negative, no duplicates)", intListFlag("--seeds", { min: 0 }), [0])
    .option("--iters <n>", "MPC episodes after the random one (ntrainIters)", intFlag("--iters", { min: 0 }), PETS_DEFAULTS.ntrainIters)
    .option("--episode-steps <n>", "agent steps per episode (default: the whole episode)", intFlag("--episode-steps", { min: 1 }))
    .option("--out <file>", "CSV file to append to (default: results/pets-<task>.csv, which git ignores)")
    .option("--checkpoint-dir <dir>", "where each seed's checkpoint lives (default: ~/.cache/tdmpc-ts/checkpoints/, by --out)")
    .action(async (o: { task: string; seeds: number[]; iters: number; episodeSteps?: number; out?: string; checkpointDir?: string }) => {
      const out = o.out ?? join(resultsDir(), `pets-${o.task}.csv`);
      const log = ResultsLog.open(out, { columns: PETS_COLUMNS, key: PETS_KEY });
      if (log.dropped) console.error(`${out}: cut ${log.dropped} damaged line(s) off the end (an interrupted write); those episodes are played again`);
      for (const r of log.rows) {
        if (r.task !== o.task || !o.seeds.includes(Number(r.seed))) continue;
        const want = expectedEnvSteps(o.task, Number(r.iteration), o.episodeSteps);
        if (Number(r.envSteps) !== want)
          throw new Error(`${out} holds seed ${r.seed} iteration ${r.iteration} with envSteps ${r.envSteps}, but this run gives ${want} (another --episode-steps?): use another --out`);
      }
      await initBackend();
      console.error(`results → ${out}`);
      for (const seed of o.seeds) {
        const total = o.iters + PETS_DEFAULTS.ninitRollouts;
        const bar = progress(total, `PETS ${o.task} seed ${seed}`);
        let done = 0;
        const onEpisode = (r: PetsEpisodeResult) => {
          const row = { task: o.task, ...r, episodeReturn: round4(r.episodeReturn), modelLoss: round4(r.modelLoss), wallSec: round4(r.wallSec) };
          if (!log.has(row)) log.append(row);
          bar.update(++done, { ret: r.episodeReturn, steps: r.envSteps });
        };
        const checkpointDir = petsCheckpointDir(o.checkpointDir ?? join(cacheDir(), "checkpoints"), out, o.task, seed);
        await runPets({ task: o.task, seed, ntrainIters: o.iters, episodeSteps: o.episodeSteps }, onEpisode, { checkpointDir });
        bar.stop();
      }
    });
}
