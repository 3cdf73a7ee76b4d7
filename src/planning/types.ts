/**
 * What a planner needs from a model: the return of many action sequences, all evaluated in one call
 * (batched: the true simulator steps N copies of its state; a learned model runs one forward per step).
 *
 * The one action layout of the library (planners, models, engines, replay batches' actions aside):
 * `actions[(i * horizon + t) * actionDim + j]` is action component j at step t of sequence i — [N, H, A],
 * sequence-major — each in [-1, 1] (dm_control's action bounds).
 */
export interface PlanningModel {
  readonly actionDim: number;
  /**
   * Return of each of the `n` sequences from the model's current start state:
   * Σ_t γ^t r_t (plus a terminal value where the model has one, chapter 5).
   */
  evaluate(actions: Float32Array, n: number, horizon: number): Float32Array | Promise<Float32Array>;
  /**
   * Optional proposals: `n` sequences [n, H, A] from a policy rolled out in the model (TD-MPC's `num_pi_trajs`,
   * PHIHP's policy share). Planners that are asked for proposals require it.
   */
  policySequences?(n: number, horizon: number): Float32Array | Promise<Float32Array>;
}

/** A plan: what to do now, the sequence it comes from, and the sampling distribution the planner ended with. */
export interface Plan {
  /** The action to take now: `sequence`'s first step, plus exploration noise when asked, in [-1, 1]. */
  action: Float32Array;
  /** The sequence to execute (horizon × actionDim): the refined mean, or one elite drawn by score (TD-MPC, TD-MPC2). */
  sequence: Float32Array;
  /** Mean and std of the sampling distribution after the last iteration; the mean warm-starts the next call. */
  mean: Float32Array;
  std: Float32Array;
  /** Best return seen among the evaluated sequences, and its sequence. */
  bestReturn: number;
  bestSequence: Float32Array;
  /** Model evaluations used (sequences evaluated). */
  evaluations: number;
  /** The last iteration's elites [k, H, A], their returns and normalised weights (sampling planners). */
  elites?: Float32Array;
  eliteReturns?: Float32Array;
  eliteWeights?: Float64Array;
}

export interface PlanOptions {
  /** Actions of the previous plan executed since it was made (1 in receding-horizon MPC): how far to shift the warm start. */
  executed?: number;
  /** Add exploration noise to the returned action (TD-MPC: std[0]·N(0, 1) while training). */
  explore?: boolean;
  /** Plan over this horizon instead of the configured one (TD-MPC's horizon schedule). */
  horizon?: number;
  /** Lower bound of the sampling std for this call (TD-MPC's std schedule). */
  minStd?: number;
}

export interface Planner {
  readonly name: string;
  readonly horizon: number;
  readonly actionDim: number;
  /** Optimise an action sequence from the model's current state, warm-started from the previous plan. */
  plan(model: PlanningModel, opts?: PlanOptions): Promise<Plan>;
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

/** A model's proposals, checked: n sequences of H × A actions, finite, in [-1, 1]. */
export function checkSequences(seqs: Float32Array, n: number, horizon: number, actionDim: number, what = "policySequences"): Float32Array {
  if (seqs.length !== n * horizon * actionDim) throw new Error(`${what} returned ${seqs.length} values for ${n} sequences of ${horizon}×${actionDim}`);
  for (let i = 0; i < seqs.length; i++) {
    const v = seqs[i]!;
    if (!(v >= -1 && v <= 1)) throw new Error(`${what} returned ${v} at index ${i}: actions must be finite and in [-1, 1]`);
  }
  return seqs;
}
