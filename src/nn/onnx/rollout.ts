/**
 * Planning through onnxruntime: the value of N action sequences from a start latent, as one graph generated from
 * the layer specs (TD-MPC2 Eq. 6 without the policy's trajectories; TD-MPC's planning objective):
 *
 *   G = Σ_{t<H} γᵗ·R(z_t, a_t) + γᴴ·Q(z_H, tanh μ(z_H)),   z_{t+1} = d(z_t, a_t),
 *
 * with Q the mean (TD-MPC2) or min (TD-MPC) of two heads picked per call, and R and Q decoded from their coding
 * (two-hot or a plain scalar). The session reads its weights from a `WeightStore` at every call: after a training
 * step on the same store the next call plans with the new weights, with nothing copied or rebuilt.
 *
 * Multi-task TD-MPC2 (`spec.task`): the task's embedding joins the reward, dynamics, policy and Q inputs and its action
 * mask the terminal policy sample, as world-model.ts `rolloutReturn` does on tfjs.
 */
import type { EnsembleSpec, MlpSpec } from "../layers.js";
import type { ScalarCoding } from "../losses.js";
import { Graph, Sym } from "./graph.js";
import { decodeScalar } from "./losses.js";
import { maskRows, oneHotRows, taskEmbeddingGraph, withTaskParts as parts, type TaskSpec } from "./multitask.js";
import { ensembleGraph, minOverHeads, mlpGraph } from "./nets.js";
import type { SessionOptions } from "./proto.js";
import { GraphSession } from "./session.js";
import { storeKey, type WeightStore } from "./store.js";
import { squashedGaussian } from "./tdmpc2.js";

export interface RolloutSpec {
  dynamics: MlpSpec;
  reward: MlpSpec;
  pi: MlpSpec;
  q: EnsembleSpec;
  rewardCoding: ScalarCoding;
  qCoding: ScalarCoding;
  /** how two Q heads combine: TD-MPC2 averages, TD-MPC takes the minimum */
  qReduce: "avg" | "min";
  discount: number;
  horizon: number;
  actionDim: number;
  /**
   * The terminal action a_H: the policy's mode tanh μ(z_H) (default), or a sample as the official planners draw it —
   * "tdmpc": tanh μ + clip(σ·ε, ±0.3) clamped to ±(1 − 1e−6), σ = `piStd`; "tdmpc2": tanh(μ + e^{log σ}·ε) with the
   * policy's own log σ in [logStdMin, logStdMax]. Samples take ε [N, A] as an input.
   */
  terminal?: { kind: "mode" } | { kind: "tdmpc"; piStd: number } | { kind: "tdmpc2"; logStdMin: number; logStdMax: number };
  /** A multi-task model (TD-MPC2 terminal only): its embedding and per-task action sizes. */
  task?: TaskSpec;
}

/** The task of a multi-task rollout: its embedding [N, dim] and action mask [1, A]. */
export interface RolloutTask {
  e: Sym;
  mask: Sym;
}

/** z0 [N, L], actions [H, N, A], heads int64 [2] (and ε [N, A] for a sampled terminal action) → G [N, 1] */
export function rolloutValueGraph(g: Graph, s: RolloutSpec, P: (name: string) => Sym, z0: Sym, actions: Sym, heads: Sym, eps?: Sym, task?: RolloutTask): Sym {
  const A = s.actionDim;
  const N = z0.shape[0]!;
  const e = task?.e;
  let z = z0;
  const terms: Sym[] = [];
  let disc = 1;
  for (let t = 0; t < s.horizon; t++) {
    const za = parts(z, e, g.reshape(g.slice(actions, 0, t, t + 1), [N, A]));
    const r = decodeScalar(g, s.rewardCoding, mlpGraph(g, s.reward, P, za));
    terms.push(disc === 1 ? r : g.mul(r, disc));
    z = mlpGraph(g, s.dynamics, P, za);
    disc *= s.discount;
  }
  const piOut = mlpGraph(g, s.pi, P, parts(z, e));
  const term = s.terminal ?? { kind: "mode" };
  let aH: Sym;
  if (task && term.kind !== "tdmpc2") throw new Error("rollout value: multi-task planning is TD-MPC2's (terminal kind tdmpc2)");
  if (term.kind === "mode") aH = g.tanh(g.slice(piOut, 1, 0, A));
  else if (!eps) throw new Error("rollout value: a sampled terminal action needs ε");
  else if (term.kind === "tdmpc") aH = g.clip(g.add(g.tanh(g.slice(piOut, 1, 0, A)), g.clip(g.mul(eps, term.piStd), -0.3, 0.3)), -1 + 1e-6, 1 - 1e-6);
  else aH = squashedGaussian(g, piOut, eps, term.logStdMin, term.logStdMax, task?.mask).action;
  const v = decodeScalar(g, s.qCoding, ensembleGraph(g, s.q, P, parts(z, e, aH), { heads })); // [2, N, 1]
  const q = s.qReduce === "avg" ? g.reduceMean(v, [0]) : minOverHeads(g, v);
  terms.push(g.mul(q, disc));
  return g.sum(terms);
}

/** The planning objective on onnxruntime, weights read from a `WeightStore` (one session per sample count N). */
export class OnnxRolloutEngine {
  readonly name: string;
  private readonly sessions = new Map<number, Promise<GraphSession>>();

  constructor(
    readonly spec: RolloutSpec,
    readonly store: WeightStore,
    private readonly opts: SessionOptions = {},
  ) {
    this.name = `onnxruntime-node ${opts.threads ?? 1}T`;
  }

  get horizon(): number {
    return this.spec.horizon;
  }

  private latentDim(): number {
    return this.spec.dynamics.dims[this.spec.dynamics.dims.length - 1]!;
  }

  private session(n: number): Promise<GraphSession> {
    let s = this.sessions.get(n);
    if (!s) {
      const g = new Graph();
      const P = (name: string) => {
        const key = storeKey("p", name);
        return g.input(key, this.store.shape(key));
      };
      const cache = new Map<string, Sym>();
      const Pc = (name: string) => cache.get(name) ?? (cache.set(name, P(name)), cache.get(name)!);
      const z0 = g.input("z0", [n, this.latentDim()]);
      const actions = g.input("actions", [this.spec.horizon, n, this.spec.actionDim]);
      const heads = g.input("heads", [2], "int64");
      const eps = (this.spec.terminal?.kind ?? "mode") === "mode" ? undefined : g.input("eps", [n, this.spec.actionDim]);
      const t = this.spec.task;
      const task = t && { e: taskEmbeddingGraph(g, Pc, g.input("task_onehot", [n, t.actionDims.length])), mask: g.input("action_mask", [1, this.spec.actionDim]) };
      g.output(rolloutValueGraph(g, this.spec, Pc, z0, actions, heads, eps, task), "G");
      s = GraphSession.create(g, this.opts);
      this.sessions.set(n, s);
    }
    return s;
  }

  /** Prepare the session for N samples ahead of the first call. */
  async init(n?: number): Promise<this> {
    if (n) await this.session(n);
    return this;
  }

  /** Nothing to do: the weights are read from the store at every call (kept for callers of the older engine). */
  sync(): void {}

  /**
   * Values [N] of N action sequences (actions [H, N, A] flattened, zero in the dimensions a task lacks) from the start
   * latent z0 [L] or [N, L]; `task`: the task's index (multi-task models).
   */
  async value(z0: Float32Array, actions: Float32Array, n: number, heads: [number, number], eps?: Float32Array, task?: number): Promise<Float32Array> {
    const L = this.latentDim();
    const { horizon: H, actionDim: A } = this.spec;
    if (actions.length !== H * n * A) throw new Error(`rollout value: actions has ${actions.length} values, expected H·N·A = ${H * n * A}`);
    if (z0.length !== L && z0.length !== n * L) throw new Error(`rollout value: z0 has ${z0.length} values, expected ${L} or N·${L}`);
    const s = await this.session(n);
    const feeds: Record<string, import("./session.js").Feed> = {
      z0: z0.length === L ? tileRows(z0, n) : z0,
      actions,
      heads: BigInt64Array.from(heads.map((h) => BigInt(h))),
    };
    if ((this.spec.terminal?.kind ?? "mode") !== "mode") {
      if (!eps || eps.length !== n * A) throw new Error(`rollout value: the sampled terminal action needs ε of N·A = ${n * A} values`);
      feeds.eps = eps;
    }
    const tasks = this.spec.task;
    if (tasks) {
      if (task === undefined) throw new Error("rollout value: a multi-task model needs the task's index");
      feeds.task_onehot = oneHotRows(tasks, new Int32Array(n).fill(task));
      feeds.action_mask = maskRows(tasks, [task], A);
    }
    for (const v of s.inputs) if (v.name.startsWith("p:")) feeds[v.name] = this.store.get(v.name);
    const out = await s.run(feeds);
    return out.G!.data as Float32Array;
  }

  async dispose(): Promise<void> {
    for (const s of this.sessions.values()) await (await s).release();
    this.sessions.clear();
  }
}

export function tileRows(row: Float32Array, n: number): Float32Array {
  const out = new Float32Array(row.length * n);
  for (let i = 0; i < n; i++) out.set(row, i * row.length);
  return out;
}
