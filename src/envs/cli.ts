/**
 * `tdmpc env list`, `tdmpc env check TASK`, `tdmpc bench env` (see bench.ts).
 */
import type { Command } from "commander";
import { Rng } from "../util/random.js";
import { intFlag, listFlag } from "../util/validate.js";
import { benchEnv } from "./bench.js";
import { checkEnv } from "./check.js";
import { readMjcf } from "./env.js";
import { loadModelFromXml } from "./mujoco.js";
import { listTasks, makeEnv } from "./registry.js";
import { getTask, observationSize } from "./task.js";

export interface TaskRow {
  task: string;
  domain: string;
  obsDim: number;
  actDim: number;
  actionRepeat: number;
  episodeLength: number;
  physicsStepsPerControlStep: number;
  controlTimestep: number;
  description: string;
}

/** One row per registered task (loads each model once to read its actuator count and timestep). */
export async function taskTable(): Promise<TaskRow[]> {
  const rows: TaskRow[] = [];
  for (const name of listTasks()) {
    const t = getTask(name);
    const m = await loadModelFromXml(readMjcf(t.mjcf));
    rows.push({
      task: name,
      domain: t.domain,
      obsDim: observationSize(t),
      actDim: m.model.nu,
      actionRepeat: t.actionRepeat,
      episodeLength: t.episodeLength,
      physicsStepsPerControlStep: t.physicsStepsPerControlStep,
      controlTimestep: Number((m.model.opt.timestep * t.physicsStepsPerControlStep).toPrecision(6)),
      description: t.description ?? "",
    });
    m.delete();
  }
  return rows;
}

export interface CheckResult {
  task: string;
  obsDim: number;
  actDim: number;
  actionRepeat: number;
  randomReturn: number;
  stepsPerSec: number;
}

/**
 * One episode of a uniform-random policy through the agent's view of the task (its default action repeat):
 * the return (sum of the 1000 control-step rewards) and control steps per second. Also runs the env checker.
 */
export async function checkTask(name: string, seed = 0, actionRepeat?: number): Promise<CheckResult & { problems: string[] }> {
  const env = await makeEnv(name, { seed, actionRepeat });
  try {
    const problems = checkEnv(env).problems;
    const rng = new Rng(seed + 1);
    const m = env.actionSpace.shape[0]!;
    const a = new Float32Array(m);
    const episode = () => {
      env.reset(seed);
      let ret = 0;
      for (;;) {
        for (let i = 0; i < m; i++) a[i] = rng.uniform(-1, 1);
        const r = env.step(a);
        ret += r.reward;
        if (r.truncated || r.terminated) return ret;
      }
    };
    // The return is the first episode's. The speed is timed on two more after four warm-up episodes: V8 tiers
    // MuJoCo's wasm up from its baseline compiler only after a few thousand steps (measured: 5k → 200k steps/s).
    const ret = episode();
    for (let i = 0; i < 4; i++) episode();
    const t0 = performance.now();
    episode();
    episode();
    const sec = (performance.now() - t0) / 1000;
    const controlSteps = 2 * env.task.episodeLength;
    return {
      task: name,
      obsDim: env.observationSpace.shape[0]!,
      actDim: m,
      actionRepeat: env.actionRepeat,
      randomReturn: Number(ret.toFixed(3)),
      stepsPerSec: Math.round(controlSteps / sec),
      problems,
    };
  } finally {
    env.close();
  }
}

/** Fixed-width text table for the terminal. */
export function textTable(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return "(no rows)";
  const cols = Object.keys(rows[0]!);
  const cell = (v: unknown) => (typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : v === null || v === undefined ? "-" : String(v));
  const w = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(w[i]!)).join("  ").trimEnd();
  return [line(cols), line(w.map((n) => "-".repeat(n))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join("\n");
}

/** The README's task table (markdown), generated from the registry. */
export function taskTableMarkdown(rows: TaskRow[]): string {
  const head = "| task | obs | act | action repeat | control dt (s) | physics steps / control step |\n|---|---|---|---|---|---|";
  return [head, ...rows.map((r) => `| \`${r.task}\` | ${r.obsDim} | ${r.actDim} | ${r.actionRepeat} | ${r.controlTimestep} | ${r.physicsStepsPerControlStep} |`)].join("\n");
}

const DEFAULT_BENCH_TASKS = ["pendulum-swingup", "cartpole-swingup", "acrobot-swingup", "reacher-easy", "point_mass-easy", "cheetah-run", "walker-walk", "hopper-stand", "finger-spin"];

/** Run a command's action; a thrown error becomes one line on stderr and exit code 1 (no stack trace). */
export function guarded<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    }
  };
}

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
