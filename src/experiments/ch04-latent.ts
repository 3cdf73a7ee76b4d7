/**
 * Chapter 4: latent world models.
 *   grid        the comparison the lecture says is missing — a joint backbone (reward, value and consistency all
 *               shape the encoder: TD-MPC) against independent modules (encoder and dynamics from the consistency
 *               loss alone) — on cartpole-swingup and pendulum-swingup, 5 seeds; and on cartpole what the
 *               consistency loss does: without it, and with a reconstruction loss instead (runs: tdmpc-runs.ts).
 *   prediction  multi-step prediction error of the trained latent models next to chapter 3's state-space ensemble
 *               (PETS) fitted on the same transitions.
 */
import { COURSE_TASKS, grid, type RunSpec, type VariantName } from "./tdmpc-runs.js";

export const CH04_MODES: VariantName[] = ["tdmpc", "independent"];
export const CH04_LOSSES: VariantName[] = ["no_consistency", "reconstruction"];

/** Joint vs independent on both tasks (seeds 0–4), the consistency variants on cartpole (seeds 0–2). */
export function ch04Grid(o: { seeds?: number[] } = {}): RunSpec[] {
  const seeds = o.seeds ?? [0, 1, 2, 3, 4];
  const cartpole = { "cartpole-swingup": COURSE_TASKS["cartpole-swingup"]! };
  return [...grid(CH04_MODES, COURSE_TASKS, seeds), ...grid(CH04_LOSSES, cartpole, seeds.filter((s) => s < 3))];
}
