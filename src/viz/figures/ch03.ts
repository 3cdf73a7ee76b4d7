/**
 * Chapter 3's figures: the PETS learning curve against what the task allows, the PETS ablations, multi-step
 * prediction error, the ensemble's uncertainty along a swing-up it never saw, and the 1-D regression with a gap.
 * Data: data/results/pets-cartpole-swingup.csv, ch03-*.csv (committed), and live fits for the 1-D example.
 */
import type { AblationRow, GapFit, MultistepRow, PetsCsvRow, ReferenceRow, UncertaintyRow } from "../../experiments/ch03-models.js";
import { meanCi, withAlpha } from "../evidence.js";
import type { Figure } from "../plotly.js";

const RETURN_AXIS = { title: { text: "episode return (of 1000)" }, range: [-20, 1060], tickvals: [0, 200, 400, 600, 800, 1000] };
export const VARIANT_COLORS: Record<string, string> = { D: "#8c564b", P: "#e377c2", DE: "#2ca02c", "PE, TS-∞": "#1f77b4", "PE, TS-1": "#ff7f0e" };

/** Mean and 95 % CI over seeds of y at each x (the x values all seeds share). */
function bandOver<R>(rows: readonly R[], seed: (r: R) => number, x: (r: R) => number, y: (r: R) => number): { xs: number[]; mean: number[]; lo: number[]; hi: number[]; seeds: Map<number, R[]> } {
  const seeds = new Map<number, R[]>();
  for (const r of rows) {
    if (!seeds.has(seed(r))) seeds.set(seed(r), []);
    seeds.get(seed(r))!.push(r);
  }
  for (const v of seeds.values()) v.sort((a, b) => x(a) - x(b));
  const n = Math.min(...[...seeds.values()].map((v) => v.length));
  const first = [...seeds.values()][0] ?? [];
  const xs = first.slice(0, n).map(x);
  const stats = xs.map((_, i) => meanCi([...seeds.values()].map((v) => y(v[i]!))));
  const half = (s: { half: number }) => (Number.isNaN(s.half) ? 0 : s.half);
  return { xs, mean: stats.map((s) => s.mean), lo: stats.map((s) => s.mean - half(s)), hi: stats.map((s) => s.mean + half(s)), seeds };
}

function band(xs: number[], lo: number[], hi: number[], color: string, axis = ""): Record<string, unknown> {
  return { x: [...xs, ...[...xs].reverse()], y: [...hi, ...[...lo].reverse()], type: "scatter", mode: "lines", fill: "toself", fillcolor: withAlpha(color, 0.15), line: { width: 0 }, hoverinfo: "skip", showlegend: false, xaxis: `x${axis}`, yaxis: `y${axis}` };
}

function hline(x1: number, y: number, name: string, dash: string, color: string, rank: number): Record<string, unknown> {
  return { x: [0, x1], y: [y, y], type: "scatter", mode: "lines", name, line: { dash, color, width: 2 }, legendrank: rank };
}

/**
 * PETS on cartpole-swingup: each seed's curve, the mean with its 95 % CI, and three references — MPC on the true
 * simulator (chapter 2's oracle, its budget in the legend), the energy swing-up controller and a random policy.
 */
export function petsFigure(rows: readonly PetsCsvRow[], refs: { oracle?: { mean: number; seeds: number; budget: string }; references?: readonly ReferenceRow[] } = {}): Figure {
  const b = bandOver(rows, (r) => r.seed, (r) => r.envSteps, (r) => r.episodeReturn);
  const blue = "#1f77b4";
  const data: Record<string, unknown>[] = [band(b.xs, b.lo, b.hi, blue)];
  data.push({ x: b.xs, y: b.mean, type: "scatter", mode: "lines+markers", name: `PETS: mean of ${b.seeds.size} seeds, 95 % CI`, line: { color: blue, width: 3 }, legendrank: 1 });
  [...b.seeds.entries()].forEach(([s, v], i) =>
    data.push({ x: v.map((r) => r.envSteps), y: v.map((r) => r.episodeReturn), type: "scatter", mode: "lines+markers", name: "PETS: one seed each", legendgroup: "seeds", showlegend: i === 0, line: { color: withAlpha(blue, 0.45), width: 1 }, marker: { size: 4 }, hovertext: `seed ${s}`, legendrank: 2 }),
  );
  const x1 = b.xs[b.xs.length - 1] ?? 0;
  if (refs.oracle) data.push(hline(x1, refs.oracle.mean, `MPC on the true simulator, ${refs.oracle.budget} (ch. 2; ${refs.oracle.seeds} seeds)`, "dash", "#333", 3));
  for (const [kind, label, dash, rank] of [["hand", "energy swing-up controller", "dashdot", 4], ["random", "uniformly random actions", "dot", 5]] as const) {
    const v = (refs.references ?? []).filter((r) => r.reference === kind);
    if (v.length) data.push(hline(x1, meanCi(v.map((r) => r.episodeReturn)).mean, `${label} (${v.length} seeds, action repeat ${v[0]!.actionRepeat})`, dash, "#777", rank));
  }
  return {
    data,
    layout: {
      title: { text: "PETS on cartpole-swingup<br><sub>ensemble of 5; CEM 100 samples × 3 iterations × 5 particles, H = 10 (0.8 s), action repeat 8</sub>" },
      xaxis: { title: { text: "environment steps (control steps of 0.01 s)" }, rangemode: "tozero" },
      yaxis: RETURN_AXIS,
      legend: { orientation: "h", y: -0.22, traceorder: "normal" },
      margin: { b: 140 },
      height: 500,
    },
  };
}

export const ABLATION_ORDER = ["D", "P", "DE", "PE, TS-∞", "PE, TS-1"];

/**
 * Each variant's return per seed, averaged over its last three episodes up to the environment steps every variant
 * reached (the arms may have run for different numbers of rounds): a comparison at equal experience.
 */
export function ablationFinals(rows: readonly AblationRow[]): { upTo: number; finals: { variant: string; seed: number; ret: number }[] } {
  const variants = ABLATION_ORDER.filter((v) => rows.some((r) => r.variant === v));
  const upTo = Math.min(...variants.map((v) => Math.max(...rows.filter((r) => r.variant === v).map((r) => r.envSteps))));
  const finals = variants.flatMap((v) =>
    [...new Set(rows.filter((r) => r.variant === v).map((r) => r.seed))].map((seed) => {
      const eps = rows.filter((r) => r.variant === v && r.seed === seed && r.envSteps <= upTo).sort((a, b) => a.envSteps - b.envSteps).slice(-3);
      return { variant: v, seed, ret: meanCi(eps.map((r) => r.episodeReturn)).mean };
    }),
  );
  return { upTo, finals };
}

/** PETS ablations: learning curves (mean, 95 % CI) per variant, and each seed's return at equal experience. */
export function ablationFigure(rows: readonly AblationRow[]): Figure {
  const variants = ABLATION_ORDER.filter((v) => rows.some((r) => r.variant === v));
  const { upTo, finals: allFinals } = ablationFinals(rows);
  const data: Record<string, unknown>[] = [];
  variants.forEach((v, i) => {
    const color = VARIANT_COLORS[v] ?? "#333";
    const vr = rows.filter((r) => r.variant === v);
    const b = bandOver(vr, (r) => r.seed, (r) => r.envSteps, (r) => r.episodeReturn);
    // five overlapping bands would hide each other: the left panel shows means, the right one each seed and the CI
    data.push({ x: b.xs, y: b.mean, type: "scatter", mode: "lines+markers", name: `${v}: mean of ${b.seeds.size} seeds`, legendgroup: v, line: { color, width: 2.5 }, marker: { size: 5 } });
    const finals = allFinals.filter((f) => f.variant === v).map((f) => f.ret);
    const s = meanCi(finals);
    data.push({ x: finals.map((_, j) => i + (finals.length > 1 ? (j / (finals.length - 1) - 0.5) * 0.3 : 0)), y: finals, type: "scatter", mode: "markers", marker: { color, size: 8, symbol: "circle-open", line: { width: 2 } }, legendgroup: v, showlegend: false, xaxis: "x2", yaxis: "y2", hovertext: v });
    data.push({ x: [i], y: [s.mean], error_y: { type: "data", array: [Number.isNaN(s.half) ? 0 : s.half], visible: true, color }, type: "scatter", mode: "markers", marker: { color, size: 16, symbol: "line-ew-open", line: { width: 3 } }, legendgroup: v, showlegend: false, xaxis: "x2", yaxis: "y2" });
  });
  return {
    data,
    layout: {
      title: { text: "PETS ablations on cartpole-swingup<br><sub>D/P: one deterministic/probabilistic network; DE/PE: ensembles of 5; TS-1/TS-∞: trajectory sampling</sub>" },
      grid: { rows: 1, columns: 2, pattern: "independent" },
      xaxis: { title: { text: "environment steps" }, domain: [0, 0.6] },
      shapes: [{ type: "line", xref: "x", yref: "paper", x0: upTo, x1: upTo, y0: 0, y1: 1, line: { dash: "dot", color: "#555", width: 1.5 } }],
      annotations: [{ text: "compared here →", xref: "x", yref: "paper", x: upTo, y: 1, xanchor: "right", yanchor: "bottom", showarrow: false, font: { size: 11 } }],
      yaxis: RETURN_AXIS,
      xaxis2: { title: { text: `each seed's last 3 episodes up to ${upTo} steps` }, domain: [0.7, 1], tickvals: variants.map((_, i) => i), ticktext: variants, range: [-0.6, variants.length - 0.4] },
      yaxis2: { ...RETURN_AXIS, title: { text: "" } },
      legend: { orientation: "h", y: -0.22 },
      margin: { b: 130 },
      height: 480,
    },
  };
}

/** RMS prediction error k steps ahead, deterministic network vs ensemble mean: mean over seeds with 95 % CI, each seed thin. */
export function multistepFigure(rows: readonly MultistepRow[]): Figure {
  const data: Record<string, unknown>[] = [];
  for (const [model, color, label] of [["deterministic", "#8c564b", "one deterministic network"], ["ensemble", "#1f77b4", "ensemble of 5 (mean prediction)"]] as const) {
    const b = bandOver(rows.filter((r) => r.model === model), (r) => r.seed, (r) => r.k, (r) => r.rmse);
    const sec = b.xs.map((k) => k * 0.08);
    data.push(band(sec, b.lo, b.hi, color));
    data.push({ x: sec, y: b.mean, type: "scatter", mode: "lines+markers", name: `${label}: mean of ${b.seeds.size} seeds, 95 % CI`, line: { color, width: 2.5 } });
    [...b.seeds.values()].forEach((v, i) => data.push({ x: v.map((r) => r.k * 0.08), y: v.map((r) => r.rmse), type: "scatter", mode: "lines", line: { color: withAlpha(color, 0.35), width: 1 }, name: `${label}: one seed each`, legendgroup: `${model}-seeds`, showlegend: i === 0 }));
  }
  return {
    data,
    layout: {
      title: { text: "Prediction error fed back on itself<br><sub>cartpole-swingup, held-out random episodes; models trained on 1000 random steps</sub>" },
      xaxis: { title: { text: "prediction horizon (seconds; one step = 0.08 s at action repeat 8)" }, rangemode: "tozero" },
      yaxis: { title: { text: "RMS state error (state std units)" }, rangemode: "tozero" },
      legend: { orientation: "h", y: -0.22 },
      margin: { b: 130 },
      height: 470,
    },
  };
}

/** Along a swing-up the models never saw: the pole's angle (top) and the ensemble's two kinds of uncertainty (bottom). */
export function uncertaintyFigure(rows: readonly UncertaintyRow[]): Figure {
  const data: Record<string, unknown>[] = [];
  const seeds = [...new Set(rows.map((r) => r.seed))];
  seeds.forEach((s, i) => {
    const v = rows.filter((r) => r.seed === s).sort((a, b) => a.step - b.step);
    data.push({ x: v.map((r) => r.step * 0.08), y: v.map((r) => (Math.acos(Math.max(-1, Math.min(1, r.cosTheta))) * 180) / Math.PI), type: "scatter", mode: "lines", line: { color: withAlpha("#444444", 0.6), width: 1 }, name: "pole angle (one line per seed)", showlegend: i === 0, legendgroup: "angle" });
  });
  for (const [key, color, label] of [["aleatoric", "#ff7f0e", "aleatoric std (predicted noise)"], ["epistemic", "#1f77b4", "epistemic std (members disagree)"]] as const) {
    const b = bandOver(rows, (r) => r.seed, (r) => r.step, (r) => r[key]);
    const t = b.xs.map((k) => k * 0.08);
    data.push(band(t, b.lo, b.hi, color, "2"));
    data.push({ x: t, y: b.mean, type: "scatter", mode: "lines", name: `${label}: mean of ${b.seeds.size} seeds, 95 % CI`, line: { color, width: 2.5 }, xaxis: "x2", yaxis: "y2" });
  }
  return {
    data,
    layout: {
      title: { text: "The ensemble along an energy swing-up it never saw<br><sub>5 probabilistic networks trained on random actions only; cartpole-swingup, one model and swing-up per seed</sub>" },
      grid: { rows: 2, columns: 1, pattern: "independent", roworder: "top to bottom" },
      xaxis: { matches: "x2", showticklabels: false },
      yaxis: { title: { text: "pole from upright (°)" }, range: [0, 185], tickvals: [0, 90, 180], ticktext: ["0 up", "90", "180 down"], domain: [0.62, 1] },
      xaxis2: { title: { text: "time (s)" } },
      yaxis2: { title: { text: "std (standardised units)" }, rangemode: "tozero", domain: [0, 0.52] },
      legend: { orientation: "h", y: -0.18 },
      margin: { b: 130, l: 100 },
      height: 560,
    },
  };
}

/** The 1-D regression with a gap: data, each member's mean, the ensemble mean, ±2 aleatoric std and ±2 total std. */
export function gapFigure(data: { x: number[]; y: number[] }, fit: GapFit, title = "Five probabilistic networks on data with a gap"): Figure {
  const total = fit.xs.map((_, i) => Math.sqrt(fit.aleatoricStd[i]! ** 2 + fit.epistemicStd[i]! ** 2));
  const up = (s: number[]) => fit.mean.map((m, i) => m + 2 * s[i]!);
  const dn = (s: number[]) => fit.mean.map((m, i) => m - 2 * s[i]!);
  const fill = (lo: number[], hi: number[], color: string, name: string) => ({ x: [...fit.xs, ...[...fit.xs].reverse()], y: [...hi, ...[...lo].reverse()], type: "scatter", mode: "lines", fill: "toself", fillcolor: color, line: { width: 0 }, name, hoverinfo: "skip" });
  return {
    data: [
      fill(dn(total), up(total), "rgba(31,119,180,0.15)", "± 2 std, total (aleatoric + epistemic)"),
      fill(dn(fit.aleatoricStd), up(fit.aleatoricStd), "rgba(255,127,14,0.3)", "± 2 std, aleatoric only"),
      ...fit.members.map((m, e) => ({ x: fit.xs, y: m, type: "scatter", mode: "lines", line: { color: "rgba(80,80,80,0.6)", width: 1 }, name: "one member's mean", legendgroup: "members", showlegend: e === 0 })),
      { x: fit.xs, y: fit.mean, type: "scatter", mode: "lines", line: { color: "#1f77b4", width: 3 }, name: "ensemble mean" },
      { x: data.x, y: data.y, type: "scatter", mode: "markers", marker: { color: "black", size: 4 }, name: "training data" },
    ],
    layout: {
      title: { text: title },
      xaxis: { title: { text: "x (no data in (−1, 1) nor beyond ±3)" }, range: [fit.xs[0], fit.xs[fit.xs.length - 1]] },
      yaxis: { title: { text: "y" }, range: [-2.5, 2.5] },
      shapes: [{ type: "rect", xref: "x", yref: "paper", x0: -1, x1: 1, y0: 0, y1: 1, fillcolor: "rgba(0,0,0,0.05)", line: { width: 0 } }],
      legend: { orientation: "h", y: -0.2 },
      height: 440,
    },
  };
}
