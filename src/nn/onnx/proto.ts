/**
 * The ONNX wire format through `onnx-proto` (ONNX's protobuf definitions for JS), and onnxruntime-node loaded on
 * first use. Everything above this file speaks `Graph` (graph.ts); only here do protobuf messages appear.
 */
import onnxProto from "onnx-proto";
import { requireFromLib } from "../../util/esm.js";

const { onnx } = onnxProto;
export type Ort = typeof import("onnxruntime-node");
export type OrtTensor = import("onnxruntime-node").Tensor;
export type OrtSession = import("onnxruntime-node").InferenceSession;

let ortModule: Ort | undefined;

/** onnxruntime-node, loaded on first use (its native binding is only needed by the ONNX engines). */
export function loadOrt(): Ort {
  ortModule ??= requireFromLib("onnxruntime-node") as Ort;
  return ortModule;
}

/** Whether onnxruntime-node loads here (the ONNX engines are the default wherever it does). */
export function ortAvailable(): { ok: boolean; why?: string } {
  try {
    loadOrt();
    return { ok: true };
  } catch (e) {
    return { ok: false, why: (e instanceof Error ? e.message : String(e)).split("\n")[0] };
  }
}

export type DType = "float" | "int64" | "bool";
export type AttrValue = number | number[] | string | { f: number };

export interface NodeDef {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
  domain?: string;
}

export interface ValueDef {
  name: string;
  shape: number[];
  dtype: DType;
}

export interface InitDef extends ValueDef {
  data: Float32Array | BigInt64Array | Uint8Array;
}

const ELEM: Record<DType, number> = { float: 1, int64: 7, bool: 9 };

function valueInfo(v: ValueDef): onnxProto.onnx.IValueInfoProto {
  return { name: v.name, type: { tensorType: { elemType: ELEM[v.dtype], shape: { dim: v.shape.map((d) => ({ dimValue: d })) } } } };
}

function attribute(name: string, v: AttrValue): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === "string") return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if (typeof v === "object") return { name, type: T.FLOAT, f: v.f };
  return { name, type: T.INT, i: v };
}

/** Serialise a graph (opset 18, plus Microsoft's contrib domain for FusedMatMul). */
export function encodeModel(nodes: NodeDef[], inputs: ValueDef[], outputs: ValueDef[], inits: InitDef[]): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: "tdmpc-ts",
    opsetImport: [
      { domain: "", version: 18 },
      { domain: "com.microsoft", version: 1 },
    ],
    graph: {
      name: "g",
      node: nodes.map((n, i) => ({
        opType: n.op,
        domain: n.domain ?? "",
        input: n.inputs,
        output: n.outputs,
        name: `n${i}`,
        attribute: Object.entries(n.attrs).map(([k, v]) => attribute(k, v)),
      })),
      input: inputs.map(valueInfo),
      output: outputs.map(valueInfo),
      initializer: inits.map((t) => ({
        name: t.name,
        dims: t.shape,
        dataType: ELEM[t.dtype],
        rawData: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
      })),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

export interface SessionOptions {
  /** onnxruntime intra-op threads (2 = use the second core) */
  threads?: number;
}

/** An inference session over a graph we built (graph optimisations on, sequential execution). */
export async function createSession(model: Uint8Array, opts: SessionOptions = {}): Promise<OrtSession> {
  const ort = loadOrt();
  return ort.InferenceSession.create(model, {
    intraOpNumThreads: opts.threads ?? 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  });
}
