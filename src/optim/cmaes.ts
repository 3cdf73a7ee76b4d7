/**
 * CMA-ES as in Hansen, "The CMA Evolution Strategy: A Tutorial" (arXiv:1604.00772, 2016/2023), with the
 * tutorial's default parameters (its Table 1 and Appendix A, eqs. (49)–(58)); equation numbers below refer to
 * that text. Also sep-CMA-ES (Ros & Hansen 2008, "A simple modification in CMA-ES achieving linear time and
 * space complexity"): the same algorithm with a diagonal covariance and learning rates multiplied by (n+2)/3.
 *
 * One generation g (minimisation; `maximize` negates the fitness):
 *   y_k = B D z_k, z_k ~ N(0, I),   x_k = m + σ y_k,   k = 1..λ                                  (eqs. 38–40)
 *   ⟨y⟩_w = Σ_{i≤μ} w_i y_{i:λ};   m ← m + c_m σ ⟨y⟩_w                                           (eqs. 41–42)
 *   p_σ ← (1 − c_σ) p_σ + √(c_σ(2 − c_σ) μ_eff) C^{−1/2} ⟨y⟩_w                                    (eq. 43)
 *   σ ← σ · exp((c_σ/d_σ)(‖p_σ‖ / E‖N(0, I)‖ − 1))                                                 (eq. 44)
 *   h_σ = 1 if ‖p_σ‖ / √(1 − (1 − c_σ)^{2(g+1)}) < (1.4 + 2/(n+1)) E‖N(0, I)‖, else 0             (p. 31)
 *   p_c ← (1 − c_c) p_c + h_σ √(c_c(2 − c_c) μ_eff) ⟨y⟩_w                                          (eq. 45)
 *   w°_i = w_i · (1 if w_i ≥ 0 else n / ‖C^{−1/2} y_{i:λ}‖²)                                       (eq. 46)
 *   C ← (1 + c_1 δ(h_σ) − c_1 − c_μ Σ_j w_j) C + c_1 p_c p_cᵀ + c_μ Σ_{i=1..λ} w°_i y_{i:λ} y_{i:λ}ᵀ   (eq. 47)
 *   with δ(h_σ) = (1 − h_σ) c_c (2 − c_c).
 * B and D (C = B D² Bᵀ) are recomputed lazily, once more than 1 / (10 n (c_1 + c_μ)) generations have passed (the
 * tutorial's "λ/(c1+cμ)/n/10 evaluations"), with our own Jacobi eigensolver (linalg.ts), warm-started in the
 * previous eigenbasis.
 * Negative ("active") weights are used for full CMA as in the tutorial's default; sep-CMA keeps the positive
 * weights only (as in Ros & Hansen), so its diagonal stays positive.
 *
 * Bounds: the distribution lives in Rⁿ; `ask()` returns each sample mapped into the box (default "mirror",
 * see base.ts) and `tell()` updates with the unmapped sample it drew (like a coordinate transform, pycma's
 * BoundTransform idea). Points told that were not asked (injected solutions) are used as y = (x − m)/σ with
 * their Mahalanobis length capped (Hansen 2011, "Injecting external solutions into CMA-ES").
 *
 * Stopping (tutorial B.3): target, budget, TolFun 1e−12 (range of best f over 10 + ⌈30n/λ⌉ generations),
 * TolX 1e−12·σ0 (all σ√C_ii and σ|p_c,i|), ConditionCov 1e14, NoEffectAxis/NoEffectCoord, TolUpSigma 1e20.
 * A flat fitness (best equals the ⌈0.7λ⌉-th) increases σ by exp(0.2 + c_σ/d_σ), as the tutorial suggests.
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
import { symmetricEigen } from "./linalg.js";

export interface CmaEsOptions extends CommonOptions {
  /** λ, default 4 + ⌊3 ln n⌋ (eq. 48). */
  popsize?: number;
  /** μ, default ⌊λ/2⌋. */
  mu?: number;
  /** Diagonal covariance: sep-CMA-ES. Default false. */
  diagonal?: boolean;
  /** Use the tutorial's negative weights (active CMA) for full CMA. Default true. */
  activeWeights?: boolean;
  /** Condition number of C above which the run stops (ConditionCov). Default 1e14. */
  maxCondition?: number;
}

/** The tutorial's default strategy parameters for dimension n and population λ (Table 1, eqs. 49–58). */
export interface CmaParameters {
  lambda: number;
  mu: number;
  /** λ weights, sorted like the population (positive first). */
  weights: Float64Array;
  mueff: number;
  cm: number;
  csigma: number;
  dsigma: number;
  cc: number;
  c1: number;
  cmu: number;
  chiN: number;
}

export function cmaParameters(n: number, lambda = 4 + Math.floor(3 * Math.log(n)), opts: { mu?: number; diagonal?: boolean; activeWeights?: boolean } = {}): CmaParameters {
  if (!Number.isInteger(lambda) || lambda < 2) throw new RangeError(`CMA-ES: popsize must be an integer ≥ 2, got ${lambda}`);
  const mu = opts.mu ?? Math.floor(lambda / 2);
  if (!Number.isInteger(mu) || mu < 1 || mu > lambda) throw new RangeError(`CMA-ES: mu must be an integer in [1, λ = ${lambda}], got ${mu}`);
  // eq. (49): w'_i = ln((λ+1)/2) − ln i
  const wp = Float64Array.from({ length: lambda }, (_, i) => Math.log((lambda + 1) / 2) - Math.log(i + 1));
  if (mu !== Math.floor(lambda / 2)) for (let i = 0; i < lambda; i++) wp[i] = i < mu ? Math.log(mu + 0.5) - Math.log(i + 1) : Math.min(wp[i]!, 0);
  let sp = 0, sp2 = 0, sn = 0, sn2 = 0;
  for (let i = 0; i < lambda; i++) {
    if (i < mu) (sp += wp[i]!), (sp2 += wp[i]! ** 2);
    else if (wp[i]! < 0) (sn += wp[i]!), (sn2 += wp[i]! ** 2);
  }
  const mueff = (sp * sp) / sp2; // eq. (8)
  const mueffMinus = sn2 > 0 ? (sn * sn) / sn2 : 0;
  const alphaCov = 2;
  let c1 = alphaCov / ((n + 1.3) ** 2 + mueff); // eq. (57)
  let cmu = Math.min(1 - c1, (alphaCov * (mueff - 2 + 1 / mueff)) / ((n + 2) ** 2 + (alphaCov * mueff) / 2)); // eq. (58)
  if (opts.diagonal) {
    // sep-CMA: a diagonal C has n instead of n²/2 free parameters, so it may learn (n+2)/3 times faster
    c1 = Math.min(1, (c1 * (n + 2)) / 3);
    cmu = Math.min(1 - c1, (cmu * (n + 2)) / 3);
  }
  const csigma = (mueff + 2) / (n + mueff + 5); // eq. (55)
  const dsigma = 1 + 2 * Math.max(0, Math.sqrt((mueff - 1) / (n + 1)) - 1) + csigma; // eq. (55)
  const cc = (4 + mueff / n) / (n + 4 + (2 * mueff) / n); // eq. (56)
  const weights = new Float64Array(lambda);
  const active = (opts.activeWeights ?? true) && !opts.diagonal;
  // eqs. (50)–(53): positive weights sum to 1; negative weights scaled by min(α_μ⁻, α_μeff⁻, α_posdef⁻)/Σ|w'⁻|
  const alphaMu = 1 + c1 / cmu;
  const alphaMueff = 1 + (2 * mueffMinus) / (mueff + 2);
  const alphaPosdef = (1 - c1 - cmu) / (n * cmu);
  const negScale = Math.min(alphaMu, alphaMueff, alphaPosdef) / -sn;
  for (let i = 0; i < lambda; i++) {
    if (i < mu) weights[i] = wp[i]! / sp;
    else weights[i] = active && sn < 0 && wp[i]! < 0 ? negScale * wp[i]! : 0;
  }
  const chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n)); // E‖N(0, I)‖, p. 28
  return { lambda, mu, weights, mueff, cm: 1, csigma, dsigma, cc, c1, cmu, chiN };
}

export class CmaEs implements AskTellOptimizer {
  readonly name: string;
  readonly dim: number;
  readonly params: CmaParameters;
  readonly diagonal: boolean;
  /** Mean m (in the unbounded search space). */
  readonly mean: Float64Array;
  /** Step size σ. */
  sigma: number;
  /** C: n×n row-major (full) or its n diagonal entries (sep-CMA). */
  readonly C: Float64Array;
  /** Eigenvectors of C (columns; row-major n×n); identity for sep-CMA. */
  private B: Float64Array;
  /** √eigenvalues of C. */
  private D: Float64Array;
  readonly ps: Float64Array;
  readonly pc: Float64Array;
  private readonly rng: Rng;
  readonly maximize: boolean;
  private readonly box?: { lo: Float64Array; hi: Float64Array };
  private readonly boundHandling: BoundHandling;
  private readonly tracker: Tracker;
  private readonly historyLength: number;
  private readonly sigma0: number;
  private readonly tolX: number;
  private readonly maxCondition: number;
  private eigenIteration = 0;
  /** Generations between eigendecompositions: decompose once more than this many have passed. */
  private readonly eigenGap: number;
  private asked: Float64Array[] = [];
  private askedY: Float64Array[] = [];
  private lastCosts?: Float64Array;
  private noEffect = false;
  /** Sorted indices (into the last told population), best first. */
  lastOrder: number[] = [];
  /** Number of eigendecompositions done (for curious readers: the lazy update at work). */
  eigenCount = 0;
  /** Jacobi sweeps spent in those decompositions. */
  eigenSweeps = 0;

  constructor(opts: CmaEsOptions) {
    const { n, mean, sigmas } = checkStart(opts.diagonal ? "sep-CMA-ES" : "CMA-ES", opts.x0, opts.sigma0);
    this.name = opts.diagonal ? "sep-CMA-ES" : "CMA-ES";
    this.dim = n;
    this.diagonal = opts.diagonal ?? false;
    this.params = cmaParameters(n, opts.popsize, { mu: opts.mu, diagonal: this.diagonal, activeWeights: opts.activeWeights });
    this.mean = mean;
    // per-coordinate σ0: σ = max σ0_i and C0 = diag((σ0_i/σ)²)
    this.sigma = Math.max(...sigmas);
    this.sigma0 = this.sigma;
    const scales = sigmas.map((s) => s / this.sigma);
    if (this.diagonal) {
      this.C = scales.map((s) => s * s);
      this.B = new Float64Array(0);
    } else {
      this.C = new Float64Array(n * n);
      this.B = new Float64Array(n * n);
      for (let i = 0; i < n; i++) (this.C[i * n + i] = scales[i]! ** 2), (this.B[i * n + i] = 1);
    }
    this.D = Float64Array.from(scales);
    this.ps = new Float64Array(n);
    this.pc = new Float64Array(n);
    this.rng = toRng(opts.seed);
    this.maximize = opts.maximize ?? false;
    this.box = resolveBounds(this.name, opts.bounds, n);
    this.boundHandling = opts.boundHandling ?? "mirror";
    this.historyLength = 10 + Math.ceil((30 * n) / this.params.lambda);
    this.tracker = new Tracker(n, this.maximize, { ...opts, tolFun: opts.tolFun ?? 1e-12 });
    this.tolX = opts.tolX ?? 1e-12 * this.sigma0;
    this.maxCondition = opts.maxCondition ?? 1e14;
    const { c1, cmu } = this.params;
    this.eigenGap = 1 / (10 * n * (c1 + cmu));
  }

  get popsize(): number {
    return this.params.lambda;
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

  /** Sample λ points x_k = m + σ B D z_k (eqs. 38–40), mapped into the bounds if any. */
  ask(): Float64Array[] {
    const n = this.dim;
    const z = new Float64Array(n);
    this.asked = [];
    this.askedY = [];
    for (let k = 0; k < this.params.lambda; k++) {
      for (let i = 0; i < n; i++) z[i] = this.D[i]! * this.rng.normal();
      const y = this.diagonal ? Float64Array.from(z) : matVec(this.B, z, n);
      const x = new Float64Array(n);
      for (let i = 0; i < n; i++) x[i] = this.mean[i]! + this.sigma * y[i]!;
      if (this.box) repairInPlace(x, this.box, this.boundHandling);
      this.asked.push(x);
      this.askedY.push(y);
    }
    return this.asked.map((x) => Float64Array.from(x));
  }

  tell(xs: readonly ArrayLike<number>[], fitnesses: ArrayLike<number>): void {
    const p = this.params;
    const n = this.dim;
    const cost = checkTell(this.name, xs, fitnesses, p.lambda, n, this.maximize);
    const order = argsort(cost);
    this.lastOrder = order;
    this.tracker.record(xs, cost, order, this.historyLength);
    this.lastCosts = cost;
    const ys = xs.map((x, k) => this.stepOf(x, k));
    const sorted = order.map((k) => ys[k]!);

    // recombination: ⟨y⟩_w and the new mean (eqs. 41–42)
    const yw = new Float64Array(n);
    for (let i = 0; i < p.mu; i++) {
      const w = p.weights[i]!;
      const y = sorted[i]!;
      for (let j = 0; j < n; j++) yw[j] += w * y[j]!;
    }
    for (let j = 0; j < n; j++) this.mean[j] += p.cm * this.sigma * yw[j]!;

    // step-size path (eq. 43) with C^{-1/2} = B D^{-1} Bᵀ
    const cInvYw = this.invSqrtC(yw);
    const a = Math.sqrt(p.csigma * (2 - p.csigma) * p.mueff);
    for (let j = 0; j < n; j++) this.ps[j] = (1 - p.csigma) * this.ps[j]! + a * cInvYw[j]!;
    const psNorm = norm(this.ps);
    const g1 = this.iteration; // generations done, i.e. g + 1
    const hsigma = psNorm / Math.sqrt(1 - (1 - p.csigma) ** (2 * g1)) < (1.4 + 2 / (n + 1)) * p.chiN ? 1 : 0;

    // covariance path (eq. 45)
    const b = hsigma * Math.sqrt(p.cc * (2 - p.cc) * p.mueff);
    for (let j = 0; j < n; j++) this.pc[j] = (1 - p.cc) * this.pc[j]! + b * yw[j]!;

    // covariance matrix: rank-one + rank-μ, with w°_i for negative weights (eqs. 46–47)
    const wo = new Float64Array(p.lambda);
    let wsum = 0;
    for (let i = 0; i < p.lambda; i++) {
      const w = p.weights[i]!;
      wsum += w;
      if (w >= 0) wo[i] = w;
      else {
        const m2 = norm(this.invSqrtC(sorted[i]!)) ** 2;
        wo[i] = m2 > 0 ? (w * n) / m2 : 0;
      }
    }
    const delta = (1 - hsigma) * p.cc * (2 - p.cc);
    const decay = 1 + p.c1 * delta - p.c1 - p.cmu * wsum;
    if (this.diagonal) {
      for (let j = 0; j < n; j++) {
        let r = 0;
        for (let i = 0; i < p.lambda; i++) if (wo[i] !== 0) r += wo[i]! * sorted[i]![j]! ** 2;
        this.C[j] = decay * this.C[j]! + p.c1 * this.pc[j]! ** 2 + p.cmu * r;
      }
    } else {
      const C = this.C;
      for (let r = 0; r < n; r++)
        for (let c = r; c < n; c++) {
          let s = 0;
          for (let i = 0; i < p.lambda; i++) if (wo[i] !== 0) s += wo[i]! * sorted[i]![r]! * sorted[i]![c]!;
          const v = decay * C[r * n + c]! + p.c1 * this.pc[r]! * this.pc[c]! + p.cmu * s;
          C[r * n + c] = v;
          C[c * n + r] = v;
        }
    }

    // step size (eq. 44)
    this.sigma *= Math.exp((p.csigma / p.dsigma) * (psNorm / p.chiN - 1));
    // flat fitness: the selection carries no information; widen the search
    const kth = order[Math.min(p.lambda - 1, Math.ceil(0.7 * p.lambda) - 1)]!;
    if (cost[order[0]!] === cost[kth]) this.sigma *= Math.exp(0.2 + p.csigma / p.dsigma);

    this.updateEigen(false);
    this.checkNoEffect();
  }

  /** The step y = (x − m)/σ that produced x: the drawn one if x was asked, else the injected one (capped). */
  private stepOf(x: ArrayLike<number>, k: number): Float64Array {
    const asked = this.asked[k];
    if (asked && (x === asked || sameValues(x, asked))) return this.askedY[k]!;
    for (let j = 0; j < this.asked.length; j++) if (sameValues(x, this.asked[j]!)) return this.askedY[j]!;
    const n = this.dim;
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) y[i] = (x[i]! - this.mean[i]!) / this.sigma;
    const len = norm(this.invSqrtC(y));
    const cap = this.params.chiN + (2 * n) / (n + 2);
    if (len > cap) for (let i = 0; i < n; i++) y[i] *= cap / len;
    return y;
  }

  /** C^{−1/2} v = B D^{−1} Bᵀ v (with the B, D used for sampling). */
  private invSqrtC(v: Float64Array): Float64Array {
    const n = this.dim;
    if (this.diagonal) return v.map((x, i) => x / this.D[i]!);
    const t = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += this.B[i * n + j]! * v[i]!;
      t[j] = s / this.D[j]!;
    }
    return matVec(this.B, t, n);
  }

  /**
   * Recompute B and D from C once more than `eigenGap` = 1/(10 n (c1 + cμ)) generations have passed since the last
   * time (the tutorial's `counteval − eigeneval > λ/(c1+cμ)/n/10`); for n ≤ ~40 that is every generation.
   */
  private updateEigen(force: boolean): void {
    const n = this.dim;
    if (this.diagonal) {
      for (let i = 0; i < n; i++) this.D[i] = Math.sqrt(Math.max(this.C[i]!, 1e-300));
      return;
    }
    if (!force && this.iteration - this.eigenIteration <= this.eigenGap) return;
    this.eigenIteration = this.iteration;
    // warm start: in the old eigenbasis, M = Bᵀ C B is nearly diagonal (C moved little since the last
    // decomposition), so Jacobi needs a few sweeps instead of ~10; then B ← B V.
    const M = matMul(transpose(this.B, n), matMul(this.C, this.B, n), n);
    const { values, vectors, sweeps } = symmetricEigen(M, n);
    this.eigenCount++;
    this.eigenSweeps += sweeps;
    this.B = matMul(this.B, vectors, n);
    // a non-positive eigenvalue can only come from round-off: floor it (the condition stop catches the rest)
    let maxEv = 0;
    for (const v of values) maxEv = Math.max(maxEv, v);
    for (let i = 0; i < n; i++) this.D[i] = Math.sqrt(Math.max(values[i]!, maxEv * 1e-20, 1e-300));
  }

  private checkNoEffect(): void {
    const n = this.dim;
    // NoEffectCoord: adding 0.2 σ √C_ii leaves some coordinate of m unchanged
    for (let i = 0; i < n; i++) {
      const cii = this.diagonal ? this.C[i]! : this.C[i * n + i]!;
      if (this.mean[i]! + 0.2 * this.sigma * Math.sqrt(cii) === this.mean[i]) {
        this.noEffect = true;
        return;
      }
    }
    // NoEffectAxis: adding 0.1 σ d_i b_i (axis i = g mod n) leaves m unchanged
    const ax = this.iteration % n;
    let same = true;
    for (let j = 0; j < n && same; j++) {
      const bji = this.diagonal ? (j === ax ? 1 : 0) : this.B[j * n + ax]!;
      if (this.mean[j]! + 0.1 * this.sigma * this.D[ax]! * bji !== this.mean[j]) same = false;
    }
    if (same) this.noEffect = true;
  }

  /** Condition number of C (ratio of its largest to smallest eigenvalue, as of the last decomposition). */
  condition(): number {
    let lo = Infinity, hi = 0;
    for (const d of this.D) (lo = Math.min(lo, d)), (hi = Math.max(hi, d));
    return (hi / lo) ** 2;
  }

  get stopReasons(): StopReason[] {
    const n = this.dim;
    const r = this.tracker.commonStops(this.lastCosts, this.historyLength);
    if (this.iteration === 0) return r;
    let small = true;
    for (let i = 0; i < n && small; i++) {
      const cii = this.diagonal ? this.C[i]! : this.C[i * n + i]!;
      if (this.sigma * Math.sqrt(cii) >= this.tolX || this.sigma * Math.abs(this.pc[i]!) >= this.tolX) small = false;
    }
    if (small) r.push("tolX");
    if (this.condition() > this.maxCondition) r.push("conditionCov");
    if (this.sigma / this.sigma0 > 1e20 * Math.max(...this.D)) r.push("tolUpSigma");
    if (this.noEffect) r.push("noEffect");
    return r;
  }

  stop(): boolean {
    return this.stopReasons.length > 0;
  }

  distribution(): { mean: Float64Array; cov: Float64Array } {
    const n = this.dim;
    const s2 = this.sigma * this.sigma;
    const cov = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) cov[i * n + j] = this.diagonal ? (i === j ? s2 * this.C[i]! : 0) : s2 * this.C[i * n + j]!;
    return { mean: Float64Array.from(this.mean), cov };
  }
}

function matVec(M: Float64Array, v: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += M[i * n + j]! * v[j]!;
    out[i] = s;
  }
  return out;
}

/** Row-major n×n product A·B (i-k-j order: the inner loop runs along rows of both). */
function matMul(A: Float64Array, B: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) {
      const a = A[i * n + k]!;
      if (a === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += a * B[k * n + j]!;
    }
  return out;
}

function transpose(A: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[j * n + i] = A[i * n + j]!;
  return out;
}

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
