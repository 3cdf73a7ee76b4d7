import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, tf } from "../../src/nn/backend.js";
import { applyMlp, mlp, Params, type MlpSpec } from "../../src/nn/layers.js";
import { CheckpointError, fnv1a, loadCheckpoint, saveCheckpoint, truncateFile } from "../../src/nn/io.js";
import { mse } from "../../src/nn/losses.js";
import { Adam, trainStep } from "../../src/nn/optim.js";
import { Rng } from "../../src/util/random.js";

beforeAll(async () => {
  await initBackend({ quiet: true });
});

function model(seed: number): { p: Params; spec: MlpSpec; opt: Adam } {
  const p = new Params();
  const spec = mlp(p, "net", [3, 8, 2], new Rng(seed));
  return { p, spec, opt: new Adam(p, { lr: 1e-2, lrScale: { "net/0": 0.3 } }) };
}

const x = () => tf.tensor2d([0.1, 0.2, 0.3, -1, 0.5, 2], [2, 3]);
const y = () => tf.tensor2d([1, 0, 0, 1], [2, 2]);
const step = (m: { p: Params; spec: MlpSpec; opt: Adam }) => trainStep(m.opt, () => ({ loss: mse(applyMlp(m.p, m.spec, x()), y()) }));
const values = (p: Params) => p.names().map((n) => Array.from(p.get(n).dataSync()));

describe("checkpoints: binary weights + JSON manifest", () => {
  const dir = mkdtempSync(join(tmpdir(), "tdmpc-nn-"));

  it("save → load gives identical outputs and an identical next Adam step", async () => {
    const a = model(1);
    for (let i = 0; i < 3; i++) step(a);
    const base = join(dir, "ckpt");
    const manifest = await saveCheckpoint(base, a.p, { wm: a.opt }, { note: "test" });
    expect(manifest.version).toBe(1);
    const b = model(99); // different initial weights
    loadCheckpoint(base, b.p, { wm: b.opt });
    expect(b.opt.state.step).toBe(3);
    expect(Array.from(applyMlp(b.p, b.spec, x()).dataSync())).toEqual(Array.from(applyMlp(a.p, a.spec, x()).dataSync()));
    step(a);
    step(b);
    expect(values(b.p)).toEqual(values(a.p));
  });

  it("a truncated weights file is rejected and nothing is loaded", async () => {
    const a = model(1);
    const base = join(dir, "trunc");
    await saveCheckpoint(base, a.p, { wm: a.opt });
    truncateFile(`${base}.bin`, 100);
    const b = model(2);
    const before = values(b.p);
    expect(() => loadCheckpoint(base, b.p, { wm: b.opt })).toThrow(CheckpointError);
    expect(() => loadCheckpoint(base, b.p, { wm: b.opt })).toThrow(/truncated/);
    expect(values(b.p)).toEqual(before);
  });

  it("a corrupt weights file (flipped bytes) is rejected", async () => {
    const a = model(1);
    const base = join(dir, "corrupt");
    await saveCheckpoint(base, a.p);
    const bytes = readFileSync(`${base}.bin`);
    bytes[17] = bytes[17]! ^ 0xff;
    writeFileSync(`${base}.bin`, bytes);
    expect(() => loadCheckpoint(base, model(2).p)).toThrow(/checksum fnv1a32:\w+ ≠ manifest fnv1a32:\w+ \(corrupt file\)/);
  });

  it("a checkpoint of another architecture, version or format is rejected without a partial load", async () => {
    const a = model(1);
    const base = join(dir, "arch");
    await saveCheckpoint(base, a.p);
    const other = new Params();
    mlp(other, "net", [3, 9, 2], new Rng(0)); // hidden 9 instead of 8
    const before = values(other);
    expect(() => loadCheckpoint(base, other)).toThrow(/shape \[3,8\] in the file but \[3,9\] in the model/);
    expect(values(other)).toEqual(before);
    const renamed = new Params();
    mlp(renamed, "body", [3, 8, 2], new Rng(0));
    expect(() => loadCheckpoint(base, renamed)).toThrow(/does not match the model: missing param:body/);
    const m = JSON.parse(readFileSync(`${base}.json`, "utf8"));
    writeFileSync(`${base}.json`, JSON.stringify({ ...m, version: 2 }));
    expect(() => loadCheckpoint(base, a.p)).toThrow(/format version 2/);
    writeFileSync(`${base}.json`, "{ not json");
    expect(() => loadCheckpoint(base, a.p)).toThrow(/cannot read the manifest/);
  });
});

describe("checkpoints: malformed manifests and non-finite weights (issue 12, item 9)", () => {
  const dir = mkdtempSync(join(tmpdir(), "tdmpc-nn-bad-"));

  it("a manifest that is null or has no tensors list is a CheckpointError naming the problem", async () => {
    const a = model(1);
    const base = join(dir, "m");
    await saveCheckpoint(base, a.p);
    const good = JSON.parse(readFileSync(`${base}.json`, "utf8")) as Record<string, unknown>;
    writeFileSync(`${base}.json`, "null");
    expect(() => loadCheckpoint(base, model(2).p)).toThrow(/manifest is null/);
    const { tensors: _, ...noTensors } = good;
    writeFileSync(`${base}.json`, JSON.stringify(noTensors));
    expect(() => loadCheckpoint(base, model(2).p)).toThrow(CheckpointError);
    expect(() => loadCheckpoint(base, model(2).p)).toThrow(/no 'tensors' list/);
  });

  it("NaN weights are refused on save, and on load (a file written before the check)", async () => {
    const a = model(1);
    const w = a.p.get(a.p.names()[0]!);
    const saved = w.clone();
    w.assign(tf.fill(w.shape, Number.NaN));
    const base = join(dir, "nan");
    await expect(saveCheckpoint(base, a.p)).rejects.toThrow(/refusing to save: param:net\/0\/\w+ holds NaN/);
    w.assign(saved);
    await saveCheckpoint(base, a.p);
    // write NaN into the binary and fix up the checksum, as an older save would have
    const bin = new Uint8Array(readFileSync(`${base}.bin`));
    new Float32Array(bin.buffer)[0] = Number.NaN;
    writeFileSync(`${base}.bin`, bin);
    const manifest = JSON.parse(readFileSync(`${base}.json`, "utf8")) as { checksum: string };
    manifest.checksum = fnv1a(bin);
    writeFileSync(`${base}.json`, JSON.stringify(manifest));
    const b = model(2);
    const before = values(b.p);
    expect(() => loadCheckpoint(base, b.p)).toThrow(/holds NaN at flat index 0: refusing to load/);
    expect(values(b.p)).toEqual(before);
  });
});
