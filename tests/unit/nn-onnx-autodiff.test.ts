import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, tf } from "../../src/nn/backend.js";
import { applyEnsemble, applyMlp, ensemble, mlp, Params, type EnsembleSpec, type MlpSpec } from "../../src/nn/layers.js";
import { gradients } from "../../src/nn/onnx/autodiff.js";
import { Graph, type Sym } from "../../src/nn/onnx/graph.js";
import { elu, ensembleGraph, mish, mlpGraph, simNorm } from "../../src/nn/onnx/nets.js";
import { GraphSession } from "../../src/nn/onnx/session.js";
import { Rng } from "../../src/util/random.js";
import { relErr } from "../helpers/close.js";

beforeAll(async () => {
  await initBackend({ quiet: true });
});


interface Case {
  name: string;
  shapes: number[][];
  /** positive inputs (log, sqrt) */
  positive?: boolean;
  onnx: (g: Graph, xs: Sym[]) => Sym;
  tfjs: (xs: tf.Tensor[]) => tf.Tensor;
}

/**
 * loss = Σ f(x)·c with a fixed random c (so every output element gets its own upstream gradient); the value and
 * the gradient of every input must equal tfjs's to 1e-4 relative.
 */
async function check(c: Case, seed = 1): Promise<void> {
  const rng = new Rng(seed);
  const data = c.shapes.map((s) => {
    const n = s.reduce((a, b) => a * b, 1);
    const x = rng.fillNormal(new Float32Array(n));
    return c.positive ? x.map((v) => Math.abs(v) + 0.1) : x;
  });
  // tfjs reference
  const xs = data.map((d, i) => tf.tensor(d, c.shapes[i]!));
  const out = c.tfjs(xs);
  const cw = tf.tensor(rng.fillNormal(new Float32Array(out.size)), out.shape);
  const f = (...a: tf.Tensor[]) => tf.sum(tf.mul(c.tfjs(a), cw)) as tf.Scalar;
  const { value, grads } = tf.valueAndGrads(f)(xs);
  // the graph
  const g = new Graph();
  const ins = c.shapes.map((s, i) => g.input(`x${i}`, s));
  const y = c.onnx(g, ins);
  expect(y.shape).toEqual(out.shape);
  const loss = g.sumAll(g.mul(y, g.constant(cw.dataSync(), [...out.shape])));
  const dx = gradients(g, loss, ins);
  g.output(loss, "loss");
  dx.forEach((d, i) => g.output(d!, `d${i}`));
  const s = await GraphSession.create(g);
  const feeds: Record<string, Float32Array> = {};
  data.forEach((d, i) => (feeds[`x${i}`] = d));
  const r = await s.run(feeds);
  expect(relErr(r.loss!.data as Float32Array, value.dataSync()), `${c.name} loss`).toBeLessThan(1e-4);
  grads.forEach((gt, i) => expect(relErr(r[`d${i}`]!.data as Float32Array, gt.dataSync()), `${c.name} d${i}`).toBeLessThan(1e-4));
  await s.release();
  tf.dispose([...xs, out, cw, value, ...grads]);
}

const cases: Case[] = [
  { name: "Add broadcast", shapes: [[3, 4], [4]], onnx: (g, [a, b]) => g.add(a!, b!), tfjs: ([a, b]) => tf.add(a!, b!) },
  { name: "Sub broadcast", shapes: [[3, 1], [2, 3, 4]], onnx: (g, [a, b]) => g.sub(a!, b!), tfjs: ([a, b]) => tf.sub(a!, b!) },
  { name: "Mul broadcast", shapes: [[3, 4], [3, 1]], onnx: (g, [a, b]) => g.mul(a!, b!), tfjs: ([a, b]) => tf.mul(a!, b!) },
  { name: "Mul square", shapes: [[5, 2]], onnx: (g, [a]) => g.mul(a!, a!), tfjs: ([a]) => tf.mul(a!, a!) },
  { name: "Div broadcast", shapes: [[3, 4], [4]], positive: true, onnx: (g, [a, b]) => g.div(a!, b!), tfjs: ([a, b]) => tf.div(a!, b!) },
  { name: "Neg", shapes: [[6]], onnx: (g, [a]) => g.neg(a!), tfjs: ([a]) => tf.neg(a!) },
  { name: "Exp", shapes: [[3, 5]], onnx: (g, [a]) => g.exp(a!), tfjs: ([a]) => tf.exp(a!) },
  { name: "Log", shapes: [[3, 5]], positive: true, onnx: (g, [a]) => g.log(a!), tfjs: ([a]) => tf.log(a!) },
  { name: "Sqrt", shapes: [[3, 5]], positive: true, onnx: (g, [a]) => g.sqrt(a!), tfjs: ([a]) => tf.sqrt(a!) },
  { name: "Abs", shapes: [[3, 5]], onnx: (g, [a]) => g.abs(a!), tfjs: ([a]) => tf.abs(a!) },
  { name: "Sigmoid", shapes: [[3, 5]], onnx: (g, [a]) => g.sigmoid(a!), tfjs: ([a]) => tf.sigmoid(a!) },
  { name: "Tanh", shapes: [[3, 5]], onnx: (g, [a]) => g.tanh(a!), tfjs: ([a]) => tf.tanh(a!) },
  { name: "Relu", shapes: [[3, 5]], onnx: (g, [a]) => g.relu(a!), tfjs: ([a]) => tf.relu(a!) },
  { name: "Elu", shapes: [[4, 5]], onnx: (g, [a]) => g.elu(a!), tfjs: ([a]) => tf.elu(a!) },
  { name: "Clip", shapes: [[4, 5]], onnx: (g, [a]) => g.clip(a!, -0.5, 0.7), tfjs: ([a]) => tf.clipByValue(a!, -0.5, 0.7) },
  { name: "Min", shapes: [[4, 5], [5]], onnx: (g, [a, b]) => g.min(a!, b!), tfjs: ([a, b]) => tf.minimum(a!, tf.broadcastTo(b!, a!.shape)) },
  { name: "Max", shapes: [[4, 5], [4, 1]], onnx: (g, [a, b]) => g.max(a!, b!), tfjs: ([a, b]) => tf.maximum(a!, tf.broadcastTo(b!, a!.shape)) },
  { name: "MatMul 2-D", shapes: [[7, 5], [5, 3]], onnx: (g, [a, b]) => g.matmul(a!, b!), tfjs: ([a, b]) => tf.matMul(a!, b!) },
  { name: "MatMul batched", shapes: [[2, 7, 5], [2, 5, 3]], onnx: (g, [a, b]) => g.matmul(a!, b!), tfjs: ([a, b]) => tf.matMul(a!, b!) },
  { name: "MatMul batched × shared", shapes: [[2, 7, 5], [5, 3]], onnx: (g, [a, b]) => g.matmul(a!, b!), tfjs: ([a, b]) => tf.matMul(a!, tf.tile(tf.expandDims(b!, 0), [2, 1, 1])) },
  { name: "MatMul shared × batched", shapes: [[7, 5], [3, 5, 4]], onnx: (g, [a, b]) => g.matmul(a!, b!), tfjs: ([a, b]) => tf.matMul(tf.tile(tf.expandDims(a!, 0), [3, 1, 1]), b!) },
  { name: "Gemm + bias", shapes: [[7, 5], [5, 3], [3]], onnx: (g, [a, b, c]) => g.gemm(a!, b!, c!), tfjs: ([a, b, c]) => tf.add(tf.matMul(a!, b!), c!) },
  { name: "Gemm transA", shapes: [[5, 7], [5, 3]], onnx: (g, [a, b]) => g.gemm(a!, b!, undefined, { transA: true, alpha: 0.5 }), tfjs: ([a, b]) => tf.mul(tf.matMul(a!, b!, true, false), 0.5) },
  { name: "Gemm transB", shapes: [[7, 5], [3, 5]], onnx: (g, [a, b]) => g.gemm(a!, b!, undefined, { transB: true }), tfjs: ([a, b]) => tf.matMul(a!, b!, false, true) },
  { name: "Gemm transA transB", shapes: [[5, 7], [3, 5], [7, 1]], onnx: (g, [a, b, c]) => g.gemm(a!, b!, c!, { transA: true, transB: true }), tfjs: ([a, b, c]) => tf.add(tf.matMul(a!, b!, true, true), c!) },
  { name: "FusedMatMul transA", shapes: [[2, 5, 7], [2, 5, 3]], onnx: (g, [a, b]) => g.fusedMatMul(a!, b!, { transA: true }), tfjs: ([a, b]) => tf.matMul(a!, b!, true, false) },
  { name: "FusedMatMul transB", shapes: [[2, 7, 5], [2, 3, 5]], onnx: (g, [a, b]) => g.fusedMatMul(a!, b!, { transB: true }), tfjs: ([a, b]) => tf.matMul(a!, b!, false, true) },
  { name: "Softmax", shapes: [[4, 6]], onnx: (g, [a]) => g.softmax(a!), tfjs: ([a]) => tf.softmax(a!) },
  { name: "LogSoftmax", shapes: [[2, 3, 6]], onnx: (g, [a]) => g.logSoftmax(a!), tfjs: ([a]) => tf.logSoftmax(a!) },
  {
    name: "LayerNormalization",
    shapes: [[2, 3, 8], [8], [8]],
    onnx: (g, [x, s, b]) => g.layerNorm(x!, s!, b!),
    tfjs: ([x, s, b]) => {
      const { mean, variance } = tf.moments(x!, -1, true);
      return tf.add(tf.mul(tf.mul(tf.sub(x!, mean), tf.rsqrt(tf.add(variance, 1e-5))), s!), b!);
    },
  },
  {
    name: "LayerNormalization, a gain per head",
    shapes: [[2, 3, 8], [2, 1, 8], [2, 1, 8]],
    onnx: (g, [x, s, b]) => g.layerNorm(x!, s!, b!),
    tfjs: ([x, s, b]) => {
      const { mean, variance } = tf.moments(x!, -1, true);
      return tf.add(tf.mul(tf.mul(tf.sub(x!, mean), tf.rsqrt(tf.add(variance, 1e-5))), s!), b!);
    },
  },
  { name: "ReduceSum", shapes: [[3, 4, 5]], onnx: (g, [a]) => g.reduceSum(a!, [0, 2]), tfjs: ([a]) => tf.sum(a!, [0, 2]) },
  { name: "ReduceMean keepdims", shapes: [[3, 4, 5]], onnx: (g, [a]) => g.reduceMean(a!, [-1], true), tfjs: ([a]) => tf.mean(a!, -1, true) },
  { name: "ReduceSumSquare", shapes: [[3, 4]], onnx: (g, [a]) => g.reduceSumSquare(a!, [1]), tfjs: ([a]) => tf.sum(tf.square(a!), 1) },
  { name: "Reshape", shapes: [[3, 4]], onnx: (g, [a]) => g.mul(g.reshape(a!, [2, 6]), g.reshape(a!, [2, 6])), tfjs: ([a]) => tf.square(tf.reshape(a!, [2, 6])) },
  { name: "Transpose", shapes: [[2, 3, 4]], onnx: (g, [a]) => g.transpose(a!, [2, 0, 1]), tfjs: ([a]) => tf.transpose(a!, [2, 0, 1]) },
  { name: "Concat", shapes: [[2, 3], [2, 5]], onnx: (g, [a, b]) => g.concat([a!, b!, a!], 1), tfjs: ([a, b]) => tf.concat([a!, b!, a!], 1) },
  { name: "Slice", shapes: [[3, 7]], onnx: (g, [a]) => g.slice(a!, 1, 2, 5), tfjs: ([a]) => tf.slice(a!, [0, 2], [3, 3]) },
  { name: "Split", shapes: [[3, 7]], onnx: (g, [a]) => { const [p, q] = g.split(a!, 1, [2, 5]); return g.concat([g.mul(q!, p!.shape[1]!), p!], 1); }, tfjs: ([a]) => tf.concat([tf.mul(tf.slice(a!, [0, 2], [3, 5]), 2), tf.slice(a!, [0, 0], [3, 2])], 1) },
  { name: "Split, one part unused", shapes: [[3, 7]], onnx: (g, [a]) => g.split(a!, 1, [2, 5])[1]!, tfjs: ([a]) => tf.slice(a!, [0, 2], [3, 5]) },
  { name: "Sum", shapes: [[3, 4], [4], [3, 4]], onnx: (g, xs) => g.sum(xs), tfjs: ([a, b, c]) => tf.addN([a!, tf.tile(tf.expandDims(b!, 0), [3, 1]), c!]) },
  {
    name: "Mish",
    shapes: [[5, 9]],
    onnx: (g, [a]) => mish(g, g.mul(a!, 6)),
    tfjs: ([a]) => {
      const x = tf.mul(a!, 6);
      return tf.mul(x, tf.tanh(tf.softplus(x)));
    },
  },
  { name: "ELU (exp(min(x, 0)) form)", shapes: [[5, 9]], onnx: (g, [a]) => elu(g, g.mul(a!, 3)), tfjs: ([a]) => tf.elu(tf.mul(a!, 3)) },
  {
    name: "SimNorm",
    shapes: [[3, 16]],
    onnx: (g, [a]) => simNorm(g, a!, 8),
    tfjs: ([a]) => tf.reshape(tf.softmax(tf.reshape(a!, [3, 2, 8])), [3, 16]),
  },
];

describe("ONNX autodiff: each op's gradient equals tfjs's", () => {
  for (const c of cases) it(c.name, () => check(c));

  it("Mish stays finite and exact for large |x|", () => check({ name: "Mish large", shapes: [[2, 4]], onnx: (g, [a]) => mish(g, g.mul(a!, 60)), tfjs: ([a]) => {
    const x = tf.mul(a!, 60);
    return tf.mul(x, tf.tanh(tf.softplus(x)));
  } }));

  it("an input that is not differentiated gets no gradient product (a frozen weight costs no xᵀ·dy)", () => {
    const g = new Graph();
    const x = g.input("x", [4, 3]);
    const w = g.input("w", [3, 2]);
    const y = g.gemm(x, w, undefined);
    const [dw] = gradients(g, g.sumAll(g.mul(y, y)), [w]);
    expect(dw!.shape).toEqual([3, 2]);
    expect(g.tape.filter((e) => e.op === "Gemm").length).toBe(2); // forward x·w and backward xᵀ·dy only
  });
});

function paramsOf(p: Params): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const n of p.names()) out[`p:${n}`] = p.get(n).dataSync() as Float32Array;
  return out;
}

/** whole networks: loss = Σ net(x)·c, gradients w.r.t. every parameter and the input vs tfjs (its fused and custom paths) */
async function checkNet(p: Params, build: (g: Graph, P: (n: string) => Sym, x: Sym) => Sym, ref: (x: tf.Tensor2D) => tf.Tensor, inDim: number, rows: number): Promise<void> {
  const rng = new Rng(9);
  const xd = rng.fillNormal(new Float32Array(rows * inDim));
  const x = tf.tensor2d(xd, [rows, inDim]);
  const out = ref(x);
  const cw = tf.tensor(rng.fillNormal(new Float32Array(out.size)), out.shape);
  const names = p.names();
  const vars = names.map((n) => p.get(n));
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(ref(x), cw)) as tf.Scalar, vars);
  const gx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(ref(xx as tf.Tensor2D), cw)) as tf.Scalar)(x);

  const g = new Graph();
  const inputs = new Map(names.map((n) => [n, g.input(`p:${n}`, p.get(n).shape)] as const));
  const xi = g.input("x", [rows, inDim]);
  const y = build(g, (n) => inputs.get(n)!, xi);
  expect(y.shape).toEqual(out.shape);
  const loss = g.sumAll(g.mul(y, g.constant(cw.dataSync(), [...out.shape])));
  const wrt = [...names.map((n) => inputs.get(n)!), xi];
  const d = gradients(g, loss, wrt);
  g.output(loss, "loss");
  d.forEach((s, i) => g.output(s!, `d${i}`));
  const s = await GraphSession.create(g);
  const r = await s.run({ ...paramsOf(p), x: xd });
  expect(relErr(r.loss!.data as Float32Array, value.dataSync())).toBeLessThan(1e-4);
  names.forEach((n, i) => expect(relErr(r[`d${i}`]!.data as Float32Array, grads[vars[i]!.name]!.dataSync()), n).toBeLessThan(1e-4));
  expect(relErr(r[`d${names.length}`]!.data as Float32Array, gx.dataSync()), "input").toBeLessThan(1e-4);
  await s.release();
  tf.dispose([x, out, cw, value, gx, ...Object.values(grads)]);
}

/** give every parameter a non-trivial value (gains and biases start at 1 and 0) */
function perturb(p: Params, seed: number): void {
  let k = seed;
  for (const n of p.names()) {
    const v = p.get(n);
    v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.3, "float32", k++)));
  }
}

describe("ONNX autodiff on whole networks generated from the layer specs", () => {
  it("TD-MPC2 MLP (LayerNorm + Mish, SimNorm output): every parameter's gradient equals tfjs's", async () => {
    const p = new Params();
    const spec: MlpSpec = mlp(p, "dyn", [10, 32, 32, 16], new Rng(3), { outAct: "simnorm" });
    perturb(p, 1);
    await checkNet(p, (g, P, x) => mlpGraph(g, spec, P, x), (x) => applyMlp(p, spec, x), 10, 12);
    // the same input as two parts (layer 0 as two products over the row blocks of its weight)
    await checkNet(p, (g, P, x) => mlpGraph(g, spec, P, [g.slice(x, 1, 0, 7), g.slice(x, 1, 7, 10)]), (x) => applyMlp(p, spec, x), 10, 12);
    p.dispose();
  });

  it("TD-MPC MLP (ELU, no normalisation) and TD-MPC's Q head shape (LayerNorm + tanh first)", async () => {
    const p = new Params();
    const spec = mlp(p, "rew", [7, 24, 24, 1], new Rng(4), { act: "elu", norm: "none" });
    const q = ensemble(p, "q", 2, [7, 24, 24, 1], new Rng(5), { act: "elu", norm: "first", firstAct: "tanh" });
    perturb(p, 2);
    await checkNet(p, (g, P, x) => g.add(mlpGraph(g, spec, P, x), g.reduceSum(ensembleGraph(g, q, P, x), [0])), (x) => tf.add(applyMlp(p, spec, x), tf.sum(applyEnsemble(p, q, x), 0)), 7, 9);
    p.dispose();
  });

  it("TD-MPC2 Q ensemble (5 heads, LayerNorm + Mish) and two selected heads", async () => {
    const p = new Params();
    const q: EnsembleSpec = ensemble(p, "q", 5, [6, 16, 16, 11], new Rng(6));
    perturb(p, 3);
    await checkNet(p, (g, P, x) => ensembleGraph(g, q, P, x), (x) => applyEnsemble(p, q, x), 6, 8);
    await checkNet(p, (g, P, x) => ensembleGraph(g, q, P, [g.slice(x, 1, 0, 4), g.slice(x, 1, 4, 6)]), (x) => applyEnsemble(p, q, x), 6, 8);
    // heads [3, 1] through a Gather on the weights: forward only (planning, TD targets)
    const g = new Graph();
    const inputs = new Map(p.names().map((n) => [n, g.input(`p:${n}`, p.get(n).shape)] as const));
    const x = g.input("x", [8, 6]);
    const heads = g.input("heads", [2], "int64");
    g.output(ensembleGraph(g, q, (n) => inputs.get(n)!, x, { heads }), "y");
    const s = await GraphSession.create(g);
    const xd = new Rng(1).fillNormal(new Float32Array(48));
    const r = await s.run({ ...paramsOf(p), x: xd, heads: BigInt64Array.from([3n, 1n]) });
    const ref = applyEnsemble(p, q, tf.tensor2d(xd, [8, 6]), { heads: [3, 1] });
    expect(relErr(r.y!.data as Float32Array, ref.dataSync())).toBeLessThan(1e-5);
    await s.release();
    p.dispose();
  });
});
