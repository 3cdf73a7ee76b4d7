import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, tf } from "../../src/nn/backend.js";
import { OnnxTdmpc2Engine, drawTwoHeads, storeFromParams, type Tdmpc2Noise } from "../../src/nn/onnx/engines.js";
import { storeKey } from "../../src/nn/onnx/store.js";
import { TRAIN_DEFAULTS, modelPreset } from "../../src/nn/presets.js";
import { WorldModel, randomBatch } from "../../src/nn/worldmodel.js";
import { Rng } from "../../src/util/random.js";

beforeAll(async () => {
  await initBackend({ quiet: true });
});

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / Math.max(m, 1e-12);
}

function randomise(wm: WorldModel, seed: number): void {
  // the reward and Q output layers start at zero: give every parameter some value so the comparison means something
  let k = seed;
  for (const n of wm.params.names()) {
    const v = wm.params.get(n);
    v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.2, "float32", k++)));
  }
  for (const n of wm.target.names()) wm.target.get(n).assign(tf.add(wm.params.get(n), tf.randomNormal(wm.params.get(n).shape, 0, 0.05, "float32", k++)));
}

/** The noise WorldModel.update will draw from its Rng (same order: TD policy seed, TD heads, π seed, π heads). */
function tfjsNoise(wm: WorldModel, B: number): Tdmpc2Noise {
  const r = new Rng(0);
  r.setState(wm.rng.getState());
  const H = wm.train.horizon;
  const A = wm.actionDim;
  const s1 = r.int(2 ** 31);
  const headsTd = drawTwoHeads(r, wm.cfg.num_q);
  const s2 = r.int(2 ** 31);
  const headsPi = drawTwoHeads(r, wm.cfg.num_q);
  const draw = (n: number, seed: number) => tf.tidy(() => tf.randomNormal([n, A], 0, 1, "float32", seed).dataSync() as Float32Array);
  return { epsTd: draw(H * B, s1), headsTd, epsPi: draw((H + 1) * B, s2), headsPi };
}

describe("TD-MPC2 update as one ONNX graph", () => {
  it("one step equals WorldModel.update on tfjs: losses, every gradient (Adam's moments), new weights and targets", async () => {
    const B = 8;
    const small = { ...modelPreset("laptop"), enc_dim: 32, mlp_dim: 32, latent_dim: 16, num_bins: 21, dropout: 0 };
    const train = { ...TRAIN_DEFAULTS, batch_size: B };
    const wm = new WorldModel(small, 5, 2, 3, train);
    randomise(wm, 7);
    const store = storeFromParams(wm.params, ["q/"], wm.target);
    const engine = await OnnxTdmpc2Engine.create(
      { nets: { encoder: wm.enc, dynamics: wm.dyn, reward: wm.rew, pi: wm.pi, q: wm.q }, cfg: train, twoHot: wm.twoHot, obsDim: 5, actionDim: 2, tau: train.tau },
      store,
    );
    const batch = randomBatch(new Rng(11), train.horizon, B, 5, 2);
    batch.reward = batch.reward.map((r) => 5 * r); // rewards across several bins
    const noise = tfjsNoise(wm, B);
    const ref = wm.update(batch, B);
    const got = await engine.stepWith(batch, noise);
    for (const k of ["consistency", "reward", "value", "total", "gradNorm", "piLoss"] as const) {
      expect(Math.abs(got[k] - ref[k]) / Math.abs(ref[k]), k).toBeLessThan(1e-4);
    }
    // Adam's first moment after step 1 is (1 − β1)·(clipped gradient): every gradient, compared
    for (const [opt, id] of [[wm.wmOpt, "wm"], [wm.piOpt, "pi"]] as const) {
      for (const n of opt.names) {
        expect(relErr(store.read(storeKey("m", n, id)), opt.state.m.get(n)!.dataSync()), `grad ${n}`).toBeLessThan(1e-4);
        expect(relErr(store.read(storeKey("v", n, id)), opt.state.v.get(n)!.dataSync()), `grad² ${n}`).toBeLessThan(1e-4);
      }
    }
    for (const n of wm.params.names()) expect(relErr(store.read(storeKey("p", n)), wm.params.get(n).dataSync()), n).toBeLessThan(1e-4);
    for (const n of wm.target.names()) expect(relErr(store.read(storeKey("t", n)), wm.target.get(n).dataSync()), `target ${n}`).toBeLessThan(1e-4);
    await engine.dispose();
    wm.dispose();
  });
});
