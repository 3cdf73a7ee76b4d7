/**
 * Recording a run for pictures: at each generation, the distribution that produced the samples (mean and
 * covariance), the samples, their fitness and which of them were selected (CEM's elites, CMA-ES's μ best).
 */
import type { AskTellOptimizer } from "./base.js";
import { Cem } from "./cem.js";
import { CemFull } from "./cem-full.js";
import { CmaEs } from "./cmaes.js";
import { IpopCmaEs } from "./ipop.js";
import { symmetricEigen } from "./linalg.js";

export interface Snapshot {
  iteration: number;
  evaluations: number;
  mean: number[];
  /** Row-major covariance of the sampling distribution (σ²C for CMA-ES, diag(std²) for CEM). */
  cov: number[];
  samples: number[][];
  fitness: number[];
  /** Indices into `samples` of the selected points, best first. */
  selected: number[];
  bestF: number;
}

function selectedCount(es: AskTellOptimizer): number {
  if (es instanceof Cem || es instanceof CemFull) return es.elites;
  if (es instanceof CmaEs) return es.params.mu;
  if (es instanceof IpopCmaEs) return es.es.params.mu;
  return Math.max(1, Math.floor(es.popsize / 2));
}

/** Run `es` on `f` for `iterations` generations (or until it stops), recording every generation. */
export function trace2d(es: AskTellOptimizer, f: (x: Float64Array) => number, iterations: number): Snapshot[] {
  const out: Snapshot[] = [];
  for (let it = 0; it < iterations && !es.stop(); it++) {
    const { mean, cov } = es.distribution();
    const k = selectedCount(es);
    const xs = es.ask();
    const fs = xs.map((x) => f(x));
    const maximize = es.maximize;
    const order = fs.map((_, i) => i).sort((a, b) => (maximize ? fs[b]! - fs[a]! : fs[a]! - fs[b]!));
    es.tell(xs, fs);
    out.push({
      iteration: it,
      evaluations: es.evaluations,
      mean: Array.from(mean),
      cov: Array.from(cov),
      samples: xs.map((x) => Array.from(x)),
      fitness: fs,
      selected: order.slice(0, k),
      bestF: es.best.f,
    });
  }
  return out;
}

/**
 * Points on the k-σ ellipse of a 2-D Gaussian: { m + k B √Λ (cos t, sin t) } with C = B Λ Bᵀ.
 * For drawing the search distribution over a landscape.
 */
export function ellipse2d(mean: ArrayLike<number>, cov: ArrayLike<number>, k = 1, points = 72): { x: number[]; y: number[] } {
  if (mean.length !== 2 || cov.length !== 4) throw new RangeError(`ellipse2d: needs a 2-D mean and a 2×2 covariance, got ${mean.length} and ${cov.length} entries`);
  const { values, vectors } = symmetricEigen(cov, 2);
  const a = Math.sqrt(Math.max(values[0]!, 0)) * k;
  const b = Math.sqrt(Math.max(values[1]!, 0)) * k;
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i <= points; i++) {
    const t = (2 * Math.PI * i) / points;
    const u = a * Math.cos(t);
    const v = b * Math.sin(t);
    x.push(mean[0]! + vectors[0]! * u + vectors[1]! * v);
    y.push(mean[1]! + vectors[2]! * u + vectors[3]! * v);
  }
  return { x, y };
}
