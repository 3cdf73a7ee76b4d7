/**
 * The registered tasks as a table (sizes, action repeat, control timestep: `tdmpc env list`, the README's table) and
 * one task checked end to end (`tdmpc env check`: the env checker and a random-policy episode).
 */
import { Rng } from "../util/random.js";
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

/** The README's task table (markdown), generated from the registry. */
export function taskTableMarkdown(rows: TaskRow[]): string {
  const head = "| task | obs | act | action repeat | control dt (s) | physics steps / control step |\n|---|---|---|---|---|---|";
  return [head, ...rows.map((r) => `| \`${r.task}\` | ${r.obsDim} | ${r.actDim} | ${r.actionRepeat} | ${r.controlTimestep} | ${r.physicsStepsPerControlStep} |`)].join("\n");
}
