/** Evaluate a trained agent from its run directory: rebuild it from config.json, load the latest checkpoint, play. */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runEpisode } from "../envs/agent.js";
import type { Env } from "../envs/env.js";
import { CheckpointError, loadCheckpoint, saveCheckpoint } from "../nn/io.js";
import { latestCheckpoint, loadRunCheckpoint } from "./checkpoint.js";
import { makeConfig, validateConfig, withNewDefaults, type AgentConfig } from "./config.js";
import { configForEnv, makeAgent, observationSize, protocolEnv, type Protocol } from "./trainer.js";
import type { LearningAgent } from "./types.js";

export interface EvalResult {
  agent: string;
  task: string;
  envSteps: number;
  returns: number[];
  mean: number;
}

/** Rebuild a run's agent at its latest checkpoint (the caller disposes it). */
export async function loadAgent(runDir: string): Promise<{ agent: LearningAgent; task: string; tasks: string[]; protocol: Protocol; envSteps: number }> {
  const f = join(runDir, "config.json");
  let id: { task: string | string[]; seed: number; protocol: Protocol; cfg: AgentConfig };
  try {
    id = JSON.parse(readFileSync(f, "utf8"));
  } catch (e) {
    throw new CheckpointError(f, `cannot read the run's config (${e instanceof Error ? e.message : String(e)})`);
  }
  id.cfg = withNewDefaults(id.cfg);
  validateConfig(id.cfg);
  const ckpt = latestCheckpoint(join(runDir, "checkpoints"));
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

export async function evaluateRun(runDir: string, opts: { episodes: number; seed: number }): Promise<EvalResult> {
  const { agent, task, protocol, envSteps } = await loadAgent(runDir);
  const env = await protocolEnv(task, protocol, opts.seed, agent.cfg);
  try {
    const returns: number[] = [];
    for (let k = 0; k < opts.episodes; k++) returns.push((await runEpisode(env, agent, { seed: opts.seed * 1000 + k, keep: false })).totalReturn);
    return { agent: agent.name, task, envSteps, returns, mean: returns.reduce((a, b) => a + b, 0) / returns.length };
  } finally {
    agent.dispose();
    env.close();
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

