/**
 * The benchmark behind notebook 01 and `tdmpc bench optim`: run each optimiser on each test function and
 * dimension for several seeds, and count function evaluations until f − f* ≤ 1e-8 (or the budget ends).
 * The time spent inside ask()/tell() is measured apart from the function's own cost.
 */
import { Rng } from "../util/random.js";
import type { AskTellOptimizer } from "./base.js";
import { Cem } from "./cem.js";
import { CemFull } from "./cem-full.js";
import { CmaEs } from "./cmaes.js";
import { testFunction, type TestFunction } from "./functions.js";
import { IpopCmaEs } from "./ipop.js";

export const OPTIMIZERS = ["cem", "cem-full", "cmaes", "sep-cmaes", "ipop-cmaes"] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export const OPTIMIZER_LABELS: Record<OptimizerName, string> = {
  cem: "CEM",
  "cem-full": "CEM, full covariance",
  cmaes: "CMA-ES",
  "sep-cmaes": "sep-CMA-ES",
  "ipop-cmaes": "IPOP-CMA-ES",
};

export interface RunSettings {
  /** Function-evaluation budget of one run. */
  maxEvals: number;
  /** Success threshold on f − f*. Default 1e-8. */
  targetGap?: number;
}

/** The same start for every optimiser with a given seed: x0 ~ U(init box)ⁿ, σ0 = (hi − lo)/5. */
export function startPoint(fn: TestFunction, seed: number): { x0: Float64Array; sigma0: number; rng: Rng } {
  const rng = new Rng(seed);
  const [lo, hi] = fn.init;
  const x0 = rng.fillUniform(new Float64Array(fn.dim), lo, hi);
  return { x0, sigma0: (hi - lo) / 5, rng: rng.fork() };
}

/** An optimiser by name, with the benchmark's settings (defaults of each method otherwise). */
export function makeOptimizer(name: string, fn: TestFunction, seed: number, settings: RunSettings): AskTellOptimizer {
  const { x0, sigma0, rng } = startPoint(fn, seed);
  const common = { x0, sigma0, seed: rng, maxEvals: settings.maxEvals, target: fn.fopt + (settings.targetGap ?? 1e-8) };
  switch (name) {
    case "cem":
      return new Cem(common);
    case "cem-full":
      return new CemFull(common);
    case "cmaes":
      return new CmaEs(common);
    case "sep-cmaes":
      return new CmaEs({ ...common, diagonal: true });
    case "ipop-cmaes":
      return new IpopCmaEs({ ...common, restartBox: { lower: fn.init[0], upper: fn.init[1] } });
    default:
      throw new RangeError(`unknown optimizer "${name}"; known: ${OPTIMIZERS.join(", ")}`);
  }
}

export interface RunResult {
  optimizer: string;
  fn: string;
  dim: number;
  seed: number;
  /** Evaluations until f − f* ≤ targetGap, or null if the budget ended (or the optimiser stopped) first. */
  evalsToTarget: number | null;
  /** Best f − f* reached. */
  bestGap: number;
  evaluations: number;
  /** Milliseconds spent inside ask() and tell() (not in f). */
  optimizerMs: number;
  /** Milliseconds spent evaluating f (for comparison with the optimiser's overhead). */
  fnMs: number;
  /** Best-so-far f − f* after each generation: [evaluations, gap] pairs. */
  trace: [number, number][];
  stopReasons: string[];
}

/** One run to target or budget. For IPOP, a run ends only at the target or the global budget. */
export function runOnce(optimizer: string, fnName: string, dim: number, seed: number, settings: RunSettings): RunResult {
  const fn = testFunction(fnName, dim);
  const targetGap = settings.targetGap ?? 1e-8;
  const es = makeOptimizer(optimizer, fn, seed, settings);
  let optimizerMs = 0;
  let fnMs = 0;
  let bestGap = Infinity;
  let evalsToTarget: number | null = null;
  const trace: [number, number][] = [];
  let evals = 0;
  while (!es.stop()) {
    const t0 = performance.now();
    const xs = es.ask();
    optimizerMs += performance.now() - t0;
    const t2 = performance.now();
    const fs = xs.map((x) => fn.f(x));
    fnMs += performance.now() - t2;
    for (const f of fs) {
      evals++;
      const gap = f - fn.fopt;
      if (gap < bestGap) bestGap = gap;
      if (evalsToTarget === null && bestGap <= targetGap) evalsToTarget = evals;
    }
    const t1 = performance.now();
    es.tell(xs, fs);
    optimizerMs += performance.now() - t1;
    trace.push([evals, Math.max(bestGap, 0)]);
  }
  return { optimizer, fn: fnName, dim, seed, evalsToTarget, bestGap: Math.max(bestGap, 0), evaluations: evals, optimizerMs, fnMs, trace, stopReasons: es.stopReasons };
}

export interface BenchmarkRow {
  optimizer: string;
  fn: string;
  dim: number;
  seeds: number;
  successes: number;
  /** Median evaluations to target over the successful runs (null if none). */
  medianEvals: number | null;
  /** Median best f − f* over all runs. */
  medianBestGap: number;
  /** Optimiser overhead: ms inside ask()+tell() per 1,000 evaluations. */
  msPer1000Evals: number;
  /** The test function's own cost per 1,000 evaluations, for scale. */
  fnMsPer1000Evals: number;
  maxEvals: number;
}

export interface BenchmarkOptions {
  optimizers?: readonly string[];
  functions?: readonly string[];
  dims?: readonly number[];
  /** Seeds 0..seeds−1. Default 10. */
  seeds?: number;
  /** Budget per run = budgetPerDim · dim (at least `minEvals`). Default 2000·n, minimum 4000. */
  budgetPerDim?: number;
  minEvals?: number;
  targetGap?: number;
  /** Called after each run (progress bars). */
  onRun?: (done: number, total: number, r: RunResult) => void;
}

export const DEFAULT_BENCH_FUNCTIONS = ["sphere", "ellipsoid", "rot-ellipsoid", "rosenbrock", "rastrigin", "ackley", "styblinski-tang"];

export function median(xs: readonly number[]): number {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : 0.5 * (s[m - 1]! + s[m]!);
}

/** Quantile q ∈ [0, 1] with linear interpolation. */
export function quantile(xs: readonly number[], q: number): number {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const i = Math.floor(pos);
  return i + 1 < s.length ? s[i]! + (pos - i) * (s[i + 1]! - s[i]!) : s[i]!;
}

/** The optimiser × function × dimension grid; also returns every run (for curves). */
export function benchmark(opts: BenchmarkOptions = {}): { rows: BenchmarkRow[]; runs: RunResult[] } {
  const optimizers = opts.optimizers ?? OPTIMIZERS;
  const functions = opts.functions ?? DEFAULT_BENCH_FUNCTIONS;
  const dims = opts.dims ?? [2, 10, 30];
  const seeds = opts.seeds ?? 10;
  if (!(seeds >= 1)) throw new RangeError(`benchmark: seeds must be ≥ 1, got ${seeds}`);
  const total = optimizers.length * functions.length * dims.length * seeds;
  const rows: BenchmarkRow[] = [];
  const runs: RunResult[] = [];
  let done = 0;
  for (const fnName of functions)
    for (const dim of dims)
      for (const optimizer of optimizers) {
        const maxEvals = Math.max(opts.minEvals ?? 4000, (opts.budgetPerDim ?? 2000) * dim);
        const group: RunResult[] = [];
        for (let seed = 0; seed < seeds; seed++) {
          const r = runOnce(optimizer, fnName, dim, seed, { maxEvals, targetGap: opts.targetGap });
          group.push(r);
          runs.push(r);
          opts.onRun?.(++done, total, r);
        }
        rows.push(summarizeRuns(group, maxEvals));
      }
  return { rows, runs };
}

/** One row of the table from the runs of one optimiser × function × dimension (their seeds). */
export function summarizeRuns(group: readonly Pick<RunResult, "optimizer" | "fn" | "dim" | "evalsToTarget" | "bestGap" | "evaluations" | "optimizerMs" | "fnMs">[], maxEvals: number): BenchmarkRow {
  const ok = group.filter((r) => r.evalsToTarget !== null).map((r) => r.evalsToTarget!);
  const evals = group.reduce((s, r) => s + r.evaluations, 0);
  const ms = group.reduce((s, r) => s + r.optimizerMs, 0);
  const fnMs = group.reduce((s, r) => s + r.fnMs, 0);
  return {
    optimizer: group[0]!.optimizer,
    fn: group[0]!.fn,
    dim: group[0]!.dim,
    seeds: group.length,
    successes: ok.length,
    medianEvals: ok.length ? median(ok) : null,
    medianBestGap: median(group.map((r) => r.bestGap)),
    msPer1000Evals: evals > 0 ? (1000 * ms) / evals : Number.NaN,
    fnMsPer1000Evals: evals > 0 ? (1000 * fnMs) / evals : Number.NaN,
    maxEvals,
  };
}

/** Median and quartiles of best-so-far f − f* on a common evaluation grid (log-spaced), across runs. */
export function convergenceCurves(runs: readonly Pick<RunResult, "evaluations" | "trace">[], points = 60): { evals: number[]; median: number[]; q25: number[]; q75: number[] } {
  const maxE = Math.max(...runs.map((r) => r.evaluations));
  const minE = Math.max(1, Math.min(...runs.map((r) => r.trace[0]?.[0] ?? 1)));
  const evals: number[] = [];
  for (let i = 0; i < points; i++) evals.push(Math.round(minE * (maxE / minE) ** (i / Math.max(1, points - 1))));
  const at = (r: Pick<RunResult, "trace">, e: number) => {
    // best gap reached by evaluation e (a run that ended earlier keeps its final value)
    let g = Infinity;
    for (const [ev, gap] of r.trace) {
      if (ev > e) break;
      g = gap;
    }
    return g;
  };
  const median_: number[] = [], q25: number[] = [], q75: number[] = [];
  for (const e of evals) {
    const vals = runs.map((r) => at(r, e)).filter((v) => Number.isFinite(v));
    median_.push(quantile(vals, 0.5));
    q25.push(quantile(vals, 0.25));
    q75.push(quantile(vals, 0.75));
  }
  return { evals, median: median_, q25, q75 };
}
