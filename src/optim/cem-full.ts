/**
 * CEM with a full covariance matrix: chapter 1's control experiment. It changes exactly one thing in `Cem` (cem.ts):
 * the elites refit a full covariance instead of one variance per coordinate. Everything else stays CEM's: the same
 * population and elite count, uniform elite weights, no evolution paths, no step-size control, the same smoothing.
 * Next to CMA-ES it shows how much of CMA-ES's lead on rotated problems the full covariance alone buys, and how
 * much comes from its other tricks (cumulation, step-size adaptation, weighted recombination).
 *
 * One generation (the matrix form of cem.ts's update; A is the symmetric square root of the covariance, C = A²):
 *   x_k = μ + A z_k,  z_k ~ N(0, I)                                               (sample)
 *   μ̂ = (1/k) Σ_{x∈E} x,   Ĉ = (1/k) Σ_{x∈E} (x − μ̂)(x − μ̂)ᵀ                    (refit on the k elites E)
 *   μ ← α μ + (1 − α) μ̂,   A ← α_σ A + (1 − α_σ) Ĉ^{1/2}                          (smooth)
 * With a diagonal Ĉ this is cem.ts's σ ← α_σ σ + (1 − α_σ) σ̂ coordinate by coordinate, so the two differ only in the
 * off-diagonal terms. Ĉ^{1/2} comes from the eigendecomposition of Ĉ (linalg.ts), O(n³) per generation.
 */
import { Rng } from "../util/random.js";
import { argsort, checkStart, checkTell, repairInPlace, resolveBounds, toRng, Tracker, type AskTellOptimizer, type Best, type CommonOptions, type StopReason } from "./base.js";
import type { CemOptions } from "./cem.js";
import { symmetricEigen } from "./linalg.js";

export type CemFullOptions = Omit<CemOptions, "minStd" | "maxStd" | "boundHandling"> & CommonOptions;

export class CemFull implements AskTellOptimizer {
  readonly name = "CEM (full covariance)";
  readonly dim: number;
  readonly popsize: number;
  readonly elites: number;
  readonly mean: Float64Array;
  /** Symmetric square root of the sampling covariance (row-major n×n). */
  readonly sqrtCov: Float64Array;
  readonly maximize: boolean;
  private readonly rng: Rng;
  private readonly box?: { lo: Float64Array; hi: Float64Array };
  private readonly momentum: number;
  private readonly stdMomentum: number;
  private readonly tolX?: number;
  private readonly tracker: Tracker;
  private lastCosts?: Float64Array;
  /** Indices (into the last told population) of the elites, best first. */
  lastElites: number[] = [];

  constructor(opts: CemFullOptions) {
    const { n, mean, sigmas } = checkStart("CEM-full", opts.x0, opts.sigma0);
    this.dim = n;
    this.mean = mean;
    this.sqrtCov = new Float64Array(n * n);
    for (let i = 0; i < n; i++) this.sqrtCov[i * n + i] = sigmas[i]!;
    this.popsize = opts.popsize ?? Math.max(32, 10 * n);
    if (!Number.isInteger(this.popsize) || this.popsize < 2) throw new RangeError(`CEM-full: popsize must be an integer ≥ 2, got ${opts.popsize}`);
    const frac = opts.eliteFraction ?? 0.2;
    if (!(frac > 0 && frac <= 1)) throw new RangeError(`CEM-full: eliteFraction must be in (0, 1], got ${frac}`);
    this.elites = opts.elites ?? Math.max(2, Math.round(frac * this.popsize));
    if (!Number.isInteger(this.elites) || this.elites < 2 || this.elites > this.popsize)
      throw new RangeError(`CEM-full: elites must be an integer in [2, popsize = ${this.popsize}], got ${this.elites}`);
    this.momentum = opts.momentum ?? 0;
    this.stdMomentum = opts.stdMomentum ?? 0.5;
    for (const [k, v] of [["momentum", this.momentum], ["stdMomentum", this.stdMomentum]] as const)
      if (!(v >= 0 && v < 1)) throw new RangeError(`CEM-full: ${k} must be in [0, 1), got ${v}`);
    this.rng = toRng(opts.seed);
    this.maximize = opts.maximize ?? false;
    this.box = resolveBounds("CEM-full", opts.bounds, n);
    this.tolX = opts.tolX;
    this.tracker = new Tracker(n, this.maximize, opts);
  }

  get evaluations(): number {
    return this.tracker.evaluations;
  }
  get iteration(): number {
    return this.tracker.iteration;
  }
  get best(): Best {
    return this.tracker.best;
  }

  ask(): Float64Array[] {
    const n = this.dim;
    const z = new Float64Array(n);
    const xs: Float64Array[] = [];
    for (let k = 0; k < this.popsize; k++) {
      for (let i = 0; i < n; i++) z[i] = this.rng.normal();
      const x = Float64Array.from(this.mean);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) x[i]! += this.sqrtCov[i * n + j]! * z[j]!;
      if (this.box) repairInPlace(x, this.box, "clip");
      xs.push(x);
    }
    return xs;
  }

  tell(xs: readonly ArrayLike<number>[], fitnesses: ArrayLike<number>): void {
    const n = this.dim;
    const cost = checkTell("CEM-full", xs, fitnesses, this.popsize, n, this.maximize);
    const order = argsort(cost);
    this.tracker.record(xs, cost, order, 10);
    this.lastCosts = cost;
    const elite = order.slice(0, this.elites);
    this.lastElites = elite;
    const mu = new Float64Array(n);
    for (const k of elite) for (let i = 0; i < n; i++) mu[i]! += xs[k]![i]! / elite.length;
    const cov = new Float64Array(n * n);
    for (const k of elite)
      for (let i = 0; i < n; i++) {
        const di = xs[k]![i]! - mu[i]!;
        for (let j = 0; j <= i; j++) cov[i * n + j]! += (di * (xs[k]![j]! - mu[j]!)) / elite.length;
      }
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) cov[j * n + i] = cov[i * n + j]!;
    // Ĉ^{1/2} = B √Λ Bᵀ
    const { values, vectors } = symmetricEigen(cov, n);
    const root = new Float64Array(n * n);
    for (let c = 0; c < n; c++) {
      const s = Math.sqrt(Math.max(values[c]!, 0));
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) root[i * n + j]! += vectors[i * n + c]! * s * vectors[j * n + c]!;
    }
    for (let i = 0; i < n; i++) this.mean[i] = this.momentum * this.mean[i]! + (1 - this.momentum) * mu[i]!;
    for (let i = 0; i < n * n; i++) this.sqrtCov[i] = this.stdMomentum * this.sqrtCov[i]! + (1 - this.stdMomentum) * root[i]!;
  }

  get stopReasons(): StopReason[] {
    const r = this.tracker.commonStops(this.lastCosts, 10);
    if (this.tolX !== undefined && this.iteration > 0) {
      const { cov } = this.distribution();
      if (Array.from({ length: this.dim }, (_, i) => Math.sqrt(cov[i * this.dim + i]!)).every((s) => s < this.tolX!)) r.push("tolX");
    }
    return r;
  }

  stop(): boolean {
    return this.stopReasons.length > 0;
  }

  distribution(): { mean: Float64Array; cov: Float64Array } {
    const n = this.dim;
    const A = this.sqrtCov;
    const cov = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) cov[i * n + j]! += A[i * n + k]! * A[k * n + j]!;
    return { mean: Float64Array.from(this.mean), cov };
  }
}
