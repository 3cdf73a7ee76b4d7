/** Chapter 4's figures: joint vs independent, the consistency loss, prediction error over the horizon. */
import type { ResultRow } from "../../agents/trainer.js";
import { join } from "node:path";
import { PREDICTION_TEXT, type PredictionRow } from "../../experiments/ch04-latent.js";
import { readResults, readRows, VARIANTS } from "../../experiments/tdmpc-runs.js";
import { groupBy, seedTraces } from "../evidence.js";
import type { Figure } from "../plotly.js";
import { colorOf, compactLegend, cutY, EVIDENCE, learningCurves, panels } from "./runs.js";

const titles: Record<string, string> = {
  ...Object.fromEntries(Object.values(VARIANTS).map((v) => [v.name, v.title])),
  tdmpc: "joint backbone (TD-MPC)",
  pets: "PETS ensemble (state space, ch. 3)",
};

export function modesFigure(rows: ResultRow[]): Figure {
  return learningCurves(rows, { tasks: ["cartpole-swingup", "cartpole-balance", "pendulum-swingup"], variants: ["tdmpc", "independent"], titles, title: "Joint backbone vs independent modules, same budget" });
}

export function consistencyFigure(rows: ResultRow[]): Figure {
  return learningCurves(rows, { tasks: ["cartpole-swingup"], variants: ["tdmpc", "no_consistency", "reconstruction"], titles, title: "What the consistency loss does (cartpole-swingup)", height: 440 });
}

/** Three panels: reward error (all models), state error (PETS, decoder), latent error (latent models) against k. */
export function predictionFigure(rows: PredictionRow[], task = "cartpole-swingup"): Figure {
  const at = rows.filter((r) => r.task === task);
  const models = [...new Set(at.map((r) => r.model))];
  const data: Record<string, unknown>[] = [];
  const cols: [keyof PredictionRow, string][] = [["reward_rmse", ""], ["state_rmse", "2"], ["latent_rel", "3"]];
  const shown = new Set<string>();
  for (const [col, axis] of cols)
    models.forEach((m, j) => {
      const rs = at.filter((r) => r.model === m && Number.isFinite(r[col] as number));
      if (!rs.length) return;
      const g = groupBy(rs, (r) => r.k, (r) => r[col] as number);
      data.push(...seedTraces(g.keys, g.values, { name: titles[m] ?? m, color: colorOf(m, j), axis, line: true, showlegend: !shown.has(m) }));
      shown.add(m);
    });
  const seeds = new Set(at.map((r) => r.seed)).size;
  const layout = panels(3, ["reward k steps ahead<br>(RMS, reward units)", "state o(t+k)<br>(RMS, in state-std units)", "latent vs h(o(t+k))<br>(RMS / latent spread)"], "prediction error", "steps predicted ahead k");
  // an RMS error is ≥ 0: a 3-seed t-interval below 0 is cut there
  const cut = cutY(data, 0, Infinity);
  return { data: compactLegend(cut), layout: { ...layout, title: { text: `Prediction error over the horizon, ${task} (test episodes of the trained agent)<br><sup>up to ${seeds} seeds; ${EVIDENCE}; bands cut at 0</sup>` }, legend: { orientation: "h", y: -0.2, yanchor: "top" }, margin: { b: 110 }, height: 500 } };
}

/** Every chapter-4 figure that the committed results in `dir` allow (ch04-latent.csv, ch04-prediction.csv). */
export function ch04Figures(dir: string): Record<string, Figure> {
  const rows = readResults(join(dir, "ch04-latent.csv"));
  if (!rows.length) throw new Error(`${join(dir, "ch04-latent.csv")} holds no runs: run \`npx tdmpc grid ch04\``);
  return ch04FiguresOf(rows, dir);
}

/** The grid's figures from its rows, and the prediction study's when `studies` (a results folder) holds it. */
export function ch04FiguresOf(rows: ResultRow[], studies?: string): Record<string, Figure> {
  const figs: Record<string, Figure> = { modes: modesFigure(rows) };
  if (rows.some((r) => r.label === "no_consistency" || r.label === "reconstruction")) figs.consistency = consistencyFigure(rows);
  const pred = studies ? readRows<PredictionRow>(join(studies, "ch04-prediction.csv"), PREDICTION_TEXT) : [];
  for (const task of [...new Set(pred.map((r) => r.task))]) figs[`prediction-${task}`] = predictionFigure(pred, task);
  return figs;
}
