import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, tf } from "../../src/nn/backend.js";
import { OnnxTdmpc2Engine, storeFromParams } from "../../src/nn/onnx/engines.js";
import { OnnxRolloutEngine } from "../../src/nn/onnx/rollout.js";
import { planMppi, rolloutSpecOf, TfjsRolloutEngine } from "../../src/nn/planner.js";
import { PLAN_DEFAULTS, TRAIN_DEFAULTS, modelPreset } from "../../src/nn/presets.js";
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

function expectClose(a: Float32Array, b: Float32Array): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(b[i]!)));
}

describe("ONNX planning engine", () => {
  it("rollout value equals the tfjs forward to 1e-5, and plans with the new weights right after a training step on the same store", async () => {
    const B = 8;
    const wm = new WorldModel(small, 5, 2, 3, { ...TRAIN_DEFAULTS, batch_size: B });
    randomise(wm, 10);
    const H = 3;
    const N = 17;
    const rng = new Rng(4);
    const z0 = new Float32Array(wm.encode(tf.tensor2d(rng.fillNormal(new Float32Array(5)), [1, 5])).dataSync());
    const actions = rng.fillUniform(new Float32Array(H * N * 2), -1, 1);
    const store = storeFromParams(wm.params, ["q/"], wm.target);
    const ox = new OnnxRolloutEngine(rolloutSpecOf(wm, H), store);
    const tj = new TfjsRolloutEngine(wm, H);
    for (const heads of [[0, 1], [3, 2]] as [number, number][]) expectClose(await ox.value(z0, actions, N, heads), await tj.value(z0, actions, N, heads));
    // train on the store (ONNX), copy the new weights into the tfjs model: the planner follows without a sync
    const trainer = await OnnxTdmpc2Engine.create({ nets: { encoder: wm.enc, dynamics: wm.dyn, reward: wm.rew, pi: wm.pi, q: wm.q }, cfg: wm.train, twoHot: wm.twoHot, obsDim: 5, actionDim: 2, tau: 0.01 }, store);
    const before = await ox.value(z0, actions, N, [0, 1]);
    await trainer.step(randomBatch(rng, wm.train.horizon, B, 5, 2));
    for (const [n, v] of trainer.readParams()) wm.params.get(n).assign(tf.tensor(v, wm.params.get(n).shape));
    const after = await ox.value(z0, actions, N, [0, 1]);
    expect(after.some((v, i) => Math.abs(v - before[i]!) > 1e-6)).toBe(true);
    expectClose(after, await tj.value(z0, actions, N, [0, 1]));
    await trainer.dispose();
    await ox.dispose();
    wm.dispose();
  });

  it("the MPPI loop runs on either engine and returns an action in [-1, 1]", async () => {
    const wm = new WorldModel(small, 5, 2, 3);
    const cfg = { ...PLAN_DEFAULTS, num_samples: 32, num_elites: 4, iterations: 2 };
    const z0 = new Float32Array(small.latent_dim).fill(1 / 8);
    for (const engine of [new OnnxRolloutEngine(rolloutSpecOf(wm, cfg.horizon), storeFromParams(wm.params, [])), new TfjsRolloutEngine(wm, cfg.horizon)]) {
      const r = await planMppi(engine, z0, 2, small.num_q, cfg, new Rng(1));
      expect(r.action.length).toBe(2);
      for (const v of r.action) expect(Math.abs(v)).toBeLessThanOrEqual(1);
      await engine.dispose();
    }
    wm.dispose();
  });
});
