import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { randomShift } from "../../src/nn/augment.js";
import { initBackend, tf } from "../../src/nn/backend.js";
import { applyConvEncoder, conv2d, convEncoder, maxPool, orthogonal, pixelBatch, setConvGrad, type ConvEncoderKind } from "../../src/nn/conv.js";
import { Params } from "../../src/nn/layers.js";
import { Rng } from "../../src/util/random.js";

beforeAll(async () => {
  await initBackend({ quiet: true });
});
afterEach(() => setConvGrad(undefined));

const normals = (rng: Rng, n: number) => Array.from(rng.fillNormal(new Float32Array(n)));

/** Gradients of Σ y·r (r fixed random) w.r.t. x, W, b for y = conv2d(x, W, b). */
function convGrads(x: number[], w: number[], b: number[], r: number[], xs: number[], k: number, cin: number, cout: number, stride: number, pad: number): number[][] {
  return tf.tidy(() => {
    const f = (xv: tf.Tensor, wv: tf.Tensor, bv: tf.Tensor) => {
      const y = conv2d(xv as tf.Tensor4D, wv, bv, stride, pad);
      return tf.sum(tf.mul(y, tf.tensor(r, y.shape)));
    };
    const g = tf.grads(f)([tf.tensor4d(x, xs as [number, number, number, number]), tf.tensor4d(w, [k, k, cin, cout]), tf.tensor1d(b)]);
    return g.map((t) => Array.from(t.dataSync()));
  });
}

describe("conv2d with its own gradient (wasm has no Conv2DBackpropFilter)", () => {
  it.each([
    [2, 0],
    [2, 1],
    [1, 1],
    [3, 0],
  ])("stride %i, pad %i: dx, dW, db equal tfjs autodiff on the cpu backend", async (stride, pad) => {
    const rng = new Rng(7 + stride + pad);
    const [B, H, cin, cout, k] = [2, 11, 3, 4, 3];
    const xs = [B, H, H, cin];
    const x = normals(rng, B * H * H * cin);
    const w = normals(rng, k * k * cin * cout);
    const b = normals(rng, cout);
    const o = Math.floor((H + 2 * pad - k) / stride) + 1;
    const r = normals(rng, B * o * o * cout);
    const backend = tf.getBackend();
    setConvGrad("custom");
    const ours = convGrads(x, w, b, r, xs, k, cin, cout, stride, pad);
    await tf.setBackend("cpu");
    try {
      setConvGrad("autodiff");
      const ref = convGrads(x, w, b, r, xs, k, cin, cout, stride, pad);
      for (let i = 0; i < 3; i++) {
        const err = Math.max(...ours[i]!.map((v, j) => Math.abs(v - ref[i]![j]!)));
        const scale = Math.max(...ref[i]!.map(Math.abs));
        expect(err / scale, ["dx", "dW", "db"][i]).toBeLessThan(1e-5);
      }
    } finally {
      await tf.setBackend(backend);
    }
  });
});

describe("pixel encoders", () => {
  it("have the official sizes: TD-MPC 84×84 → 32·3·3 → 50, TD-MPC2 64×64 → 32·4·4 = 512, IMPALA 84×84 → 32·11·11 → 50", () => {
    const sizes = (["tdmpc", "tdmpc2", "impala"] as const).map((kind) => {
      const p = new Params();
      const s = convEncoder(p, "e", { kind }, new Rng(1));
      p.dispose();
      return [s.size, s.features, s.outDim];
    });
    expect(sizes).toEqual([
      [84, 288, 50],
      [64, 512, 512],
      [84, 3872, 50],
    ]);
  });

  // small frames and 2-frame stacks: the cpu backend's reference convolutions are slow
  const cases: [ConvEncoderKind, number, number][] = [
    ["tdmpc", 44, 50],
    ["tdmpc2", 40, 32],
    ["impala", 24, 50],
  ];
  it.each(cases)("%s at %i px (output %i): gradients on wasm (own conv gradient) equal tfjs autodiff on cpu", async (kind, size, outDim) => {
    const rng = new Rng(11);
    const init = new Params();
    const spec = convEncoder(init, "enc", { kind, size, channels: 6 }, rng);
    expect(spec.outDim).toBe(outDim);
    const names = [...init.vars.keys()];
    const values = names.map((n) => init.get(n).arraySync());
    init.dispose();
    const B = 2;
    const obs = Uint8Array.from({ length: B * 6 * size * size }, () => rng.int(256));
    const target = normals(rng, B * outDim);
    const run = (mode: "custom" | "autodiff") => {
      setConvGrad(mode);
      const params = new Params();
      names.forEach((n, i) => params.add(n, tf.tensor(values[i] as number[])));
      const x = pixelBatch(obs, B, 6, size);
      const y = tf.tidy(() => applyConvEncoder(params, spec, x));
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(applyConvEncoder(params, spec, x), tf.tensor2d(target, [B, outDim]))) as tf.Scalar, [...params.vars.values()]);
      const out = { y: y.arraySync() as number[][], loss: value.dataSync()[0]!, g: names.map((n) => Array.from(grads[params.get(n).name]!.dataSync())) };
      params.dispose();
      return out;
    };
    const backend = tf.getBackend();
    const ours = run("custom");
    expect([ours.y.length, ours.y[0]!.length]).toEqual([B, outDim]);
    if (kind === "tdmpc2") for (const row of ours.y) for (let g = 0; g < outDim / 8; g++) expect(row.slice(8 * g, 8 * g + 8).reduce((a, c) => a + c, 0)).toBeCloseTo(1, 5); // SimNorm
    await tf.setBackend("cpu");
    try {
      const ref = run("autodiff");
      expect(ours.loss).toBeCloseTo(ref.loss, 4);
      names.forEach((n, i) => {
        let err = 0;
        let scale = 0;
        ours.g[i]!.forEach((v, j) => {
          err = Math.max(err, Math.abs(v - ref.g[i]![j]!));
          scale = Math.max(scale, Math.abs(ref.g[i]![j]!));
        });
        expect(err / scale, n).toBeLessThan(1e-4);
      });
    } finally {
      await tf.setBackend(backend);
    }
  });

  it("max-pools 3×3 with stride 2 and padding 1 as PyTorch's MaxPool2d(3, 2, 1)", () => {
    const rng = new Rng(5);
    for (const [h, w] of [[7, 8], [20, 20], [11, 5]]) {
      const x = tf.tensor4d(normals(rng, 2 * h * w * 3), [2, h, w, 3]);
      const ref = tf.maxPool(tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], -1e9), 3, 2, "valid");
      const ours = maxPool(x);
      expect(ours.shape).toEqual([2, Math.ceil(h / 2), Math.ceil(w / 2), 3]);
      expect(ours.arraySync()).toEqual(ref.arraySync());
    }
  });

  it("orthogonal init has orthonormal rows (times the gain)", () => {
    const q = orthogonal(4, 10, Math.SQRT2, new Rng(2));
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        let dot = 0;
        for (let k = 0; k < 10; k++) dot += q[i * 10 + k]! * q[j * 10 + k]!;
        expect(dot).toBeCloseTo(i === j ? 2 : 0, 5);
      }
    }
  });

  it("pixelBatch turns channels-first bytes into NHWC values", () => {
    const obs = Uint8Array.from({ length: 2 * 3 * 2 * 2 }, (_, i) => i);
    const t = pixelBatch(obs, 2, 3, 2);
    expect(t.shape).toEqual([2, 2, 2, 3]);
    // sample 1, pixel (0, 1), channel 2 = obs[1·12 + 2·4 + 1]
    expect(t.arraySync()[1]![0]![1]![2]).toBe(obs[12 + 8 + 1]);
  });
});

describe("random shift augmentation", () => {
  it("shifts whole frame stacks by integers in [−pad, pad], replicating the border", () => {
    const [B, C, S, pad] = [64, 2, 6, 2];
    const obs = Uint8Array.from({ length: B * C * S * S }, (_, i) => i % 251);
    const { out, shifts } = randomShift(obs, B, C, S, pad, new Rng(1));
    const seen = new Set<string>();
    for (let b = 0; b < B; b++) {
      const [dx, dy] = [shifts[2 * b]!, shifts[2 * b + 1]!];
      expect(Math.abs(dx)).toBeLessThanOrEqual(pad);
      expect(Math.abs(dy)).toBeLessThanOrEqual(pad);
      seen.add(`${dx},${dy}`);
      for (let c = 0; c < C; c++) {
        for (let y = 0; y < S; y++) {
          for (let x = 0; x < S; x++) {
            const sy = Math.min(S - 1, Math.max(0, y + dy));
            const sx = Math.min(S - 1, Math.max(0, x + dx));
            expect(out[((b * C + c) * S + y) * S + x]).toBe(obs[((b * C + c) * S + sy) * S + sx]);
          }
        }
      }
    }
    expect(seen.size).toBeGreaterThan(12); // of the 25 possible shifts
  });
});
