/**
 * Losses and regression targets of TD-MPC / TD-MPC2.
 *
 * TD-MPC2 (Hansen et al. 2024, §4.2) regresses rewards and values as a *discrete* distribution: a scalar y is
 * squashed with symlog, placed on `numBins` evenly spaced bins in [vmin, vmax] as a "two-hot" vector (the two
 * neighbouring bins share the mass by linear interpolation), and learnt with a soft cross-entropy. Decoding takes
 * the expectation of the softmax over the bin centres and un-squashes with symexp.
 */
import { tf } from "./backend.js";

export interface TwoHotConfig {
  numBins: number;
  vmin: number;
  vmax: number;
}

/** TD-MPC2's defaults: 101 bins on [−10, 10] in symlog space. */
export const TWO_HOT_DEFAULT: TwoHotConfig = { numBins: 101, vmin: -10, vmax: 10 };

export function binSize(c: TwoHotConfig): number {
  return (c.vmax - c.vmin) / (c.numBins - 1);
}

function checkTwoHot(c: TwoHotConfig): void {
  if (!Number.isInteger(c.numBins) || c.numBins < 2) throw new Error(`two-hot: numBins must be an integer ≥ 2, got ${c.numBins}`);
  if (!(c.vmax > c.vmin)) throw new Error(`two-hot: need vmin < vmax, got [${c.vmin}, ${c.vmax}]`);
}

/** Mean squared error over all elements. */
export function mse(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.mean(tf.squaredDifference(a, b));
}

/** symlog(x) = sign(x)·log(1 + |x|) (Hafner et al. 2023). */
export function symlog<T extends tf.Tensor>(x: T): T {
  return tf.mul(tf.sign(x), tf.log1p(tf.abs(x))) as T;
}

/** symexp(x) = sign(x)·(exp(|x|) − 1), the inverse of symlog. */
export function symexp<T extends tf.Tensor>(x: T): T {
  return tf.mul(tf.sign(x), tf.sub(tf.exp(tf.abs(x)), 1)) as T;
}

/** Two-hot encoding of scalars x (any shape, e.g. [B] or [B, 1]) → [N, numBins] where N = x.size. */
export function twoHot(x: tf.Tensor, c: TwoHotConfig = TWO_HOT_DEFAULT): tf.Tensor2D {
  checkTwoHot(c);
  return tf.tidy(() => {
    const bs = binSize(c);
    const s = tf.clipByValue(symlog(tf.reshape(x, [-1])), c.vmin, c.vmax);
    const pos = tf.div(tf.sub(s, c.vmin), bs); // continuous bin index in [0, numBins-1]
    const idx = tf.floor(pos);
    const off = tf.sub(pos, idx);
    const i0 = tf.cast(idx, "int32");
    // at the top edge idx = numBins-1 and off = 0: the upper neighbour gets no mass (clip keeps the index valid)
    const i1 = tf.minimum(tf.add(i0, tf.scalar(1, "int32")), tf.scalar(c.numBins - 1, "int32"));
    // int32 one-hot then cast: the wasm backend's OneHot writes int32 bits even when asked for float32
    const lo = tf.mul(tf.cast(tf.oneHot(i0, c.numBins), "float32"), tf.expandDims(tf.sub(1, off), 1));
    const hi = tf.mul(tf.cast(tf.oneHot(i1, c.numBins), "float32"), tf.expandDims(off, 1));
    return tf.add(lo, hi) as tf.Tensor2D;
  });
}

/** The bin centres in symlog space, [numBins]. */
export function binCentres(c: TwoHotConfig = TWO_HOT_DEFAULT): tf.Tensor1D {
  checkTwoHot(c);
  return tf.linspace(c.vmin, c.vmax, c.numBins);
}

/** Decode logits [N, numBins] (or [..., numBins]) to scalars [..., 1]: symexp(Σ softmax(logits)·centres). */
export function twoHotInv(logits: tf.Tensor, c: TwoHotConfig = TWO_HOT_DEFAULT): tf.Tensor {
  if (logits.shape[logits.rank - 1] !== c.numBins) {
    throw new Error(`twoHotInv: last axis ${logits.shape[logits.rank - 1]} is not numBins ${c.numBins}`);
  }
  return tf.tidy(() => symexp(tf.sum(tf.mul(tf.softmax(logits), binCentres(c)), -1, true)));
}

/** Decode a normalised two-hot *distribution* (not logits) [N, numBins] → [N, 1]; used to test round-trips. */
export function twoHotDecodeProbs(probs: tf.Tensor, c: TwoHotConfig = TWO_HOT_DEFAULT): tf.Tensor {
  return tf.tidy(() => symexp(tf.sum(tf.mul(probs, binCentres(c)), -1, true)));
}

/**
 * Soft cross-entropy between logits [N, numBins] and the two-hot encoding of scalar targets [N] or [N, 1]:
 * −Σ twoHot(y)·log softmax(logits), per row → [N, 1].
 */
export function softCrossEntropy(logits: tf.Tensor2D, target: tf.Tensor, c: TwoHotConfig = TWO_HOT_DEFAULT): tf.Tensor2D {
  if (logits.shape[0] !== target.size) {
    throw new Error(`softCrossEntropy: ${logits.shape[0]} rows of logits but ${target.size} targets`);
  }
  const t = twoHot(target, c); // targets carry no gradient: they are computed outside the loss's variables
  return tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), t), -1, true)) as tf.Tensor2D;
}

/**
 * How a network head predicts a scalar (a reward, a Q value): TD-MPC regresses it directly with MSE ("mse", one
 * output); TD-MPC2 predicts a two-hot distribution over `numBins` bins and trains it with a soft cross-entropy.
 */
export type ScalarCoding = "mse" | TwoHotConfig;

/** Output width of a head with this coding. */
export function codingWidth(c: ScalarCoding): number {
  return c === "mse" ? 1 : c.numBins;
}

/** The head's output [..., width] decoded to scalars [..., 1]. */
export function decodeScalar(c: ScalarCoding, out: tf.Tensor): tf.Tensor {
  return c === "mse" ? out : twoHotInv(out, c);
}

/** Per-row loss [N, 1] of head outputs [N, width] against scalar targets [N] or [N, 1]. */
export function scalarLoss(c: ScalarCoding, out: tf.Tensor2D, target: tf.Tensor): tf.Tensor2D {
  if (c === "mse") return tf.square(tf.sub(out, tf.reshape(target, out.shape))) as tf.Tensor2D;
  return softCrossEntropy(out, target, c);
}
