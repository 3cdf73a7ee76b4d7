/**
 * Checkpoints of a learning agent and its run: everything needed to continue exactly where a killed run stopped —
 * parameters, target network, both optimisers, the replay store, every random stream, the counters and the agent's
 * extra state (TD-MPC2's running scale). A checkpoint is a directory written under a temporary name and renamed into
 * place; a `latest` file (also written then renamed) names the newest complete one, so a kill at any moment leaves
 * the previous checkpoint intact.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CheckpointError, loadCheckpoint, saveCheckpoint } from "../nn/io.js";
import { readReplay, writeReplay, type ReplayHeader } from "../replay/io.js";
import type { ReplayStore } from "../replay/store.js";
import type { TrainerState } from "../nn/onnx/engines.js";
import type { LearningAgent } from "./types.js";

export interface RunCounters {
  /** Agent steps, environment steps (as the protocol counts them), episodes and evaluations done. */
  agentSteps: number;
  envSteps: number;
  episodes: number;
  evals: number;
  /** Bytes of the results file at this checkpoint: a resumed run truncates anything written after. */
  resultsBytes: number;
  /** Wall-clock seconds spent so far (summed over resumed sessions). */
  wallSec: number;
  /**
   * Set when the checkpoint was taken among the updates that follow an episode (already in the store, not yet in
   * the counters): the updates still to do, the episode's task, length and return, and the loss sum so far.
   */
  pending?: { updates: number; task: number; steps: number; totalReturn: number; lossSum: number; lossCount: number };
}

export interface AgentCheckpoint {
  counters: RunCounters;
  store: ReplayStore;
}

export async function saveRunCheckpoint(dir: string, agent: LearningAgent, store: ReplayStore, counters: RunCounters): Promise<string> {
  mkdirSync(dir, { recursive: true });
  // among an episode's updates: its own name (the previous checkpoint, at the same episode count, stays until then)
  const name = `ckpt-${String(counters.episodes).padStart(7, "0")}${counters.pending ? `-u${String(counters.pending.updates).padStart(7, "0")}` : ""}`;
  const tmp = join(dir, `${name}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  agent.updater?.sync(); // ONNX training: the tfjs copy of the weights is refreshed before it is saved
  await saveCheckpoint(join(tmp, "model"), agent.wm.params, { optim: agent.optim, piOptim: agent.piOptim });
  const engine = agent.updater ? writeEngineState(tmp, agent.updater.state()) : undefined;
  await saveCheckpoint(join(tmp, "target"), agent.wm.target);
  const replay = writeReplay(tmp, store);
  const state = {
    counters,
    replay,
    rng: { agent: agent.rng.getState(), model: agent.wm.rng.getState() },
    planner: agent.planner.getState(),
    agentStep: agent.step,
    updates: agent.updates,
    extra: agent.extraState?.() ?? {},
    engine,
  };
  writeFileSync(join(tmp, "state.json"), JSON.stringify(state));
  const final = join(dir, name);
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  writeFileSync(join(dir, "latest.tmp"), name);
  renameSync(join(dir, "latest.tmp"), join(dir, "latest"));
  for (const old of readdirSync(dir)) if (old.startsWith("ckpt-") && old !== name) rmSync(join(dir, old), { recursive: true, force: true });
  return final;
}

interface EngineHeader {
  steps: Record<string, number>;
  updates: number;
  rng: (number | null)[];
  tensors: { key: string; offset: number; length: number }[];
}

/** The ONNX engine's state (weights, targets, Adam moments, counters, noise stream) as engine.bin + a header. */
function writeEngineState(dir: string, s: TrainerState): EngineHeader {
  const keys = Object.keys(s.tensors).sort();
  let n = 0;
  const tensors = keys.map((key) => {
    const e = { key, offset: n, length: s.tensors[key]!.length };
    n += e.length;
    return e;
  });
  const all = new Float32Array(n);
  for (const t of tensors) all.set(s.tensors[t.key]!, t.offset);
  writeFileSync(join(dir, "engine.bin"), new Uint8Array(all.buffer));
  return { steps: s.steps, updates: s.updates, rng: s.rng, tensors };
}

function readEngineState(dir: string, h: EngineHeader): TrainerState {
  const f = join(dir, "engine.bin");
  const raw = readFileSync(f);
  const all = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const tensors: Record<string, Float32Array> = {};
  for (const t of h.tensors) {
    if (t.offset + t.length > all.length) throw new CheckpointError(f, `tensor "${t.key}" runs past the end of the file: truncated`);
    tensors[t.key] = all.slice(t.offset, t.offset + t.length);
  }
  return { tensors, steps: h.steps, updates: h.updates, rng: h.rng.map((x) => (x === null ? Number.NaN : x)) };
}

/** The newest complete checkpoint under `dir`, or undefined when there is none. */
/** A checkpoint folder's name, ckpt-<episodes>[-u<pending updates>] (see saveRunCheckpoint). */
export const CHECKPOINT_NAME = /^ckpt-\d+(-u\d+)?$/;

export function latestCheckpoint(dir: string): string | undefined {
  const f = join(dir, "latest");
  if (!existsSync(f)) return undefined;
  const name = readFileSync(f, "utf8").trim();
  const path = join(dir, name);
  if (!CHECKPOINT_NAME.test(name) || !existsSync(join(path, "state.json"))) throw new CheckpointError(f, `names "${name}", which is not a complete checkpoint`);
  return path;
}

/** Load a checkpoint into a freshly built agent (same config and sizes); returns the counters and the replay store. */
export function loadRunCheckpoint(path: string, agent: LearningAgent, opts: { forEvaluation?: boolean } = {}): AgentCheckpoint {
  let state: {
    counters: RunCounters;
    replay: ReplayHeader;
    rng: { agent: number[]; model: number[] };
    planner: Parameters<LearningAgent["planner"]["setState"]>[0];
    agentStep: number;
    updates: number;
    extra: Record<string, unknown>;
    engine?: EngineHeader;
  };
  const sf = join(path, "state.json");
  try {
    state = JSON.parse(readFileSync(sf, "utf8"));
  } catch (e) {
    throw new CheckpointError(sf, `cannot read the run state (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!state || typeof state !== "object" || !state.counters || !state.replay || !state.rng) throw new CheckpointError(sf, "is not a run state (counters, replay or rng missing)");
  loadCheckpoint(join(path, "model"), agent.wm.params, { optim: agent.optim, piOptim: agent.piOptim });
  loadCheckpoint(join(path, "target"), agent.wm.target);
  const store = readReplay(path, state.replay);
  agent.rng.setState(state.rng.agent);
  agent.wm.rng.setState(state.rng.model);
  agent.planner.setState(state.planner);
  agent.step = state.agentStep;
  agent.updates = state.updates;
  agent.loadExtraState?.(state.extra);
  if (opts.forEvaluation) {
    // acting needs only the weights (saved synced from the engine); the optimiser state is not loaded
  } else if (agent.updater) {
    if (!state.engine) throw new CheckpointError(sf, "was written by a run that trained on tfjs; resume it with --engine tfjs");
    agent.updater.load(readEngineState(path, state.engine));
  } else if (state.engine) throw new CheckpointError(sf, "was written by a run that trained on onnxruntime; resume it with --engine onnx");
  return { counters: state.counters, store };
}
