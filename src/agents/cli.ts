/**
 * `tdmpc train pets`: run PETS for one or more seeds and append one CSV row per episode (seed, envSteps,
 * return, …) to a results file as it goes, so a killed run keeps every finished episode.
 */
import type { Command } from "commander";
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { initBackend } from "../nn/backend.js";
import { progress } from "../util/progress.js";
import { PETS_DEFAULTS, runPets, type PetsEpisodeResult } from "./pets.js";
import { registerTrain } from "./train-cli.js";

const COLUMNS: (keyof PetsEpisodeResult)[] = ["seed", "iteration", "kind", "envSteps", "episodeReturn", "modelLoss", "wallSec"];

export function register(program: Command): void {
  const train = program.command("train").description("train an agent (--agent tdmpc|tdmpc2, or `train pets`); results go to a CSV as they come");
  registerTrain(train, program);
  train
    .command("pets")
    .description("PETS: probabilistic ensemble + trajectory sampling + CEM-MPC (chapter 3)")
    .option("--task <name>", "task", "cartpole-swingup")
    .option("--seeds <list>", "comma-separated seeds", "0")
    .option("--iters <n>", "MPC episodes after the random one (ntrainIters)", String(PETS_DEFAULTS.ntrainIters))
    .option("--episode-steps <n>", "agent steps per episode (default: the whole episode)")
    .option("--out <file>", "CSV file to append to", "data/results/pets.csv")
    .action(async (o: { task: string; seeds: string; iters: string; episodeSteps?: string; out: string }) => {
      await initBackend();
      const seeds = o.seeds.split(",").map((s) => Number(s.trim()));
      if (seeds.some((s) => !Number.isInteger(s))) throw new Error(`--seeds must be integers, got '${o.seeds}'`);
      const iters = Number(o.iters);
      mkdirSync(dirname(o.out), { recursive: true });
      if (!existsSync(o.out)) writeFileSync(o.out, ["task", ...COLUMNS].join(",") + "\n");
      for (const seed of seeds) {
        const bar = progress(iters + PETS_DEFAULTS.ninitRollouts, `PETS ${o.task} seed ${seed}`);
        let done = 0;
        await runPets({ task: o.task, seed, ntrainIters: iters, episodeSteps: o.episodeSteps ? Number(o.episodeSteps) : undefined }, (r) => {
          appendFileSync(o.out, [o.task, ...COLUMNS.map((c) => (typeof r[c] === "number" ? Number((r[c] as number).toFixed(4)) : r[c]))].join(",") + "\n");
          bar.update(++done, { ret: r.episodeReturn, steps: r.envSteps });
        });
        bar.stop();
      }
    });
}
