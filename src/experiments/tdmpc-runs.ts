/**
 * The TD-MPC runs behind chapters 4–5, as grids of (variant × task × seed): each run is one `train()` of the TD-MPC
 * agent at the course's small scale plus a variant's switches (the same keys as `tdmpc train --set`). A chapter keeps
 * one results CSV, the trainer's rows of every finished run one after the other (columns `RESULT_COLUMNS`, `label` =
 * the variant). `runGrid` skips runs already in the CSV, copies a run another chapter finished from its run
 * directory, and resumes an interrupted run from its checkpoint; so a grid can be stopped and started at will.
 * Trained agents stay in their run directories: evaluation studies (planning budget, horizon, learners on fixed data)
 * load them from there (`loadTrained`).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { makeConfig, validateConfig, withNewDefaults, type TdmpcConfig } from "../agents/config.js";
import { latestCheckpoint, loadRunCheckpoint } from "../agents/checkpoint.js";
import { configForEnv, makeAgent, protocolEnv, RESULT_COLUMNS, train, type Protocol, type ResultRow } from "../agents/trainer.js";
import type { LearningAgent } from "../agents/types.js";
import type { ReplayStore } from "../replay/store.js";
import { loadCheckpoint } from "../nn/io.js";
import { readResults as readLog, ResultsLog, type ResultRow as TextRow, type ResultsSpec } from "../util/results.js";

/**
 * The course's scale for chapters 4–5 (what 2 shared cores afford for ~100 runs): widths 64 (latent 32) instead of
 * 512/50, batch 128, 128 samples × 3 iterations with 16 elites (6 policy sequences at mixture_coef 0.05), 250 seed
 * steps, and TD-MPC's horizon and std schedules compressed from 25,000 to 1,000 agent steps. Losses, ρ, γ, PER,
 * learning rate and the EMA are the official ones.
 */
export const SMALL_SCALE: Record<string, string | number | boolean> = {
  mlp_dim: 64,
  enc_dim: 64,
  latent_dim: 32,
  batch_size: 128,
  num_samples: 128,
  num_elites: 16,
  iterations: 3,
  seed_steps: 250,
  horizon_schedule: "linear(1, 5, 1000)",
  std_schedule: "linear(0.5, 0.05, 1000)",
};

export type Overrides = Record<string, string | number | boolean>;

export interface Variant {
  /** Short id (the CSV's `label`). */
  name: string;
  /** What a figure's legend says. */
  title: string;
  /** Config switches on top of SMALL_SCALE. */
  set: Overrides;
}

/**
 * Every variant of chapters 4–5, one table (a run two chapters share is trained once): TD-MPC itself and the
 * switches of config.ts (CourseSwitches, planner).
 */
export const VARIANTS = {
  tdmpc: { name: "tdmpc", title: "TD-MPC: MPC + terminal Q + policy warm start (joint backbone)", set: {} },
  independent: { name: "independent", title: "independent modules (encoder and dynamics from the consistency loss alone)", set: { latent_mode: "independent" } },
  no_consistency: { name: "no_consistency", title: "no consistency loss", set: { consistency_coef: 0 } },
  reconstruction: { name: "reconstruction", title: "reconstruction instead of consistency", set: { consistency_coef: 0, reconstruction_coef: 1, decoder: true } },
  mpc: { name: "mpc", title: "MPC alone (latent model, no Q, no policy)", set: { terminal_value: false, policy_learner: "none", mixture_coef: 0 } },
  mpc_q: { name: "mpc_q", title: "MPC + terminal Q", set: { mixture_coef: 0 } },
  mpc_pi: { name: "mpc_pi", title: "MPC + policy warm start", set: { terminal_value: false } },
  policy: { name: "policy", title: "policy alone (no planning)", set: { plan: false } },
  poplin_a: { name: "poplin_a", title: "POPLIN-A (residuals around π) + terminal Q", set: { planner: "poplin_a" } },
  poplin_p: { name: "poplin_p", title: "POPLIN-P (π's last layer perturbed) + terminal Q", set: { planner: "poplin_p" } },
} satisfies Record<string, Variant>;

export type VariantName = keyof typeof VARIANTS;

/** Budget per task: environment steps, evaluation every `evalFreq` env steps with `evalEpisodes` episodes. */
export interface TaskBudget {
  steps: number;
  evalFreq: number;
  evalEpisodes: number;
}

/**
 * The tasks of chapters 4–5 and their budgets (one budget per task, so runs two chapters share are one run).
 * pendulum-swingup at this scale earned 0 in every evaluation of the TD-MPC pilot (seed 0) up to 20,000 steps and
 * did not swing up by 40,000 either (it only balanced from near-upright starts), so the grids run it only on request.
 */
export const COURSE_TASKS: Record<string, TaskBudget> = {
  "cartpole-swingup": { steps: 20_000, evalFreq: 2_000, evalEpisodes: 2 },
  "cartpole-balance": { steps: 20_000, evalFreq: 2_000, evalEpisodes: 2 },
  "pendulum-swingup": { steps: 20_000, evalFreq: 2_500, evalEpisodes: 2 },
};

/** The budgets of `tasks` (each must be one of COURSE_TASKS). */
export function budgets(tasks: string[]): Record<string, TaskBudget> {
  return Object.fromEntries(tasks.map((t) => {
    const b = COURSE_TASKS[t];
    if (!b) throw new Error(`no budget for task '${t}': use one of ${Object.keys(COURSE_TASKS).join(", ")}`);
    return [t, b];
  }));
}

/** A grid: variants × tasks × seeds, in that priority order (seed-major, so a stopped grid has every variant). */
export function grid(variants: VariantName[], budgets: Record<string, TaskBudget>, seeds: number[]): RunSpec[] {
  const out: RunSpec[] = [];
  for (const seed of seeds) for (const task of Object.keys(budgets)) for (const v of variants) out.push({ variant: VARIANTS[v], task, seed, ...budgets[task]! });
  return out;
}

export interface RunSpec {
  variant: Variant;
  task: string;
  seed: number;
  /** Environment steps (TD-MPC protocol: control steps). */
  steps: number;
  evalFreq: number;
  evalEpisodes: number;
  /** Config keys over SMALL_SCALE (the registry's quick grid: tiny networks); the variant's switches still win. */
  scale?: Overrides;
}

export function runName(s: Pick<RunSpec, "variant" | "task" | "seed">): string {
  return `${s.variant.name}-${s.task}-s${s.seed}`;
}

export function runConfig(s: Pick<RunSpec, "variant" | "scale">): TdmpcConfig {
  return makeConfig("tdmpc", "official", { ...SMALL_SCALE, ...s.scale, ...s.variant.set });
}

/** The same run from the command line (its rows differ only in `label` and `wall_sec`). */
export function runCommand(s: RunSpec): string {
  const sets = Object.entries({ ...SMALL_SCALE, ...s.scale, ...s.variant.set }).map(([k, v]) => `--set '${k}=${String(v).replace(/\s+/g, "")}'`);
  return `npx tdmpc train --agent tdmpc --preset official --task ${s.task} --seed ${s.seed} --steps ${s.steps} --eval-freq ${s.evalFreq} --eval-episodes ${s.evalEpisodes} ${sets.join(" ")}`;
}

/** Where the chapters' runs live by default: ~/.cache/tdmpc-ts/chapters/<run> (TDMPC_CACHE moves it). */
export function defaultRunRoot(): string {
  return join(process.env.TDMPC_CACHE ?? join(homedir(), ".cache", "tdmpc-ts"), "chapters");
}

/**
 * A chapter's results CSV: the trainer's columns, one row per run × kind × env step × episode (a util/results log:
 * a checksum per row, a torn last line cut when the file is reopened).
 */
export const COURSE_FORMAT: ResultsSpec = { columns: RESULT_COLUMNS, key: ["task", "label", "seed", "kind", "env_step", "episode"] };

const TEXT_COLUMNS = new Set(["task", "agent", "label", "kind", "returns"]);

/** Result rows as text cells (a results log) → the trainer's typed rows (NaN for an empty number). */
export function trainerRows(rows: TextRow[]): ResultRow[] {
  return rows.map((r) => Object.fromEntries(RESULT_COLUMNS.map((c) => [c, TEXT_COLUMNS.has(c) ? (r[c] ?? "") : r[c] === undefined || r[c] === "" ? Number.NaN : Number(r[c])])) as unknown as ResultRow);
}

/** Read a results CSV written by the trainer (or a chapter's log of them); [] when the file is absent. */
export function readResults(path: string): ResultRow[] {
  const parsed = readLog(path);
  if (!parsed || !parsed.columns.length) return [];
  const missing = RESULT_COLUMNS.filter((c) => !parsed.columns.includes(c));
  if (missing.length) throw new Error(`${path}: not a results file (no column ${missing.join(", ")})`);
  return trainerRows(parsed.rows);
}

const key = (task: string, label: string, seed: number) => `${label}|${task}|${seed}`;

/** Whether `rows` hold the run's final evaluation (the run finished). */
export function finished(rows: ResultRow[], s: RunSpec): boolean {
  return rows.some((r) => r.kind === "eval" && r.label === s.variant.name && r.task === s.task && r.seed === s.seed && r.env_step >= s.steps);
}

export type RunStatus = "done" | "copied" | "trained";

export interface GridOptions {
  /** The chapter's results CSV (appended to). */
  csv: string;
  /** Folder of the run directories (checkpoints, each run's own results.csv). */
  runRoot?: string;
  silent?: boolean;
  onRun?: (spec: RunSpec, status: RunStatus, index: number, total: number) => void;
  /** Called after each training episode or evaluation of a run being trained. */
  onRow?: (spec: RunSpec, row: ResultRow) => void;
}

/** Run every spec not yet in `csv` (one at a time), appending each finished run's rows. */
export async function runGrid(specs: RunSpec[], o: GridOptions): Promise<void> {
  const root = o.runRoot ?? defaultRunRoot();
  const names = new Set<string>();
  for (const s of specs) {
    if (names.has(runName(s))) throw new Error(`runGrid: run ${runName(s)} appears twice in the grid`);
    names.add(runName(s));
  }
  const present = new Set(readResults(o.csv).filter((r) => r.kind === "eval").map((r) => key(r.task, r.label, r.seed)));
  let i = 0;
  for (const s of specs) {
    i++;
    const have = readResults(o.csv);
    if (finished(have, s)) {
      o.onRun?.(s, "done", i, specs.length);
      continue;
    }
    if (present.has(key(s.task, s.variant.name, s.seed))) throw new Error(`${o.csv} holds an unfinished or shorter run ${runName(s)}: remove its rows or change the grid`);
    const runDir = join(root, runName(s));
    const runCsv = join(runDir, "results.csv");
    if (finished(readResults(runCsv), s)) {
      appendRun(o.csv, runCsv); // finished for another chapter
      o.onRun?.(s, "copied", i, specs.length);
      continue;
    }
    await trainCourseRun(s, runDir, { silent: o.silent, onRow: o.onRow ? (r) => o.onRow!(s, r) : undefined });
    appendRun(o.csv, runCsv);
    o.onRun?.(s, "trained", i, specs.length);
  }
}

/** Train one run of a grid in `runDir` (resuming from its last checkpoint); its rows are in `runDir`/results.csv. */
export async function trainCourseRun(s: RunSpec, runDir: string, o: { silent?: boolean; onRow?: (row: ResultRow) => void } = {}): Promise<void> {
  extendBudget(runDir, s.steps);
  await train(runConfig(s), {
    task: s.task,
    seed: s.seed,
    steps: s.steps,
    evalFreq: s.evalFreq,
    evalEpisodes: s.evalEpisodes,
    runDir,
    resume: true,
    label: s.variant.name,
    engine: "tfjs", // every variant on the same engine (the ONNX update covers TD-MPC's own losses only), as committed
    silent: o.silent,
    onRow: o.onRow,
  });
}

/**
 * A run directory trained for fewer steps than `steps` (a budget raised after a pilot) continues instead of being
 * refused as another run: its recorded identity gets the new step count, the rest must match as before.
 */
function extendBudget(runDir: string, steps: number): void {
  const f = join(runDir, "config.json");
  if (!existsSync(f)) return;
  const id = JSON.parse(readFileSync(f, "utf8")) as { steps: number };
  if (id.steps < steps) writeFileSync(f, JSON.stringify({ ...id, steps }, null, 1));
}

/** Append a finished run's rows (its results.csv) to a chapter CSV, each row once. */
function appendRun(csv: string, runCsv: string): void {
  const log = ResultsLog.open(csv, COURSE_FORMAT);
  for (const r of readLog(runCsv)?.rows ?? []) if (!log.has(r)) log.append(r);
}

/** The sidecar of a chapter CSV: scale, grid and the command that regenerates it. */
export function gridReadme(title: string, specs: RunSpec[], command: string, studies: string[] = []): string {
  const variants = [...new Map(specs.map((s) => [s.variant.name, s.variant])).values()];
  const tasks = [...new Set(specs.map((s) => s.task))];
  const lines = [
    `# ${title}`,
    "",
    `Regenerate (resumable; finished runs are kept): \`${command}\``,
    "",
    `Agent: TD-MPC (\`makeConfig("tdmpc", "official", …)\`) at the course's small scale: ${Object.entries(SMALL_SCALE).map(([k, v]) => `${k}=${v}`).join(", ")}.`,
    "",
    "| variant | switches | " + tasks.map((t) => `${t}: env steps, seeds`).join(" | ") + " |",
    "|---|---|" + tasks.map(() => "---|").join(""),
    ...variants.map((v) => {
      const cells = tasks.map((t) => {
        const ss = specs.filter((s) => s.variant.name === v.name && s.task === t);
        return ss.length ? `${ss[0]!.steps}, ${ss.map((s) => s.seed).join(" ")}` : "–";
      });
      return `| ${v.name} | ${Object.entries(v.set).map(([k, x]) => `${k}=${x}`).join(" ") || "(TD-MPC)"} | ${cells.join(" | ")} |`;
    }),
    "",
    "One run from the command line (same rows but `label` and `wall_sec`):",
    "",
    "```",
    runCommand(specs[0]!),
    "```",
    "",
    ...(studies.length ? ["Studies on the finished runs (their run folders' checkpoints; rows appended, resumable):", "", ...studies.map((s) => `- ${s}`), ""] : []),
  ];
  return lines.join("\n");
}

/** A trained run's agent with planning settings changed (no parameter shapes): the latest weights and optimisers. */
export async function loadTrained(runDir: string, overrides: Overrides = {}): Promise<{ agent: LearningAgent; task: string; seed: number; protocol: Protocol; cfg: TdmpcConfig }> {
  const id = JSON.parse(readFileSync(join(runDir, "config.json"), "utf8")) as { task: string; seed: number; protocol: Protocol; cfg: TdmpcConfig };
  const ckpt = latestCheckpoint(join(runDir, "checkpoints"));
  if (!ckpt) throw new Error(`${runDir}: no checkpoint (run the grid first)`);
  const cfg0 = makeConfig("tdmpc", "official", { ...configKeys(id.cfg), ...overrides });
  const env = await protocolEnv(id.task, id.protocol, id.seed);
  try {
    const cfg = configForEnv(cfg0, env) as TdmpcConfig;
    const agent = makeAgent(cfg, env.observationSpace.shape[0]!, env.actionSpace.shape[0]!, id.seed);
    loadCheckpoint(join(ckpt, "model"), agent.wm.params, { optim: agent.optim, piOptim: agent.piOptim });
    loadCheckpoint(join(ckpt, "target"), agent.wm.target);
    agent.step = Number.MAX_SAFE_INTEGER; // past the seed steps and at the end of the schedules
    return { agent, task: id.task, seed: id.seed, protocol: id.protocol, cfg };
  } finally {
    env.close();
  }
}

/** A trained run's replay store (what its planner collected). */
export async function loadReplay(runDir: string): Promise<ReplayStore> {
  const { agent } = await loadTrained(runDir);
  try {
    // only the store is wanted: the optimiser state of whichever engine trained the run is not loaded
    return loadRunCheckpoint(latestCheckpoint(join(runDir, "checkpoints"))!, agent, { forEvaluation: true }).store;
  } finally {
    agent.dispose();
  }
}

/** The TD-MPC config a run was trained with (its config.json; keys added to the library since take their defaults). */
export function readRunConfig(runDir: string): TdmpcConfig {
  const cfg = withNewDefaults((JSON.parse(readFileSync(join(runDir, "config.json"), "utf8")) as { cfg: TdmpcConfig }).cfg);
  validateConfig(cfg);
  return cfg;
}

// ─── CSV files of the studies built on the runs ──────────────────────────────────────────────────────────────────────────────────────

/** Append rows to a CSV (header first when new). */
export function appendRows<R extends object>(path: string, columns: (keyof R)[], rows: R[]): void {
  mkdirSync(dirname(path), { recursive: true });
  if (!existsSync(path) || readFileSync(path, "utf8").trim() === "") writeFileSync(path, columns.join(",") + "\n");
  const cell = (v: unknown) => (typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : String(v));
  appendFileSync(path, rows.map((r) => columns.map((c) => cell(r[c])).join(",") + "\n").join(""));
}

/** Rows of a CSV written by `appendRows` (numbers where a cell is numeric); [] when absent. */
export function readRows<R>(path: string, textColumns: string[]): R[] {
  if (!existsSync(path)) return [];
  const [head, ...lines] = readFileSync(path, "utf8").trim().split("\n");
  if (!head) return [];
  const cols = head.split(",");
  return lines.map((l) => {
    const cells = l.split(",");
    return Object.fromEntries(cols.map((c, i) => [c, textColumns.includes(c) ? (cells[i] ?? "") : Number(cells[i])])) as R;
  });
}

/** The config's keys as makeConfig overrides (drops the agent name). */
function configKeys(c: TdmpcConfig): Overrides {
  const { agent: _agent, ...rest } = c;
  return rest as unknown as Overrides;
}
