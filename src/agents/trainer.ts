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
import { tdmpc2Discount, withNewDefaults, type AgentConfig } from "./config.js";
import { getTask } from "../envs/task.js";
import { TdmpcAgent } from "./tdmpc.js";
import { Tdmpc2Agent } from "./tdmpc2.js";
import type { EngineChoice } from "./engine.js";
import type { LearningAgent, UpdateInfo } from "./types.js";
import type { WorldModelConfig } from "../models/world-model.js";

export type Protocol = "tdmpc" | "tdmpc2";

export interface TrainOptions {
  /** The task, or several for multi-task TD-MPC2 (episodes taken in turn; protocol tdmpc2). */
  task: string | string[];
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
  /** Where updates run: "onnx" (onnxruntime graphs), "tfjs", or "auto" (default: onnx where the config allows). */
  engine?: EngineChoice;
  /** onnxruntime intra-op threads of updates and planning rollouts (default 1; 2 uses the second core of a 2-core
   * machine when nothing else runs there). A run may resume with another count: the speed changes, and
   * the order of the sums may (so the last bits of the weights, not the method). */
  threads?: number;
  /** Stop after this many episodes of this session (tests simulate a kill with it). */
  stopAfterEpisodes?: number;
  /** TD-MPC: checkpoint every this many of the updates that follow an episode, when more remain (default 500). */
  checkpointUpdates?: number;
  /** Called after each checkpoint is written (tests simulate a kill by throwing from it). */
  onCheckpoint?: (counters: Readonly<RunCounters>) => void;
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

/** The agent for a config; several tasks' sizes make a multi-task TD-MPC2 (largest observation and action). */
export function makeAgent(cfg: AgentConfig, obsDim: number | number[], actionDim: number | number[], seed: number): LearningAgent {
  const obsDims = typeof obsDim === "number" ? [obsDim] : obsDim;
  const actionDims = typeof actionDim === "number" ? [actionDim] : actionDim;
  const [O, A] = [Math.max(...obsDims), Math.max(...actionDims)];
  if (cfg.agent === "tdmpc") {
    if (obsDims.length > 1) throw new Error("multi-task training is TD-MPC2's: use --agent tdmpc2");
    return new TdmpcAgent(cfg, O, A, seed);
  }
  const c = obsDims.length > 1 ? { ...cfg, num_tasks: obsDims.length, task_dim: cfg.task_dim > 0 ? cfg.task_dim : 96 } : cfg;
  return new Tdmpc2Agent(c, O, A, seed, { obsDims, actionDims });
}

/**
 * The env of a protocol: TD-MPC's per-task action repeat, or TD-MPC2's 2 for every task; with a pixel config
 * (modality=pixels) its observations are uint8 frame stacks [3·frame_stack, img_size, img_size] from camera 0.
 */
export async function protocolEnv(task: string, protocol: Protocol, seed: number, cfg?: Pick<WorldModelConfig, "modality" | "img_size" | "frame_stack">): Promise<Env> {
  const actionRepeat = protocol === "tdmpc2" ? 2 : undefined;
  if (cfg?.modality !== "pixels") return makeEnv(task, { seed, actionRepeat });
  // the agents and the replay store read observations as ArrayLike<number>: a Uint8Array stack serves as one
  return (await makeEnv(task, { seed, actionRepeat, pixels: true, size: cfg.img_size, frameStack: cfg.frame_stack })) as unknown as Env;
}

/** Values per observation: the state's size, or all bytes of a frame stack. */
export function observationSize(env: Env): number {
  return env.observationSpace.shape.reduce((a, b) => a * b, 1);
}

/** Environment steps per agent step under a protocol. */
export function envStepsPerAgentStep(env: Env, protocol: Protocol): number {
  return protocol === "tdmpc2" ? 1 : env.actionRepeat;
}

/** The config with what depends on the task filled in (episode length, TD-MPC2's discount and seed steps). */
export function configForEnv(cfg: AgentConfig, env: Env): AgentConfig {
  return configForEpisode(cfg, env.maxEpisodeSteps);
}

/** The same from a task's name alone (no simulator): the agent steps of its episode under a protocol. */
export function configForTask(cfg: AgentConfig, task: string, protocol: Protocol): AgentConfig {
  const t = getTask(task);
  return configForEpisode(cfg, Math.ceil(t.episodeLength / (protocol === "tdmpc2" ? 2 : t.actionRepeat)));
}

function configForEpisode(cfg: AgentConfig, L: number): AgentConfig {
  if (cfg.agent === "tdmpc") return { ...cfg, episode_length: L };
  return { ...cfg, episode_length: L, discount: tdmpc2Discount(cfg, L), seed_steps: cfg.seed_steps > 0 ? cfg.seed_steps : Math.max(1000, 5 * L) };
}

export async function train(cfg0: AgentConfig, opts: TrainOptions): Promise<ResultRow[]> {
  const tasks = typeof opts.task === "string" ? [opts.task] : opts.task;
  if (tasks.length === 0 || new Set(tasks).size !== tasks.length) throw new RangeError(`tasks must be a non-empty list without repeats, got [${tasks.join(", ")}]`);
  const protocol = opts.protocol ?? (cfg0.agent === "tdmpc2" ? "tdmpc2" : "tdmpc");
  if (tasks.length > 1 && protocol !== "tdmpc2") throw new RangeError("multi-task runs use the tdmpc2 protocol (every task: action repeat 2, 500-step episodes)");
  const envs: Env[] = [];
  const evalEnvs: Env[] = [];
  for (const t of tasks) {
    envs.push(await protocolEnv(t, protocol, opts.seed, cfg0));
    evalEnvs.push(await protocolEnv(t, protocol, opts.seed, cfg0));
  }
  const env = envs[0]!;
  const cfg = configForEnv(cfg0, env);
  const perStep = envStepsPerAgentStep(env, protocol);
  const evalFreq = opts.evalFreq ?? (cfg.agent === "tdmpc" ? 20_000 : 50_000);
  const evalEpisodes = opts.evalEpisodes ?? 10;
  const threads = opts.threads ?? 1;
  for (const [k, v] of Object.entries({ steps: opts.steps, evalFreq, evalEpisodes, threads })) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${k} must be a positive integer, got ${v}`);
  }
  const label = opts.label ?? "";
  const taskName = tasks.join("+");
  const runDir = opts.runDir ?? defaultRunDir(`${cfg.agent}-${label || "custom"}-${taskName}-s${opts.seed}`);
  const out = opts.out ?? join(runDir, "results.csv");
  const ckptDir = join(runDir, "checkpoints");
  const obsDims = envs.map(observationSize);
  const actionDims = envs.map((e) => e.actionSpace.shape[0]!);
  const [obsDim, actionDim] = [Math.max(...obsDims), Math.max(...actionDims)];
  const agent = makeAgent(cfg, obsDims, actionDims, opts.seed);
  const engine = await agent.useEngine(opts.engine ?? "auto", opts.seed, threads);
  if (opts.engine === "onnx" && engine.kind !== "onnx") throw new Error(`--engine onnx cannot train this agent: ${engine.why}`);
  if (engine.why && !opts.silent) console.error(`engine: tfjs (${engine.why})`);
  const setTask = (k: number) => agent.setTask?.(k);
  /** Pad a task's observation or action to the model's size (multi-task). */
  const pad = (x: Float32Array, n: number) => {
    if (x.length === n) return x;
    const y = new Float32Array(n);
    y.set(x);
    return y;
  };
  const rows: ResultRow[] = [];
  try {
    mkdirSync(runDir, { recursive: true });
    const identity = { ...runIdentity({ task: opts.task, seed: opts.seed, protocol, steps: opts.steps, evalFreq, evalEpisodes, label, cfg }), engine: engine.kind };
    const configFile = join(runDir, "config.json");
    let store: ReplayStore;
    let c: RunCounters;
    const latest = opts.resume ? latestCheckpoint(ckptDir) : undefined;
    if (opts.resume && existsSync(configFile)) {
      const diff = runIdentityDiff(JSON.parse(readFileSync(configFile, "utf8")) as Record<string, unknown>, identity);
      if (diff.length) throw new Error(`--resume: ${configFile} describes another run (${diff.join("; ")}); use a new run directory`);
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
        frames: cfg.modality === "pixels" ? { frameStack: cfg.frame_stack } : undefined, // uint8 frames, each kept once
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
    const bar = progress(opts.steps, `${agent.name} ${taskName} seed ${opts.seed} [${engine.kind}]`, { silent: opts.silent, start: c.envSteps });
    let lastReturn = Number.NaN;
    let session = 0;
    const session0 = performance.now() / 1000;
    const updates0 = agent.updates;
    const evaluate = async () => {
      for (let i = 0; i < tasks.length; i++) {
        setTask(i);
        const returns: number[] = [];
        for (let k = 0; k < evalEpisodes; k++) {
          const ep = await runEpisode(evalEnvs[i]!, agent, { seed: 1_000_000_007 + opts.seed * 10_007 + c.evals * evalEpisodes + k, explore: false, keep: false });
          returns.push(ep.totalReturn);
        }
        const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
        write(row(tasks[i]!, "eval", mean, returns.map((r) => r.toFixed(1)).join(";"), Number.NaN));
      }
      c.evals++;
    };
    const row = (task: string, kind: ResultRow["kind"], ret: number, returns: string, loss: number): ResultRow => ({
      task,
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
      opts.onCheckpoint?.(c);
    };

    if (c.evals === 0) await evaluate(); // step 0, as TD-MPC's trainer does
    while (c.envSteps < opts.steps) {
      if (opts.stopAfterEpisodes !== undefined && session >= opts.stopAfterEpisodes) break;
      // the mean training loss of this episode's updates (a sum kept across a checkpoint among them)
      const acc = { sum: c.pending?.lossSum ?? 0, count: c.pending?.lossCount ?? 0 };
      const doUpdates = async (n: number) => {
        for (let i = 0; i < n && store.numSequences > 0; i++) {
          const batch = store.sampleSequences(cfg.batch_size);
          const info: UpdateInfo = await agent.update(batch);
          if (info.priorities) store.updatePriorities(batch.index, info.priorities);
          acc.sum += info.total;
          acc.count++;
        }
      };
      let ep: { task: number; steps: number; totalReturn: number };
      if (c.pending) {
        ep = c.pending; // resumed among the updates that follow an episode already in the store
      } else {
        const episodeStart = c.agentSteps;
        if (cfg.agent === "tdmpc") agent.step = episodeStart;
        const collector: Agent = {
          name: agent.name,
          reset: () => agent.reset(),
          act: (obs, ctx) => agent.act(obs, ctx),
          observe: async () => {
            if (cfg.agent !== "tdmpc2") return;
            const s = agent.step;
            if (s >= cfg.seed_steps) await doUpdates(s === cfg.seed_steps ? cfg.seed_steps : 1);
            agent.step = s + 1;
          },
        };
        const k = c.episodes % tasks.length; // multi-task: the tasks take turns
        setTask(k);
        const played = await runEpisode(envs[k]!, collector, { seed: opts.seed * 1_000_003 + c.episodes, explore: true });
        store.addEpisode({ observations: played.observations.map((o) => pad(o, obsDim)), actions: played.actions.map((a) => pad(a, actionDim)), rewards: played.rewards, task: k });
        ep = { task: k, steps: played.steps, totalReturn: played.totalReturn };
        if (cfg.agent === "tdmpc") {
          agent.step = episodeStart + played.steps;
          const n = episodeStart < cfg.seed_steps ? 0 : agent.updates === 0 ? Math.max(cfg.seed_steps, played.steps) : played.steps;
          if (n > 0) c.pending = { ...ep, updates: n, lossSum: 0, lossCount: 0 };
        }
      }
      // TD-MPC updates after the episode. The first time, seed_steps of them at once (hours for a large or pixel
      // model): a checkpoint every `checkpointUpdates` keeps a kill from losing them all.
      while (c.pending && c.pending.updates > 0) {
        const m = Math.min(c.pending.updates, opts.checkpointUpdates ?? 500);
        await doUpdates(m);
        c.pending = { ...c.pending, updates: c.pending.updates - m, lossSum: acc.sum, lossCount: acc.count };
        if (c.pending.updates > 0) {
          await checkpoint();
          bar.update(Math.min(c.envSteps, opts.steps), { ret: lastReturn, updates: agent.updates, "updates left": c.pending.updates, tensors: tf.memory().numTensors });
        }
      }
      c.pending = undefined;
      const k = ep.task;
      c.agentSteps += ep.steps;
      c.envSteps += ep.steps * perStep;
      c.episodes++;
      session++;
      lastReturn = ep.totalReturn;
      write(row(tasks[k]!, "train", ep.totalReturn, "", acc.count ? acc.sum / acc.count : Number.NaN));
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
    for (const e of [...envs, ...evalEnvs]) e.close();
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

/** What tells two runs apart (a run folder's config.json holds it, with the engine that trained it). */
export function runIdentity(o: { task: string | string[]; seed: number; protocol: Protocol; steps: number; evalFreq: number; evalEpisodes: number; label: string; cfg: AgentConfig }): Record<string, unknown> {
  return { task: o.task, seed: o.seed, protocol: o.protocol, steps: o.steps, evalFreq: o.evalFreq, evalEpisodes: o.evalEpisodes, label: o.label, cfg: o.cfg };
}

/**
 * How a saved run identity (a run folder's config.json) differs from another, as "key: saved → now" lines; empty when
 * they are the same run. A config key the saved run lacks was added to the library after it started: the run behaved
 * as that key's default, so it matches when the other identity holds the default.
 */
export function runIdentityDiff(saved: Record<string, unknown>, now: Record<string, unknown>): string[] {
  const show = (v: unknown) => JSON.stringify(v);
  const out: string[] = [];
  for (const k of new Set([...Object.keys(saved), ...Object.keys(now)]))
    if (k !== "cfg" && show(saved[k]) !== show(now[k])) out.push(`${k}: ${show(saved[k])} → ${show(now[k])}`);
  const [a, b] = [(saved.cfg ?? {}) as Record<string, unknown>, (now.cfg ?? {}) as Record<string, unknown>];
  const was = withNewDefaults({ ...a, agent: a.agent ?? b.agent } as unknown as AgentConfig) as unknown as Record<string, unknown>;
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) if (show(was[k]) !== show(b[k])) out.push(`${k}: ${show(a[k])} → ${show(b[k])}`);
  return out;
}
