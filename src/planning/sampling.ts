/**
 * Sampling-based MPC planners over action sequences: random shooting, CEM and MPPI — the one planner of the course,
 * with the hooks chapters 5–7 switch on.
 *
 * All keep a diagonal Gaussian over the H×A sequence, sample N sequences per iteration, evaluate them in one
 * batched model call, and refit the Gaussian to the best ones. They differ only in how samples are weighted:
 *   random shooting  one iteration of uniform samples; keep the best sequence.
 *   CEM              uniform weights over the top-k ("elites"):  μ' = (1/k) Σ_elites a,  σ'² = (1/k) Σ (a − μ')².
 *   MPPI             exponential weights  w_i ∝ exp(τ · (R_i − max R))  (TD-MPC, Hansen et al. 2022, Alg. 1;
 *                    τ is called `temperature` there and multiplies the return), over the top-k (TD-MPC) or
 *                    over all samples (Williams et al. 2017 when numElites = numSamples).
 * Smoothing (PETS' α, TD-MPC's `momentum`): μ ← m·μ + (1 − m)·μ'. Std is clamped to [minStd, maxStd].
 *
 * Hooks:
 *   warm start    the next call starts from the previous mean shifted by the steps executed (`warmStart`), or
 *                 from any sequence given to `setWarmStart` (a policy's plan, chapter 5).
 *   proposals     `numPiTrajs` sequences from the model's policy (`model.policySequences`) join every iteration's
 *                 population (TD-MPC `num_pi_trajs`; a PHIHP-style share of policy sequences).
 *   terminal value  belongs to the model: a latent model adds γ^H·Q(z_H, π(z_H)) to each return (LatentPlanningModel).
 *   selection     the sequence executed: the refined mean ("mean"), one elite drawn with probability = its weight
 *                 (TD-MPC, "elite"), or the elite with the largest weight + Gumbel noise (TD-MPC2, "gumbel");
 *                 `explore` adds std[0]·N(0, 1) to the first action (both papers while training).
 */
import { argsort } from "../optim/base.js";
import { Rng } from "../util/random.js";
import { shiftSequence } from "./shift.js";
import {
  checkPositiveInt,
  checkRange,
  checkReturns,
  checkSequences,
  clipActions,
  evaluateChecked,
  type Plan,
  type PlanOptions,
  type Planner,
  type PlanningModel,
} from "./types.js";

export type Weighting = "best" | "elites-uniform" | "elites-exp";
export type Selection = "mean" | "elite" | "gumbel";

export interface SamplingPlannerConfig {
  horizon: number;
  /** Gaussian sequences sampled per iteration (TD-MPC `num_samples`, 512). */
  numSamples: number;
  /** Policy sequences added to every iteration (TD-MPC `num_pi_trajs` = 0.05·512 = 25; TD-MPC2 24); 0 = none. */
  numPiTrajs: number;
  /** Refits of the Gaussian per planning call (TD-MPC `iterations`, 6). */
  iterations: number;
  /** Top-k sequences that refit the Gaussian (TD-MPC `num_elites`, 64). */
  numElites: number;
  /** MPPI inverse temperature τ in exp(τ·(R − max R)) (TD-MPC `temperature`, 0.5). */
  temperature: number;
  /** Smoothing of the mean: μ ← m·μ + (1−m)·μ' (TD-MPC `momentum` 0.1; PETS α 0.1; TD-MPC2 0). */
  momentum: number;
  /** Std bounds (TD-MPC2 `min_std` 0.05, `max_std` 2). The initial std is maxStd. */
  minStd: number;
  maxStd: number;
  /** Start each call from the previous plan shifted by the steps executed. */
  warmStart: boolean;
  /** Which sequence the plan executes (see the module comment). */
  selection: Selection;
  seed: number;
}

/** The defaults: TD-MPC2's planning settings (config.yaml) without policy sequences, executing the mean. */
export const PLANNER_DEFAULTS: SamplingPlannerConfig = {
  horizon: 3,
  numSamples: 512,
  numPiTrajs: 0,
  iterations: 6,
  numElites: 64,
  temperature: 0.5,
  momentum: 0,
  minStd: 0.05,
  maxStd: 2,
  warmStart: true,
  selection: "mean",
  seed: 0,
};

export class SamplingPlanner implements Planner {
  readonly horizon: number;
  readonly config: SamplingPlannerConfig;
  private readonly rng: Rng;
  private prevMean: Float32Array | undefined;
  /** Steps to shift `prevMean` by at the next call: 0 after `setWarmStart`, else the steps executed (undefined). */
  private pendingShift: number | undefined;

  constructor(
    readonly name: string,
    readonly actionDim: number,
    readonly weighting: Weighting,
    config: Partial<SamplingPlannerConfig> = {},
  ) {
    const c = { ...PLANNER_DEFAULTS, ...config };
    checkPositiveInt("actionDim", actionDim);
    checkPositiveInt("horizon", c.horizon);
    checkPositiveInt("numSamples", c.numSamples);
    checkPositiveInt("iterations", c.iterations);
    checkPositiveInt("numElites", c.numElites);
    if (!Number.isInteger(c.numPiTrajs) || c.numPiTrajs < 0) throw new RangeError(`numPiTrajs must be a non-negative integer, got ${c.numPiTrajs}`);
    if (c.numElites > c.numSamples + c.numPiTrajs) {
      throw new RangeError(`numElites (${c.numElites}) must not exceed the population numSamples + numPiTrajs (${c.numSamples + c.numPiTrajs})`);
    }
    checkRange("momentum", c.momentum, 0, 1);
    if (!(c.minStd > 0) || !(c.maxStd >= c.minStd)) throw new RangeError(`need 0 < minStd ≤ maxStd, got minStd ${c.minStd}, maxStd ${c.maxStd}`);
    if (!(c.temperature > 0)) throw new RangeError(`temperature must be > 0, got ${c.temperature}`);
    if (!["mean", "elite", "gumbel"].includes(c.selection)) throw new RangeError(`selection must be mean, elite or gumbel, got ${String(c.selection)}`);
    this.config = c;
    this.horizon = c.horizon;
    this.rng = new Rng(c.seed);
  }

  reset(): void {
    this.prevMean = undefined;
  }

  /** The planner's random stream and warm start, for checkpoints (a resumed run then plans exactly as it would have). */
  getState(): { rng: number[]; prevMean: number[] | null; pendingShift: number | null } {
    return { rng: this.rng.getState(), prevMean: this.prevMean ? Array.from(this.prevMean) : null, pendingShift: this.pendingShift ?? null };
  }

  setState(s: { rng: number[]; prevMean: number[] | null; pendingShift: number | null }): void {
    this.rng.setState(s.rng);
    this.prevMean = s.prevMean ? Float32Array.from(s.prevMean) : undefined;
    this.pendingShift = s.pendingShift ?? undefined;
  }

  /** The mean the next call starts from (before shifting), if any. */
  get warmStartMean(): Float32Array | undefined {
    return this.prevMean?.slice();
  }

  /** Start the next call from this sequence (H×A, not shifted again), e.g. a policy's actions; undefined forgets it. */
  setWarmStart(sequence: Float32Array | undefined): void {
    if (sequence && sequence.length % this.actionDim !== 0) throw new RangeError(`setWarmStart: ${sequence.length} values are not whole ${this.actionDim}-D actions`);
    this.prevMean = sequence ? clipActions(Float32Array.from(sequence)) : undefined;
    this.pendingShift = 0;
  }

  async plan(model: PlanningModel, opts: PlanOptions = {}): Promise<Plan> {
    const H = opts.horizon ?? this.horizon;
    const P = this.config.numPiTrajs;
    const proposals = P > 0 ? checkSequences(await requirePolicy(model, this.name).call(model, P, H), P, H, this.actionDim) : undefined;
    const run = this.iterate(model, opts, proposals);
    let step = run.next();
    while (!step.done) step = run.next(await evaluateChecked(model, step.value.actions, step.value.n, H));
    return step.value;
  }

  /**
   * `plan` for a model that answers at once (the true simulator, `SimulatorModel`): the same iterations and the same
   * random numbers, without a Promise, so a controller can plan inside a synchronous `act`.
   */
  planSync(model: PlanningModel, opts: PlanOptions = {}): Plan {
    const H = opts.horizon ?? this.horizon;
    const P = this.config.numPiTrajs;
    let proposals: Float32Array | undefined;
    if (P > 0) {
      const s = requirePolicy(model, this.name).call(model, P, H);
      if (s instanceof Promise) throw new Error(`planner ${this.name}: planSync needs a model whose policySequences() is synchronous (use plan())`);
      proposals = checkSequences(s, P, H, this.actionDim);
    }
    const run = this.iterate(model, opts, proposals);
    let step = run.next();
    while (!step.done) {
      const returns = model.evaluate(step.value.actions, step.value.n, H);
      if (returns instanceof Promise) throw new Error(`planner ${this.name}: planSync needs a model whose evaluate() is synchronous (use plan())`);
      step = run.next(checkReturns(returns, step.value.n));
    }
    return step.value;
  }

  /** The planning loop: yields each population of sequences, receives their returns, and returns the plan. */
  private *iterate(model: PlanningModel, opts: PlanOptions, proposals: Float32Array | undefined): Generator<{ actions: Float32Array; n: number }, Plan, Float32Array> {
    const { numSamples, iterations, momentum, maxStd } = this.config;
    const H = opts.horizon ?? this.horizon;
    checkPositiveInt("horizon", H);
    const minStd = opts.minStd ?? this.config.minStd;
    if (!(minStd > 0 && minStd <= maxStd)) throw new RangeError(`minStd must be in (0, maxStd=${maxStd}], got ${minStd}`);
    const A = this.actionDim;
    if (model.actionDim !== A) throw new Error(`planner ${this.name} plans ${A}-D actions but the model takes ${model.actionDim}-D`);
    const D = H * A;
    const P = proposals ? proposals.length / D : 0;
    const N = numSamples + P;
    let mean = this.initialMean(H, opts.executed ?? 1);
    const std = new Float32Array(D).fill(maxStd);
    const actions = new Float32Array(N * D);
    if (proposals) actions.set(proposals, numSamples * D); // policy sequences sit after the Gaussian samples
    let bestReturn = -Infinity;
    const bestSequence = new Float32Array(D);
    let evaluations = 0;
    let elites = { idx: [0], w: Float64Array.of(1), returns: new Float32Array(1) };

    for (let it = 0; it < iterations; it++) {
      this.sample(actions, mean, std, numSamples);
      const returns = yield { actions, n: N };
      evaluations += N;
      const order = argsort(Array.from(returns, (r) => -r)); // best first
      if (returns[order[0]!]! > bestReturn) {
        bestReturn = returns[order[0]!]!;
        bestSequence.set(actions.subarray(order[0]! * D, order[0]! * D + D));
      }
      if (this.weighting === "best") {
        mean = bestSequence.slice();
        elites = { idx: [order[0]!], w: Float64Array.of(1), returns: Float32Array.of(bestReturn) };
        continue;
      }
      const k = Math.min(this.config.numElites, N);
      const idx = order.slice(0, k);
      const w = this.eliteWeights(returns, idx);
      elites = { idx, w, returns: Float32Array.from(idx, (i) => returns[i]!) };
      const [newMean, newStd] = weightedMoments(actions, idx, w, D);
      for (let d = 0; d < D; d++) {
        mean[d] = momentum * mean[d]! + (1 - momentum) * newMean[d]!;
        std[d] = Math.min(maxStd, Math.max(minStd, newStd[d]!));
      }
    }
    clipActions(mean);
    this.prevMean = mean.slice();
    this.pendingShift = undefined;
    const eliteSeqs = new Float32Array(elites.idx.length * D);
    elites.idx.forEach((i, e) => eliteSeqs.set(actions.subarray(i * D, i * D + D), e * D));
    const sequence = this.select(mean, eliteSeqs, elites.w, D);
    const action = sequence.slice(0, A);
    if (opts.explore) for (let j = 0; j < A; j++) action[j]! += std[j]! * this.rng.normal();
    clipActions(action);
    return { action, sequence, mean, std, bestReturn, bestSequence, evaluations, elites: eliteSeqs, eliteReturns: elites.returns, eliteWeights: elites.w };
  }

  /** The first mean of a call: zeros, or the warm start (a plan's mean shifted by the steps executed; TD-MPC `mean[:-1] = prev_mean[1:]`). */
  private initialMean(H: number, executed: number): Float32Array {
    const A = this.actionDim;
    if (!this.config.warmStart || !this.prevMean) return new Float32Array(H * A);
    const prevH = this.prevMean.length / A;
    const shifted = shiftSequence(this.prevMean, prevH, A, 0, this.pendingShift ?? executed);
    const out = new Float32Array(H * A); // a horizon that grew is padded with zeros, one that shrank is cut
    out.set(shifted.subarray(0, Math.min(H, prevH) * A));
    return out;
  }

  /** Which sequence to execute: the mean, or one elite (by its weight; or TD-MPC2's argmax(w + Gumbel noise)). */
  private select(mean: Float32Array, elites: Float32Array, w: Float64Array, D: number): Float32Array {
    const { selection } = this.config;
    if (selection === "mean" || this.weighting === "best") return mean.slice();
    let pick = 0;
    if (selection === "elite") {
      let u = this.rng.random();
      while (pick < w.length - 1 && (u -= w[pick]!) > 0) pick++;
    } else {
      // math.gumbel_softmax_sample(score) of the official code: argmax of the *probabilities* plus Gumbel(0, 1) noise
      let best = -Infinity;
      for (let e = 0; e < w.length; e++) {
        const g = w[e]! - Math.log(-Math.log(Math.max(this.rng.random(), 1e-20)));
        if (g > best) [best, pick] = [g, e];
      }
    }
    return elites.slice(pick * D, pick * D + D);
  }

  /** a = clip(μ + σ·ε, −1, 1) for the first `n` rows; random shooting samples uniformly in [−1, 1] instead. */
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

  /** Weights of the elites (summing to 1): uniform for CEM, exp(τ·(R − max R)) for MPPI. */
  private eliteWeights(returns: Float32Array, idx: number[]): Float64Array {
    const k = idx.length;
    const w = new Float64Array(k);
    if (this.weighting === "elites-uniform") return w.fill(1 / k);
    const max = returns[idx[0]!]!;
    let sum = 0;
    for (let e = 0; e < k; e++) sum += w[e] = Math.exp(this.config.temperature * (returns[idx[e]!]! - max));
    for (let e = 0; e < k; e++) w[e]! /= sum;
    return w;
  }
}

function requirePolicy(model: PlanningModel, planner: string): NonNullable<PlanningModel["policySequences"]> {
  if (!model.policySequences) throw new Error(`planner ${planner}: numPiTrajs > 0 needs a model with policySequences() (a policy to propose sequences)`);
  return model.policySequences;
}

/** Weighted mean and std of the sequences `idx` (weights w, summing to 1). */
function weightedMoments(actions: Float32Array, idx: number[], w: Float64Array, D: number): [Float64Array, Float64Array] {
  const mean = new Float64Array(D);
  const std = new Float64Array(D);
  for (let e = 0; e < w.length; e++) {
    const base = idx[e]! * D;
    for (let d = 0; d < D; d++) mean[d]! += w[e]! * actions[base + d]!;
  }
  for (let e = 0; e < w.length; e++) {
    const base = idx[e]! * D;
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
