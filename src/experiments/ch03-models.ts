/**
 * Chapter 3's measurements on learned models (cartpole-swingup):
 *  - collect transitions with a policy, optionally with **injected action noise** (the env executes a + ε while the
 *    data records a: the same (s, a) leads to different s' — aleatoric uncertainty the model should learn);
 *  - multi-step prediction error: roll the model forward k steps with the recorded actions and compare with the
 *    real states — one-step error is small, compounding makes it grow with k ("plan only ~5 steps ahead");
 *  - aleatoric vs epistemic variance along a trajectory that leaves the data (a swing-up after random-only data).
 */
import type { Env } from "../envs/env.js";
import { makeEnv } from "../envs/registry.js";
import { decomposeVariance, type DynamicsEnsemble, type TransitionData } from "../models/ensemble.js";
import { Rng } from "../util/random.js";
import type { Figure } from "../viz/plotly.js";
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

/** Return vs environment steps: every seed, their mean and min–max band, and an optional oracle line. */
export function petsCurveFigure(rows: PetsCsvRow[], oracleReturn?: number, title = "PETS on cartpole-swingup"): Figure {
  const seeds = [...new Set(rows.map((r) => r.seed))];
  const curves = seeds.map((s) => rows.filter((r) => r.seed === s).sort((a, b) => a.envSteps - b.envSteps));
  const n = Math.min(...curves.map((c) => c.length));
  const xs = curves.length ? curves[0]!.slice(0, n).map((r) => r.envSteps) : [];
  const col = (i: number) => curves.map((c) => c[i]!.episodeReturn);
  const meanY = xs.map((_, i) => col(i).reduce((a, b) => a + b, 0) / curves.length);
  const data: Record<string, unknown>[] = [
    ...curves.map((c, i) => ({ x: c.map((r) => r.envSteps), y: c.map((r) => r.episodeReturn), name: `seed ${seeds[i]}`, type: "scatter", mode: "lines", line: { width: 1 }, opacity: 0.5 })),
    { x: xs, y: xs.map((_, i) => Math.max(...col(i))), type: "scatter", mode: "lines", line: { width: 0 }, showlegend: false, hoverinfo: "skip" },
    { x: xs, y: xs.map((_, i) => Math.min(...col(i))), type: "scatter", mode: "lines", fill: "tonexty", line: { width: 0 }, name: "min–max over seeds" },
    { x: xs, y: meanY, name: `mean of ${curves.length} seeds`, type: "scatter", mode: "lines+markers", line: { width: 3 } },
  ];
  if (oracleReturn !== undefined && xs.length) data.push({ x: [0, xs[xs.length - 1]], y: [oracleReturn, oracleReturn], name: "CEM-MPC on the true simulator (ch. 2)", type: "scatter", mode: "lines", line: { dash: "dash" } });
  return {
    data,
    layout: { title: { text: title }, xaxis: { title: { text: "environment steps (control steps)" } }, yaxis: { title: { text: "episode return (max 1000)" } }, legend: { orientation: "h", y: -0.25 }, height: 440 },
  };
}
