/**
 * Chapter 2's measurements: MPC with the true simulator as the model. Each run plays one episode (or its first
 * `steps` agent steps) with a planner and records the return and the wall-clock per action. The sweeps vary one
 * knob at a time around a base configuration: samples, horizon, planner, receding horizon vs open loop.
 * Notebook 02 plots them; the full mode writes data/results/ch02-mpc.csv.
 */
import { makeEnv } from "../envs/registry.js";
import { makeVecEnv } from "../envs/vec.js";
import { CmaesPlanner } from "../planning/cmaes-planner.js";
import { runMpcEpisode, type MpcEpisode, type MpcOptions } from "../planning/mpc.js";
import { cemPlanner, mppiPlanner, randomShooting } from "../planning/sampling.js";
import { SimulatorModel } from "../planning/simulator-model.js";
import type { Planner } from "../planning/types.js";
import type { Figure } from "../viz/plotly.js";
import { parseResults } from "../util/results.js";

export type PlannerKind = "random" | "cem" | "mppi" | "cmaes";

export interface MpcRunSpec {
  /** Which sweep the run belongs to (for grouping in plots). */
  sweep: string;
  task: string;
  planner: PlannerKind;
  numSamples: number;
  horizon: number;
  iterations: number;
  /** Agent steps (after action repeat) to play. */
  steps: number;
  /** Actions executed per plan: 1 = receding horizon, `horizon` = open loop. */
  replanEvery: number;
  actionRepeat?: number;
  seed: number;
}

export interface MpcRunResult extends MpcRunSpec {
  episodeReturn: number;
  /** Median wall-clock milliseconds per planning call. */
  msPerPlan: number;
  /** Mean wall-clock milliseconds per executed action (planning cost spread over the actions it serves). */
  msPerAction: number;
  /** Seconds of simulated time the planner looks ahead. */
  lookaheadSec: number;
}

export function makePlanner(kind: PlannerKind, actionDim: number, s: Pick<MpcRunSpec, "numSamples" | "horizon" | "iterations" | "seed">): Planner {
  const common = { horizon: s.horizon, numSamples: s.numSamples, iterations: s.iterations, seed: s.seed };
  const elites = Math.max(2, Math.round(s.numSamples / 8));
  switch (kind) {
    // random shooting gets the same number of model evaluations as the iterative planners
    case "random":
      return randomShooting(actionDim, { ...common, numSamples: s.numSamples * s.iterations });
    case "cem":
      return cemPlanner(actionDim, { ...common, numElites: elites });
    case "mppi":
      return mppiPlanner(actionDim, { ...common, numElites: elites });
    case "cmaes":
      return new CmaesPlanner(actionDim, { horizon: s.horizon, iterations: s.iterations, popsize: s.numSamples, seed: s.seed });
    default:
      throw new Error(`unknown planner '${String(kind)}': use random, cem, mppi or cmaes`);
  }
}

/** One MPC episode on the true simulator as `spec` describes it, with every action and reward kept. */
export async function playMpc(spec: MpcRunSpec, opts: { onStep?: MpcOptions["onStep"] } = {}): Promise<{ episode: MpcEpisode; wallMs: number; lookaheadSec: number }> {
  const env = await makeEnv(spec.task, { seed: spec.seed, actionRepeat: spec.actionRepeat });
  const vec = await makeVecEnv(spec.task, spec.numSamples, { actionRepeat: spec.actionRepeat });
  try {
    const model = new SimulatorModel(vec);
    const planner = makePlanner(spec.planner, env.actionSpace.shape[0]!, spec);
    const t0 = performance.now();
    const episode = await runMpcEpisode(env, planner, () => model.setStart(env.getState()), {
      maxSteps: spec.steps,
      replanEvery: spec.replanEvery,
      seed: spec.seed,
      onStep: opts.onStep,
    });
    const controlDt = env.task.physicsStepsPerControlStep * env.physics.timestep;
    return { episode, wallMs: performance.now() - t0, lookaheadSec: spec.horizon * env.actionRepeat * controlDt };
  } finally {
    vec.close();
    env.close();
  }
}

export async function runMpcExperiment(spec: MpcRunSpec, opts: { onStep?: MpcOptions["onStep"] } = {}): Promise<MpcRunResult> {
  const { episode: ep, wallMs, lookaheadSec } = await playMpc(spec, opts);
  const sorted = [...ep.planMs].sort((a, b) => a - b);
  return {
    ...spec,
    episodeReturn: ep.totalReturn,
    msPerPlan: sorted[Math.floor(sorted.length / 2)] ?? 0,
    msPerAction: wallMs / ep.steps,
    lookaheadSec,
  };
}

/**
 * The chapter's sweeps. Base: cartpole-swingup, CEM, 64 samples, horizon 12 (≈ 1 s), 3 iterations, receding
 * horizon. `steps` agent steps per run (full: a whole 1000-control-step episode, 125 agent steps at repeat 8).
 */
export function ch02Sweeps(opts: { quick: boolean; seeds?: number[] }): MpcRunSpec[] {
  const q = opts.quick;
  const seeds = opts.seeds ?? (q ? [0] : [0, 1]);
  const steps = q ? 6 : 125;
  const base = { task: "cartpole-swingup", planner: "cem" as PlannerKind, numSamples: q ? 16 : 64, horizon: q ? 4 : 12, iterations: 3, steps, replanEvery: 1 };
  const specs: MpcRunSpec[] = [];
  for (const seed of seeds) {
    for (const numSamples of q ? [8, 16] : [8, 16, 32, 64, 128]) specs.push({ ...base, sweep: "samples", numSamples, seed });
    for (const horizon of q ? [2, 4] : [2, 4, 8, 12, 20]) specs.push({ ...base, sweep: "horizon", horizon, seed });
    for (const planner of ["random", "cem", "mppi", "cmaes"] as PlannerKind[]) specs.push({ ...base, sweep: "planner", planner, seed });
    specs.push({ ...base, sweep: "loop", replanEvery: 1, seed });
    specs.push({ ...base, sweep: "loop", replanEvery: base.horizon, seed });
  }
  return specs;
}

/**
 * Myopia on pendulum-swingup (sparse reward: only within 8° of upright pays). The pole cannot be held at an
 * angle by the weak motor; the planner must see the reward within its lookahead, so short horizons earn nothing.
 * Action repeat 8 (0.16 s per agent step) so that long lookaheads stay cheap.
 */
export function ch02MyopiaRuns(opts: { quick: boolean; seeds?: number[] }): MpcRunSpec[] {
  const q = opts.quick;
  const seeds = opts.seeds ?? (q ? [1] : [1, 2, 5]);
  const specs: MpcRunSpec[] = [];
  for (const seed of seeds)
    for (const horizon of q ? [3, 6] : [3, 6, 12, 25])
      specs.push({ sweep: "myopia", task: "pendulum-swingup", planner: "cem", numSamples: q ? 16 : 64, horizon, iterations: 3, steps: q ? 6 : 60, replanEvery: 1, actionRepeat: 8, seed });
  return specs;
}

export const CH02_CSV_COLUMNS: (keyof MpcRunResult)[] = [
  "sweep", "task", "planner", "numSamples", "horizon", "iterations", "steps", "replanEvery", "actionRepeat", "seed",
  "episodeReturn", "msPerPlan", "msPerAction", "lookaheadSec",
];

/** One CSV cell: numbers rounded to 3 decimals, a missing value empty. */
export function csvCell(v: unknown): string {
  return v === undefined ? "" : typeof v === "number" ? String(Math.round(v * 1000) / 1000) : String(v);
}

/** One CSV line of a run. */
export function csvRow(row: MpcRunResult, columns = CH02_CSV_COLUMNS): string {
  return columns.map((c) => csvCell(row[c])).join(",");
}

export function toCsv(rows: MpcRunResult[], columns = CH02_CSV_COLUMNS): string {
  return [columns.join(","), ...rows.map((r) => csvRow(r, columns))].join("\n") + "\n";
}

/**
 * Parse a results CSV back into rows (numbers where a cell is numeric). Read through util/results.ts: a torn last
 * line (a crash mid-write) is dropped, not read as a finished run with a cut-off return.
 */
export function fromCsv(text: string, file?: string): MpcRunResult[] {
  const { rows } = parseResults(text, file);
  return rows.map((cells) => {
    const row: Record<string, unknown> = {};
    for (const [c, v] of Object.entries(cells)) row[c] = v === "" ? undefined : Number.isNaN(Number(v)) ? v : Number(v);
    return row as unknown as MpcRunResult;
  });
}

// ─── figures (the notebook shows them; `tdmpc figures ch02` exports them from the committed CSV) ───────────────

type Row = MpcRunResult;

/** Mean of `value` over seeds for each value of `key`, in first-seen order. */
export function meanBy(rows: Row[], key: keyof Row, value: keyof Row): { x: (number | string)[]; y: number[] } {
  const groups = new Map<number | string, number[]>();
  for (const r of rows) groups.set(r[key] as number | string, [...(groups.get(r[key] as number | string) ?? []), r[value] as number]);
  const x = [...groups.keys()];
  return { x, y: x.map((k) => groups.get(k)!.reduce((a, b) => a + b, 0) / groups.get(k)!.length) };
}

/** The chapter's figures from its results: samples, horizon, myopia, planners, loop. */
export function ch02Figures(rows: Row[]): Record<"samples" | "horizon" | "myopia" | "planners" | "loop", Figure> {
  const sweep = (name: string) => rows.filter((r) => r.sweep === name);
  const seeds = (name: string) => new Set(sweep(name).map((r) => r.seed)).size;
  const s1 = meanBy(sweep("samples"), "numSamples", "episodeReturn");
  const s2 = meanBy(sweep("samples"), "numSamples", "msPerAction");
  const h1 = meanBy(sweep("horizon"), "horizon", "episodeReturn");
  const h2 = meanBy(sweep("horizon"), "horizon", "msPerAction");
  const myo = sweep("myopia");
  const p1 = meanBy(sweep("planner"), "planner", "episodeReturn");
  const p2 = meanBy(sweep("planner"), "planner", "msPerAction");
  const l1 = meanBy(sweep("loop"), "replanEvery", "episodeReturn");
  const twoAxes = (title: string, xTitle: string, extra: Record<string, unknown> = {}) => ({
    title: { text: title },
    xaxis: { title: { text: xTitle }, ...extra },
    yaxis: { title: { text: "episode return (max 1000)" } },
    yaxis2: { title: { text: "ms per action" }, overlaying: "y", side: "right" },
    legend: { orientation: "h", y: -0.25 },
    height: 420,
  });
  return {
    samples: {
      data: [
        { x: s1.x, y: s1.y, name: "return", type: "scatter", mode: "lines+markers" },
        { x: s2.x, y: s2.y, name: "ms per action", type: "scatter", mode: "lines+markers", yaxis: "y2", line: { dash: "dot" } },
      ],
      layout: twoAxes(`Samples per iteration (cartpole-swingup, CEM, H = 12, mean of ${seeds("samples")} seeds)`, "samples", { type: "log" }),
    },
    horizon: {
      data: [
        { x: h1.x, y: h1.y, name: "return", type: "scatter", mode: "lines+markers" },
        { x: h2.x, y: h2.y, name: "ms per action", type: "scatter", mode: "lines+markers", yaxis: "y2", line: { dash: "dot" } },
      ],
      layout: twoAxes(`Horizon (cartpole-swingup, CEM, 64 samples, mean of ${seeds("horizon")} seeds)`, "horizon H (agent steps of 0.08 s)"),
    },
    myopia: {
      data: [...new Set(myo.map((r) => r.seed))].map((seed) => {
        const m = meanBy(myo.filter((r) => r.seed === seed), "lookaheadSec", "episodeReturn");
        return { x: m.x, y: m.y, name: `start seed ${seed}`, type: "scatter", mode: "lines+markers" };
      }),
      layout: {
        title: { text: "Myopia: sparse pendulum-swingup pays only what the planner can see (CEM, 64 samples)" },
        xaxis: { title: { text: "lookahead (seconds of simulated time)" } },
        yaxis: { title: { text: `return over ${myo[0]?.steps ?? "?"} agent steps` } },
        height: 400,
      },
    },
    planners: {
      data: [
        { x: p1.x, y: p1.y, name: "return", type: "bar", offsetgroup: "a" },
        { x: p2.x, y: p2.y, name: "ms per action", type: "bar", yaxis: "y2", offsetgroup: "b", opacity: 0.55 },
      ],
      layout: { ...twoAxes(`Four planners, equal model evaluations (cartpole-swingup, mean of ${seeds("planner")} seeds)`, "planner"), barmode: "group" },
    },
    loop: {
      data: [{ x: l1.x.map((k) => (k === 1 ? "receding horizon (replan every step)" : `open loop (replan every ${k} steps)`)), y: l1.y, type: "bar" }],
      layout: { title: { text: "Receding horizon vs open loop (CEM, H = 12)" }, yaxis: { title: { text: "episode return" } }, height: 360 },
    },
  };
}
