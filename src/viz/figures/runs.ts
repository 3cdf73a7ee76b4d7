/**
 * Figures and tables of TD-MPC training runs (chapters 4–5): learning curves of evaluation returns with the mean over
 * seeds, its 95 % CI band and every seed as a point, one panel per task; final returns per variant and task.
 */
import type { ResultRow } from "../../agents/trainer.js";
import { meanCi, seedTraces } from "../evidence.js";
import type { Figure } from "../plotly.js";

/** One colour per variant, the same in every figure of chapters 4–5. */
export const VARIANT_COLORS: Record<string, string> = {
  tdmpc: "#1f77b4",
  independent: "#d62728",
  no_consistency: "#9467bd",
  reconstruction: "#8c564b",
  mpc: "#7f7f7f",
  mpc_q: "#ff7f0e",
  mpc_pi: "#2ca02c",
  policy: "#e377c2",
  poplin_a: "#17becf",
  poplin_p: "#bcbd22",
  pets: "#000000",
  td: "#1f77b4",
  bc: "#2ca02c",
  rwr: "#ff7f0e",
  awr: "#9467bd",
};

export const colorOf = (name: string, i = 0): string => VARIANT_COLORS[name] ?? ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"][i % 5]!;

/**
 * One legend entry per group: the mean line's, named by the group alone (`seedTraces` makes two, "…: mean, 95 % CI"
 * and "…: one seed each"); the figure's title says what the band and the points are.
 */
export function compactLegend(traces: Record<string, unknown>[]): Record<string, unknown>[] {
  return traces.map((t) => {
    const name = String(t.name ?? "");
    if (name.endsWith(": one seed each")) return { ...t, showlegend: false };
    return name.endsWith(": mean, 95 % CI") ? { ...t, name: name.slice(0, -": mean, 95 % CI".length) } : t;
  });
}

/** What every figure of chapters 4–5 draws, for its title. */
export const EVIDENCE = "line: mean over seeds, band/bars: 95 % CI, points: single seeds";

/** Evaluation returns per env step over seeds: keys = env steps (where every seed of the group has one), values. */
export function evalCurve(rows: ResultRow[], task: string, variant: string): { keys: number[]; values: number[][] } {
  const ev = rows.filter((r) => r.kind === "eval" && r.task === task && r.label === variant);
  const steps = [...new Set(ev.map((r) => r.env_step))].sort((a, b) => a - b);
  return { keys: steps, values: steps.map((s) => ev.filter((r) => r.env_step === s).map((r) => r.return)) };
}

/** Subplot axes: panel i of n side by side (plotly's layout.grid); axis suffixes "", "2", … */
export function panels(n: number, titles: string[], yTitle: string, xTitle: string, o: { xLog?: boolean } = {}): Record<string, unknown> {
  const layout: Record<string, unknown> = { grid: { rows: 1, columns: n, pattern: "independent" }, annotations: [] as unknown[] };
  for (let i = 0; i < n; i++) {
    const s = i === 0 ? "" : String(i + 1);
    layout[`xaxis${s}`] = { title: { text: xTitle }, ...(o.xLog ? { type: "log" } : {}) };
    layout[`yaxis${s}`] = { title: { text: i === 0 ? yTitle : "" } };
    (layout.annotations as unknown[]).push({ text: titles[i], showarrow: false, xref: `x${s} domain`, yref: `y${s} domain`, x: 0.5, y: 1.08, xanchor: "center", font: { size: 13 } });
  }
  return layout;
}

/** Learning curves: one panel per task that has runs, one band + mean + seed points per variant. */
export function learningCurves(rows: ResultRow[], opts: { tasks: string[]; variants: string[]; titles: Record<string, string>; title: string; height?: number }): Figure {
  const o = { ...opts, tasks: opts.tasks.filter((t) => rows.some((r) => r.task === t && opts.variants.includes(r.label))) };
  const data: Record<string, unknown>[] = [];
  const shown = new Set<string>(); // one legend entry per variant, wherever it first appears
  o.tasks.forEach((task, i) => {
    o.variants.forEach((v, j) => {
      const c = evalCurve(rows, task, v);
      if (!c.keys.length) return;
      data.push(...seedTraces(c.keys, c.values, { name: o.titles[v] ?? v, color: colorOf(v, j), axis: i === 0 ? "" : String(i + 1), line: true, showlegend: !shown.has(v) }));
      shown.add(v);
    });
  });
  const seeds = Math.max(0, ...o.tasks.flatMap((t) => o.variants.map((v) => new Set(rows.filter((r) => r.task === t && r.label === v).map((r) => r.seed)).size)));
  const layout = returnAxes(panels(o.tasks.length, o.tasks, "evaluation return (mean of the episodes; max 1000)", "environment steps"), o.tasks.length);
  return {
    data: compactLegend(cutAtReturnBounds(data)),
    layout: {
      title: { text: `${o.title}<br><sup>up to ${seeds} seeds; ${EVIDENCE}; ${BANDS_CUT}</sup>` },
      ...layout,
      legend: { orientation: "h", y: -0.25, yanchor: "top" },
      margin: { b: 150 },
      height: o.height ?? 520,
    },
  };
}

/** A type (not an interface) so that rows go straight into `showTable`. */
export type FinalReturn = {
  variant: string;
  task: string;
  seeds: number;
  mean: number;
  /** Half-width of the 95 % CI of the mean (NaN with one seed). */
  ci95: number;
  min: number;
  max: number;
  perSeed: string;
};

/** The last evaluation of every finished run, per variant and task (seeds that reached `steps[task]`). */
export function finalReturns(rows: ResultRow[], variants: string[], tasks: string[], steps: Record<string, number>): FinalReturn[] {
  const out: FinalReturn[] = [];
  for (const task of tasks)
    for (const variant of variants) {
      const last = rows.filter((r) => r.kind === "eval" && r.task === task && r.label === variant && r.env_step >= steps[task]!).sort((a, b) => a.seed - b.seed);
      if (!last.length) continue;
      const xs = last.map((r) => r.return);
      const s = meanCi(xs);
      out.push({ variant, task, seeds: s.n, mean: s.mean, ci95: s.half, min: s.min, max: s.max, perSeed: last.map((r) => `${r.seed}: ${r.return.toFixed(0)}`).join(", ") });
    }
  return out;
}

/** What a figure whose bands were cut says in its subtitle. */
export const BANDS_CUT = "bands cut at 0 and 1000";

/**
 * An episode's return lies in [0, 1000]: with 2–3 seeds a t-interval reaches far outside it, so the y values of
 * bands and lines are cut at those bounds (the subtitle says how many seeds; BANDS_CUT says it was done).
 */
export function cutAtReturnBounds(data: Record<string, unknown>[]): Record<string, unknown>[] {
  return cutY(data, 0, 1000);
}

/** Every trace's y values clamped to [lo, hi] (a t-interval of seeds may cross a bound its quantity cannot). */
export function cutY(data: Record<string, unknown>[], lo: number, hi: number): Record<string, unknown>[] {
  return data.map((t) => (Array.isArray(t.y) ? { ...t, y: (t.y as (number | null)[]).map((y) => (typeof y === "number" ? Math.min(hi, Math.max(lo, y)) : y)) } : t));
}

/** Every return panel of a `panels` layout on the same y range, [0, 1000] with a margin. */
export function returnAxes<L extends Record<string, unknown>>(layout: L, n: number): L {
  for (let i = 0; i < n; i++) {
    const axis = layout[`yaxis${i === 0 ? "" : i + 1}`] as Record<string, unknown> | undefined;
    if (axis) axis.range = [-20, 1050];
  }
  return layout;
}
