/**
 * What a planner needs from a model: the return of many action sequences, all evaluated in one call
 * (batched: the true simulator steps N copies of its state; a learned model runs one forward per step).
 *
 * Layout of an action batch: `actions[(i * horizon + t) * actionDim + j]` is action component j at step t of
 * sequence i, each in [-1, 1] (dm_control's action bounds).
 */
export interface PlanningModel {
  readonly actionDim: number;
  /**
   * Return of each of the `n` sequences from the model's current start state:
   * Σ_t γ^t r_t (plus a terminal value where the model has one, chapter 5).
   */
  evaluate(actions: Float32Array, n: number, horizon: number): Float32Array | Promise<Float32Array>;
}

/** A plan: mean action sequence (horizon × actionDim) and the sampling std the planner ended with. */
export interface Plan {
  mean: Float32Array;
  std: Float32Array;
  /** Best return seen among the evaluated sequences, and its sequence. */
  bestReturn: number;
  bestSequence: Float32Array;
  /** Model evaluations used (sequences evaluated). */
  evaluations: number;
}

export interface Planner {
  readonly name: string;
  readonly horizon: number;
  readonly actionDim: number;
  /**
   * Optimise an action sequence from the model's current state, warm-started from the previous plan shifted by
   * `executed` steps (the actions of that plan run since; 1 in receding-horizon MPC).
   */
  plan(model: PlanningModel, opts?: { executed?: number }): Promise<Plan>;
  /** Forget the warm start (call at the start of an episode). */
  reset(): void;
}

export function checkPositiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${v}`);
}

export function checkRange(name: string, v: number, lo: number, hi: number): void {
  if (!(v >= lo && v <= hi)) throw new RangeError(`${name} must be in [${lo}, ${hi}], got ${v}`);
}

/** Clip every component to [-1, 1] in place. */
export function clipActions(a: Float32Array): Float32Array {
  for (let i = 0; i < a.length; i++) a[i] = a[i]! > 1 ? 1 : a[i]! < -1 ? -1 : a[i]!;
  return a;
}

export async function evaluateChecked(model: PlanningModel, actions: Float32Array, n: number, horizon: number): Promise<Float32Array> {
  return checkReturns(await model.evaluate(actions, n, horizon), n);
}

/** The model's answer, checked: one finite return per sequence. */
export function checkReturns(returns: Float32Array, n: number): Float32Array {
  if (returns.length !== n) throw new Error(`model.evaluate returned ${returns.length} values for ${n} sequences`);
  for (let i = 0; i < n; i++) if (!Number.isFinite(returns[i]!)) throw new Error(`model.evaluate returned a non-finite return (${returns[i]}) for sequence ${i}`);
  return returns;
}
