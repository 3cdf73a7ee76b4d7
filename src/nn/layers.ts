/**
 * Layers with the TD-MPC / TD-MPC2 semantics, written as plain functions over named tf.Variables.
 *
 * A network is a `Params` store (name → variable, names like "dynamics/1/W") plus a function that applies it.
 * Keeping parameters in one flat, named store is what the optimiser (per-module learning rates, freezing), the
 * target networks (Polyak averaging), the checkpoint files and the ONNX inference engine all need.
 *
 * Speed notes (wasm backend, measured in ../shared/PLATFORM.md and `tdmpc bench nn`):
 *  - tfjs's autodiff of `matMul` uses the transposeA/transposeB flags, ~10× slower on wasm than an explicit
 *    `tf.transpose` followed by a plain matMul; `denseOp` therefore has a custom gradient.
 *  - Mish is computed in its sigmoid form (Tanh and Softplus cost as much as a matMul on wasm).
 */
import { tf } from "./backend.js";
import type { Rng } from "../util/random.js";

export type Activation = "mish" | "elu" | "relu" | "tanh" | "simnorm" | "none";

/** A flat, named store of trainable tensors. Variables are unnamed in tfjs's registry so stores can coexist. */
export class Params {
  readonly vars = new Map<string, tf.Variable>();

  add(name: string, value: tf.Tensor): tf.Variable {
    if (this.vars.has(name)) throw new Error(`Params: duplicate parameter name "${name}"`);
    const v = tf.variable(value, true);
    value.dispose();
    this.vars.set(name, v);
    return v;
  }

  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`Params: no parameter named "${name}"`);
    return v;
  }

  /** Names in insertion order, optionally only those under `prefix` (e.g. "encoder/"). */
  names(prefix = ""): string[] {
    return [...this.vars.keys()].filter((n) => n.startsWith(prefix));
  }

  count(prefix = ""): number {
    return this.names(prefix).reduce((s, n) => s + this.get(n).size, 0);
  }

  /** A new store with copies of the parameters under `prefix` (a target network starts as a copy). */
  clone(prefix = ""): Params {
    const out = new Params();
    for (const n of this.names(prefix)) out.add(n, this.get(n).clone());
    return out;
  }

  /** Overwrite every parameter with the matching one of `src` (same names and shapes). */
  copyFrom(src: Params): void {
    for (const [n, v] of this.vars) v.assign(src.get(n));
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Dense layer

/** How dense layers differentiate: "custom" = explicit transposes (fast on wasm/cpu), "autodiff" = tfjs's own. */
export type DenseGrad = "custom" | "autodiff";
let denseGradMode: DenseGrad | undefined;

/**
 * The gradient path per backend, measured (fwd+bwd of a 4-layer Mish/LayerNorm MLP, batch 256, CPU ms):
 *  - wasm: custom 141 vs autodiff 868 at width 512 (the matMul transpose flags leave XNNPACK), 121 with the fused
 *    LayerNorm/Mish gradients below → custom + fused.
 *  - cpu (pure JS): custom 295 vs autodiff 290 vs custom+fused 341 at width 128 → tfjs's autodiff.
 *  - native TensorFlow (tfjs-node/-gpu): BLAS/cuBLAS take the flags for free → tfjs's autodiff.
 */
export function denseGrad(): DenseGrad {
  if (denseGradMode) return denseGradMode;
  return tf.getBackend() === "wasm" ? "custom" : "autodiff";
}

/** Force a gradient path (tests compare the two; undefined restores the per-backend default). */
export function setDenseGrad(mode: DenseGrad | undefined): void {
  denseGradMode = mode;
}

type Save = (t: tf.Tensor[]) => void;

const dense2dCustom = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: Save) => {
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x, w), b),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy), sumRows(dy)];
    },
  };
}) as never) as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;

function bmm(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  if (ensembleMode() === "batched") return tf.matMul(a, b);
  // per-head slices (tf.unstack's wasm kernel bypasses the patched Slice and copies the whole input per head)
  const as = heads3d(a);
  const bs = heads3d(b);
  return tf.stack(as.map((x, e) => tf.matMul(x, bs[e]!))) as tf.Tensor3D;
}

function heads3d(t: tf.Tensor3D): tf.Tensor2D[] {
  const [E, r, c] = t.shape;
  return Array.from({ length: E }, (_, e) => tf.reshape(tf.slice(t, [e, 0, 0], [1, r, c]), [r, c]) as tf.Tensor2D);
}

/** Σ over the rows of dy [B, out] as a matMul 1ᵀ·dy: on wasm a reduction over axis 0 transposes first (slow). */
function sumRows(dy: tf.Tensor2D): tf.Tensor1D {
  return tf.reshape(tf.matMul(tf.ones([1, dy.shape[0]]), dy), [dy.shape[1]]) as tf.Tensor1D;
}

const dense3dCustom = tf.customGrad(((x: tf.Tensor3D, w: tf.Tensor3D, b: tf.Tensor3D, save: Save) => {
  save([x, w]);
  return {
    value: tf.add(bmm(x, w), b),
    gradFunc: (dy: tf.Tensor3D, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor3D, tf.Tensor3D];
      const [E, B] = dy.shape;
      return [
        bmm(dy, tf.transpose(ws, [0, 2, 1])),
        bmm(tf.transpose(xs, [0, 2, 1]), dy),
        bmm(tf.ones([E, 1, B]), dy),
      ];
    },
  };
}) as never) as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor3D;

/**
 * Dense ops for *frozen* weights (e.g. the Q heads inside TD-MPC2's policy loss): the gradient flows to x only.
 * A custom gradient computes every input's gradient at once, so without this the unused xᵀ·dy matMuls would run.
 */
const dense2dFrozen = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: Save) => {
  save([w]);
  return {
    value: tf.add(tf.matMul(x, w), b),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [ws] = saved as [tf.Tensor2D];
      return [tf.matMul(dy, tf.transpose(ws)), tf.zerosLike(ws), tf.zeros(b.shape)];
    },
  };
}) as never) as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;

const dense3dFrozen = tf.customGrad(((x: tf.Tensor3D, w: tf.Tensor3D, b: tf.Tensor3D, save: Save) => {
  save([w]);
  return {
    value: tf.add(bmm(x, w), b),
    gradFunc: (dy: tf.Tensor3D, saved: tf.Tensor[]) => {
      const [ws] = saved as [tf.Tensor3D];
      return [bmm(dy, tf.transpose(ws, [0, 2, 1])), tf.zerosLike(ws), tf.zeros(b.shape)];
    },
  };
}) as never) as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor3D;

/** y = x·W + b for x [B, in], W [in, out], b [out]. */
export function dense(x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor, frozen = false): tf.Tensor2D {
  if (x.rank !== 2 || w.rank !== 2 || x.shape[1] !== w.shape[0]) {
    throw new Error(`dense: input [${x.shape}] does not match weight [${w.shape}]`);
  }
  if (denseGrad() !== "custom") return tf.add(tf.matMul(x, w as tf.Tensor2D), b);
  return frozen ? dense2dFrozen(x, w, b) : dense2dCustom(x, w, b);
}

/** Batched dense for an ensemble: x [E, B, in], W [E, in, out], b [E, 1, out] → [E, B, out]. */
export function denseBatched(x: tf.Tensor3D, w: tf.Tensor, b: tf.Tensor, frozen = false): tf.Tensor3D {
  if (x.rank !== 3 || w.rank !== 3 || x.shape[0] !== w.shape[0] || x.shape[2] !== w.shape[1]) {
    throw new Error(`denseBatched: input [${x.shape}] does not match weight [${w.shape}]`);
  }
  if (denseGrad() !== "custom") return tf.add(bmm(x, w as tf.Tensor3D), b);
  return frozen ? dense3dFrozen(x, w, b) : dense3dCustom(x, w, b);
}

/**
 * How `denseBatched` multiplies: "batched" = one 3-D matMul (native TensorFlow), "heads2d" = one 2-D matMul per
 * head on contiguous slices (wasm, cpu). Why: on wasm a 3-D matMul leaves XNNPACK for a naive loop: measured
 * [5,1024,128]·[5,128,128] ≈ 100 ms as one 3-D matMul vs ≈ 5 × 6.5 ms as 2-D ones (CPU time, loaded machine), and
 * the 5M update step went from ~35 s to ~8 s with this alone.
 */
export type EnsembleMode = "heads2d" | "batched";
let ensembleModeForced: EnsembleMode | undefined;

export function ensembleMode(): EnsembleMode {
  return ensembleModeForced ?? (tf.getBackend() === "tensorflow" ? "batched" : "heads2d");
}

export function setEnsembleMode(mode: EnsembleMode | undefined): void {
  ensembleModeForced = mode;
}

// ---------------------------------------------------------------------------------------------------------------
// Normalisation and activations

export const LN_EPS = 1e-5;

/** LayerNorm over the last axis (Ba et al. 2016), as torch.nn.LayerNorm(eps=1e-5) with affine gain and bias. */
export function layerNorm<T extends tf.Tensor>(x: T, gamma: tf.Tensor, beta: tf.Tensor): T {
  return (fusedActive() ? layerNormFused(x, gamma, beta) : layerNormAutodiff(x, gamma, beta)) as T;
}

/** The textbook composition; tfjs differentiates it op by op (~25 kernels forward + backward). */
export function layerNormAutodiff<T extends tf.Tensor>(x: T, gamma: tf.Tensor, beta: tf.Tensor): T {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, LN_EPS))), gamma), beta) as T;
}

/** Sum `t` down to `shape` (the broadcast axes of a gain/bias), as a matMul when it is a row sum. */
function sumTo(t: tf.Tensor, shape: number[]): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  if (t.size % size === 0 && t.shape.slice(t.rank - shape.length).every((d, i) => d === shape[i])) {
    return tf.reshape(sumRows(tf.reshape(t, [t.size / size, size]) as tf.Tensor2D), shape);
  }
  const axes: number[] = [];
  const off = t.rank - shape.length;
  for (let i = 0; i < t.rank; i++) if (i < off || shape[i - off] === 1) axes.push(i);
  return tf.reshape(tf.sum(t, axes), shape);
}

/**
 * LayerNorm with its analytic gradient: x̂ = (x − μ)·r, r = 1/√(σ² + ε), y = γ·x̂ + β;
 * dx = r·(g − mean(g) − x̂·mean(g·x̂)) with g = γ·dy; dγ = Σ dy·x̂; dβ = Σ dy.
 */
const layerNormFused = tf.customGrad(((x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, save: Save) => {
  const mu = tf.mean(x, -1, true);
  const xc = tf.sub(x, mu);
  const r = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), LN_EPS));
  const xhat = tf.mul(xc, r);
  save([xhat, r, gamma, beta]);
  return {
    value: tf.add(tf.mul(xhat, gamma), beta),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xh, rs, g, b] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const gd = tf.mul(dy, g);
      const dx = tf.mul(rs, tf.sub(tf.sub(gd, tf.mean(gd, -1, true)), tf.mul(xh, tf.mean(tf.mul(gd, xh), -1, true))));
      return [dx, sumTo(tf.mul(dy, xh), g.shape), sumTo(dy, b.shape)];
    },
  };
}) as never) as (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** Fused LayerNorm/Mish gradients: on wherever dense uses the custom path (fewer kernels), off with autodiff. */
let fusedForced: boolean | undefined;
export function fusedActive(): boolean {
  return fusedForced ?? denseGrad() === "custom";
}
export function setFused(on: boolean | undefined): void {
  fusedForced = on;
}

/** Mish (Misra 2019): x·tanh(softplus(x)) = x·(1−u²)/(1+u²) with u = sigmoid(−x); no Tanh/Softplus kernels. */
export function mish<T extends tf.Tensor>(x: T): T {
  return (fusedActive() ? mishFused(x) : mishAutodiff(x)) as T;
}

export function mishAutodiff<T extends tf.Tensor>(x: T): T {
  const u = tf.sigmoid(tf.neg(x));
  const u2 = tf.square(u);
  return tf.div(tf.mul(x, tf.sub(1, u2)), tf.add(1, u2)) as T;
}

/** Mish with its analytic gradient: with t = tanh(softplus(x)) = (1−u²)/(1+u²), mish′(x) = t + x·(1−t²)·(1−u). */
const mishFused = tf.customGrad(((x: tf.Tensor, save: Save) => {
  const u = tf.sigmoid(tf.neg(x));
  const u2 = tf.square(u);
  const t = tf.div(tf.sub(1, u2), tf.add(1, u2));
  save([x, t, u]);
  return {
    value: tf.mul(x, t),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ts, us] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      return [tf.mul(dy, tf.add(ts, tf.mul(tf.mul(xs, tf.sub(1, tf.square(ts))), tf.sub(1, us))))];
    },
  };
}) as never) as (x: tf.Tensor) => tf.Tensor;

/**
 * SimNorm (TD-MPC2, Hansen et al. 2024, §3): split the last axis into groups of `dim` (8) and softmax each group,
 * so a latent is a concatenation of points on simplices.
 */
export function simNorm<T extends tf.Tensor>(x: T, dim = 8): T {
  const shape = x.shape;
  const last = shape[shape.length - 1]!;
  if (last % dim !== 0) throw new Error(`simNorm: last axis ${last} is not a multiple of the group size ${dim}`);
  const g = tf.reshape(x, [...shape.slice(0, -1), last / dim, dim]);
  return tf.reshape(tf.softmax(g), shape) as T;
}

export function activate<T extends tf.Tensor>(x: T, act: Activation, simnormDim = 8): T {
  switch (act) {
    case "mish":
      return mish(x);
    case "elu":
      return tf.elu(x) as T;
    case "relu":
      return tf.relu(x) as T;
    case "tanh":
      return tf.tanh(x) as T;
    case "simnorm":
      return simNorm(x, simnormDim);
    case "none":
      return x;
    default:
      throw new Error(`unknown activation "${String(act)}"`);
  }
}

/** Inverted dropout, active only while training; `seed` comes from the caller's Rng so runs reproduce. */
export function dropout<T extends tf.Tensor>(x: T, rate: number, training: boolean, seed?: number): T {
  if (!training || rate <= 0) return x;
  if (rate >= 1) throw new Error(`dropout rate must be < 1, got ${rate}`);
  return tf.dropout(x, rate, undefined, seed) as T;
}

// ---------------------------------------------------------------------------------------------------------------
// Initialisation

/** TD-MPC2 initialises weights with a (truncated at ±2 absolute, i.e. effectively plain) normal of std 0.02. */
export function normalInit(shape: number[], rng: Rng, std = 0.02): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = rng.fillNormal(new Float32Array(n), 0, std);
  for (let i = 0; i < n; i++) data[i] = Math.max(-2, Math.min(2, data[i]!));
  return tf.tensor(data, shape, "float32");
}

/**
 * A semi-orthogonal [rows, cols] matrix (torch.nn.init.orthogonal_, gain 1, as TD-MPC's `orthogonal_init`): Gram–Schmidt
 * on Gaussian vectors along the longer side, so the shorter side's vectors are orthonormal.
 */
export function orthogonalInit(rows: number, cols: number, rng: Rng): tf.Tensor {
  const n = Math.max(rows, cols);
  const m = Math.min(rows, cols);
  const v = Array.from({ length: m }, () => rng.fillNormal(new Float64Array(n)));
  for (let i = 0; i < m; i++) {
    const vi = v[i]!;
    for (let j = 0; j < i; j++) {
      const vj = v[j]!;
      let dot = 0;
      for (let k = 0; k < n; k++) dot += vi[k]! * vj[k]!;
      for (let k = 0; k < n; k++) vi[k]! -= dot * vj[k]!;
    }
    let norm = 0;
    for (let k = 0; k < n; k++) norm += vi[k]! * vi[k]!;
    norm = Math.sqrt(norm);
    for (let k = 0; k < n; k++) vi[k]! /= norm;
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[r * cols + c] = rows >= cols ? v[c]![r]! : v[r]![c]!;
  return tf.tensor(out, [rows, cols], "float32");
}

function initWeight(init: MlpOptions["init"], din: number, dout: number, rng: Rng): tf.Tensor {
  return init === "orthogonal" ? orthogonalInit(din, dout, rng) : normalInit([din, dout], rng);
}

function stackHeads(heads: number, make: () => tf.Tensor): tf.Tensor {
  const parts = Array.from({ length: heads }, make);
  const out = tf.stack(parts);
  tf.dispose(parts);
  return out;
}

/** Identity forward, zero gradient (torch's `.detach()`): a loss after it does not train what came before. */
export const stopGradient = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as never) as <T extends tf.Tensor>(x: T) => T;

// ---------------------------------------------------------------------------------------------------------------
// MLP

export interface MlpOptions {
  /** Hidden activation: TD-MPC2 uses Mish after LayerNorm, TD-MPC (v1) ELU without normalisation. */
  act?: Activation;
  /**
   * "layer": every hidden layer is Linear → LayerNorm → act (TD-MPC2's NormedLinear); "none": Linear → act;
   * "first": only the first layer is normalised (TD-MPC's Q: Linear → LayerNorm → tanh, then ELU layers).
   */
  norm?: "layer" | "none" | "first";
  /** Activation of the first layer when it differs from `act` (TD-MPC's Q: "tanh"). */
  firstAct?: Activation;
  /** Weight initialisation: TD-MPC2's normal(0, 0.02) or TD-MPC's orthogonal (gain 1); biases start at 0. */
  init?: "normal" | "orthogonal";
  /** Output activation; when set (e.g. "simnorm") the last layer is also normalised, as TD-MPC2's encoder/dynamics. */
  outAct?: Activation;
  /** Dropout after the first Linear (TD-MPC2: 0.01 in the Q heads). */
  dropout?: number;
  simnormDim?: number;
  /** Initialise the last layer's weights to zero (TD-MPC2 does so for the reward and Q heads). */
  zeroLast?: boolean;
}

export interface MlpSpec extends Required<Omit<MlpOptions, "zeroLast" | "init">> {
  prefix: string;
  dims: number[];
}

/** The options of `mlp`/`ensemble` with TD-MPC2's defaults filled in (Mish, LayerNorm, linear output). */
function mlpSpec(prefix: string, dims: number[], opts: MlpOptions): MlpSpec {
  return {
    prefix,
    dims,
    act: opts.act ?? "mish",
    firstAct: opts.firstAct ?? opts.act ?? "mish",
    norm: opts.norm ?? "layer",
    outAct: opts.outAct ?? "none",
    dropout: opts.dropout ?? 0,
    simnormDim: opts.simnormDim ?? 8,
  };
}

/**
 * Create the parameters of an MLP with layer sizes `dims` (input, hidden…, output) under `prefix`:
 * `${prefix}/${i}/W` [in, out], `/b`, and for normalised layers `/ln_g`, `/ln_b`.
 */
export function mlp(params: Params, prefix: string, dims: number[], rng: Rng, opts: MlpOptions = {}): MlpSpec {
  if (dims.length < 2 || dims.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new Error(`mlp "${prefix}": dims must be ≥ 2 positive integers, got [${dims}]`);
  }
  const spec = mlpSpec(prefix, dims, opts);
  const L = dims.length - 1;
  for (let i = 0; i < L; i++) {
    const last = i === L - 1;
    const w = last && opts.zeroLast ? tf.zeros([dims[i]!, dims[i + 1]!]) : initWeight(opts.init, dims[i]!, dims[i + 1]!, rng);
    params.add(`${prefix}/${i}/W`, w);
    params.add(`${prefix}/${i}/b`, tf.zeros([dims[i + 1]!]));
    if (layerNormed(spec, i)) {
      params.add(`${prefix}/${i}/ln_g`, tf.ones([dims[i + 1]!]));
      params.add(`${prefix}/${i}/ln_b`, tf.zeros([dims[i + 1]!]));
    }
  }
  return spec;
}

/** Whether layer i of the spec is followed by a LayerNorm. */
export function layerNormed(spec: MlpSpec, i: number): boolean {
  if (spec.norm === "first") return i === 0;
  const last = i === spec.dims.length - 2;
  return spec.norm === "layer" && (!last || spec.outAct !== "none");
}

/** The activation after layer i: `outAct` on the last layer, `firstAct` on the first, `act` between. */
export function layerActivation(spec: MlpSpec, i: number): Activation {
  if (i === spec.dims.length - 2) return spec.outAct;
  return i === 0 ? spec.firstAct : spec.act;
}

export interface ApplyOptions {
  training?: boolean;
  rng?: Rng;
  /** the weights get no gradient (only the input does): skips the weight-gradient matMuls */
  frozen?: boolean;
}

export interface EnsembleApplyOptions extends ApplyOptions {
  /** evaluate only these heads (e.g. the two TD-MPC2 draws for its min/avg), output [heads.length, B, out] */
  heads?: number[];
}

/** Apply an MLP created by `mlp` to x [B, in]. */
export function applyMlp(params: Params, spec: MlpSpec, x: tf.Tensor2D, opts: ApplyOptions = {}): tf.Tensor2D {
  const L = spec.dims.length - 1;
  let h = x;
  for (let i = 0; i < L; i++) {
    const p = `${spec.prefix}/${i}`;
    h = dense(h, params.get(`${p}/W`), params.get(`${p}/b`), opts.frozen);
    if (i === 0 && spec.dropout > 0) h = dropout(h, spec.dropout, !!opts.training, opts.rng?.int(2 ** 31));
    if (layerNormed(spec, i)) h = layerNorm(h, params.get(`${p}/ln_g`), params.get(`${p}/ln_b`));
    h = activate(h, layerActivation(spec, i), spec.simnormDim);
  }
  return h;
}

// ---------------------------------------------------------------------------------------------------------------
// Ensemble of Q heads as one batched op

export interface EnsembleSpec extends MlpSpec {
  heads: number;
}

/**
 * An ensemble of `heads` MLPs of the same shape, evaluated as ONE batched computation (TD-MPC2's 5 Q heads).
 * Layer 0 (shared input) is stored as one wide matrix W [in, heads·out] (head e = columns e·out…(e+1)·out), so it is
 * a single matMul; deeper layers are stacked W [heads, in, out], b [heads, 1, out] (LayerNorm [heads, out]) and run
 * as one batched matMul on native backends, or as per-head 2-D matMuls on wasm/cpu (see `ensembleMode`).
 */
export function ensemble(params: Params, prefix: string, heads: number, dims: number[], rng: Rng, opts: MlpOptions = {}): EnsembleSpec {
  if (!Number.isInteger(heads) || heads < 1) throw new Error(`ensemble "${prefix}": heads must be a positive integer, got ${heads}`);
  if (dims.length < 3) throw new Error(`ensemble "${prefix}": needs at least one hidden layer, got dims [${dims}]`);
  const spec: EnsembleSpec = { ...mlpSpec(prefix, dims, opts), heads };
  const L = dims.length - 1;
  for (let i = 0; i < L; i++) {
    const [din, dout] = [dims[i]!, dims[i + 1]!];
    const last = i === L - 1;
    if (i === 0) {
      // init head by head so that head e equals an MLP initialised from the same stream
      const cols = Array.from({ length: heads }, () => initWeight(opts.init, din, dout, rng));
      params.add(`${prefix}/0/W`, tf.concat(cols, 1));
      cols.forEach((c) => c.dispose());
      params.add(`${prefix}/0/b`, tf.zeros([heads * dout]));
    } else {
      const W = last && opts.zeroLast ? tf.zeros([heads, din, dout]) : stackHeads(heads, () => initWeight(opts.init, din, dout, rng));
      params.add(`${prefix}/${i}/W`, W);
      params.add(`${prefix}/${i}/b`, tf.zeros([heads, 1, dout]));
    }
    if (layerNormed(spec, i)) {
      params.add(`${prefix}/${i}/ln_g`, tf.ones([heads, dout]));
      params.add(`${prefix}/${i}/ln_b`, tf.zeros([heads, dout]));
    }
  }
  return spec;
}

/** Apply the ensemble to a shared input x [B, in] → [heads, B, out] (or only `opts.heads`). */
export function applyEnsemble(params: Params, spec: EnsembleSpec, x: tf.Tensor2D, opts: EnsembleApplyOptions = {}): tf.Tensor3D {
  const L = spec.dims.length - 1;
  const B = x.shape[0];
  const sel = opts.heads;
  if (sel && sel.some((e) => !Number.isInteger(e) || e < 0 || e >= spec.heads)) {
    throw new Error(`applyEnsemble: heads [${sel}] out of range 0…${spec.heads - 1}`);
  }
  const E = sel ? sel.length : spec.heads;
  // weights of the selected heads: column blocks of layer 0, leading-axis blocks of the stacked layers
  const pick = (t: tf.Tensor, axis: number, width: number): tf.Tensor => {
    if (!sel) return t;
    const parts = sel.map((e) => {
      const begin = t.shape.map(() => 0);
      const size = t.shape.slice();
      begin[axis] = e * width;
      size[axis] = width;
      return tf.slice(t, begin, size);
    });
    return parts.length === 1 ? parts[0]! : tf.concat(parts, axis);
  };
  const h1 = spec.dims[1]!;
  const p0 = `${spec.prefix}/0`;
  const W0 = pick(params.get(`${p0}/W`), 1, h1);
  const b0 = pick(params.get(`${p0}/b`), 0, h1);
  let h2 = dense(x, W0, b0, opts.frozen); // [B, E·hidden]: all heads in one matMul
  if (spec.dropout > 0) h2 = dropout(h2, spec.dropout, !!opts.training, opts.rng?.int(2 ** 31));
  let h3 = tf.reshape(h2, [B, E, h1]) as tf.Tensor3D; // LayerNorm per head = over the last axis
  if (layerNormed(spec, 0)) h3 = layerNorm(h3, pick(params.get(`${p0}/ln_g`), 0, 1), pick(params.get(`${p0}/ln_b`), 0, 1));
  h3 = activate(h3, layerActivation(spec, 0), spec.simnormDim);
  let h = tf.transpose(h3, [1, 0, 2]) as tf.Tensor3D; // [E, B, hidden]: each head's rows contiguous
  for (let i = 1; i < L; i++) {
    const p = `${spec.prefix}/${i}`;
    h = denseBatched(h, pick(params.get(`${p}/W`), 0, 1), pick(params.get(`${p}/b`), 0, 1), opts.frozen);
    if (layerNormed(spec, i)) {
      const shape = [E, 1, spec.dims[i + 1]!];
      h = layerNorm(h, tf.reshape(pick(params.get(`${p}/ln_g`), 0, 1), shape), tf.reshape(pick(params.get(`${p}/ln_b`), 0, 1), shape));
    }
    h = activate(h, layerActivation(spec, i), spec.simnormDim);
  }
  return h;
}
