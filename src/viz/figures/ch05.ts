/** Chapter 5's figures: the synergy ablation, return at equal compute, myopia, policy learners on the same data, POPLIN. */
import type { ResultRow } from "../../agents/trainer.js";
import { join } from "node:path";
import { LEARNER_TEXT, PLANNING_TEXT, type LearnerRow, type PlanningRow } from "../../experiments/ch05-synergies.js";
import { readResults, readRows, VARIANTS } from "../../experiments/tdmpc-runs.js";
import { groupBy, seedTraces } from "../evidence.js";
import type { Figure } from "../plotly.js";
import { BANDS_CUT, colorOf, compactLegend, cutAtReturnBounds, EVIDENCE, learningCurves, panels, returnAxes } from "./runs.js";

const TASKS = ["pendulum-swingup", "cartpole-swingup"];
const titles: Record<string, string> = {
  ...Object.fromEntries(Object.values(VARIANTS).map((v) => [v.name, v.title])),
  td: "pure TD (−Q(z, π(z)), DDPG-like)",
  bc: "behaviour cloning of the planner's actions",
  rwr: "reward-weighted regression",
  awr: "advantage-weighted regression",
};

const ABLATION = ["mpc", "mpc_q", "mpc_pi", "tdmpc", "policy"];

/** The ablation on every task where at least two of its variants ran (pendulum-swingup alone holds only the pilot). */
export function ablationFigure(rows: ResultRow[]): Figure {
  const tasks = TASKS.filter((t) => new Set(rows.filter((r) => r.task === t && ABLATION.includes(r.label)).map((r) => r.label)).size > 1);
  return learningCurves(rows, { tasks, variants: ABLATION, titles, title: "The three synergies, one switch at a time", height: 520 });
}

/** The pendulum pilot: TD-MPC's training and evaluation returns on pendulum-swingup (one seed). */
export function pendulumPilotFigure(rows: ResultRow[]): Figure {
  const pick = (kind: string) => rows.filter((r) => r.kind === kind && r.task === "pendulum-swingup").sort((a, b) => a.env_step - b.env_step);
  const [ev, tr] = [pick("eval"), pick("train")];
  return {
    data: [
      { x: tr.map((r) => r.env_step), y: tr.map((r) => r.return), type: "scatter", mode: "markers", name: "training episode (exploration on)", marker: { color: colorOf("mpc") } },
      { x: ev.map((r) => r.env_step), y: ev.map((r) => r.return), type: "scatter", mode: "lines+markers", name: "evaluation (mean of 2 episodes)", line: { color: colorOf("tdmpc") } },
    ],
    layout: { title: { text: `Pilot: TD-MPC on pendulum-swingup at the course's scale (seed ${ev[0]?.seed ?? "?"})` }, xaxis: { title: { text: "environment steps" } }, yaxis: { title: { text: "episode return (max 1000)" } }, legend: { orientation: "h", y: -0.25 }, height: 400 },
  };
}

export function poplinFigure(rows: ResultRow[]): Figure {
  return learningCurves(rows, { tasks: ["cartpole-swingup"], variants: ["tdmpc", "poplin_a", "poplin_p"], titles, title: "TD-MPC's policy sequences vs POPLIN's search around the policy (cartpole-swingup)", height: 440 });
}

/** A line per (variant, planner) through the budgets: return against CPU ms per action, log x; π alone as points. */
export function computeFigure(rows: PlanningRow[]): Figure {
  const data: Record<string, unknown>[] = [];
  const tasks = TASKS.filter((t) => rows.some((r) => r.task === t && r.study === "budget"));
  const shown = new Set<string>();
  tasks.forEach((task, i) => {
    const at = rows.filter((r) => r.task === task && r.study === "budget");
    // one line per (variant, search, with/without policy sequences): TD-MPC's networks are also re-planned without
    // its policy sequences and with POPLIN's searches
    const groupOf = (r: PlanningRow) => `${r.variant}|${r.planner}|${r.variant === "tdmpc" && r.planner === "mppi" && r.pi_trajs === 0 ? "nopi" : ""}`;
    const groups = [...new Set(at.map(groupOf))];
    groups.forEach((gk, j) => {
      const [variant, planner, nopi] = gk.split("|") as [string, string, string];
      const rs = at.filter((r) => groupOf(r) === gk);
      const name =
        planner === "policy" ? `π alone (${variant === "tdmpc" ? "TD-MPC's policy" : "trained alone"})`
        : nopi ? "TD-MPC's networks without policy sequences (no warm start)"
        : planner === variant || planner === "mppi" ? (titles[variant] ?? variant)
        : `TD-MPC's networks, ${planner === "poplin_a" ? "POPLIN-A" : "POPLIN-P"} search`;
      const color = planner === "policy" ? (variant === "tdmpc" ? "#e377c2" : "#843c6b") : nopi ? "#393b79" : planner !== "mppi" && planner !== variant ? colorOf(planner) : colorOf(variant, j);
      // x: the mean CPU time per budget (seed points spread only in y), y: return
      const g = groupBy(rs, (r) => `${r.num_samples}x${r.iterations}`, (r) => r.return);
      const x = g.keys.map((k) => { const xs = rs.filter((r) => `${r.num_samples}x${r.iterations}` === k).map((r) => r.cpu_ms_per_action); return xs.reduce((a, b) => a + b, 0) / xs.length; });
      const order = x.map((_, n) => n).sort((a, b) => x[a]! - x[b]!);
      const traces = seedTraces(order.map((n) => x[n]!), order.map((n) => g.values[n]!), { name, color, axis: i === 0 ? "" : String(i + 1), line: order.length > 1, logX: true, showlegend: !shown.has(name) });
      shown.add(name);
      data.push(...traces);
    });
  });
  const seeds = new Set(rows.filter((r) => r.study === "budget").map((r) => r.seed)).size;
  return {
    data: compactLegend(cutAtReturnBounds(data)),
    layout: {
      title: { text: `Return at equal compute: trained agents re-planned with 16×1 … 256×4 samples × iterations<br><sup>${seeds} seeds; ${EVIDENCE}; ${BANDS_CUT}</sup>` },
      ...returnAxes(panels(tasks.length, tasks, "evaluation return (max 1000)", "CPU ms per action (one core, log scale)", { xLog: true }), tasks.length),
      legend: { orientation: "h", y: -0.2, yanchor: "top" },
      margin: { b: 170 },
      height: 600,
    },
  };
}

/** Return against the planning horizon (training budget), with the policy alone as a reference line. */
export function horizonFigure(rows: PlanningRow[]): Figure {
  const data: Record<string, unknown>[] = [];
  const tasks = TASKS.filter((t) => rows.some((r) => r.task === t && r.study === "horizon"));
  const shown = new Set<string>();
  tasks.forEach((task, i) => {
    const axis = i === 0 ? "" : String(i + 1);
    const at = rows.filter((r) => r.task === task && r.study === "horizon");
    [...new Set(at.map((r) => r.variant))].forEach((v, j) => {
      const g = groupBy(at.filter((r) => r.variant === v).sort((a, b) => a.horizon - b.horizon), (r) => r.horizon, (r) => r.return);
      const name = titles[v] ?? v;
      data.push(...seedTraces(g.keys, g.values, { name, color: colorOf(v, j), axis, line: true, jitter: 0.15, showlegend: !shown.has(name) }));
      shown.add(name);
    });
    const pol = rows.filter((r) => r.task === task && r.planner === "policy" && r.variant === "tdmpc").map((r) => r.return);
    if (pol.length) {
      const m = pol.reduce((a, b) => a + b, 0) / pol.length;
      const hs = at.map((r) => r.horizon);
      const name = "TD-MPC's policy acting alone (mean)";
      data.push({ x: [Math.min(...hs), Math.max(...hs)], y: [m, m], type: "scatter", mode: "lines", name, line: { dash: "dash", color: "#e377c2" }, xaxis: `x${axis}`, yaxis: `y${axis}`, showlegend: !shown.has(name) });
      shown.add(name);
    }
  });
  const seeds = new Set(rows.filter((r) => r.study === "horizon").map((r) => r.seed)).size;
  return {
    data: compactLegend(cutAtReturnBounds(data)),
    layout: { title: { text: `Myopia: return against the planning horizon (trained agents re-planned, 128 × 3)<br><sup>${seeds} seeds; ${EVIDENCE}; ${BANDS_CUT}</sup>` }, ...returnAxes(panels(tasks.length, tasks, "evaluation return (max 1000)", "planning horizon H (agent steps of 0.08 s)"), tasks.length), legend: { orientation: "h", y: -0.2, yanchor: "top" }, margin: { b: 120 }, height: 500 },
  };
}

/** CPU ms per action at the training budget: planners vs the policy alone (seed points, 95 % CI). */
export function speedFigure(rows: PlanningRow[]): Figure {
  const data: Record<string, unknown>[] = [];
  const tasks = TASKS.filter((t) => rows.some((r) => r.task === t && r.study === "budget"));
  const label = (r: PlanningRow) => (r.planner === "policy" ? `π alone${r.variant === "tdmpc" ? "" : " (policy run)"}` : `${r.variant}${r.planner !== "mppi" && r.planner !== r.variant ? ` (${r.planner})` : ""}`);
  tasks.forEach((task, i) => {
    const at = rows.filter((r) => r.task === task && r.study === "budget" && (r.planner === "policy" || (r.num_samples === 128 && r.iterations === 3)));
    const g = groupBy(at, label, (r) => r.cpu_ms_per_action);
    data.push(...seedTraces(g.keys, g.values, { name: task, color: colorOf("", i), axis: i === 0 ? "" : String(i + 1), showlegend: false }));
  });
  const layout = panels(tasks.length, tasks, "CPU ms per action (log scale)", "");
  for (let i = 0; i < tasks.length; i++) (layout[`yaxis${i === 0 ? "" : i + 1}`] as Record<string, unknown>).type = "log";
  return { data, layout: { ...layout, title: { text: `A policy acts much faster: CPU time per action at the training budget (128 samples × 3 iterations, H = 5)<br><sup>${EVIDENCE}</sup>` }, height: 460, showlegend: false } };
}

/** The policy alone after n updates of each learner on the same replay store. */
export function learnersFigure(rows: LearnerRow[]): Figure {
  const tasks = TASKS.filter((t) => rows.some((r) => r.task === t));
  const data: Record<string, unknown>[] = [];
  tasks.forEach((task, i) => {
    [...new Set(rows.map((r) => r.learner))].forEach((l, j) => {
      const g = groupBy(rows.filter((r) => r.task === task && r.learner === l), (r) => r.updates, (r) => r.return);
      data.push(...seedTraces(g.keys, g.values, { name: titles[l] ?? l, color: colorOf(l, j), axis: i === 0 ? "" : String(i + 1), line: true, showlegend: i === 0 }));
    });
  });
  const seeds = new Set(rows.map((r) => r.seed)).size;
  return {
    data: compactLegend(cutAtReturnBounds(data)),
    layout: { title: { text: `Policy learners on the same planner data (TD-MPC's replay, frozen model and critic): π acting alone<br><sup>up to ${seeds} seeds; ${EVIDENCE}; ${BANDS_CUT}</sup>` }, ...returnAxes(panels(tasks.length, tasks, "return of π alone (max 1000)", "policy updates on the fixed data"), tasks.length), legend: { orientation: "h", y: -0.2, yanchor: "top" }, margin: { b: 110 }, height: 500 },
  };
}

/** Every chapter-5 figure that the committed results in `dir` allow (ch05-synergies/-planning/-learners.csv). */
export function ch05Figures(dir: string): Record<string, Figure> {
  const rows = readResults(join(dir, "ch05-synergies.csv"));
  if (!rows.length) throw new Error(`${join(dir, "ch05-synergies.csv")} holds no runs: run \`npx tdmpc grid ch05\``);
  return ch05FiguresOf(rows, dir);
}

/** The grid's figures from its rows, and the studies' (pilot, planning, learners) when `studies` (a results folder) holds them. */
export function ch05FiguresOf(rows: ResultRow[], studies?: string): Record<string, Figure> {
  const figs: Record<string, Figure> = { ablation: ablationFigure(rows) };
  if (rows.some((r) => r.label.startsWith("poplin"))) figs.poplin = poplinFigure(rows);
  if (!studies) return figs;
  const pilot = readResults(join(studies, "ch05-pendulum-pilot.csv"));
  if (pilot.length) figs["pendulum-pilot"] = pendulumPilotFigure(pilot);
  const plan = readRows<PlanningRow>(join(studies, "ch05-planning.csv"), PLANNING_TEXT);
  if (plan.some((r) => r.study === "budget")) Object.assign(figs, { compute: computeFigure(plan), speed: speedFigure(plan) });
  if (plan.some((r) => r.study === "horizon")) figs.horizon = horizonFigure(plan);
  const learners = readRows<LearnerRow>(join(studies, "ch05-learners.csv"), LEARNER_TEXT);
  if (learners.length) figs.learners = learnersFigure(learners);
  return figs;
}
