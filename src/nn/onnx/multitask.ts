/**
 * Multi-task TD-MPC2 (Hansen, Su & Wang 2024, §3.5) in the ONNX graphs: a learned task embedding joins the inputs of
 * every network, as the official `WorldModel.task_emb` concatenates it, and each task's policy is masked to its own
 * action dimensions. The maths is the tfjs reference's (models/world-model.ts `taskEmbedding`, value.ts
 * `PolicyPrior.sample`); the task of each row comes in as a one-hot matrix so that the lookup is a product with a
 * gradient (the same choice the tfjs code makes).
 */
import { Graph, Sym } from "./graph.js";
import type { ParamFn } from "./nets.js";

/** The parameter holding one embedding row per task (world-model.ts). */
export const TASK_EMB = "task_emb/E";

/** A multi-task model: the embedding's width and each task's action size (the model's is the largest). */
export interface TaskSpec {
  dim: number;
  actionDims: number[];
}

export function taskParamShapes(t: TaskSpec): [string, number[]][] {
  return [[TASK_EMB, [t.actionDims.length, t.dim]]];
}

/**
 * The embeddings [N, dim] of rows given as one-hot [N, tasks], each rescaled to norm ≤ 1: e / max(‖e‖, 1), as
 * world-model.ts computes torch's `Embedding(max_norm=1)` (differentiated through the rescaling, unlike torch, which
 * renormalises the stored rows in place).
 */
export function taskEmbeddingGraph(g: Graph, P: ParamFn, onehot: Sym): Sym {
  const e = g.matmul(onehot, P(TASK_EMB));
  return g.div(e, g.max(g.sqrt(g.reduceSumSquare(e, [1], true)), 1));
}

/** n copies of x [B, d] stacked along the rows → [n·B, d], t-major like the update's latents. */
export function repeatRows(g: Graph, x: Sym, n: number): Sym {
  return n === 1 ? x : g.concat(Array.from({ length: n }, () => x), 0);
}

/** A row's action mask: 1 in the dimensions its task has, 0 in the padding (the official `_action_masks`). */
export function maskRows(tasks: TaskSpec, ids: ArrayLike<number>, A: number): Float32Array {
  const m = new Float32Array(ids.length * A);
  for (let b = 0; b < ids.length; b++) m.fill(1, b * A, b * A + actionDimOf(tasks, ids[b]!));
  return m;
}

/** One-hot rows [ids.length, tasks]. */
export function oneHotRows(tasks: TaskSpec, ids: ArrayLike<number>): Float32Array {
  const T = tasks.actionDims.length;
  const out = new Float32Array(ids.length * T);
  for (let b = 0; b < ids.length; b++) {
    actionDimOf(tasks, ids[b]!);
    out[b * T + ids[b]!] = 1;
  }
  return out;
}

function actionDimOf(tasks: TaskSpec, id: number): number {
  const a = tasks.actionDims[id];
  if (!Number.isInteger(id) || a === undefined) throw new RangeError(`task index ${id} out of range 0…${tasks.actionDims.length - 1}`);
  return a;
}

/** A network's input parts [x, e, a] (or [x, e], [x, a], [x]): the embedding after the state, before the action, as latent.ts `withTask`. */
export function withTaskParts(x: Sym, e?: Sym, a?: Sym): Sym[] {
  return [x, ...(e ? [e] : []), ...(a ? [a] : [])];
}
