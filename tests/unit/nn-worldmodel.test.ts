import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, tf } from "../../src/nn/backend.js";
import { modelPreset, MODEL_PRESETS } from "../../src/nn/presets.js";
import { WorldModel, randomBatch } from "../../src/nn/worldmodel.js";
import { Rng } from "../../src/util/random.js";

beforeAll(async () => {
  await initBackend({ quiet: true });
});

const tiny = { ...modelPreset("laptop"), enc_dim: 16, mlp_dim: 16, latent_dim: 16, num_bins: 11 };

describe("TD-MPC2 world model", () => {
  it("presets have TD-MPC2's sizes (obs 24, action 6): 1M ≈ 1.2M and 5M ≈ 5.0M parameters", () => {
    const counts: Record<string, number> = {};
    for (const name of Object.keys(MODEL_PRESETS)) {
      const wm = new WorldModel(modelPreset(name), 24, 6, 0);
      counts[name] = wm.numParams();
      wm.dispose();
    }
    expect(counts).toEqual({ "1M": 1214651, "5M": 4960618, laptop: 308074 });
    expect(() => modelPreset("10M")).toThrow(/unknown model preset "10M"/);
  });

  it("an update lowers the loss on a fixed batch, moves the target Qs by τ, and leaks no tensors", () => {
    const wm = new WorldModel(tiny, 4, 2, 1);
    const batch = randomBatch(new Rng(2), wm.train.horizon, 16, 4, 2);
    const q0 = Array.from(wm.target.get("q/2/W").dataSync());
    const first = wm.update(batch, 16);
    const after1 = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 40; i++) last = wm.update(batch, 16);
    expect(tf.memory().numTensors).toBe(after1);
    expect(last.total).toBeLessThan(first.total);
    expect(Number.isFinite(last.piLoss)).toBe(true);
    const q1 = Array.from(wm.target.get("q/2/W").dataSync());
    const online = Array.from(wm.params.get("q/2/W").dataSync());
    const dist = (a: number[], b: number[]) => Math.hypot(...a.map((v, i) => v - b[i]!));
    expect(dist(q1, q0)).toBeGreaterThan(0); // the target moved …
    expect(dist(q1, online)).toBeGreaterThan(0); // … but slowly: it lags the online heads
    wm.dispose();
  });

  it("rejects a batch of the wrong shape", () => {
    const wm = new WorldModel(tiny, 4, 2, 1);
    const b = randomBatch(new Rng(2), wm.train.horizon, 8, 4, 2);
    expect(() => wm.update(b, 16)).toThrow(/obs has .* values, expected \(H\+1\)·B·obsDim/);
    wm.dispose();
  });
});
