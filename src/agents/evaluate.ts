/** Evaluate a trained agent from its run directory: rebuild it from config.json, load the latest checkpoint, play. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runEpisode } from "../envs/agent.js";
import { CheckpointError } from "../nn/io.js";
import { latestCheckpoint, loadRunCheckpoint } from "./checkpoint.js";
import { validateConfig, type AgentConfig } from "./config.js";
import { configForEnv, makeAgent, protocolEnv, type Protocol } from "./trainer.js";
import type { LearningAgent } from "./types.js";

export interface EvalResult {
  agent: string;
  task: string;
  envSteps: number;
  returns: number[];
  mean: number;
}

/** Rebuild a run's agent at its latest checkpoint (the caller disposes it). */
export async function loadAgent(runDir: string): Promise<{ agent: LearningAgent; task: string; protocol: Protocol; envSteps: number }> {
  const f = join(runDir, "config.json");
  let id: { task: string; seed: number; protocol: Protocol; cfg: AgentConfig };
  try {
    id = JSON.parse(readFileSync(f, "utf8"));
  } catch (e) {
    throw new CheckpointError(f, `cannot read the run's config (${e instanceof Error ? e.message : String(e)})`);
  }
  validateConfig(id.cfg);
  const ckpt = latestCheckpoint(join(runDir, "checkpoints"));
  if (!ckpt) throw new CheckpointError(join(runDir, "checkpoints"), "no checkpoint yet");
  const env = await protocolEnv(id.task, id.protocol, id.seed);
  try {
    const cfg = configForEnv(id.cfg, env);
    const agent = makeAgent(cfg, env.observationSpace.shape[0]!, env.actionSpace.shape[0]!, id.seed);
    try {
      const { counters } = loadRunCheckpoint(ckpt, agent);
      return { agent, task: id.task, protocol: id.protocol, envSteps: counters.envSteps };
    } catch (e) {
      agent.dispose();
      throw e;
    }
  } finally {
    env.close();
  }
}

export async function evaluateRun(runDir: string, opts: { episodes: number; seed: number }): Promise<EvalResult> {
  const { agent, task, protocol, envSteps } = await loadAgent(runDir);
  const env = await protocolEnv(task, protocol, opts.seed);
  try {
    const returns: number[] = [];
    for (let k = 0; k < opts.episodes; k++) returns.push((await runEpisode(env, agent, { seed: opts.seed * 1000 + k, keep: false })).totalReturn);
    return { agent: agent.name, task, envSteps, returns, mean: returns.reduce((a, b) => a + b, 0) / returns.length };
  } finally {
    agent.dispose();
    env.close();
  }
}
