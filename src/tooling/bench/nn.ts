/**
 * `tdmpc bench nn`: our networks against PyTorch CPU on the same shapes and the same maths, measured interleaved
 * (each of ours once, then the PyTorch peer once, repeated) so that the machine's load hits both alike; medians.
 *
 * Ours is the course's code: the agents of src/agents built from `makeConfig` (TD-MPC2 at a preset, TD-MPC official),
 * on tfjs, or with their update and their planner's returns on onnxruntime as `tdmpc train` runs them (OnnxUpdater).
 * Cases: (1) forward of the planning MLPs (dynamics + reward, one horizon step) at 512 rows; (2) a planning call as
 * `act` makes it: z₀ = h(o), then the sampling planner (planning/sampling.ts) over the agent's LatentPlanningModel,
 * policy sequences included, at the preset's planning settings (or those of `tdmpc bench plan`'s sweep); (3) one
 * update: TD-MPC2 per preset (batch 256, horizon 3) and TD-MPC at its official sizes ("tdmpc": batch 512, horizon 5,
 * latent 50, mlp 512, enc 256); (4) one whole agent step (encode, plan, update).
 *
 * The peer is PyTorch on ONE thread (two threads oversubscribe a 2-core machine). Debian's python3-torch runs on
 * whatever provides libblas.so.3: the bench asks the peer which library it loaded and how fast a 512³ sgemm is,
 * prints both, and reports no ratio against the reference BLAS (a peer 20–40× slower than OpenBLAS).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { makeConfig, type AgentConfig, type Tdmpc2Config } from "../../agents/config.js";
import { TdmpcAgent } from "../../agents/tdmpc.js";
import { Tdmpc2Agent } from "../../agents/tdmpc2.js";
import { WorldModel, type WorldModelConfig } from "../../models/world-model.js";
import { SamplingPlanner, type SamplingPlannerConfig } from "../../planning/sampling.js";
import { randomBatch } from "../../replay/random-batch.js";
import { projectRoot } from "../paths.js";
import { Rng } from "../../util/random.js";
import { initBackend, tf } from "../../nn/backend.js";
import { applyMlp } from "../../nn/layers.js";
import { Graph } from "../../nn/onnx/graph.js";
import { storeFromParams } from "../../nn/onnx/engines.js";
import { mlpGraph } from "../../nn/onnx/nets.js";
import { GraphSession } from "../../nn/onnx/session.js";

export type BenchCase = "forward" | "plan" | "update" | "agent";

/** The planning settings a case times, by their official names (TD-MPC2: `num_samples` counts the `num_pi_trajs` in). */
export type PlanConfig = Pick<Tdmpc2Config, "iterations" | "num_samples" | "num_elites" | "num_pi_trajs" | "horizon" | "min_std" | "max_std" | "temperature">;

export function planConfigOf(c: Tdmpc2Config): PlanConfig {
  const { iterations, num_samples, num_elites, num_pi_trajs, horizon, min_std, max_std, temperature } = c;
  return { iterations, num_samples, num_elites, num_pi_trajs, horizon, min_std, max_std, temperature };
}
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
  /**
   * The same from CPU time (both processes' user + system): on a shared, loaded machine wall time also counts the
   * time a process waits for a core; CPU time does not (cache contention still counts). Two-thread engines add up
   * both threads' time.
   */
  oursCpuMs: number;
  torchCpuMs: number | null;
  cpuRatio: number | null;
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
  /** Planning configurations to time (default: each preset's own). */
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
  // 512³ sgemm, fastest of 7 calls: reference BLAS ≈ 95 ms, OpenBLAS 1–4 ms on one thread
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

  async time(caseName: string, threads: number): Promise<{ wall: number; cpu: number }> {
    const r = (await this.call({ cmd: "run", case: caseName, reps: 1, threads })) as { times_ms: number[]; cpu_ms: number[] };
    return { wall: r.times_ms[0]!, cpu: r.cpu_ms[0]! };
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

type Agent = TdmpcAgent | Tdmpc2Agent;

/** An agent as `tdmpc train` builds it: on tfjs, or updating and scoring plans on onnxruntime with T threads. */
async function benchAgent(cfg: AgentConfig, O: number, A: number, engine: BenchEngine): Promise<Agent> {
  const agent = cfg.agent === "tdmpc" ? new TdmpcAgent(cfg, O, A, 0) : new Tdmpc2Agent(cfg, O, A, 0);
  if (engine !== "tfjs") await agent.useEngine("onnx", 0, THREADS[engine]);
  return agent;
}

/** One planning call as `act` makes it past the seed steps and TD-MPC's schedules: z₀ = h(o), then the planner. */
async function planCall(agent: Agent, obs: Float32Array): Promise<Float32Array> {
  agent.updater?.sync();
  agent.model.setStart(obs);
  return (await agent.planner.plan(agent.model, { horizon: agent.cfg.horizon })).action;
}

function plannerConfig(agent: Agent): SamplingPlannerConfig {
  if (!(agent.planner instanceof SamplingPlanner)) throw new Error("bench: the agent's planner is not the sampling planner");
  return agent.planner.config;
}

/** What the peer must plan: the agent's planner settings (src/planning/sampling.ts names) and its terminal value. */
function peerPlan(agent: Agent): Record<string, unknown> {
  const { horizon, numSamples, numPiTrajs, iterations, numElites, temperature, momentum, minStd, maxStd } = plannerConfig(agent);
  return { horizon, numSamples, numPiTrajs, iterations, numElites, temperature, momentum, minStd, maxStd, terminal: agent.cfg.terminal_value, discount: agent.cfg.discount };
}

/** The model sizes the peer builds, by their official names. */
function peerModel(c: WorldModelConfig): Record<string, unknown> {
  const { enc_dim, num_enc_layers, mlp_dim, latent_dim, num_q, num_bins, vmin, vmax, simnorm_dim, dropout } = c;
  return { enc_dim, num_enc_layers, mlp_dim, latent_dim, num_q, num_bins, vmin, vmax, simnorm_dim, dropout };
}

/** TD-MPC's batches carry PER weights (the update multiplies by them); TD-MPC2's are uniform. */
function benchBatch(rng: Rng, c: AgentConfig, O: number, A: number) {
  const b = randomBatch(rng, c.horizon, c.batch_size, O, A);
  if (c.agent === "tdmpc") rng.fillUniform(b.weight, 0.3, 1);
  return b;
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
    const ours: { wall: number; cpu: number }[][] = contenders.map(() => []);
    const theirs: { wall: number; cpu: number }[][] = threadCounts.map(() => []);
    for (let r = 0; r < opts.reps; r++) {
      for (const [i, c] of contenders.entries()) {
        const [t0, c0] = [performance.now(), process.cpuUsage()];
        await c.run();
        const dc = process.cpuUsage(c0);
        ours[i]!.push({ wall: performance.now() - t0, cpu: (dc.user + dc.system) / 1000 });
      }
      if (withPeer) for (const [k, th] of threadCounts.entries()) theirs[k]!.push(await peer!.time(torchCase!, th));
    }
    const load = loadavg()[0]!;
    const wall = (xs: { wall: number }[]) => median(xs.map((x) => x.wall));
    const cpu = (xs: { cpu: number }[]) => median(xs.map((x) => x.cpu));
    for (const [i, c] of contenders.entries()) {
      const [ms, cms] = [wall(ours[i]!), cpu(ours[i]!)];
      const base = { case: caseName, backend: c.name, oursMs: ms, oursCpuMs: cms, load, ...(plan ? { plan } : {}) };
      if (!withPeer) rows.push({ ...base, torchMs: null, torchThreads: null, ratio: null, torchCpuMs: null, cpuRatio: null });
      for (const [k, th] of (withPeer ? threadCounts : []).entries()) {
        const [tm, tc] = [wall(theirs[k]!), cpu(theirs[k]!)];
        rows.push({ ...base, torchMs: tm, torchThreads: th, ratio: ratioOk ? ms / tm : null, torchCpuMs: tc, cpuRatio: ratioOk ? cms / tc : null });
      }
      opts.log(`${caseName} [${c.name}]: ${ms.toFixed(1)} ms (cpu ${cms.toFixed(1)})${withPeer ? threadCounts.map((th, k) => `; torch ${th}T ${wall(theirs[k]!).toFixed(1)} ms (cpu ${cpu(theirs[k]!).toFixed(1)})`).join("") : ""} (load ${load.toFixed(2)})`);
    }
  };

  const rng = new Rng(0);
  const engineName = (e: BenchEngine) => (e === "tfjs" ? `tfjs-${info.name}` : `onnxruntime-node ${THREADS[e]}T`);
  const tdmpc2 = (preset: string, over: Partial<Tdmpc2Config> = {}) => makeConfig("tdmpc2", preset, over);
  /** "tdmpc": TD-MPC at its official configuration; else a TD-MPC2 preset. */
  const agentConfig = (preset: string): AgentConfig => (preset === "tdmpc" ? makeConfig("tdmpc", "official") : tdmpc2(preset));
  const dispose = (agents: Agent[]) => agents.forEach((a) => a.dispose());

  for (const preset of opts.cases.some((c) => c === "forward" || c === "plan") ? opts.planPresets : []) {
    if (opts.cases.includes("forward")) {
      const wm = new WorldModel(tdmpc2(preset), O, A, 0);
      const store = storeFromParams(wm.params, []);
      const { dynamics, reward } = wm.latent;
      const L = wm.latentDim;
      const N = 512;
      const tcase = `fwd-${preset}`;
      if (peer) await peer.call({ cmd: "setup", case: tcase, kind: "forward", preset: peerModel(wm.cfg), obs_dim: O, action_dim: A, rows: N });
      const za = rng.fillUniform(new Float32Array(N * (L + A)), 0, 0.25);
      const zaT = tf.tensor2d(za, [N, L + A]);
      const contenders: Contender[] = [];
      const sessions: GraphSession[] = [];
      if (opts.engines.includes("tfjs")) {
        contenders.push({
          name: engineName("tfjs"),
          run: async () => {
            const [z1, r] = tf.tidy(() => [applyMlp(wm.params, dynamics, zaT), applyMlp(wm.params, reward, zaT)]);
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
        g.output(mlpGraph(g, dynamics, P, x), "z1");
        g.output(mlpGraph(g, reward, P, x), "r");
        const s = await GraphSession.create(g, { threads: THREADS[e] });
        sessions.push(s);
        const feeds: Record<string, import("../../nn/onnx/session.js").Feed> = { za };
        for (const v of s.inputs) if (v.name.startsWith("p:")) feeds[v.name] = store.get(v.name);
        contenders.push({ name: engineName(e), run: () => s.run(feeds) });
      }
      await measure(`forward dyn+rew ${preset} N=${N}`, contenders, tcase);
      for (const s of sessions) await s.release();
      zaT.dispose();
      wm.dispose();
    }
    if (opts.cases.includes("plan")) {
      for (const [ci, over] of (opts.planConfigs ?? [undefined]).entries()) {
        const cfg = tdmpc2(preset, over);
        const pc = planConfigOf(cfg);
        const agents = await Promise.all(opts.engines.map((e) => benchAgent(cfg, O, A, e)));
        const tcase = `plan-${preset}-${ci}`;
        if (peer) await peer.call({ cmd: "setup", case: tcase, kind: "plan", preset: peerModel(cfg), obs_dim: O, action_dim: A, plan: peerPlan(agents[0]!) });
        const obs = rng.fillNormal(new Float32Array(O));
        const contenders = agents.map((agent, i) => ({ name: engineName(opts.engines[i]!), run: () => planCall(agent, obs) }));
        await measure(`plan ${preset} ${pc.num_samples}x${pc.iterations} H${pc.horizon}`, contenders, tcase, pc);
        dispose(agents);
      }
    }
  }

  if (opts.cases.includes("update")) {
    for (const preset of opts.updatePresets) {
      const cfg = agentConfig(preset);
      const { batch_size: B, horizon: H } = cfg;
      const batch = benchBatch(rng, cfg, O, A);
      const tcase = `upd-${preset}`;
      const kind = cfg.agent === "tdmpc" ? "tdmpc-update" : "update";
      if (peer) await peer.call({ cmd: "setup", case: tcase, kind, preset: peerModel(cfg), obs_dim: O, action_dim: A, batch: B });
      const agents = await Promise.all(opts.engines.map((e) => benchAgent(cfg, O, A, e)));
      const contenders = agents.map((agent, i) => ({ name: engineName(opts.engines[i]!), run: async () => agent.update(batch) }));
      await measure(`update ${preset === "tdmpc" ? "TD-MPC" : `TD-MPC2 ${preset}`} B=${B} H=${H}`, contenders, tcase);
      dispose(agents);
    }
  }

  if (opts.cases.includes("agent")) {
    for (const preset of opts.agentPresets ?? []) {
      const cfg = agentConfig(preset);
      const batch = benchBatch(rng, cfg, O, A);
      const obs = rng.fillNormal(new Float32Array(O));
      const tcase = `agent-${preset}`;
      const agents = await Promise.all(opts.engines.map((e) => benchAgent(cfg, O, A, e)));
      const kind = cfg.agent === "tdmpc" ? "tdmpc-agent" : "agent";
      if (peer) await peer.call({ cmd: "setup", case: tcase, kind, preset: peerModel(cfg), obs_dim: O, action_dim: A, batch: cfg.batch_size, plan: peerPlan(agents[0]!) });
      const contenders = agents.map((agent, i) => ({
        name: engineName(opts.engines[i]!),
        run: async () => {
          await planCall(agent, obs);
          await agent.update(batch);
        },
      }));
      const p = plannerConfig(agents[0]!);
      const samples = p.numSamples + p.numPiTrajs;
      await measure(`agent step ${preset === "tdmpc" ? "TD-MPC" : `TD-MPC2 ${preset}`} (plan ${samples}x${p.iterations} H${p.horizon} + update)`, contenders, tcase);
      dispose(agents);
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

/** Where one TD-MPC2 update step (Tdmpc2Agent.update) spends its time on tfjs: matMul vs elementwise vs data movement vs per-op overhead. */
export async function profileUpdate(preset: string, obsDim = 24, actionDim = 6): Promise<KernelProfile> {
  await initBackend({ quiet: true });
  const agent = new Tdmpc2Agent(makeConfig("tdmpc2", preset), obsDim, actionDim, 0);
  const batch = randomBatch(new Rng(1), agent.cfg.horizon, agent.cfg.batch_size, obsDim, actionDim);
  agent.update(batch);
  const t0 = performance.now();
  agent.update(batch);
  const wallMs = performance.now() - t0;
  const prof = await tf.profile(() => void agent.update(batch));
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
  agent.dispose();
  const top = [...by.entries()].map(([name, v]) => ({ name, ...v })).sort((a, b) => b.ms - a.ms).slice(0, 12);
  const kernelTotal = matMulMs + elementwiseMs + otherKernelMs;
  return { wallMs, matMulMs, elementwiseMs, otherKernelMs, overheadMs: Math.max(0, wallMs - kernelTotal), kernels: prof.kernels.length, top };
}

export function formatRows(rows: BenchRow[]): string {
  const head = ["case", "engine", "ours ms", "torch ms", "torch threads", "ratio", "CPU ours/torch ms", "CPU ratio", "load"];
  const x = (v: number | null | undefined) => (v === null || v === undefined ? "—" : v.toFixed(2) + "×");
  const body = rows.map((r) => [
    r.case,
    r.backend,
    r.oursMs.toFixed(1),
    r.torchMs === null ? "—" : r.torchMs.toFixed(1),
    r.torchThreads === null ? "—" : String(r.torchThreads),
    x(r.ratio),
    r.oursCpuMs === undefined ? "—" : `${r.oursCpuMs.toFixed(1)} / ${r.torchCpuMs?.toFixed(1) ?? "—"}`,
    x(r.cpuRatio),
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

const DOC_BEGIN = "<!-- bench-nn:begin -->";
const DOC_END = "<!-- bench-nn:end -->";

/** Replace the generated section of a doc (between the bench-nn markers) with the report's table. */
export function writeDocTable(doc: string, rep: BenchReport, source: string): void {
  const text = readFileSync(doc, "utf8");
  const a = text.indexOf(DOC_BEGIN);
  const b = text.indexOf(DOC_END);
  if (a < 0 || b < a) throw new Error(`${doc}: no ${DOC_BEGIN} … ${DOC_END} section to regenerate`);
  writeFileSync(doc, text.slice(0, a + DOC_BEGIN.length) + "\n" + reportMarkdown(rep, source) + "\n" + text.slice(b));
}
