import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, tf } from "../../src/nn/backend.js";
import { OnnxRolloutEngine, TfjsRolloutEngine } from "../../src/nn/onnx.js";
import { planMppi } from "../../src/nn/planner.js";
import { PLAN_DEFAULTS, modelPreset } from "../../src/nn/presets.js";
import { WorldModel, randomBatch } from "../../src/nn/worldmodel.js";
import { Rng } from "../../src/util/random.js";

beforeAll(async () => {
  await initBackend({ quiet: true });
});

const small = { ...modelPreset("laptop"), enc_dim: 32, mlp_dim: 32, latent_dim: 16, num_bins: 21 };

function randomise(wm: WorldModel, seed: number): void {
  // the reward and Q output layers start at zero: give every parameter some value so the comparison means something
  let k = seed;
  for (const n of wm.params.names()) {
    const v = wm.params.get(n);
    v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.3, "float32", k++)));
  }
}

describe("ONNX inference engine", () => {
  it("rollout value through onnxruntime equals the tfjs forward to 1e-5, and follows a training step without a rebuild", async () => {
    const wm = new WorldModel(small, 5, 2, 3);
    randomise(wm, 10);
    const H = 3;
    const N = 17;
    const rng = new Rng(4);
    const z0 = new Float32Array(wm.encode(tf.tensor2d(rng.fillNormal(new Float32Array(5)), [1, 5])).dataSync());
    const actions = rng.fillUniform(new Float32Array(H * N * 2), -1, 1);
    const ox = await new OnnxRolloutEngine(wm, H).init();
    const tj = new TfjsRolloutEngine(wm, H);
    for (const heads of [[0, 1], [3, 2]] as [number, number][]) {
      const a = await ox.value(z0, actions, N, heads);
      const b = await tj.value(z0, actions, N, heads);
      expect(a.length).toBe(N);
      for (let i = 0; i < N; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(b[i]!)));
    }
    wm.update(randomBatch(rng, wm.train.horizon, 8, 5, 2), 8);
    ox.sync();
    const a = await ox.value(z0, actions, N, [0, 1]);
    const b = await tj.value(z0, actions, N, [0, 1]);
    for (let i = 0; i < N; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(b[i]!)));
    await ox.dispose();
    wm.dispose();
  });

  it("the MPPI loop runs on either engine and returns an action in [-1, 1]", async () => {
    const wm = new WorldModel(small, 5, 2, 3);
    const cfg = { ...PLAN_DEFAULTS, num_samples: 32, num_elites: 4, iterations: 2 };
    const z0 = new Float32Array(small.latent_dim).fill(1 / 8);
    for (const engine of [await new OnnxRolloutEngine(wm, cfg.horizon).init(), new TfjsRolloutEngine(wm, cfg.horizon)]) {
      const r = await planMppi(engine, z0, 2, small.num_q, cfg, new Rng(1));
      expect(r.action.length).toBe(2);
      for (const v of r.action) expect(Math.abs(v)).toBeLessThanOrEqual(1);
      await engine.dispose();
    }
    wm.dispose();
  });
});
