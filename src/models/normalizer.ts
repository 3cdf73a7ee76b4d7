/**
 * Per-feature standardisation x̂ = (x − μ)/σ, fitted on the data a model trains on (PETS normalises the
 * network's inputs and its regression targets; without it the state's large and small components train at very
 * different speeds). σ is floored so constant features do not blow up.
 */
export class Normalizer {
  readonly mean: Float32Array;
  readonly std: Float32Array;

  constructor(readonly dim: number) {
    this.mean = new Float32Array(dim);
    this.std = new Float32Array(dim).fill(1);
  }

  /** Fit to `rows` (n × dim, row-major). */
  fit(rows: Float32Array, n: number, minStd = 1e-6): this {
    if (rows.length !== n * this.dim) throw new RangeError(`Normalizer.fit: expected ${n}×${this.dim} values, got ${rows.length}`);
    if (n < 1) throw new RangeError("Normalizer.fit: no data");
    const sum = new Float64Array(this.dim);
    const sq = new Float64Array(this.dim);
    for (let i = 0; i < n; i++)
      for (let d = 0; d < this.dim; d++) {
        const v = rows[i * this.dim + d]!;
        sum[d]! += v;
        sq[d]! += v * v;
      }
    for (let d = 0; d < this.dim; d++) {
      const m = sum[d]! / n;
      this.mean[d] = m;
      this.std[d] = Math.max(minStd, Math.sqrt(Math.max(0, sq[d]! / n - m * m)));
    }
    return this;
  }

  /** Standardise `rows` into `out` (may alias). */
  normalize(rows: Float32Array, out = new Float32Array(rows.length)): Float32Array {
    for (let i = 0; i < rows.length; i++) {
      const d = i % this.dim;
      out[i] = (rows[i]! - this.mean[d]!) / this.std[d]!;
    }
    return out;
  }

  toJSON(): { mean: number[]; std: number[] } {
    return { mean: Array.from(this.mean), std: Array.from(this.std) };
  }
}
