/**
 * Chapter 3's measurements on learned models (cartpole-swingup):
 *  - collect transitions with a policy, optionally with **injected action noise** (the env executes a + ε while the
 *    data records a: the same (s, a) leads to different s' — aleatoric uncertainty the model should learn);
 *  - multi-step prediction error: roll the model forward k steps with the recorded actions and compare with the
 *    real states — one-step error is small, compounding makes it grow with k ("plan only ~5 steps ahead");
 *  - aleatoric vs epistemic variance along a trajectory that leaves the data (a swing-up after random-only data);
 *  - the same split on a 1-D regression with a gap in its data;
 *  - PETS ablations: deterministic vs probabilistic, one network vs an ensemble, TS-1 vs TS-∞ (`runPetsAblations`).
 * `runCh03` writes what the notebook plots (data/results/ch03-*.csv); figures: src/viz/figures/ch03.ts.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { runPets, type PetsConfig, type PetsEpisodeResult } from "../agents/pets.js";
import { HAND_CONTROLLERS } from "../controllers/feedback.js";
import type { Env } from "../envs/env.js";
import { makeEnv } from "../envs/registry.js";
import { decomposeVariance, DynamicsEnsemble, type EnsembleConfig, type TransitionData } from "../models/ensemble.js";
import { Rng } from "../util/random.js";
import { parseResults } from "../util/results.js";

export type ActPolicy = (obs: Float32Array, rng: Rng) => ArrayLike<number>;

export const randomPolicy =
  (actDim: number): ActPolicy =>
  (_obs, rng) =>
    Array.from({ length: actDim }, () => rng.uniform(-1, 1));

export interface Episode {
  obs: Float32Array[]; // T + 1
  act: Float32Array[]; // T
  reward: number[];
}

/** Play `episodes` episodes of `steps` agent steps; `actionNoise` σ is added to the executed action only. */
export async function collect(task: string, policy: ActPolicy, opts: { episodes: number; steps: number; seed: number; actionNoise?: number }): Promise<Episode[]> {
  const env: Env = await makeEnv(task, { seed: opts.seed });
  const rng = new Rng(opts.seed);
  const out: Episode[] = [];
  try {
    for (let e = 0; e < opts.episodes; e++) {
      let { obs } = env.reset(opts.seed * 1000 + e);
      const ep: Episode = { obs: [obs], act: [], reward: [] };
      for (let t = 0; t < opts.steps; t++) {
        const a = Float32Array.from(policy(obs, rng));
        const executed = opts.actionNoise ? Array.from(a, (v) => v + opts.actionNoise! * rng.normal()) : a;
        const r = env.step(executed);
        ep.act.push(a);
        ep.reward.push(r.reward);
        ep.obs.push(r.obs);
        obs = r.obs;
        if (r.terminated || r.truncated) break;
      }
      out.push(ep);
    }
  } finally {
    env.close();
  }
  return out;
}

/** Episodes → flat transition arrays for `DynamicsEnsemble.fit`. */
export function toTransitions(eps: Episode[]): TransitionData {
  const n = eps.reduce((s, e) => s + e.act.length, 0);
  const S = eps[0]!.obs[0]!.length;
  const A = eps[0]!.act[0]!.length;
  const d: TransitionData = { n, obs: new Float32Array(n * S), act: new Float32Array(n * A), nextObs: new Float32Array(n * S), reward: new Float32Array(n) };
  let i = 0;
  for (const e of eps)
    for (let t = 0; t < e.act.length; t++, i++) {
      d.obs.set(e.obs[t]!, i * S);
      d.act.set(e.act[t]!, i * A);
      d.nextObs.set(e.obs[t + 1]!, i * S);
      d.reward[i] = e.reward[t]!;
    }
  return d;
}

/**
 * Root-mean-square state error after k = 1…maxK model steps, averaged over start times and state dimensions.
 * The model is rolled with its ensemble-mean prediction (no sampling) from the real state at t, fed the
 * recorded actions a_t … a_{t+k−1}; compared with the real o_{t+k}. Errors are in units of each state
 * dimension's std over the data, so dimensions count equally.
 */
export function multiStepError(model: DynamicsEnsemble, eps: Episode[], maxK: number, stride = 5): number[] {
  const S = model.obsDim;
  const E = model.cfg.ensembleSize;
  const sq = new Float64Array(maxK);
  const cnt = new Float64Array(maxK);
  for (const ep of eps) {
    const starts: number[] = [];
    for (let t = 0; t + maxK <= ep.act.length; t += stride) starts.push(t);
    if (!starts.length) continue;
    let state = new Float32Array(starts.length * S);
    starts.forEach((t, j) => state.set(ep.obs[t]!, j * S));
    for (let k = 0; k < maxK; k++) {
      const act = new Float32Array(starts.length * model.actDim);
      starts.forEach((t, j) => act.set(ep.act[t + k]!, j * model.actDim));
      const p = decomposeVariance(model.predictAll(state, act, starts.length), E, model.outDim);
      const next = new Float32Array(state.length);
      starts.forEach((t, j) => {
        for (let d = 0; d < S; d++) {
          next[j * S + d] = state[j * S + d]! + p.mean[j * model.outDim + d]!;
          const err = (next[j * S + d]! - ep.obs[t + k + 1]![d]!) / model.inNorm.std[d]!;
          sq[k]! += err * err;
          cnt[k]! += 1;
        }
      });
      state = next;
    }
  }
  return Array.from(sq, (s, k) => Math.sqrt(s / Math.max(1, cnt[k]!)));
}

/** Aleatoric and epistemic std (summed over state dimensions, standardised units) at each step of an episode. */
export function uncertaintyAlong(model: DynamicsEnsemble, ep: Episode): { aleatoric: number[]; epistemic: number[] } {
  const S = model.obsDim;
  const T = ep.act.length;
  const obs = new Float32Array(T * S);
  const act = new Float32Array(T * model.actDim);
  for (let t = 0; t < T; t++) {
    obs.set(ep.obs[t]!, t * S);
    act.set(ep.act[t]!, t * model.actDim);
  }
  const v = decomposeVariance(model.predictAll(obs, act, T), model.cfg.ensembleSize, model.outDim);
  const aleatoric: number[] = [];
  const epistemic: number[] = [];
  for (let t = 0; t < T; t++) {
    let a = 0, e = 0;
    for (let d = 0; d < S; d++) {
      const s2 = model.outNorm.std[d]! ** 2;
      a += v.aleatoric[t * model.outDim + d]! / s2;
      e += v.epistemic[t * model.outDim + d]! / s2;
    }
    aleatoric.push(Math.sqrt(a));
    epistemic.push(Math.sqrt(e));
  }
  return { aleatoric, epistemic };
}

// ─── the PETS learning curve (notebook 03 shows it; `tdmpc figures ch03` exports it from the committed CSV) ─────

export interface PetsCsvRow {
  seed: number;
  envSteps: number;
  episodeReturn: number;
  wallSec: number;
}

/**
 * Rows of a `tdmpc train pets` CSV (columns task, seed, iteration, kind, envSteps, episodeReturn, modelLoss, wallSec),
 * read through util/results.ts (a torn last line is dropped).
 */
export function parsePetsCsv(text: string, file = "PETS CSV"): PetsCsvRow[] {
  const { columns, rows } = parseResults(text, file);
  for (const name of ["seed", "envSteps", "episodeReturn", "wallSec"])
    if (!columns.includes(name)) throw new Error(`${file}: no column '${name}' in '${columns.join(",")}'`);
  return rows.map((c) => ({ seed: Number(c.seed), envSteps: Number(c.envSteps), episodeReturn: Number(c.episodeReturn), wallSec: Number(c.wallSec) }));
}

// ─── committed measurements: multi-step error and uncertainty over several seeds ────────────────────────────────

export const CH03_TASK = "cartpole-swingup";

/** The notebook's model study: data, models and budgets (the notebook's live cell uses the same, for one seed). */
export const MODEL_STUDY = { episodes: 8, heldOutEpisodes: 3, steps: 125, actionNoise: 0.3, epochs: 60, hidden: [200, 200, 200], maxK: 20 } as const;

export interface ModelStudy {
  deterministic: DynamicsEnsemble;
  ensemble: DynamicsEnsemble;
  train: Episode[];
  heldOut: Episode[];
  /** Training loss per epoch of each model. */
  losses: { deterministic: number[]; ensemble: number[] };
}

/**
 * One seed of the model study: random-action data with injected action noise, a deterministic network (MSE) and a
 * probabilistic ensemble of 5 (Gaussian NLL, bootstrap), both trained `epochs` epochs. Dispose both models after use.
 */
export async function modelStudy(seed: number, o: { epochs?: number; hidden?: number[]; episodes?: number; steps?: number } = {}): Promise<ModelStudy> {
  const steps = o.steps ?? MODEL_STUDY.steps;
  const train = await collect(CH03_TASK, randomPolicy(1), { episodes: o.episodes ?? MODEL_STUDY.episodes, steps, seed, actionNoise: MODEL_STUDY.actionNoise });
  const heldOut = await collect(CH03_TASK, randomPolicy(1), { episodes: MODEL_STUDY.heldOutEpisodes, steps, seed: 99 + seed, actionNoise: MODEL_STUDY.actionNoise });
  const data = toTransitions(train);
  const hidden = o.hidden ?? [...MODEL_STUDY.hidden];
  const deterministic = new DynamicsEnsemble(5, 1, { ensembleSize: 1, probabilistic: false, bootstrap: false, hidden, seed });
  const ensemble = new DynamicsEnsemble(5, 1, { ensembleSize: 5, probabilistic: true, hidden, seed });
  const epochs = o.epochs ?? MODEL_STUDY.epochs;
  return { deterministic, ensemble, train, heldOut, losses: { deterministic: deterministic.fit(data, epochs), ensemble: ensemble.fit(data, epochs) } };
}

/** The energy-pumping swing-up with the same injected noise: a trajectory into states the random data never reached. */
export async function swingUpEpisode(seed: number, steps: number = MODEL_STUDY.steps): Promise<Episode> {
  const ctrl = HAND_CONTROLLERS[CH03_TASK]!;
  return (await collect(CH03_TASK, (obs) => ctrl(obs), { episodes: 1, steps, seed: 5 + seed, actionNoise: MODEL_STUDY.actionNoise }))[0]!;
}

export interface MultistepRow {
  seed: number;
  model: "deterministic" | "ensemble";
  k: number;
  rmse: number;
}

export interface UncertaintyRow {
  seed: number;
  step: number;
  /** cos θ of the pole before the step (1 = upright). */
  cosTheta: number;
  aleatoric: number;
  epistemic: number;
}

export interface ReferenceRow {
  reference: "random" | "hand";
  seed: number;
  actionRepeat: number;
  episodeReturn: number;
}

/** A CSV cell: numbers rounded to `digits` decimals; text quoted where it holds a comma or a quote ("PE, TS-1"). */
function csvText(v: unknown, digits: number): string {
  if (typeof v === "number") return String(Math.round(v * 10 ** digits) / 10 ** digits);
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Split one CSV line, honouring quoted cells. */
function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cur = "", quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") cells.push(cur), (cur = "");
    else cur += ch;
  }
  cells.push(cur);
  return cells;
}

function writeCsv(path: string, columns: string[], rows: Record<string, unknown>[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.partial`;
  const cell = (v: unknown) => csvText(v, 5);
  writeFileSync(tmp, [columns.join(","), ...rows.map((r) => columns.map((c) => cell(r[c])).join(","))].join("\n") + "\n");
  renameSync(tmp, path);
}

/** A CSV written by this module, as objects (numeric columns as numbers). */
export function readCsvRows<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  const [head, ...lines] = readFileSync(path, "utf8").trim().split("\n");
  const cols = head!.split(",");
  return lines.map((l) => {
    const c = splitCsvLine(l);
    if (c.length !== cols.length) throw new Error(`${path}: a row has ${c.length} cells for ${cols.length} columns: '${l}'`);
    return Object.fromEntries(cols.map((k, i) => [k, c[i] === "" || Number.isNaN(Number(c[i])) ? c[i] : Number(c[i])])) as T;
  });
}

/** Random policy (at PETS' action repeat) and the energy swing-up (its own design, repeat 1): what the task allows. */
export async function referenceReturns(seeds: number[]): Promise<ReferenceRow[]> {
  const rows: ReferenceRow[] = [];
  for (const [reference, actionRepeat] of [["random", undefined], ["hand", 1]] as const) {
    const env = await makeEnv(CH03_TASK, { actionRepeat });
    const rng = new Rng(0);
    for (const seed of seeds) {
      let { obs } = env.reset(seed);
      let ret = 0;
      for (;;) {
        const a = reference === "random" ? [rng.uniform(-1, 1)] : HAND_CONTROLLERS[CH03_TASK]!(obs);
        const r = env.step(a);
        obs = r.obs;
        ret += r.reward;
        if (r.terminated || r.truncated) break;
      }
      rows.push({ reference, seed, actionRepeat: env.actionRepeat, episodeReturn: ret });
    }
    env.close();
  }
  return rows;
}

/**
 * The model study over `seeds`: multi-step errors of both models and the uncertainty along a swing-up. Seeds whose
 * rows both files already hold are kept and skipped; the files are rewritten after each new seed.
 */
export async function runModelStudies(o: { seeds: number[]; multistepOut: string; uncertaintyOut: string; quick?: boolean; onSeed?: (seed: number) => void }): Promise<void> {
  const multi = readCsvRows<MultistepRow>(o.multistepOut);
  const unc = readCsvRows<UncertaintyRow>(o.uncertaintyOut);
  const done = new Set(multi.map((r) => r.seed).filter((s) => unc.some((u) => u.seed === s)));
  for (const seed of o.seeds) {
    if (done.has(seed)) continue;
    const st = await modelStudy(seed, o.quick ? { epochs: 2, hidden: [16], episodes: 2, steps: 25 } : {});
    try {
      const maxK = o.quick ? 4 : MODEL_STUDY.maxK;
      for (const model of ["deterministic", "ensemble"] as const) multiStepError(st[model], st.heldOut, maxK).forEach((rmse, i) => multi.push({ seed, model, k: i + 1, rmse }));
      const swing = await swingUpEpisode(seed, o.quick ? 25 : MODEL_STUDY.steps);
      const along = uncertaintyAlong(st.ensemble, swing);
      along.aleatoric.forEach((a, t) => unc.push({ seed, step: t, cosTheta: swing.obs[t]![1]!, aleatoric: a, epistemic: along.epistemic[t]! }));
    } finally {
      st.deterministic.dispose();
      st.ensemble.dispose();
    }
    writeCsv(o.multistepOut, ["seed", "model", "k", "rmse"], multi as unknown as Record<string, unknown>[]);
    writeCsv(o.uncertaintyOut, ["seed", "step", "cosTheta", "aleatoric", "epistemic"], unc as unknown as Record<string, unknown>[]);
    o.onSeed?.(seed);
  }
}

// ─── 1-D regression with a gap: aleatoric vs epistemic at a glance ─────────────────────────────────────────────

/** y = sin(1.5x) + ε with ε ~ N(0, (0.05 + 0.05·|x|)²), x ∈ [−3, −1] ∪ [1, 3]: noise that grows with |x|, no data in (−1, 1). */
export const gapNoiseStd = (x: number): number => 0.05 + 0.05 * Math.abs(x);

export function gapData(n: number, seed: number): { x: number[]; y: number[] } {
  const rng = new Rng(seed);
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const side = i % 2 ? 1 : -1;
    const xi = side * rng.uniform(1, 3);
    x.push(xi);
    y.push(Math.sin(1.5 * xi) + gapNoiseStd(xi) * rng.normal());
  }
  return { x, y };
}

export interface GapFit {
  xs: number[];
  /** Each member's predicted mean at xs. */
  members: number[][];
  mean: number[];
  aleatoricStd: number[];
  epistemicStd: number[];
}

/**
 * Fit the chapter's ensemble (`DynamicsEnsemble`, used as a plain regressor: input x, target y) and read its
 * prediction on a grid. Each member predicts a Gaussian; the spread of their means is the epistemic part.
 */
export function fitGapRegression(data: { x: number[]; y: number[] }, o: { ensemble?: Partial<EnsembleConfig>; epochs?: number; grid?: number[] } = {}): GapFit {
  const n = data.x.length;
  // as a "transition": s = x, a = 0, s' − s = y (the model predicts the change), r = 0
  const t: TransitionData = { n, obs: Float32Array.from(data.x), act: new Float32Array(n), nextObs: Float32Array.from(data.x, (x, i) => x + data.y[i]!), reward: new Float32Array(n) };
  // a large learning rate and batch: 300 epochs (≈ 10 s) fit the data and its noise level (measured: aleatoric std
  // within 0.01–0.03 of the true one at x = −2 and 2.5)
  const model = new DynamicsEnsemble(1, 1, { ensembleSize: 5, hidden: [64, 64], batchSize: 100, lr: 1e-2, seed: 1, ...o.ensemble });
  try {
    model.fit(t, o.epochs ?? 300);
    const xs = o.grid ?? Array.from({ length: 121 }, (_, i) => -4 + (8 * i) / 120);
    const p = model.predictAll(Float32Array.from(xs), new Float32Array(xs.length), xs.length);
    const E = model.cfg.ensembleSize;
    const out = model.outDim;
    const members = Array.from({ length: E }, (_, e) => xs.map((_, i) => p.mean[(e * xs.length + i) * out]!));
    const v = decomposeVariance(p, E, out);
    return { xs, members, mean: xs.map((_, i) => v.mean[i * out]!), aleatoricStd: xs.map((_, i) => Math.sqrt(v.aleatoric[i * out]!)), epistemicStd: xs.map((_, i) => Math.sqrt(v.epistemic[i * out]!)) };
  } finally {
    model.dispose();
  }
}

// ─── PETS ablations (Chua et al. 2018, §6 and Fig. 3): which part of PETS matters ─────────────────────────────────

/** The committed PETS run (data/results/pets-cartpole-swingup.csv) is the "PE, TS-∞" arm; these are the others. */
export const PETS_VARIANTS: Record<string, Partial<PetsConfig>> = {
  // one deterministic network: its particles are all the same, so one particle suffices
  D: { npart: 1, model: { ensembleSize: 1, probabilistic: false, bootstrap: false } },
  // one probabilistic network: particles differ by the sampled noise only
  P: { model: { ensembleSize: 1, probabilistic: true, bootstrap: false } },
  // five deterministic networks on bootstrap resamples, each particle follows one (TS-∞)
  DE: { model: { ensembleSize: 5, probabilistic: false, bootstrap: true } },
  // PETS itself with TS-1: every particle draws a new member at every step
  "PE, TS-1": { propType: "TS1" },
};

export interface AblationRow extends PetsEpisodeResult {
  variant: string;
}

export const ABLATION_COLUMNS: (keyof AblationRow)[] = ["variant", "seed", "iteration", "kind", "envSteps", "episodeReturn", "modelLoss", "wallSec"];

export function readAblations(path: string): AblationRow[] {
  return readCsvRows<AblationRow>(path);
}

/**
 * Run each variant × seed not yet in `out`; a seed's episodes are appended together once its run is over, so a
 * killed run never leaves half a learning curve (it reruns that seed).
 */
export async function runPetsAblations(o: { out: string; variants?: string[]; seeds: number[]; iters: number; episodeSteps?: number; onEpisode?: (variant: string, r: PetsEpisodeResult) => void }): Promise<void> {
  const done = new Set(readAblations(o.out).map((r) => `${r.variant}|${r.seed}`));
  mkdirSync(dirname(o.out), { recursive: true });
  if (!existsSync(o.out)) writeFileSync(o.out, ABLATION_COLUMNS.join(",") + "\n");
  for (const variant of o.variants ?? Object.keys(PETS_VARIANTS)) {
    const cfg = PETS_VARIANTS[variant];
    if (!cfg) throw new Error(`unknown PETS variant '${variant}': known ${Object.keys(PETS_VARIANTS).join(", ")}`);
    for (const seed of o.seeds) {
      if (done.has(`${variant}|${seed}`)) continue;
      const rows = await runPets({ ...cfg, task: CH03_TASK, seed, ntrainIters: o.iters, episodeSteps: o.episodeSteps }, (r) => o.onEpisode?.(variant, r));
      const cell = (v: unknown) => csvText(v, 4);
      appendFileSync(o.out, rows.map((r) => ABLATION_COLUMNS.map((c) => cell(c === "variant" ? variant : r[c as keyof PetsEpisodeResult])).join(",")).join("\n") + "\n");
    }
  }
}

/**
 * Seeds of the committed chapter-3 measurements: model studies and references on 5; PETS ablations on 3 seeds with
 * 8 rounds (9,000 environment steps), a reduced budget against the 12 rounds of the PE, TS-∞ run: ≈ 3–5 min per
 * run on a quiet core, far more on the shared machine.
 */
export const CH03_SEEDS = { studies: [0, 1, 2, 3, 4], ablations: [0, 1, 2], ablationIters: 8 };

/** Everything chapter 3 plots beyond the committed PETS run: model studies, references, PETS ablations. */
export async function runCh03(o: { dir: string; quick?: boolean; log?: (line: string) => void }): Promise<void> {
  const q = o.quick ?? false;
  const at = (f: string) => `${o.dir}/${f}`;
  await runModelStudies({ seeds: q ? [0] : CH03_SEEDS.studies, multistepOut: at("ch03-multistep.csv"), uncertaintyOut: at("ch03-uncertainty.csv"), quick: q, onSeed: (s) => o.log?.(`model study seed ${s} done`) });
  if (!readCsvRows(at("ch03-references.csv")).length) {
    const refs = await referenceReturns(q ? [0] : CH03_SEEDS.studies);
    writeCsv(at("ch03-references.csv"), ["reference", "seed", "actionRepeat", "episodeReturn"], refs as unknown as Record<string, unknown>[]);
  }
  await runPetsAblations({
    out: at("ch03-pets-ablations.csv"),
    variants: q ? ["D", "PE, TS-1"] : undefined,
    seeds: q ? [0] : CH03_SEEDS.ablations,
    iters: q ? 1 : CH03_SEEDS.ablationIters,
    episodeSteps: q ? 4 : undefined,
    onEpisode: (v, r) => o.log?.(`${v} seed ${r.seed} ${r.kind} episode ${r.iteration}: return ${r.episodeReturn.toFixed(1)} after ${r.envSteps} steps (${r.wallSec.toFixed(0)} s)`),
  });
}
