/**
 * The replay store on disk (checkpoints): its typed arrays in one binary file, and a JSON header the caller keeps
 * with the rest of its state. `readReplay` checks every array against the file before restoring.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CheckpointError } from "../nn/io.js";
import { ReplayStore, type ReplayArray, type ReplaySnapshotMeta } from "./store.js";

const ARRAY_TYPES = { Float32Array, Int32Array, Float64Array, Uint8Array } as const;

export interface ReplayHeader {
  meta: ReplaySnapshotMeta;
  arrays: Record<string, { type: keyof typeof ARRAY_TYPES; offset: number; length: number }>;
}

/** Write `<dir>/replay.bin`; return the header to store beside it. */
export function writeReplay(dir: string, store: ReplayStore): ReplayHeader {
  const snap = store.snapshot();
  const arrays: ReplayHeader["arrays"] = {};
  let bytes = 0;
  for (const [k, a] of Object.entries(snap.arrays)) {
    arrays[k] = { type: a.constructor.name as keyof typeof ARRAY_TYPES, offset: bytes, length: a.length };
    bytes += a.byteLength;
  }
  const bin = new Uint8Array(bytes);
  for (const [k, a] of Object.entries(snap.arrays)) bin.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), arrays[k]!.offset);
  writeFileSync(join(dir, "replay.bin"), bin);
  return { meta: snap.meta, arrays };
}

/** Restore the store written by `writeReplay` into `<dir>`. */
export function readReplay(dir: string, header: ReplayHeader, capacity?: number): ReplayStore {
  const rf = join(dir, "replay.bin");
  if (!header || typeof header !== "object" || !header.meta || !header.arrays) throw new CheckpointError(rf, "no replay header beside it");
  let bin: Buffer;
  try {
    bin = readFileSync(rf);
  } catch (e) {
    throw new CheckpointError(rf, `cannot read it (${e instanceof Error ? e.message : String(e)})`);
  }
  const arrays: Record<string, ReplayArray> = {};
  for (const [k, d] of Object.entries(header.arrays)) {
    const T = ARRAY_TYPES[d.type];
    if (!T) throw new CheckpointError(rf, `array "${k}" has unknown type ${String(d.type)}`);
    const end = d.offset + d.length * T.BYTES_PER_ELEMENT;
    if (end > bin.length) throw new CheckpointError(rf, `array "${k}" runs past the end of the file (${bin.length} bytes): truncated`);
    arrays[k] = new T(bin.buffer.slice(bin.byteOffset + d.offset, bin.byteOffset + end));
  }
  try {
    return ReplayStore.restore(header.meta, arrays, Math.max(capacity ?? 0, header.meta.cfg.capacity));
  } catch (e) {
    throw new CheckpointError(rf, e instanceof Error ? e.message : String(e));
  }
}
