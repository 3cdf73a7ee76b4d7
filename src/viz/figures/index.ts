/**
 * Every chapter's figures, built from its committed results in data/results/ (or from a cheap live computation
 * where the figure is one: chapter 0's pendulum). `npx tdmpc figures <chapter>` exports them to figures/ as PNG and
 * SVG; the notebooks show the same figures, built by the same functions.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { simulatePendulum } from "../../experiments/ch00-setup.js";
import { landscapeRun, readCh01Curves, readCh01Runs } from "../../experiments/ch01-optim.js";
import { readCh02Csv, readLoopTraces } from "../../experiments/ch02-mpc.js";
import { imagine } from "../../experiments/ch02-imagination.js";
import { readOracleCsv } from "../../experiments/oracle-mpc.js";
import { fitGapRegression, gapData, parsePetsCsv, readAblations, readCsvRows, type AblationRow, type MultistepRow, type ReferenceRow, type UncertaintyRow } from "../../experiments/ch03-models.js";
import { initBackend } from "../../nn/backend.js";
import { projectRoot } from "../../tooling/paths.js";
import type { Figure } from "../plotly.js";
import { pendulumFigure } from "./ch00.js";
import { benchmarkHeatmap, convergenceFigure, landscapeFigure } from "./ch01.js";
import { ch02Figures, imaginationFigure } from "./ch02.js";
import { ablationFigure, gapFigure, multistepFigure, petsFigure, uncertaintyFigure } from "./ch03.js";
import { ch04Figures } from "./ch04.js";
import { ch05Figures } from "./ch05.js";

export * as ch00 from "./ch00.js";
export * as ch01 from "./ch01.js";
export * as ch02 from "./ch02.js";
export * as ch03 from "./ch03.js";
export * as ch04 from "./ch04.js";
export * as ch05 from "./ch05.js";
export * as runs from "./runs.js";

/** Where a chapter's committed results live. */
export function resultsDir(root = projectRoot()): string {
  return join(root, "data", "results");
}

function need<T>(rows: T[], path: string, how: string): T[] {
  if (!rows.length) throw new Error(`${path} holds no results: ${how}`);
  return rows;
}

/** The chapters that have figures, in course order. */
export const FIGURE_CHAPTERS = ["ch00", "ch01", "ch02", "ch03", "ch04", "ch05"] as const;

/** Build a chapter's figures from the results in `dir` (default data/results/). */
export async function chapterFigures(chapter: string, dir = resultsDir()): Promise<Record<string, Figure>> {
  switch (chapter) {
    case "ch00":
      return { pendulum: pendulumFigure(await simulatePendulum()) };
    case "ch01": {
      const runs = join(dir, "ch01-benchmark.csv");
      const curves = join(dir, "ch01-curves.csv");
      const how = "run `npx tdmpc figures run ch01`";
      return { landscape: landscapeFigure(landscapeRun()), convergence: convergenceFigure(need(readCh01Curves(curves), curves, how)), benchmark: benchmarkHeatmap(need(readCh01Runs(runs), runs, how)) };
    }
    case "ch02": {
      const csv = join(dir, "ch02-mpc.csv");
      const rows = need(readCh02Csv(csv), csv, "run `npx tdmpc figures run ch02`");
      return { ...ch02Figures(rows, readLoopTraces(join(dir, "ch02-loop.csv")), readOracleCsv(join(dir, "oracle-mpc.csv"))), imagination: imaginationFigure(await imagine()) };
    }
    case "ch03": {
      await initBackend({ quiet: true });
      const petsCsv = join(dir, "pets-cartpole-swingup.csv");
      const pets = existsSync(petsCsv) ? parsePetsCsv(readFileSync(petsCsv, "utf8")) : [];
      need(pets, petsCsv, "run `npx tdmpc train pets --seeds 0,1,2 --iters 12 --out data/results/pets-cartpole-swingup.csv`");
      const figs: Record<string, Figure> = { pets: petsFigure(pets, { oracle: ch03Oracle(dir), references: readCsvRows<ReferenceRow>(join(dir, "ch03-references.csv")) }) };
      const abl = readAblations(join(dir, "ch03-pets-ablations.csv"));
      if (abl.length) figs.ablations = ablationFigure([...abl, ...petsAsAblation(petsCsv)]);
      const multi = readCsvRows<MultistepRow>(join(dir, "ch03-multistep.csv"));
      if (multi.length) figs.multistep = multistepFigure(multi);
      const unc = readCsvRows<UncertaintyRow>(join(dir, "ch03-uncertainty.csv"));
      if (unc.length) figs.uncertainty = uncertaintyFigure(unc);
      const gap = gapData(200, 0);
      figs.gap = gapFigure(gap, fitGapRegression(gap));
      return figs;
    }
    case "ch04":
      return ch04Figures(dir);
    case "ch05":
      return ch05Figures(dir);
    default:
      throw new Error(`no figures for '${chapter}': known chapters ${FIGURE_CHAPTERS.join(", ")}`);
  }
}

/** Chapter 2's CEM-MPC on the true simulator (its planner sweep), as chapter 3's reference line. */
export function ch03Oracle(dir = resultsDir()): { mean: number; seeds: number; budget: string } | undefined {
  const rows = readCh02Csv(join(dir, "ch02-mpc.csv")).filter((r) => r.sweep === "planner" && r.planner === "cem");
  if (!rows.length) return undefined;
  const r = rows[0]!;
  return { mean: rows.reduce((a, x) => a + x.episodeReturn, 0) / rows.length, seeds: rows.length, budget: `CEM ${r.numSamples} samples × ${r.iterations} iterations, H = ${r.horizon}` };
}

/** The committed PETS run as the "PE, TS-∞" arm of the ablations (same settings: PETS_DEFAULTS). */
export function petsAsAblation(petsCsv: string): AblationRow[] {
  return readCsvRows<AblationRow & { task: string }>(petsCsv).map((r) => ({ ...r, variant: "PE, TS-∞" }));
}
