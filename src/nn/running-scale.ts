/**
 * TD-MPC2's running scale of Q values (common/scale.py): the policy loss divides Q by S, an exponential moving
 * average of the 5–95 % percentile range of the batch's Q values, floored at 1, so the entropy coefficient means the
 * same thing on every task whatever its reward scale:  S ← (1 − τ)·S + τ·max(P95 − P5, 1),  S_0 = 1.
 */
export class RunningScale {
  value = 1;
  constructor(readonly tau = 0.01) {
    if (!(tau > 0 && tau <= 1)) throw new RangeError(`RunningScale: tau must be in (0, 1], got ${tau}`);
  }

  /** Update from a batch of values (e.g. Q at t = 0 over the batch). */
  update(values: ArrayLike<number>): number {
    if (values.length === 0) throw new RangeError("RunningScale.update: no values");
    const range = Math.max(percentile(values, 95) - percentile(values, 5), 1);
    if (!Number.isFinite(range)) throw new RangeError(`RunningScale.update: non-finite values (P95 − P5 = ${range})`);
    this.value += this.tau * (range - this.value);
    return this.value;
  }
}

/** The q-th percentile with linear interpolation between closest ranks (torch.quantile's default). */
export function percentile(values: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(values).sort();
  const pos = (q / 100) * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}
