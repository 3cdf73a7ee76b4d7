/**
 * Chapter 5: the three synergies of TD-MPC, each a switch of the TD-MPC agent (src/agents/config.ts), measured.
 *   grid        MPC alone / + terminal Q / + policy warm start / both (TD-MPC) / policy alone, POPLIN-A and POPLIN-P
 *               on cartpole-swingup (runs: tdmpc-runs.ts); pendulum-swingup only as the TD-MPC pilot unless asked.
 *   planning    trained agents re-evaluated with other planning settings (no retraining): budget (samples ×
 *               iterations) against CPU ms per action — return at equal compute; horizon — myopia.
 *   learners    BC, RWR, AWR and pure TD (src/agents/policy-learners.ts) trained from scratch on one and the same
 *               replay store (what TD-MPC's planner collected), with the same frozen model and critic; each
 *               policy evaluated acting alone.
 */
import type { TdmpcConfig } from "../agents/config.js";
import { policyLoss } from "../agents/policy-learners.js";
import { protocolEnv } from "../agents/trainer.js";
import { runEpisode } from "../envs/agent.js";
import { WorldModel } from "../models/world-model.js";
import { tf } from "../nn/backend.js";
import type { Adam } from "../nn/optim.js";
import type { SequenceBatch } from "../replay/store.js";
import { budgets, grid, loadReplay, loadTrained, readRunConfig, type Overrides, type RunSpec, type VariantName } from "./tdmpc-runs.js";

export const CH05_ABLATION: VariantName[] = ["mpc", "mpc_q", "mpc_pi", "tdmpc", "policy"];
export const CH05_POPLIN: VariantName[] = ["poplin_a", "poplin_p"];

/**
 * The chapter's training runs: the ablation and POPLIN on cartpole-swingup, seeds 0–2; on pendulum-swingup the TD-MPC
 * pilot (seed 0), or with `pendulum` the whole ablation there too (≈ 5 CPU-min per run; the pilot never swung up).
 */
export function ch05Grid(o: { seeds?: number[]; pendulum?: boolean } = {}): RunSpec[] {
  const seeds = o.seeds ?? [0, 1, 2];
  const cartpole = budgets(["cartpole-swingup"]);
  const pendulum = o.pendulum ? grid(CH05_ABLATION, budgets(["pendulum-swingup"]), seeds) : grid(["tdmpc"], budgets(["pendulum-swingup"]), seeds.filter((s) => s === 0));
  return [...grid([...CH05_ABLATION, ...CH05_POPLIN], cartpole, seeds), ...pendulum];
}

// ─── planning studies: trained agents re-planned with other settings ─────────────────────────────────────────────

export interface PlanningSetting {
  study: "budget" | "horizon";
  /** Gaussian samples × iterations per action; elites = max(2, samples/8) as in training (128 → 16). */
  numSamples: number;
  iterations: number;
  horizon: number;
  /** Act with the policy π(h(o)) alone (plan = false). */
  policyOnly?: boolean;
  /** Plan with this search instead of the run's own (the same trained networks). */
  planner?: TdmpcConfig["planner"];
  /** false: leave out the policy sequences the run trained with (the warm start, at equal compute). */
  policySequences?: boolean;
}

/** Sample budgets (samples, iterations), the training one (128 × 3) included; and horizons at the training budget. */
export const PLANNING_BUDGETS: [number, number][] = [[16, 1], [32, 2], [64, 2], [128, 3], [256, 4]];
export const PLANNING_HORIZONS = [1, 3, 5, 8];
/** Policy sequences per iteration wherever the variant uses them (6 at training: ⌊0.05·128⌋), kept at every budget. */
export const PI_TRAJS = 6;

export interface PlanningRow {
  study: PlanningSetting["study"];
  variant: string;
  task: string;
  seed: number;
  /** "mppi", "poplin_a", "poplin_p" or "policy" (π alone). */
  planner: string;
  num_samples: number;
  iterations: number;
  pi_trajs: number;
  horizon: number;
  /** CPU time of this process per action (planning, encoding and the simulator step), one core. */
  cpu_ms_per_action: number;
  return: number;
  returns: string;
}

export const PLANNING_COLUMNS: (keyof PlanningRow)[] = ["study", "variant", "task", "seed", "planner", "num_samples", "iterations", "pi_trajs", "horizon", "cpu_ms_per_action", "return", "returns"];

/** The config overrides that make a trained agent plan with `s` (policy sequences kept at PI_TRAJS if it had any). */
export function planningOverrides(cfg: TdmpcConfig, s: PlanningSetting): Overrides {
  if (s.policyOnly) return { plan: false };
  const planner = s.planner ?? cfg.planner;
  const usesPi = planner === "mppi" && Math.floor(cfg.mixture_coef * cfg.num_samples) > 0 && s.policySequences !== false;
  return {
    planner,
    num_samples: s.numSamples,
    iterations: s.iterations,
    num_elites: Math.max(2, Math.floor(s.numSamples / 8)),
    mixture_coef: usesPi ? (PI_TRAJS + 0.5) / s.numSamples : 0,
    horizon: s.horizon,
    horizon_schedule: String(s.horizon),
  };
}

/** Whether `r` is the result of setting `s` on a run trained with `cfg` (the studies append only what is missing). */
export function sameSetting(r: PlanningRow, cfg: TdmpcConfig, s: PlanningSetting): boolean {
  if (r.study !== s.study) return false;
  if (s.policyOnly) return r.planner === "policy";
  const ov = planningOverrides(cfg, s);
  return r.planner === ov.planner && r.num_samples === s.numSamples && r.iterations === s.iterations && r.horizon === s.horizon && r.pi_trajs === Math.floor((ov.mixture_coef as number) * s.numSamples);
}

/** Evaluation episodes of a trained agent with other planning settings: return and CPU ms per action. */
export async function evaluatePlanning(runDir: string, variant: string, settings: PlanningSetting[], o: { episodes: number; onRow?: (r: PlanningRow) => void }): Promise<PlanningRow[]> {
  const out: PlanningRow[] = [];
  for (const s of settings) {
    const { agent, task, seed, protocol, cfg } = await loadTrained(runDir, planningOverrides(readRunConfig(runDir), s));
    const env = await protocolEnv(task, protocol, seed);
    try {
      const returns: number[] = [];
      let cpu = 0;
      let steps = 0;
      for (let k = 0; k < o.episodes; k++) {
        const t0 = process.cpuUsage();
        const ep = await runEpisode(env, agent, { seed: 2_000_000 + k, explore: false, keep: false });
        const dt = process.cpuUsage(t0);
        cpu += (dt.user + dt.system) / 1000;
        steps += ep.steps;
        returns.push(ep.totalReturn);
      }
      const row: PlanningRow = {
        study: s.study,
        variant,
        task,
        seed,
        planner: s.policyOnly ? "policy" : cfg.planner,
        num_samples: s.policyOnly ? 0 : cfg.num_samples,
        iterations: s.policyOnly ? 0 : cfg.iterations,
        pi_trajs: s.policyOnly || cfg.planner !== "mppi" ? 0 : Math.floor(cfg.mixture_coef * cfg.num_samples),
        horizon: s.policyOnly ? 0 : cfg.horizon,
        cpu_ms_per_action: cpu / steps,
        return: returns.reduce((a, b) => a + b, 0) / returns.length,
        returns: returns.map((r) => r.toFixed(1)).join(";"),
      };
      out.push(row);
      o.onRow?.(row);
    } finally {
      agent.dispose();
      env.close();
    }
  }
  return out;
}

/** The settings of each study for a variant: planners at every budget and horizon; π alone once per study. */
export function planningSettings(variant: string, o: { quick?: boolean } = {}): PlanningSetting[] {
  const budgets = o.quick ? [[8, 1] as [number, number]] : PLANNING_BUDGETS;
  const horizons = o.quick ? [1, 2] : PLANNING_HORIZONS;
  if (variant === "policy") return [{ study: "budget", numSamples: 0, iterations: 0, horizon: 0, policyOnly: true }];
  const s: PlanningSetting[] = budgets.map(([n, i]) => ({ study: "budget", numSamples: n, iterations: i, horizon: 5 }));
  if (variant === "tdmpc") {
    s.push({ study: "budget", numSamples: 0, iterations: 0, horizon: 0, policyOnly: true });
    for (const planner of ["poplin_a", "poplin_p"] as const) s.push(...budgets.map(([n, i]): PlanningSetting => ({ study: "budget", numSamples: n, iterations: i, horizon: 5, planner })));
    s.push(...budgets.map(([n, i]): PlanningSetting => ({ study: "budget", numSamples: n, iterations: i, horizon: 5, policySequences: false })));
  }
  if (["mpc", "mpc_q", "tdmpc"].includes(variant)) s.push(...horizons.map((h): PlanningSetting => ({ study: "horizon", numSamples: 128, iterations: 3, horizon: h })));
  return s;
}

/** Forget an optimiser's moments and step count (a fresh start for re-initialised weights). */
function resetAdam(opt: Adam): void {
  opt.state.step = 0;
  tf.tidy(() => {
    for (const m of [opt.state.m, opt.state.v]) for (const v of m.values()) v.assign(tf.zerosLike(v));
  });
}

// ─── learners on the same planner data ────────────────────────────────────────────────────────────────────────────

export type Learner = "td" | "bc" | "rwr" | "awr";
export const LEARNERS: Learner[] = ["td", "bc", "rwr", "awr"];

export interface LearnerRow {
  learner: Learner;
  task: string;
  seed: number;
  /** Policy updates done on the fixed replay store. */
  updates: number;
  /** Mean return of π(h(o)) acting alone (no planner). */
  return: number;
  returns: string;
}

export const LEARNER_COLUMNS: (keyof LearnerRow)[] = ["learner", "task", "seed", "updates", "return", "returns"];

/** z_0 = h(o_0), z_{t+1} = d(z_t, a_t): the H+1 latents of a batch (t-major rows), as the update rolls them. */
export function batchLatents(wm: WorldModel, b: SequenceBatch): tf.Tensor2D {
  return tf.tidy(() => {
    const O = wm.obsDim;
    const A = wm.actionDim;
    let z = wm.latent.encode(tf.tensor2d(b.obs.subarray(0, b.batchSize * O), [b.batchSize, O]));
    const zs = [z];
    for (let t = 0; t < b.horizon; t++) zs.push((z = wm.latent.next(z, tf.tensor2d(b.action.subarray(t * b.batchSize * A, (t + 1) * b.batchSize * A), [b.batchSize, A]))));
    return tf.concat(zs, 0) as tf.Tensor2D;
  });
}

/**
 * Each learner trains a fresh policy (same initial weights for all) for `updates` steps on the replay store of a
 * trained TD-MPC run — the same batches in the same order — with that run's model and critic frozen; the policy is
 * evaluated acting alone every `evalEvery` updates.
 */
export async function learnerStudy(runDir: string, o: { learners?: Learner[]; updates: number; evalEvery: number; episodes: number; onRow?: (r: LearnerRow) => void }): Promise<LearnerRow[]> {
  const out: LearnerRow[] = [];
  for (const learner of o.learners ?? LEARNERS) {
    const store = await loadReplay(runDir);
    const { agent, task, seed, protocol, cfg } = await loadTrained(runDir, { policy_learner: learner, plan: false });
    const fresh = new WorldModel(cfg, agent.wm.obsDim, agent.wm.actionDim, 10_000 + seed);
    for (const n of agent.wm.params.names("pi/")) agent.wm.params.get(n).assign(fresh.params.get(n));
    fresh.dispose();
    resetAdam(agent.piOptim);
    const env = await protocolEnv(task, protocol, seed);
    try {
      for (let u = 0; u <= o.updates; u++) {
        if (u % o.evalEvery === 0) {
          const returns: number[] = [];
          for (let k = 0; k < o.episodes; k++) returns.push((await runEpisode(env, agent, { seed: 3_000_000 + k, explore: false, keep: false })).totalReturn);
          const row: LearnerRow = { learner, task, seed, updates: u, return: returns.reduce((a, b) => a + b, 0) / returns.length, returns: returns.map((r) => r.toFixed(1)).join(";") };
          out.push(row);
          o.onRow?.(row);
        }
        if (u === o.updates) break;
        const batch = store.sampleSequences(cfg.batch_size);
        const zs = batchLatents(agent.wm, batch);
        policyLoss(agent, zs, batch);
        zs.dispose();
      }
    } finally {
      agent.dispose();
      env.close();
    }
  }
  return out;
}

export const PLANNING_TEXT = ["study", "variant", "task", "planner", "returns"];
export const LEARNER_TEXT = ["learner", "task", "returns"];
