/**
 * Chapter 1's figures: the optimisers on a 2-D return landscape (a grid of generations, and an animation), the
 * convergence curves of the 10-D benchmark runs, and the benchmark as a success heatmap. Data: the live
 * `landscapeRun` (src/experiments/ch01-optim.ts) and the committed data/results/ch01-benchmark.csv, ch01-curves.csv.
 */
import { CURVE_DIM, summarize, type Ch01CurvePoint, type Ch01Run, type Landscape } from "../../experiments/ch01-optim.js";
import { OPTIMIZER_LABELS, convergenceCurves } from "../../optim/benchmark.js";
import { ellipse2d, type Snapshot } from "../../optim/trace.js";
import { symmetricEigen } from "../../optim/linalg.js";
import { withAlpha } from "../evidence.js";
import type { Figure } from "../plotly.js";

export const OPTIMIZER_COLORS: Record<string, string> = { cem: "#d62728", "cem-full": "#ff7f0e", cmaes: "#1f77b4", "sep-cmaes": "#2ca02c", "ipop-cmaes": "#9467bd" };

/** Largest standard deviation of a 2-D Gaussian (√ of the covariance's largest eigenvalue). */
export function sigmaMax(cov: ArrayLike<number>): number {
  return Math.sqrt(Math.max(...symmetricEigen(cov, 2).values));
}

/** The traces of one panel: samples, the selected ones, the 1σ ellipse, the mean, the optimum. */
function panelTraces(snap: Snapshot, axis: string, showlegend: boolean): Record<string, unknown>[] {
  const sel = new Set(snap.selected);
  const ell = ellipse2d(snap.mean, snap.cov, 1);
  const pts = (keep: (i: number) => boolean) => snap.samples.filter((_, i) => keep(i));
  const others = pts((i) => !sel.has(i));
  const elites = pts((i) => sel.has(i));
  const ax = { xaxis: `x${axis}`, yaxis: `y${axis}`, showlegend };
  return [
    { x: others.map((p) => p[0]), y: others.map((p) => p[1]), mode: "markers", type: "scatter", name: "samples", legendgroup: "s", marker: { color: "white", size: 5, line: { color: "black", width: 0.5 } }, ...ax },
    { x: elites.map((p) => p[0]), y: elites.map((p) => p[1]), mode: "markers", type: "scatter", name: "selected (CEM's elites, CMA-ES's best μ)", legendgroup: "e", marker: { color: "red", size: 6 }, ...ax },
    { x: ell.x, y: ell.y, mode: "lines", type: "scatter", name: "1σ ellipse of the sampling distribution", legendgroup: "l", line: { color: "black", width: 2 }, ...ax },
    { x: [snap.mean[0]], y: [snap.mean[1]], mode: "markers", type: "scatter", name: "mean", legendgroup: "m", marker: { symbol: "star", size: 12, color: "black" }, ...ax },
    { x: [0], y: [0], mode: "markers", type: "scatter", name: "optimum (return 0)", legendgroup: "o", marker: { symbol: "x", size: 13, color: "white", line: { width: 1.5, color: "black" } }, ...ax },
  ];
}

function heat(land: Landscape, axis: string, showscale: boolean): Record<string, unknown> {
  return {
    type: "heatmap", x: land.grid, y: land.grid, z: land.z, colorscale: "Viridis", showscale, zmin: 0,
    colorbar: { title: { text: "−log₁₀(1 − return)<br>(higher = better)", side: "right" }, len: 0.6 },
    xaxis: `x${axis}`, yaxis: `y${axis}`, hoverinfo: "skip",
  };
}

/**
 * The landscape at a few generations: one row per method, one column per generation, square panels that the
 * heatmap fills, tick labels on the outer panels, the spread σ (largest axis of the ellipse) written in each panel.
 */
export function landscapeFigure(land: Landscape, gens: number[] = [0, 2, 5, 10, 20]): Figure {
  const methods = Object.keys(land.traces);
  const C = gens.length;
  const R = methods.length;
  const s = 210; // panel side in px
  const g = 28; // gap
  const m = { l: 110, r: 130, t: 80, b: 120 };
  const W = m.l + m.r + C * s + (C - 1) * g;
  const H = m.t + m.b + R * s + (R - 1) * g;
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const data: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = {
    title: { text: "Maximising a rotated, ill-conditioned return<br><sub>20 samples per generation, the same start for every method; σ = the ellipse's longest semi-axis</sub>" },
    width: W, height: H, margin: m, showlegend: true,
    legend: { orientation: "h", x: 0, y: -60 / ph, yanchor: "top" },
  };
  const annotations: Record<string, unknown>[] = [];
  methods.forEach((method, row) => {
    gens.forEach((gen, col) => {
      const k = row * C + col + 1;
      const axis = k === 1 ? "" : String(k);
      const snaps = land.traces[method]!;
      const snap = snaps[Math.min(gen, snaps.length - 1)]!;
      data.push(heat(land, axis, k === 1));
      data.push(...panelTraces(snap, axis, k === 1));
      const x0 = (col * (s + g)) / pw;
      const y1 = 1 - (row * (s + g)) / ph;
      const dx = { range: [-land.lim, land.lim], domain: [x0, x0 + s / pw], tickvals: [-4, -2, 0, 2, 4], showticklabels: row === R - 1, title: row === R - 1 ? { text: "x₁" } : undefined, anchor: `y${axis}` };
      const dy = { range: [-land.lim, land.lim], domain: [y1 - s / ph, y1], tickvals: [-4, -2, 0, 2, 4], showticklabels: col === 0, title: col === 0 ? { text: `<b>${method}</b><br>x₂` } : undefined, anchor: `x${axis}` };
      layout[`xaxis${axis}`] = dx;
      layout[`yaxis${axis}`] = dy;
      annotations.push({ text: `σ = ${sigmaMax(snap.cov).toPrecision(2)}`, xref: `x${axis}`, yref: `y${axis}`, x: -land.lim + 0.2, y: -land.lim + 0.2, xanchor: "left", yanchor: "bottom", showarrow: false, font: { color: "white", size: 12 }, bgcolor: "rgba(0,0,0,0.45)" });
      if (row === 0) annotations.push({ text: `generation ${gen}`, xref: "paper", yref: "paper", x: x0 + s / (2 * pw), y: 1 + 8 / ph, xanchor: "center", yanchor: "bottom", showarrow: false, font: { size: 14 } });
    });
  });
  layout.annotations = annotations;
  return { data, layout };
}

/** The same run as an animation (one panel per method, a slider over generations). */
export function landscapeAnimation(land: Landscape): Figure {
  const methods = Object.keys(land.traces);
  const n = Math.min(...methods.map((mm) => land.traces[mm]!.length));
  const frameData = (gen: number) => methods.flatMap((mm, i) => panelTraces(land.traces[mm]![gen]!, i === 0 ? "" : String(i + 1), i === 0));
  const layout: Record<string, unknown> = {
    title: { text: `${methods.join(" · ")} on the rotated landscape (slider: generation)` },
    grid: { rows: 1, columns: methods.length, pattern: "independent" },
    height: 520,
    legend: { orientation: "h", x: 0, y: 1.12 },
    margin: { t: 110, b: 120 },
    sliders: [{ currentvalue: { prefix: "generation " }, y: -0.08, steps: Array.from({ length: n }, (_, gen) => ({ label: String(gen), method: "animate", args: [[String(gen)], { mode: "immediate", frame: { duration: 0, redraw: true }, transition: { duration: 0 } }] })) }],
    updatemenus: [{ type: "buttons", showactive: false, x: 0, y: -0.08, xanchor: "right", buttons: [{ label: "▶ play", method: "animate", args: [null, { frame: { duration: 500, redraw: true }, fromcurrent: true }] }] }],
  };
  methods.forEach((mm, i) => {
    const axis = i === 0 ? "" : String(i + 1);
    layout[`xaxis${axis}`] = { range: [-land.lim, land.lim], title: { text: `x₁ — ${mm}` } };
    layout[`yaxis${axis}`] = { range: [-land.lim, land.lim], scaleanchor: `x${axis}`, title: i === 0 ? { text: "x₂" } : undefined };
  });
  const perPanel = panelTraces(land.traces[methods[0]!]![0]!, "", true).length;
  return {
    data: [...methods.map((_, i) => heat(land, i === 0 ? "" : String(i + 1), i === 0)), ...frameData(0)],
    frames: Array.from({ length: n }, (_, gen) => ({ name: String(gen), data: frameData(gen), traces: Array.from({ length: methods.length * perPanel }, (_, k) => methods.length + k) })),
    layout,
  };
}

/** Best f − f* against evaluations in 10-D: median over seeds (line) and interquartile range (band), 2×2 panels. */
export function convergenceFigure(points: readonly Ch01CurvePoint[], wanted: string[] = ["ellipsoid", "rot-ellipsoid", "rosenbrock", "rastrigin"]): Figure {
  const optimizers = [...new Set(points.map((p) => p.optimizer))];
  const fns = wanted.filter((fn) => points.some((p) => p.fn === fn));
  const rows = Math.ceil(fns.length / 2);
  const data: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = {
    title: { text: `Best f − f* so far, n = ${CURVE_DIM}<br><sub>median over seeds (line) and interquartile range (band)</sub>` },
    grid: { rows, columns: 2, pattern: "independent", xgap: 0.12, ygap: 0.2 },
    width: 1000, height: 170 + 300 * rows, margin: { t: 80, b: 150 },
    legend: { orientation: "h", x: 0, y: -0.28 / rows },
  };
  fns.forEach((fn, c) => {
    const axis = c === 0 ? "" : String(c + 1);
    for (const o of optimizers) {
      const runs = new Map<number, [number, number][]>();
      for (const p of points.filter((q) => q.fn === fn && q.optimizer === o)) {
        if (!runs.has(p.seed)) runs.set(p.seed, []);
        runs.get(p.seed)!.push([p.evals, p.gap]);
      }
      if (!runs.size) continue;
      const cv = convergenceCurves([...runs.values()].map((trace) => ({ trace, evaluations: trace[trace.length - 1]![0] })), 50);
      const floor = (v: number[]) => v.map((gap) => Math.max(gap, 1e-10));
      const color = OPTIMIZER_COLORS[o] ?? "#333";
      const ax = { xaxis: `x${axis}`, yaxis: `y${axis}` };
      data.push({ x: cv.evals, y: floor(cv.q75), mode: "lines", line: { width: 0 }, showlegend: false, hoverinfo: "skip", ...ax });
      data.push({ x: cv.evals, y: floor(cv.q25), mode: "lines", line: { width: 0 }, fill: "tonexty", fillcolor: withAlpha(color, 0.18), showlegend: false, hoverinfo: "skip", ...ax });
      const dash = o === "ipop-cmaes" ? "dash" : o === "cem-full" ? "dot" : "solid";
      data.push({ x: cv.evals, y: floor(cv.median), mode: "lines", name: `${OPTIMIZER_LABELS[o as keyof typeof OPTIMIZER_LABELS] ?? o} (${runs.size} seeds)`, legendgroup: o, line: { color, width: o === "cmaes" ? 3 : 2, dash }, showlegend: c === 0, ...ax });
    }
    layout[`xaxis${axis}`] = { type: "log", dtick: 1, exponentformat: "power", title: c >= fns.length - 2 ? { text: "function evaluations" } : undefined };
    layout[`yaxis${axis}`] = { type: "log", dtick: 2, exponentformat: "power", range: [-9, 7], title: c % 2 === 0 ? { text: "best f − f* so far" } : undefined };
    annotations.push({ text: `<b>${fn}</b>`, xref: `x${axis} domain`, yref: `y${axis} domain`, x: 0.5, y: 1.02, xanchor: "center", yanchor: "bottom", showarrow: false, font: { size: 14 } });
  });
  layout.annotations = annotations;
  return { data, layout };
}

/** The benchmark as a heatmap: share of seeds that reached f − f* ≤ 1e-8, with successes and median evaluations written in. */
export function benchmarkHeatmap(runs: readonly Ch01Run[]): Figure {
  const rows = summarize(runs);
  const optimizers = [...new Set(rows.map((r) => r.optimizer))];
  const cases = [...new Set(rows.map((r) => `${r.fn}, n = ${r.dim}`))];
  const cell = (c: string, o: string) => rows.find((r) => `${r.fn}, n = ${r.dim}` === c && r.optimizer === o);
  const z = cases.map((c) => optimizers.map((o) => { const r = cell(c, o); return r ? r.successes / r.seeds : null; }));
  const text = cases.map((c) => optimizers.map((o) => {
    const r = cell(c, o);
    if (!r) return "";
    return r.medianEvals !== null ? `${r.successes}/${r.seeds} · ${Math.round(r.medianEvals)}` : `0/${r.seeds} · gap ${r.medianBestGap.toExponential(0)}`;
  }));
  const seeds = Math.max(...rows.map((r) => r.seeds));
  const budgets = [...new Map(rows.map((r) => [r.dim, r.maxEvals])).entries()].sort((a, b) => a[0] - b[0]).map(([d, e]) => `${e} at n = ${d}`);
  return {
    data: [{
      type: "heatmap", x: optimizers.map((o) => OPTIMIZER_LABELS[o as keyof typeof OPTIMIZER_LABELS] ?? o), y: cases, z, text, texttemplate: "%{text}", textfont: { size: 11 },
      colorscale: [[0, "#f7f7f7"], [0.5, "#a1d99b"], [1, "#238b45"]], zmin: 0, zmax: 1, xgap: 2, ygap: 2,
      colorbar: { title: { text: "share of seeds<br>reaching 1e-8" }, tickformat: ".0%" }, hovertemplate: "%{y} · %{x}: %{text}<extra></extra>",
    }],
    layout: {
      title: { text: `Successes / ${seeds} seeds · median evaluations to f − f* ≤ 1e-8 (if none: median best gap)<br><sub>evaluation budget per run: ${budgets.join(", ")}</sub>`, font: { size: 15 } },
      yaxis: { autorange: "reversed" },
      xaxis: { side: "top" },
      width: 1000, height: Math.max(360, 150 + 30 * cases.length), margin: { l: 150, t: 130 },
    },
  };
}
