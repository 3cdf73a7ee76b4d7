/**
 * Receding-horizon warm start: after executing the first action of the previous plan, its remaining
 * H−1 steps become the first H−1 steps of the new initial mean; the last step starts from `fill`
 * (TD-MPC: `mean[:-1] = prev_mean[1:]`, new last step 0). After k executed actions (open loop) shift by k.
 */
import { nonNegativeInt } from "../util/validate.js";

export function shiftSequence(prev: Float32Array, horizon: number, actionDim: number, fill = 0, steps = 1): Float32Array {
  if (prev.length !== horizon * actionDim) throw new Error(`shiftSequence: expected ${horizon * actionDim} values, got ${prev.length}`);
  nonNegativeInt("shiftSequence: steps", steps);
  const k = Math.min(steps, horizon);
  const out = new Float32Array(horizon * actionDim);
  out.set(prev.subarray(k * actionDim));
  out.fill(fill, (horizon - k) * actionDim);
  return out;
}
