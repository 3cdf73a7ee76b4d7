/**
 * Reverse-mode differentiation over a `Graph`: walk the tape backwards from a scalar loss and emit, as more ONNX
 * nodes in the same graph, the gradient of the loss with respect to chosen values (the parameters).
 *
 * Only what is needed is emitted: a rule is called only for tape entries that lie between the chosen values and
 * the loss, and asked only for the inputs that depend on a chosen value (a frozen weight gets no xᵀ·dy product).
 * Gradients of a value used several times are summed in one `Sum` node. Backward matrix products use Gemm /
 * FusedMatMul with transA/transB (no transposed copies).
 */
import { Graph, Sym, shapeStr, type GradFn, type TapeEntry } from "./graph.js";

/** dL/d(wrt) for a scalar `loss` (or any `loss` with an explicit `seed` gradient). Undefined: no path to the loss. */
export function gradients(g: Graph, loss: Sym, wrt: Sym[], seed?: Sym): (Sym | undefined)[] {
  if (!seed && loss.size !== 1) throw new Error(`gradients: the loss must be a scalar, got ${shapeStr(loss.shape)} (or pass a seed)`);
  const tape = g.tape.slice();
  const dep = new Set(wrt.map((w) => w.name));
  for (const e of tape) if (e.inputs.some((x) => dep.has(x.name))) for (const o of e.outputs) dep.add(o.name);
  if (!dep.has(loss.name)) return wrt.map(() => undefined);

  const pending = new Map<string, Sym[]>();
  const push = (s: Sym, d: Sym) => {
    if (d.shape.length !== s.shape.length || d.shape.some((v, i) => v !== s.shape[i])) {
      throw new Error(`gradients: internal shape error, d(${s.name}) is ${shapeStr(d.shape)} for ${shapeStr(s.shape)}`);
    }
    pending.set(s.name, [...(pending.get(s.name) ?? []), d]);
  };
  const total = (s: Sym): Sym | undefined => {
    const list = pending.get(s.name);
    if (!list) return undefined;
    if (list.length > 1) pending.set(s.name, [g.sum(list)]);
    return pending.get(s.name)![0];
  };
  push(loss, seed ?? (loss.rank === 0 ? g.scalar(1) : g.constant([1], [...loss.shape])));

  for (let i = tape.length - 1; i >= 0; i--) {
    const e = tape[i]!;
    if (!e.outputs.some((o) => dep.has(o.name))) continue;
    const dys = e.outputs.map(total);
    if (dys.every((d) => !d)) continue;
    const needs = e.inputs.map((x) => x.dtype === "float" && dep.has(x.name));
    if (!needs.some(Boolean)) continue;
    const rule = e.grad ?? RULES[e.op];
    if (!rule) throw new Error(`gradients: no gradient rule for ${e.op}`);
    const dxs = rule(g, e, dys, needs);
    e.inputs.forEach((x, k) => {
      const d = dxs[k];
      if (needs[k] && d) push(x, d);
    });
  }
  return wrt.map(total);
}

/** Sum `d` down to `shape` over the axes that broadcasting expanded. */
export function unbroadcast(g: Graph, d: Sym, shape: readonly number[]): Sym {
  if (d.rank === shape.length && d.shape.every((v, i) => v === shape[i])) return d;
  const k = d.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < d.rank; i++) if (i < k || (shape[i - k] === 1 && d.shape[i] !== 1)) axes.push(i);
  const r = axes.length ? g.reduceSum(d, axes, true) : d;
  return g.reshape(r, [...shape]);
}

const one = (dy: Sym | undefined): Sym => {
  if (!dy) throw new Error("gradients: missing output gradient");
  return dy;
};

function maskOf(g: Graph, cond: Sym): Sym {
  return g.cast(cond, "float");
}

const greater = (g: Graph, a: Sym | number, b: Sym | number) => g.less(b, a);

const RULES: Record<string, GradFn> = {
  // piecewise constant: zero gradient almost everywhere
  Sign: () => [undefined],
  Add: (g, e, [dy], n) => [n[0] ? unbroadcast(g, one(dy), e.inputs[0]!.shape) : undefined, n[1] ? unbroadcast(g, one(dy), e.inputs[1]!.shape) : undefined],
  Sub: (g, e, [dy], n) => [n[0] ? unbroadcast(g, one(dy), e.inputs[0]!.shape) : undefined, n[1] ? unbroadcast(g, g.neg(one(dy)), e.inputs[1]!.shape) : undefined],
  Sum: (g, e, [dy], n) => e.inputs.map((x, i) => (n[i] ? unbroadcast(g, one(dy), x.shape) : undefined)),
  Mul: (g, e, [dy], n) => {
    const [a, b] = e.inputs as [Sym, Sym];
    if (a === b) return [g.mul(g.mul(one(dy), a), 2), undefined];
    return [n[0] ? unbroadcast(g, g.mul(one(dy), b), a.shape) : undefined, n[1] ? unbroadcast(g, g.mul(one(dy), a), b.shape) : undefined];
  },
  Div: (g, e, [dy], n) => {
    const [a, b] = e.inputs as [Sym, Sym];
    const y = e.outputs[0]!;
    const da = n[0] ? unbroadcast(g, g.div(one(dy), b), a.shape) : undefined;
    const db = n[1] ? unbroadcast(g, g.neg(g.div(g.mul(one(dy), y), b)), b.shape) : undefined;
    return [da, db];
  },
  Neg: (g, _e, [dy]) => [g.neg(one(dy))],
  Exp: (g, e, [dy]) => [g.mul(one(dy), e.outputs[0]!)],
  Log: (g, e, [dy]) => [g.div(one(dy), e.inputs[0]!)],
  Sqrt: (g, e, [dy]) => [g.div(one(dy), g.mul(e.outputs[0]!, 2))],
  Abs: (g, e, [dy]) => [g.mul(one(dy), g.sign(e.inputs[0]!))],
  Sigmoid: (g, e, [dy]) => {
    const y = e.outputs[0]!;
    return [g.mul(one(dy), g.mul(y, g.sub(1, y)))];
  },
  Tanh: (g, e, [dy]) => {
    const y = e.outputs[0]!;
    return [g.mul(one(dy), g.sub(1, g.mul(y, y)))];
  },
  Relu: (g, e, [dy]) => [g.mul(one(dy), maskOf(g, greater(g, e.inputs[0]!, 0)))],
  Elu: (g, e, [dy]) => {
    // y′ = 1 for x > 0, y + α below
    const alpha = (e.attrs.alpha as { f: number }).f;
    const x = e.inputs[0]!;
    const pos = maskOf(g, greater(g, x, 0));
    const slope = g.add(pos, g.mul(g.sub(1, pos), g.add(e.outputs[0]!, alpha)));
    return [g.mul(one(dy), slope)];
  },
  Clip: (g, e, [dy]) => {
    const x = e.inputs[0]!;
    const lo = (e.attrs.lo as { f: number }).f;
    const hi = (e.attrs.hi as { f: number }).f;
    // gradient passes where lo ≤ x ≤ hi (as torch.clamp)
    const inside = g.mul(maskOf(g, g.less(x, lo)), -1);
    const mask = g.add(g.add(inside, 1), g.mul(maskOf(g, greater(g, x, hi)), -1));
    return [g.mul(one(dy), mask)];
  },
  Min: (g, e, [dy], n) => minMax(g, e, one(dy), n, "min"),
  Max: (g, e, [dy], n) => minMax(g, e, one(dy), n, "max"),
  MatMul: (g, e, [dy], n) => matmulGrad(g, e.inputs[0]!, e.inputs[1]!, one(dy), n, false, false, 1),
  FusedMatMul: (g, e, [dy], n) => {
    const a = e.attrs;
    return matmulGrad(g, e.inputs[0]!, e.inputs[1]!, one(dy), n, a.transA === 1, a.transB === 1, (a.alpha as { f: number }).f);
  },
  Gemm: (g, e, [dy], n) => {
    const a = e.attrs;
    const [dA, dB] = matmulGrad(g, e.inputs[0]!, e.inputs[1]!, one(dy), n, a.transA === 1, a.transB === 1, (a.alpha as { f: number }).f);
    const c = e.inputs[2];
    return [dA, dB, c && n[2] ? unbroadcast(g, one(dy), c.shape) : undefined];
  },
  Softmax: (g, e, [dy]) => {
    const y = e.outputs[0]!;
    const d = one(dy);
    return [g.mul(y, g.sub(d, g.reduceSum(g.mul(d, y), [-1], true)))];
  },
  LogSoftmax: (g, e, [dy]) => {
    const d = one(dy);
    return [g.sub(d, g.mul(g.exp(e.outputs[0]!), g.reduceSum(d, [-1], true)))];
  },
  LayerNormalization: (g, e, [dy], n) => {
    // x̂ = (x − μ)·r; y = γ·x̂ + β; dx = r·(gd − mean(gd) − x̂·mean(gd·x̂)) with gd = γ·dy
    const [x, scale, bias] = e.inputs as [Sym, Sym, Sym];
    const { mean, invStd } = e.saved as { mean: Sym; invStd: Sym };
    const d = one(dy);
    const xhat = g.mul(g.sub(x, mean), invStd);
    let dx: Sym | undefined;
    if (n[0]) {
      const gd = g.mul(d, scale);
      const t = g.sub(g.sub(gd, g.reduceMean(gd, [-1], true)), g.mul(xhat, g.reduceMean(g.mul(gd, xhat), [-1], true)));
      dx = g.mul(t, invStd);
    }
    const dScale = n[1] ? unbroadcast(g, g.mul(d, xhat), scale.shape) : undefined;
    const dBias = n[2] ? unbroadcast(g, d, bias.shape) : undefined;
    return [dx, dScale, dBias];
  },
  ReduceSum: (g, e, [dy]) => [expandBack(g, e, one(dy))],
  ReduceMean: (g, e, [dy]) => {
    const x = e.inputs[0]!;
    const count = (e.attrs.axes as number[]).reduce((s, a) => s * x.shape[a]!, 1);
    return [expandBack(g, e, g.mul(one(dy), 1 / count))];
  },
  ReduceSumSquare: (g, e, [dy]) => {
    const x = e.inputs[0]!;
    return [g.mul(x, g.mul(keepDims(g, e, one(dy)), 2))];
  },
  Reshape: (g, e, [dy]) => [g.reshape(one(dy), [...e.inputs[0]!.shape])],
  Transpose: (g, e, [dy]) => {
    const perm = e.attrs.perm as number[];
    const inv = perm.map((_, i) => perm.indexOf(i));
    return [g.transpose(one(dy), inv)];
  },
  Concat: (g, e, [dy], n) => {
    const axis = e.attrs.axis as number;
    let at = 0;
    return e.inputs.map((x, i) => {
      const w = x.shape[axis]!;
      const s = n[i] ? g.slice(one(dy), axis, at, at + w) : undefined;
      at += w;
      return s;
    });
  },
  Split: (g, e, dys) => {
    // concatenate the parts' gradients, zeros for parts that got none
    const axis = e.attrs.axis as number;
    return [g.concat(e.outputs.map((o, i) => dys[i] ?? g.constant(new Float32Array(o.size), [...o.shape])), axis)];
  },
  Slice: (g, e, [dy]) => {
    // zero-pad the gradient back to the input's extent along the sliced axis
    const x = e.inputs[0]!;
    const { axis, start, end } = e.attrs as { axis: number; start: number; end: number };
    const parts: Sym[] = [];
    const zeros = (w: number) => g.constant(new Float32Array(x.shape.map((d, i) => (i === axis ? w : d)).reduce((a, b) => a * b, 1)), x.shape.map((d, i) => (i === axis ? w : d)));
    if (start > 0) parts.push(zeros(start));
    parts.push(one(dy));
    if (end < x.shape[axis]!) parts.push(zeros(x.shape[axis]! - end));
    return [g.concat(parts, axis)];
  },
};

function minMax(g: Graph, e: TapeEntry, dy: Sym, n: boolean[], kind: "min" | "max"): (Sym | undefined)[] {
  // ties go to the first operand (as tfjs: a gets dy where a ≤ b for min, a ≥ b for max)
  const [a, b] = e.inputs as [Sym, Sym];
  const toB = maskOf(g, kind === "min" ? g.less(b, a) : g.less(a, b));
  const da = n[0] ? unbroadcast(g, g.mul(dy, g.sub(1, toB)), a.shape) : undefined;
  const db = n[1] ? unbroadcast(g, g.mul(dy, toB), b.shape) : undefined;
  return [da, db];
}

/** dy of a reduction, reshaped with the reduced axes kept as 1. */
function keepDims(g: Graph, e: TapeEntry, dy: Sym): Sym {
  const x = e.inputs[0]!;
  const axes = e.attrs.axes as number[];
  return g.reshape(dy, x.shape.map((d, i) => (axes.includes(i) ? 1 : d)));
}

function expandBack(g: Graph, e: TapeEntry, dy: Sym): Sym {
  const x = e.inputs[0]!;
  const k = keepDims(g, e, dy);
  if (k.size === x.size) return g.reshape(k, [...x.shape]);
  // Expand has no tape entry of its own: its gradient would be this reduction again
  return g.emit("Expand", [k, g.int64s([...x.shape])], [{ shape: [...x.shape] }])[0]!;
}

/**
 * Gradients of Y = α·op(A)·op(B) (op = optional transpose of the last two axes), rank 2 through Gemm and batched
 * through FusedMatMul, transposes folded into the products. A batch-broadcast B (2-D B, batched A) sums its
 * gradient over the batch by flattening A's batch into rows.
 */
function matmulGrad(g: Graph, A: Sym, B: Sym, dy: Sym, n: boolean[], tA: boolean, tB: boolean, alpha: number): (Sym | undefined)[] {
  const mm = (x: Sym, y: Sym, ta: boolean, tb: boolean) =>
    x.rank === 2 && y.rank === 2 ? g.gemm(x, y, undefined, { transA: ta, transB: tb, alpha }) : g.fusedMatMul(x, y, { transA: ta, transB: tb, alpha });
  let dA: Sym | undefined;
  let dB: Sym | undefined;
  if (n[0]) {
    // Y = op(A)·op(B) → d op(A) = dy·op(B)ᵀ
    dA = tA ? mm(B, dy, tB, true) : mm(dy, B, false, !tB);
    if (dA.rank !== A.rank) dA = unbroadcast(g, dA, A.shape);
  }
  if (n[1]) {
    if (B.rank === 2 && A.rank > 2) {
      if (tA) throw new Error("gradients: a batched transposed A against a shared B is not supported");
      const a2 = g.reshape(A, [-1, A.shape[A.rank - 1]!]);
      const d2 = g.reshape(dy, [-1, dy.shape[dy.rank - 1]!]);
      dB = tB ? mm(d2, a2, true, false) : mm(a2, d2, true, false);
    } else {
      dB = tB ? mm(dy, A, true, tA) : mm(A, dy, !tA, false);
      if (dB.rank !== B.rank || dB.shape.some((d, i) => d !== B.shape[i])) dB = unbroadcast(g, dB, B.shape);
    }
  }
  return [dA, dB];
}
