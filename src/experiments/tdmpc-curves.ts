/**
 * Learning curves of TD-MPC and TD-MPC2 (chapters 6–8): read the trainer's results files, summarise evaluation
 * returns per environment step across seeds, and draw them next to the papers' returns at 100k environment steps.
 */
import { readResults, type ResultRow } from "../util/results.js";
import type { Figure } from "../viz/plotly.js";

/** Mean returns at 100k environment steps in the official results files (TDMPC-FACTS.md): TD-MPC's repo, TD-MPC2's. */
export const PAPER_RETURNS_100K: Record<string, { tdmpc?: number; tdmpc2?: number; sac?: number; dreamerv3?: number }> = {
  "cartpole-swingup": { tdmpc: 858.8, tdmpc2: 839.4, sac: 835.0, dreamerv3: 676.7 },
  "reacher-easy": { tdmpc: 893.2, tdmpc2: 936.9, sac: 540.4, dreamerv3: 872.1 },
  "pendulum-swingup": { tdmpc: 416.4, tdmpc2: 724.0, sac: 96.0, dreamerv3: 699.3 },
  "cheetah-run": { tdmpc: 602.8, tdmpc2: 519.1, sac: 310.1, dreamerv3: 335.7 },
  "walker-walk": { tdmpc: 963.0, tdmpc2: 961.9, sac: 708.2, dreamerv3: 630.1 },
  "finger-spin": { tdmpc: 949.0, tdmpc2: 947.5, sac: 762.4, dreamerv3: 328.3 },
  "hopper-stand": { tdmpc: 308.1, tdmpc2: 28.2, sac: 1.9, dreamerv3: 150.3 },
  "acrobot-swingup": { tdmpc: 51.2, tdmpc2: 179.1, sac: 7.7, dreamerv3: 101.3 },
  "walker-stand": { tdmpc: 976.5, tdmpc2: 981.2, sac: 341.4, dreamerv3: 884.6 },
  "cartpole-balance": { tdmpc: 986.7, tdmpc2: 997.8, sac: 998.7, dreamerv3: 912.6 },
  "reacher-hard": { tdmpc: 881.8, tdmpc2: 414.2, sac: 161.3, dreamerv3: 813.3 },
  "cartpole-swingup_sparse": { tdmpc: 772.0, tdmpc2: 0.3, sac: 0.4, dreamerv3: 315.3 },
};

/**
 * TD-MPC2 from pixels at 100k env steps (its repository's results/tdmpc2-pixels, mean of 3 seeds; TDMPC-FACTS):
 * the only published pixel returns of either agent on these tasks, quoted beside ours for scale.
 */
export const PAPER_PIXEL_RETURNS_100K: Record<string, number> = {
  "reacher-easy": 359.8,
  "cheetah-run": 286.4,
  "walker-walk": 463.7,
  "finger-spin": 980.8,
};

export interface EvalRow {
  task: string;
  agent: string;
  label: string;
  seed: number;
  envStep: number;
  ret: number;
  /** Each evaluation episode's return (the `returns` column; empty in files written before it existed). */
  episodes: number[];
  /** Model updates made before this evaluation (0 during the seed steps' random actions). */
  updates: number;
  wallSec: number;
}

/** The evaluation rows of one or more trainer results files (train rows and torn lines are skipped). */
export function readEvalRows(...files: string[]): EvalRow[] {
  return files.flatMap((f) => {
    const parsed = readResults(f);
    if (!parsed) throw new Error(`${f} does not exist: run \`npx tdmpc train …\` (see data/results/README.md) or pass another file`);
    for (const name of ["task", "agent", "label", "seed", "kind", "env_step", "return", "wall_sec"])
      if (!parsed.columns.includes(name)) throw new Error(`${f}: no column "${name}" (is it a \`tdmpc train\` results file?)`);
    return evalRows(parsed.rows);
  });
}

/** The evaluation rows among trainer result rows (as read by util/results.ts; a registry file's rows too). */
export function evalRows(rows: ResultRow[]): EvalRow[] {
  return rows
    .filter((r) => r.kind === "eval" && r.return !== "" && Number.isFinite(Number(r.return)))
    .map((r) => ({ task: r.task!, agent: r.agent!, label: r.label!, seed: Number(r.seed), envStep: Number(r.env_step), ret: Number(r.return), episodes: r.returns ? r.returns.split(";").map(Number) : [], updates: Number(r.updates), wallSec: Number(r.wall_sec) }));
}

export interface CurveSummary {
  envStep: number;
  seeds: number;
  mean: number;
  min: number;
  max: number;
  /** 95 % confidence interval of the mean (Student t over seeds); NaN with one seed. */
  ci95: number;
}

const T95 = [Number.NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];

/** Per environment step: mean, range and 95 % CI over the seeds that reached it. */
export function summarise(rows: EvalRow[]): CurveSummary[] {
  const steps = [...new Set(rows.map((r) => r.envStep))].sort((a, b) => a - b);
  return steps.map((s) => {
    const y = rows.filter((r) => r.envStep === s).map((r) => r.ret);
    const n = y.length;
    const mean = y.reduce((a, b) => a + b, 0) / n;
    const sd = n > 1 ? Math.sqrt(y.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : Number.NaN;
    return { envStep: s, seeds: n, mean, min: Math.min(...y), max: Math.max(...y), ci95: n > 1 ? ((T95[n - 1] ?? 1.96) * sd) / Math.sqrt(n) : Number.NaN };
  });
}

/** The return each seed reached at (or last before) `envStep`. */
export function returnsAt(rows: EvalRow[], envStep: number): { seed: number; envStep: number; ret: number }[] {
  const seeds = [...new Set(rows.map((r) => r.seed))].sort((a, b) => a - b);
  return seeds.flatMap((seed) => {
    const before = rows.filter((r) => r.seed === seed && r.envStep <= envStep).sort((a, b) => b.envStep - a.envStep);
    return before.length ? [{ seed, envStep: before[0]!.envStep, ret: before[0]!.ret }] : [];
  });
}

/** One task's official-configuration run beside the laptop runs at the official run's last evaluation. */
export interface PresetGap {
  task: string;
  envStep: number;
  official: number;
  /** The laptop seeds' returns at that step (their last evaluation at or before it). */
  laptop: number[];
  /** official − mean(laptop) */
  gap: number;
  /** Trainer wall-clock to that step: the official run's, and each laptop seed's (in the order of `laptop`). */
  officialWallSec: number;
  laptopWallSecs: number[];
}

/**
 * The laptop preset's cost in return and its saving in time, per task: the official run (one seed) at its last
 * evaluation so far against the laptop seeds at the same environment step — an unfinished anchor compares like for like.
 */
export function presetGaps(official: EvalRow[], laptop: EvalRow[]): PresetGap[] {
  const tasks = [...new Set(official.map((r) => r.task))];
  return tasks.flatMap((task) => {
    const off = official.filter((r) => r.task === task).sort((a, b) => a.envStep - b.envStep).at(-1)!;
    const lap = laptop.filter((r) => r.task === task && r.envStep <= off.envStep);
    const at = returnsAt(lap, off.envStep).filter((p) => p.envStep === off.envStep);
    if (!at.length) return [];
    const wall = at.map((p) => lap.find((r) => r.seed === p.seed && r.envStep === p.envStep)!.wallSec);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const laptopRets = at.map((p) => p.ret);
    return [{ task, envStep: off.envStep, official: off.ret, laptop: laptopRets, gap: off.ret - mean(laptopRets), officialWallSec: off.wallSec, laptopWallSecs: wall }];
  });
}

const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

/**
 * Evaluation return against environment steps, per group (e.g. agent × config): one thin line per seed and the mean
 * across seeds, with its 95 % CI band where three seeds or more reached a step — or, for a group of one seed, its mean
 * line and each of its evaluation episodes as a point; the papers' 100k-step returns as markers at 100k.
 */
export function learningCurveFigure(groups: { name: string; rows: EvalRow[] }[], opts: { task: string; title?: string; papers?: boolean; envStepUnit?: string } = { task: "" }): Figure {
  const data: Record<string, unknown>[] = [];
  groups.forEach((g, k) => {
    const colour = COLOURS[k % COLOURS.length]!;
    const seeds = [...new Set(g.rows.map((r) => r.seed))].sort((a, b) => a - b);
    // a group of one seed draws only its mean line: the seed's own line would lie under it
    for (const s of seeds.length > 1 ? seeds : []) {
      const c = g.rows.filter((r) => r.seed === s).sort((a, b) => a.envStep - b.envStep);
      data.push({ x: c.map((r) => r.envStep), y: c.map((r) => r.ret), type: "scatter", mode: "lines+markers", name: `${g.name}, seed ${s}`, legendgroup: g.name, showlegend: false, line: { color: colour, width: 1 }, marker: { size: 4, color: colour }, opacity: 0.45 });
    }
    // a band from two seeds is ±12.7 standard errors wide (Student t, 1 degree of freedom) and hides every other
    // curve: two seeds are shown as their lines and mean only
    const all = summarise(g.rows);
    const sum = all.filter((p) => p.seeds >= 3);
    if (sum.length) {
      data.push({ x: sum.map((p) => p.envStep), y: sum.map((p) => p.mean + p.ci95), type: "scatter", mode: "lines", line: { width: 0, color: colour }, showlegend: false, hoverinfo: "skip", legendgroup: g.name });
      data.push({ x: sum.map((p) => p.envStep), y: sum.map((p) => p.mean - p.ci95), type: "scatter", mode: "lines", line: { width: 0, color: colour }, fill: "tonexty", fillcolor: hexA(colour, 0.15), name: `${g.name}: 95% CI of the mean`, hoverinfo: "skip", legendgroup: g.name });
    }
    data.push({ x: all.map((p) => p.envStep), y: all.map((p) => p.mean), type: "scatter", mode: "lines", name: `${g.name} (${seeds.length} seed${seeds.length === 1 ? "" : "s"}, mean)`, line: { color: colour, width: 3 }, legendgroup: g.name });
    // one seed has no band: its evaluation episodes show how far one return is from the next
    const episodes = seeds.length === 1 ? g.rows.flatMap((r) => r.episodes.map((ret) => [r.envStep, ret] as const)) : [];
    if (episodes.length) data.push({ x: episodes.map(([x]) => x), y: episodes.map(([, y]) => y), type: "scatter", mode: "markers", name: `${g.name}: each evaluation episode`, legendgroup: g.name, marker: { size: 5, color: colour, symbol: "circle-open" }, opacity: 0.7 });
  });
  const paper = PAPER_RETURNS_100K[opts.task];
  if ((opts.papers ?? true) && paper) {
    const marks = (["tdmpc", "tdmpc2"] as const).filter((k) => paper[k] !== undefined);
    data.push({ x: marks.map(() => 100_000), y: marks.map((k) => paper[k]), text: marks.map((k) => (k === "tdmpc" ? "TD-MPC paper" : "TD-MPC2 paper")), type: "scatter", mode: "markers+text", textposition: "middle left", marker: { symbol: "star", size: 12, color: "black" }, name: "papers, 100k steps (mean of their seeds)" });
  }
  const legendRows = Math.ceil(data.filter((t) => t.showlegend !== false).length / 2);
  return {
    data,
    layout: {
      title: { text: opts.title ?? `${opts.task}: evaluation return` },
      xaxis: { title: { text: opts.envStepUnit ?? "environment steps" }, rangemode: "tozero" },
      yaxis: { title: { text: "episode return (max 1000)" }, range: [0, 1000] },
      // two entries per row at the figure's foot, under a bottom margin sized for them: a legend placed in plot
      // fractions (y < 0) rose into the axis title when many entries wrapped and shrank the plot area
      legend: { orientation: "h", traceorder: "normal", yref: "container", y: 0, yanchor: "bottom", x: 0, entrywidth: 0.5, entrywidthmode: "fraction" },
      margin: { t: 70, b: 90 + LEGEND_ROW * legendRows },
      height: 420 + LEGEND_ROW * legendRows,
    },
  };
}

/** Height of one legend row, px. */
const LEGEND_ROW = 24;

function hexA(hex: string, a: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}
