/**
 * The randomness of an update, drawn in JavaScript from the engine's `Rng` (so runs reproduce and resume exactly)
 * and fed to the graph: Q-head draws and inverted-dropout masks. Policy noise is a plain `rng.fillNormal`.
 */
import type { Rng } from "../../util/random.js";

/** Two distinct heads out of `n` (one if n = 1), as TD-MPC2 draws them. */
export function drawTwoHeads(rng: Rng, n: number): [number, number] {
  const i = rng.int(n);
  return [i, n > 1 ? (i + 1 + rng.int(n - 1)) % n : i];
}

/**
 * An inverted-dropout mask (each element 0 with probability p, else 1/(1 − p)) kept in one buffer: each draw
 * restores the elements the previous draw dropped and drops new ones, placed by geometric gaps (a Bernoulli
 * process), so a draw costs O(p·n), not O(n) (p = 0.01: ~20k draws for TD-MPC2-5M's 2M-element mask).
 */
export class DropoutMask {
  readonly data: Float32Array;
  private dropped: number[] = [];
  private readonly keep: number;
  private readonly logQ: number;

  constructor(readonly size: number, readonly p: number) {
    if (!(p > 0 && p < 1)) throw new Error(`dropout rate must be in (0, 1), got ${p}`);
    this.keep = 1 / (1 - p);
    this.logQ = Math.log(1 - p);
    this.data = new Float32Array(size).fill(this.keep);
  }

  /** A fresh mask in `data` (the same buffer: feed it, run, then draw again). */
  draw(rng: Rng): Float32Array {
    for (const i of this.dropped) this.data[i] = this.keep;
    this.dropped = [];
    // gap to the next dropped element ~ Geometric(p): ⌊log(u)/log(1 − p)⌋ kept elements before it
    for (let i = Math.floor(Math.log(1 - rng.random()) / this.logQ); i < this.size; i += 1 + Math.floor(Math.log(1 - rng.random()) / this.logQ)) {
      this.data[i] = 0;
      this.dropped.push(i);
    }
    return this.data;
  }
}
