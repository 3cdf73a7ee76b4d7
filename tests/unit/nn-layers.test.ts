import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { initBackend, tf } from "../../src/nn/backend.js";
import {
  applyEnsemble,
  applyMlp,
  dense,
  denseBatched,
  ensemble,
  layerNorm,
  mish,
  mlp,
  mishAutodiff,
  layerNormAutodiff,
  Params,
  setDenseGrad,
  setEnsembleMode,
  simNorm,
} from "../../src/nn/layers.js";
import { Rng } from "../../src/util/random.js";

beforeAll(async () => {
  await initBackend({ quiet: true });
});
afterEach(() => {
  setDenseGrad(undefined);
  setEnsembleMode(undefined);
});

function arr(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

describe("dense layer with explicit-transpose gradient", () => {
  const rng = new Rng(3);
  const x = () => tf.tensor2d(rng.fillNormal(new Float32Array(5 * 4)), [5, 4]);
  it("has the same gradients as tfjs's own autodiff", () => {
    const X = x();
    const W = tf.tensor2d(rng.fillNormal(new Float32Array(4 * 3)), [4, 3]);
    const b = tf.tensor1d([0.1, -0.2, 0.3]);
    const R = tf.tensor2d(rng.fillNormal(new Float32Array(5 * 3)), [5, 3]);
    const loss = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(tf.square(dense(xx as tf.Tensor2D, ww, bb)), R));
    setDenseGrad("custom");
    const gc = tf.grads(loss)([X, W, b]);
    setDenseGrad("autodiff");
    const ga = tf.grads(loss)([X, W, b]);
    for (let i = 0; i < 3; i++) expect(maxAbsDiff(gc[i]!, ga[i]!)).toBeLessThan(1e-5);
  });

  it("matches central finite differences", () => {
    setDenseGrad("custom");
    const X = x();
    const w0 = rng.fillNormal(new Float32Array(4 * 3));
    const b = tf.tensor1d([0.1, -0.2, 0.3]);
    const R = tf.tensor2d(rng.fillNormal(new Float32Array(5 * 3)), [5, 3]);
    const f = (w: Float32Array) => tf.tidy(() => tf.sum(tf.mul(dense(X, tf.tensor2d(w, [4, 3]), b), R)).dataSync()[0]!);
    const g = arr(tf.grad((w: tf.Tensor) => tf.sum(tf.mul(dense(X, w, b), R)))(tf.tensor2d(w0, [4, 3])));
    const eps = 1e-2;
    for (let i = 0; i < w0.length; i++) {
      const wp = w0.slice();
      const wm = w0.slice();
      wp[i] = wp[i]! + eps;
      wm[i] = wm[i]! - eps;
      expect(g[i]!).toBeCloseTo((f(wp) - f(wm)) / (2 * eps), 3);
    }
  });

  it("batched (3-D) dense: custom gradient = autodiff, in both ensemble modes", () => {
    const X = tf.tensor3d(rng.fillNormal(new Float32Array(3 * 5 * 4)), [3, 5, 4]);
    const W = tf.tensor3d(rng.fillNormal(new Float32Array(3 * 4 * 2)), [3, 4, 2]);
    const b = tf.tensor3d(rng.fillNormal(new Float32Array(3 * 2)), [3, 1, 2]);
    const loss = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.square(denseBatched(xx as tf.Tensor3D, ww, bb)));
    setDenseGrad("autodiff");
    const ref = tf.grads(loss)([X, W, b]);
    setDenseGrad("custom");
    for (const mode of ["heads2d", "batched"] as const) {
      setEnsembleMode(mode);
      const g = tf.grads(loss)([X, W, b]);
      for (let i = 0; i < 3; i++) expect(maxAbsDiff(g[i]!, ref[i]!)).toBeLessThan(1e-4);
    }
  });

  it("rejects mismatched shapes with a clear error", () => {
    expect(() => dense(tf.zeros([2, 3]) as tf.Tensor2D, tf.zeros([4, 1]), tf.zeros([1]))).toThrow(/dense: input \[2,3\] does not match weight \[4,1\]/);
  });
});

describe("activations and normalisation", () => {
  it("Mish in sigmoid form equals x·tanh(softplus(x))", () => {
    const x = tf.linspace(-8, 8, 101);
    const ref = tf.mul(x, tf.tanh(tf.softplus(x)));
    expect(maxAbsDiff(mish(x), ref)).toBeLessThan(1e-5);
  });

  it("fused LayerNorm and Mish gradients equal tfjs's autodiff of the plain compositions", () => {
    const rng = new Rng(9);
    const cases: [number[], number[]][] = [
      [[6, 8], [8]],
      [[6, 3, 8], [3, 8]], // ensemble layer 0: [B, E, h] with per-head gain [E, h]
      [[3, 6, 8], [3, 1, 8]], // stacked layers: [E, B, h] with gain [E, 1, h]
    ];
    for (const [xs, gs] of cases) {
      const n = (sh: number[]) => sh.reduce((a, b) => a * b, 1);
      const x = tf.tensor(rng.fillNormal(new Float32Array(n(xs)), 0, 2), xs);
      const g = tf.tensor(rng.fillNormal(new Float32Array(n(gs)), 1, 0.3), gs);
      const b = tf.tensor(rng.fillNormal(new Float32Array(n(gs))), gs);
      const R = tf.tensor(rng.fillNormal(new Float32Array(n(xs))), xs);
      const ref = tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(mishAutodiff(layerNormAutodiff(a, c, d)), R)))([x, g, b]);
      const got = tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(mish(layerNorm(a, c, d)), R)))([x, g, b]);
      for (let i = 0; i < 3; i++) expect(maxAbsDiff(got[i]!, ref[i]!)).toBeLessThan(1e-4);
      expect(maxAbsDiff(mish(layerNorm(x, g, b)), mishAutodiff(layerNormAutodiff(x, g, b)))).toBeLessThan(1e-5);
    }
  });

  it("SimNorm: every group of 8 is a probability vector", () => {
    const rng = new Rng(1);
    const x = tf.tensor2d(rng.fillNormal(new Float32Array(6 * 32), 0, 3), [6, 32]);
    const y = simNorm(x, 8);
    const sums = arr(tf.sum(tf.reshape(y, [6, 4, 8]), -1));
    for (const s of sums) expect(s).toBeCloseTo(1, 5);
    expect(Math.min(...arr(y))).toBeGreaterThan(0);
    expect(() => simNorm(tf.zeros([2, 12]), 8)).toThrow(/not a multiple of the group size 8/);
  });

  it("LayerNorm gives zero mean and unit variance per row (unit gain, zero bias)", () => {
    const rng = new Rng(2);
    const x = tf.tensor2d(rng.fillNormal(new Float32Array(4 * 16), 3, 5), [4, 16]);
    const y = layerNorm(x, tf.ones([16]), tf.zeros([16]));
    const { mean, variance } = tf.moments(y, -1);
    for (const m of arr(mean)) expect(Math.abs(m)).toBeLessThan(1e-5);
    for (const v of arr(variance)) expect(v).toBeCloseTo(1, 3);
  });

  it("the patched wasm Slice returns the same values as a reference copy", () => {
    const data = Float32Array.from({ length: 4 * 5 * 6 }, (_, i) => i);
    const x = tf.tensor3d(data, [4, 5, 6]);
    const cases: [number[], number[]][] = [
      [[1, 0, 0], [2, 5, 6]],
      [[1, 2, 3], [2, 2, 2]],
      [[0, 4, 0], [4, 1, 6]],
    ];
    for (const [begin, size] of cases) {
      const got = arr(tf.slice(x, begin, size));
      const want: number[] = [];
      for (let i = 0; i < size[0]!; i++)
        for (let j = 0; j < size[1]!; j++)
          for (let k = 0; k < size[2]!; k++) want.push(data[(begin[0]! + i) * 30 + (begin[1]! + j) * 6 + begin[2]! + k]!);
      expect(got).toEqual(want);
    }
  });
});

describe("Q ensemble as one batched op", () => {
  it("equals 5 separate MLP heads built from the same weights", () => {
    const rng = new Rng(7);
    const E = 5;
    const dims = [6, 16, 16, 11];
    const p = new Params();
    const spec = ensemble(p, "q", E, dims, rng, { act: "mish" });
    // give biases and LayerNorm parameters non-trivial values so that a mix-up of heads would show
    for (const n of p.names()) if (!n.endsWith("/W")) p.get(n).assign(tf.randomNormal(p.get(n).shape, 0, 0.5, "float32", 11));
    const x = tf.tensor2d(rng.fillNormal(new Float32Array(9 * 6)), [9, 6]);
    const heads: tf.Tensor2D[] = [];
    for (let e = 0; e < E; e++) {
      const q = new Params();
      const single = mlp(q, "h", dims, new Rng(0), { act: "mish" });
      const h = dims[1]!;
      q.get("h/0/W").assign(tf.slice(p.get("q/0/W"), [0, e * h], [dims[0]!, h]));
      q.get("h/0/b").assign(tf.slice(p.get("q/0/b"), [e * h], [h]));
      for (const k of ["ln_g", "ln_b"]) q.get(`h/0/${k}`).assign(tf.reshape(tf.slice(p.get(`q/0/${k}`), [e, 0], [1, h]), [h]));
      for (let i = 1; i < dims.length - 1; i++) {
        const [din, dout] = [dims[i]!, dims[i + 1]!];
        q.get(`h/${i}/W`).assign(tf.reshape(tf.slice(p.get(`q/${i}/W`), [e, 0, 0], [1, din, dout]), [din, dout]));
        q.get(`h/${i}/b`).assign(tf.reshape(tf.slice(p.get(`q/${i}/b`), [e, 0, 0], [1, 1, dout]), [dout]));
        if (i < dims.length - 2) {
          for (const k of ["ln_g", "ln_b"]) q.get(`h/${i}/${k}`).assign(tf.reshape(tf.slice(p.get(`q/${i}/${k}`), [e, 0], [1, dout]), [dout]));
        }
      }
      heads.push(applyMlp(q, single, x));
    }
    const ref = tf.stack(heads);
    for (const mode of ["heads2d", "batched"] as const) {
      setEnsembleMode(mode);
      const out = applyEnsemble(p, spec, x);
      expect(out.shape).toEqual([E, 9, 11]);
      expect(maxAbsDiff(out, ref)).toBeLessThan(1e-5);
    }
  });
});
