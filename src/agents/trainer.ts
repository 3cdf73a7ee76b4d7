/**
 * The one trainer of TD-MPC and TD-MPC2: collect episodes with the agent (random actions for the seed steps), keep
 * them in the replay store, update, evaluate every `evalFreq` environment steps, append results as they come, and
 * checkpoint so that a killed run resumes exactly (`resume: true`).
 *
 * Update schedules, as the official trainers run them:
 *   tdmpc   after each episode, one update per agent step collected (TD-MPC train.py); at step = seed_steps, seed_steps
 *           updates; the schedules read the agent step at the episode's start.
 *   tdmpc2  one update per agent step, between env steps (TD-MPC2 online_trainer.py); at step = seed_steps, seed_steps.
 * Protocols (how an episode and an environment step are counted, as each paper did):
 *   tdmpc   the task's action repeat (cartpole 8, walker 2, others 4), 1000-control-step episodes; env steps = control steps.
 *   tdmpc2  action repeat 2 for every task, 500-step episodes; env steps = agent steps (the TD-MPC2 code's counter).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, statSync, truncateSync, writeFileSync, writeSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { runEpisode, type Agent } from "../envs/agent.js";
import type { Env } from "../envs/env.js";
import { makeEnv } from "../envs/registry.js";
import { tf } from "../nn/backend.js";
import { ReplayStore } from "../replay/store.js";
import { progress } from "../util/progress.js";
import { latestCheckpoint, loadRunCheckpoint, saveRunCheckpoint, type RunCounters } from "./checkpoint.js";
import { tdmpc2Discount, type AgentConfig } from "./config.js";
import { TdmpcAgent } from "./tdmpc.js";
import { Tdmpc2Agent } from "./tdmpc2.js";
import type { LearningAgent, UpdateInfo } from "./types.js";

export type Protocol = "tdmpc" | "tdmpc2";

export interface TrainOptions {
  task: string;
  seed: number;
  /** Environment steps to train for (as the protocol counts them). */
  steps: number;
  protocol?: Protocol;
  evalFreq?: number;
  evalEpisodes?: number;
  /** Checkpoint every this many episodes (and at every evaluation). */
  checkpointEvery?: number;
  /** Run directory (checkpoints, config, default results file); default ~/.cache/tdmpc-ts/runs/<name>. */
  runDir?: string;
  /** Results CSV (default <runDir>/results.csv). */
  out?: string;
  resume?: boolean;
  /** Label written into each row (e.g. the preset name). */
  label?: string;
  /** Called after every training episode and evaluation (notebooks: live plots). */
  onRow?: (row: ResultRow) => void;
  /** No progress bar (tests). */
  silent?: boolean;
  /** Stop after this many episodes of this session (tests simulate a kill with it). */
  stopAfterEpisodes?: number;
}

export interface ResultRow {
  task: string;
  agent: string;
  label: string;
  seed: number;
  kind: "train" | "eval";
  env_step: number;
  agent_step: number;
  episode: number;
  /** Training: the episode's return; evaluation: the mean over the evaluation episodes. */
  return: number;
  /** Evaluation only: each episode's return, ";"-separated. */
  returns: string;
  updates: number;
  wall_sec: number;
  /** Training only: mean model loss over the episode's updates (NaN before the first update). */
  loss: number;
}

export const RESULT_COLUMNS: (keyof ResultRow)[] = ["task", "agent", "label", "seed", "kind", "env_step", "agent_step", "episode", "return", "returns", "updates", "wall_sec", "loss"];

export function defaultRunDir(name: string): string {
  return join(process.env.TDMPC_CACHE ?? join(homedir(), ".cache", "tdmpc-ts"), "runs", name);
}

export function makeAgent(cfg: AgentConfig, obsDim: number, actionDim: number, seed: number): LearningAgent {
  return cfg.agent === "tdmpc" ? new TdmpcAgent(cfg, obsDim, actionDim, seed) : new Tdmpc2Agent(cfg, obsDim, actionDim, seed);
}

/** The env of a protocol: TD-MPC's per-task action repeat, or TD-MPC2's 2 for every task. */
export async function protocolEnv(task: string, protocol: Protocol, seed: number): Promise<Env> {
  return makeEnv(task, { seed, actionRepeat: protocol === "tdmpc2" ? 2 : undefined });
}

/** Environment steps per agent step under a protocol. */
export function envStepsPerAgentStep(env: Env, protocol: Protocol): number {
  return protocol === "tdmpc2" ? 1 : env.actionRepeat;
}

/** The config with what depends on the task filled in (episode length, TD-MPC2's discount and seed steps). */
export function configForEnv(cfg: AgentConfig, env: Env): AgentConfig {
  const L = env.maxEpisodeSteps;
  if (cfg.agent === "tdmpc") return { ...cfg, episode_length: L };
  return { ...cfg, episode_length: L, discount: tdmpc2Discount(cfg, L), seed_steps: cfg.seed_steps > 0 ? cfg.seed_steps : Math.max(1000, 5 * L) };
}

export async function train(cfg0: AgentConfig, opts: TrainOptions): Promise<ResultRow[]> {
  const protocol = opts.protocol ?? (cfg0.agent === "tdmpc2" ? "tdmpc2" : "tdmpc");
  const env = await protocolEnv(opts.task, protocol, opts.seed);
  const cfg = configForEnv(cfg0, env);
  const perStep = envStepsPerAgentStep(env, protocol);
  const evalFreq = opts.evalFreq ?? (cfg.agent === "tdmpc" ? 20_000 : 50_000);
  const evalEpisodes = opts.evalEpisodes ?? 10;
  for (const [k, v] of Object.entries({ steps: opts.steps, evalFreq, evalEpisodes })) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${k} must be a positive integer, got ${v}`);
  }
  const label = opts.label ?? "";
  const runDir = opts.runDir ?? defaultRunDir(`${cfg.agent}-${label || "custom"}-${opts.task}-s${opts.seed}`);
  const out = opts.out ?? join(runDir, "results.csv");
  const ckptDir = join(runDir, "checkpoints");
  const obsDim = env.observationSpace.shape[0]!;
  const actionDim = env.actionSpace.shape[0]!;
  const agent = makeAgent(cfg, obsDim, actionDim, opts.seed);
  const evalEnv = await protocolEnv(opts.task, protocol, opts.seed);
  const rows: ResultRow[] = [];
  try {
    mkdirSync(runDir, { recursive: true });
    const identity = { task: opts.task, seed: opts.seed, protocol, steps: opts.steps, evalFreq, evalEpisodes, label, cfg };
    const configFile = join(runDir, "config.json");
    let store: ReplayStore;
    let c: RunCounters;
    const latest = opts.resume ? latestCheckpoint(ckptDir) : undefined;
    if (opts.resume && existsSync(configFile)) {
      const saved = readFileSync(configFile, "utf8");
      if (saved !== JSON.stringify(identity, null, 1)) throw new Error(`--resume: ${configFile} describes another run (task, seed, steps or config differ); use a new run directory`);
    } else if (!opts.resume && latestCheckpoint(ckptDir)) {
      throw new Error(`${runDir} already holds a run: pass --resume to continue it, or choose another --run-dir`);
    }
    writeFileSync(configFile, JSON.stringify(identity, null, 1));
    if (latest) {
      ({ counters: c, store } = loadRunCheckpoint(latest, agent));
      truncateResults(out, c.resultsBytes);
    } else {
      store = new ReplayStore({
        obsDim,
        actionDim,
        capacity: Math.min(cfg.agent === "tdmpc" ? cfg.max_buffer_size : cfg.buffer_size, Math.ceil(opts.steps / perStep) + 2 * env.maxEpisodeSteps),
        horizon: cfg.horizon,
        priority: cfg.agent === "tdmpc" && cfg.per ? { alpha: cfg.per_alpha, beta: cfg.per_beta } : undefined,
        seed: opts.seed,
      });
      c = { agentSteps: 0, envSteps: 0, episodes: 0, evals: 0, resultsBytes: 0, wallSec: 0 };
      truncateResults(out, 0);
    }
    const results = new ResultsFile(out);
    const wall0 = performance.now() / 1000 - c.wallSec;
    const write = (row: ResultRow) => {
      results.append(row);
      rows.push(row);
      opts.onRow?.(row);
    };
    const bar = progress(opts.steps, `${agent.name} ${opts.task} seed ${opts.seed}`, { silent: opts.silent });
    let lastReturn = Number.NaN;
    let session = 0;
    const session0 = performance.now() / 1000;
    const updates0 = agent.updates;
    const evaluate = async () => {
      const returns: number[] = [];
      for (let k = 0; k < evalEpisodes; k++) {
        const ep = await runEpisode(evalEnv, agent, { seed: 1_000_000_007 + opts.seed * 10_007 + c.evals * evalEpisodes + k, explore: false, keep: false });
        returns.push(ep.totalReturn);
      }
      const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
      write(row("eval", mean, returns.map((r) => r.toFixed(1)).join(";"), Number.NaN));
      c.evals++;
    };
    const row = (kind: ResultRow["kind"], ret: number, returns: string, loss: number): ResultRow => ({
      task: opts.task,
      agent: cfg.agent,
      label,
      seed: opts.seed,
      kind,
      env_step: c.envSteps,
      agent_step: c.agentSteps,
      episode: c.episodes,
      return: ret,
      returns,
      updates: agent.updates,
      wall_sec: performance.now() / 1000 - wall0,
      loss,
    });
    const checkpoint = async () => {
      c.wallSec = performance.now() / 1000 - wall0;
      c.resultsBytes = results.bytes();
      await saveRunCheckpoint(ckptDir, agent, store, c);
    };

    if (c.evals === 0) await evaluate(); // step 0, as TD-MPC's trainer does
    while (c.envSteps < opts.steps) {
      if (opts.stopAfterEpisodes !== undefined && session >= opts.stopAfterEpisodes) break;
      const losses: number[] = [];
      const doUpdates = (n: number) => {
        for (let i = 0; i < n && store.numSequences > 0; i++) {
          const batch = store.sampleSequences(cfg.batch_size);
          const info: UpdateInfo = agent.update(batch);
          if (info.priorities) store.updatePriorities(batch.index, info.priorities);
          losses.push(info.total);
        }
      };
      const episodeStart = c.agentSteps;
      if (cfg.agent === "tdmpc") agent.step = episodeStart;
      const collector: Agent = {
        name: agent.name,
        reset: () => agent.reset(),
        act: (obs, ctx) => agent.act(obs, ctx),
        observe: () => {
          if (cfg.agent !== "tdmpc2") return;
          const s = agent.step;
          if (s >= cfg.seed_steps) doUpdates(s === cfg.seed_steps ? cfg.seed_steps : 1);
          agent.step = s + 1;
        },
      };
      const ep = await runEpisode(env, collector, { seed: opts.seed * 1_000_003 + c.episodes, explore: true });
      store.addEpisode({ observations: ep.observations, actions: ep.actions, rewards: ep.rewards });
      if (cfg.agent === "tdmpc") {
        agent.step = episodeStart + ep.steps;
        if (episodeStart >= cfg.seed_steps) doUpdates(agent.updates === 0 ? Math.max(cfg.seed_steps, ep.steps) : ep.steps);
      }
      c.agentSteps += ep.steps;
      c.envSteps += ep.steps * perStep;
      c.episodes++;
      session++;
      lastReturn = ep.totalReturn;
      write(row("train", ep.totalReturn, "", losses.length ? losses.reduce((a, b) => a + b, 0) / losses.length : Number.NaN));
      const evalDue = Math.floor(c.envSteps / evalFreq) > Math.floor((c.envSteps - ep.steps * perStep) / evalFreq) || c.envSteps >= opts.steps;
      if (evalDue) await evaluate();
      if (evalDue || c.episodes % (opts.checkpointEvery ?? 10) === 0 || c.envSteps >= opts.steps) await checkpoint();
      const now = performance.now() / 1000;
      const ups = (agent.updates - updates0) / Math.max(now - session0, 1e-9);
      bar.update(Math.min(c.envSteps, opts.steps), { ret: lastReturn, updates: agent.updates, "upd/s": ups, tensors: tf.memory().numTensors });
    }
    bar.stop();
    results.close();
  } finally {
    agent.dispose();
    env.close();
    evalEnv.close();
  }
  return rows;
}

/** Cut a results file back to `bytes` (what the checkpoint saw): rows written after it are regenerated identically. */
function truncateResults(file: string, bytes: number): void {
  mkdirSync(dirname(file), { recursive: true });
  if (!existsSync(file)) return;
  if (bytes === 0) writeFileSync(file, "");
  else if (statSync(file).size > bytes) truncateSync(file, bytes);
}

/** Append-only CSV with a header, each row written and fsync'd whole. */
class ResultsFile {
  private fd: number;
  private size: number;
  constructor(readonly file: string) {
    this.fd = openSync(file, "a");
    this.size = statSync(file).size;
    if (this.size === 0) this.write(RESULT_COLUMNS.join(",") + "\n");
  }
  append(r: ResultRow): void {
    this.write(RESULT_COLUMNS.map((k) => fmt(r[k])).join(",") + "\n");
  }
  bytes(): number {
    return this.size;
  }
  close(): void {
    closeSync(this.fd);
  }
  private write(s: string): void {
    const b = Buffer.from(s);
    writeSync(this.fd, b);
    fsyncSync(this.fd);
    this.size += b.length;
  }
}

function fmt(v: unknown): string {
  if (typeof v === "number") return Number.isNaN(v) ? "" : Number.isInteger(v) ? String(v) : v.toFixed(4);
  return String(v);
}
