/**
 * The weights store shared by the ONNX sessions of one agent: named float32 tensors for the parameters ("p:<name>"),
 * their target copies ("t:<name>") and the optimisers' moments ("m:<opt>:<name>", "v:<opt>:<name>").
 *
 * A training step feeds the current tensors to its session as they are (onnxruntime reads the typed arrays in
 * place) and puts the tensors the step returned in their place; a planning session then feeds the same tensors.
 * No weight is copied through JavaScript on either path. `read`/`write` copy, for checkpoints and the tfjs reference.
 */
import { loadOrt, type OrtTensor } from "./proto.js";

export type StoreKind = "p" | "t" | "m" | "v";

export function storeKey(kind: StoreKind, name: string, opt?: string): string {
  return kind === "m" || kind === "v" ? `${kind}:${opt}:${name}` : `${kind}:${name}`;
}

export class WeightStore {
  private readonly tensors = new Map<string, OrtTensor>();

  /** Add a tensor (zeros unless `data` is given). */
  add(key: string, shape: number[], data?: Float32Array): void {
    if (this.tensors.has(key)) throw new Error(`WeightStore: "${key}" already exists`);
    const size = shape.reduce((a, b) => a * b, 1);
    if (data && data.length !== size) throw new Error(`WeightStore: "${key}" has ${data.length} values for shape [${shape}]`);
    const ort = loadOrt();
    this.tensors.set(key, new ort.Tensor("float32", data ? Float32Array.from(data) : new Float32Array(size), shape));
  }

  has(key: string): boolean {
    return this.tensors.has(key);
  }

  keys(prefix = ""): string[] {
    return [...this.tensors.keys()].filter((k) => k.startsWith(prefix));
  }

  /** The current tensor (fed to sessions as is). */
  get(key: string): OrtTensor {
    const t = this.tensors.get(key);
    if (!t) throw new Error(`WeightStore: no tensor "${key}"`);
    return t;
  }

  shape(key: string): number[] {
    return [...this.get(key).dims];
  }

  /** Put a tensor a session returned in the place of the current one (same shape). */
  replace(key: string, t: OrtTensor): void {
    const cur = this.get(key);
    if (t.dims.length !== cur.dims.length || t.dims.some((d, i) => d !== cur.dims[i])) {
      throw new Error(`WeightStore: "${key}" is [${cur.dims}], got [${t.dims}]`);
    }
    this.tensors.set(key, t);
  }

  /** A copy of the values. */
  read(key: string): Float32Array {
    return Float32Array.from(this.get(key).data as Float32Array);
  }

  /** Overwrite the values (copied in). */
  write(key: string, data: ArrayLike<number>): void {
    const cur = this.get(key);
    if (data.length !== cur.size) throw new Error(`WeightStore: "${key}" has ${cur.size} values, got ${data.length}`);
    const ort = loadOrt();
    this.tensors.set(key, new ort.Tensor("float32", Float32Array.from(data), cur.dims));
  }

  /** Parameters ("p:") by name, copied. */
  readParams(): Map<string, Float32Array> {
    return new Map(this.keys("p:").map((k) => [k.slice(2), this.read(k)]));
  }

  /** Overwrite parameters by name; every name must exist. */
  writeParams(values: Map<string, ArrayLike<number>>): void {
    for (const [n, v] of values) this.write(storeKey("p", n), v);
  }
}
