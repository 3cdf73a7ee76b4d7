/**
 * Convolutional image encoders h_θ for pixel observations, as plain functions over a `Params` store (layers.ts):
 *
 *  - "tdmpc":  TD-MPC's encoder (tdmpc helper.py `enc`): /255, four 3×3…7×7 convolutions, kernels (7, 5, 3, 3),
 *              stride 2 each, 32 filters, ReLU after each, flatten, Linear to the latent (50). Orthogonal init
 *              (gain √2 for the convolutions, as the official `orthogonal_init`).
 *  - "tdmpc2": TD-MPC2's (tdmpc2 common/layers.py `conv`): /255 − 0.5, kernels (7, 5, 3, 3), strides (2, 2, 2, 1),
 *              32 filters, ReLU after the first three only, flatten, SimNorm (groups of 8); no Linear: at 64×64 the
 *              flattened 32·4·4 = 512 is the latent. PyTorch's default conv init (U(±1/√fan_in)).
 *  - "impala": a small residual network (IMPALA, Espeholt et al. 2018) as the "modern vision module" option:
 *              3 stages of conv 3×3 → max-pool 3×3 stride 2 → 2 residual blocks (ReLU, conv, ReLU, conv, + skip),
 *              16/32/32 channels, ReLU, flatten, Linear to the latent. Trained from scratch: no pretrained weights
 *              can be downloaded here.
 *
 * Layout: tensors are NHWC (tfjs's convolution layout); observations arrive channels-first (uint8 [B, 3k, H, W],
 * src/envs/pixels.ts) and `pixelBatch` transposes them while converting. The flattened features are therefore in
 * (H, W, C) order where PyTorch's are (C, H, W): same network, permuted Linear rows.
 *
 * Gradients: the wasm backend has Conv2D and Conv2DBackpropInput but no Conv2DBackpropFilter kernel, so `conv2d`
 * carries its own gradient there, as forward convolutions (XNNPACK-fast on wasm): dx by correlating the zero-dilated
 * output gradient with the flipped filter, dW as a convolution of the input with the output gradient (batch and
 * channel axes swapped, the stride as dilation), db as a sum. Other backends use tfjs's
 * autodiff.
 */
import { tf } from "./backend.js";
import { Params, simNorm } from "./layers.js";
import type { Rng } from "../util/random.js";

export type ConvEncoderKind = "tdmpc" | "tdmpc2" | "impala";

export interface ConvEncoderOptions {
  kind: ConvEncoderKind;
  /** Input channels: 3 × frame stack (default 9). */
  channels?: number;
  /** Square frame size (default 84 for tdmpc/impala, 64 for tdmpc2). */
  size?: number;
  /** Filters per convolution (default 32; impala: the last stage's width). */
  filters?: number;
  /** Output size of the final Linear (tdmpc default 50, impala default 50; tdmpc2 has none). */
  latentDim?: number;
  simnormDim?: number;
}

export interface ConvEncoderSpec {
  kind: ConvEncoderKind;
  prefix: string;
  channels: number;
  size: number;
  /** The convolutions in order (impala: stage convs and block convs). */
  convs: { name: string; k: number; stride: number; pad: number; cin: number; cout: number }[];
  /** Flattened feature size before the Linear (tdmpc2: the output). */
  features: number;
  outDim: number;
  simnormDim: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Convolution with a gradient on every backend

/** Out size of a valid convolution. */
const outSize = (n: number, k: number, s: number) => Math.floor((n - k) / s) + 1;

/** dL/dW of y = conv(x, W) (valid, stride s) as one forward convolution: Σ_b x[b, s·o + k, c] dy[b, o, f]. */
function filterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, k: number, stride: number): tf.Tensor4D {
  const xT = tf.transpose(x, [3, 1, 2, 0]); // [Cin, H, W, B]: channels become the batch, the batch the channels
  const dyT = tf.transpose(dy, [1, 2, 0, 3]); // [Ho, Wo, B, Cout]: the gradient becomes the filter
  const g = tf.conv2d(xT, dyT, 1, "valid", "NHWC", stride); // [Cin, ≥k, ≥k, Cout]
  const gk = g.shape[1] === k && g.shape[2] === k ? g : tf.slice(g, [0, 0, 0, 0], [-1, k, k, -1]);
  return tf.transpose(gk, [1, 2, 0, 3]);
}

/**
 * dL/dx of y = conv(x, W) (valid, stride s) as one forward convolution: dy with s − 1 zeros inserted between
 * elements, zero-padded by k − 1, correlated with W rotated by 180° (channels swapped). wasm's own
 * Conv2DBackpropInput is ~10× slower than its Conv2D (measured); this costs s² forward convolutions' worth.
 */
function inputGradient(dy: tf.Tensor4D, w: tf.Tensor4D, shape: [number, number, number, number], stride: number): tf.Tensor4D {
  const [B, H, W] = shape;
  const [, oh, ow, co] = dy.shape;
  const k = w.shape[0];
  let d: tf.Tensor4D = dy;
  if (stride > 1) {
    // insert zeros along columns, then rows, with rank-4 reshapes and pads (fast wasm kernels)
    const cols = tf.pad(tf.reshape(dy, [B * oh, ow, 1, co]), [[0, 0], [0, 0], [0, stride - 1], [0, 0]]);
    const rows = tf.pad(tf.reshape(cols, [B, oh, 1, ow * stride * co]), [[0, 0], [0, 0], [0, stride - 1], [0, 0]]);
    d = tf.slice(tf.reshape(rows, [B, oh * stride, ow * stride, co]), [0, 0, 0, 0], [B, (oh - 1) * stride + 1, (ow - 1) * stride + 1, co]) as tf.Tensor4D;
  }
  // rows/columns of x past the last window (when (H − k) mod s ≠ 0) get no gradient: extra padding at the end
  const rh = (H - k) % stride;
  const rw = (W - k) % stride;
  const padded = tf.pad(d, [[0, 0], [k - 1, k - 1 + rh], [k - 1, k - 1 + rw], [0, 0]]);
  const wFlip = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]);
  return tf.conv2d(padded, wFlip, 1, "valid");
}

/** Σ over batch and space of dy [B, H, W, C] → [C], as a matMul (a reduction over leading axes transposes on wasm). */
function channelSum(dy: tf.Tensor4D): tf.Tensor1D {
  const c = dy.shape[3];
  const rows = dy.size / c;
  return tf.reshape(tf.matMul(tf.ones([1, rows]), tf.reshape(dy, [rows, c])), [c]);
}

let convGradMode: "custom" | "autodiff" | undefined;

/** Force the convolution's gradient path (tests compare the two; undefined = per backend). */
export function setConvGrad(mode: "custom" | "autodiff" | undefined): void {
  convGradMode = mode;
}

function useCustomGrad(): boolean {
  return (convGradMode ?? (tf.getBackend() === "wasm" ? "custom" : "autodiff")) === "custom";
}

/**
 * y = conv(zero-pad(x, pad), W) + b, NHWC, valid, square stride. `inputGrad: false` (an image, the first layer)
 * skips dL/dx: x then gets no gradient.
 */
export function conv2d(x: tf.Tensor4D, w: tf.Tensor, b: tf.Tensor, stride: number, pad = 0, inputGrad = true): tf.Tensor4D {
  const xp = pad > 0 ? tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]]) : x;
  if (!useCustomGrad()) return tf.add(tf.conv2d(xp, w as tf.Tensor4D, stride, "valid"), b);
  const k = w.shape[0];
  const shape = xp.shape;
  type Save = (t: tf.Tensor[]) => void;
  if (!inputGrad) {
    const f = tf.customGrad(((wv: tf.Tensor4D, bv: tf.Tensor1D, save: Save) => {
      save([xp]); // kept for the backward pass even when the forward ran inside tf.tidy
      return {
        value: tf.add(tf.conv2d(xp, wv, stride, "valid"), bv),
        gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => [filterGrad(saved[0] as tf.Tensor4D, dy, k, stride), channelSum(dy)],
      };
    }) as never) as (w: tf.Tensor, b: tf.Tensor) => tf.Tensor4D;
    return f(w, b);
  }
  const f = tf.customGrad(((xv: tf.Tensor4D, wv: tf.Tensor4D, bv: tf.Tensor1D, save: Save) => {
    save([xv, wv]);
    return {
      value: tf.add(tf.conv2d(xv, wv, stride, "valid"), bv),
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        return [inputGradient(dy, ws, shape, stride), filterGrad(xs, dy, k, stride), channelSum(dy)];
      },
    };
  }) as never) as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor4D;
  return f(xp, w, b);
}

// ---------------------------------------------------------------------------------------------------------------
// Initialisation

/** A [rows, cols] matrix with orthonormal rows (rows ≤ cols) or columns, times `gain` (torch.nn.init.orthogonal_). */
export function orthogonal(rows: number, cols: number, gain: number, rng: Rng): Float32Array {
  const [n, m] = rows <= cols ? [rows, cols] : [cols, rows]; // n orthonormal vectors of length m
  const q = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (;;) {
      for (let k = 0; k < m; k++) q[i * m + k] = rng.normal();
      for (let j = 0; j < i; j++) {
        let dot = 0;
        for (let k = 0; k < m; k++) dot += q[i * m + k] * q[j * m + k];
        for (let k = 0; k < m; k++) q[i * m + k] -= dot * q[j * m + k];
      }
      let norm = 0;
      for (let k = 0; k < m; k++) norm += q[i * m + k] ** 2;
      if (norm > 1e-10) {
        for (let k = 0; k < m; k++) q[i * m + k] /= Math.sqrt(norm);
        break;
      }
    }
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = gain * (rows <= cols ? q[r * cols + c] : q[c * rows + r]);
  return out;
}

/** A conv filter [k, k, cin, cout] whose (cout × k·k·cin) matrix is orthogonal with `gain`. */
function orthogonalFilter(k: number, cin: number, cout: number, gain: number, rng: Rng): tf.Tensor {
  const fan = k * k * cin;
  const rows = orthogonal(cout, fan, gain, rng); // [cout, fan]
  return tf.transpose(tf.tensor2d(rows, [cout, fan])).reshape([k, k, cin, cout]);
}

/** PyTorch's default Conv2d/Linear init: weights and bias U(±1/√fan_in). */
function uniformFan(shape: number[], fan: number, rng: Rng): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const bound = 1 / Math.sqrt(fan);
  return tf.tensor(Float32Array.from({ length: n }, () => rng.uniform(-bound, bound)), shape);
}

// ---------------------------------------------------------------------------------------------------------------
// Encoders

/** Create an encoder's parameters under `prefix` and return its spec. */
export function convEncoder(params: Params, prefix: string, opts: ConvEncoderOptions, rng: Rng): ConvEncoderSpec {
  const kind = opts.kind;
  const channels = opts.channels ?? 9;
  const size = opts.size ?? (kind === "tdmpc2" ? 64 : 84);
  const filters = opts.filters ?? 32;
  const simnormDim = opts.simnormDim ?? 8;
  const convs: ConvEncoderSpec["convs"] = [];
  let n = size;
  let c = channels;
  const add = (name: string, k: number, stride: number, cout: number, pad = 0) => {
    convs.push({ name, k, stride, pad, cin: c, cout });
    n = outSize(n + 2 * pad, k, stride);
    c = cout;
    if (n < 1) throw new Error(`${kind} encoder: a ${size}×${size} frame is too small for its convolutions`);
  };
  if (kind === "tdmpc" || kind === "tdmpc2") {
    const strides = kind === "tdmpc" ? [2, 2, 2, 2] : [2, 2, 2, 1];
    [7, 5, 3, 3].forEach((k, i) => add(`conv${i}`, k, strides[i], filters));
  } else if (kind === "impala") {
    const widths = [16, 32, filters];
    widths.forEach((wd, s) => {
      add(`stage${s}/conv`, 3, 1, wd, 1);
      n = outSize(n + 2, 3, 2); // max-pool 3×3, stride 2, padding 1
      for (let bl = 0; bl < 2; bl++) for (let j = 0; j < 2; j++) add(`stage${s}/block${bl}/conv${j}`, 3, 1, wd, 1);
    });
  } else {
    throw new Error(`unknown encoder kind '${String(kind)}' (tdmpc, tdmpc2, impala)`);
  }
  const features = n * n * c;
  for (const cv of convs) {
    const fan = cv.k * cv.k * cv.cin;
    params.add(`${prefix}/${cv.name}/W`, kind === "tdmpc" ? orthogonalFilter(cv.k, cv.cin, cv.cout, Math.SQRT2, rng) : uniformFan([cv.k, cv.k, cv.cin, cv.cout], fan, rng));
    params.add(`${prefix}/${cv.name}/b`, kind === "tdmpc" ? tf.zeros([cv.cout]) : uniformFan([cv.cout], fan, rng));
  }
  let outDim = features;
  if (kind !== "tdmpc2") {
    outDim = opts.latentDim ?? 50;
    const w = kind === "tdmpc" ? tf.tensor2d(orthogonal(outDim, features, 1, rng), [outDim, features]).transpose() : uniformFan([features, outDim], features, rng);
    params.add(`${prefix}/out/W`, w);
    params.add(`${prefix}/out/b`, kind === "tdmpc" ? tf.zeros([outDim]) : uniformFan([outDim], features, rng));
  } else if (features % simnormDim !== 0) {
    throw new Error(`tdmpc2 encoder: ${features} features are not a multiple of simnorm_dim ${simnormDim}`);
  }
  return { kind, prefix, channels, size, convs, features, outDim, simnormDim };
}

/**
 * 3×3 max-pool, stride 2, padding 1 on each side (PyTorch's MaxPool2d(3, 2, 1)), written with reshapes, slices and
 * elementwise maxima: the wasm backend's MaxPoolGrad is wrong for some shapes (tfjs 4.22: e.g. [1, 20, 20, 4]
 * "valid" differs from the true gradient; the cpu backend's is right). After padding to an even length 2(O + 1),
 * rows 2o, 2o + 1, 2o + 2 of the window are rows (o, 0), (o, 1), (o + 1, 0) of a [O + 1, 2] reshape.
 */
export function maxPool(x: tf.Tensor4D): tf.Tensor4D {
  const [B, H, W, C] = x.shape;
  const oh = Math.ceil(H / 2);
  const ow = Math.ceil(W / 2);
  const xp = tf.pad(x, [[0, 0], [1, 2 * oh + 1 - H], [1, 2 * ow + 1 - W], [0, 0]], -1e9); // a value no activation reaches
  // rank-4 views throughout (the wasm Slice kernel is fast up to rank 4, src/nn/wasm-kernels.ts)
  const wc = (2 * ow + 2) * C;
  const r = tf.reshape(xp, [B, oh + 1, 2, wc]);
  const row = (o: number, a: number) => tf.slice(r, [0, o, a, 0], [B, oh, 1, wc]);
  const rows = tf.reshape(tf.maximum(tf.maximum(row(0, 0), row(0, 1)), row(1, 0)), [B, oh, ow + 1, 2 * C]);
  const col = (o: number, a: number) => tf.slice(rows, [0, 0, o, a * C], [B, oh, ow, C]);
  return tf.maximum(tf.maximum(col(0, 0), col(0, 1)), col(1, 0));
}

/**
 * Encode a batch of frames x [B, H, W, C] with raw pixel values 0…255 (see `pixelBatch`) → [B, outDim].
 */
export function applyConvEncoder(params: Params, spec: ConvEncoderSpec, x: tf.Tensor4D): tf.Tensor2D {
  const [, h, w, c] = x.shape;
  if (h !== spec.size || w !== spec.size || c !== spec.channels) throw new Error(`${spec.kind} encoder expects [B, ${spec.size}, ${spec.size}, ${spec.channels}], got [${x.shape}]`);
  const conv = (inp: tf.Tensor4D, i: number, first = false) => {
    const cv = spec.convs[i];
    return conv2d(inp, params.get(`${spec.prefix}/${cv.name}/W`), params.get(`${spec.prefix}/${cv.name}/b`), cv.stride, cv.pad, !first);
  };
  let hdn: tf.Tensor4D = spec.kind === "tdmpc2" ? tf.sub(tf.div(x, 255), 0.5) : tf.div(x, 255);
  if (spec.kind === "impala") {
    let i = 0;
    for (let s = 0; s < 3; s++) {
      hdn = maxPool(conv(hdn, i++, s === 0));
      for (let bl = 0; bl < 2; bl++) {
        const r = conv(tf.relu(conv(tf.relu(hdn), i++)), i++);
        hdn = tf.add(hdn, r);
      }
    }
    hdn = tf.relu(hdn);
  } else {
    spec.convs.forEach((_, i) => {
      hdn = conv(hdn, i, i === 0);
      if (spec.kind === "tdmpc" || i < 3) hdn = tf.relu(hdn);
    });
  }
  const flat = tf.reshape(hdn, [x.shape[0], spec.features]) as tf.Tensor2D;
  if (spec.kind === "tdmpc2") return simNorm(flat, spec.simnormDim);
  return tf.add(tf.matMul(flat, params.get(`${spec.prefix}/out/W`)), params.get(`${spec.prefix}/out/b`));
}

/**
 * A batch of channels-first uint8 observations (B × [C, H, W], concatenated) as an NHWC float tensor of raw values.
 */
export function pixelBatch(obs: Uint8Array, batch: number, channels: number, size: number): tf.Tensor4D {
  const plane = size * size;
  if (obs.length !== batch * channels * plane) throw new RangeError(`pixelBatch: ${obs.length} bytes is not ${batch} × [${channels}, ${size}, ${size}]`);
  const out = new Float32Array(obs.length);
  for (let b = 0; b < batch; b++) {
    const base = b * channels * plane;
    for (let c = 0; c < channels; c++) {
      const src = base + c * plane;
      for (let p = 0; p < plane; p++) out[base + p * channels + c] = obs[src + p];
    }
  }
  return tf.tensor4d(out, [batch, size, size, channels]);
}
