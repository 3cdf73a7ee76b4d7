/**
 * The losses and scalar codings of losses.ts as graph nodes (TD-MPC2 §4.2 two-hot regression; TD-MPC's MSE).
 * Targets carry no gradient: callers pass values that went through `stopGradient` or depend on no parameter.
 */
import { binSize, type ScalarCoding, type TwoHotConfig } from "../losses.js";
import { Graph, Sym } from "./graph.js";

/** symlog(x) = sign(x)·log(1 + |x|) */
export function symlog(g: Graph, x: Sym): Sym {
  return g.mul(g.sign(x), g.log(g.add(g.abs(x), 1)));
}

/** symexp(x) = sign(x)·(exp(|x|) − 1) */
export function symexp(g: Graph, x: Sym): Sym {
  return g.mul(g.sign(x), g.sub(g.exp(g.abs(x)), 1));
}

/**
 * Two-hot encoding of scalars y [N, 1] → [N, numBins]: with p the continuous bin index of clip(symlog(y)), bin i
 * gets max(0, 1 − |p − i|), i.e. the two neighbouring bins share the mass by linear interpolation.
 */
export function twoHot(g: Graph, y: Sym, c: TwoHotConfig): Sym {
  const s = g.clip(symlog(g, g.reshape(y, [y.size, 1])), c.vmin, c.vmax);
  const pos = g.mul(g.sub(s, c.vmin), 1 / binSize(c));
  const idx = g.constant(Float32Array.from({ length: c.numBins }, (_, i) => i), [c.numBins]);
  return g.relu(g.sub(1, g.abs(g.sub(pos, idx))));
}

/** −Σ target·log softmax(logits) over the last axis → [..., 1]; `target` broadcasts against the logits. */
export function softCrossEntropy(g: Graph, logits: Sym, target: Sym): Sym {
  return g.neg(g.reduceSum(g.mul(g.logSoftmax(logits), target), [-1], true));
}

/** symexp(Σ softmax(logits)·centres): logits [..., numBins] → [..., 1] */
export function twoHotInv(g: Graph, logits: Sym, c: TwoHotConfig): Sym {
  const centres = Float32Array.from({ length: c.numBins }, (_, i) => c.vmin + (c.vmax - c.vmin) * (i / (c.numBins - 1)));
  return symexp(g, g.matmul(g.softmax(logits), g.constant(centres, [c.numBins, 1])));
}

/** A head's output [..., width] decoded to scalars [..., 1]. */
export function decodeScalar(g: Graph, c: ScalarCoding, out: Sym): Sym {
  return c === "mse" ? out : twoHotInv(g, out, c);
}

/**
 * Per-row loss of head outputs [..., N, width] against scalar targets [N, 1] (broadcast over leading axes, e.g. the
 * Q heads): squared error, or the soft cross-entropy against the two-hot target.
 */
export function scalarLoss(g: Graph, c: ScalarCoding, out: Sym, target: Sym): Sym {
  if (c === "mse") return g.square(g.sub(out, target));
  return softCrossEntropy(g, out, twoHot(g, target, c));
}

/** mean over the last axis of (a − b)² → [..., 1] (TD-MPC's per-row consistency) */
export function rowMse(g: Graph, a: Sym, b: Sym): Sym {
  const d = g.sub(a, b);
  return g.reduceMean(g.mul(d, d), [-1], true);
}
