/**
 * The README's results table (`tdmpc figures table`): each agent and configuration at 100k environment steps on the
 * curve tasks and the papers' other three, from the committed learning curves and official-configuration anchors,
 * beside the papers' returns, with the trainer's wall-clock per run. A test checks that README.md holds this table.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { median } from "../optim/benchmark.js";
import { meanCi } from "../viz/evidence.js";
import { CURVE_TASKS, curveEntryName, getFigure, MORE_TASKS } from "./registry.js";
import { PAPER_RETURNS_100K, readEvalRows, type EvalRow } from "./tdmpc-curves.js";

const STEP = 100_000;
const AGENTS = [["tdmpc", "TD-MPC"], ["tdmpc2", "TD-MPC2"]] as const;

/** One line per task × agent × configuration with committed runs that reached 100k env steps. */
export interface TableLine {
  task: string;
  agent: string;
  config: string;
  returns: number[];
  paper?: number;
  /** Each run's trainer wall-clock to 100k, seconds (same order as returns). */
  wallSecs: number[];
}

export function curvesTableLines(resultsDir: string): TableLine[] {
  const tasks = [...CURVE_TASKS, ...MORE_TASKS];
  const rows: EvalRow[] = [];
  // the results files of the entries that hold these tasks' curves, and of the anchors
  for (const name of new Set([...tasks.map(curveEntryName), "official-anchors"])) {
    const f = join(resultsDir, getFigure(name).results);
    if (existsSync(f)) rows.push(...readEvalRows(f));
  }
  return tasks.flatMap((task) =>
    AGENTS.flatMap(([agent]) =>
      ["laptop", "official"].flatMap((config) => {
        const at = rows.filter((r) => r.task === task && r.agent === agent && r.label === config && r.envStep === STEP).sort((a, b) => a.seed - b.seed);
        if (!at.length) return [];
        return [{ task, agent, config, returns: at.map((r) => r.ret), paper: PAPER_RETURNS_100K[task]?.[agent], wallSecs: at.map((r) => r.wallSec) }];
      }),
    ),
  );
}

/**
 * The lines as a Markdown table (returns to one decimal; wall-clock in hours to two). Wall-clock is the median run with
 * the range across seeds: one run made on a loaded machine or on the slower tfjs engine would drag a mean up to many
 * times the typical run.
 */
export function curvesTableMarkdown(resultsDir: string): string {
  const name = Object.fromEntries(AGENTS);
  const head = ["| task | agent | configuration | seeds | return at 100k env steps, mean ± 95 % CI | per seed | paper | wall-clock per run, median (range) |", "|---|---|---|---:|---|---|---:|---:|"];
  const body = curvesTableLines(resultsDir).map((l) => {
    const s = meanCi(l.returns);
    const mean = Number.isNaN(s.half) ? s.mean.toFixed(1) : `${s.mean.toFixed(1)} ± ${s.half.toFixed(1)}`;
    const h = (sec: number) => (sec / 3600).toFixed(2);
    const w = meanCi(l.wallSecs);
    const wall = w.n === 1 ? `${h(w.mean)} h` : `${h(median(l.wallSecs))} h (${h(w.min)}–${h(w.max)})`;
    return `| ${l.task} | ${name[l.agent]} | ${l.config} | ${l.returns.length} | ${mean} | ${l.returns.map((r) => r.toFixed(1)).join(", ")} | ${l.paper?.toFixed(1) ?? "–"} | ${wall} |`;
  });
  return [...head, ...body].join("\n");
}
