/**
 * `tdmpc train --agent tdmpc|tdmpc2 --task cartpole-swingup --steps 100000 --seed 1 [--preset laptop] [--pixels] [--set key=value …]`
 * and `tdmpc eval --run-dir DIR`: the trainer (trainer.ts) on the command line, with a progress bar, results appended
 * to a CSV as they come, checkpoints in a run directory outside the project, and `--resume` after a kill.
 */
import type { Command } from "commander";
import "../envs/tasks/index.js";
import { registeredTaskNames } from "../envs/task.js";
import { initBackend } from "../nn/backend.js";
import { choiceFlag, choiceListFlag, intFlag } from "../util/validate.js";
import { makeConfig, parseOverrides } from "./config.js";
import { defaultRunDir, train } from "./trainer.js";
import { evaluateRun, exportAgent } from "./evaluate.js";

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
  runDir?: string;
  out?: string;
  resume?: boolean;
  engine: "auto" | "onnx" | "tfjs";
  pixels?: boolean;
}

export function registerTrain(train_: Command, program: Command): void {
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
    .option("--run-dir <dir>", "run directory (default ~/.cache/tdmpc-ts/runs/<agent>-<preset>-<task>-s<seed>)")
    .option("--out <file>", "results CSV (default <run-dir>/results.csv); give a data/results/ path explicitly to commit")
    .option("--resume", "continue the run in --run-dir from its last checkpoint")
    .option("--engine <name>", "where updates run: auto (onnx where the config allows), onnx, tfjs", choiceFlag("--engine", ["auto", "onnx", "tfjs"] as const), "auto")
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
        runDir: o.runDir ?? defaultRunDir(`${o.agent}-${o.preset}${setTag}-${o.task.join("+")}-s${o.seed}`),
        out: o.out,
        resume: !!o.resume,
        engine: o.engine,
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
    .description("evaluate a trained agent from its run directory (latest checkpoint)")
    .requiredOption("--run-dir <dir>", "run directory of `tdmpc train`")
    .option("--episodes <n>", "episodes", intFlag("--episodes", { min: 1 }), 10)
    .option("--seed <n>", "seed of the evaluation episodes", intFlag("--seed", { min: 0 }), 0)
    .option("--json", "print JSON")
    .action(async (o: { runDir: string; episodes: number; seed: number; json?: boolean }) => {
      await initBackend({ quiet: !!o.json });
      const r = await evaluateRun(o.runDir, { episodes: o.episodes, seed: o.seed });
      if (o.json) console.log(JSON.stringify(r));
      else console.log(`${r.agent} on ${r.task} (${r.envSteps} env steps): mean return ${r.mean.toFixed(1)} over ${r.returns.length} episodes [${r.returns.map((x) => x.toFixed(0)).join(", ")}]`);
    });
}
