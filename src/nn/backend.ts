/**
 * Backend selection for TensorFlow.js, in order of speed:
 *   tfjs-node-gpu (CUDA) → tfjs-node (native TensorFlow) → wasm (SIMD, single thread) → cpu (pure JS).
 * The native packages register a backend named "tensorflow" when they load; a package that imports but
 * registers nothing (e.g. the npm override that maps tfjs-node to plain tfjs for danfojs) does not count.
 * Set TDMPC_BACKEND=tensorflow|wasm|cpu to force one.
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { requireFromLib } from "../util/esm.js";

export type BackendName = "tensorflow-gpu" | "tensorflow" | "wasm" | "cpu";

export interface BackendInfo {
  /** What runs the maths: tfjs-node-gpu, tfjs-node, wasm or cpu. */
  name: BackendName;
  /** The tfjs backend id (`tf.getBackend()`). */
  tfBackend: string;
  tfjsVersion: string;
  /** Packages that were tried and why they were skipped. */
  skipped: { name: BackendName; reason: string }[];
}

let selected: Promise<BackendInfo> | undefined;
let announced = false;

function tryNative(pkg: string): string | undefined {
  try {
    requireFromLib(pkg);
  } catch (e) {
    return `${pkg} not loadable (${firstLine(e)})`;
  }
  return tf.engine().registryFactory["tensorflow"] ? undefined : `${pkg} loaded but registered no native backend`;
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split("\n")[0]!.slice(0, 160);
}

async function select(): Promise<BackendInfo> {
  const forced = process.env.TDMPC_BACKEND?.trim();
  const skipped: BackendInfo["skipped"] = [];
  const order: BackendName[] = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"];
  if (forced && !["tensorflow-gpu", "tensorflow", "wasm", "cpu"].includes(forced)) {
    throw new Error(`TDMPC_BACKEND=${forced} is not a backend; use one of ${order.join(", ")}`);
  }
  for (const name of order) {
    if (forced && name !== forced) continue;
    let reason: string | undefined;
    if (name === "tensorflow-gpu") reason = tryNative("@tensorflow/tfjs-node-gpu");
    else if (name === "tensorflow") reason = tryNative("@tensorflow/tfjs-node");
    const tfBackend = name.startsWith("tensorflow") ? "tensorflow" : name;
    if (!reason) {
      try {
        if (await tf.setBackend(tfBackend)) {
          await tf.ready();
          if (tfBackend === "wasm") (await import("./wasm-kernels.js")).patchWasmKernels();
          return { name, tfBackend, tfjsVersion: tf.version.tfjs, skipped };
        }
        reason = `tf.setBackend('${tfBackend}') returned false`;
      } catch (e) {
        reason = firstLine(e);
      }
    }
    skipped.push({ name, reason: reason! });
  }
  throw new Error(`no TensorFlow.js backend could start: ${skipped.map((s) => `${s.name}: ${s.reason}`).join("; ")}`);
}

/**
 * Select the fastest backend that works here (once per process) and print which one, once.
 * Every entry point that runs tensors awaits this first.
 */
export async function initBackend(opts: { quiet?: boolean } = {}): Promise<BackendInfo> {
  selected ??= select();
  const info = await selected;
  if (!announced && !opts.quiet) {
    announced = true;
    console.log(describeBackend(info));
  }
  return info;
}

export function describeBackend(info: BackendInfo): string {
  const label: Record<BackendName, string> = {
    "tensorflow-gpu": "tfjs-node-gpu (native TensorFlow, CUDA)",
    tensorflow: "tfjs-node (native TensorFlow, CPU)",
    wasm: "wasm (WebAssembly SIMD, 1 thread)",
    cpu: "cpu (pure JavaScript: slow)",
  };
  return `tfjs ${info.tfjsVersion} backend: ${label[info.name]}`;
}

export { tf };
