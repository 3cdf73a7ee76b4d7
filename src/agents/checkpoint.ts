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
import { ReplayStore, type ReplaySnapshotMeta } from "../replay/store.js";
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
}

export interface AgentCheckpoint {
  counters: RunCounters;
  store: ReplayStore;
}

const ARRAY_TYPES = { Float32Array, Int32Array, Float64Array } as const;

export async function saveRunCheckpoint(dir: string, agent: LearningAgent, store: ReplayStore, counters: RunCounters): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const name = `ckpt-${String(counters.episodes).padStart(7, "0")}`;
  const tmp = join(dir, `${name}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  await saveCheckpoint(join(tmp, "model"), agent.wm.params, { optim: agent.optim, piOptim: agent.piOptim });
  await saveCheckpoint(join(tmp, "target"), agent.wm.target);
  const snap = store.snapshot();
  const arrays: Record<string, { type: string; offset: number; length: number }> = {};
  let bytes = 0;
  for (const [k, a] of Object.entries(snap.arrays)) {
    arrays[k] = { type: a.constructor.name, offset: bytes, length: a.length };
    bytes += a.byteLength;
  }
  const bin = new Uint8Array(bytes);
  for (const [k, a] of Object.entries(snap.arrays)) bin.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), arrays[k]!.offset);
  writeFileSync(join(tmp, "replay.bin"), bin);
  const state = {
    counters,
    replay: { meta: snap.meta, arrays },
    rng: { agent: agent.rng.getState(), model: agent.wm.rng.getState() },
    planner: agent.planner.getState(),
    agentStep: agent.step,
    updates: agent.updates,
    extra: agent.extraState?.() ?? {},
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

/** The newest complete checkpoint under `dir`, or undefined when there is none. */
export function latestCheckpoint(dir: string): string | undefined {
  const f = join(dir, "latest");
  if (!existsSync(f)) return undefined;
  const name = readFileSync(f, "utf8").trim();
  const path = join(dir, name);
  if (!/^ckpt-\d+$/.test(name) || !existsSync(join(path, "state.json"))) throw new CheckpointError(f, `names "${name}", which is not a complete checkpoint`);
  return path;
}

/** Load a checkpoint into a freshly built agent (same config and sizes); returns the counters and the replay store. */
export function loadRunCheckpoint(path: string, agent: LearningAgent): AgentCheckpoint {
  let state: {
    counters: RunCounters;
    replay: { meta: ReplaySnapshotMeta; arrays: Record<string, { type: keyof typeof ARRAY_TYPES; offset: number; length: number }> };
    rng: { agent: number[]; model: number[] };
    planner: Parameters<LearningAgent["planner"]["setState"]>[0];
    agentStep: number;
    updates: number;
    extra: Record<string, unknown>;
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
  const rf = join(path, "replay.bin");
  const bin = readFileSync(rf);
  const arrays: Record<string, Float32Array | Int32Array | Float64Array> = {};
  for (const [k, d] of Object.entries(state.replay.arrays)) {
    const T = ARRAY_TYPES[d.type];
    if (!T) throw new CheckpointError(rf, `array "${k}" has unknown type ${String(d.type)}`);
    const end = d.offset + d.length * T.BYTES_PER_ELEMENT;
    if (end > bin.length) throw new CheckpointError(rf, `array "${k}" runs past the end of the file (${bin.length} bytes): truncated`);
    arrays[k] = new T(bin.buffer.slice(bin.byteOffset + d.offset, bin.byteOffset + end));
  }
  const store = ReplayStore.restore(state.replay.meta, arrays);
  agent.rng.setState(state.rng.agent);
  agent.wm.rng.setState(state.rng.model);
  agent.planner.setState(state.planner);
  agent.step = state.agentStep;
  agent.updates = state.updates;
  agent.loadExtraState?.(state.extra);
  return { counters: state.counters, store };
}
