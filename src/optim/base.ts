/**
 * What every optimiser in `src/optim` shares: the pycma-like ask/tell interface, the options common to all
 * (seed, minimise/maximise, bounds, stopping criteria), input checks, and best-so-far bookkeeping.
 *
 * Usage (the same for CEM, CMA-ES, sep-CMA and IPOP-CMA-ES):
 * ```ts
 * const es = new CmaEs({ x0: [1, 1], sigma0: 0.5, seed: 1 });
 * while (!es.stop()) {
 *   const xs = es.ask();
 *   es.tell(xs, xs.map(f));
 * }
 * console.log(es.best.x, es.best.f, es.stopReasons);
 * ```
 */
import { Rng } from "../util/random.js";
import { positive, positiveInt } from "../util/validate.js";

/** Box constraints: a number applies to every coordinate. */
export interface Bounds {
  lower: number | ArrayLike<number>;
  upper: number | ArrayLike<number>;
}

/**
 * How a sample outside the box becomes a feasible point before it is evaluated:
 * - `"clip"`: each coordinate is clamped to [lo, hi] (points pile up on the faces; what MPC planners do with
 *   actions in [−1, 1]). CMA-ES updates from the unrepaired draws, and clipping makes the fitness flat outside
 *   the box: its mean can drift out and stall there with an optimum near a face (seen on a 6-D quadratic with
 *   optimum coordinates at ±0.8, ±0.9). Use "mirror" (CMA-ES's default) unless the optimum is inside with margin;
 * - `"mirror"`: each coordinate is reflected at the faces, periodically (x → lo + |((x − lo) mod 2w) − w|
 *   mirrored; w = hi − lo), so the density near a face stays smooth and no point sits exactly on it.
 */
export type BoundHandling = "clip" | "mirror";

/** Why an optimiser stopped (several can hold at once). */
export type StopReason = "target" | "maxEvals" | "maxIter" | "tolFun" | "tolX" | "conditionCov" | "tolUpSigma" | "noEffect" | "stagnation";

export interface CommonOptions {
  /** Initial mean (its length sets the dimension). */
  x0: ArrayLike<number>;
  /** Initial standard deviation: one number, or one per coordinate. Must be > 0. */
  sigma0: number | ArrayLike<number>;
  /** Seed or an `Rng` (src/util/random.ts) owned by the caller. Default seed 0. */
  seed?: number | Rng;
  /** Maximise instead of minimise (fitness values are told as they are; the optimiser negates internally). */
  maximize?: boolean;
  bounds?: Bounds;
  /** Default `"mirror"` for CMA-ES, `"clip"` for CEM. */
  boundHandling?: BoundHandling;
  /** Stop once the best fitness reaches this value (≤ when minimising, ≥ when maximising). */
  target?: number;
  /** Stop after this many function evaluations (checked after each tell). */
  maxEvals?: number;
  /** Stop after this many generations. */
  maxIter?: number;
  /** Stop when the best fitness of recent generations and all of the current one lie within this range. */
  tolFun?: number;
  /** Stop when every coordinate's step (σ·√C_ii for CMA-ES, std for CEM) is below this. */
  tolX?: number;
  /** Stop when the best-so-far has not improved for this many generations. */
  patience?: number;
}

export interface Best {
  /** Best point evaluated so far (as told, i.e. feasible). */
  x: Float64Array;
  /** Its fitness, in the caller's sign. */
  f: number;
  /** Evaluation count at which it was found. */
  evals: number;
}

/** The ask/tell interface every optimiser implements. */
export interface AskTellOptimizer {
  readonly name: string;
  readonly dim: number;
  /** True if larger fitness is better. */
  readonly maximize: boolean;
  /** Population size of the next `ask()`. */
  readonly popsize: number;
  /** Function evaluations told so far. */
  readonly evaluations: number;
  /** Generations completed (tells). */
  readonly iteration: number;
  /** Best-so-far; `f` is NaN before the first tell. */
  readonly best: Best;
  /** Stopping criteria that hold now (empty while running). */
  readonly stopReasons: StopReason[];
  /** `popsize` new candidate points (feasible w.r.t. the bounds). */
  ask(): Float64Array[];
  /** Report the fitness of each point; `xs` must be the population just asked (same size). */
  tell(xs: readonly ArrayLike<number>[], fitnesses: ArrayLike<number>): void;
  /** True once any stopping criterion holds. */
  stop(): boolean;
  /** Current search distribution: mean and covariance (row-major n×n), in the caller's coordinates. */
  distribution(): { mean: Float64Array; cov: Float64Array };
}

export function toRng(seed: number | Rng | undefined): Rng {
  return seed instanceof Rng ? seed : new Rng(seed ?? 0);
}

/** Check x0 and sigma0; returns the dimension and per-coordinate σ. */
export function checkStart(name: string, x0: ArrayLike<number> | undefined, sigma0: number | ArrayLike<number> | undefined): { n: number; mean: Float64Array; sigmas: Float64Array } {
  if (!x0 || typeof x0.length !== "number") throw new TypeError(`${name}: x0 (the initial mean) is required`);
  const n = x0.length;
  if (n === 0) throw new RangeError(`${name}: dimension 0 — x0 must have at least one coordinate`);
  const mean = Float64Array.from(x0);
  mean.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new RangeError(`${name}: x0[${i}] is ${v}; it must be finite`);
  });
  if (sigma0 === undefined) throw new TypeError(`${name}: sigma0 (the initial standard deviation) is required`);
  const sigmas = typeof sigma0 === "number" ? new Float64Array(n).fill(sigma0) : Float64Array.from(sigma0);
  if (sigmas.length !== n) throw new RangeError(`${name}: sigma0 has ${sigmas.length} entries but x0 has ${n}`);
  sigmas.forEach((s, i) => {
    if (!(s > 0) || !Number.isFinite(s)) throw new RangeError(`${name}: std must be > 0 and finite, got sigma0[${i}] = ${s}`);
  });
  return { n, mean, sigmas };
}

/** Lower/upper arrays from `Bounds` (checked: lo < hi, right length). */
export function resolveBounds(name: string, bounds: Bounds | undefined, n: number): { lo: Float64Array; hi: Float64Array } | undefined {
  if (!bounds) return undefined;
  const expand = (v: number | ArrayLike<number>, which: string) => {
    const a = typeof v === "number" ? new Float64Array(n).fill(v) : Float64Array.from(v);
    if (a.length !== n) throw new RangeError(`${name}: bounds.${which} has ${a.length} entries, expected ${n}`);
    return a;
  };
  const lo = expand(bounds.lower, "lower");
  const hi = expand(bounds.upper, "upper");
  for (let i = 0; i < n; i++)
    if (!(lo[i]! < hi[i]!)) throw new RangeError(`${name}: bounds need lower < upper, got [${lo[i]}, ${hi[i]}] at coordinate ${i}`);
  return { lo, hi };
}

/** Map x into the box in place (see `BoundHandling`). */
export function repairInPlace(x: Float64Array, box: { lo: Float64Array; hi: Float64Array }, mode: BoundHandling): Float64Array {
  for (let i = 0; i < x.length; i++) {
    const lo = box.lo[i]!;
    const hi = box.hi[i]!;
    const v = x[i]!;
    if (v >= lo && v <= hi) continue;
    if (mode === "clip") x[i] = v < lo ? lo : hi;
    else {
      const w = hi - lo;
      let r = (v - lo) % (2 * w);
      if (r < 0) r += 2 * w;
      x[i] = r <= w ? lo + r : hi - (r - w);
    }
  }
  return x;
}

/** Validate a tell: population size, dimensions, finite points, NaN fitness. Returns the costs (minimisation sign). */
export function checkTell(name: string, xs: readonly ArrayLike<number>[], fitnesses: ArrayLike<number>, popsize: number, n: number, maximize: boolean): Float64Array {
  if (!Array.isArray(xs)) throw new TypeError(`${name}.tell: xs must be an array of points`);
  if (xs.length !== popsize)
    throw new RangeError(`${name}.tell: got ${xs.length} points but the population size is ${popsize} (tell the population returned by ask())`);
  if (fitnesses.length !== xs.length) throw new RangeError(`${name}.tell: ${xs.length} points but ${fitnesses.length} fitness values`);
  const cost = new Float64Array(xs.length);
  for (let k = 0; k < xs.length; k++) {
    if (xs[k]!.length !== n) throw new RangeError(`${name}.tell: point ${k} has dimension ${xs[k]!.length}, expected ${n}`);
    const f = fitnesses[k]!;
    if (typeof f !== "number" || Number.isNaN(f)) throw new RangeError(`${name}.tell: fitness ${k} is NaN (the objective returned NaN at that point)`);
    const x = xs[k]!;
    for (let i = 0; i < n; i++)
      if (typeof x[i] !== "number" || !Number.isFinite(x[i]!)) throw new RangeError(`${name}.tell: point ${k} has coordinate ${i} = ${String(x[i])}; points must be finite (tell the points ask() returned)`);
    cost[k] = maximize ? -f : f;
  }
  return cost;
}

/** Indices that sort `cost` ascending (stable; −∞ first, +∞ last). */
export function argsort(cost: ArrayLike<number>): number[] {
  const idx = Array.from({ length: cost.length }, (_, i) => i);
  idx.sort((a, b) => cost[a]! - cost[b]! || a - b);
  return idx;
}

/** Bookkeeping shared by the optimisers: evaluation count, best-so-far, history for tolFun, budget stops. */
export class Tracker {
  evaluations = 0;
  iteration = 0;
  best: Best;
  /** Generation (1-based) in which the best-so-far last improved. */
  bestIteration = 0;
  /** Best cost of each recent generation (for tolFun). */
  readonly recentBest: number[] = [];

  constructor(
    n: number,
    private readonly maximize: boolean,
    private readonly opts: Pick<CommonOptions, "target" | "maxEvals" | "maxIter" | "tolFun" | "patience">,
  ) {
    this.best = { x: new Float64Array(n).fill(Number.NaN), f: Number.NaN, evals: 0 };
    if (opts.maxEvals !== undefined) positive("maxEvals", opts.maxEvals);
    if (opts.maxIter !== undefined) positive("maxIter", opts.maxIter);
    if (opts.patience !== undefined) positiveInt("patience", opts.patience);
    if (opts.tolFun !== undefined && !(opts.tolFun >= 0)) throw new RangeError(`tolFun must be ≥ 0, got ${opts.tolFun}`);
  }

  /** Record one generation (costs in minimisation sign); `order` = argsort(cost). */
  record(xs: readonly ArrayLike<number>[], cost: Float64Array, order: number[], historyLength: number): void {
    this.evaluations += xs.length;
    this.iteration++;
    const k = order[0]!;
    const bestCost = this.maximize ? -this.best.f : this.best.f;
    if (Number.isNaN(bestCost) || cost[k]! < bestCost) {
      this.best = { x: Float64Array.from(xs[k]!), f: this.maximize ? -cost[k]! : cost[k]!, evals: this.evaluations - xs.length + k + 1 };
      this.bestIteration = this.iteration;
    }
    this.recentBest.push(cost[k]!);
    if (this.recentBest.length > historyLength) this.recentBest.shift();
  }

  /** Criteria every optimiser shares; `lastCosts` = the current generation's costs. */
  commonStops(lastCosts: Float64Array | undefined, historyLength: number): StopReason[] {
    const r: StopReason[] = [];
    const o = this.opts;
    if (o.target !== undefined && this.iteration > 0) {
      const f = this.best.f;
      if (this.maximize ? f >= o.target : f <= o.target) r.push("target");
    }
    if (o.maxEvals !== undefined && this.evaluations >= o.maxEvals) r.push("maxEvals");
    if (o.maxIter !== undefined && this.iteration >= o.maxIter) r.push("maxIter");
    if (o.patience !== undefined && this.iteration - this.bestIteration >= o.patience) r.push("stagnation");
    if (o.tolFun !== undefined && lastCosts && this.recentBest.length >= historyLength) {
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of this.recentBest) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
      for (const v of lastCosts) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
      if (hi - lo < o.tolFun) r.push("tolFun");
    }
    return r;
  }
}
