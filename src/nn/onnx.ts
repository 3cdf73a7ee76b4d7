/**
 * Planning through onnxruntime-node: the world model's latent rollout value (worldmodel.ts `rolloutValue`) written
 * as an ONNX graph in TypeScript (onnx-proto), with every weight a graph *input*. The session is built once per
 * architecture; after a training step `sync()` re-reads the weights and the next call uses them: no rebuild.
 *
 * Why: the planner only runs forward passes, and onnxruntime's CPU kernels (MLAS GEMM, fused LayerNorm, optional
 * intra-op threads = the second core) are faster than tfjs-wasm for these MLPs (`tdmpc bench nn`).
 */
import onnxProto from "onnx-proto";
import { requireFromLib } from "../util/esm.js";
import { tf } from "./backend.js";
import type { MlpSpec } from "./layers.js";
import type { WorldModel } from "./worldmodel.js";

const { onnx } = onnxProto;
type Ort = typeof import("onnxruntime-node");
let ortModule: Ort | undefined;

/** onnxruntime-node, loaded on first use (its native binding is only needed by this engine). */
export function loadOrt(): Ort {
  ortModule ??= requireFromLib("onnxruntime-node") as Ort;
  return ortModule;
}

type Attr = number | number[] | string | { f: number };

/** A minimal ONNX graph builder: named values are strings; `node` returns the output name. */
export class GraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly inits: onnxProto.onnx.ITensorProto[] = [];
  private counter = 0;

  input(name: string, dims: (number | string)[]): string {
    this.inputs.push(valueInfo(name, dims));
    return name;
  }

  output(name: string, dims: (number | string)[]): void {
    this.outputs.push(valueInfo(name, dims));
  }

  constFloat(values: number[] | Float32Array, dims: number[]): string {
    const name = `c${this.counter++}`;
    const f = Float32Array.from(values);
    this.inits.push({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(f.buffer) });
    return name;
  }

  constInt64(values: number[], dims: number[] = [values.length]): string {
    const name = `c${this.counter++}`;
    const b = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.inits.push({ name, dims, dataType: onnx.TensorProto.DataType.INT64, rawData: new Uint8Array(b.buffer) });
    return name;
  }

  node(op: string, inputs: string[], attrs: Record<string, Attr> = {}, out?: string): string {
    const name = out ?? `v${this.counter++}`;
    const attribute = Object.entries(attrs).map(([k, v]) => attribute_(k, v));
    this.nodes.push({ opType: op, input: inputs, output: [name], name: `n${this.counter++}`, attribute });
    return name;
  }

  build(opset = 18): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: "tdmpc-ts",
      opsetImport: [{ domain: "", version: opset }],
      graph: { name: "g", node: this.nodes, input: this.inputs, output: this.outputs, initializer: this.inits },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(name: string, dims: (number | string)[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute_(name: string, v: Attr): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === "string") return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if (typeof v === "object") return { name, type: T.FLOAT, f: v.f };
  return { name, type: T.INT, i: v };
}

// ---------------------------------------------------------------------------------------------------------------
// The rollout-value graph

export interface WeightInput {
  name: string;
  dims: number[];
  /** reads the current values from the world model (and packs the two planning Q heads) */
  read: (wm: WorldModel, heads: [number, number]) => Float32Array;
}

/** An MLP created by `mlp` as graph nodes; its parameters become graph inputs named `w:<param>`. */
export function onnxMlpGraph(g: GraphBuilder, spec: MlpSpec, x: string, weights: WeightInput[], declared: Set<string>): string {
  const L = spec.dims.length - 1;
  let h = x;
  for (let i = 0; i < L; i++) {
    const p = `${spec.prefix}/${i}`;
    const W = paramInput(g, `${p}/W`, [spec.dims[i]!, spec.dims[i + 1]!], weights, declared);
    const b = paramInput(g, `${p}/b`, [spec.dims[i + 1]!], weights, declared);
    h = g.node("Add", [g.node("MatMul", [h, W]), b]);
    const last = i === L - 1;
    const normed = spec.norm === "layer" && (!last || spec.outAct !== "none");
    if (normed) {
      const lg = paramInput(g, `${p}/ln_g`, [spec.dims[i + 1]!], weights, declared);
      const lb = paramInput(g, `${p}/ln_b`, [spec.dims[i + 1]!], weights, declared);
      h = g.node("LayerNormalization", [h, lg, lb], { axis: -1, epsilon: { f: 1e-5 } });
    }
    h = actGraph(g, h, last ? spec.outAct : spec.act, spec.dims[i + 1]!, spec.simnormDim);
  }
  return h;
}

function actGraph(g: GraphBuilder, x: string, act: string, width: number, simnormDim: number): string {
  switch (act) {
    case "mish":
      return mishGraph(g, x);
    case "elu":
      return g.node("Elu", [x], { alpha: { f: 1 } });
    case "relu":
      return g.node("Relu", [x]);
    case "simnorm": {
      const grouped = g.node("Reshape", [x, g.constInt64([0, width / simnormDim, simnormDim])]);
      return g.node("Reshape", [g.node("Softmax", [grouped], { axis: -1 }), g.constInt64([0, width])]);
    }
    case "none":
      return x;
    default:
      throw new Error(`onnx: activation "${act}" not supported`);
  }
}

/**
 * Mish in the graph. Default: the sigmoid form x·(1−u²)/(1+u²), u = σ(−x), measured fastest in onnxruntime 1.30 too
 * (5M rollout value, 512 rows, H 5: ~160–200 ms CPU vs ~240 ms with ONNX's Mish op or tanh(softplus));
 * `TDMPC_ONNX_MISH=op|expanded` selects the others.
 */
function mishGraph(g: GraphBuilder, x: string): string {
  const mode = process.env.TDMPC_ONNX_MISH ?? "sigmoid";
  if (mode === "op") return g.node("Mish", [x]);
  if (mode === "sigmoid") {
    const u = g.node("Sigmoid", [g.node("Neg", [x])]);
    const u2 = g.node("Mul", [u, u]);
    const one = g.constFloat([1], []);
    return g.node("Mul", [x, g.node("Div", [g.node("Sub", [one, u2]), g.node("Add", [one, u2])])]);
  }
  return g.node("Mul", [x, g.node("Tanh", [g.node("Softplus", [x])])]);
}

function paramInput(g: GraphBuilder, param: string, dims: number[], weights: WeightInput[], declared: Set<string>): string {
  const name = `w:${param}`;
  if (!declared.has(name)) {
    declared.add(name);
    g.input(name, dims);
    weights.push({ name, dims, read: (wm) => wm.params.get(param).dataSync() as Float32Array });
  }
  return name;
}

/** symexp(Σ softmax(logits)·centres) over the last axis. */
function twoHotInvGraph(g: GraphBuilder, logits: string, wm: WorldModel): string {
  const { numBins, vmin, vmax } = wm.twoHot;
  const centres = Float32Array.from({ length: numBins }, (_, i) => vmin + ((vmax - vmin) * i) / (numBins - 1));
  const s = g.node("MatMul", [g.node("Softmax", [logits], { axis: -1 }), g.constFloat(centres, [numBins, 1])]);
  const mag = g.node("Sub", [g.node("Exp", [g.node("Abs", [s])]), g.constFloat([1], [])]);
  return g.node("Mul", [g.node("Sign", [s]), mag]);
}

/** Two Q heads (packed at sync time) on a shared input → their mean value [N, 1]. */
function qPairGraph(g: GraphBuilder, wm: WorldModel, x: string, weights: WeightInput[]): string {
  const spec = wm.q;
  const [din, h, h2, bins] = spec.dims as [number, number, number, number];
  if (spec.dims.length !== 4) throw new Error("onnx: the Q ensemble graph expects two hidden layers");
  const E = spec.heads;
  const add = (name: string, dims: number[], read: WeightInput["read"]) => {
    g.input(name, dims);
    weights.push({ name, dims, read });
    return name;
  };
  const cols = (src: Float32Array, rows: number, width: number, heads: [number, number]) => {
    const out = new Float32Array(rows * 2 * width);
    for (let r = 0; r < rows; r++)
      heads.forEach((e, k) => out.set(src.subarray(r * E * width + e * width, r * E * width + (e + 1) * width), r * 2 * width + k * width));
    return out;
  };
  const blocks = (src: Float32Array, size: number, heads: [number, number]) => {
    const out = new Float32Array(2 * size);
    heads.forEach((e, k) => out.set(src.subarray(e * size, (e + 1) * size), k * size));
    return out;
  };
  const P = (n: string) => (m: WorldModel) => m.params.get(`q/${n}`).dataSync() as Float32Array;
  const W0 = add("q2:0/W", [din, 2 * h], (m, hd) => cols(P("0/W")(m), din, h, hd));
  const b0 = add("q2:0/b", [2 * h], (m, hd) => cols(P("0/b")(m), 1, h, hd));
  const g0 = add("q2:0/ln_g", [2, h], (m, hd) => blocks(P("0/ln_g")(m), h, hd));
  const c0 = add("q2:0/ln_b", [2, h], (m, hd) => blocks(P("0/ln_b")(m), h, hd));
  const W1 = add("q2:1/W", [2, h, h2], (m, hd) => blocks(P("1/W")(m), h * h2, hd));
  const b1 = add("q2:1/b", [2, 1, h2], (m, hd) => blocks(P("1/b")(m), h2, hd));
  const g1 = add("q2:1/ln_g", [2, 1, h2], (m, hd) => blocks(P("1/ln_g")(m), h2, hd));
  const c1 = add("q2:1/ln_b", [2, 1, h2], (m, hd) => blocks(P("1/ln_b")(m), h2, hd));
  const W2 = add("q2:2/W", [2, h2, bins], (m, hd) => blocks(P("2/W")(m), h2 * bins, hd));
  const b2 = add("q2:2/b", [2, 1, bins], (m, hd) => blocks(P("2/b")(m), bins, hd));
  const lnPlain = (x: string, width: number) =>
    g.node("LayerNormalization", [x, g.constFloat(new Float32Array(width).fill(1), [width]), g.constFloat(new Float32Array(width), [width])], {
      axis: -1,
      epsilon: { f: 1e-5 },
    });
  let y = g.node("Reshape", [g.node("Add", [g.node("MatMul", [x, W0]), b0]), g.constInt64([0, 2, h])]); // [N, 2, h]
  y = g.node("Mish", [g.node("Add", [g.node("Mul", [lnPlain(y, h), g0]), c0])]);
  y = g.node("Transpose", [y], { perm: [1, 0, 2] }); // [2, N, h]
  y = g.node("Add", [g.node("MatMul", [y, W1]), b1]);
  y = g.node("Mish", [g.node("Add", [g.node("Mul", [lnPlain(y, h2), g1]), c1])]);
  y = g.node("Add", [g.node("MatMul", [y, W2]), b2]); // [2, N, bins]
  const v = twoHotInvGraph(g, y, wm); // [2, N, 1]
  return g.node("ReduceMean", [v, g.constInt64([0])], { keepdims: 0 });
}

export interface OnnxEngineOptions {
  /** onnxruntime intra-op threads (2 = use the second core) */
  threads?: number;
}

/** G = Σ γ^t R(z_t, a_t) + γ^H Q̄(z_H, π_μ(z_H)) for N action sequences: inputs z0 [N, L], actions [H, N, A]. */
export class OnnxRolloutEngine {
  readonly name: string;
  private session: import("onnxruntime-node").InferenceSession | undefined;
  private readonly weights: WeightInput[] = [];
  private readonly cache = new Map<string, Record<string, import("onnxruntime-node").Tensor>>();
  private readonly model: Uint8Array;

  constructor(
    readonly wm: WorldModel,
    readonly horizon: number,
    private readonly opts: OnnxEngineOptions = {},
  ) {
    this.name = `onnxruntime-node ${opts.threads ?? 1}T`;
    this.model = this.buildGraph();
  }

  private buildGraph(): Uint8Array {
    const wm = this.wm;
    const g = new GraphBuilder();
    const declared = new Set<string>();
    const L = wm.cfg.latent_dim;
    const A = wm.actionDim;
    let z = g.input("z0", ["N", L]);
    const actions = g.input("actions", [this.horizon, "N", A]);
    let G: string | undefined;
    let disc = 1;
    for (let t = 0; t < this.horizon; t++) {
      const a = g.node("Gather", [actions, g.constInt64([t], [])], { axis: 0 });
      const za = g.node("Concat", [z, a], { axis: 1 });
      const r = twoHotInvGraph(g, onnxMlpGraph(g, wm.rew, za, this.weights, declared), wm);
      const rd = disc === 1 ? r : g.node("Mul", [r, g.constFloat([disc], [])]);
      G = G ? g.node("Add", [G, rd]) : rd;
      z = onnxMlpGraph(g, wm.dyn, za, this.weights, declared);
      disc *= wm.train.discount;
    }
    const piOut = onnxMlpGraph(g, wm.pi, z, this.weights, declared);
    const mu = g.node("Tanh", [g.node("Slice", [piOut, g.constInt64([0]), g.constInt64([A]), g.constInt64([1])])]);
    const q = qPairGraph(g, wm, g.node("Concat", [z, mu], { axis: 1 }), this.weights);
    const out = g.node("Add", [G ?? g.constFloat([0], []), g.node("Mul", [q, g.constFloat([disc], [])])], {}, "G");
    void out;
    g.output("G", ["N", 1]);
    return g.build();
  }

  /** Create the session (once). */
  async init(): Promise<this> {
    const ort = loadOrt();
    const threads = this.opts.threads ?? 1;
    this.session ??= await ort.InferenceSession.create(this.model, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
    });
    return this;
  }

  /** Forget cached weights: call after every training step (cheap; the next call re-reads them). */
  sync(): void {
    this.cache.clear();
  }

  private feeds(heads: [number, number]): Record<string, import("onnxruntime-node").Tensor> {
    const key = heads.join(",");
    let f = this.cache.get(key);
    if (!f) {
      const ort = loadOrt();
      f = {};
      for (const w of this.weights) f[w.name] = new ort.Tensor("float32", w.read(this.wm, heads), w.dims);
      this.cache.set(key, f);
    }
    return f;
  }

  /** Values [N] of N action sequences (actions [H, N, A] flattened) from the start latent z0 [L] or [N, L]. */
  async value(z0: Float32Array, actions: Float32Array, n: number, heads: [number, number]): Promise<Float32Array> {
    if (!this.session) await this.init();
    const ort = loadOrt();
    const L = this.wm.cfg.latent_dim;
    const A = this.wm.actionDim;
    if (actions.length !== this.horizon * n * A) throw new Error(`onnx value: actions has ${actions.length} values, expected H·N·A = ${this.horizon * n * A}`);
    const z = z0.length === L ? tileRows(z0, n) : z0;
    const feeds = {
      ...this.feeds(heads),
      z0: new ort.Tensor("float32", z, [n, L]),
      actions: new ort.Tensor("float32", actions, [this.horizon, n, A]),
    };
    const out = await this.session!.run(feeds);
    return out.G!.data as Float32Array;
  }

  async dispose(): Promise<void> {
    await this.session?.release();
    this.session = undefined;
    this.cache.clear();
  }
}

export function tileRows(row: Float32Array, n: number): Float32Array {
  const out = new Float32Array(row.length * n);
  for (let i = 0; i < n; i++) out.set(row, i * row.length);
  return out;
}

/** The same values through tfjs (the fallback and GPU engine). */
export class TfjsRolloutEngine {
  readonly name: string;
  constructor(readonly wm: WorldModel, readonly horizon: number) {
    this.name = `tfjs-${tf.getBackend()}`;
  }
  async init(): Promise<this> {
    return this;
  }
  sync(): void {}
  async value(z0: Float32Array, actions: Float32Array, n: number, heads: [number, number]): Promise<Float32Array> {
    const L = this.wm.cfg.latent_dim;
    const A = this.wm.actionDim;
    const G = tf.tidy(() => {
      const z = z0.length === L ? tf.tile(tf.tensor2d(z0, [1, L]), [n, 1]) : tf.tensor2d(z0, [n, L]);
      return this.wm.rolloutValue(z as tf.Tensor2D, tf.tensor3d(actions, [this.horizon, n, A]), heads);
    });
    const data = (await G.data()) as Float32Array;
    G.dispose();
    return data;
  }
  async dispose(): Promise<void> {}
}

export type RolloutEngine = OnnxRolloutEngine | TfjsRolloutEngine;
