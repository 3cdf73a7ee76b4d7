/**
 * IPOP-CMA-ES (Auger & Hansen 2005, "A restart CMA evolution strategy with increasing population size"):
 * run CMA-ES; when it stops on its own (TolFun, TolX, ConditionCov, NoEffect, TolUpSigma), restart it with the
 * population size multiplied by `incPopsize` (2) and a fresh start point, until the target or the global
 * budget is reached. A larger population smooths out the local minima of multimodal functions such as
 * Rastrigin: the global structure becomes visible to the recombination.
 *
 * Restart points: uniform in `restartBox` if given, else uniform in the bounds if given, else x0 again
 * (the paper draws every start uniformly in the initial region).
 */
import { Rng } from "../util/random.js";
import { checkStart, resolveBounds, toRng, type AskTellOptimizer, type Best, type Bounds, type StopReason } from "./base.js";
import { CmaEs, cmaParameters, type CmaEsOptions } from "./cmaes.js";

export interface IpopOptions extends CmaEsOptions {
  /** Population growth factor per restart. Default 2. */
  incPopsize?: number;
  /** Maximum number of restarts. Default 9 (λ up to 512 λ0). */
  maxRestarts?: number;
  /** Region for restart points (uniform). */
  restartBox?: Bounds;
}

const INTERNAL_STOPS: StopReason[] = ["tolFun", "tolX", "conditionCov", "noEffect", "tolUpSigma"];

export class IpopCmaEs implements AskTellOptimizer {
  readonly name = "IPOP-CMA-ES";
  readonly dim: number;
  readonly maximize: boolean;
  /** The CMA-ES run in progress. */
  es: CmaEs;
  /** Restarts done so far; popsize of each run. */
  restarts = 0;
  readonly runs: { popsize: number; evals: number; stops: StopReason[] }[] = [];
  private readonly rng: Rng;
  private readonly opts: IpopOptions;
  private readonly box?: { lo: Float64Array; hi: Float64Array };
  private readonly lambda0: number;
  private evalsBefore = 0;
  private itersBefore = 0;
  private bestSoFar: Best;
  private finished: StopReason[] = [];

  constructor(opts: IpopOptions) {
    const { n } = checkStart("IPOP-CMA-ES", opts.x0, opts.sigma0);
    this.dim = n;
    this.opts = opts;
    this.maximize = opts.maximize ?? false;
    this.rng = toRng(opts.seed);
    this.box = resolveBounds("IPOP-CMA-ES", opts.restartBox ?? opts.bounds, n);
    if ((opts.incPopsize ?? 2) <= 1) throw new RangeError(`IPOP-CMA-ES: incPopsize must be > 1, got ${opts.incPopsize}`);
    this.lambda0 = opts.popsize ?? cmaParameters(n).lambda;
    this.es = this.makeRun(Float64Array.from(opts.x0), this.lambda0);
    this.bestSoFar = { x: new Float64Array(n).fill(Number.NaN), f: Number.NaN, evals: 0 };
  }

  private makeRun(x0: Float64Array, popsize: number): CmaEs {
    const left = this.opts.maxEvals !== undefined ? this.opts.maxEvals - this.evalsBefore : undefined;
    return new CmaEs({ ...this.opts, x0, popsize, seed: this.rng, maxEvals: left, maxIter: undefined });
  }

  get popsize(): number {
    return this.es.popsize;
  }
  get evaluations(): number {
    return this.evalsBefore + this.es.evaluations;
  }
  get iteration(): number {
    return this.itersBefore + this.es.iteration;
  }
  get best(): Best {
    return this.bestSoFar;
  }

  ask(): Float64Array[] {
    return this.es.ask();
  }

  tell(xs: readonly ArrayLike<number>[], fitnesses: ArrayLike<number>): void {
    this.es.tell(xs, fitnesses);
    const b = this.es.best;
    const better = this.opts.maximize ? b.f > this.bestSoFar.f : b.f < this.bestSoFar.f;
    if (Number.isNaN(this.bestSoFar.f) || better) this.bestSoFar = { x: b.x, f: b.f, evals: this.evalsBefore + b.evals };
    const stops = this.es.stopReasons;
    if (!stops.length) return;
    const global = stops.filter((s) => !INTERNAL_STOPS.includes(s));
    if (this.opts.maxIter !== undefined && this.iteration >= this.opts.maxIter) global.push("maxIter");
    const maxRestarts = this.opts.maxRestarts ?? 9;
    this.runs.push({ popsize: this.es.popsize, evals: this.es.evaluations, stops });
    if (global.length || this.restarts >= maxRestarts) {
      this.finished = global.length ? global : stops;
      return;
    }
    this.evalsBefore += this.es.evaluations;
    this.itersBefore += this.es.iteration;
    this.restarts++;
    const x0 = this.box ? this.box.lo.map((lo, i) => lo + (this.box!.hi[i]! - lo) * this.rng.random()) : Float64Array.from(this.opts.x0);
    const lambda = Math.round(this.lambda0 * (this.opts.incPopsize ?? 2) ** this.restarts);
    this.es = this.makeRun(x0, lambda);
  }

  get stopReasons(): StopReason[] {
    if (this.finished.length) return this.finished;
    if (this.opts.maxIter !== undefined && this.iteration >= this.opts.maxIter) return ["maxIter"];
    return [];
  }

  stop(): boolean {
    return this.stopReasons.length > 0;
  }

  distribution(): { mean: Float64Array; cov: Float64Array } {
    return this.es.distribution();
  }
}
