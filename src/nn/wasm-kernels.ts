/**
 * Kernel replacements for the tfjs wasm backend, where a measured slow path matters for our networks.
 *
 * Slice: tfjs-backend-wasm 4.22 reads the *whole* input through `readSync` (a copy of every element) before it
 * copies the requested part, so taking E row-blocks of an [E·B, n] tensor costs E full copies. This version reads
 * the input through a view of the wasm heap and copies only the slice (same results, same output layout).
 */
import { tf } from "./backend.js";

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

let patched = false;

export function patchWasmKernels(): boolean {
  if (patched) return true;
  const original = tf.getKernel("Slice", "wasm");
  if (!original) return false;
  tf.unregisterKernel("Slice", "wasm");
  tf.registerKernel({
    kernelName: "Slice",
    backendName: "wasm",
    setupFunc: original.setupFunc,
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      const rank = x.shape.length;
      if (x.dtype === "string" || rank > 4) return original.kernelFunc(args);
      const backend = args.backend as unknown as WasmBackendLike;
      const attrs = args.attrs as unknown as { begin: number[]; size: number[] };
      const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin, attrs.size);
      const out = backend.makeOutput(size, x.dtype); // may grow the heap: take the views after it
      const n = size.reduce((a, b) => a * b, 1);
      if (n === 0) return out;
      const xv = backend.typedArrayFromHeap(x);
      const ov = backend.typedArrayFromHeap(out);
      const strides = tf.util.computeStrides(x.shape);
      if (tf.slice_util.isSliceContinous(x.shape, begin, size)) {
        const off = tf.slice_util.computeFlatOffset(begin, strides);
        ov.set(xv.subarray(off, off + n));
        return out;
      }
      copyStrided(xv, ov, x.shape, strides, begin, size);
      return out;
    },
  });
  patched = true;
  return true;
}

/** Copy a box [begin, begin+size) of a row-major tensor: runs of the innermost axis with `set`. */
function copyStrided(
  xv: Float32Array | Int32Array | Uint8Array,
  ov: Float32Array | Int32Array | Uint8Array,
  shape: number[],
  strides: number[],
  begin: number[],
  size: number[],
): void {
  const rank = shape.length;
  const inner = size[rank - 1]!;
  const full = [...strides, 1];
  let o = 0;
  const outer = size.slice(0, -1);
  const idx = new Array<number>(outer.length).fill(0);
  const total = outer.reduce((a, b) => a * b, 1);
  for (let k = 0; k < total; k++) {
    let off = begin[rank - 1]!;
    for (let d = 0; d < outer.length; d++) off += (begin[d]! + idx[d]!) * full[d]!;
    ov.set(xv.subarray(off, off + inner), o);
    o += inner;
    for (let d = outer.length - 1; d >= 0; d--) {
      if (++idx[d]! < outer[d]!) break;
      idx[d] = 0;
    }
  }
}
