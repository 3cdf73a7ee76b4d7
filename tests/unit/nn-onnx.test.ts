import { beforeAll, describe, expect, it } from "vitest";
import { makeConfig } from "../../src/agents/config.js";
import { Tdmpc2Agent } from "../../src/agents/tdmpc2.js";
import { initBackend, tf } from "../../src/nn/backend.js";
import { applyMlp } from "../../src/nn/layers.js";
import { withTask } from "../../src/models/latent.js";
import type { WorldModel } from "../../src/models/world-model.js";
import { randomBatch } from "../../src/replay/random-batch.js";
import { Rng } from "../../src/util/random.js";

beforeAll(async () => {
  await initBackend({ quiet: true });
});

const SMALL = { enc_dim: 32, mlp_dim: 32, latent_dim: 16, num_bins: 21, batch_size: 8, num_samples: 32, num_elites: 4, num_pi_trajs: 4, iterations: 2 };

function randomise(wm: WorldModel, seed: number): void {
  // the reward and Q output layers start at zero: give every parameter some value so the comparison means something
  let k = seed;
  for (const [, v] of wm.params.vars) v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.3, "float32", k++)));
}

/**
 * The planner's return on tfjs, from the world model's parts, with given heads and noise ε (the ONNX graph takes both
 * as inputs): Σ γ^t R(z_t, a_t) + γ^H · mean of heads Q(z_H, tanh(μ + σ·ε)), TD-MPC2's policy sample. `task`
 * (multi-task): its index, whose embedding joins every input and whose action mask zeroes μ, log σ and ε.
 */
function tfjsValue(wm: WorldModel, z0: Float32Array, actions: Float32Array, n: number, H: number, heads: [number, number], eps: Float32Array, discount: number, task?: { index: number; actionDim: number }): Float32Array {
  const [L, A] = [wm.latentDim, wm.actionDim];
  const { min, max } = wm.pi.logStd;
  return tf.tidy(() => {
    const e = task && (tf.tile(wm.taskEmbedding([task.index])!, [n, 1]) as tf.Tensor2D);
    const mask = task ? tf.tensor2d(Float32Array.from({ length: A }, (_, j) => (j < task.actionDim ? 1 : 0)), [1, A]) : tf.ones([1, A]);
    let z = tf.tile(tf.tensor2d(z0, [1, L]), [n, 1]) as tf.Tensor2D;
    let G: tf.Tensor2D = tf.zeros([n, 1]);
    let disc = 1;
    for (let t = 0; t < H; t++) {
      const a = tf.tensor2d(actions.subarray(t * n * A, (t + 1) * n * A), [n, A]);
      G = tf.add(G, tf.mul(disc, wm.latent.rewardValue(z, a, e)));
      z = wm.latent.next(z, a, e);
      disc *= discount;
    }
    const [mu, raw] = tf.split(applyMlp(wm.params, wm.pi.spec, withTask([z], e)), [A, A], 1) as [tf.Tensor2D, tf.Tensor2D];
    const logStd = tf.mul(tf.add(min, tf.mul(0.5 * (max - min), tf.add(tf.tanh(raw), 1))), mask);
    const aH = tf.tanh(tf.add(tf.mul(mu, mask), tf.mul(tf.mul(tf.tensor2d(eps, [n, A]), mask), tf.exp(logStd)))) as tf.Tensor2D;
    const q = tf.mean(wm.q.values(z, aH, { heads, task: e }), 0) as tf.Tensor2D;
    return tf.add(G, tf.mul(disc, q)).dataSync() as Float32Array;
  });
}

/**
 * Within 1e-5 of each value's size, or of the largest value's (`vectorScale`): without SimNorm the latents are
 * unbounded and a return of ~1 can be the sum of a reward term and a Q term of ±150, whose float32 rounding is that
 * of 150, not of 1.
 */
function expectClose(a: Float32Array, b: Float32Array, vectorScale = false): void {
  expect(a.length).toBe(b.length);
  const big = Math.max(...Array.from(b, Math.abs));
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-5 * Math.max(1, vectorScale ? big : Math.abs(b[i]!)));
}

describe("ONNX planning engine (TD-MPC2 agent)", () => {
  it.each([8, 0])("rollout value equals the tfjs forward to 1e-5 (simnorm_dim %i), and plans with the new weights right after a training step on the same store", async (simnormDim) => {
    const cfg = makeConfig("tdmpc2", "official", { ...SMALL, simnorm_dim: simnormDim });
    const agent = new Tdmpc2Agent(cfg, 5, 2, 3);
    const wm = agent.wm;
    randomise(wm, 10);
    wm.syncTarget();
    await agent.useEngine("onnx", 3);
    const H = 3;
    const N = 17;
    const rng = new Rng(4);
    agent.model.setStart(rng.fillNormal(new Float32Array(5)));
    const z0 = agent.model.start;
    const actions = rng.fillUniform(new Float32Array(H * N * 2), -1, 1);
    const eps = rng.fillNormal(new Float32Array(N * 2));
    const ox = agent.updater!.rollout(H);
    for (const heads of [[0, 1], [3, 2]] as [number, number][]) {
      expectClose(await ox.value(z0, actions, N, heads, eps), tfjsValue(wm, z0, actions, N, H, heads, eps, cfg.discount), simnormDim === 0);
    }
    // train on the store (ONNX), copy the new weights into the tfjs model: the planner follows without a sync
    const before = await ox.value(z0, actions, N, [0, 1], eps);
    await agent.update(randomBatch(rng, cfg.horizon, cfg.batch_size, 5, 2));
    const after = await ox.value(z0, actions, N, [0, 1], eps);
    expect(after.some((v, i) => Math.abs(v - before[i]!) > 1e-6)).toBe(true);
    agent.updater!.sync();
    expectClose(after, tfjsValue(wm, z0, actions, N, H, [0, 1], eps, cfg.discount), simnormDim === 0);
    agent.dispose();
  });

  it("multi-task: the rollout value with a task's embedding and action mask equals the tfjs forward, for each task", async () => {
    const cfg = makeConfig("tdmpc2", "official", { ...SMALL, num_tasks: 2, task_dim: 4 });
    const agent = new Tdmpc2Agent(cfg, 5, 3, 3, { obsDims: [5, 4], actionDims: [3, 1] });
    randomise(agent.wm, 20);
    await agent.useEngine("auto", 3);
    expect(agent.updater).toBeDefined(); // multi-task trains (and plans) on onnxruntime under "auto"
    const [H, N] = [2, 9];
    const rng = new Rng(6);
    const z0 = agent.model.setStart(rng.fillNormal(new Float32Array(5))).start;
    const eps = rng.fillNormal(new Float32Array(N * 3));
    for (const [index, actionDim] of [[0, 3], [1, 1]]) {
      const actions = rng.fillUniform(new Float32Array(H * N * 3), -1, 1);
      for (let r = 0; r < H * N; r++) actions.fill(0, r * 3 + actionDim, (r + 1) * 3); // the planner's padding
      const got = await agent.updater!.rollout(H).value(z0, actions, N, [1, 4], eps, index);
      expectClose(got, tfjsValue(agent.wm, z0, actions, N, H, [1, 4], eps, cfg.discount, { index, actionDim }));
    }
    agent.dispose();
  });

  it("the agent's planner (policy sequences included) runs on either engine and returns an action in [-1, 1]", async () => {
    const cfg = makeConfig("tdmpc2", "official", SMALL);
    for (const engine of ["tfjs", "onnx"] as const) {
      const agent = new Tdmpc2Agent(cfg, 5, 2, 3);
      await agent.useEngine(engine, 3);
      expect(agent.model.rollout !== undefined).toBe(engine === "onnx");
      agent.model.setStart(new Float32Array(5).fill(0.2));
      const r = await agent.planner.plan(agent.model);
      expect(r.action.length).toBe(2);
      expect(r.evaluations).toBe(cfg.num_samples * cfg.iterations);
      for (const v of r.action) expect(Math.abs(v)).toBeLessThanOrEqual(1);
      agent.dispose();
    }
  });
});
