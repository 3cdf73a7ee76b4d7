/**
 * `tdmpc bench nn`: our networks against PyTorch CPU on the same shapes and the same maths, measured interleaved
 * (each of ours once, then the PyTorch peer once, repeated) so that the machine's load hits both alike; medians.
 *
 * Cases: (1) forward of the planning MLPs (dynamics + reward, one horizon step) at 512 rows; (2) a planning call
 * (MPPI, 512 samples × 6 iterations, horizon 5); (3) one update: TD-MPC2 (batch 256, horizon 3) per preset and
 * TD-MPC at its official sizes ("tdmpc": batch 512, horizon 5, latent 50, mlp 512, enc 256); (4) one whole agent
 * step (encode, plan, update).
 *
 * The peer is PyTorch on ONE thread (two threads oversubscribe a 2-core machine). Debian's python3-torch runs on
 * whatever provides libblas.so.3: the bench asks the peer which library it loaded and how fast a 512³ sgemm is,
 * prints both, and reports no ratio against the reference BLAS (a peer 20–40× slower than OpenBLAS).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { projectRoot } from "../tooling/paths.js";
import { Rng } from "../util/random.js";
import { initBackend, tf } from "./backend.js";
import { applyMlp, ensemble, mlp, Params } from "./layers.js";
import { Graph } from "./onnx/graph.js";
import { OnnxTdmpc2Engine, OnnxTdmpcEngine, storeFromParams, type TdmpcBatch } from "./onnx/engines.js";
import { mlpGraph } from "./onnx/nets.js";
import { OnnxRolloutEngine, type RolloutSpec } from "./onnx/rollout.js";
import { GraphSession } from "./onnx/session.js";
import type { WeightStore } from "./onnx/store.js";
import type { TdmpcNets, TdmpcTrainConfig } from "./onnx/tdmpc.js";
import { planMppi, rolloutSpecOf, TfjsRolloutEngine, type ValueEngine } from "./planner.js";
import { PLAN_DEFAULTS, modelPreset, type PlanConfig } from "./presets.js";
import { WorldModel, randomBatch } from "./worldmodel.js";

export type BenchCase = "forward" | "plan" | "update" | "agent";
export type BenchEngine = "tfjs" | "onnx1" | "onnx2";

export interface BenchRow {
  case: string;
  /** which engine ran ours */
  backend: string;
  oursMs: number;
  torchMs: number | null;
  torchThreads: number | null;
  /** ours / torch; null without a peer or against the reference BLAS */
  ratio: number | null;
  /** 1-minute load average at the end of the case */
  load: number;
  /** planning cases: the configuration timed (`tdmpc bench plan` sweeps these) */
  plan?: PlanConfig;
}

export interface PeerInfo {
  torch: string;
  /** shared libraries of the BLAS torch loaded */
  libraries: string[];
  sgemm512Ms: number;
  /** "optimised" (OpenBLAS, MKL, BLIS) or "reference" (the netlib libblas, no ratios) */
  blas: "optimised" | "reference";
}

export interface BenchReport {
  date: string;
  machine: { cpu: string; cores: number; node: string };
  peer: PeerInfo | null;
  notes: string[];
  rows: BenchRow[];
}

export interface BenchOptions {
  reps: number;
  cases: BenchCase[];
  planPresets: string[];
  /** TD-MPC2 presets (laptop, 1M, 5M) and "tdmpc" (TD-MPC at its official sizes) */
  updatePresets: string[];
  agentPresets?: string[];
  engines: BenchEngine[];
  obsDim: number;
  actionDim: number;
  log: (s: string) => void;
  /** Planning configurations to time (default: TD-MPC2's defaults at horizon 5). */
  planConfigs?: PlanConfig[];
  /** PyTorch thread counts (default 1: two threads oversubscribe this machine). */
  torchThreads?: number[];
}

export const TORCH_PYTHON = "/usr/bin/python3";

export function torchAvailable(): { ok: boolean; why?: string } {
  if (!existsSync(TORCH_PYTHON)) return { ok: false, why: `${TORCH_PYTHON} not found` };
  const r = spawnSync(TORCH_PYTHON, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8" });
  if (r.status !== 0) return { ok: false, why: "PyTorch is not installed for /usr/bin/python3 (Debian: apt-get install -y python3-torch libopenblas0)" };
  return { ok: true, why: `torch ${r.stdout.trim()}` };
}

/** A BLAS that is not the netlib reference: OpenBLAS, MKL or BLIS among the loaded libraries, and a fast sgemm. */
export function classifyBlas(libraries: string[], sgemm512Ms: number): PeerInfo["blas"] {
  const optimised = libraries.some((l) => /openblas|mkl|blis/i.test(l));
  // 512³ sgemm: reference BLAS ≈ 95 ms, OpenBLAS 1–4 ms on one thread
  return optimised && sgemm512Ms < 25 ? "optimised" : "reference";
}

/** The PyTorch peer as a child process speaking one JSON line per request. */
class TorchPeer {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private waiters: ((s: string) => void)[] = [];
  private exited: string | undefined;

  /** `maxThreads` also caps OpenMP and OpenBLAS through their environment, not only torch.set_num_threads. */
  constructor(maxThreads: number) {
    const t = String(maxThreads);
    const env = { ...process.env, OMP_NUM_THREADS: t, OPENBLAS_NUM_THREADS: t, MKL_NUM_THREADS: t };
    this.proc = spawn(TORCH_PYTHON, [join(projectRoot(), "scripts", "bench_nn_torch.py")], { stdio: ["pipe", "pipe", "pipe"], env });
    createInterface({ input: this.proc.stdout }).on("line", (l) => {
      const w = this.waiters.shift();
      if (w) w(l);
      else this.lines.push(l);
    });
    this.proc.stderr.on("data", (d: Buffer) => process.stderr.write(`[torch] ${d.toString()}`));
    this.proc.once("exit", (code) => {
      this.exited = `PyTorch peer exited (code ${code})`;
      for (const w of this.waiters.splice(0)) w(JSON.stringify({ error: this.exited }));
    });
  }

  async call(msg: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.exited) throw new Error(this.exited);
    this.proc.stdin.write(JSON.stringify(msg) + "\n");
    const line = this.lines.shift() ?? (await new Promise<string>((res) => this.waiters.push(res)));
    const r = JSON.parse(line) as Record<string, unknown>;
    if (r.error) throw new Error(`PyTorch peer: ${String(r.error)}`);
    return r;
  }

  async time(caseName: string, threads: number): Promise<number> {
    const r = (await this.call({ cmd: "run", case: caseName, reps: 1, threads })) as { times_ms: number[] };
    return r.times_ms[0]!;
  }

  async info(): Promise<PeerInfo> {
    const r = (await this.call({ cmd: "blas" })) as { libraries: string[]; sgemm512_ms: number; torch: string };
    return { torch: r.torch, libraries: r.libraries, sgemm512Ms: r.sgemm512_ms, blas: classifyBlas(r.libraries, r.sgemm512_ms) };
  }

  quit(): void {
    this.proc.stdin.write(JSON.stringify({ cmd: "quit" }) + "\n");
    this.proc.stdin.end();
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

interface Contender {
  name: string;
  run: () => Promise<unknown>;
}

const THREADS: Record<Exclude<BenchEngine, "tfjs">, number> = { onnx1: 1, onnx2: 2 };

/** TD-MPC's networks at the official sizes (helper.py): ELU MLPs, latent 50, two Q heads LayerNorm + tanh first. */
export function tdmpcOfficialNets(p: Params, O: number, A: number, rng: Rng, sizes = { latent: 50, mlp: 512, enc: 256 }): TdmpcNets {
  const { latent: L, mlp: H, enc: E } = sizes;
  const elu = { act: "elu" as const, norm: "none" as const };
  return {
    encoder: mlp(p, "encoder", [O, E, L], rng, elu),
    dynamics: mlp(p, "dynamics", [L + A, H, H, L], rng, elu),
    reward: mlp(p, "reward", [L + A, H, H, 1], rng, { ...elu, zeroLast: true }),
    pi: mlp(p, "pi", [L, H, H, A], rng, elu),
    q: ensemble(p, "q", 2, [L + A, H, H, 1], rng, { act: "elu", norm: "first", firstAct: "tanh", zeroLast: true }),
  };
}

/** TD-MPC's official training configuration (cfgs/default.yaml). */
export const TDMPC_TRAIN: TdmpcTrainConfig & { tau: number; update_freq: number } = {
  batch_size: 512,
  horizon: 5,
  rho: 0.5,
  discount: 0.99,
  consistency_coef: 2,
  reward_coef: 0.5,
  value_coef: 0.1,
  lr: 1e-3,
  grad_clip_norm: 10,
  min_std: 0.05,
  tau: 0.01,
  update_freq: 2,
};

/** Encoder forward for one observation on onnxruntime, weights from the store. */
async function onnxEncoder(store: WeightStore, enc: import("./layers.js").MlpSpec, threads: number) {
  const g = new Graph();
  const cache = new Map<string, ReturnType<Graph["input"]>>();
  const P = (n: string) => cache.get(n) ?? (cache.set(n, g.input(`p:${n}`, store.shape(`p:${n}`))), cache.get(n)!);
  g.output(mlpGraph(g, enc, P, g.input("obs", [1, enc.dims[0]!])), "z");
  const s = await GraphSession.create(g, { threads });
  return async (obs: Float32Array): Promise<Float32Array> => {
    const feeds: Record<string, import("./onnx/session.js").Feed> = { obs };
    for (const v of s.inputs) if (v.name.startsWith("p:")) feeds[v.name] = store.get(v.name);
    return (await s.run(feeds)).z!.data as Float32Array;
  };
}

export async function runNnBench(opts: BenchOptions): Promise<BenchReport> {
  const info = await initBackend({ quiet: true });
  const notes: string[] = [`tfjs backend: ${info.name}`, `load average at start: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`];
  const torch = torchAvailable();
  const threadCounts = opts.torchThreads ?? [1];
  const peer = torch.ok ? new TorchPeer(Math.max(...threadCounts)) : undefined;
  const peerInfo = peer ? await peer.info() : null;
  if (!peer) notes.push(`PyTorch peer unavailable: ${torch.why}`);
  else {
    notes.push(`PyTorch peer: ${TORCH_PYTHON} torch ${peerInfo!.torch}, BLAS ${peerInfo!.libraries.map((l) => l.split("/").slice(-2).join("/")).join(", ")}; 512³ sgemm ${peerInfo!.sgemm512Ms.toFixed(2)} ms on 1 thread`);
    if (peerInfo!.blas === "reference") notes.push("REFUSED: the peer runs on the reference BLAS (install libopenblas0: apt-get install -y libopenblas0); no ratios reported");
  }
  const ratioOk = peerInfo?.blas === "optimised";
  const rows: BenchRow[] = [];
  const O = opts.obsDim;
  const A = opts.actionDim;
  const onnxEngines = opts.engines.filter((e): e is "onnx1" | "onnx2" => e !== "tfjs");

  /** Time each contender and the peer alternately, reps times; one row per contender and peer thread count. */
  const measure = async (caseName: string, contenders: Contender[], torchCase: string | undefined, plan?: PlanConfig) => {
    const withPeer = !!(peer && torchCase);
    for (const c of contenders) await c.run(); // warm-up (sessions, packing, JIT)
    if (withPeer) for (const th of threadCounts) await peer!.time(torchCase!, th);
    const ours: number[][] = contenders.map(() => []);
    const theirs: number[][] = threadCounts.map(() => []);
    for (let r = 0; r < opts.reps; r++) {
      for (const [i, c] of contenders.entries()) {
        const t0 = performance.now();
        await c.run();
        ours[i]!.push(performance.now() - t0);
      }
      if (withPeer) for (const [k, th] of threadCounts.entries()) theirs[k]!.push(await peer!.time(torchCase!, th));
    }
    const load = loadavg()[0]!;
    for (const [i, c] of contenders.entries()) {
      const ms = median(ours[i]!);
      if (!withPeer) rows.push({ case: caseName, backend: c.name, oursMs: ms, torchMs: null, torchThreads: null, ratio: null, load, ...(plan ? { plan } : {}) });
      for (const [k, th] of (withPeer ? threadCounts : []).entries()) {
        const tm = median(theirs[k]!);
        rows.push({ case: caseName, backend: c.name, oursMs: ms, torchMs: tm, torchThreads: th, ratio: ratioOk ? ms / tm : null, load, ...(plan ? { plan } : {}) });
      }
      opts.log(`${caseName} [${c.name}]: ${ms.toFixed(1)} ms${withPeer ? threadCounts.map((th, k) => `; torch ${th}T ${median(theirs[k]!).toFixed(1)} ms`).join("") : ""} (load ${load.toFixed(2)})`);
    }
  };

  const rng = new Rng(0);
  const tdmpc2Engine = (wm: WorldModel, threads: number) => {
    const store = storeFromParams(wm.params, ["q/"], wm.target);
    const spec = { nets: { encoder: wm.enc, dynamics: wm.dyn, reward: wm.rew, pi: wm.pi, q: wm.q }, cfg: wm.train, twoHot: wm.twoHot, obsDim: O, actionDim: A, tau: wm.train.tau };
    return OnnxTdmpc2Engine.create(spec, store, { threads });
  };

  for (const preset of opts.cases.some((c) => c === "forward" || c === "plan") ? opts.planPresets : []) {
    const wm = new WorldModel(modelPreset(preset), O, A, 0);
    const L = wm.cfg.latent_dim;
    const store = storeFromParams(wm.params, []);
    if (opts.cases.includes("forward")) {
      const N = 512;
      const tcase = `fwd-${preset}`;
      if (peer) await peer.call({ cmd: "setup", case: tcase, kind: "forward", preset: modelPreset(preset), obs_dim: O, action_dim: A, rows: N });
      const za = rng.fillUniform(new Float32Array(N * (L + A)), 0, 0.25);
      const zaT = tf.tensor2d(za, [N, L + A]);
      const contenders: Contender[] = [];
      const sessions: GraphSession[] = [];
      if (opts.engines.includes("tfjs")) {
        contenders.push({
          name: `tfjs-${info.name}`,
          run: async () => {
            const [z1, r] = tf.tidy(() => [applyMlp(wm.params, wm.dyn, zaT), applyMlp(wm.params, wm.rew, zaT)]);
            await z1!.data();
            await r!.data();
            tf.dispose([z1!, r!]);
          },
        });
      }
      for (const e of onnxEngines) {
        const g = new Graph();
        const cache = new Map<string, ReturnType<Graph["input"]>>();
        const P = (n: string) => cache.get(n) ?? (cache.set(n, g.input(`p:${n}`, store.shape(`p:${n}`))), cache.get(n)!);
        const x = g.input("za", [N, L + A]);
        g.output(mlpGraph(g, wm.dyn, P, x), "z1");
        g.output(mlpGraph(g, wm.rew, P, x), "r");
        const s = await GraphSession.create(g, { threads: THREADS[e] });
        sessions.push(s);
        const feeds: Record<string, import("./onnx/session.js").Feed> = { za };
        for (const v of s.inputs) if (v.name.startsWith("p:")) feeds[v.name] = store.get(v.name);
        contenders.push({ name: `onnxruntime-node ${THREADS[e]}T`, run: () => s.run(feeds) });
      }
      await measure(`forward dyn+rew ${preset} N=${N}`, contenders, tcase);
      for (const s of sessions) await s.release();
      zaT.dispose();
    }
    if (opts.cases.includes("plan")) {
      for (const [ci, pc] of (opts.planConfigs ?? [{ ...PLAN_DEFAULTS, horizon: 5 }]).entries()) {
        const tcase = `plan-${preset}-${ci}`;
        if (peer) await peer.call({ cmd: "setup", case: tcase, kind: "plan", preset: modelPreset(preset), obs_dim: O, action_dim: A, plan: pc });
        const obs = tf.tensor2d(rng.fillNormal(new Float32Array(O)), [1, O]);
        const z0 = new Float32Array(tf.tidy(() => wm.encode(obs)).dataSync());
        const engines: ValueEngine[] = [];
        if (opts.engines.includes("tfjs")) engines.push(new TfjsRolloutEngine(wm, pc.horizon));
        for (const e of onnxEngines) engines.push(await new OnnxRolloutEngine(rolloutSpecOf(wm, pc.horizon), store, { threads: THREADS[e] }).init(pc.num_samples));
        const contenders = engines.map((engine) => ({ name: engine.name, run: () => planMppi(engine, z0, A, wm.cfg.num_q, pc, rng) }));
        await measure(`plan ${preset} ${pc.num_samples}x${pc.iterations} H${pc.horizon}`, contenders, tcase, pc);
        for (const e of engines) if (e instanceof OnnxRolloutEngine) await e.dispose();
        obs.dispose();
      }
    }
    wm.dispose();
  }

  if (opts.cases.includes("update")) {
    for (const preset of opts.updatePresets) {
      if (preset === "tdmpc") {
        const B = TDMPC_TRAIN.batch_size;
        const H = TDMPC_TRAIN.horizon;
        const tcase = "upd-tdmpc";
        if (peer) await peer.call({ cmd: "setup", case: tcase, kind: "tdmpc-update", preset: {}, obs_dim: O, action_dim: A, batch: B });
        const p = new Params();
        const nets = tdmpcOfficialNets(p, O, A, new Rng(0));
        const batch: TdmpcBatch = { ...randomBatch(rng, H, B, O, A), weights: rng.fillUniform(new Float32Array(B), 0.3, 1) };
        const engines = await Promise.all(onnxEngines.map((e) => OnnxTdmpcEngine.create({ nets, cfg: TDMPC_TRAIN, obsDim: O, actionDim: A, ...TDMPC_TRAIN }, storeFromParams(p, ["encoder/", "q/"]), { threads: THREADS[e] })));
        await measure(`update TD-MPC B=${B} H=${H}`, engines.map((e) => ({ name: e.name, run: () => e.step(batch) })), tcase);
        for (const e of engines) await e.dispose();
        p.dispose();
        continue;
      }
      const B = 256;
      const wm = new WorldModel(modelPreset(preset), O, A, 0);
      const batch = randomBatch(rng, wm.train.horizon, B, O, A);
      const tcase = `upd-${preset}`;
      if (peer) await peer.call({ cmd: "setup", case: tcase, kind: "update", preset: modelPreset(preset), obs_dim: O, action_dim: A, batch: B });
      const contenders: Contender[] = [];
      if (opts.engines.includes("tfjs")) contenders.push({ name: `tfjs-${info.name}`, run: async () => wm.update(batch, B) });
      const engines = await Promise.all(onnxEngines.map((e) => tdmpc2Engine(wm, THREADS[e])));
      for (const e of engines) contenders.push({ name: e.name, run: () => e.step(batch) });
      await measure(`update TD-MPC2 ${preset} B=${B} H=${wm.train.horizon}`, contenders, tcase);
      for (const e of engines) await e.dispose();
      wm.dispose();
    }
  }

  if (opts.cases.includes("agent")) {
    for (const preset of opts.agentPresets ?? []) {
      const pc: PlanConfig = preset === "tdmpc" ? { ...PLAN_DEFAULTS, horizon: TDMPC_TRAIN.horizon } : PLAN_DEFAULTS;
      const obs = rng.fillNormal(new Float32Array(O));
      const contenders: Contender[] = [];
      const cleanup: (() => Promise<void>)[] = [];
      let tcase: string;
      if (preset === "tdmpc") {
        const B = TDMPC_TRAIN.batch_size;
        tcase = "agent-tdmpc";
        if (peer) await peer.call({ cmd: "setup", case: tcase, kind: "tdmpc-agent", preset: {}, obs_dim: O, action_dim: A, batch: B, plan: pc });
        const p = new Params();
        const nets = tdmpcOfficialNets(p, O, A, new Rng(0));
        const batch: TdmpcBatch = { ...randomBatch(rng, TDMPC_TRAIN.horizon, B, O, A), weights: rng.fillUniform(new Float32Array(B), 0.3, 1) };
        for (const e of onnxEngines) {
          const th = THREADS[e];
          const trainer = await OnnxTdmpcEngine.create({ nets, cfg: TDMPC_TRAIN, obsDim: O, actionDim: A, ...TDMPC_TRAIN }, storeFromParams(p, ["encoder/", "q/"]), { threads: th });
          const spec: RolloutSpec = { dynamics: nets.dynamics, reward: nets.reward, pi: nets.pi, q: nets.q, rewardCoding: "mse", qCoding: "mse", qReduce: "min", discount: TDMPC_TRAIN.discount, horizon: pc.horizon, actionDim: A };
          const planner = await new OnnxRolloutEngine(spec, trainer.store, { threads: th }).init(pc.num_samples);
          const encode = await onnxEncoder(trainer.store, nets.encoder, th);
          contenders.push({ name: trainer.name, run: async () => {
            await planMppi(planner, await encode(obs), A, 2, pc, rng);
            await trainer.step(batch);
          } });
          cleanup.push(() => trainer.dispose(), () => planner.dispose());
        }
        cleanup.push(async () => p.dispose());
      } else {
        const B = 256;
        tcase = `agent-${preset}`;
        const wm = new WorldModel(modelPreset(preset), O, A, 0);
        if (peer) await peer.call({ cmd: "setup", case: tcase, kind: "agent", preset: modelPreset(preset), obs_dim: O, action_dim: A, batch: B, plan: pc });
        const batch = randomBatch(rng, wm.train.horizon, B, O, A);
        for (const e of onnxEngines) {
          const trainer = await tdmpc2Engine(wm, THREADS[e]);
          const planner = await new OnnxRolloutEngine(rolloutSpecOf(wm, pc.horizon), trainer.store, { threads: THREADS[e] }).init(pc.num_samples);
          const encode = await onnxEncoder(trainer.store, wm.enc, THREADS[e]);
          contenders.push({ name: trainer.name, run: async () => {
            await planMppi(planner, await encode(obs), A, wm.cfg.num_q, pc, rng);
            await trainer.step(batch);
          } });
          cleanup.push(() => trainer.dispose(), () => planner.dispose());
        }
        cleanup.push(async () => wm.dispose());
      }
      await measure(`agent step ${preset === "tdmpc" ? "TD-MPC" : `TD-MPC2 ${preset}`} (plan ${pc.num_samples}x${pc.iterations} H${pc.horizon} + update)`, contenders, tcase);
      for (const c of cleanup) await c();
    }
  }
  peer?.quit();
  notes.push(`load average at end: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  return {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, node: process.version },
    peer: peerInfo,
    notes,
    rows,
  };
}

export interface KernelProfile {
  wallMs: number;
  matMulMs: number;
  elementwiseMs: number;
  otherKernelMs: number;
  overheadMs: number;
  kernels: number;
  top: { name: string; ms: number; n: number }[];
}

const MATMUL = new Set(["BatchMatMul", "_FusedMatMul", "MatMul"]);
const DATA_MOVEMENT = new Set(["Reshape", "Transpose", "Slice", "Concat", "Pack", "Unpack", "SplitV", "Identity", "Tile", "Cast", "GatherV2", "PadV2", "OneHot"]);

/** Where one update step spends its time on tfjs: matMul vs elementwise vs data movement vs per-op overhead. */
export async function profileUpdate(preset: string, obsDim = 24, actionDim = 6): Promise<KernelProfile> {
  await initBackend({ quiet: true });
  const wm = new WorldModel(modelPreset(preset), obsDim, actionDim, 0);
  const B = 256;
  const batch = randomBatch(new Rng(1), wm.train.horizon, B, obsDim, actionDim);
  wm.update(batch, B);
  const t0 = performance.now();
  wm.update(batch, B);
  const wallMs = performance.now() - t0;
  const prof = await tf.profile(() => void wm.update(batch, B));
  const by = new Map<string, { ms: number; n: number }>();
  let matMulMs = 0;
  let elementwiseMs = 0;
  let otherKernelMs = 0;
  for (const k of prof.kernels) {
    if (k.name === "forward" || k.name.startsWith("unnamed")) continue; // custom-gradient scopes wrap real kernels
    const kt = await k.kernelTimeMs;
    const ms = typeof kt === "number" ? kt : 0;
    const e = by.get(k.name) ?? { ms: 0, n: 0 };
    e.ms += ms;
    e.n += 1;
    by.set(k.name, e);
    if (MATMUL.has(k.name)) matMulMs += ms;
    else if (DATA_MOVEMENT.has(k.name)) otherKernelMs += ms;
    else elementwiseMs += ms;
  }
  wm.dispose();
  const top = [...by.entries()].map(([name, v]) => ({ name, ...v })).sort((a, b) => b.ms - a.ms).slice(0, 12);
  const kernelTotal = matMulMs + elementwiseMs + otherKernelMs;
  return { wallMs, matMulMs, elementwiseMs, otherKernelMs, overheadMs: Math.max(0, wallMs - kernelTotal), kernels: prof.kernels.length, top };
}

export function formatRows(rows: BenchRow[]): string {
  const head = ["case", "engine", "ours ms", "torch ms", "torch threads", "ratio", "load"];
  const body = rows.map((r) => [
    r.case,
    r.backend,
    r.oursMs.toFixed(1),
    r.torchMs === null ? "—" : r.torchMs.toFixed(1),
    r.torchThreads === null ? "—" : String(r.torchThreads),
    r.ratio === null ? "—" : r.ratio.toFixed(2) + "×",
    r.load.toFixed(2),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (c: string[]) => "| " + c.map((x, i) => x.padEnd(w[i]!)).join(" | ") + " |";
  return [line(head), "|" + w.map((x) => "-".repeat(x + 2)).join("|") + "|", ...body.map(line)].join("\n");
}

/** The Markdown section docs/training-speed.md carries, generated from a saved report. */
export function reportMarkdown(rep: BenchReport, source: string): string {
  const peer = rep.peer
    ? `PyTorch ${rep.peer.torch} on 1 thread, BLAS: ${rep.peer.libraries.map((l) => l.split("/").pop()).join(", ")} (${rep.peer.blas}; 512³ sgemm ${rep.peer.sgemm512Ms.toFixed(2)} ms)`
    : "no PyTorch peer";
  return [
    `Generated from \`${source}\` (${rep.date.slice(0, 10)}, ${rep.machine.cpu}, ${rep.machine.cores} cores, Node ${rep.machine.node}); peer: ${peer}.`,
    "",
    formatRows(rep.rows),
    "",
    ...rep.notes.map((n) => `- ${n}`),
  ].join("\n");
}
