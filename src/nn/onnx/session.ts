/**
 * A built graph with its onnxruntime session: feeds by name (typed arrays or ready ort tensors, never copied),
 * outputs back as ort tensors.
 */
import type { Graph } from "./graph.js";
import { createSession, loadOrt, type OrtSession, type OrtTensor, type SessionOptions } from "./proto.js";
import type { ValueDef } from "./proto.js";

export type Feed = OrtTensor | Float32Array | BigInt64Array;

export class GraphSession {
  private constructor(
    private readonly session: OrtSession,
    readonly inputs: ValueDef[],
    readonly outputs: ValueDef[],
    /** ONNX nodes after pruning */
    readonly nodes: number,
  ) {}

  static async create(g: Graph, opts: SessionOptions = {}): Promise<GraphSession> {
    const built = g.build();
    return new GraphSession(await createSession(built.model, opts), built.inputs, built.outputs, built.nodes);
  }

  /** Wrap a typed array as the tensor of input `name` (shape and dtype from the graph). */
  tensor(name: string, data: Float32Array | BigInt64Array): OrtTensor {
    const v = this.inputs.find((i) => i.name === name);
    if (!v) throw new Error(`graph has no input "${name}"`);
    const size = v.shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) throw new Error(`input "${name}": ${data.length} values for shape [${v.shape}]`);
    const ort = loadOrt();
    return v.dtype === "int64" ? new ort.Tensor("int64", data as BigInt64Array, v.shape) : new ort.Tensor("float32", data as Float32Array, v.shape);
  }

  async run(feeds: Record<string, Feed>, fetches?: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>> {
    const ort = loadOrt();
    const f: Record<string, OrtTensor> = {};
    for (const v of this.inputs) {
      const x = feeds[v.name];
      if (x === undefined) throw new Error(`missing graph input "${v.name}"`);
      f[v.name] = x instanceof ort.Tensor ? x : this.tensor(v.name, x as Float32Array | BigInt64Array);
    }
    return (fetches ? this.session.run(f, fetches) : this.session.run(f)) as Promise<Record<string, OrtTensor>>;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
