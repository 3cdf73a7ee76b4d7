/**
 * `tdmpc train --agent tdmpc|tdmpc2 --task cartpole-swingup --steps 100000 --seed 1 [--preset laptop] [--set key=value …]`
 * and `tdmpc eval --run-dir DIR`: the trainer (trainer.ts) on the command line, with a progress bar, results appended
 * to a CSV as they come, checkpoints in a run directory outside the project, and `--resume` after a kill.
 */
import type { Command } from "commander";
import { initBackend } from "../nn/backend.js";
import { makeConfig, parseOverrides } from "./config.js";
import { defaultRunDir, train } from "./trainer.js";
import { evaluateRun } from "./evaluate.js";

function int(flag: string, v: string): number {
  const n = Number(v);
  if (v.trim() === "" || !Number.isInteger(n)) throw new RangeError(`${flag} must be an integer, got "${v}"`);
  return n;
}

function positive(flag: string, v: string): number {
  const n = int(flag, v);
  if (n < 1) throw new RangeError(`${flag} must be a positive integer, got "${v}"`);
  return n;
}

export function registerTrain(train_: Command, program: Command): void {
  train_
    .option("--agent <name>", "tdmpc or tdmpc2")
    .option("--task <name>", "task", "cartpole-swingup")
    .option("--steps <n>", "environment steps, counted as the agent's paper does", "100000")
    .option("--seed <n>", "seed", "1")
    .option("--preset <name>", "official | laptop (tdmpc2 also 1M, 5M)", "laptop")
    .option("--set <key=value...>", "override config keys (official snake_case names)", [])
    .option("--protocol <name>", "tdmpc (task action repeat, 1000 steps) or tdmpc2 (repeat 2, 500 steps); default: the agent's")
    .option("--eval-freq <n>", "evaluate every n environment steps (default: 20000 tdmpc, 50000 tdmpc2)")
    .option("--eval-episodes <n>", "episodes per evaluation", "10")
    .option("--checkpoint-every <n>", "checkpoint every n episodes (and at every evaluation)", "10")
    .option("--run-dir <dir>", "run directory (default ~/.cache/tdmpc-ts/runs/<agent>-<preset>-<task>-s<seed>)")
    .option("--out <file>", "results CSV (default <run-dir>/results.csv); give a data/results/ path explicitly to commit")
    .option("--resume", "continue the run in --run-dir from its last checkpoint")
    .action(async (o: Record<string, string | string[] | boolean | undefined>) => {
      if (!o.agent) throw new Error("train: give --agent tdmpc|tdmpc2 (or `tdmpc train pets` for chapter 3)");
      const agent = String(o.agent);
      const preset = String(o.preset);
      const cfg = makeConfig(agent, preset, parseOverrides(o.set as string[]));
      const seed = int("--seed", String(o.seed));
      const task = String(o.task);
      const protocol = o.protocol === undefined ? undefined : String(o.protocol);
      if (protocol !== undefined && protocol !== "tdmpc" && protocol !== "tdmpc2") throw new RangeError(`--protocol must be tdmpc or tdmpc2, got "${protocol}"`);
      const setTag = (o.set as string[]).length ? `-${(o.set as string[]).join("_").replace(/[^\w.=-]+/g, "")}` : "";
      await initBackend();
      await train(cfg, {
        task,
        seed,
        steps: positive("--steps", String(o.steps)),
        protocol,
        evalFreq: o.evalFreq === undefined ? undefined : positive("--eval-freq", String(o.evalFreq)),
        evalEpisodes: positive("--eval-episodes", String(o.evalEpisodes)),
        checkpointEvery: positive("--checkpoint-every", String(o.checkpointEvery)),
        runDir: o.runDir ? String(o.runDir) : defaultRunDir(`${agent}-${preset}${setTag}-${task}-s${seed}`),
        out: o.out ? String(o.out) : undefined,
        resume: !!o.resume,
        label: preset + setTag,
      });
    });

  program
    .command("eval")
    .description("evaluate a trained agent from its run directory (latest checkpoint)")
    .requiredOption("--run-dir <dir>", "run directory of `tdmpc train`")
    .option("--episodes <n>", "episodes", "10")
    .option("--seed <n>", "seed of the evaluation episodes", "0")
    .option("--json", "print JSON")
    .action(async (o: { runDir: string; episodes: string; seed: string; json?: boolean }) => {
      await initBackend({ quiet: !!o.json });
      const r = await evaluateRun(o.runDir, { episodes: positive("--episodes", o.episodes), seed: int("--seed", o.seed) });
      if (o.json) console.log(JSON.stringify(r));
      else console.log(`${r.agent} on ${r.task} (${r.envSteps} env steps): mean return ${r.mean.toFixed(1)} over ${r.returns.length} episodes [${r.returns.map((x) => x.toFixed(0)).join(", ")}]`);
    });
}
