/**
 * Checkpoints without tfjs-node: `<base>.json` (manifest) + `<base>.bin` (float32 little-endian weights).
 *
 * The manifest names each tensor with its shape and byte range, carries a format version, the total byte length
 * and an FNV-1a checksum of the binary file. Loading checks everything first (format, version, size, checksum,
 * every name and shape against the model and optimisers) and only then assigns: a bad file never half-loads.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { tf } from "./backend.js";
import type { Params } from "./layers.js";
import type { Adam } from "./optim.js";
import { fnv1aHex } from "../util/checksum.js";

export const CHECKPOINT_FORMAT = "tdmpc-ts/nn-checkpoint";
export const CHECKPOINT_VERSION = 1;

export interface TensorEntry {
  name: string;
  shape: number[];
  /** byte offset into the .bin file */
  offset: number;
}

export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  dtype: "float32";
  byteLength: number;
  checksum: string;
  tensors: TensorEntry[];
  optimizers: Record<string, { step: number; params: string[] }>;
  meta: Record<string, unknown>;
}

export class CheckpointError extends Error {
  constructor(file: string, problem: string) {
    super(`checkpoint ${file}: ${problem}`);
    this.name = "CheckpointError";
  }
}

/** FNV-1a (32-bit) over bytes, as the manifest writes it ("fnv1a32:" + 8 hex digits). */
export function fnv1a(bytes: Uint8Array): string {
  return "fnv1a32:" + fnv1aHex(bytes);
}

function collect(params: Params, optimizers: Record<string, Adam>): Map<string, tf.Variable> {
  const all = new Map<string, tf.Variable>();
  for (const [n, v] of params.vars) all.set(`param:${n}`, v);
  for (const [on, opt] of Object.entries(optimizers)) {
    for (const [n, v] of opt.state.m) all.set(`opt:${on}:m:${n}`, v);
    for (const [n, v] of opt.state.v) all.set(`opt:${on}:v:${n}`, v);
  }
  return all;
}

/** Write `<base>.json` and `<base>.bin` (each written to a temporary name, then renamed). */
export async function saveCheckpoint(
  base: string,
  params: Params,
  optimizers: Record<string, Adam> = {},
  meta: Record<string, unknown> = {},
): Promise<CheckpointManifest> {
  const all = collect(params, optimizers);
  const tensors: TensorEntry[] = [];
  let offset = 0;
  for (const [name, v] of all) {
    tensors.push({ name, shape: v.shape.slice(), offset });
    offset += v.size * 4;
  }
  const bin = new Uint8Array(offset);
  const f32 = new Float32Array(bin.buffer);
  let i = 0;
  for (const [name, v] of all) {
    const data = (await v.data()) as Float32Array;
    const bad = firstNonFinite(data);
    if (bad >= 0) throw new CheckpointError(`${base}.json`, `refusing to save: ${name} holds ${data[bad]} at flat index ${bad} (training diverged?)`);
    f32.set(data, i);
    i += data.length;
  }
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    dtype: "float32",
    byteLength: offset,
    checksum: fnv1a(bin),
    tensors,
    optimizers: Object.fromEntries(Object.entries(optimizers).map(([k, o]) => [k, { step: o.state.step, params: [...o.state.m.keys()] }])),
    meta,
  };
  mkdirSync(dirname(base) || ".", { recursive: true });
  writeFileSync(`${base}.bin.tmp`, bin);
  writeFileSync(`${base}.json.tmp`, JSON.stringify(manifest, null, 1));
  renameSync(`${base}.bin.tmp`, `${base}.bin`);
  renameSync(`${base}.json.tmp`, `${base}.json`);
  return manifest;
}

/** Read and verify a checkpoint, then load it into `params` (and the optimisers' moments and step counts). */
export function loadCheckpoint(base: string, params: Params, optimizers: Record<string, Adam> = {}): CheckpointManifest {
  const jf = `${base}.json`;
  const bf = `${base}.bin`;
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(readFileSync(jf, "utf8")) as CheckpointManifest;
  } catch (e) {
    throw new CheckpointError(jf, `cannot read the manifest (${e instanceof Error ? e.message : String(e)})`);
  }
  if (manifest === null || typeof manifest !== "object" || Array.isArray(manifest)) throw new CheckpointError(jf, `the manifest is ${manifest === null ? "null" : Array.isArray(manifest) ? "an array" : typeof manifest}, not a ${CHECKPOINT_FORMAT} object`);
  if (manifest.format !== CHECKPOINT_FORMAT) throw new CheckpointError(jf, `not a ${CHECKPOINT_FORMAT} manifest`);
  if (manifest.version !== CHECKPOINT_VERSION) {
    throw new CheckpointError(jf, `format version ${manifest.version}, this library reads version ${CHECKPOINT_VERSION}`);
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(bf));
  } catch (e) {
    throw new CheckpointError(bf, `cannot read the weights (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!Array.isArray(manifest.tensors)) throw new CheckpointError(jf, "the manifest has no 'tensors' list");
  for (const t of manifest.tensors) {
    if (t === null || typeof t !== "object" || typeof t.name !== "string" || !Array.isArray(t.shape) || typeof t.offset !== "number")
      throw new CheckpointError(jf, `a 'tensors' entry is not {name, shape, offset}: ${JSON.stringify(t)}`);
  }
  if (manifest.optimizers !== undefined && (manifest.optimizers === null || typeof manifest.optimizers !== "object")) throw new CheckpointError(jf, "'optimizers' is not an object");
  if (bytes.length !== manifest.byteLength) {
    throw new CheckpointError(bf, `${bytes.length} bytes but the manifest says ${manifest.byteLength} (truncated or from another save)`);
  }
  const sum = fnv1a(bytes);
  if (sum !== manifest.checksum) throw new CheckpointError(bf, `checksum ${sum} ≠ manifest ${manifest.checksum} (corrupt file)`);

  const all = collect(params, optimizers);
  const entries = new Map(manifest.tensors.map((t) => [t.name, t]));
  const missing = [...all.keys()].filter((n) => !entries.has(n));
  const extra = [...entries.keys()].filter((n) => !all.has(n));
  if (missing.length || extra.length) {
    const show = (xs: string[]) => xs.slice(0, 5).join(", ") + (xs.length > 5 ? ` … (${xs.length})` : "");
    throw new CheckpointError(jf, `does not match the model: ${missing.length ? `missing ${show(missing)}` : ""}${missing.length && extra.length ? "; " : ""}${extra.length ? `unexpected ${show(extra)}` : ""}`);
  }
  const aligned = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const values: [tf.Variable, tf.Tensor][] = [];
  try {
    for (const [name, v] of all) {
      const e = entries.get(name)!;
      if (e.shape.length !== v.shape.length || e.shape.some((d, i) => d !== v.shape[i])) {
        throw new CheckpointError(jf, `${name} has shape [${e.shape}] in the file but [${v.shape}] in the model`);
      }
      if (e.offset % 4 !== 0 || e.offset + v.size * 4 > bytes.length) throw new CheckpointError(jf, `${name}: byte range outside the file`);
      const data = aligned.subarray(e.offset / 4, e.offset / 4 + v.size);
      const bad = firstNonFinite(data);
      if (bad >= 0) throw new CheckpointError(bf, `${name} holds ${data[bad]} at flat index ${bad}: refusing to load non-finite weights`);
      values.push([v, tf.tensor(data, v.shape, "float32")]);
    }
  } catch (err) {
    for (const [, t] of values) t.dispose();
    throw err;
  }
  // everything verified: assign
  for (const [v, t] of values) {
    v.assign(t);
    t.dispose();
  }
  for (const [on, opt] of Object.entries(optimizers)) opt.state.step = manifest.optimizers?.[on]?.step ?? 0;
  return manifest;
}

/** Index of the first NaN/±Infinity, or −1. */
function firstNonFinite(a: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return i;
  return -1;
}

/** Write helper for tests and tools: overwrite a file's bytes (e.g. to simulate a truncated download). */
export function truncateFile(file: string, bytes: number): void {
  const b = readFileSync(file);
  writeFileSync(file, b.subarray(0, Math.max(0, bytes)));
}
