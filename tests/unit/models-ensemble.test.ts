import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, tf } from "../../src/nn/backend.js";
import { decomposeVariance, DynamicsEnsemble, type TransitionData } from "../../src/models/ensemble.js";
import { Rng } from "../../src/util/random.js";

beforeAll(async () => {
  await initBackend({ quiet: true });
});

/** 1-D system: s' = s + 0.5·sin(2s) + 0.3·a + ε, ε ~ N(0, 0.1²); r = cos(s). States only in [−1, 1]. */
function toyData(n: number, seed: number): TransitionData {
  const rng = new Rng(seed);
  const obs = new Float32Array(n), act = new Float32Array(n), nextObs = new Float32Array(n), reward = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const s = rng.uniform(-1, 1), a = rng.uniform(-1, 1);
    obs[i] = s;
    act[i] = a;
    nextObs[i] = s + 0.5 * Math.sin(2 * s) + 0.3 * a + 0.1 * rng.normal();
    reward[i] = Math.cos(s);
  }
  return { n, obs, act, nextObs, reward };
}

describe("PETS dynamics ensemble", () => {
  it("learns: the NLL falls, the mean fits, aleatoric ≈ the true noise, epistemic grows away from the data", () => {
    const model = new DynamicsEnsemble(1, 1, { hidden: [64, 64], ensembleSize: 5, seed: 1 });
    const losses = model.fit(toyData(600, 2), 25);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! - 1);

    const on = model.predictAll(Float32Array.from([0.5]), Float32Array.from([0.2]), 1);
    const vOn = decomposeVariance(on, 5, 2);
    expect(vOn.mean[0]!).toBeCloseTo(0.5 * Math.sin(1) + 0.06, 1); // Δs
    expect(vOn.mean[1]!).toBeCloseTo(Math.cos(0.5), 1); // r
    expect(Math.sqrt(vOn.aleatoric[0]!)).toBeGreaterThan(0.05);
    expect(Math.sqrt(vOn.aleatoric[0]!)).toBeLessThan(0.2);

    const far = decomposeVariance(model.predictAll(Float32Array.from([4]), Float32Array.from([0.2]), 1), 5, 2);
    expect(far.epistemic[0]!).toBeGreaterThan(10 * vOn.epistemic[0]!);
    model.dispose();
  });

  it("a deterministic single model trains on the squared error and predicts no variance", () => {
    const model = new DynamicsEnsemble(1, 1, { hidden: [32, 32], ensembleSize: 1, probabilistic: false, bootstrap: false, seed: 3 });
    const losses = model.fit(toyData(300, 4), 15);
    expect(losses[losses.length - 1]!).toBeLessThan(0.5 * losses[0]!);
    const p = model.predictAll(Float32Array.from([0]), Float32Array.from([0]), 1);
    expect(Array.from(p.variance)).toEqual([0, 0]);
    model.dispose();
  });

  it("keeps memory flat and rejects bad data", () => {
    const model = new DynamicsEnsemble(1, 1, { hidden: [16], ensembleSize: 2, seed: 5 });
    const data = toyData(64, 6);
    model.fit(data, 1);
    model.predictAll(data.obs.subarray(0, 4), data.act.subarray(0, 4), 4);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      model.fit(data, 1);
      model.predictAll(data.obs.subarray(0, 4), data.act.subarray(0, 4), 4);
    }
    expect(tf.memory().numTensors).toBe(before);
    const bad = { ...data, reward: data.reward.slice(0, 10) };
    expect(() => model.fit(bad, 1)).toThrow(/reward has 10 values, expected 64/);
    const nan = { ...data, obs: data.obs.slice() };
    nan.obs[3] = Number.NaN;
    expect(() => model.fit(nan, 1)).toThrow(/obs\[3\] is NaN/);
    expect(() => model.predict(new Float32Array(3), new Float32Array(3), 1)).toThrow(/expected obs 2×1×1/);
    expect(() => new DynamicsEnsemble(1, 1, { hidden: [] })).toThrow(/hidden/);
    model.dispose();
  });
});
