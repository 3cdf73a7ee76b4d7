import v8 from "node:v8";
import vm from "node:vm";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, tf } from "../../src/nn/backend.js";
import { applyEnsemble, applyMlp, ensemble, mlp, Params, stopGradient, type EnsembleSpec, type MlpSpec } from "../../src/nn/layers.js";
import { DropoutMask } from "../../src/nn/onnx/noise.js";
import { OnnxTdmpc2Engine, OnnxTdmpcEngine, drawTwoHeads, storeFromParams, type TdmpcBatch, type TdmpcNoise, type Tdmpc2Noise } from "../../src/nn/onnx/engines.js";
import type { TdmpcTrainConfig } from "../../src/nn/onnx/tdmpc.js";
import { Adam, polyak, trainStep } from "../../src/nn/optim.js";
import { storeKey } from "../../src/nn/onnx/store.js";
import { makeConfig } from "../../src/agents/config.js";
import { OnnxUpdater } from "../../src/agents/engine.js";
import { Tdmpc2Agent } from "../../src/agents/tdmpc2.js";
import { randomBatch } from "../../src/replay/random-batch.js";
import { Rng } from "../../src/util/random.js";
import { relErr } from "../helpers/close.js";

beforeAll(async () => {
  await initBackend({ quiet: true });
});


function randomise(params: Params, target: Params, seed: number): void {
  // the reward and Q output layers start at zero: give every parameter some value so the comparison means something
  let k = seed;
  for (const n of params.names()) {
    const v = params.get(n);
    v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.2, "float32", k++)));
  }
  for (const n of target.names()) target.get(n).assign(tf.add(params.get(n), tf.randomNormal(params.get(n).shape, 0, 0.05, "float32", k++)));
}

/**
 * The noise Tdmpc2Agent.update draws from the world model's Rng, in its order: the TD target's policy seed, its two
 * heads, the dropout seed of that Q call (not training: unused), the value loss's dropout seed, then the policy step's
 * seed, its two heads and its dropout seed (training: used). tfjs's dropout masks [rows, k·h] are laid out [k, rows, h].
 */
function tfjsNoise(agent: Tdmpc2Agent, B: number): Tdmpc2Noise {
  const wm = agent.wm;
  const r = new Rng(0);
  r.setState(wm.rng.getState());
  const H = agent.cfg.horizon;
  const A = wm.actionDim;
  const E = agent.cfg.num_q;
  const h = wm.q.spec.dims[1]!;
  const p = wm.q.spec.dropout;
  const s1 = r.int(2 ** 31);
  const headsTd = drawTwoHeads(r, E);
  if (p > 0) r.int(2 ** 31); // the TD target's Q call (not training: unused)
  const sDrop = p > 0 ? r.int(2 ** 31) : 0;
  const s2 = r.int(2 ** 31);
  const headsPi = drawTwoHeads(r, E);
  const sDropPi = p > 0 ? r.int(2 ** 31) : 0;
  const draw = (n: number, seed: number) => tf.tidy(() => tf.randomNormal([n, A], 0, 1, "float32", seed).dataSync() as Float32Array);
  // tf.dropout: keep where ⌊u + (1 − p)⌋ = 1, scaled by 1/(1 − p)
  const mask = (rows: number, k: number, seed: number) => {
    const u = tf.tidy(() => tf.randomUniform([rows, k * h], 0, 1, "float32", seed).dataSync() as Float32Array);
    const m = new Float32Array(k * rows * h);
    for (let n = 0; n < rows; n++) for (let e = 0; e < k; e++) for (let j = 0; j < h; j++) m[(e * rows + n) * h + j] = Math.floor(u[n * k * h + e * h + j]! + 1 - p) / (1 - p);
    return m;
  };
  return {
    epsTd: draw(H * B, s1),
    headsTd,
    epsPi: draw((H + 1) * B, s2),
    headsPi,
    dropoutMask: p > 0 ? mask(H * B, E, sDrop) : undefined,
    piDropoutMask: p > 0 ? mask((H + 1) * B, 2, sDropPi) : undefined,
  };
}

describe("TD-MPC2 update as one ONNX graph", () => {
  // simnorm_dim 0: the paper's "no normalisation" ablation (tdmpc2-ablations), a plain linear latent
  it.each([8, 0])("one step equals Tdmpc2Agent.update on tfjs (the official loss; simnorm_dim %i): losses, every gradient (Adam's moments), new weights and targets", async (simnormDim) => {
    const B = 8;
    // dropout 0.2 in the Q heads: tfjs's own masks, replayed into the graph (value loss and policy loss)
    const cfg = makeConfig("tdmpc2", "official", { enc_dim: 32, mlp_dim: 32, latent_dim: 16, num_bins: 21, dropout: 0.2, batch_size: B, simnorm_dim: simnormDim });
    const agent = new Tdmpc2Agent(cfg, 5, 2, 3);
    const wm = agent.wm;
    randomise(wm.params, wm.target, 7);
    const store = storeFromParams(wm.params, ["q/"], wm.target);
    const engine = await OnnxTdmpc2Engine.create(
      { nets: { encoder: wm.latent.encoder as MlpSpec, dynamics: wm.latent.dynamics, reward: wm.latent.reward, pi: wm.pi.spec, q: wm.q.spec }, cfg, twoHot: { numBins: cfg.num_bins, vmin: cfg.vmin, vmax: cfg.vmax }, obsDim: 5, actionDim: 2, tau: cfg.tau },
      store,
    );
    const batch = randomBatch(new Rng(11), cfg.horizon, B, 5, 2);
    batch.reward = batch.reward.map((r) => 5 * r); // rewards across several bins
    const noise = tfjsNoise(agent, B);
    const ref = await agent.update(batch);
    // the running scale: the agent moves S just before dividing, the engine just after (one τ-step apart); give the
    // graph the S the agent divided by, so that the maths is compared, and check the engine then moves S on from this Q
    const S = agent.scale.value;
    engine.scale.value = S;
    const got = await engine.stepWith(batch, noise);
    expect(got.piScale).toBeGreaterThanOrEqual(S);
    for (const k of ["consistency", "reward", "value", "total", "gradNorm", "piLoss"] as const) {
      expect(Math.abs(got[k] - ref[k]) / Math.abs(ref[k]), k).toBeLessThan(1e-4);
    }
    // Adam's first moment after step 1 is (1 − β1)·(clipped gradient): every gradient, compared
    for (const [opt, id] of [[agent.optim, "wm"], [agent.piOptim, "pi"]] as const) {
      for (const n of opt.names) {
        expect(relErr(store.read(storeKey("m", n, id)), opt.state.m.get(n)!.dataSync()), `grad ${n}`).toBeLessThan(1e-4);
        expect(relErr(store.read(storeKey("v", n, id)), opt.state.v.get(n)!.dataSync()), `grad² ${n}`).toBeLessThan(1e-4);
      }
    }
    for (const n of wm.params.names()) expect(relErr(store.read(storeKey("p", n)), wm.params.get(n).dataSync()), n).toBeLessThan(1e-4);
    for (const n of wm.target.names()) expect(relErr(store.read(storeKey("t", n)), wm.target.get(n).dataSync()), `target ${n}`).toBeLessThan(1e-4);
    await engine.dispose();
    agent.dispose();
  });
});

describe("multi-task TD-MPC2 update as one ONNX graph", () => {
  it("three updates equal Tdmpc2Agent.update on tfjs: task embeddings (max-norm 1), action masks, padded observations", async () => {
    const B = 9;
    const [obsDims, actionDims] = [[3, 5, 4], [1, 3, 2]];
    const [O, A] = [5, 3];
    const cfg = makeConfig("tdmpc2", "official", { enc_dim: 24, mlp_dim: 24, latent_dim: 16, num_bins: 21, dropout: 0.2, batch_size: B, num_tasks: 3, task_dim: 4, entropy_coef: 0.5 });
    // entropy_coef 0.5, not 1e-4: the entropy term (scaled by each row's own task's action size) must weigh in piLoss
    const agent = new Tdmpc2Agent(cfg, O, A, 3, { obsDims, actionDims });
    const wm = agent.wm;
    randomise(wm.params, wm.target, 9);
    // task 0's embedding inside the unit ball, the others outside: both sides of e / max(‖e‖, 1) are exercised
    const E = wm.params.get("task_emb/E");
    E.assign(tf.mul(E, tf.tensor2d([0.1, 1, 1], [3, 1])));
    const norms = tf.tidy(() => Array.from(tf.norm(E, "euclidean", 1).dataSync()));
    expect(norms[0]).toBeLessThan(1);
    expect(Math.min(norms[1]!, norms[2]!)).toBeGreaterThan(1);
    const updater = await OnnxUpdater.create(agent, 5); // the agent's own wiring (engine.ts); agent.update stays on tfjs
    const engine = updater.engine as OnnxTdmpc2Engine;
    const store = engine.store;
    const task = Int32Array.of(0, 1, 2, 1, 0, 2, 2, 1, 0);
    // the trainer's padding: a task's observations and actions are zero beyond its own sizes
    const batches = [1, 2, 3].map((i) => {
      const b = { ...randomBatch(new Rng(20 + i), cfg.horizon, B, O, A), task };
      for (let r = 0; r < b.obs.length / O; r++) b.obs.fill(0, r * O + obsDims[task[r % B]!]!, (r + 1) * O);
      for (let r = 0; r < b.action.length / A; r++) b.action.fill(0, r * A + actionDims[task[r % B]!]!, (r + 1) * A);
      b.reward = b.reward.map((x) => 5 * x);
      return b;
    });
    for (const batch of batches) {
      const noise = tfjsNoise(agent, B);
      const ref = await agent.update(batch);
      engine.scale.value = agent.scale.value; // the S the agent divided by (see the single-task test)
      const got = await engine.stepWith(batch, noise);
      for (const k of ["consistency", "reward", "value", "total", "gradNorm", "piLoss"] as const) {
        expect(Math.abs(got[k] - ref[k]) / Math.abs(ref[k]), k).toBeLessThan(1e-4);
      }
    }
    for (const [opt, id] of [[agent.optim, "wm"], [agent.piOptim, "pi"]] as const) {
      expect(opt.names).toContain(id === "wm" ? "task_emb/E" : "pi/0/W");
      for (const n of opt.names) {
        expect(relErr(store.read(storeKey("m", n, id)), opt.state.m.get(n)!.dataSync()), `Adam m ${n}`).toBeLessThan(1e-4);
        expect(relErr(store.read(storeKey("v", n, id)), opt.state.v.get(n)!.dataSync()), `Adam v ${n}`).toBeLessThan(1e-4);
      }
    }
    for (const n of wm.params.names()) expect(relErr(store.read(storeKey("p", n)), wm.params.get(n).dataSync()), n).toBeLessThan(1e-4);
    for (const n of wm.target.names()) expect(relErr(store.read(storeKey("t", n)), wm.target.get(n).dataSync()), `target ${n}`).toBeLessThan(1e-4);
    await updater.dispose();
    agent.dispose();
  });
});

// ---------------------------------------------------------------------------------------------------------------
// TD-MPC: a small tfjs reference of the official update (tdmpc.py update / update_pi), written here from layers.ts

interface TdmpcRefNets {
  encoder: MlpSpec;
  dynamics: MlpSpec;
  reward: MlpSpec;
  pi: MlpSpec;
  q: EnsembleSpec;
}

function refPolicy(p: Params, nets: TdmpcRefNets, z: tf.Tensor2D, eps: tf.Tensor2D, std: number, frozen = false): tf.Tensor2D {
  const a = tf.add(tf.tanh(applyMlp(p, nets.pi, z, { frozen })), tf.clipByValue(tf.mul(eps, std), -0.3, 0.3));
  return tf.add(a, stopGradient(tf.sub(tf.clipByValue(a, -1 + 1e-6, 1 - 1e-6), a))) as tf.Tensor2D;
}

function minHeads(q: tf.Tensor): tf.Tensor2D {
  const [a, b] = tf.unstack(q, 0) as [tf.Tensor2D, tf.Tensor2D];
  return tf.minimum(a, b);
}

function tdmpcReference(p: Params, target: Params, nets: TdmpcRefNets, cfg: TdmpcTrainConfig, O: number, A: number, batch: TdmpcBatch, noise: TdmpcNoise, opts: { model: Adam; pi: Adam; tau: number }) {
  const { horizon: H, batch_size: B, rho } = cfg;
  const obs = tf.tensor3d(batch.obs, [H + 1, B, O]);
  const act = tf.tensor2d(batch.action, [H * B, A]);
  const rew = tf.tensor2d(batch.reward, [H * B, 1]);
  const w = tf.tensor2d(batch.weights, [B, 1]);
  const nextObs = tf.reshape(tf.slice(obs, [1, 0, 0], [H, B, O]), [H * B, O]) as tf.Tensor2D;
  const nextZT = applyMlp(target, nets.encoder, nextObs);
  const nz = applyMlp(p, nets.encoder, nextObs);
  const na = refPolicy(p, nets, nz, tf.tensor2d(noise.epsTd, [H * B, A]), cfg.min_std);
  const td = tf.add(rew, tf.mul(cfg.discount, minHeads(applyEnsemble(target, nets.q, tf.concat([nz, na], 1)))));
  const rows = (t: number) => [t * B, 0];
  let prio: tf.Tensor2D | undefined;
  const model = trainStep(opts.model, () => {
    let z = applyMlp(p, nets.encoder, tf.reshape(tf.slice(obs, [0, 0, 0], [1, B, O]), [B, O]) as tf.Tensor2D);
    const zs = [z];
    let cons: tf.Tensor = tf.zeros([B, 1]);
    let rl: tf.Tensor = tf.zeros([B, 1]);
    let vl: tf.Tensor = tf.zeros([B, 1]);
    let pl: tf.Tensor = tf.zeros([B, 1]);
    for (let t = 0; t < H; t++) {
      const a = tf.slice(act, rows(t), [B, A]) as tf.Tensor2D;
      const za = tf.concat([z, a], 1) as tf.Tensor2D;
      const q = applyEnsemble(p, nets.q, za); // [2, B, 1]
      const r = applyMlp(p, nets.reward, za);
      z = applyMlp(p, nets.dynamics, za);
      zs.push(z);
      const tdt = tf.slice(td, rows(t), [B, 1]);
      const k = rho ** t;
      cons = tf.add(cons, tf.mul(k, tf.mean(tf.square(tf.sub(z, tf.slice(nextZT, rows(t), [B, nz.shape[1]]))), 1, true)));
      rl = tf.add(rl, tf.mul(k, tf.square(tf.sub(r, tf.slice(rew, rows(t), [B, 1])))));
      vl = tf.add(vl, tf.mul(k, tf.sum(tf.square(tf.sub(q, tdt)), 0)));
      pl = tf.add(pl, tf.mul(k, tf.sum(tf.abs(tf.sub(q, tdt)), 0)));
    }
    const total = tf.addN([tf.mul(cfg.consistency_coef, tf.minimum(cons, 1e4)), tf.mul(cfg.reward_coef, tf.minimum(rl, 1e4)), tf.mul(cfg.value_coef, tf.minimum(vl, 1e4))]);
    const weighted = tf.mean(tf.mul(total, w)) as tf.Scalar;
    prio = tf.keep(tf.minimum(pl, 1e4)) as tf.Tensor2D;
    return {
      loss: tf.div(weighted, H) as tf.Scalar,
      extras: { consistency: tf.mean(cons) as tf.Scalar, reward: tf.mean(rl) as tf.Scalar, value: tf.mean(vl) as tf.Scalar, total: weighted },
      keep: [tf.concat(zs, 0)],
    };
  });
  const zAll = model.kept[0] as tf.Tensor2D;
  const rhoPi = tf.tensor2d(Float32Array.from({ length: (H + 1) * B }, (_, i) => rho ** Math.floor(i / B)), [(H + 1) * B, 1]);
  const pi = trainStep(opts.pi, () => {
    const a = refPolicy(p, nets, zAll, tf.tensor2d(noise.epsPi, [(H + 1) * B, A]), cfg.min_std);
    const q = minHeads(applyEnsemble(p, nets.q, tf.concat([zAll, a], 1) as tf.Tensor2D, { frozen: true }));
    return { loss: tf.neg(tf.div(tf.sum(tf.mul(q, rhoPi)), B)) as tf.Scalar };
  });
  polyak(target, p, opts.tau);
  const e = model.extras as Record<"consistency" | "reward" | "value" | "total", number>;
  return { ...e, gradNorm: model.gradNorm, piLoss: pi.loss, piGradNorm: pi.gradNorm, priorities: prio!.dataSync() as Float32Array };
}

describe("TD-MPC update (TOLD, PER) as one ONNX graph", () => {
  it("one step equals a tfjs reference of the official update: losses, priorities, every gradient, weights, targets", async () => {
    const [O, A, L, Hd, B] = [5, 2, 8, 24, 8];
    const rng = new Rng(21);
    const p = new Params();
    const elu = { act: "elu" as const, norm: "none" as const };
    const nets: TdmpcRefNets = {
      encoder: mlp(p, "encoder", [O, 16, L], rng, elu),
      dynamics: mlp(p, "dynamics", [L + A, Hd, Hd, L], rng, elu),
      reward: mlp(p, "reward", [L + A, Hd, Hd, 1], rng, elu),
      pi: mlp(p, "pi", [L, Hd, Hd, A], rng, elu),
      q: ensemble(p, "q", 2, [L + A, Hd, Hd, 1], rng, { act: "elu", norm: "first", firstAct: "tanh" }),
    };
    let k = 40;
    for (const n of p.names()) p.get(n).assign(tf.add(p.get(n), tf.randomNormal(p.get(n).shape, 0, 0.3, "float32", k++)));
    const target = new Params();
    for (const n of p.names().filter((n) => n.startsWith("encoder/") || n.startsWith("q/"))) target.add(n, tf.add(p.get(n), tf.randomNormal(p.get(n).shape, 0, 0.05, "float32", k++)));
    const cfg: TdmpcTrainConfig = { batch_size: B, horizon: 5, rho: 0.5, discount: 0.99, consistency_coef: 2, reward_coef: 0.5, value_coef: 0.1, lr: 1e-3, grad_clip_norm: 10, min_std: 0.05 };
    const store = storeFromParams(p, ["encoder/", "q/"], target);
    const engine = await OnnxTdmpcEngine.create({ nets, cfg, obsDim: O, actionDim: A, tau: 0.01, update_freq: 1 }, store);
    const base = randomBatch(new Rng(3), cfg.horizon, B, O, A);
    const batch: TdmpcBatch = { ...base, weights: new Rng(4).fillUniform(new Float32Array(B), 0.3, 1) };
    const noise = engine.drawNoise();
    const modelOpt = new Adam(p, { lr: cfg.lr, clipNorm: cfg.grad_clip_norm }, ["encoder/", "dynamics/", "reward/", "q/"]);
    const piOpt = new Adam(p, { lr: cfg.lr, clipNorm: cfg.grad_clip_norm }, ["pi/"]);
    const ref = tdmpcReference(p, target, nets, cfg, O, A, batch, noise, { model: modelOpt, pi: piOpt, tau: 0.01 });
    const got = await engine.stepWith(batch, noise);
    for (const key of ["consistency", "reward", "value", "total", "gradNorm", "piLoss", "piGradNorm"] as const) {
      expect(Math.abs(got[key] - ref[key]) / Math.abs(ref[key]), key).toBeLessThan(1e-4);
    }
    expect(relErr(got.priorities, ref.priorities)).toBeLessThan(1e-4);
    for (const [opt, id] of [[modelOpt, "model"], [piOpt, "pi"]] as const) {
      for (const n of opt.names) {
        expect(relErr(store.read(storeKey("m", n, id)), opt.state.m.get(n)!.dataSync()), `grad ${n}`).toBeLessThan(1e-4);
        expect(relErr(store.read(storeKey("v", n, id)), opt.state.v.get(n)!.dataSync()), `grad² ${n}`).toBeLessThan(1e-4);
      }
    }
    for (const n of p.names()) expect(relErr(store.read(storeKey("p", n)), p.get(n).dataSync()), n).toBeLessThan(1e-4);
    for (const n of target.names()) expect(relErr(store.read(storeKey("t", n)), target.get(n).dataSync()), `target ${n}`).toBeLessThan(1e-4);
    await engine.dispose();
    modelOpt.dispose();
    piOpt.dispose();
    p.dispose();
    target.dispose();
  });
});

describe("dropout masks drawn in JavaScript", () => {
  it("drop each element with probability p, independently between draws, scaled by 1/(1 − p)", () => {
    const n = 200_000;
    const p = 0.01;
    const m = new DropoutMask(n, p);
    const rng = new Rng(5);
    const first = Float32Array.from(m.draw(rng));
    const second = m.draw(rng);
    const count = (a: Float32Array) => a.reduce((s, v) => s + (v === 0 ? 1 : 0), 0);
    const sd = Math.sqrt(n * p * (1 - p));
    for (const a of [first, second]) {
      expect(Math.abs(count(a) - n * p)).toBeLessThan(5 * sd);
      expect(a.every((v) => v === 0 || Math.abs(v - 1 / (1 - p)) < 1e-6)).toBe(true);
    }
    // independent draws overlap in ≈ n·p² = 20 elements (not ≈ n·p, nor none)
    let both = 0;
    for (let i = 0; i < n; i++) if (first[i] === 0 && second[i] === 0) both++;
    expect(Math.abs(both - n * p * p)).toBeLessThan(5 * Math.sqrt(n * p * p));
  });
});

describe("checkpoints of the ONNX engine", () => {
  it("a run resumed from readState/writeState equals the uninterrupted run (noise, dropout, Adam steps included)", async () => {
    const B = 4;
    const cfg = makeConfig("tdmpc2", "official", { enc_dim: 16, mlp_dim: 16, latent_dim: 8, num_bins: 11, num_q: 3, dropout: 0.1, batch_size: B });
    // the agent's ONNX update (agents/engine.ts), its weights and noise from `seed`; the store holds copies
    const make = async (seed: number) => {
      const agent = new Tdmpc2Agent(cfg, 3, 2, seed);
      const e = (await OnnxUpdater.create(agent, 7 * seed)).engine as OnnxTdmpc2Engine;
      agent.dispose();
      return e;
    };
    const batches = Array.from({ length: 6 }, (_, i) => randomBatch(new Rng(i), cfg.horizon, B, 3, 2));
    const whole = await make(1);
    const infos = [];
    for (const b of batches) infos.push(await whole.step(b));
    const first = await make(1);
    for (const b of batches.slice(0, 3)) await first.step(b);
    const state = first.readState();
    const resumed = await make(2); // other initial weights and noise: everything must come from the state
    resumed.writeState(state);
    const rest = [];
    for (const b of batches.slice(3)) rest.push(await resumed.step(b));
    expect(rest).toEqual(infos.slice(3));
    for (const k of whole.store.keys()) expect(resumed.store.read(k), k).toEqual(whole.store.read(k));
    for (const e of [whole, first, resumed]) await e.dispose();
  });
});

describe("memory over many updates", () => {
  it("stays flat over 5,000 updates (tiny model): no tensor, buffer or session state accumulates", async () => {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    const B = 4;
    const cfg = makeConfig("tdmpc2", "official", { enc_dim: 16, mlp_dim: 16, latent_dim: 8, num_bins: 11, num_q: 2, batch_size: B, horizon: 1 });
    const agent = new Tdmpc2Agent(cfg, 3, 1, 0);
    const engine = (await OnnxUpdater.create(agent, 0)).engine as OnnxTdmpc2Engine;
    const batch = randomBatch(new Rng(1), 1, B, 3, 1);
    const usage = () => {
      gc();
      const m = process.memoryUsage();
      return { rss: m.rss / 1e6, heap: m.heapUsed / 1e6 };
    };
    // a collection every 500 updates, as a long run gets them: the outputs of a step are garbage once replaced
    const run = async (n: number) => {
      for (let i = 0; i < n; i++) {
        await engine.step(batch);
        if (i % 500 === 499) gc();
      }
    };
    await run(1000); // warm-up: arenas, JIT
    const before = usage();
    await run(4000);
    const after = usage();
    expect(engine.updates).toBe(5000);
    // one leaked output set per update would add > 4000 × 4 kB = 16 MB; one small JS object per update > 0.2 MB
    expect(after.heap - before.heap).toBeLessThan(0.2);
    expect(after.rss - before.rss).toBeLessThan(8);
    await engine.dispose();
    agent.dispose();
  });
});
