/**
 * Honest evidence in figures: every seed as its own point, the mean over seeds, and a 95 % confidence interval of
 * that mean (Student's t, since a handful of seeds is the rule here). Used by every chapter's figures so that
 * "mean ± CI with the seeds on top" looks and means the same everywhere.
 */

/** Two-sided 95 % quantile of Student's t with `df` degrees of freedom (table for df ≤ 30, then the normal's 1.96). */
export function t95(df: number): number {
  const table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];
  if (!(df >= 1)) return Number.NaN;
  return df <= 30 ? table[Math.floor(df) - 1]! : 1.96;
}

export interface MeanCi {
  n: number;
  mean: number;
  /** Half-width of the 95 % confidence interval of the mean (NaN with one value). */
  half: number;
  min: number;
  max: number;
}

/** Mean and 95 % CI half-width of `xs` (sample std, t quantile). */
export function meanCi(xs: readonly number[]): MeanCi {
  const n = xs.length;
  if (!n) return { n, mean: Number.NaN, half: Number.NaN, min: Number.NaN, max: Number.NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : Number.NaN;
  return { n, mean, half: n > 1 ? (t95(n - 1) * sd) / Math.sqrt(n) : Number.NaN, min: Math.min(...xs), max: Math.max(...xs) };
}

/** Group `rows` by `x(row)` (first-seen order) and collect `y(row)`. */
export function groupBy<R, K extends string | number>(rows: readonly R[], x: (r: R) => K, y: (r: R) => number): { keys: K[]; values: number[][] } {
  const m = new Map<K, number[]>();
  for (const r of rows) {
    const k = x(r);
    if (!m.has(k)) m.set(k, []);
    m.get(k)!.push(y(r));
  }
  return { keys: [...m.keys()], values: [...m.values()] };
}

export interface SeedTraceOptions {
  name: string;
  color: string;
  /** Axis suffix for subplots ("", "2", …). */
  axis?: string;
  showlegend?: boolean;
  /** Horizontal spread of the seed points, in x units (or category fraction for string x): keeps them apart. */
  jitter?: number;
  /** Log-x: jitter multiplicatively. */
  logX?: boolean;
  /** Connect the means with a line (numeric x) instead of drawing separate markers (categories). */
  line?: boolean;
}

/** An rgba() string for a hex colour with alpha. */
export function withAlpha(hex: string, alpha: number): string {
  const v = parseInt(hex.replace("#", ""), 16);
  return `rgba(${(v >> 16) & 255},${(v >> 8) & 255},${v & 255},${alpha})`;
}

/**
 * Plotly traces for one group of runs: the 95 % CI of the mean (a band for numeric x with `line`, error bars
 * otherwise), the mean, and every seed as a small hollow marker.
 */
export function seedTraces(keys: readonly (string | number)[], values: readonly number[][], o: SeedTraceOptions): Record<string, unknown>[] {
  const axes = { xaxis: `x${o.axis ?? ""}`, yaxis: `y${o.axis ?? ""}` };
  const stats = values.map((v) => meanCi(v));
  const traces: Record<string, unknown>[] = [];
  const numeric = keys.every((k) => typeof k === "number");
  if (o.line && numeric) {
    const xs = keys as number[];
    const lo = stats.map((s) => s.mean - (Number.isNaN(s.half) ? 0 : s.half));
    const hi = stats.map((s) => s.mean + (Number.isNaN(s.half) ? 0 : s.half));
    traces.push({ x: [...xs, ...[...xs].reverse()], y: [...hi, ...[...lo].reverse()], type: "scatter", mode: "lines", fill: "toself", fillcolor: withAlpha(o.color, 0.15), line: { width: 0 }, hoverinfo: "skip", showlegend: false, ...axes });
    traces.push({ x: xs, y: stats.map((s) => s.mean), type: "scatter", mode: "lines+markers", name: `${o.name}: mean, 95 % CI`, line: { color: o.color, width: 2.5 }, marker: { size: 7 }, showlegend: o.showlegend ?? true, legendgroup: o.name, ...axes });
  } else {
    traces.push({
      x: keys, y: stats.map((s) => s.mean), type: "scatter", mode: "markers", name: `${o.name}: mean, 95 % CI`,
      marker: { color: o.color, size: 11, symbol: "line-ew-open", line: { width: 3, color: o.color } },
      error_y: { type: "data", array: stats.map((s) => (Number.isNaN(s.half) ? 0 : s.half)), visible: true, color: o.color, thickness: 1.5, width: 8 },
      showlegend: o.showlegend ?? true, legendgroup: o.name, ...axes,
    });
  }
  const jx: (string | number)[] = [];
  const jy: number[] = [];
  keys.forEach((k, i) => {
    const v = values[i]!;
    v.forEach((y, j) => {
      const off = v.length > 1 ? (j / (v.length - 1) - 0.5) * (o.jitter ?? 0) : 0;
      jx.push(typeof k === "number" ? (o.logX ? k * Math.exp(off) : k + off) : k);
      jy.push(y);
    });
  });
  traces.push({ x: jx, y: jy, type: "scatter", mode: "markers", name: `${o.name}: one seed each`, marker: { color: withAlpha(o.color, 0.85), size: 6, symbol: "circle-open", line: { width: 1.5 } }, showlegend: o.showlegend ?? true, legendgroup: o.name, ...axes });
  return traces;
}

/** "mean [lo, hi] (n seeds)" for prose printed from data. */
export function fmtMeanCi(xs: readonly number[], digits = 0): string {
  const s = meanCi(xs);
  const f = (v: number) => v.toFixed(digits);
  if (s.n === 0) return "no runs";
  return Number.isNaN(s.half) ? `${f(s.mean)} (1 seed)` : `${f(s.mean)} ± ${f(s.half)} (95 % CI, ${s.n} seeds; min ${f(s.min)}, max ${f(s.max)})`;
}

/**
 * Exact two-sided permutation test of a difference in means between two small groups of seeds: the share of all
 * ways to split the pooled values into groups of the same sizes whose |mean difference| is at least the observed
 * one (ties count). No normality assumed, which a handful of seeds cannot check. Up to 20 values in all (184,756
 * splits at 10 + 10).
 */
export function permutationTest(a: readonly number[], b: readonly number[]): { diff: number; p: number; splits: number } {
  const all = [...a, ...b];
  const n = all.length;
  if (!a.length || !b.length) throw new RangeError("permutationTest: each group needs at least one value");
  if (n > 20) throw new RangeError(`permutationTest: ${n} values; the exact test enumerates every split and stops at 20`);
  if (all.some((v) => !Number.isFinite(v))) throw new RangeError("permutationTest: a value is not a finite number");
  const total = all.reduce((s, v) => s + v, 0);
  const diffOf = (sumA: number) => sumA / a.length - (total - sumA) / b.length;
  const observed = diffOf(a.reduce((s, v) => s + v, 0));
  const eps = 1e-9 * Math.max(1, Math.abs(observed));
  let extreme = 0;
  let splits = 0;
  // every subset of size |a| of the pooled indices, by recursion over the index
  const walk = (i: number, left: number, sum: number): void => {
    if (left === 0) {
      splits++;
      if (Math.abs(diffOf(sum)) >= Math.abs(observed) - eps) extreme++;
      return;
    }
    if (n - i < left) return;
    walk(i + 1, left - 1, sum + all[i]!);
    walk(i + 1, left, sum);
  };
  walk(0, a.length, 0);
  return { diff: observed, p: extreme / splits, splits };
}
