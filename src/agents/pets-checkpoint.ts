/**
 * PETS checkpoints: what a killed `runPets` continues from, so that the resumed run plays exactly the episodes
 * the uninterrupted one would have (same returns): the ensemble (weights, Adam moments, its generator,
 * normalisers), every transition collected, the random-action generator, and the rows reported so far.
 *
 * Layout: `<dir>/episode-<n>/` (n = episodes finished) holding state.json, ensemble.json + ensemble.bin (nn/io.ts)
 * and the replay store (replay.bin, src/replay/io.ts). A checkpoint is written into a temporary folder and renamed
 * into place (atomic), then older ones are deleted: a crash at any moment leaves one complete checkpoint.
 * Size: the ensemble's weights three times (Adam's two moments) plus the data, ~5 MB for the default ensemble.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DynamicsEnsemble } from "../models/ensemble.js";
import { CheckpointError } from "../nn/io.js";
import { readReplay, writeReplay, type ReplayHeader } from "../replay/io.js";
import type { ReplayStore } from "../replay/store.js";
import type { PetsConfig, PetsEpisodeResult } from "./pets.js";

export const PETS_CHECKPOINT_FORMAT = "tdmpc-ts/pets-checkpoint";
const VERSION = 2; // 2: the data is the replay store (1: flat transitions)

/** The loop's own state at the end of an episode. */
export interface PetsRunState {
  /** Episodes finished (random and MPC). */
  episodes: number;
  envSteps: number;
  modelLoss: number;
  wallSec: number;
  /** The random-action generator (`Rng.getState()`). */
  rng: number[];
  results: PetsEpisodeResult[];
}

/** The config that must match for a checkpoint to be resumed: everything but ntrainIters (more iterations extend a run). */
function identity(c: PetsConfig): Record<string, unknown> {
  const { ntrainIters: _, ...rest } = c;
  return JSON.parse(canonical(rest)) as Record<string, unknown>;
}

/** JSON with sorted keys (the same config written in another order is the same config). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(v ?? null);
}

const nanToNull = (v: number) => (Number.isNaN(v) ? null : v);
const nullToNaN = (v: number | null) => (v === null ? Number.NaN : v);

export async function savePetsCheckpoint(dir: string, config: PetsConfig, state: PetsRunState, ensemble: DynamicsEnsemble, data: ReplayStore): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const final = join(dir, `episode-${state.episodes}`);
  const tmp = `${final}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  await ensemble.save(join(tmp, "ensemble"));
  const replay = writeReplay(tmp, data);
  const json = {
    format: PETS_CHECKPOINT_FORMAT,
    version: VERSION,
    config: identity(config),
    replay,
    ...state,
    modelLoss: nanToNull(state.modelLoss),
    rng: state.rng.map(nanToNull),
    results: state.results.map((r) => ({ ...r, modelLoss: nanToNull(r.modelLoss) })),
  };
  writeFileSync(join(tmp, "state.json"), JSON.stringify(json));
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  for (const e of readdirSync(dir)) if (e !== `episode-${state.episodes}` && /^episode-\d+(\.tmp-\d+)?$/.test(e)) rmSync(join(dir, e), { recursive: true, force: true });
}

/** The newest complete checkpoint folder in `dir`, if any. */
function latest(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const ns = readdirSync(dir)
    .map((e) => /^episode-(\d+)$/.exec(e))
    .filter((m): m is RegExpExecArray => m !== null && existsSync(join(dir, m[0], "state.json")))
    .map((m) => Number(m[1]));
  return ns.length ? join(dir, `episode-${Math.max(...ns)}`) : undefined;
}

/**
 * Load the newest checkpoint in `dir` into `ensemble` and return the loop state with the replay store, or undefined when
 * there is none. A checkpoint of another config is refused (CheckpointError naming the fields that differ).
 */
export function loadPetsCheckpoint(dir: string, config: PetsConfig, ensemble: DynamicsEnsemble, capacity?: number): (PetsRunState & { data: ReplayStore }) | undefined {
  const at = latest(dir);
  if (!at) return undefined;
  const file = join(at, "state.json");
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (e) {
    throw new CheckpointError(file, `cannot read it (${e instanceof Error ? e.message : String(e)})`);
  }
  if (j === null || typeof j !== "object" || j.format !== PETS_CHECKPOINT_FORMAT || j.version !== VERSION) throw new CheckpointError(file, `not a ${PETS_CHECKPOINT_FORMAT} v${VERSION} state`);
  const want = identity(config);
  const have = (j.config ?? {}) as Record<string, unknown>;
  const differ = [...new Set([...Object.keys(want), ...Object.keys(have)])].filter((k) => canonical(want[k]) !== canonical(have[k]));
  if (differ.length) {
    throw new CheckpointError(file, `was written by a PETS run with another config (${differ.map((k) => `${k}: ${canonical(have[k])} there, ${canonical(want[k])} here`).join("; ")}): resume with the same settings, or use another checkpoint folder`);
  }
  const data = readReplay(at, j.replay as ReplayHeader, capacity);
  ensemble.load(join(at, "ensemble"));
  return {
    data,
    episodes: j.episodes as number,
    envSteps: j.envSteps as number,
    modelLoss: nullToNaN(j.modelLoss as number | null),
    wallSec: j.wallSec as number,
    rng: (j.rng as (number | null)[]).map(nullToNaN),
    results: (j.results as PetsEpisodeResult[]).map((r) => ({ ...r, modelLoss: nullToNaN(r.modelLoss as number | null) })),
  };
}
