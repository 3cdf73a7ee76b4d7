/**
 * The networks of layers.ts as graph nodes, generated from the same specs (`MlpSpec`, `EnsembleSpec`) and reading
 * parameters of the same names and layouts ("dynamics/1/W" [in, out], ensemble layer 0 W [in, heads·out], …), so a
 * new architecture needs no hand-written graph and the tfjs modules and these graphs share one weight layout.
 *
 * Speed choices (onnxruntime CPU): Gemm with the bias fused for dense layers; LayerNormalization as one op; Mish as
 * x·(1 − 2/((1+eˣ)² + 1)) with its derivative written out (one tape entry, ~7 forward and ~8 backward nodes).
 */
import { layerActivation, layerNormed, type Activation, type EnsembleSpec, type MlpSpec } from "../layers.js";
import { Graph, Sym } from "./graph.js";
import { taskParamShapes, type TaskSpec } from "./multitask.js";

/** The networks of a TD-MPC / TD-MPC2 agent (the latent model and the value side), as layer specs. */
export interface AgentNets {
  encoder: MlpSpec;
  dynamics: MlpSpec;
  reward: MlpSpec;
  pi: MlpSpec;
  q: EnsembleSpec;
  /** Multi-task TD-MPC2: the task embedding every network also reads (multitask.ts). */
  task?: TaskSpec;
}

/** Every parameter of the agent's networks with its shape. */
export function agentParamShapes(nets: AgentNets): [string, number[]][] {
  const task = nets.task ? taskParamShapes(nets.task) : [];
  return [...mlpParamShapes(nets.encoder), ...mlpParamShapes(nets.dynamics), ...mlpParamShapes(nets.reward), ...mlpParamShapes(nets.pi), ...ensembleParamShapes(nets.q), ...task];
}

/** Where a network reads its parameters: graph inputs, updated weights, target copies, … */
export type ParamFn = (name: string) => Sym;

export interface NetOptions {
  /**
   * Training-time dropout after the first layer (the spec's rate): the inverted-dropout mask (0 or 1/(1 − p)) of
   * that layer's output, a graph input drawn by the caller (`DropoutMask`). onnxruntime's own Dropout node was
   * measured at ~11 ns per element (20 ms a step for TD-MPC2-5M's Q heads); a multiply by a mask costs ~0.1 ns.
   */
  dropoutMask?: Sym;
}

export interface EnsembleOptions extends NetOptions {
  /** (the dropout mask of an ensemble is laid out [k, N, h]) */
  /** evaluate only these heads: int64 [k] (a graph input, so the draw can change every call) */
  heads?: Sym;
}

export const LN_EPS = 1e-5;

/** Mish (Misra 2019) = x·tanh(softplus(x)) = x·(1 − u), u = 2/((1+eˣ)² + 1); finite for any x. */
export function mish(g: Graph, x: Sym): Sym {
  const p = g.raw("Add", [g.raw("Exp", [x]), 1]);
  const u = g.raw("Div", [2, g.raw("Add", [g.raw("Mul", [p, p]), 1])]);
  const y = g.raw("Sub", [x, g.raw("Mul", [x, u])]);
  g.record("Mish", [x], [y], {}, { u }, (gr, e, [dy]) => {
    // mish′(x) = t + x·σ(x)·(1 − t²), t = 1 − u, 1 − t² = u·(2 − u)
    const xs = e.inputs[0]!;
    const uu = e.saved.u!;
    const slope = gr.raw("Add", [gr.raw("Mul", [gr.raw("Mul", [xs, gr.raw("Sigmoid", [xs])]), gr.raw("Mul", [uu, gr.raw("Sub", [2, uu])])]), gr.raw("Sub", [1, uu])]);
    return [gr.mul(dy!, slope)];
  });
  return y;
}

/**
 * ELU (α = 1, TD-MPC's activation) as max(x, 0) + e − 1 with e = exp(min(x, 0)), whose derivative is e itself
 * (1 for x > 0, eˣ below): one backward pass instead of a mask, a select and a product; onnxruntime's Elu kernel
 * was also measured ~2× slower than a Mul on the same tensor.
 */
export function elu(g: Graph, x: Sym): Sym {
  const e = g.raw("Exp", [g.raw("Min", [x, 0])]);
  const y = g.raw("Sum", [g.raw("Relu", [x]), e, -1]);
  g.record("Elu1", [x], [y], {}, { e }, (gr, en, [dy]) => [gr.mul(dy!, en.saved.e!)]);
  return y;
}

/** SimNorm (TD-MPC2 §3): softmax over groups of `dim` along the last axis. */
export function simNorm(g: Graph, x: Sym, dim: number): Sym {
  const last = x.shape[x.rank - 1]!;
  if (last % dim !== 0) throw new Error(`simNorm: last axis ${last} is not a multiple of the group size ${dim}`);
  const grouped = g.reshape(x, [...x.shape.slice(0, -1), last / dim, dim]);
  return g.reshape(g.softmax(grouped), [...x.shape]);
}

export function activate(g: Graph, x: Sym, act: Activation, simnormDim: number): Sym {
  switch (act) {
    case "mish":
      return mish(g, x);
    case "elu":
      return elu(g, x);
    case "relu":
      return g.relu(x);
    case "tanh":
      return g.tanh(x);
    case "simnorm":
      return simNorm(g, x, simnormDim);
    case "none":
      return x;
    default:
      throw new Error(`onnx: activation "${String(act)}" not supported`);
  }
}

/**
 * The input of a network: one value [N, in], or the parts of a concatenation along the last axis (e.g. [z, a]),
 * which layer 0 multiplies by the matching row blocks of its weight and sums. Parts cost no concatenated copy,
 * and a part that needs no gradient (the latents of a policy step) costs no product in the backward pass.
 */
export type NetInput = Sym | Sym[];

function inputParts(x: NetInput, din: number, what: string): Sym[] {
  const parts = Array.isArray(x) ? x : [x];
  const N = parts[0]!.shape[0];
  const width = parts.reduce((s, p) => s + p.shape[1]!, 0);
  if (parts.some((p) => p.rank !== 2 || p.shape[0] !== N) || width !== din) throw new Error(`${what}: input [${parts.map((p) => `[${p.shape}]`).join(", ")}] does not match ${din} inputs`);
  return parts;
}

/** An MLP created by layers.ts `mlp`, applied to x [N, in] (or its parts) → [N, out]. */
export function mlpGraph(g: Graph, spec: MlpSpec, P: ParamFn, x: NetInput, opts: NetOptions = {}): Sym {
  const L = spec.dims.length - 1;
  const parts = inputParts(x, spec.dims[0]!, `mlp "${spec.prefix}"`);
  let h = parts[0]!;
  for (let i = 0; i < L; i++) {
    const p = `${spec.prefix}/${i}`;
    if (i === 0 && parts.length > 1) {
      const Ws = g.split(P(`${p}/W`), 0, parts.map((q) => q.shape[1]!));
      h = g.sum(parts.map((q, j) => g.gemm(q, Ws[j]!, j === 0 ? P(`${p}/b`) : undefined)));
    } else h = g.gemm(h, P(`${p}/W`), P(`${p}/b`));
    if (i === 0 && spec.dropout > 0 && opts.dropoutMask) h = g.mul(h, opts.dropoutMask);
    if (layerNormed(spec, i)) h = g.layerNorm(h, P(`${p}/ln_g`), P(`${p}/ln_b`), LN_EPS);
    h = activate(g, h, layerActivation(spec, i), spec.simnormDim);
  }
  return h;
}

/**
 * An ensemble created by layers.ts `ensemble`, applied to a shared x [N, in] → [k, N, out] for all heads (k = heads)
 * or the `opts.heads` subset. Layer 0 is one Gemm over all selected heads ([in, k·h]); deeper layers are batched
 * matrix products over stacked weights [k, h, h′].
 */
export function ensembleGraph(g: Graph, spec: EnsembleSpec, P: ParamFn, x: NetInput, opts: EnsembleOptions = {}): Sym {
  const L = spec.dims.length - 1;
  const [din, h1] = [spec.dims[0]!, spec.dims[1]!];
  const parts = inputParts(x, din, `ensemble "${spec.prefix}"`);
  const sel = opts.heads;
  const k = sel ? sel.shape[0]! : spec.heads;
  const pick = (w: Sym, axis: number) => (sel ? g.gather(w, sel, axis) : w);
  // layer 0 stores W [in, heads·h] (column blocks per head): viewed as [heads, in, h] it is one batched product of
  // the shared x against every head, [k, N, h] out, each head's rows contiguous and its LayerNorm gain broadcast as
  // [k, 1, h]. Only the weights are transposed (in·k·h values), never the activations (N·k·h).
  const p0 = `${spec.prefix}/0`;
  const W0 = g.transpose(pick(g.reshape(P(`${p0}/W`), [din, spec.heads, h1]), 1), [1, 0, 2]); // [k, in, h]
  const b0 = pick(g.reshape(P(`${p0}/b`), [spec.heads, 1, h1]), 0);
  const Ws = g.split(W0, 1, parts.map((q) => q.shape[1]!));
  let h = g.sum([...parts.map((q, j) => g.matmul(q, Ws[j]!)), b0]);
  if (spec.dropout > 0 && opts.dropoutMask) h = g.mul(h, opts.dropoutMask);
  for (let i = 0; i < L; i++) {
    const p = `${spec.prefix}/${i}`;
    const dout = spec.dims[i + 1]!;
    if (i > 0) h = g.add(g.matmul(h, pick(P(`${p}/W`), 0)), pick(P(`${p}/b`), 0));
    if (layerNormed(spec, i)) h = g.layerNorm(h, g.reshape(pick(P(`${p}/ln_g`), 0), [k, 1, dout]), g.reshape(pick(P(`${p}/ln_b`), 0), [k, 1, dout]), LN_EPS);
    h = activate(g, h, layerActivation(spec, i), spec.simnormDim);
  }
  return h;
}

/** Minimum over the leading (heads) axis, [k, N, d] → [N, d], as elementwise Min (the gradient goes to the chosen head). */
export function minOverHeads(g: Graph, v: Sym): Sym {
  const heads = Array.from({ length: v.shape[0]! }, (_, i) => g.reshape(g.slice(v, 0, i, i + 1), v.shape.slice(1) as number[]));
  return heads.reduce((a, b) => g.min(a, b));
}

/** The parameter names and shapes of an MLP spec, in creation order (as layers.ts `mlp` adds them). */
export function mlpParamShapes(spec: MlpSpec): [string, number[]][] {
  const out: [string, number[]][] = [];
  for (let i = 0; i < spec.dims.length - 1; i++) {
    const [din, dout] = [spec.dims[i]!, spec.dims[i + 1]!];
    const p = `${spec.prefix}/${i}`;
    out.push([`${p}/W`, [din, dout]], [`${p}/b`, [dout]]);
    if (layerNormed(spec, i)) out.push([`${p}/ln_g`, [dout]], [`${p}/ln_b`, [dout]]);
  }
  return out;
}

/** The parameter names and shapes of an ensemble spec (as layers.ts `ensemble` adds them). */
export function ensembleParamShapes(spec: EnsembleSpec): [string, number[]][] {
  const out: [string, number[]][] = [];
  const E = spec.heads;
  for (let i = 0; i < spec.dims.length - 1; i++) {
    const [din, dout] = [spec.dims[i]!, spec.dims[i + 1]!];
    const p = `${spec.prefix}/${i}`;
    if (i === 0) out.push([`${p}/W`, [din, E * dout]], [`${p}/b`, [E * dout]]);
    else out.push([`${p}/W`, [E, din, dout]], [`${p}/b`, [E, 1, dout]]);
    if (layerNormed(spec, i)) out.push([`${p}/ln_g`, [E, dout]], [`${p}/ln_b`, [E, dout]]);
  }
  return out;
}
