/**
 * The cross-entropy method (CEM) with a diagonal Gaussian, as used inside MPC planners (PETS, TD-MPC, TD-MPC2).
 *
 * One generation (Rubinstein & Kroese 2004; de Boer et al. 2005, "A tutorial on the cross-entropy method", §3.2
 * with smoothed updating, eq. (21)):
 *
 *   x_k = μ_t + σ_t ⊙ z_k,   z_k ~ N(0, I),           k = 1..λ                 (sample)
 *   E = the `elites` best x_k                                                   (select)
 *   μ̂ = (1/|E|) Σ_{x∈E} x,   σ̂ = sqrt((1/|E|) Σ_{x∈E} (x − μ̂)²)            (refit: max. likelihood on elites)
 *   μ_{t+1} = α μ_t + (1 − α) μ̂,   σ_{t+1} = max(σ_min, α_σ σ_t + (1 − α_σ) σ̂)   (smooth, floor)
 *
 * α is the planners' `momentum` (TD-MPC: 0.1, on the mean only — its std is refitted and clamped, not smoothed;
 * de Boer's smoothing parameter is 1 − α). α_σ (`stdMomentum`) smooths the std, as de Boer et al. recommend.
 * The floor σ_min (TD-MPC `min_std` = 0.05) keeps exploration alive across re-planning; for optimisation to
 * 1e-8 leave it 0. Bounds (default "clip") are applied to the samples, and the refit uses the clipped points,
 * exactly as a planner clamps actions to [−1, 1] before rolling them out.
 *
 * Stopping: besides the common criteria (target, maxEvals), CEM stops by default when every std is below
 * tolX = 1e−12·max σ0, when the best values of the last 10 generations and the current one lie within tolFun = 1e−12,
 * when the best-so-far has not improved for `patience` = 50 + ⌈30n/λ⌉ generations, or after
 * maxIter = 100 + 150(n+3)²/√λ generations (pycma's default cap): a run with default options always ends.
 */
import { Rng } from "../util/random.js";
import {
  argsort,
  checkStart,
  checkTell,
  repairInPlace,
  resolveBounds,
  toRng,
  Tracker,
  type AskTellOptimizer,
  type Best,
  type BoundHandling,
  type CommonOptions,
  type StopReason,
} from "./base.js";

export interface CemOptions extends CommonOptions {
  /** Samples per generation λ. Default max(32, 10·n). */
  popsize?: number;
  /** Number of elites (takes precedence over `eliteFraction`). */
  elites?: number;
  /** Fraction of the population kept as elites; default 0.2 (at least 2 elites). */
  eliteFraction?: number;
  /** α: weight of the old mean in the smoothed update (TD-MPC `momentum`). Default 0. */
  momentum?: number;
  /**
   * α_σ: weight of the old std. Default 0.5: without it, the std refitted on the elites shrinks faster than the
   * mean can travel and plain CEM stalls before the optimum in 10-D and more (variance collapse); smoothing the
   * std is the cure de Boer et al. recommend, and what planners do with `momentum`.
   */
  stdMomentum?: number;
  /** σ_min: floor on every coordinate's std (TD-MPC `min_std`). Default 0. */
  minStd?: number;
  /** σ_max: ceiling on the std (TD-MPC `max_std`). Default ∞. */
  maxStd?: number;
}

export class Cem implements AskTellOptimizer {
  readonly name = "CEM";
  readonly dim: number;
  readonly popsize: number;
  readonly elites: number;
  readonly mean: Float64Array;
  readonly std: Float64Array;
  private readonly rng: Rng;
  readonly maximize: boolean;
  private readonly box?: { lo: Float64Array; hi: Float64Array };
  private readonly boundHandling: BoundHandling;
  private readonly momentum: number;
  private readonly stdMomentum: number;
  private readonly minStd: number;
  private readonly maxStd: number;
  private readonly tolX: number;
  private readonly tracker: Tracker;
  private readonly historyLength: number;
  private lastCosts?: Float64Array;
  /** Indices (into the last told population) of the elites, best first. */
  lastElites: number[] = [];

  constructor(opts: CemOptions) {
    const { n, mean, sigmas } = checkStart("CEM", opts.x0, opts.sigma0);
    this.dim = n;
    this.mean = mean;
    this.std = sigmas;
    this.popsize = opts.popsize ?? Math.max(32, 10 * n);
    if (!Number.isInteger(this.popsize) || this.popsize < 2) throw new RangeError(`CEM: popsize must be an integer ≥ 2, got ${opts.popsize}`);
    const frac = opts.eliteFraction ?? 0.2;
    if (!(frac > 0 && frac <= 1)) throw new RangeError(`CEM: eliteFraction must be in (0, 1], got ${frac}`);
    this.elites = opts.elites ?? Math.max(2, Math.round(frac * this.popsize));
    if (!Number.isInteger(this.elites) || this.elites < 1 || this.elites > this.popsize)
      throw new RangeError(`CEM: elites must be an integer in [1, popsize = ${this.popsize}], got ${this.elites}`);
    this.momentum = opts.momentum ?? 0;
    this.stdMomentum = opts.stdMomentum ?? 0.5;
    for (const [k, v] of [["momentum", this.momentum], ["stdMomentum", this.stdMomentum]] as const)
      if (!(v >= 0 && v < 1)) throw new RangeError(`CEM: ${k} must be in [0, 1), got ${v}`);
    this.minStd = opts.minStd ?? 0;
    this.maxStd = opts.maxStd ?? Infinity;
    if (!(this.minStd >= 0) || !(this.maxStd > this.minStd)) throw new RangeError(`CEM: need 0 ≤ minStd < maxStd, got ${this.minStd}, ${this.maxStd}`);
    this.rng = toRng(opts.seed);
    this.maximize = opts.maximize ?? false;
    this.box = resolveBounds("CEM", opts.bounds, n);
    this.boundHandling = opts.boundHandling ?? "clip";
    this.tolX = opts.tolX ?? 1e-12 * Math.max(...sigmas);
    this.historyLength = 10;
    this.tracker = new Tracker(n, this.maximize, {
      ...opts,
      tolFun: opts.tolFun ?? 1e-12,
      patience: opts.patience ?? 50 + Math.ceil((30 * n) / this.popsize),
      maxIter: opts.maxIter ?? Math.ceil(100 + (150 * (n + 3) ** 2) / Math.sqrt(this.popsize)),
    });
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
    const xs: Float64Array[] = [];
    for (let k = 0; k < this.popsize; k++) {
      const x = new Float64Array(this.dim);
      for (let i = 0; i < this.dim; i++) x[i] = this.mean[i]! + this.std[i]! * this.rng.normal();
      if (this.box) repairInPlace(x, this.box, this.boundHandling);
      xs.push(x);
    }
    return xs;
  }

  tell(xs: readonly ArrayLike<number>[], fitnesses: ArrayLike<number>): void {
    const cost = checkTell("CEM", xs, fitnesses, this.popsize, this.dim, this.maximize);
    const order = argsort(cost);
    this.tracker.record(xs, cost, order, this.historyLength);
    this.lastCosts = cost;
    const elite = order.slice(0, this.elites);
    this.lastElites = elite;
    const n = this.dim;
    const inv = 1 / elite.length;
    for (let i = 0; i < n; i++) {
      let mu = 0;
      for (const k of elite) mu += xs[k]![i]!;
      mu *= inv;
      let v = 0;
      for (const k of elite) v += (xs[k]![i]! - mu) ** 2;
      const sd = Math.sqrt(v * inv);
      this.mean[i] = this.momentum * this.mean[i]! + (1 - this.momentum) * mu;
      const s = this.stdMomentum * this.std[i]! + (1 - this.stdMomentum) * sd;
      this.std[i] = Math.min(this.maxStd, Math.max(this.minStd, s));
    }
  }

  get stopReasons(): StopReason[] {
    const r = this.tracker.commonStops(this.lastCosts, this.historyLength);
    if (this.iteration > 0 && this.std.every((s) => s < this.tolX)) r.push("tolX");
    return r;
  }

  stop(): boolean {
    return this.stopReasons.length > 0;
  }

  distribution(): { mean: Float64Array; cov: Float64Array } {
    const n = this.dim;
    const cov = new Float64Array(n * n);
    for (let i = 0; i < n; i++) cov[i * n + i] = this.std[i]! ** 2;
    return { mean: Float64Array.from(this.mean), cov };
  }
}
