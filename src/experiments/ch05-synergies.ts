/**
 * Chapter 5: the three synergies of TD-MPC, each a switch of the TD-MPC agent (src/agents/config.ts), measured.
 *   grid        MPC alone / + terminal Q / + policy warm start / both (TD-MPC) / policy alone on pendulum-swingup and
 *               cartpole-swingup; POPLIN-A and POPLIN-P on cartpole (runs: tdmpc-runs.ts).
 *   planning    trained agents re-evaluated with other planning settings (no retraining): budget (samples ×
 *               iterations) against CPU ms per action — return at equal compute; horizon — myopia.
 *   learners    BC, RWR, AWR and pure TD (src/agents/policy-learners.ts) trained from scratch on one and the same
 *               replay store (what TD-MPC's planner collected), with the same frozen model and critic; each
 *               policy evaluated acting alone.
 */
import { COURSE_TASKS, grid, type RunSpec, type VariantName } from "./tdmpc-runs.js";

export const CH05_ABLATION: VariantName[] = ["mpc", "mpc_q", "mpc_pi", "tdmpc", "policy"];
export const CH05_POPLIN: VariantName[] = ["poplin_a", "poplin_p"];

/** The chapter's training runs: the ablation on both tasks, POPLIN on cartpole; seeds 0–2. */
export function ch05Grid(o: { seeds?: number[] } = {}): RunSpec[] {
  const seeds = o.seeds ?? [0, 1, 2];
  const cartpole = { "cartpole-swingup": COURSE_TASKS["cartpole-swingup"]! };
  return [...grid(CH05_ABLATION, COURSE_TASKS, seeds), ...grid(CH05_POPLIN, cartpole, seeds)];
}
