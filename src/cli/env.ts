/**
 * `tdmpc env list`, `tdmpc env check TASK`, `tdmpc bench env` (envs/bench.ts).
 */
import type { Command } from "commander";
import { benchEnv } from "../envs/bench.js";
import { listTasks } from "../envs/registry.js";
import { getTask } from "../envs/task.js";
import { checkTask, taskTable, taskTableMarkdown } from "../envs/task-table.js";
import { textTable } from "../util/table.js";
import { intFlag, listFlag } from "../util/validate.js";
import { guarded } from "./common.js";

const DEFAULT_BENCH_TASKS = ["pendulum-swingup", "cartpole-swingup", "acrobot-swingup", "reacher-easy", "point_mass-easy", "cheetah-run", "walker-walk", "hopper-stand", "finger-spin"];

export function register(program: Command, bench: Command): void {
  const env = program.command("env").description("the MuJoCo tasks (DeepMind Control Suite semantics)");
  env
    .command("list")
    .description("list the registered tasks with observation/action sizes and action repeat")
    .option("--json", "print a JSON array")
    .option("--markdown", "print the README's markdown table")
    .action(guarded(async (opts: { json?: boolean; markdown?: boolean }) => {
      const rows = await taskTable();
      if (opts.json) console.log(JSON.stringify(rows));
      else if (opts.markdown) console.log(taskTableMarkdown(rows));
      else console.log(textTable(rows.map(({ description, ...r }) => ({ ...r, description }))));
    }));
  env
    .command("check")
    .description("run the env checker and one random-policy episode: return and control steps per second")
    .argument("<task>", "task name, e.g. cartpole-swingup (see `tdmpc env list`)")
    .option("--seed <n>", "seed", intFlag("--seed", { min: 0 }), 0)
    .option("--action-repeat <k>", "override the task's default action repeat", intFlag("--action-repeat", { min: 1 }))
    .option("--json", "print {task, obsDim, actDim, actionRepeat, randomReturn, stepsPerSec}")
    .action(guarded(async (task: string, opts: { seed: number; actionRepeat?: number; json?: boolean }) => {
      const { problems, ...r } = await checkTask(task, opts.seed, opts.actionRepeat);
      for (const p of problems) console.error(`env check ${task}: ${p}`);
      if (opts.json) console.log(JSON.stringify(r));
      else {
        console.log(textTable([r as unknown as Record<string, unknown>]));
        console.log(problems.length ? `${problems.length} problem(s) found` : "env checker: no problems");
      }
      if (problems.length) process.exitCode = 1;
    }));

  bench
    .command("env")
    .description("physics steps/s through our env API vs raw mj_step (wasm) vs native MuJoCo in C (libmujoco-dev)")
    .option("--tasks <names>", "comma-separated tasks (default: one per domain)", listFlag("--tasks"))
    .option("--steps <n>", "control steps per timed run", intFlag("--steps", { min: 1 }), 20000)
    .option("--json", "print exactly one JSON array of {task, apiStepsPerSec, rawStepsPerSec, nativeStepsPerSec}")
    .action(guarded(async (opts: { tasks?: string[]; steps: number; json?: boolean }) => {
      const known = listTasks();
      const tasks = opts.tasks ?? DEFAULT_BENCH_TASKS.filter((t) => known.includes(t));
      for (const t of tasks) getTask(t); // unknown names fail before any timing
      const steps = opts.steps;
      const rows = await benchEnv(tasks, steps, (m) => console.error(m));
      if (opts.json) {
        console.log(JSON.stringify(rows.map((r) => ({ task: r.task, apiStepsPerSec: Math.round(r.apiStepsPerSec), rawStepsPerSec: Math.round(r.rawStepsPerSec), nativeStepsPerSec: r.nativeStepsPerSec === null ? null : Math.round(r.nativeStepsPerSec) }))));
      } else {
        console.log(
          textTable(
            rows.map((r) => ({
              task: r.task,
              "api steps/s": Math.round(r.apiStepsPerSec),
              "raw mj_step/s": Math.round(r.rawStepsPerSec),
              "native C/s": r.nativeStepsPerSec === null ? null : Math.round(r.nativeStepsPerSec),
              "api/raw": Number((r.apiStepsPerSec / r.rawStepsPerSec).toFixed(3)),
              "raw/native": r.nativeStepsPerSec === null ? null : Number((r.rawStepsPerSec / r.nativeStepsPerSec).toFixed(3)),
            })),
          ),
        );
        for (const r of rows) if (r.nativeNote) console.error(`${r.task}: ${r.nativeNote}`);
        console.log("(physics steps per second; the machine is shared, so numbers taken while other jobs run are noisy)");
      }
    }));
}
