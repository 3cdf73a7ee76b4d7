/**
 * A typed ONNX graph builder with static shapes and a tape, the base of reverse-mode differentiation (autodiff.ts).
 *
 * A `Sym` is a named value of known shape and dtype. Each op method emits one or more ONNX nodes and records one
 * tape entry: the logical op, its differentiable inputs and outputs, and (for composite ops such as Mish) its own
 * gradient. Shapes are static (a training graph is built for one batch size), so broadcasting, reductions and
 * reshapes are all resolved while the graph is built and every gradient rule knows its shapes.
 *
 * `build()` drops every node that no graph output needs (the forward values a backward pass did not use, the
 * gradients of frozen inputs, …) and the inputs nothing reads.
 */
import { encodeModel, type AttrValue, type DType, type InitDef, type NodeDef, type ValueDef } from "./proto.js";

export class Sym {
  constructor(
    readonly name: string,
    readonly shape: readonly number[],
    readonly dtype: DType,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
}

/** The gradient of one tape entry: dL/d(inputs) from dL/d(outputs); undefined where an input needs none. */
export type GradFn = (g: Graph, e: TapeEntry, dys: (Sym | undefined)[], needs: boolean[]) => (Sym | undefined)[];

export interface TapeEntry {
  /** ONNX op type for primitives; a name of our own ("Mish", "SoftCE", …) for composites */
  op: string;
  inputs: Sym[];
  outputs: Sym[];
  attrs: Record<string, AttrValue>;
  /** composite ops bring their own rule; primitives use the rule registered for `op` */
  grad?: GradFn;
  /** forward values a rule reuses (e.g. LayerNorm's mean and 1/σ) */
  saved: Record<string, Sym>;
}

type Operand = Sym | number;

export function shapeStr(s: readonly number[]): string {
  return `[${s.join(", ")}]`;
}

/** NumPy broadcasting of two static shapes. */
export function broadcastShapes(a: readonly number[], b: readonly number[], what = "broadcast"): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`${what}: shapes ${shapeStr(a)} and ${shapeStr(b)} do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

export class Graph {
  private readonly nodes: NodeDef[] = [];
  private readonly inputs: ValueDef[] = [];
  private readonly outputs: { sym: Sym; name: string }[] = [];
  private readonly inits: InitDef[] = [];
  private readonly producer = new Map<string, number>(); // value name → node index
  private readonly scalars = new Map<string, Sym>();
  private readonly names = new Set<string>();
  readonly tape: TapeEntry[] = [];
  private counter = 0;

  private fresh(prefix = "v"): string {
    let name: string;
    do name = `${prefix}${this.counter++}`;
    while (this.names.has(name));
    this.names.add(name);
    return name;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`graph: the name "${name}" is already used`);
    this.names.add(name);
    return name;
  }

  // ---------------------------------------------------------------------------------------------------------
  // inputs, outputs, constants

  input(name: string, shape: number[], dtype: DType = "float"): Sym {
    if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`graph input "${name}": bad shape ${shapeStr(shape)}`);
    const s = new Sym(this.claim(name), shape, dtype);
    this.inputs.push({ name, shape, dtype });
    return s;
  }

  /** Mark `sym` as a graph output called `name` (the producing node writes it directly when it can). */
  output(sym: Sym, name: string): void {
    this.claim(name);
    this.outputs.push({ sym, name });
  }

  constant(values: ArrayLike<number>, shape: number[]): Sym {
    const size = shape.reduce((a, b) => a * b, 1);
    if (values.length !== size) throw new Error(`constant: ${values.length} values for shape ${shapeStr(shape)}`);
    const s = new Sym(this.fresh("c"), shape, "float");
    this.inits.push({ name: s.name, shape, dtype: "float", data: Float32Array.from(values) });
    return s;
  }

  /** A float scalar constant (shared per value). */
  scalar(v: number): Sym {
    const key = Object.is(v, -0) ? "-0" : String(v);
    let s = this.scalars.get(key);
    if (!s) {
      s = this.constant([v], []);
      this.scalars.set(key, s);
    }
    return s;
  }

  int64s(values: number[], shape: number[] = [values.length]): Sym {
    const s = new Sym(this.fresh("c"), shape, "int64");
    this.inits.push({ name: s.name, shape, dtype: "int64", data: BigInt64Array.from(values.map((v) => BigInt(v))) });
    return s;
  }

  private operand(x: Operand): Sym {
    return typeof x === "number" ? this.scalar(x) : x;
  }

  // ---------------------------------------------------------------------------------------------------------
  // emitting nodes

  /** Emit one ONNX node. Low level: op methods below call it and record the tape entry. */
  emit(op: string, inputs: (Sym | undefined)[], outs: { shape: number[]; dtype?: DType }[], attrs: Record<string, AttrValue> = {}, domain?: string): Sym[] {
    const outputs = outs.map((o) => new Sym(this.fresh(), o.shape, o.dtype ?? "float"));
    const idx = this.nodes.length;
    this.nodes.push({ op, inputs: inputs.map((s) => s?.name ?? ""), outputs: outputs.map((o) => o.name), attrs, domain });
    for (const o of outputs) this.producer.set(o.name, idx);
    return outputs;
  }

  /** An elementwise node with no tape entry: the inside of a composite op, which records its own entry. */
  raw(op: string, inputs: Operand[], attrs: Record<string, AttrValue> = {}): Sym {
    const xs = inputs.map((x) => this.operand(x));
    const shape = xs.slice(1).reduce<number[]>((s, x) => broadcastShapes(s, x.shape, op), [...xs[0]!.shape]);
    return this.emit(op, xs, [{ shape }], attrs)[0]!;
  }

  /** Record a tape entry (what autodiff walks back through). */
  record(op: string, inputs: Sym[], outputs: Sym[], attrs: Record<string, AttrValue> = {}, saved: Record<string, Sym> = {}, grad?: GradFn): void {
    this.tape.push({ op, inputs, outputs, attrs, saved, grad });
  }

  /** One node that is also one tape entry (a primitive op). */
  private prim(op: string, inputs: Sym[], shape: number[], attrs: Record<string, AttrValue> = {}, extra: (Sym | undefined)[] = [], domain?: string): Sym {
    const [y] = this.emit(op, [...inputs, ...extra], [{ shape }], attrs, domain);
    this.record(op, inputs, [y!], attrs);
    return y!;
  }

  private binary(op: string, a: Operand, b: Operand): Sym {
    const x = this.operand(a);
    const y = this.operand(b);
    return this.prim(op, [x, y], broadcastShapes(x.shape, y.shape, op));
  }

  private unary(op: string, x: Sym, attrs: Record<string, AttrValue> = {}): Sym {
    return this.prim(op, [x], [...x.shape], attrs);
  }

  // elementwise
  add(a: Operand, b: Operand): Sym {
    return this.binary("Add", a, b);
  }
  sub(a: Operand, b: Operand): Sym {
    return this.binary("Sub", a, b);
  }
  mul(a: Operand, b: Operand): Sym {
    return this.binary("Mul", a, b);
  }
  div(a: Operand, b: Operand): Sym {
    return this.binary("Div", a, b);
  }
  /** elementwise minimum / maximum (the gradient goes to the chosen side; ties to the first) */
  min(a: Operand, b: Operand): Sym {
    return this.binary("Min", a, b);
  }
  max(a: Operand, b: Operand): Sym {
    return this.binary("Max", a, b);
  }
  neg(x: Sym): Sym {
    return this.unary("Neg", x);
  }
  exp(x: Sym): Sym {
    return this.unary("Exp", x);
  }
  log(x: Sym): Sym {
    return this.unary("Log", x);
  }
  sqrt(x: Sym): Sym {
    return this.unary("Sqrt", x);
  }
  abs(x: Sym): Sym {
    return this.unary("Abs", x);
  }
  sign(x: Sym): Sym {
    return this.unary("Sign", x);
  }
  sigmoid(x: Sym): Sym {
    return this.unary("Sigmoid", x);
  }
  tanh(x: Sym): Sym {
    return this.unary("Tanh", x);
  }
  relu(x: Sym): Sym {
    return this.unary("Relu", x);
  }
  elu(x: Sym, alpha = 1): Sym {
    return this.unary("Elu", x, { alpha: { f: alpha } });
  }
  /** clip to [lo, hi] (constants) */
  clip(x: Sym, lo: number, hi: number): Sym {
    const [y] = this.emit("Clip", [x, this.scalar(lo), this.scalar(hi)], [{ shape: [...x.shape] }]);
    this.record("Clip", [x], [y!], { lo: { f: lo }, hi: { f: hi } });
    return y!;
  }
  square(x: Sym): Sym {
    return this.mul(x, x);
  }
  /** Σ of several same-shaped (or broadcasting) values in one node */
  sum(xs: Sym[]): Sym {
    if (xs.length === 0) throw new Error("sum of no values");
    if (xs.length === 1) return xs[0]!;
    const shape = xs.slice(1).reduce<number[]>((s, x) => broadcastShapes(s, x.shape, "Sum"), [...xs[0]!.shape]);
    return this.prim("Sum", xs, shape);
  }

  // comparisons and selection (no gradient flows into conditions)
  less(a: Operand, b: Operand): Sym {
    const x = this.operand(a);
    const y = this.operand(b);
    const [o] = this.emit("Less", [x, y], [{ shape: broadcastShapes(x.shape, y.shape, "Less"), dtype: "bool" }]);
    return o!;
  }
  cast(x: Sym, to: DType): Sym {
    const code = { float: 1, int64: 7, bool: 9 }[to];
    const [o] = this.emit("Cast", [x], [{ shape: [...x.shape], dtype: to }], { to: code });
    return o!;
  }
  /** Identity forward, no gradient (torch's `.detach()`, `torch.no_grad()` values). */
  stopGradient(x: Sym): Sym {
    return x.dtype === "float" ? this.emit("Identity", [x], [{ shape: [...x.shape] }])[0]! : x;
  }

  // matrix products
  /** MatMul with NumPy semantics for rank 2 and 3 (a batch of matrices times a batch or one matrix). */
  matmul(a: Sym, b: Sym): Sym {
    return this.prim("MatMul", [a, b], matmulShape(a.shape, b.shape, false, false, "MatMul"));
  }

  /** Gemm: α·op(a)·op(b) + c (c broadcast to [M, N]); a, b rank 2. */
  gemm(a: Sym, b: Sym, c?: Sym, o: { transA?: boolean; transB?: boolean; alpha?: number } = {}): Sym {
    if (a.rank !== 2 || b.rank !== 2) throw new Error(`Gemm: operands must be rank 2, got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
    const shape = matmulShape(a.shape, b.shape, !!o.transA, !!o.transB, "Gemm");
    if (c) broadcastShapes(shape, c.shape, "Gemm bias");
    const attrs: Record<string, AttrValue> = { transA: o.transA ? 1 : 0, transB: o.transB ? 1 : 0, alpha: { f: o.alpha ?? 1 } };
    return this.prim("Gemm", c ? [a, b, c] : [a, b], shape, attrs);
  }

  /** Batched matrix product with transposes folded in (onnxruntime's com.microsoft FusedMatMul). */
  fusedMatMul(a: Sym, b: Sym, o: { transA?: boolean; transB?: boolean; alpha?: number } = {}): Sym {
    const shape = matmulShape(a.shape, b.shape, !!o.transA, !!o.transB, "FusedMatMul");
    const attrs: Record<string, AttrValue> = { transA: o.transA ? 1 : 0, transB: o.transB ? 1 : 0, alpha: { f: o.alpha ?? 1 } };
    return this.prim("FusedMatMul", [a, b], shape, attrs, [], "com.microsoft");
  }

  // normalisation and softmax over the last axis
  softmax(x: Sym): Sym {
    return this.unary("Softmax", x, { axis: -1 });
  }
  logSoftmax(x: Sym): Sym {
    return this.unary("LogSoftmax", x, { axis: -1 });
  }
  /**
   * LayerNormalization over the last axis (ONNX opset 17). Scale and bias have the last axis' size and may carry
   * leading axes that broadcast (onnxruntime ≥ 1.19: a gain per ensemble head, [k, 1, h] against x [k, N, h]).
   */
  layerNorm(x: Sym, scale: Sym, bias: Sym, eps = 1e-5): Sym {
    const d = x.shape[x.rank - 1]!;
    for (const p of [scale, bias]) {
      const b = broadcastShapes(x.shape, p.shape, "LayerNormalization");
      if (p.shape[p.rank - 1] !== d || p.rank > x.rank || b.some((v, i) => v !== x.shape[i])) {
        throw new Error(`LayerNormalization: scale/bias ${shapeStr(p.shape)} do not broadcast to x ${shapeStr(x.shape)} along its last axis`);
      }
    }
    const stat = [...x.shape.slice(0, -1), 1];
    const [y, mean, invStd] = this.emit("LayerNormalization", [x, scale, bias], [{ shape: [...x.shape] }, { shape: stat }, { shape: stat }], { axis: -1, epsilon: { f: eps } });
    this.record("LayerNormalization", [x, scale, bias], [y!], { epsilon: { f: eps } }, { mean: mean!, invStd: invStd! });
    return y!;
  }

  // reductions
  private reduce(op: string, x: Sym, axes: number[], keepdims: boolean): Sym {
    const ax = [...new Set(axes.map((a) => normAxis(a, x.rank)))].sort((a, b) => a - b);
    const shape = keepdims ? x.shape.map((d, i) => (ax.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !ax.includes(i));
    const [y] = this.emit(op, [x, this.int64s(ax)], [{ shape }], { keepdims: keepdims ? 1 : 0 });
    this.record(op, [x], [y!], { axes: ax, keepdims: keepdims ? 1 : 0 });
    return y!;
  }
  reduceSum(x: Sym, axes: number[], keepdims = false): Sym {
    return this.reduce("ReduceSum", x, axes, keepdims);
  }
  reduceMean(x: Sym, axes: number[], keepdims = false): Sym {
    return this.reduce("ReduceMean", x, axes, keepdims);
  }
  reduceSumSquare(x: Sym, axes: number[], keepdims = false): Sym {
    return this.reduce("ReduceSumSquare", x, axes, keepdims);
  }
  /** Σ over every element → scalar */
  sumAll(x: Sym): Sym {
    return this.reduceSum(x, x.shape.map((_, i) => i));
  }
  meanAll(x: Sym): Sym {
    return this.reduceMean(x, x.shape.map((_, i) => i));
  }

  // shapes
  reshape(x: Sym, shape: number[]): Sym {
    const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    const out = shape.map((d) => (d === -1 ? x.size / known : d));
    if (out.reduce((a, b) => a * b, 1) !== x.size || out.some((d) => !Number.isInteger(d))) {
      throw new Error(`Reshape: ${shapeStr(x.shape)} cannot become ${shapeStr(shape)}`);
    }
    if (out.length === x.rank && out.every((d, i) => d === x.shape[i])) return x;
    const [y] = this.emit("Reshape", [x, this.int64s(out)], [{ shape: out, dtype: x.dtype }]);
    if (x.dtype === "float") this.record("Reshape", [x], [y!], { shape: out });
    return y!;
  }
  transpose(x: Sym, perm: number[]): Sym {
    if (perm.length !== x.rank || [...perm].sort().some((p, i) => p !== i)) throw new Error(`Transpose: bad perm [${perm}] for ${shapeStr(x.shape)}`);
    return this.prim("Transpose", [x], perm.map((p) => x.shape[p]!), { perm });
  }
  concat(xs: Sym[], axis: number): Sym {
    if (xs.length === 1) return xs[0]!;
    const r = xs[0]!.rank;
    const ax = normAxis(axis, r);
    for (const x of xs) {
      if (x.rank !== r || x.shape.some((d, i) => i !== ax && d !== xs[0]!.shape[i])) {
        throw new Error(`Concat: ${xs.map((s) => shapeStr(s.shape)).join(", ")} do not match off axis ${axis}`);
      }
    }
    const shape = xs[0]!.shape.map((d, i) => (i === ax ? xs.reduce((s, x) => s + x.shape[i]!, 0) : d));
    return this.prim("Concat", xs, shape, { axis: ax });
  }
  /** Split along `axis` into consecutive parts of the given sizes (one node; its gradient concatenates). */
  split(x: Sym, axis: number, sizes: number[]): Sym[] {
    const ax = normAxis(axis, x.rank);
    if (sizes.reduce((a, b) => a + b, 0) !== x.shape[ax] || sizes.some((n) => !(n > 0))) throw new Error(`Split: sizes [${sizes}] do not add up to axis ${axis} of ${shapeStr(x.shape)}`);
    if (sizes.length === 1) return [x];
    const outs = this.emit("Split", [x, this.int64s(sizes)], sizes.map((n) => ({ shape: x.shape.map((d, i) => (i === ax ? n : d)) })), { axis: ax });
    this.record("Split", [x], outs, { axis: ax });
    return outs;
  }
  /** x[start:end] along `axis` (static, step 1) */
  slice(x: Sym, axis: number, start: number, end: number): Sym {
    const ax = normAxis(axis, x.rank);
    const d = x.shape[ax]!;
    if (!(0 <= start && start < end && end <= d)) throw new Error(`Slice: [${start}, ${end}) out of range for axis ${axis} of ${shapeStr(x.shape)}`);
    if (start === 0 && end === d) return x;
    const shape = x.shape.map((v, i) => (i === ax ? end - start : v));
    const [y] = this.emit("Slice", [x, this.int64s([start]), this.int64s([end]), this.int64s([ax])], [{ shape }]);
    this.record("Slice", [x], [y!], { axis: ax, start, end });
    return y!;
  }
  /** Gather along `axis` with int64 indices (a graph input or constant); no gradient into `x` is defined. */
  gather(x: Sym, indices: Sym, axis: number): Sym {
    const ax = normAxis(axis, x.rank);
    const shape = [...x.shape.slice(0, ax), ...indices.shape, ...x.shape.slice(ax + 1)];
    return this.prim("Gather", [x], shape, { axis: ax }, [indices]);
  }

  // ---------------------------------------------------------------------------------------------------------
  // output

  private prune(): { nodes: NodeDef[]; inputs: ValueDef[]; outputs: ValueDef[]; inits: InitDef[] } {
    // rename final values to their output names where the value is produced here and exported once
    const rename = new Map<string, string>();
    const extra: NodeDef[] = [];
    const exported = new Map<string, number>();
    for (const o of this.outputs) exported.set(o.sym.name, (exported.get(o.sym.name) ?? 0) + 1);
    for (const o of this.outputs) {
      if (this.producer.has(o.sym.name) && exported.get(o.sym.name) === 1 && !rename.has(o.sym.name)) rename.set(o.sym.name, o.name);
      else extra.push({ op: "Identity", inputs: [o.sym.name], outputs: [o.name], attrs: {} });
    }
    const nodes = [...this.nodes, ...extra].map((n) => ({ ...n, inputs: n.inputs.map((s) => rename.get(s) ?? s), outputs: n.outputs.map((s) => rename.get(s) ?? s) }));
    // walk back from the outputs
    const need = new Set(this.outputs.map((o) => o.name));
    const keep: boolean[] = new Array(nodes.length).fill(false);
    for (let i = nodes.length - 1; i >= 0; i--) {
      const n = nodes[i]!;
      if (n.outputs.some((o) => need.has(o))) {
        keep[i] = true;
        for (const s of n.inputs) if (s) need.add(s);
      }
    }
    const kept = nodes.filter((_, i) => keep[i]).map((n) => ({ ...n, outputs: n.outputs.map((o) => (need.has(o) ? o : "")) }));
    // an omitted optional output is "" (LayerNormalization's mean/σ, Dropout's mask when unused); the first must stay
    kept.forEach((n, i) => {
      if (n.outputs[0] === "") n.outputs[0] = `unused${i}`;
    });
    return {
      nodes: kept,
      inputs: this.inputs.filter((v) => need.has(v.name)),
      outputs: this.outputs.map((o) => ({ name: o.name, shape: [...o.sym.shape], dtype: o.sym.dtype })),
      inits: this.inits.filter((v) => need.has(v.name)),
    };
  }

  /** Serialise the pruned graph; also returns the graph inputs the session will need, in order. */
  build(): { model: Uint8Array; inputs: ValueDef[]; outputs: ValueDef[]; nodes: number } {
    if (this.outputs.length === 0) throw new Error("graph has no outputs");
    const p = this.prune();
    return { model: encodeModel(p.nodes, p.inputs, p.outputs, p.inits), inputs: p.inputs, outputs: p.outputs, nodes: p.nodes.length };
  }
}

/** Result shape of a (batched) matrix product with optional transposes of the last two axes. */
export function matmulShape(a: readonly number[], b: readonly number[], transA: boolean, transB: boolean, what: string): number[] {
  if (a.length < 2 || b.length < 2) throw new Error(`${what}: operands must have rank ≥ 2, got ${shapeStr(a)} and ${shapeStr(b)}`);
  const [m, k] = transA ? [a[a.length - 1]!, a[a.length - 2]!] : [a[a.length - 2]!, a[a.length - 1]!];
  const [k2, n] = transB ? [b[b.length - 1]!, b[b.length - 2]!] : [b[b.length - 2]!, b[b.length - 1]!];
  if (k !== k2) throw new Error(`${what}: inner dimensions differ: ${shapeStr(a)}${transA ? "ᵀ" : ""} · ${shapeStr(b)}${transB ? "ᵀ" : ""}`);
  const batch = broadcastShapes(a.slice(0, -2), b.slice(0, -2), what);
  return [...batch, m, n];
}
