/**
 * The pixel encoders' benchmark (`tdmpc bench encoder`): the encoders (conv.ts) at batch 256 on the tfjs backend in
 * use (wasm here), forward alone (target encodings) and forward + backward, against the same networks in PyTorch CPU
 * with one thread (scripts/bench_encoder_torch.py), alternating ours and theirs. Medians of `reps` timed runs after
 * one warm-up.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { projectRoot } from "../paths.js";
import { Rng } from "../../util/random.js";
import { describeBackend, initBackend, tf } from "../../nn/backend.js";
import { TORCH_PYTHON, torchAvailable } from "./nn.js";
import { applyConvEncoder, convEncoder, pixelBatch, type ConvEncoderKind } from "../../nn/conv.js";
import { Params } from "../../nn/layers.js";

export interface EncoderBenchRow {
  kind: ConvEncoderKind;
  size: number;
  batch: number;
  forwardMs: number;
  trainMs: number;
  torchForwardMs: number | null;
  torchTrainMs: number | null;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeMs(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/** Our encoder's forward and forward+backward times (ms, one run each). */
function oursOnce(kind: ConvEncoderKind, size: number, batch: number): { forward: () => number; train: () => number; dispose: () => void } {
  const rng = new Rng(0);
  const params = new Params();
  const spec = convEncoder(params, "enc", { kind, size }, rng);
  const obs = Uint8Array.from({ length: batch * 9 * size * size }, () => rng.int(256));
  const x = pixelBatch(obs, batch, 9, size);
  const r = tf.randomNormal([batch, spec.outDim]);
  const vars = [...params.vars.values()];
  return {
    forward: () =>
      timeMs(() => {
        // read the result outside tf.tidy: a dataSync inside it costs ~350 ms on wasm (shared/PLATFORM.md)
        const y = tf.tidy(() => applyConvEncoder(params, spec, x));
        y.dataSync();
        y.dispose();
      }),
    train: () =>
      timeMs(() => {
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(applyConvEncoder(params, spec, x), r)) as tf.Scalar, vars);
        for (const g of Object.values(grads)) g.dataSync();
        tf.dispose([value, ...Object.values(grads)]);
      }),
    dispose: () => {
      params.dispose();
      tf.dispose([x, r]);
    },
  };
}

function torchOnce(kind: string, size: number, batch: number, reps: number): { forward: number[]; train: number[] } {
  const r = spawnSync(TORCH_PYTHON, [join(projectRoot(), "scripts", "bench_encoder_torch.py"), kind, String(size), String(batch), String(reps)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`PyTorch peer failed: ${r.stderr.trim().split("\n").pop()}`);
  const out = JSON.parse(r.stdout) as { forward_ms: number[]; train_ms: number[] };
  return { forward: out.forward_ms, train: out.train_ms };
}

export async function benchEncoders(cases: { kind: ConvEncoderKind; size: number }[], batch: number, reps: number, log: (s: string) => void): Promise<EncoderBenchRow[]> {
  log(describeBackend(await initBackend({ quiet: true })));
  const torch = torchAvailable();
  if (!torch.ok) log(`no PyTorch peer: ${torch.why}`);
  const rows: EncoderBenchRow[] = [];
  for (const { kind, size } of cases) {
    try {
      rows.push(benchOne(kind, size, batch, reps, torch.ok, log));
    } catch (e) {
      // e.g. the IMPALA network at 84×84 × 256 does not fit the wasm heap ("memory access out of bounds")
      log(`${kind} ${size}×${size} batch ${batch}: failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return rows;
}

function benchOne(kind: ConvEncoderKind, size: number, batch: number, reps: number, withTorch: boolean, log: (s: string) => void): EncoderBenchRow {
  const ours = oursOnce(kind, size, batch);
  const f: number[] = [];
  const t: number[] = [];
  const tf_: number[] = [];
  const tt: number[] = [];
  try {
    ours.forward();
    ours.train();
    // alternate: one of ours, one PyTorch process run, so load changes hit both alike
    for (let i = 0; i < reps; i++) {
      f.push(ours.forward());
      t.push(ours.train());
      if (withTorch) {
        const p = torchOnce(kind, size, batch, 1);
        tf_.push(p.forward[0]);
        tt.push(p.train[0]);
      }
    }
  } finally {
    ours.dispose();
  }
  const row: EncoderBenchRow = { kind, size, batch, forwardMs: median(f), trainMs: median(t), torchForwardMs: withTorch ? median(tf_) : null, torchTrainMs: withTorch ? median(tt) : null };
  log(`${kind} ${size}×${size} batch ${batch}: forward ${row.forwardMs.toFixed(0)} ms, forward+backward ${row.trainMs.toFixed(0)} ms (PyTorch ${row.torchForwardMs?.toFixed(0) ?? "-"} / ${row.torchTrainMs?.toFixed(0) ?? "-"} ms)`);
  return row;
}
