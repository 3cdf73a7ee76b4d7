#!/usr/bin/env node
/**
 * Loss-curve equivalence of the two training engines: 2,000 TD-MPC2 updates of the agent (Tdmpc2Agent) on the ONNX
 * engine (OnnxUpdater) and on its tfjs reference (Tdmpc2Agent.update), same initial weights and same batches per seed, several seeds, and several noise
 * streams (policy ε, Q heads, dropout masks) per engine and seed. The engines cannot draw the same noise (given
 * the same noise they agree step for step: tests/unit/nn-onnx-train.test.ts), so the question is whether ONNX and
 * tfjs differ more than noise streams of one engine differ from each other.
 *
 * Data: a fixed random nonlinear system (obs 8, action 2) played with random actions; batches are sub-sequences
 * of horizon + 1 steps. Writes data/results/onnx-vs-tfjs-loss-curves.csv (means over 20 updates) and a summary JSON with
 * per-window means (updates 1–200, …, 1801–2000) and, per loss, the two-sample t statistic of each (seed, window):
 * (mean over ONNX streams − mean over tfjs streams) / (pooled stream sd · √(2/K)). Under "same distribution" |t|
 * averages ≈ 0.85 (t with 2K − 2 degrees of freedom); the verdict is "same" when the mean |t| of every loss is
 * below 1.5. Where the noise hardly moves a loss (the reward loss barely depends on the policy noise) the sd is
 * floored at 0.1 % of the loss: float32 rounding alone separates two engines by about that much over 2,000
 * updates. Needs `npm run build` first.
 *
 *   nice -n 10 node scripts/onnx-loss-curve.mjs [--updates 2000] [--seeds 0,1] [--noise 4]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { initBackend } = await import(join(root, "dist/nn/backend.js"));
const { makeConfig } = await import(join(root, "dist/agents/config.js"));
const { Tdmpc2Agent } = await import(join(root, "dist/agents/tdmpc2.js"));
const { Rng } = await import(join(root, "dist/util/random.js"));

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const UPDATES = Number(arg("updates", "2000"));
const SEEDS = arg("seeds", "0,1").split(",").map(Number);
const K = Number(arg("noise", "4"));
const O = 8;
const A = 2;
const B = 64;
const WINDOW = 200;
const cfg = makeConfig("tdmpc2", "official", { enc_dim: 64, mlp_dim: 64, latent_dim: 32, batch_size: B });
const H = cfg.horizon;

/** episodes of a fixed random system o' = tanh(W·o + V·a) + noise, r = exp(−|o − g|²) */
function dataset(rng, episodes = 100, len = 50) {
  const W = Float64Array.from({ length: O * O }, () => rng.normal() * 0.5);
  const V = Float64Array.from({ length: O * A }, () => rng.normal() * 0.8);
  const goal = Float64Array.from({ length: O }, () => rng.normal() * 0.5);
  const eps = [];
  for (let e = 0; e < episodes; e++) {
    const obs = [Float64Array.from({ length: O }, () => rng.normal())];
    const act = [];
    const rew = [];
    for (let t = 0; t < len; t++) {
      const o = obs[t];
      const a = Float64Array.from({ length: A }, () => rng.uniform(-1, 1));
      const n = new Float64Array(O);
      for (let i = 0; i < O; i++) {
        let s = 0;
        for (let j = 0; j < O; j++) s += W[i * O + j] * o[j];
        for (let j = 0; j < A; j++) s += V[i * A + j] * a[j];
        n[i] = Math.tanh(s) + 0.05 * rng.normal();
      }
      let d = 0;
      for (let i = 0; i < O; i++) d += (n[i] - goal[i]) ** 2;
      act.push(a);
      rew.push(Math.exp(-d));
      obs.push(n);
    }
    eps.push({ obs, act, rew });
  }
  return eps;
}

function sampleBatch(data, rng) {
  const obs = new Float32Array((H + 1) * B * O);
  const action = new Float32Array(H * B * A);
  const reward = new Float32Array(H * B);
  for (let b = 0; b < B; b++) {
    const ep = data[rng.int(data.length)];
    const t0 = rng.int(ep.act.length - H);
    for (let t = 0; t <= H; t++) obs.set(ep.obs[t0 + t], (t * B + b) * O);
    for (let t = 0; t < H; t++) {
      action.set(ep.act[t0 + t], (t * B + b) * A);
      reward[t * B + b] = ep.rew[t0 + t];
    }
  }
  return { horizon: H, batchSize: B, obs, action, reward, index: new Int32Array(B), weight: new Float32Array(B).fill(1), task: new Int32Array(B) };
}

await initBackend({ quiet: true });
const data = dataset(new Rng(12345));
const keys = ["consistency", "reward", "value", "piLoss"];
const rows = [];
const t0 = Date.now();
const NOISE = Array.from({ length: K }, (_, i) => i);
for (const seed of SEEDS) {
  for (const engine of ["tfjs", "onnx"]) {
    for (const noise of NOISE) {
      const agent = new Tdmpc2Agent(cfg, O, A, seed);
      const noiseSeed = 100 * seed + noise + 7;
      // same initial weights, another noise stream: tfjs draws from the world model's Rng, ONNX from the engine's
      if (engine === "onnx") await agent.useEngine("onnx", noiseSeed);
      else agent.wm.rng.setState(new Rng(noiseSeed).getState());
      const batchRng = new Rng(1000 + seed);
      for (let u = 1; u <= UPDATES; u++) {
        const info = await agent.update(sampleBatch(data, batchRng));
        rows.push({ engine, seed, noise, update: u, ...Object.fromEntries(keys.map((k) => [k, info[k]])) });
      }
      agent.dispose();
      process.stderr.write(`${engine} seed ${seed} noise ${noise}: ${UPDATES} updates (${((Date.now() - t0) / 1000).toFixed(0)} s so far)\n`);
    }
  }
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const windowMean = (engine, seed, noise, k, w) => mean(rows.filter((r) => r.engine === engine && r.seed === seed && r.noise === noise && r.update > w * WINDOW && r.update <= (w + 1) * WINDOW).map((r) => r[k]));
const nWin = Math.ceil(UPDATES / WINDOW);
const sd = (xs) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
const windows = [];
const ts = Object.fromEntries(keys.map((k) => [k, []]));
for (let w = 0; w < nWin; w++) {
  const entry = { updates: `${w * WINDOW + 1}-${Math.min(UPDATES, (w + 1) * WINDOW)}` };
  for (const k of keys) {
    const per = (engine, s) => NOISE.map((n) => windowMean(engine, s, n, k, w));
    for (const s of SEEDS) {
      const [tj, ox] = [per("tfjs", s), per("onnx", s)];
      const pooled = Math.max(Math.sqrt((sd(tj) ** 2 + sd(ox) ** 2) / 2), 1e-3 * Math.abs(mean(tj)));
      ts[k].push((mean(ox) - mean(tj)) / (pooled * Math.sqrt(2 / K)));
    }
    entry[k] = { tfjs: mean(SEEDS.flatMap((s) => per("tfjs", s))), onnx: mean(SEEDS.flatMap((s) => per("onnx", s))) };
  }
  windows.push(entry);
}
const meanAbsT = Object.fromEntries(keys.map((k) => [k, mean(ts[k].map(Math.abs))]));
const meanT = Object.fromEntries(keys.map((k) => [k, mean(ts[k])]));
const worst = Math.max(...Object.values(meanAbsT));
const summary = {
  what: "TD-MPC2 agent updates, ONNX engine (OnnxUpdater) vs tfjs reference (Tdmpc2Agent.update); same initial weights and batches per seed, several noise streams per engine",
  command: `node scripts/onnx-loss-curve.mjs --updates ${UPDATES} --seeds ${SEEDS.join(",")}`,
  date: new Date().toISOString(),
  model: Object.fromEntries(["enc_dim", "mlp_dim", "latent_dim", "num_q", "num_bins", "dropout"].map((k) => [k, cfg[k]])),
  batch: B,
  horizon: H,
  seeds: SEEDS,
  noiseStreams: K,
  meanAbsT,
  meanT,
  windows,
  verdict: worst < 1.5 ? "same curves within noise (mean |t| < 1.5 for every loss)" : "DIFFERENT: the engines differ more than their noise streams do (mean |t| ≥ 1.5)",
};
const out = join(root, "data", "results");
mkdirSync(out, { recursive: true });
const csv = ["engine,seed,noise,updates," + keys.join(",")];
for (let i = 0; i < rows.length; i += 20) {
  const chunk = rows.slice(i, i + 20); // one run's updates are consecutive and UPDATES is a multiple of 20
  const r = chunk[0];
  csv.push([r.engine, r.seed, r.noise, `${r.update}-${r.update + chunk.length - 1}`, ...keys.map((k) => mean(chunk.map((c) => c[k])).toPrecision(6))].join(","));
}
writeFileSync(join(out, "onnx-vs-tfjs-loss-curves.csv"), csv.join("\n") + "\n");
writeFileSync(join(out, "onnx-vs-tfjs-loss-curves.json"), JSON.stringify(summary, null, 1) + "\n");
console.log(summary.verdict, JSON.stringify({ meanAbsT, meanT }));
for (const w of windows) console.log(w.updates.padEnd(10), keys.map((k) => `${k} tfjs ${w[k].tfjs.toFixed(4)} onnx ${w[k].onnx.toFixed(4)}`).join(" | "));
