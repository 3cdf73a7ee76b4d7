import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, tf } from "../../src/nn/backend.js";
import { applyMlp, mlp, Params } from "../../src/nn/layers.js";
import { mse } from "../../src/nn/losses.js";
import { Adam, polyak, trainStep } from "../../src/nn/optim.js";
import { Rng } from "../../src/util/random.js";

beforeAll(async () => {
  await initBackend({ quiet: true });
});

describe("Adam and its plumbing", () => {
  it("one step matches the Adam update computed by hand, with per-module lr scale", () => {
    const p = new Params();
    p.add("encoder/w", tf.tensor1d([1, -2]));
    p.add("head/w", tf.tensor1d([0.5]));
    const opt = new Adam(p, { lr: 0.1, lrScale: { "encoder/": 0.3 } });
    // loss = Σ w² → g = 2w; first Adam step moves each weight by lr·scale·sign(g) (m̂/√v̂ = g/|g|)
    trainStep(opt, () => ({ loss: tf.addN([tf.sum(tf.square(p.get("encoder/w"))), tf.sum(tf.square(p.get("head/w")))]) as tf.Scalar }));
    const e = Array.from(p.get("encoder/w").dataSync());
    expect(e[0]!).toBeCloseTo(1 - 0.03, 5);
    expect(e[1]!).toBeCloseTo(-2 + 0.03, 5);
    expect(p.get("head/w").dataSync()[0]!).toBeCloseTo(0.5 - 0.1, 5);
    expect(opt.state.step).toBe(1);
  });

  it("clips the global gradient norm and reports the norm before clipping", () => {
    const p = new Params();
    p.add("w", tf.tensor1d([3, 4]));
    const opt = new Adam(p, { lr: 1, clipNorm: 1, beta1: 0, beta2: 0, eps: 0 });
    // loss = Σ w·c with c = (30, 40): g = c, |g| = 50 → clipped to unit norm; with β=0 Adam's step is g/|g| per element
    const r = trainStep(opt, () => ({ loss: tf.sum(tf.mul(p.get("w"), tf.tensor1d([30, 40]))) }));
    expect(r.gradNorm).toBeCloseTo(50, 3);
    const w = Array.from(p.get("w").dataSync());
    expect(w[0]!).toBeCloseTo(2, 4);
    expect(w[1]!).toBeCloseTo(3, 4);
  });

  it("a frozen module is left unchanged", () => {
    const p = new Params();
    p.add("a/w", tf.tensor1d([1]));
    p.add("b/w", tf.tensor1d([1]));
    const opt = new Adam(p, { lr: 0.1 });
    opt.freeze("a/");
    trainStep(opt, () => ({ loss: tf.sum(tf.add(tf.square(p.get("a/w")), tf.square(p.get("b/w")))) as tf.Scalar }));
    expect(p.get("a/w").dataSync()[0]).toBe(1);
    expect(p.get("b/w").dataSync()[0]!).toBeCloseTo(0.9, 5);
    opt.unfreeze("a/");
    expect(opt.trainable().length).toBe(2);
  });

  it("Polyak averaging moves the target by τ towards the source", () => {
    const src = new Params();
    src.add("q/w", tf.tensor1d([1, 1]));
    const tgt = new Params();
    tgt.add("q/w", tf.tensor1d([0, 2]));
    polyak(tgt, src, 0.01);
    const t = Array.from(tgt.get("q/w").dataSync());
    expect(t[0]!).toBeCloseTo(0.01, 6);
    expect(t[1]!).toBeCloseTo(1.99, 6);
    expect(() => polyak(tgt, src, 1.5)).toThrow(/tau must be in \[0, 1\]/);
  });

  it("tf.memory().numTensors is the same after 1,000 train steps as after 10", () => {
    const rng = new Rng(5);
    const p = new Params();
    const spec = mlp(p, "net", [4, 8, 8, 2], rng, { dropout: 0.1 });
    const opt = new Adam(p, { lr: 1e-3, clipNorm: 1 });
    const x = tf.tensor2d(rng.fillNormal(new Float32Array(16 * 4)), [16, 4]);
    const y = tf.tensor2d(rng.fillNormal(new Float32Array(16 * 2)), [16, 2]);
    const step = () =>
      trainStep(opt, () => {
        const pred = applyMlp(p, spec, x, { training: true, rng });
        const loss = mse(pred, y);
        return { loss, extras: { l1: tf.mean(tf.abs(tf.sub(pred, y))) as tf.Scalar } };
      });
    let first = 0;
    let last = 0;
    for (let i = 0; i < 1000; i++) {
      const r = step();
      if (i === 0) first = r.loss;
      last = r.loss;
      if (i === 9) var after10 = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(after10!);
    expect(last).toBeLessThan(first);
  });
});
