/**
 * Chapter 2's figures, from its results (data/results/ch02-mpc.csv, ch02-loop.csv, oracle-mpc.csv): every seed is
 * a point, the mean carries a 95 % CI, returns and costs sit in separate panels (no twin axes), and each title
 * says the task, planner, budget and action repeat behind it.
 */
import type { LoopTraceRow, MpcRunResult } from "../../experiments/ch02-mpc.js";
import type { Imagination } from "../../experiments/ch02-imagination.js";
import { oracleGroupLabel, SPARSE_REWARD_TASKS } from "../../experiments/oracle-mpc.js";
import { groupBy, meanCi, seedTraces } from "../evidence.js";
import type { Figure } from "../plotly.js";

type Row = MpcRunResult;

export const PLANNER_LABELS: Record<string, string> = { random: "random shooting", cem: "CEM", mppi: "MPPI", cmaes: "CMA-ES" };
const BLUE = "#1f77b4";
const ORANGE = "#ff7f0e";
const GREY = "#555555";

const seedsOf = (rows: readonly Row[]) => new Set(rows.map((r) => r.seed)).size;
const RETURN_AXIS = { title: { text: "episode return (of 1000)" }, range: [-20, 1060], tickvals: [0, 200, 400, 600, 800, 1000] };
/** Log axis for milliseconds with readable ticks (1-2-5), not plotly's cluttered minor labels. */
const MS_TICKS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

/** Return (left) and milliseconds per action (right, log) against one knob of the base configuration. */
function sweepFigure(rows: readonly Row[], key: "numSamples" | "horizon", title: string, subtitle: string, xTitle: string, tickText?: (v: number) => string): Figure {
  const sorted = [...rows].sort((a, b) => a[key] - b[key]);
  const ret = groupBy(sorted, (r) => r[key], (r) => r.episodeReturn);
  const ms = groupBy(sorted, (r) => r[key], (r) => r.msPerAction);
  const logX = key === "numSamples";
  const ticks = { tickvals: ret.keys, ticktext: ret.keys.map((v) => (tickText ? tickText(v) : String(v))) };
  const x = { title: { text: xTitle }, type: logX ? "log" : "linear", ...ticks };
  return {
    data: [
      ...seedTraces(ret.keys, ret.values, { name: "return", color: BLUE, line: true, jitter: logX ? 0.08 : 0.4, logX }),
      ...seedTraces(ms.keys, ms.values, { name: "ms per action", color: ORANGE, line: true, jitter: logX ? 0.08 : 0.4, logX, axis: "2" }),
    ],
    layout: {
      title: { text: `${title} (${seedsOf(rows)} seeds)<br><sub>${subtitle}</sub>` },
      grid: { rows: 1, columns: 2, pattern: "independent" },
      xaxis: x,
      xaxis2: x,
      yaxis: RETURN_AXIS,
      yaxis2: { title: { text: "wall-clock ms per action (log)" }, type: "log", tickvals: MS_TICKS },
      legend: { orientation: "h", y: -0.3 },
      margin: { t: 60, b: 110 },
      height: 440,
    },
  };
}

export function samplesFigure(rows: readonly Row[]): Figure {
  return sweepFigure(rows.filter((r) => r.sweep === "samples"), "numSamples", "Samples per iteration", "cartpole-swingup, CEM, H = 12 (0.96 s), 3 iterations, action repeat 8", "samples per CEM iteration (log scale)");
}

export function horizonFigure(rows: readonly Row[]): Figure {
  const h = rows.filter((r) => r.sweep === "horizon");
  const sec = new Map(h.map((r) => [r.horizon, r.lookaheadSec]));
  return sweepFigure(h, "horizon", "Planning horizon", "cartpole-swingup, CEM, 64 samples × 3 iterations, action repeat 8", "horizon H in agent steps (lookahead in seconds)", (v) => `${v}<br>${sec.get(v)} s`);
}

export function myopiaFigure(rows: readonly Row[]): Figure {
  const myo = rows.filter((r) => r.sweep === "myopia");
  const seeds = [...new Set(myo.map((r) => r.seed))].sort((a, b) => a - b);
  const palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"];
  const first = myo[0];
  const control = first ? first.steps * (first.actionRepeat ?? 1) : 0;
  // lines on top of each other at 0 hide one another: say which starts never earned anything
  const zero = seeds.filter((s) => myo.filter((r) => r.seed === s).every((r) => r.episodeReturn === 0));
  const annotations = zero.length > 1 ? [{ text: `start seeds ${zero.join(", ")}: 0 at every lookahead (lines overlap)`, xref: "paper", yref: "y", x: 0.98, y: 40, xanchor: "right", yanchor: "bottom", showarrow: false }] : [];
  return {
    data: seeds.map((seed, i) => {
      const m = myo.filter((r) => r.seed === seed).sort((a, b) => a.lookaheadSec - b.lookaheadSec);
      return { x: m.map((r) => r.lookaheadSec), y: m.map((r) => r.episodeReturn), name: `start seed ${seed}`, type: "scatter", mode: "lines+markers", line: { color: palette[i % palette.length] }, marker: { size: 8 } };
    }),
    layout: {
      title: { text: `Myopia on sparse pendulum-swingup<br><sub>CEM, 64 samples × 3 iterations, action repeat 8: ${first?.steps ?? "?"} agent steps = ${control} control steps</sub>` },
      annotations,
      xaxis: { title: { text: "lookahead (seconds of simulated time)" }, tickvals: [...new Set(myo.map((r) => r.lookaheadSec))] },
      yaxis: { title: { text: `episode return (of ${control})` }, range: [0, Math.max(control, 100)] },
      legend: { orientation: "h", y: -0.25 },
      height: 420,
    },
  };
}

export function plannersFigure(rows: readonly Row[]): Figure {
  const p = rows.filter((r) => r.sweep === "planner");
  const order = ["random", "cem", "mppi", "cmaes"].filter((k) => p.some((r) => r.planner === k));
  const sorted = [...p].sort((a, b) => order.indexOf(a.planner) - order.indexOf(b.planner));
  const ret = groupBy(sorted, (r) => PLANNER_LABELS[r.planner] ?? r.planner, (r) => r.episodeReturn);
  const ms = groupBy(sorted, (r) => PLANNER_LABELS[r.planner] ?? r.planner, (r) => r.msPerAction);
  return {
    data: [...seedTraces(ret.keys, ret.values, { name: "return", color: BLUE }), ...seedTraces(ms.keys, ms.values, { name: "ms per action", color: ORANGE, axis: "2" })],
    layout: {
      title: { text: `Four planners, equal rollouts per action (${seedsOf(p)} seeds)<br><sub>cartpole-swingup, H = 12; 64 samples × 3 iterations (random shooting draws 192 at once)</sub>` },
      grid: { rows: 1, columns: 2, pattern: "independent" },
      yaxis: RETURN_AXIS,
      yaxis2: { title: { text: "wall-clock ms per action" }, rangemode: "tozero" },
      legend: { orientation: "h", y: -0.2 },
      height: 420,
    },
  };
}

export function warmStartFigure(rows: readonly Row[]): Figure {
  const w = rows.filter((r) => r.sweep === "warmstart");
  const budgets = [...new Set(w.map((r) => `${r.numSamples} × ${r.iterations}`))];
  const data: Record<string, unknown>[] = [];
  budgets.forEach((budget, bi) => {
    const axis = bi === 0 ? "" : String(bi + 1);
    const wb = w.filter((r) => `${r.numSamples} × ${r.iterations}` === budget);
    const label = (r: Pick<Row, "warmStart">) => (r.warmStart === false ? "cold start" : "warm start");
    const sorted = [...wb].sort((a, b) => Number(a.warmStart === false) - Number(b.warmStart === false));
    const ret = groupBy(sorted, label, (r) => r.episodeReturn);
    for (const s of new Set(wb.map((r) => r.seed)))
      data.push({
        x: ["warm start", "cold start"], y: [wb.find((r) => r.seed === s && r.warmStart !== false)?.episodeReturn, wb.find((r) => r.seed === s && r.warmStart === false)?.episodeReturn],
        type: "scatter", mode: "lines", line: { color: "rgba(80,80,80,0.35)", width: 1 }, hoverinfo: "skip", showlegend: false, xaxis: `x${axis}`, yaxis: `y${axis}`,
      });
    data.push(...seedTraces(ret.keys, ret.values, { name: "return", color: BLUE, axis, showlegend: bi === 0 }));
  });
  const layout: Record<string, unknown> = {
    title: { text: `Warm start on/off (${new Set(w.map((r) => r.seed)).size} seeds; a grey line joins one seed)<br><sub>cartpole-swingup, CEM, H = 12; warm: start from last step's plan shifted; cold: mean 0, std 2 every step</sub>` },
    grid: { rows: 1, columns: budgets.length, pattern: "independent" },
    legend: { orientation: "h", y: -0.32 },
    margin: { b: 130 },
    height: 470,
  };
  budgets.forEach((budget, bi) => {
    const axis = bi === 0 ? "" : String(bi + 1);
    layout[`xaxis${axis}`] = { title: { text: `${budget.replace(" × ", " samples × ")} iteration${budget.endsWith(" 1") ? "" : "s"}` }, range: [-0.5, 1.5] };
    layout[`yaxis${axis}`] = { ...RETURN_AXIS, title: { text: bi === 0 ? RETURN_AXIS.title.text : "" } };
  });
  return { data, layout };
}

/** The pole's angle over the episode, replanning every step vs executing each 12-step plan blind (one line per seed). */
export function loopFigure(traces: readonly LoopTraceRow[], rows: readonly Row[] = []): Figure {
  const kinds = [...new Set(traces.map((t) => t.replanEvery))].sort((a, b) => a - b);
  const data: Record<string, unknown>[] = [];
  kinds.forEach((k, ki) => {
    const color = ki === 0 ? BLUE : ORANGE;
    const runs = rows.filter((r) => r.sweep === "loop" && r.replanEvery === k).map((r) => r.episodeReturn);
    const label = k === 1 ? "receding horizon (replan every step)" : `open loop (replan every ${k} steps)`;
    const seeds = [...new Set(traces.filter((t) => t.replanEvery === k).map((t) => t.seed))];
    seeds.forEach((s, i) => {
      const tr = traces.filter((t) => t.replanEvery === k && t.seed === s).sort((a, b) => a.step - b.step);
      data.push({
        x: tr.map((t) => t.step * 0.08), y: tr.map((t) => (Math.acos(Math.max(-1, Math.min(1, t.cosTheta))) * 180) / Math.PI),
        type: "scatter", mode: "lines", line: { color, width: 1.2 }, opacity: 0.75, legendgroup: label, showlegend: i === 0,
        name: runs.length ? `${label}: return ${meanCi(runs).mean.toFixed(0)} (mean of ${runs.length})` : label,
      });
    });
  });
  return {
    data,
    layout: {
      title: { text: "The pole under CEM-MPC on the true simulator<br><sub>cartpole-swingup, 64 samples × 3 iterations, H = 12; one line per seed</sub>" },
      xaxis: { title: { text: "time (s)" } },
      yaxis: { title: { text: "pole angle from upright (°)" }, range: [0, 185], tickvals: [0, 45, 90, 135, 180], ticktext: ["0 up", "45", "90", "135", "180 down"] },
      legend: { orientation: "h", y: -0.22 },
      height: 430,
    },
  };
}

/**
 * The oracle (MPC on the true simulator) per task: every episode as a point, the mean as a tick, dense and sparse
 * rewards in separate colours, the planner and its lookahead under each task's name.
 */
export function oracleFigure(rows: readonly Row[]): Figure {
  // episodes of different lengths (a smoke run beside full episodes) are separate groups, never averaged together
  const groupOf = oracleGroupLabel(rows);
  const group = (r: Row) => groupOf(r.task, r.steps);
  const tasks = [...new Set(rows.map(group))];
  const taskOf = new Map(rows.map((r) => [group(r), r.task]));
  const mean = (t: string) => meanCi(rows.filter((r) => group(r) === t).map((r) => r.episodeReturn)).mean;
  const sparse = (t: string) => SPARSE_REWARD_TASKS.has(taskOf.get(t)!);
  tasks.sort((a, b) => Number(sparse(a)) - Number(sparse(b)) || mean(b) - mean(a));
  const label = (t: string) => {
    const r = rows.find((x) => group(x) === t)!;
    return `${t}<br>${PLANNER_LABELS[r.planner] ?? r.planner} · ${r.lookaheadSec} s`;
  };
  const ofSparsity = (isSparse: boolean) => tasks.filter((t) => sparse(t) === isSparse);
  const data: Record<string, unknown>[] = [];
  for (const [isSparse, color, name] of [[false, BLUE, "dense reward"], [true, "#d62728", "sparse reward"]] as const) {
    const ts = ofSparsity(isSparse);
    if (!ts.length) continue;
    const pts = rows.filter((r) => ts.includes(group(r)));
    data.push({ x: ts.map(label), y: ts.map(mean), type: "scatter", mode: "markers", name: `${name}: mean over seeds`, marker: { symbol: "line-ew-open", size: 22, color, line: { width: 3, color } } });
    data.push({ x: pts.map((r) => label(group(r))), y: pts.map((r) => r.episodeReturn), type: "scatter", mode: "markers", name: `${name}: one episode (seed)`, marker: { color, size: 8, symbol: "circle-open", line: { width: 2 } } });
  }
  const seeds = Math.max(0, ...tasks.map((t) => rows.filter((r) => group(r) === t).length));
  return {
    data,
    layout: {
      title: { text: `MPC on the true simulator (the oracle) on every task<br><sub>${seeds} seeds per task, full 1000-step episodes; planner · lookahead under each task's name</sub>` },
      yaxis: RETURN_AXIS,
      xaxis: { tickangle: -45, categoryorder: "array", categoryarray: tasks.map(label) },
      legend: { orientation: "h", x: 0, y: 1.01, yanchor: "bottom" },
      margin: { b: 190, t: 150 },
      height: 600,
    },
  };
}

/** Every chapter-2 figure from the committed results. */
export function ch02Figures(rows: readonly Row[], loopTraces: readonly LoopTraceRow[], oracleRows: readonly Row[]): Record<string, Figure> {
  const figs: Record<string, Figure> = {
    samples: samplesFigure(rows),
    horizon: horizonFigure(rows),
    myopia: myopiaFigure(rows),
    planners: plannersFigure(rows),
    loop: loopFigure(loopTraces, rows),
  };
  if (rows.some((r) => r.sweep === "warmstart")) figs.warmstart = warmStartFigure(rows);
  if (oracleRows.length) figs.oracle = oracleFigure(oracleRows);
  return figs;
}

/**
 * The planner's imagination (src/experiments/ch02-imagination.ts), animated: each CEM iteration's sampled
 * sequences as the pole heights they lead to (grey), the elites (red); then the plan, the one action executed
 * (green), and the warm start handed to the next step (the plan shifted by one step, dashed).
 */
export function imaginationFigure(im: Imagination): Figure {
  const H = im.planHeights.length - 1;
  const ts = (offset: number) => Array.from({ length: H + 1 }, (_, k) => offset + k * im.dt);
  const many = (rows: number[][], offset = 0) => ({ x: rows.flatMap((r) => [...ts(offset), Number.NaN]), y: rows.flatMap((r) => [...r, Number.NaN]) });
  const frame = (it: number, final: boolean) => {
    const s = im.iterations[it]!;
    const elites = new Set(s.elites);
    const rest = s.heights.filter((_, i) => !elites.has(i));
    const best = Math.max(...s.returns);
    return {
      name: final ? "execute" : `iteration ${it + 1}`,
      data: [
        { ...many(rest), type: "scatter", mode: "lines", line: { color: final ? "rgba(150,150,150,0.25)" : "rgba(120,120,120,0.55)", width: 1 }, name: "sampled sequences (imagined)" },
        { ...many(s.elites.map((i) => s.heights[i]!)), type: "scatter", mode: "lines", line: { color: "rgba(214,39,40,0.85)", width: 1.8 }, name: `elites (best ${im.numElites})` },
        final ? { x: ts(0), y: im.planHeights, type: "scatter", mode: "lines", line: { color: "black", width: 3 }, name: "the plan (mean sequence)" } : { x: [], y: [], type: "scatter", mode: "lines", name: "the plan (mean sequence)", line: { color: "black", width: 3 } },
        final ? { x: [0, im.dt], y: im.planHeights.slice(0, 2), type: "scatter", mode: "lines+markers", line: { color: "#2ca02c", width: 6 }, name: `executed: first action ${im.executed.toFixed(2)}` } : { x: [], y: [], type: "scatter", mode: "lines", name: "executed: first action", line: { color: "#2ca02c", width: 6 } },
        final ? { x: ts(im.dt), y: im.warmStartHeights, type: "scatter", mode: "lines", line: { color: "#1f77b4", width: 2.5, dash: "dash" }, name: "next step's warm start (plan shifted by one)" } : { x: [], y: [], type: "scatter", mode: "lines", name: "next step's warm start", line: { color: "#1f77b4", width: 2.5, dash: "dash" } },
      ],
      layout: { title: { text: final ? `Act: execute the plan's first action, shift the rest as the next plan's start` : `Iteration ${it + 1}: ${s.heights.length} sequences scored on the simulator, best return ${best.toFixed(2)}` } },
    };
  };
  const last = im.iterations.length - 1;
  const frames = [...im.iterations.map((_, it) => frame(it, false)), frame(last, true)];
  const shown = frames[frames.length - 1]!; // the whole story at once; the slider goes back through the iterations
  return {
    data: shown.data,
    frames: frames.map((f) => ({ name: f.name, data: f.data, layout: f.layout })),
    layout: {
      title: shown.layout.title,
      xaxis: { title: { text: `seconds ahead of now (t = ${im.at.toFixed(2)} s into the episode; one agent step = ${im.dt.toFixed(2)} s)` }, range: [-0.02, (H + 1) * im.dt + 0.02] },
      yaxis: { title: { text: "pole height cos θ (1 = upright, −1 = hanging)" }, range: [-1.05, 1.05] },
      legend: { orientation: "h", y: -0.3 },
      margin: { b: 170 },
      height: 520,
      sliders: [{ y: -0.12, active: frames.length - 1, currentvalue: { prefix: "" }, steps: frames.map((f) => ({ label: f.name, method: "animate", args: [[f.name], { mode: "immediate", frame: { duration: 0, redraw: true }, transition: { duration: 0 } }] })) }],
      updatemenus: [{ type: "buttons", showactive: false, x: 0, y: -0.12, xanchor: "right", buttons: [{ label: "▶ play", method: "animate", args: [null, { frame: { duration: 1200, redraw: true }, fromcurrent: true }] }] }],
    },
  };
}
