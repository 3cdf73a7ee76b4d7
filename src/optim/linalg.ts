/**
 * Small dense linear algebra for the optimisers: a symmetric eigensolver (cyclic Jacobi) and helpers on
 * row-major n×n matrices stored as `Float64Array` of length n². Written here (no dependency) because CMA-ES
 * only needs the eigendecomposition of one symmetric matrix every few generations, and n is small (≤ a few hundred).
 */

/** Eigendecomposition of a symmetric matrix: A = B · diag(values) · Bᵀ, columns of B are unit eigenvectors. */
export interface SymmetricEigen {
  /** Eigenvalues (not sorted). */
  values: Float64Array;
  /** Row-major n×n; column j (entries `vectors[i*n + j]`) is the eigenvector of `values[j]`. */
  vectors: Float64Array;
  /** Jacobi sweeps used. */
  sweeps: number;
}

/**
 * Cyclic Jacobi eigenvalue algorithm (Golub & Van Loan, Matrix Computations, §8.5 "Jacobi methods"):
 * sweep over all off-diagonal pairs (p, q) and zero each with a plane rotation, until the off-diagonal mass
 * is negligible next to the diagonal. Quadratically convergent; each sweep costs O(n³). Robust and accurate
 * for the small, well-scaled covariance matrices of CMA-ES; the input is not modified.
 */
export function symmetricEigen(a: ArrayLike<number>, n: number, opts: { maxSweeps?: number; tol?: number } = {}): SymmetricEigen {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`symmetricEigen: n must be an integer ≥ 1, got ${n}`);
  if (a.length !== n * n) throw new RangeError(`symmetricEigen: matrix has ${a.length} entries, expected n² = ${n * n}`);
  const maxSweeps = opts.maxSweeps ?? 100;
  const tol = opts.tol ?? 1e-15;
  const A = Float64Array.from(a);
  // symmetrise (guards against round-off asymmetry from the caller's updates)
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const s = 0.5 * (A[i * n + j]! + A[j * n + i]!);
      A[i * n + j] = s;
      A[j * n + i] = s;
    }
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  let sweeps = 0;
  for (; sweeps < maxSweeps; sweeps++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < n; i++) {
      diag += A[i * n + i]! * A[i * n + i]!;
      for (let j = i + 1; j < n; j++) off += A[i * n + j]! * A[i * n + j]!;
    }
    if (off <= tol * tol * diag || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q]!;
        if (apq === 0) continue;
        const app = A[p * n + p]!;
        const aqq = A[q * n + q]!;
        // an element below 1e-13·√|a_pp a_qq| moves the eigenvalues by O(a_pq²): drop it instead of rotating
        // (the threshold trick of Numerical Recipes §11.1; makes warm-started decompositions cheap)
        if (apq * apq < 1e-26 * Math.abs(app * aqq)) {
          A[p * n + q] = 0;
          A[q * n + p] = 0;
          continue;
        }
        // rotation angle that annihilates A[p][q]: t = tan θ, the smaller root of t² + 2τt − 1 = 0
        const tau = (aqq - app) / (2 * apq);
        const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        // A ← Jᵀ A J, touching rows/columns p and q only
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p]!;
          const akq = A[k * n + q]!;
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k]!;
          const aqk = A[q * n + k]!;
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        A[p * n + q] = 0;
        A[q * n + p] = 0;
        // accumulate the eigenvectors: V ← V J
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p]!;
          const vkq = V[k * n + q]!;
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = A[i * n + i]!;
  return { values, vectors: V, sweeps };
}

/** A random orthogonal matrix (row-major n×n): Gram–Schmidt on a Gaussian matrix (Haar-distributed up to signs). */
export function randomRotation(n: number, normal: () => number): Float64Array {
  const R = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (;;) {
      for (let k = 0; k < n; k++) R[i * n + k] = normal();
      for (let j = 0; j < i; j++) {
        let dot = 0;
        for (let k = 0; k < n; k++) dot += R[i * n + k]! * R[j * n + k]!;
        for (let k = 0; k < n; k++) R[i * n + k] -= dot * R[j * n + k]!;
      }
      let norm = 0;
      for (let k = 0; k < n; k++) norm += R[i * n + k]! ** 2;
      norm = Math.sqrt(norm);
      if (norm > 1e-8) {
        for (let k = 0; k < n; k++) R[i * n + k] /= norm;
        break;
      }
    }
  }
  return R;
}

/**
 * Principal-component projection of rows (e.g. task embeddings) onto their `k` leading directions: centre the rows,
 * eigen-decompose their covariance, project. Returns the coordinates [rows, k] and the share of variance each keeps.
 */
export function principalComponents(rows: number[][], k = 2): { coords: number[][]; explained: number[] } {
  const n = rows.length;
  const d = rows[0]?.length ?? 0;
  if (n < 2 || d < 1 || rows.some((r) => r.length !== d)) throw new RangeError(`principalComponents: need ≥ 2 rows of equal length, got ${n} rows`);
  const mean = Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + r[j]!, 0) / n);
  const c = rows.map((r) => r.map((v, j) => v - mean[j]!));
  const cov = new Float64Array(d * d);
  for (const r of c) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) cov[i * d + j]! += (r[i]! * r[j]!) / (n - 1);
  const { values, vectors } = symmetricEigen(cov, d);
  const order = Array.from({ length: d }, (_, i) => i).sort((a, b) => values[b]! - values[a]!).slice(0, Math.min(k, d));
  const total = Array.from(values).reduce((s, v) => s + Math.max(v, 0), 0) || 1;
  const coords = c.map((r) => order.map((e) => r.reduce((s, v, i) => s + v * vectors[i * d + e]!, 0)));
  return { coords, explained: order.map((e) => Math.max(values[e]!, 0) / total) };
}
