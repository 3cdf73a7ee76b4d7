/**
 * The experiment registry: one entry per figure of the course. An entry names its grid of runs (run-kinds.ts:
 * each run a plain spec with a stable id), the results file the rows land in, how to draw the figure(s) from those
 * rows, and a quick grid that runs in seconds. `tdmpc figures list | run NAME | draw NAME` (src/cli/figures.ts) and
 * notebook 08 work from it; docs/experiments.md says how to add an entry.
 *
 * Results: data/results/<results> for the full grid (committed), <results dir>/quick/<results> for the quick one
 * (git-ignored). Entries may share a results file; each run owns its rows in it (RunKind.rowsOf).
 */
import { getTask } from "../envs/task.js";
import { typedRow, type ResultRow } from "../util/results.js";
import type { Figure } from "../viz/plotly.js";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ch02Figures, oracleFigure } from "../viz/figures/ch02.js";
import { petsFigure } from "../viz/figures/ch03.js";
import { ch03Oracle } from "../viz/figures/index.js";
import { ch02MyopiaRuns, ch02Sweeps, readLoopTraces, type MpcRunResult } from "./ch02-mpc.js";
import { ORACLE_SETTINGS, oracleSpec, readOracleCsv } from "./oracle-mpc.js";
import type { CourseRun, GridRun, MpcRun, OptimRun, PetsRun, RunSpec, TrainRun } from "./run-kinds.js";
import { benchmarkHeatmap, convergenceFigure } from "../viz/figures/ch01.js";
import { ch04FiguresOf } from "../viz/figures/ch04.js";
import { ch05FiguresOf } from "../viz/figures/ch05.js";
import { CH01_CURVE_COLUMNS, CH01_RUN_COLUMNS, ch01Cells, CURVE_DIM, typedCh01Rows, type Ch01CurvePoint, type Ch01Run } from "./ch01-optim.js";
import { ch04Grid } from "./ch04-latent.js";
import { ch05Grid } from "./ch05-synergies.js";
import { trainerRows, type RunSpec as CourseSpec, type VariantName } from "./tdmpc-runs.js";
import { evalRows, learningCurveFigure, readEvalRows, returnsAt, type EvalRow } from "./tdmpc-curves.js";

export interface DrawContext {
  /** Project root (the chapter-3 figure reads chapter 2's oracle line from data/results/). */
  root: string;
  quick: boolean;
  /** The grid's runs (id and spec): what tells curves apart when the rows do not say it (ablation variants). */
  runs: GridRun[];
}

/** One figure, or several named ones (written as figures/<entry>-<name>.png). */
export type Drawn = Figure | Record<string, Figure>;

export interface FigureEntry {
  name: string;
  /** The course chapter(s) the figure belongs to ("03", "06–07"). */
  chapter: string;
  description: string;
  /** Results file name (data/results/<results>; quick runs: <results dir>/quick/<results>). */
  results: string;
  /** The runs of the figure; `quick`: a tiny grid that exercises the same code in seconds. */
  grid(opts: { quick: boolean }): RunSpec[];
  /** The figure(s) from the rows of the grid's runs (only those rows). */
  draw(rows: ResultRow[], ctx: DrawContext): Drawn;
}

// ─── TD-MPC / TD-MPC2 learning curves (chapters 6–7) ───────────────────────────────────────────────────────

export const CURVE_TASKS = ["cartpole-swingup", "reacher-easy", "pendulum-swingup"] as const;
export const CURVE_SEEDS = [1, 2, 3];
/**
 * Evaluation every 20k environment steps with 10 episodes (TD-MPC's default frequency; TD-MPC2's is 50k). Both agents
 * run under TD-MPC's protocol (the task's action repeat, 1000-step episodes), so one x-axis holds both: TD-MPC2's own
 * protocol (repeat 2) makes 100k steps 4-8x more agent steps and updates, hours per run on a laptop core.
 */
const CURVE_EVAL = { evalFreq: 20_000, evalEpisodes: 10 };

/** The quick grids' scale (trainer and course runs): tiny networks and planner. */
const TINY = { mlp_dim: 16, enc_dim: 16, latent_dim: 8, batch_size: 8, num_samples: 16, num_elites: 4, iterations: 1, horizon: 2 };
/** TD-MPC at that scale: the horizon fixed at 2 (no schedule up to 5), no seed steps. */
const TDMPC_QUICK = { horizon_schedule: "2", seed_steps: 0 };

/**
 * The quick trainer: tiny networks and planner, one training episode, evaluations at its start and end (one
 * episode each). TD-MPC's protocol for both agents, so that an episode is 125–250 agent steps, not TD-MPC2's 500.
 * Seed steps: none for TD-MPC (it plans and updates from the first episode), 1 for TD-MPC2 (0 means its default).
 * Several tasks (multi-task TD-MPC2, 500-step episodes in turn): seed steps span the run, so it collects with random
 * actions and plans only in its evaluations — a test of the plumbing, not of learning.
 */
export function quickTrainRun(agent: TrainRun["agent"], task: string | string[], overrides: TrainRun["overrides"] = {}): TrainRun {
  const tasks = typeof task === "string" ? [task] : task;
  const multi = tasks.length > 1;
  const protocol = multi ? "tdmpc2" : "tdmpc";
  // env steps of one episode as the protocol counts them: tdmpc 1000 control steps, tdmpc2 500 agent steps per task
  const episode = multi ? 500 * tasks.length : getTask(tasks[0]!).episodeLength;
  const own: Record<string, string | number> = agent === "tdmpc" ? TDMPC_QUICK : { num_pi_trajs: 4, seed_steps: multi ? episode : 1 };
  return { kind: "train", agent, preset: "official", overrides: { ...TINY, ...own, ...overrides }, task, seed: 1, steps: episode, protocol, evalFreq: episode, evalEpisodes: 1 };
}

const AGENT_NAMES: Record<string, string> = { tdmpc: "TD-MPC", tdmpc2: "TD-MPC2" };

/** A learning-curve group's name: the agent and the label its rows were trained under ("TD-MPC (laptop)"). */
const agentLabel = (r: ResultRow): string => `${AGENT_NAMES[r.agent!] ?? r.agent} (${r.label})`;

/**
 * The tasks of `all` that have rows, each to get its own figure; all of them while none has (the figures then show
 * what is already there to compare with: laptop seeds, the papers' stars).
 */
function tasksWithRows(all: readonly string[], rows: { task?: string }[]): string[] {
  const seen = all.filter((t) => rows.some((r) => r.task === t));
  return seen.length ? seen : [...all];
}

/** Learning-curve groups: the evaluation rows of the result rows that share a key, in first-seen order. */
function curveGroups(rows: ResultRow[], key: (r: ResultRow) => string): { name: string; rows: EvalRow[] }[] {
  const groups = new Map<string, ResultRow[]>();
  for (const r of rows) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  return [...groups].map(([name, rs]) => ({ name, rows: evalRows(rs) }));
}

function curvesEntry(task: string): FigureEntry {
  return {
    name: `curves-${task}`,
    chapter: "06–07",
    description: `TD-MPC and TD-MPC2 (laptop preset, seeds 1–3, 100k env steps under TD-MPC's protocol) on ${task}: evaluation return vs environment steps, with the papers' returns at 100k`,
    results: `curves-${task}.csv`,
    grid: ({ quick }) =>
      quick
        ? [quickTrainRun("tdmpc", task), quickTrainRun("tdmpc2", task)]
        : (["tdmpc", "tdmpc2"] as const).flatMap((agent) => CURVE_SEEDS.map((seed) => curveRun(agent, task, seed))),
    draw: (rows, ctx) =>
      learningCurveFigure(
        curveGroups(rows, agentLabel),
        { task, title: `${task}: evaluation return${ctx.quick ? " (quick grid: tiny networks, one episode)" : ""}`, papers: !ctx.quick },
      ),
  };
}

/**
 * The papers' other three 100k-step tasks, as far as this machine allows: one laptop seed of each agent, the curves'
 * protocol and evaluations. An agent step costs what it does on the curve tasks, but these repeat each action fewer
 * times (cheetah 4, walker and finger 2, against cartpole's 8), so 100k env steps are 2-4x cartpole's agent steps and
 * updates: measured on cartpole, 0.76 h (TD-MPC) and 1.04 h (TD-MPC2) per run, hence ~1.5-4 h each, ~16 CPU-hours in all.
 */
export const MORE_TASKS = ["cheetah-run", "walker-walk", "finger-spin"] as const;
export const MORE_TASKS_SEED = 1;

/** The registry entry that holds a task's laptop learning curves: curves-<task> for a curve task, else curves-more-tasks. */
export function curveEntryName(task: string): string {
  return (CURVE_TASKS as readonly string[]).includes(task) ? `curves-${task}` : "curves-more-tasks";
}

function moreTasksEntry(): FigureEntry {
  return {
    name: "curves-more-tasks",
    chapter: "08",
    description: `TD-MPC and TD-MPC2 (laptop preset, seed ${MORE_TASKS_SEED}, 100k env steps under TD-MPC's protocol) on ${MORE_TASKS.join(", ")}: evaluation return vs environment steps, with the papers' returns at 100k`,
    results: "curves-more-tasks.csv",
    grid: ({ quick }) =>
      quick
        ? [quickTrainRun("tdmpc", "cheetah-run"), quickTrainRun("tdmpc2", "cheetah-run")]
        : MORE_TASKS.flatMap((task) => (["tdmpc", "tdmpc2"] as const).map((agent) => curveRun(agent, task, MORE_TASKS_SEED))),
    draw: (rows, ctx) => {
      const tasks = ctx.quick ? ["cheetah-run"] : tasksWithRows(MORE_TASKS, rows);
      return Object.fromEntries(
        tasks.map((task) => [
          task,
          learningCurveFigure(
            curveGroups(rows.filter((r) => r.task === task), agentLabel),
            { task, title: `${task}: evaluation return${ctx.quick ? " (quick grid: tiny networks, one episode)" : ""}`, papers: !ctx.quick },
          ),
        ]),
      );
    },
  };
}

/**
 * TD-MPC from pixels (issue 13): three stacked 64×64 frames from our CPU renderer, TD-MPC's 4-layer CNN encoder,
 * otherwise the laptop curve run of cartpole-swingup (`tdmpc train --pixels`). A pixel agent step costs about 13×
 * a state one on a CPU core (`node scripts/bench-pixel-agent.mjs`), hence 60k env steps (~2.6 h) and two seeds.
 */
export const PIXEL_SEEDS = [1, 2];
const PIXEL_STEPS = 60_000;

function pixelsEntry(task: string): FigureEntry {
  return {
    name: `pixels-${task}`,
    chapter: "06",
    description: `TD-MPC from pixels (laptop preset, 3 stacked 64×64 frames, seeds ${PIXEL_SEEDS.join(", ")}, ${PIXEL_STEPS / 1000}k env steps) on ${task}, beside the state-based runs of curves-${task}`,
    results: `pixels-${task}.csv`,
    grid: ({ quick }) =>
      quick
        ? [quickTrainRun("tdmpc", task, { modality: "pixels" })]
        : PIXEL_SEEDS.map((seed) => ({ ...curveRun("tdmpc", task, seed, { modality: "pixels" }), steps: PIXEL_STEPS })),
    draw: (rows, ctx) => {
      // the state-based TD-MPC runs of the same task and protocol, from the committed curves (not in the quick grid)
      const states = laptopCurveRows(ctx.root, task, ctx.quick).filter((r) => r.envStep <= PIXEL_STEPS);
      const groups = [...(states.length ? [{ name: "TD-MPC (laptop) from states", rows: states }] : []), { name: "TD-MPC (laptop) from pixels", rows: evalRows(rows) }];
      return learningCurveFigure(groups, { task, title: `${task}: TD-MPC from states vs from pixels${ctx.quick ? " (quick grid)" : ""}`, papers: false });
    },
  };
}

/**
 * The official-configuration anchors: TD-MPC with the paper's sizes and planning budget (preset "official"), one
 * seed per curve task, the curves' protocol and evaluations, drawn over the laptop TD-MPC seeds of curves-<task>.
 * What the laptop preset costs in return and saves in time (`presetGaps`). An agent step costs ~4.5× a laptop one
 * (the PyTorch timings: 0.94 s vs 0.21 s); measured on onnxruntime, cartpole's run took 4.7x the laptop
 * seeds' median, 1.37 h; reacher and pendulum (action repeat 4, not 8) take about twice that, resumed across sessions.
 */
export const ANCHOR_SEED = 1;

/** The laptop TD-MPC rows of curves-<task>.csv (none in the quick grid or before that file exists). */
function laptopCurveRows(root: string, task: string, quick: boolean): EvalRow[] {
  const file = join(root, "data", "results", `curves-${task}.csv`);
  return quick || !existsSync(file) ? [] : readEvalRows(file).filter((r) => r.agent === "tdmpc" && r.label === "laptop");
}

function anchorsEntry(): FigureEntry {
  return {
    name: "official-anchors",
    chapter: "06",
    description: `TD-MPC with the official configuration (seed ${ANCHOR_SEED}, 100k env steps under TD-MPC's protocol) on ${CURVE_TASKS.join(", ")}, over the laptop preset's seeds`,
    results: "official-anchors.csv",
    grid: ({ quick }) =>
      quick ? [quickTrainRun("tdmpc", "cartpole-swingup")] : CURVE_TASKS.map((task): TrainRun => ({ ...curveRun("tdmpc", task, ANCHOR_SEED), preset: "official" })),
    draw: (rows, ctx) => {
      const official = evalRows(rows);
      const tasks = ctx.quick ? [...new Set(official.map((r) => r.task))] : tasksWithRows(CURVE_TASKS, official);
      return Object.fromEntries(
        tasks.map((task) => {
          const laptop = laptopCurveRows(ctx.root, task, ctx.quick);
          const groups = [...(laptop.length ? [{ name: "TD-MPC laptop", rows: laptop }] : []), { name: "TD-MPC official", rows: official.filter((r) => r.task === task) }];
          return [task, learningCurveFigure(groups, { task, title: `${task}: TD-MPC, official configuration vs laptop preset${ctx.quick ? " (quick grid)" : ""}`, papers: !ctx.quick })];
        }),
      );
    },
  };
}

/** TD-MPC's ablations (its paper's figure of the same name) at laptop scale on cartpole-swingup. */
export const TDMPC_ABLATIONS: Record<string, TrainRun["overrides"]> = {
  "TD-MPC": {},
  "no consistency loss": { consistency_coef: 0 },
  "no terminal value": { terminal_value: false },
  "no policy sequences": { mixture_coef: 0 },
  "policy alone (no planning)": { plan: false },
};

/** TD-MPC2's (its paper's ablation figure, three of its switches) at the same scale; "TD-MPC2" is the curves' run. */
export const TDMPC2_ABLATIONS: Record<string, TrainRun["overrides"]> = {
  "TD-MPC2": {},
  "no SimNorm": { simnorm_dim: 0 },
  "2 Q heads, no dropout": { num_q: 2, dropout: 0 },
  "no policy sequences": { num_pi_trajs: 0 },
};

/** The name of an ablation variant in `table` from its overrides (the overrides as JSON when none matches). */
export function ablationName(overrides: TrainRun["overrides"], table: Record<string, TrainRun["overrides"]>): string {
  const want = JSON.stringify(overrides ?? {});
  return Object.entries(table).find(([, o]) => JSON.stringify(o) === want)?.[0] ?? want;
}

/**
 * Each variant of an ablation table with each committed seed's return at `envStep` (its last evaluation at or
 * before it): `rows` and `runs` as `planEntry` gives them for an ablation entry. Variants without rows have none.
 */
export function ablationReturns(rows: ResultRow[], runs: GridRun[], table: Record<string, TrainRun["overrides"]>, envStep = 100_000): { variant: string; points: { seed: number; envStep: number; ret: number }[] }[] {
  const variant = new Map(runs.map((r) => [r.id, ablationName((r.spec as TrainRun).overrides, table)]));
  return Object.keys(table).map((name) => ({ variant: name, points: returnsAt(evalRows(rows.filter((r) => variant.get(r.run!) === name)), envStep) }));
}

/** A learning-curve run: laptop preset, 100k env steps under TD-MPC's protocol, the curves' evaluations. */
function curveRun(agent: TrainRun["agent"], task: string, seed: number, overrides: TrainRun["overrides"] = {}): TrainRun {
  return { kind: "train", agent, preset: "laptop", ...(Object.keys(overrides ?? {}).length ? { overrides } : {}), task, seed, steps: 100_000, protocol: "tdmpc", ...CURVE_EVAL };
}

/**
 * An agent's ablations on cartpole-swingup: one curve run per variant of `table` and seed (the variant `{}` is the
 * curves' own run, same id); `quick` is the switch the quick grid tries beside the plain agent.
 */
function ablationEntry(o: { name: string; chapter: string; agent: TrainRun["agent"]; what: string; table: Record<string, TrainRun["overrides"]>; quick: TrainRun["overrides"] }): FigureEntry {
  const agentName = AGENT_NAMES[o.agent] ?? o.agent;
  return {
    name: o.name,
    chapter: o.chapter,
    description: `${agentName} ablations on cartpole-swingup (laptop preset, seeds 1–3, 100k env steps under TD-MPC's protocol): ${o.what}`,
    results: `${o.name}.csv`,
    grid: ({ quick }) =>
      quick
        ? [quickTrainRun(o.agent, "cartpole-swingup"), quickTrainRun(o.agent, "cartpole-swingup", o.quick)]
        : Object.values(o.table).flatMap((overrides) => CURVE_SEEDS.map((seed) => curveRun(o.agent, "cartpole-swingup", seed, overrides))),
    draw: (rows, ctx) => {
      const variant = new Map(ctx.runs.map((r) => [r.id, ablationName((r.spec as TrainRun).overrides, o.table)]));
      return learningCurveFigure(curveGroups(rows, (r) => variant.get(r.run!) ?? r.run!), { task: "cartpole-swingup", title: `${agentName} ablations on cartpole-swingup${ctx.quick ? " (quick grid)" : ""}`, papers: false });
    },
  };
}

// ─── chapters 4–5: TD-MPC at the course's small scale (tdmpc-runs.ts) ──────────────────────────────────────

/** The quick grid's runs: the quick trainer's TD-MPC scale, one training episode, one evaluation episode at its end. */
const QUICK_COURSE = { ...TINY, ...TDMPC_QUICK };

function courseRuns(specs: CourseSpec[], quick = false): CourseRun[] {
  return specs.map((s) => {
    const base = { kind: "course" as const, variant: s.variant.name as VariantName, task: s.task, seed: s.seed };
    if (!quick) return { ...base, steps: s.steps, evalFreq: s.evalFreq, evalEpisodes: s.evalEpisodes };
    const episode = getTask(s.task).episodeLength;
    return { ...base, steps: episode, evalFreq: episode, evalEpisodes: 1, scale: QUICK_COURSE };
  });
}

/**
 * The multi-task runs' control: TD-MPC2 alone on the task they do not learn (pendulum-swingup, at 0 from 50k on),
 * under their protocol (action repeat 2, 500-step episodes) for the 25k steps of it they have played by 75k.
 */
export const MULTITASK_CONTROL: TrainRun = { kind: "train", agent: "tdmpc2", preset: "laptop", task: "pendulum-swingup", seed: 1, steps: 25_000, protocol: "tdmpc2", evalFreq: 12_500, evalEpisodes: 10 };

/**
 * A multi-task entry's rows split into those of multi-task runs and of single-task ones (the control), with a
 * multi-task row moved to its task's own env steps: the tasks take turns by episode, each the same 500 steps, so a
 * task has played the total / tasks.
 */
export function splitMultitask(rows: ResultRow[], runs: GridRun[]): { multi: ResultRow[]; alone: ResultRow[]; ownSteps: (r: ResultRow) => ResultRow } {
  const taskCount = new Map(runs.map((r) => [r.id, [(r.spec as TrainRun).task].flat().length]));
  const isMulti = (r: ResultRow) => (taskCount.get(r.run!) ?? 1) > 1;
  return {
    multi: rows.filter(isMulti),
    alone: rows.filter((r) => !isMulti(r)),
    ownSteps: (r) => ({ ...r, env_step: String(Number(r.env_step) / taskCount.get(r.run!)!) }),
  };
}

// ─── the entries ───────────────────────────────────────────────────────────────────────────────────────────

const asMpc = (spec: object) => ({ kind: "mpc", ...spec }) as MpcRun;
const mpcRows = (rows: ResultRow[]) => rows.map((r) => typedRow(r) as unknown as MpcRunResult);

export const FIGURES: readonly FigureEntry[] = [
  {
    name: "ch00b-oracle",
    chapter: "00b",
    description: "MPC on the true simulator (MPPI or CEM, 64 samples) on every task, 2 seeds, full episodes: the return each task allows a planner",
    results: "oracle-mpc.csv",
    grid: ({ quick }) =>
      quick
        ? ["cartpole-swingup", "pendulum-swingup"].map((task) => asMpc(oracleSpec(task, 0, 4)))
        : Object.keys(ORACLE_SETTINGS).flatMap((task) => [0, 1].map((seed) => asMpc(oracleSpec(task, seed)))),
    draw: (rows) => oracleFigure(mpcRows(rows)),
  },
  {
    name: "ch01-benchmark",
    chapter: "01",
    description: "CEM, CEM with a full covariance, CMA-ES, sep-CMA-ES, IPOP-CMA-ES on 7 test functions in 2, 10, 30 D, 10 seeds: successes and evaluations to f − f* ≤ 1e-8",
    results: "ch01-benchmark.csv",
    grid: ({ quick }) => ch01Cells(quick).map((c): OptimRun => ({ kind: "optim", ...c })),
    draw: (rows) => benchmarkHeatmap(typedCh01Rows<Ch01Run>(rows, CH01_RUN_COLUMNS)),
  },
  {
    name: "ch01-convergence",
    chapter: "01",
    description: `the same optimisers in ${CURVE_DIM} D: best f − f* against evaluations, median and interquartile range over 10 seeds`,
    results: "ch01-curves.csv",
    grid: ({ quick }) => ch01Cells(quick).filter((c) => c.dim === CURVE_DIM).map((c): OptimRun => ({ kind: "optim-curves", ...c })),
    draw: (rows) => convergenceFigure(typedCh01Rows<Ch01CurvePoint>(rows, CH01_CURVE_COLUMNS)),
  },
  {
    name: "ch02",
    chapter: "02",
    description: "CEM-MPC on the true simulator: samples, horizon, four planners, receding horizon vs open loop (cartpole-swingup), myopia (sparse pendulum)",
    results: "ch02-mpc.csv",
    grid: ({ quick }) => [...ch02Sweeps({ quick }), ...ch02MyopiaRuns({ quick })].map(asMpc),
    // the loop traces and the oracle are committed beside the grid's results (`tdmpc figures run ch02` writes them)
    draw: (rows, ctx) => {
      const dir = join(ctx.root, "data", "results");
      return ch02Figures(mpcRows(rows), ctx.quick ? [] : readLoopTraces(join(dir, "ch02-loop.csv")), ctx.quick ? [] : readOracleCsv(join(dir, "oracle-mpc.csv")));
    },
  },
  {
    name: "ch03-pets",
    chapter: "03",
    description: "PETS on cartpole-swingup, 3 seeds × 12 MPC episodes, against CEM-MPC on the true simulator",
    results: "pets-cartpole-swingup.csv",
    grid: ({ quick }) =>
      quick
        ? [{ kind: "pets", task: "cartpole-swingup", seed: 0, iters: 1, episodeSteps: 8, hidden: [32] } satisfies PetsRun]
        : [0, 1, 2].map((seed): PetsRun => ({ kind: "pets", task: "cartpole-swingup", seed, iters: 12 })),
    draw: (rows, ctx) =>
      petsFigure(
        rows.map((r) => ({ seed: Number(r.seed), envSteps: Number(r.envSteps), episodeReturn: Number(r.episodeReturn), wallSec: Number(r.wallSec) })),
        { oracle: ctx.quick ? undefined : ch03Oracle(join(ctx.root, "data", "results")) },
      ),
  },
  {
    name: "ch04",
    chapter: "04",
    description: "latent models: joint backbone vs independent modules (latent_mode) on cartpole-swingup and -balance, 5 seeds; no consistency loss, reconstruction instead (3 seeds)",
    results: "ch04-latent.csv",
    grid: ({ quick }) => (quick ? courseRuns(ch04Grid({ seeds: [0] }).filter((s) => s.task === "cartpole-swingup"), true) : courseRuns(ch04Grid())),
    // the prediction study (`tdmpc study prediction`) is committed beside the grid's results
    draw: (rows, ctx) => ch04FiguresOf(trainerRows(rows), ctx.quick ? undefined : join(ctx.root, "data", "results")),
  },
  {
    name: "ch05",
    chapter: "05",
    description: "the synergies on cartpole-swingup, 3 seeds: MPC alone, + terminal Q, + policy warm start, both (TD-MPC), policy alone; POPLIN-A and -P",
    results: "ch05-synergies.csv",
    grid: ({ quick }) => (quick ? courseRuns(ch05Grid({ seeds: [0] }).filter((s) => s.task === "cartpole-swingup" && ["mpc", "tdmpc", "policy", "poplin_a", "poplin_p"].includes(s.variant.name)), true) : courseRuns(ch05Grid())),
    // the studies on the trained runs (`tdmpc study planning|learners`) and the pendulum pilot are committed beside them
    draw: (rows, ctx) => ch05FiguresOf(trainerRows(rows), ctx.quick ? undefined : join(ctx.root, "data", "results")),
  },
  ...CURVE_TASKS.map(curvesEntry),
  moreTasksEntry(),
  pixelsEntry("cartpole-swingup"),
  anchorsEntry(),
  ablationEntry({
    name: "tdmpc-ablations",
    chapter: "06",
    agent: "tdmpc",
    what: "no consistency loss, no terminal value, no policy sequences, policy alone",
    table: TDMPC_ABLATIONS,
    quick: { terminal_value: false },
  }),
  ablationEntry({
    name: "tdmpc2-ablations",
    chapter: "07",
    agent: "tdmpc2",
    what: "no SimNorm, TD-MPC's two Q heads without dropout, no policy sequences",
    table: TDMPC2_ABLATIONS,
    quick: { simnorm_dim: 0 },
  }),
  {
    name: "tdmpc2-multitask",
    chapter: "07",
    description: `one multi-task TD-MPC2 on ${CURVE_TASKS.join(", ")} (laptop preset, seeds 1–3, 150k agent steps in all): evaluation return per task; and its control, TD-MPC2 alone on pendulum-swingup under the same protocol for as many of that task's steps as the multi-task agent has had by 75k`,
    results: "tdmpc2-multitask.csv",
    grid: ({ quick }) =>
      quick
        ? [quickTrainRun("tdmpc2", ["cartpole-swingup", "pendulum-swingup"]), { ...quickTrainRun("tdmpc2", "pendulum-swingup"), protocol: "tdmpc2", steps: 500, evalFreq: 500 }]
        : [...CURVE_SEEDS.map((seed): TrainRun => ({ kind: "train", agent: "tdmpc2", preset: "laptop", task: [...CURVE_TASKS], seed, steps: 150_000, evalFreq: 25_000, evalEpisodes: 10 })), MULTITASK_CONTROL],
    draw: (rows, ctx) => {
      const { multi: mt, alone, ownSteps } = splitMultitask(rows, ctx.runs);
      const quick = ctx.quick ? " (quick grid)" : "";
      const tasks = learningCurveFigure(curveGroups(mt, (r) => r.task!), { task: "", title: `One TD-MPC2 agent on several tasks: evaluation return per task${quick}`, papers: false, envStepUnit: "environment steps (all tasks together)" });
      if (!alone.length) return { tasks } as Record<string, Figure>;
      const pendulum = learningCurveFigure(
        [
          { name: "inside the multi-task agent", rows: evalRows(mt.filter((r) => r.task === "pendulum-swingup").map(ownSteps)) },
          { name: "TD-MPC2 alone", rows: evalRows(alone) },
        ],
        { task: "pendulum-swingup", title: `pendulum-swingup inside the multi-task agent and alone, same protocol (action repeat 2)${quick}`, papers: false, envStepUnit: "pendulum-swingup's own environment steps" },
      );
      return { tasks, pendulum };
    },
  },
];

export function figureNames(): string[] {
  return FIGURES.map((f) => f.name);
}

/** The entry called `name` (an unknown name gets the list of known ones). */
export function getFigure(name: string): FigureEntry {
  const f = FIGURES.find((e) => e.name === name);
  if (!f) throw new Error(`no figure '${name}' in the registry; known: ${figureNames().join(", ")}`);
  return f;
}
