/**
 * Sampling-based MPC planners over action sequences: random shooting, CEM and MPPI.
 *
 * All three keep a diagonal Gaussian over the H×A sequence, sample N sequences per iteration, evaluate them
 * in one batched model call, and refit the Gaussian to the best ones. They differ only in how samples are
 * weighted:
 *   random shooting  one iteration of uniform samples; keep the best sequence.
 *   CEM              uniform weights over the top-k ("elites"):  μ' = (1/k) Σ_elites a,  σ'² = (1/k) Σ (a − μ')².
 *   MPPI             exponential weights  w_i ∝ exp(τ · (R_i − max R))  (TD-MPC, Hansen et al. 2022, Alg. 1;
 *                    τ is called `temperature` there and multiplies the return), over the top-k (TD-MPC) or
 *                    over all samples (Williams et al. 2017 when numElites = numSamples).
 * Smoothing (PETS' α, TD-MPC's `momentum`): μ ← m·μ + (1 − m)·μ'. Std is clamped to [minStd, maxStd].
 * Warm start ("receding horizon"): the next call starts from the previous mean shifted by one step.
 */
import { argsort } from "../optim/base.js";
import { Rng } from "../util/random.js";
import { shiftSequence } from "./shift.js";
import { checkPositiveInt, checkRange, checkReturns, clipActions, evaluateChecked, type Plan, type Planner, type PlanningModel } from "./types.js";

export type Weighting = "best" | "elites-uniform" | "elites-exp";

export interface SamplingPlannerConfig {
  horizon: number;
  /** Sequences sampled per iteration (TD-MPC `num_samples`, 512). */
  numSamples: number;
  /** Refits of the Gaussian per planning call (TD-MPC `iterations`, 6). */
  iterations: number;
  /** Top-k sequences that refit the Gaussian (TD-MPC `num_elites`, 64). */
  numElites: number;
  /** MPPI inverse temperature τ in exp(τ·(R − max R)) (TD-MPC `temperature`, 0.5). */
  temperature: number;
  /** Smoothing of the mean: μ ← m·μ + (1−m)·μ' (TD-MPC `momentum` 0.1; PETS α 0.1). */
  momentum: number;
  /** Std bounds (TD-MPC2 `min_std` 0.05, `max_std` 2). The initial std is maxStd. */
  minStd: number;
  maxStd: number;
  /** Start each call from the previous plan shifted by one step. */
  warmStart: boolean;
  seed: number;
}

/** TD-MPC2's planning defaults (config.yaml), horizon 3. */
export const TDMPC2_PLANNER_DEFAULTS: SamplingPlannerConfig = {
  horizon: 3,
  numSamples: 512,
  iterations: 6,
  numElites: 64,
  temperature: 0.5,
  momentum: 0,
  minStd: 0.05,
  maxStd: 2,
  warmStart: true,
  seed: 0,
};

export class SamplingPlanner implements Planner {
  readonly horizon: number;
  readonly config: SamplingPlannerConfig;
  private readonly rng: Rng;
  private prevMean: Float32Array | undefined;

  constructor(
    readonly name: string,
    readonly actionDim: number,
    readonly weighting: Weighting,
    config: Partial<SamplingPlannerConfig> = {},
  ) {
    const c = { ...TDMPC2_PLANNER_DEFAULTS, ...config };
    checkPositiveInt("actionDim", actionDim);
    checkPositiveInt("horizon", c.horizon);
    checkPositiveInt("numSamples", c.numSamples);
    checkPositiveInt("iterations", c.iterations);
    checkPositiveInt("numElites", c.numElites);
    if (c.numElites > c.numSamples) throw new RangeError(`numElites (${c.numElites}) must not exceed numSamples (${c.numSamples})`);
    checkRange("momentum", c.momentum, 0, 1);
    if (!(c.minStd > 0) || !(c.maxStd >= c.minStd)) throw new RangeError(`need 0 < minStd ≤ maxStd, got minStd ${c.minStd}, maxStd ${c.maxStd}`);
    if (!(c.temperature > 0)) throw new RangeError(`temperature must be > 0, got ${c.temperature}`);
    this.config = c;
    this.horizon = c.horizon;
    this.rng = new Rng(c.seed);
  }

  reset(): void {
    this.prevMean = undefined;
  }

  async plan(model: PlanningModel, opts: { executed?: number } = {}): Promise<Plan> {
    const run = this.iterate(model, opts);
    let step = run.next();
    while (!step.done) step = run.next(await evaluateChecked(model, step.value, this.config.numSamples, this.horizon));
    return step.value;
  }

  /**
   * `plan` for a model that answers at once (the true simulator, `SimulatorModel`): the same iterations and the same
   * random numbers, without a Promise, so a controller can plan inside a synchronous `act(env)`.
   */
  planSync(model: PlanningModel, opts: { executed?: number } = {}): Plan {
    const run = this.iterate(model, opts);
    let step = run.next();
    while (!step.done) {
      const returns = model.evaluate(step.value, this.config.numSamples, this.horizon);
      if (returns instanceof Promise) throw new Error(`planner ${this.name}: planSync needs a model whose evaluate() is synchronous (use plan())`);
      step = run.next(checkReturns(returns, this.config.numSamples));
    }
    return step.value;
  }

  /** The planning loop: yields each batch of sampled sequences, receives their returns, and returns the plan. */
  private *iterate(model: PlanningModel, opts: { executed?: number }): Generator<Float32Array, Plan, Float32Array> {
    const { horizon: H, numSamples: N, iterations, numElites, momentum, minStd, maxStd } = this.config;
    const A = this.actionDim;
    if (model.actionDim !== A) throw new Error(`planner ${this.name} plans ${A}-D actions but the model takes ${model.actionDim}-D`);
    const D = H * A;
    let mean = this.config.warmStart && this.prevMean ? shiftSequence(this.prevMean, H, A, 0, opts.executed ?? 1) : new Float32Array(D);
    const std = new Float32Array(D).fill(maxStd);
    const actions = new Float32Array(N * D);
    let bestReturn = -Infinity;
    const bestSequence = new Float32Array(D);
    let evaluations = 0;

    for (let it = 0; it < iterations; it++) {
      this.sample(actions, mean, std, N);
      const returns = yield actions;
      evaluations += N;
      const order = argsort(Array.from(returns, (r) => -r)); // best first
      if (returns[order[0]!]! > bestReturn) {
        bestReturn = returns[order[0]!]!;
        bestSequence.set(actions.subarray(order[0]! * D, order[0]! * D + D));
      }
      if (this.weighting === "best") {
        mean = bestSequence.slice();
        continue;
      }
      const k = numElites;
      const w = this.eliteWeights(returns, order, k);
      const [newMean, newStd] = weightedMoments(actions, order, w, D);
      for (let d = 0; d < D; d++) {
        mean[d] = momentum * mean[d]! + (1 - momentum) * newMean[d]!;
        std[d] = Math.min(maxStd, Math.max(minStd, newStd[d]!));
      }
    }
    clipActions(mean);
    this.prevMean = mean;
    return { mean, std, bestReturn, bestSequence, evaluations };
  }

  /** a = clip(μ + σ·ε, −1, 1); random shooting samples uniformly in [−1, 1] instead. */
  private sample(out: Float32Array, mean: Float32Array, std: Float32Array, n: number): void {
    const D = mean.length;
    if (this.weighting === "best") {
      for (let i = 0; i < n * D; i++) out[i] = this.rng.uniform(-1, 1);
      return;
    }
    for (let i = 0; i < n; i++) {
      for (let d = 0; d < D; d++) {
        const a = mean[d]! + std[d]! * this.rng.normal();
        out[i * D + d] = a > 1 ? 1 : a < -1 ? -1 : a;
      }
    }
  }

  /** Weights of the top-k sequences (summing to 1): uniform for CEM, exp(τ·(R − max R)) for MPPI. */
  private eliteWeights(returns: Float32Array, order: number[], k: number): Float64Array {
    const w = new Float64Array(k);
    if (this.weighting === "elites-uniform") return w.fill(1 / k);
    const max = returns[order[0]!]!;
    let sum = 0;
    for (let e = 0; e < k; e++) sum += w[e] = Math.exp(this.config.temperature * (returns[order[e]!]! - max));
    for (let e = 0; e < k; e++) w[e]! /= sum;
    return w;
  }
}

/** Weighted mean and std of the first w.length sequences in `order`. */
function weightedMoments(actions: Float32Array, order: number[], w: Float64Array, D: number): [Float64Array, Float64Array] {
  const mean = new Float64Array(D);
  const std = new Float64Array(D);
  for (let e = 0; e < w.length; e++) {
    const base = order[e]! * D;
    for (let d = 0; d < D; d++) mean[d]! += w[e]! * actions[base + d]!;
  }
  for (let e = 0; e < w.length; e++) {
    const base = order[e]! * D;
    for (let d = 0; d < D; d++) {
      const diff = actions[base + d]! - mean[d]!;
      std[d]! += w[e]! * diff * diff;
    }
  }
  for (let d = 0; d < D; d++) std[d] = Math.sqrt(std[d]!);
  return [mean, std];
}

/** Random shooting: N uniform sequences, keep the best (one iteration, no refit, no warm start). */
export function randomShooting(actionDim: number, config: Partial<SamplingPlannerConfig> = {}): SamplingPlanner {
  return new SamplingPlanner("random shooting", actionDim, "best", { iterations: 1, warmStart: false, ...config, numElites: 1 });
}

/** CEM-MPC (PETS, Chua et al. 2018): uniform refit to the elites, smoothed mean. */
export function cemPlanner(actionDim: number, config: Partial<SamplingPlannerConfig> = {}): SamplingPlanner {
  return new SamplingPlanner("CEM", actionDim, "elites-uniform", { momentum: 0.1, ...config });
}

/** MPPI as TD-MPC uses it: exponentially weighted refit to the elites (numElites = numSamples: classic MPPI). */
export function mppiPlanner(actionDim: number, config: Partial<SamplingPlannerConfig> = {}): SamplingPlanner {
  return new SamplingPlanner("MPPI", actionDim, "elites-exp", config);
}
