/**
 * Chapter 1's measurements: CEM, CEM with a full covariance, CMA-ES, sep-CMA-ES and IPOP-CMA-ES on the test
 * functions (the benchmark of src/optim/benchmark.ts), and the 2-D return landscape the notebook animates.
 * `runCh01` writes data/results/ch01-benchmark.csv (one row per run) and ch01-curves.csv (each 10-D run's best
 * f − f* at 30 log-spaced evaluation counts); figures: src/viz/figures/ch01.ts.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { readResults } from "../util/results.js";
import { dirname } from "node:path";
import { Cem } from "../optim/cem.js";
import { CemFull } from "../optim/cem-full.js";
import { CmaEs } from "../optim/cmaes.js";
import { DEFAULT_BENCH_FUNCTIONS, OPTIMIZERS, runOnce, summarizeRuns, type BenchmarkRow, type RunResult } from "../optim/benchmark.js";
import { ellipsoid, rotated } from "../optim/functions.js";
import { trace2d, type Snapshot } from "../optim/trace.js";

/** The committed benchmark: 10 seeds, budget 2000·n evaluations (at least 4000), target f − f* ≤ 1e-8. */
export const CH01_BENCH = { dims: [2, 10, 30], seeds: 10, budgetPerDim: 2000, minEvals: 4000, functions: DEFAULT_BENCH_FUNCTIONS, optimizers: OPTIMIZERS } as const;

/** Dimension whose runs keep their convergence curves. */
export const CURVE_DIM = 10;

export interface Ch01Run {
  optimizer: string;
  fn: string;
  dim: number;
  seed: number;
  maxEvals: number;
  /** Evaluations until f − f* ≤ 1e-8, or null if the budget ended (or the optimiser stopped) first. */
  evalsToTarget: number | null;
  bestGap: number;
  evaluations: number;
  optimizerMs: number;
  fnMs: number;
}

export interface Ch01CurvePoint {
  optimizer: string;
  fn: string;
  dim: number;
  seed: number;
  evals: number;
  /** Best f − f* reached by `evals` evaluations. */
  gap: number;
}

export const CH01_RUN_COLUMNS: (keyof Ch01Run)[] = ["optimizer", "fn", "dim", "seed", "maxEvals", "evalsToTarget", "bestGap", "evaluations", "optimizerMs", "fnMs"];
export const CH01_CURVE_COLUMNS: (keyof Ch01CurvePoint)[] = ["optimizer", "fn", "dim", "seed", "evals", "gap"];

/** A run's best gap at `points` log-spaced evaluation counts from its first generation to its last evaluation. */
export function downsampleTrace(r: RunResult, points = 30): [number, number][] {
  if (!r.trace.length) return [];
  const first = r.trace[0]![0];
  const last = r.trace[r.trace.length - 1]![0];
  const out: [number, number][] = [];
  let j = 0;
  for (let i = 0; i < points; i++) {
    const e = Math.round(first * (last / first) ** (i / Math.max(1, points - 1)));
    while (j + 1 < r.trace.length && r.trace[j + 1]![0] <= e) j++;
    if (!out.length || out[out.length - 1]![0] !== r.trace[j]![0]) out.push([r.trace[j]![0], r.trace[j]![1]]);
  }
  return out;
}

/** A cell as the chapter's CSVs hold it (6 significant digits; null is empty). */
export const ch01Cell = (v: unknown): string => (v === null || v === undefined ? "" : typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toPrecision(6)) : String(v));

function writeCsv<T>(path: string, columns: (keyof T)[], rows: T[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.partial`;
  writeFileSync(tmp, [columns.join(","), ...rows.map((r) => columns.map((c) => ch01Cell(r[c])).join(","))].join("\n") + "\n");
  renameSync(tmp, path); // a killed run leaves the previous file whole
}

/** A chapter CSV (whole-file or results log) as typed rows; [] when the file is absent. */
function readTyped<T>(path: string, columns: (keyof T)[]): T[] {
  const parsed = readResults(path);
  return parsed ? typedCh01Rows<T>(parsed.rows, columns) : [];
}

export const readCh01Runs = (path: string): Ch01Run[] => readTyped<Ch01Run>(path, CH01_RUN_COLUMNS);
export const readCh01Curves = (path: string): Ch01CurvePoint[] => readTyped<Ch01CurvePoint>(path, CH01_CURVE_COLUMNS);

/** Rows of text cells (a results log) as typed rows: numbers, and null for an empty cell. */
export function typedCh01Rows<T>(rows: Record<string, string>[], columns: (keyof T)[]): T[] {
  return rows.map((r) => Object.fromEntries(columns.map((c) => [c, c === "optimizer" || c === "fn" ? r[c as string] : r[c as string] === "" || r[c as string] === undefined ? null : Number(r[c as string])])) as T);
}

/** One cell of the benchmark: an optimiser on a function in one dimension, seeds 0..seeds−1 (the registry's unit). */
export interface Ch01CellSpec {
  optimizer: string;
  fn: string;
  dim: number;
  seeds: number;
  maxEvals: number;
}

/** The benchmark's cells (the same grid and budgets as `runCh01`). */
export function ch01Cells(quick = false): Ch01CellSpec[] {
  const b = quick ? { functions: ["sphere", "rot-ellipsoid"], dims: [2, CURVE_DIM], seeds: 2, budgetPerDim: 200, minEvals: 400 } : { ...CH01_BENCH };
  const out: Ch01CellSpec[] = [];
  for (const fn of b.functions) for (const dim of b.dims) for (const optimizer of CH01_BENCH.optimizers) out.push({ optimizer, fn, dim, seeds: b.seeds, maxEvals: Math.max(b.minEvals, b.budgetPerDim * dim) });
  return out;
}

/** Run one cell: its per-seed rows and, in CURVE_DIM dimensions, its convergence points. */
export function runCh01Cell(c: Ch01CellSpec): { runs: Ch01Run[]; curves: Ch01CurvePoint[] } {
  const runs: Ch01Run[] = [];
  const curves: Ch01CurvePoint[] = [];
  for (let seed = 0; seed < c.seeds; seed++) {
    const r = runOnce(c.optimizer, c.fn, c.dim, seed, { maxEvals: c.maxEvals });
    runs.push({ optimizer: r.optimizer, fn: r.fn, dim: r.dim, seed, maxEvals: c.maxEvals, evalsToTarget: r.evalsToTarget, bestGap: r.bestGap, evaluations: r.evaluations, optimizerMs: r.optimizerMs, fnMs: r.fnMs });
    if (c.dim === CURVE_DIM) curves.push(...downsampleTrace(r).map(([evals, gap]) => ({ optimizer: r.optimizer, fn: r.fn, dim: r.dim, seed, evals, gap })));
  }
  return { runs, curves };
}

/** Summary rows (successes, median evaluations, …) per optimiser × function × dimension, from per-run rows. */
export function summarize(runs: readonly Ch01Run[]): BenchmarkRow[] {
  const groups = new Map<string, Ch01Run[]>();
  for (const r of runs) {
    const k = `${r.optimizer}|${r.fn}|${r.dim}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  return [...groups.values()].map((g) => summarizeRuns(g, g[0]!.maxEvals));
}

/** Run the benchmark and write both files (whole files: the benchmark takes minutes, so it is not resumable). */
export function runCh01(o: { runsOut: string; curvesOut: string; quick?: boolean; onRun?: (done: number, total: number) => void }): { runs: Ch01Run[]; curves: Ch01CurvePoint[] } {
  const cells = ch01Cells(o.quick);
  const total = cells.reduce((n, c) => n + c.seeds, 0);
  const runs: Ch01Run[] = [];
  const curves: Ch01CurvePoint[] = [];
  for (const c of cells) {
    const r = runCh01Cell(c);
    runs.push(...r.runs);
    curves.push(...r.curves);
    o.onRun?.(runs.length, total);
  }
  writeCsv(o.runsOut, CH01_RUN_COLUMNS, runs);
  writeCsv(o.curvesOut, CH01_CURVE_COLUMNS, curves);
  return { runs, curves };
}

// ─── the 2-D landscape (computed live: a few milliseconds) ───────────────────────────────────────────────────────

export interface Landscape {
  /** Grid coordinates (both axes) and the log-scaled return −log10(1 − R) on it (z[row = y][col = x]). */
  grid: number[];
  z: number[][];
  lim: number;
  /** Each method's generations. */
  traces: Record<string, Snapshot[]>;
}

/**
 * Maximise R(x) = −f(R_θ x) for an ellipsoid f with condition 100 rotated by 45°-ish (its long axis diagonal), from
 * the same start with the same spread and 20 samples per generation, for `gens` generations of each method.
 * `stdMomentum` applies to both CEMs (0.5 is the library default; 0 shows the variance collapse).
 */
export function landscapeRun(opts: { gens?: number; stdMomentum?: number; methods?: ("CEM" | "CEM, full covariance" | "CMA-ES")[] } = {}): Landscape {
  const fn = rotated(ellipsoid(2, 100), 3);
  const ret = (x: ArrayLike<number>) => -fn.f(x);
  const start = { x0: [-3.2, 2.4], sigma0: 0.8, seed: 2, maximize: true, popsize: 20 };
  const gens = opts.gens ?? 30;
  const make = { CEM: () => new Cem({ ...start, stdMomentum: opts.stdMomentum }), "CEM, full covariance": () => new CemFull({ ...start, stdMomentum: opts.stdMomentum }), "CMA-ES": () => new CmaEs({ ...start }) };
  const traces: Record<string, Snapshot[]> = {};
  for (const m of opts.methods ?? (["CEM", "CEM, full covariance", "CMA-ES"] as const)) traces[m] = trace2d(make[m](), ret, gens);
  const lim = 4.5;
  const cells = 91;
  const grid = Array.from({ length: cells }, (_, i) => -lim + (2 * lim * i) / (cells - 1));
  const z = grid.map((y) => grid.map((x) => -Math.log10(1 - ret([x, y]))));
  return { grid, z, lim, traces };
}
