/**
 * `tdmpc bench nn`: our networks against PyTorch CPU on the same shapes and the same maths, measured interleaved
 * (one of ours, one torch 1-thread, one torch 2-thread, repeat) so that the machine's load hits both alike.
 *
 * Cases: (1) forward of the planning MLPs (dynamics + reward, one horizon step) at 512 rows, and a whole planning
 * call (MPPI, 512 samples × 6 iterations, horizon 5); (2) one TD-MPC2 update step (batch 256, horizon 3) per preset.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { projectRoot } from "../tooling/paths.js";
import { Rng } from "../util/random.js";
import { initBackend, tf } from "./backend.js";
import { applyMlp } from "./layers.js";
import { GraphBuilder, OnnxRolloutEngine, TfjsRolloutEngine, loadOrt, onnxMlpGraph, type RolloutEngine } from "./onnx.js";
import { planMppi } from "./planner.js";
import { PLAN_DEFAULTS, modelPreset, type PlanConfig } from "./presets.js";
import { WorldModel, randomBatch } from "./worldmodel.js";

export interface BenchRow {
  case: string;
  backend: string;
  tfjsMs: number;
  torchMs: number | null;
  torchThreads: number | null;
  ratio: number | null;
  /** Planning cases: the configuration timed (`tdmpc bench plan` sweeps these). */
  plan?: PlanConfig;
}

export interface BenchOptions {
  reps: number;
  cases: ("forward" | "plan" | "update")[];
  planPresets: string[];
  updatePresets: string[];
  engines: ("tfjs" | "onnx1" | "onnx2")[];
  obsDim: number;
  actionDim: number;
  log: (s: string) => void;
  /** Planning configurations to time (default: TD-MPC2's defaults at horizon 5). */
  planConfigs?: PlanConfig[];
  /** PyTorch thread counts to compare with (default 1 and 2). */
  torchThreads?: number[];
}

export const TORCH_PYTHON = "/usr/bin/python3";

export function torchAvailable(): { ok: boolean; why?: string } {
  if (!existsSync(TORCH_PYTHON)) return { ok: false, why: `${TORCH_PYTHON} not found` };
  const r = spawnSync(TORCH_PYTHON, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8" });
  if (r.status !== 0) return { ok: false, why: "PyTorch is not installed for /usr/bin/python3 (Debian: apt-get install -y python3-torch)" };
  return { ok: true, why: `torch ${r.stdout.trim()}` };
}

/** The PyTorch peer as a child process speaking one JSON line per request. */
class TorchPeer {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private waiters: ((s: string) => void)[] = [];

  constructor() {
    this.proc = spawn(TORCH_PYTHON, [join(projectRoot(), "scripts", "bench_nn_torch.py")], { stdio: ["pipe", "pipe", "pipe"] });
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

  private exited: string | undefined;

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

  quit(): void {
    this.proc.stdin.write(JSON.stringify({ cmd: "quit" }) + "\n");
    this.proc.stdin.end();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A forward of dynamics + reward (one planning step) through onnxruntime: outputs z' and reward logits. */
async function onnxForward(wm: WorldModel, threads: number) {
  const g = new GraphBuilder();
  const weights: Parameters<typeof onnxMlpGraph>[3] = [];
  const declared = new Set<string>();
  const za = g.input("za", ["N", wm.cfg.latent_dim + wm.actionDim]);
  g.node("Identity", [onnxMlpGraph(g, wm.dyn, za, weights, declared)], {}, "z1");
  g.node("Identity", [onnxMlpGraph(g, wm.rew, za, weights, declared)], {}, "r");
  g.output("z1", ["N", wm.cfg.latent_dim]);
  g.output("r", ["N", wm.cfg.num_bins]);
  const ort = loadOrt();
  const session = await ort.InferenceSession.create(g.build(), {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  });
  const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
  for (const w of weights) feeds[w.name] = new ort.Tensor("float32", w.read(wm, [0, 1]), w.dims);
  return {
    run: async (za0: Float32Array, n: number) => {
      const out = await session.run({ ...feeds, za: new ort.Tensor("float32", za0, [n, wm.cfg.latent_dim + wm.actionDim]) });
      return [out.z1!.data, out.r!.data];
    },
    dispose: () => session.release(),
  };
}

function presetForTorch(name: string) {
  const p = modelPreset(name);
  return { ...p };
}

export async function runNnBench(opts: BenchOptions): Promise<{ rows: BenchRow[]; notes: string[] }> {
  const info = await initBackend({ quiet: true });
  const notes: string[] = [`tfjs backend: ${info.name}`, `load average at start: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`];
  const torch = torchAvailable();
  notes.push(torch.ok ? `PyTorch peer: ${TORCH_PYTHON} (${torch.why})` : `PyTorch peer unavailable: ${torch.why}`);
  const peer = torch.ok ? new TorchPeer() : undefined;
  const rows: BenchRow[] = [];
  const O = opts.obsDim;
  const A = opts.actionDim;

  // Time `ours` and the torch case alternately, reps times; medians.
  const threadCounts = opts.torchThreads ?? [1, 2];
  const interleave = async (caseName: string, backend: string, ours: () => Promise<void>, torchCase: string | undefined, plan?: PlanConfig) => {
    await ours(); // warm-up (session creation, XNNPACK packing, JIT)
    if (peer && torchCase) for (const th of threadCounts) await peer.time(torchCase, th);
    const t: number[] = [];
    const tt: number[][] = threadCounts.map(() => []);
    for (let r = 0; r < opts.reps; r++) {
      const t0 = performance.now();
      await ours();
      t.push(performance.now() - t0);
      if (peer && torchCase) for (let k = 0; k < threadCounts.length; k++) tt[k]!.push(await peer.time(torchCase, threadCounts[k]!));
    }
    const ms = median(t);
    if (peer && torchCase) {
      threadCounts.forEach((th, k) => {
        const tm = median(tt[k]!);
        rows.push({ case: caseName, backend, tfjsMs: ms, torchMs: tm, torchThreads: th, ratio: ms / tm, ...(plan ? { plan } : {}) });
      });
    } else rows.push({ case: caseName, backend, tfjsMs: ms, torchMs: null, torchThreads: null, ratio: null, ...(plan ? { plan } : {}) });
    opts.log(`${caseName} [${backend}]: ${ms.toFixed(1)} ms${peer && torchCase ? threadCounts.map((th, k) => `; torch ${th}T ${median(tt[k]!).toFixed(1)} ms`).join("") : ""}`);
  };

  const rng = new Rng(0);
  for (const preset of opts.cases.some((c) => c !== "update") ? opts.planPresets : []) {
    const wm = new WorldModel(modelPreset(preset), O, A, 0);
    const L = wm.cfg.latent_dim;
    if (opts.cases.includes("forward")) {
      const N = 512;
      const caseName = `forward dyn+rew ${preset} N=${N}`;
      const tcase = `fwd-${preset}`;
      if (peer) await peer.call({ cmd: "setup", case: tcase, kind: "forward", preset: presetForTorch(preset), obs_dim: O, action_dim: A, rows: N });
      const za = rng.fillUniform(new Float32Array(N * (L + A)), 0, 0.25);
      const zaT = tf.tensor2d(za, [N, L + A]);
      if (opts.engines.includes("tfjs")) {
        await interleave(caseName, `tfjs-${info.name}`, async () => {
          const [z1, r] = tf.tidy(() => [applyMlp(wm.params, wm.dyn, zaT), applyMlp(wm.params, wm.rew, zaT)]);
          await z1!.data();
          await r!.data();
          tf.dispose([z1!, r!]);
        }, tcase);
      }
      for (const threads of [1, 2]) {
        if (!opts.engines.includes(threads === 1 ? "onnx1" : "onnx2")) continue;
        const f = await onnxForward(wm, threads);
        await interleave(caseName, `onnxruntime-node ${threads}T`, async () => void (await f.run(za, N)), tcase);
        await f.dispose();
      }
      zaT.dispose();
    }
    if (opts.cases.includes("plan")) {
      for (const [ci, pc] of (opts.planConfigs ?? [{ ...PLAN_DEFAULTS, horizon: 5 }]).entries()) {
        const caseName = `plan ${preset} ${pc.num_samples}x${pc.iterations} H${pc.horizon}`;
        const tcase = `plan-${preset}-${ci}`;
        if (peer) await peer.call({ cmd: "setup", case: tcase, kind: "plan", preset: presetForTorch(preset), obs_dim: O, action_dim: A, plan: pc });
        const obs = tf.tensor2d(rng.fillNormal(new Float32Array(O)), [1, O]);
        const engines: [string, () => Promise<RolloutEngine>][] = [];
        if (opts.engines.includes("tfjs")) engines.push([`tfjs-${info.name}`, async () => new TfjsRolloutEngine(wm, pc.horizon)]);
        if (opts.engines.includes("onnx1")) engines.push(["onnxruntime-node 1T", () => new OnnxRolloutEngine(wm, pc.horizon, { threads: 1 }).init()]);
        if (opts.engines.includes("onnx2")) engines.push(["onnxruntime-node 2T", () => new OnnxRolloutEngine(wm, pc.horizon, { threads: 2 }).init()]);
        for (const [name, make] of engines) {
          const engine = await make();
          await interleave(caseName, name, async () => {
            const zt = wm.encode(obs);
            const z0 = (await zt.data()) as Float32Array;
            zt.dispose();
            await planMppi(engine, z0, A, wm.cfg.num_q, pc, rng);
          }, tcase, pc);
          await engine.dispose();
        }
        obs.dispose();
      }
    }
    wm.dispose();
  }

  if (opts.cases.includes("update")) {
    for (const preset of opts.updatePresets) {
      const B = 256;
      const wm = new WorldModel(modelPreset(preset), O, A, 0);
      const batch = randomBatch(rng, wm.train.horizon, B, O, A);
      const tcase = `upd-${preset}`;
      if (peer) await peer.call({ cmd: "setup", case: tcase, kind: "update", preset: presetForTorch(preset), obs_dim: O, action_dim: A, batch: B });
      await interleave(`update ${preset} B=${B} H=${wm.train.horizon}`, `tfjs-${info.name}`, async () => void wm.update(batch, B), tcase);
      wm.dispose();
    }
  }
  peer?.quit();
  notes.push(`load average at end: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  return { rows, notes };
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
  const head = ["case", "engine", "ours ms", "torch ms", "torch threads", "ratio"];
  const body = rows.map((r) => [
    r.case,
    r.backend,
    r.tfjsMs.toFixed(1),
    r.torchMs === null ? "—" : r.torchMs.toFixed(1),
    r.torchThreads === null ? "—" : String(r.torchThreads),
    r.ratio === null ? "—" : r.ratio.toFixed(2) + "×",
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (c: string[]) => "| " + c.map((x, i) => x.padEnd(w[i]!)).join(" | ") + " |";
  return [line(head), "|" + w.map((x) => "-".repeat(x + 2)).join("|") + "|", ...body.map(line)].join("\n");
}
