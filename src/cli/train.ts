/**
 * `tdmpc train --agent tdmpc|tdmpc2 --task cartpole-swingup --steps 100000 --seed 1 [--preset laptop] [--pixels] [--set key=value …]`,
 * `tdmpc export` and `tdmpc eval --checkpoint PATH`: the trainer (agents/trainer.ts) on the command line, with a progress
 * bar, results appended to a CSV as they come, checkpoints in a run directory outside the project, and `--resume`
 * after a kill.
 *
 * `tdmpc train pets`: run PETS for one or more seeds and append one CSV row per episode (util/results.ts), keyed by
 * (task, seed, iteration). Resumable: after a crash or kill -9 the same command continues each seed from its last
 * checkpoint (agents/pets-checkpoint.ts) and writes only the rows that are missing (docs/long-runs.md).
 */
import type { Command } from "commander";
import { join } from "node:path";
import { makeConfig, parseOverrides } from "../agents/config.js";
import { evaluateCheckpoint, exportAgent } from "../agents/evaluate.js";
import { PETS_DEFAULTS, runPets, type PetsEpisodeResult } from "../agents/pets.js";
import { expectedEnvSteps, PETS_COLUMNS, PETS_KEY, petsCheckpointDir } from "../agents/pets-results.js";
import { defaultRunDir, train } from "../agents/trainer.js";
import { registeredTaskNames } from "../envs/task.js";
import "../envs/tasks/index.js";
import { initBackend } from "../nn/backend.js";
import { cacheDir, resultsDir } from "../tooling/paths.js";
import { progress } from "../util/progress.js";
import { ResultsLog } from "../util/results.js";
import { choiceFlag, choiceListFlag, intFlag, intListFlag } from "../util/validate.js";

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

interface TrainFlags {
  agent?: "tdmpc" | "tdmpc2";
  task: string[];
  steps: number;
  seed: number;
  preset: string;
  set: string[];
  protocol?: "tdmpc" | "tdmpc2";
  evalFreq?: number;
  evalEpisodes: number;
  checkpointEvery: number;
  checkpointUpdates: number;
  runDir?: string;
  out?: string;
  resume?: boolean;
  engine: "auto" | "onnx" | "tfjs";
  threads: number;
  pixels?: boolean;
}

function registerTrain(train_: Command, program: Command): void {
  train_
    .option("--agent <name>", "tdmpc or tdmpc2", choiceFlag("--agent", ["tdmpc", "tdmpc2"] as const))
    .option("--task <names>", "task, or comma-separated tasks for one multi-task TD-MPC2", choiceListFlag("--task", registeredTaskNames()), ["cartpole-swingup"])
    .option("--steps <n>", "environment steps, counted as the agent's paper does", intFlag("--steps", { min: 1 }), 100_000)
    .option("--seed <n>", "seed", intFlag("--seed", { min: 0 }), 1)
    .option("--preset <name>", "official | laptop (tdmpc2 also 1M, 5M)", "laptop")
    .option("--set <key=value...>", "override config keys (official snake_case names)", [])
    .option("--pixels", "learn from rendered frames: the same as --set modality=pixels (TD-MPC's cfgs/pixels.yaml, docs/pixels.md)")
    .option("--protocol <name>", "tdmpc (task action repeat, 1000 steps) or tdmpc2 (repeat 2, 500 steps); default: the agent's", choiceFlag("--protocol", ["tdmpc", "tdmpc2"] as const))
    .option("--eval-freq <n>", "evaluate every n environment steps (default: 20000 tdmpc, 50000 tdmpc2)", intFlag("--eval-freq", { min: 1 }))
    .option("--eval-episodes <n>", "episodes per evaluation", intFlag("--eval-episodes", { min: 1 }), 10)
    .option("--checkpoint-every <n>", "checkpoint every n episodes (and at every evaluation)", intFlag("--checkpoint-every", { min: 1 }), 10)
    .option("--checkpoint-updates <n>", "TD-MPC: also checkpoint every n of the updates after an episode when more remain (the seed_steps updates at once)", intFlag("--checkpoint-updates", { min: 1 }), 500)
    .option("--run-dir <dir>", "run directory (default ~/.cache/tdmpc-ts/runs/<agent>-<preset>-<task>-s<seed>)")
    .option("--out <file>", "results CSV (default <run-dir>/results.csv); give a data/results/ path explicitly to commit")
    .option("--resume", "continue the run in --run-dir from its last checkpoint")
    .option("--engine <name>", "where updates run: auto (onnx where the config allows), onnx, tfjs", choiceFlag("--engine", ["auto", "onnx", "tfjs"] as const), "auto")
    .option("--threads <n>", "onnxruntime intra-op threads (2: the second core, when no other run uses it)", intFlag("--threads", { min: 1, max: 64 }), 1)
    .action(async (o: TrainFlags) => {
      if (!o.agent) throw new Error("train: give --agent tdmpc|tdmpc2 (or `tdmpc train pets` for chapter 3)");
      const sets = o.pixels ? ["modality=pixels", ...o.set] : o.set;
      const cfg = makeConfig(o.agent, o.preset, parseOverrides(sets));
      // the run's name carries the modality (a pixel run never lands in the state run's folder) and the other --set pairs
      const rest = sets.filter((p) => !/^\s*modality\s*=/.test(p));
      const setTag = (cfg.modality === "pixels" ? "-pixels" : "") + (rest.length ? `-${rest.join("_").replace(/[^\w.=-]+/g, "")}` : "");
      await initBackend();
      const task = o.task.length === 1 ? o.task[0]! : o.task;
      await train(cfg, {
        task,
        seed: o.seed,
        steps: o.steps,
        protocol: o.protocol,
        evalFreq: o.evalFreq,
        evalEpisodes: o.evalEpisodes,
        checkpointEvery: o.checkpointEvery,
        checkpointUpdates: o.checkpointUpdates,
        runDir: o.runDir ?? defaultRunDir(`${o.agent}-${o.preset}${setTag}-${o.task.join("+")}-s${o.seed}`),
        out: o.out,
        resume: !!o.resume,
        engine: o.engine,
        threads: o.threads,
        label: o.preset + setTag,
      });
    });

  program
    .command("export")
    .description("export a trained agent (config + weights, no optimiser state) from its run directory, e.g. to commit under data/agents/")
    .requiredOption("--run-dir <dir>", "run directory of `tdmpc train`")
    .requiredOption("--out <dir>", "directory to write agent.json and model.json/.bin into")
    .action(async (o: { runDir: string; out: string }) => {
      await initBackend();
      await exportAgent(o.runDir, o.out);
      console.log(`exported ${o.runDir} → ${o.out}`);
    });

  program
    .command("eval")
    .description("evaluate a trained agent without exploration: a run directory (its latest checkpoint), one of its checkpoints (<run>/checkpoints/ckpt-N) or an exported agent; every task of a multi-task agent")
    .option("--checkpoint <path>", "run directory, checkpoint folder or exported agent")
    .option("--run-dir <dir>", "the same as --checkpoint (a run directory)")
    .option("--episodes <n>", "episodes per task", intFlag("--episodes", { min: 1 }), 10)
    .option("--seed <n>", "seed of the evaluation episodes", intFlag("--seed", { min: 0 }), 0)
    .option("--json", "print JSON (one object per task)")
    .action(async (o: { checkpoint?: string; runDir?: string; episodes: number; seed: number; json?: boolean }) => {
      if (!o.checkpoint === !o.runDir) throw new Error("give the agent to evaluate as --checkpoint PATH (or --run-dir DIR), once");
      await initBackend({ quiet: !!o.json });
      const results = await evaluateCheckpoint((o.checkpoint ?? o.runDir)!, { episodes: o.episodes, seed: o.seed });
      for (const r of results) {
        if (o.json) console.log(JSON.stringify(r));
        else console.log(`${r.agent} on ${r.task} (${r.envSteps} env steps): mean return ${r.mean.toFixed(1)} over ${r.returns.length} episodes [${r.returns.map((x) => x.toFixed(0)).join(", ")}]`);
      }
    });
}
