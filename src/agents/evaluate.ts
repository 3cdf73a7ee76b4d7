/**
 * Evaluate a trained agent (`tdmpc eval --checkpoint PATH`): from a run directory (config.json, its latest
 * checkpoint), one checkpoint of a run (<run>/checkpoints/ckpt-N), or an exported agent (agent.json); every task of
 * a multi-task agent in turn.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { runEpisode } from "../envs/agent.js";
import type { Env } from "../envs/env.js";
import { CheckpointError, loadCheckpoint, saveCheckpoint } from "../nn/io.js";
import { CHECKPOINT_NAME, latestCheckpoint, loadRunCheckpoint } from "./checkpoint.js";
import { makeConfig, validateConfig, withNewDefaults, type AgentConfig } from "./config.js";
import { configForEnv, makeAgent, observationSize, protocolEnv, type Protocol } from "./trainer.js";
import type { LearningAgent } from "./types.js";
import { tf } from "../nn/backend.js";

export interface EvalResult {
  agent: string;
  task: string;
  envSteps: number;
  returns: number[];
  mean: number;
}

/** What a checkpoint path names: a run and one of its checkpoints, or an exported agent. */
export type CheckpointSource = { kind: "run"; runDir: string; checkpoint?: string } | { kind: "exported"; dir: string };

/** Tell a run directory, a checkpoint inside one and an exported agent apart; anything else is named and refused. */
export function resolveCheckpoint(path: string): CheckpointSource {
  const p = resolve(path);
  if (!existsSync(p)) throw new CheckpointError(p, "does not exist");
  if (existsSync(join(p, "config.json"))) return { kind: "run", runDir: p };
  if (existsSync(join(p, "agent.json"))) return { kind: "exported", dir: p };
  const runDir = dirname(dirname(p));
  if (CHECKPOINT_NAME.test(basename(p)) && basename(dirname(p)) === "checkpoints" && existsSync(join(runDir, "config.json"))) {
    if (!existsSync(join(p, "state.json"))) throw new CheckpointError(p, "is not a complete checkpoint (no state.json)");
    return { kind: "run", runDir, checkpoint: p };
  }
  throw new CheckpointError(p, "is neither a run directory (config.json), one of its checkpoints (<run>/checkpoints/ckpt-N) nor an exported agent (agent.json)");
}

/** Rebuild a run's agent at a checkpoint, its latest by default (the caller disposes it). */
export async function loadAgent(runDir: string, checkpoint?: string): Promise<{ agent: LearningAgent; task: string; tasks: string[]; protocol: Protocol; envSteps: number }> {
  const f = join(runDir, "config.json");
  let id: { task: string | string[]; seed: number; protocol: Protocol; cfg: AgentConfig };
  try {
    id = JSON.parse(readFileSync(f, "utf8"));
  } catch (e) {
    throw new CheckpointError(f, `cannot read the run's config (${e instanceof Error ? e.message : String(e)})`);
  }
  id.cfg = withNewDefaults(id.cfg);
  validateConfig(id.cfg);
  const ckpt = checkpoint ?? latestCheckpoint(join(runDir, "checkpoints"));
  if (!ckpt) throw new CheckpointError(join(runDir, "checkpoints"), "no checkpoint yet");
  const tasks = typeof id.task === "string" ? [id.task] : id.task;
  const envs: Env[] = [];
  try {
    for (const t of tasks) envs.push(await protocolEnv(t, id.protocol, id.seed, id.cfg));
    const cfg = configForEnv(id.cfg, envs[0]!);
    const agent = makeAgent(cfg, envs.map(observationSize), envs.map((e) => e.actionSpace.shape[0]!), id.seed);
    try {
      const { counters } = loadRunCheckpoint(ckpt, agent, { forEvaluation: true });
      return { agent, task: tasks[0]!, tasks, protocol: id.protocol, envSteps: counters.envSteps };
    } catch (e) {
      agent.dispose();
      throw e;
    }
  } finally {
    for (const e of envs) e.close();
  }
}

/** Play `episodes` evaluation episodes (no exploration) per task of the agent at `path` (see resolveCheckpoint). */
export async function evaluateCheckpoint(path: string, opts: { episodes: number; seed: number }): Promise<EvalResult[]> {
  const src = resolveCheckpoint(path);
  const { agent, tasks, protocol, envSteps } = src.kind === "run" ? await loadAgent(src.runDir, src.checkpoint) : await loadExportedAgent(src.dir);
  try {
    const out: EvalResult[] = [];
    for (let i = 0; i < tasks.length; i++) {
      agent.setTask?.(i);
      const env = await protocolEnv(tasks[i]!, protocol, opts.seed, agent.cfg);
      try {
        const returns: number[] = [];
        for (let k = 0; k < opts.episodes; k++) returns.push((await runEpisode(env, agent, { seed: opts.seed * 1000 + k, keep: false })).totalReturn);
        out.push({ agent: agent.name, task: tasks[i]!, envSteps, returns, mean: returns.reduce((a, b) => a + b, 0) / returns.length });
      } finally {
        env.close();
      }
    }
    return out;
  } finally {
    agent.dispose();
  }
}

/**
 * Export a trained agent for others to load without the run directory: its config and task (`agent.json`) and its
 * weights (`model.json` + `model.bin`, nn/io.ts; no optimiser state). A few MB for the laptop presets.
 */
export async function exportAgent(runDir: string, outDir: string): Promise<void> {
  const { agent, tasks, protocol, envSteps } = await loadAgent(runDir);
  try {
    mkdirSync(outDir, { recursive: true });
    const id = JSON.parse(readFileSync(join(runDir, "config.json"), "utf8")) as { seed: number; cfg: AgentConfig; label: string };
    writeFileSync(join(outDir, "agent.json"), JSON.stringify({ tasks, protocol, envSteps, seed: id.seed, label: id.label, cfg: id.cfg }, null, 1) + "\n");
    await saveCheckpoint(join(outDir, "model"), agent.wm.params, {}, { tasks, envSteps });
  } finally {
    agent.dispose();
  }
}

/** An exported agent (see `exportAgent`), ready to act. */
export async function loadExportedAgent(dir: string): Promise<{ agent: LearningAgent; tasks: string[]; protocol: Protocol; envSteps: number }> {
  const f = join(dir, "agent.json");
  let meta: { tasks: string[]; protocol: Protocol; envSteps: number; seed: number; cfg: AgentConfig };
  try {
    meta = JSON.parse(readFileSync(f, "utf8"));
  } catch (e) {
    throw new CheckpointError(f, `cannot read it (${e instanceof Error ? e.message : String(e)})`);
  }
  meta.cfg = withNewDefaults(meta.cfg);
  validateConfig(meta.cfg);
  const envs: Env[] = [];
  try {
    for (const t of meta.tasks) envs.push(await protocolEnv(t, meta.protocol, meta.seed, meta.cfg));
    const cfg = configForEnv(meta.cfg, envs[0]!);
    const agent = makeAgent(cfg, envs.map(observationSize), envs.map((e) => e.actionSpace.shape[0]!), meta.seed);
    try {
      loadCheckpoint(join(dir, "model"), agent.wm.params);
    } catch (e) {
      agent.dispose();
      throw e;
    }
    agent.step = Number.MAX_SAFE_INTEGER; // past the seed steps and schedules: act as a trained agent
    return { agent, tasks: meta.tasks, protocol: meta.protocol, envSteps: meta.envSteps };
  } finally {
    for (const e of envs) e.close();
  }
}


/**
 * What a trained agent's model says about one state of task `taskIndex`: its predicted reward R(z, a) and value
 * (the mean of its Q heads) at z = h(obs), the observation zero-padded as the agent pads it.
 */
export function probeState(agent: LearningAgent, taskIndex: number, obs: ArrayLike<number>, action: ArrayLike<number>): { reward: number; value: number } {
  const wm = agent.wm;
  return tf.tidy(() => {
    const e = wm.taskEmbedding([taskIndex]); // undefined for a single-task agent
    const pad = (v: ArrayLike<number>, n: number) => tf.tensor2d(Float32Array.from({ length: n }, (_, j) => v[j] ?? 0), [1, n]);
    const z = wm.latent.encode(pad(obs, wm.obsDim), undefined, e);
    const a = pad(action, wm.actionDim);
    return { reward: wm.latent.rewardValue(z, a, e).dataSync()[0]!, value: wm.q.value(z, a, "avg", { task: e }).dataSync()[0]! };
  });
}
