/**
 * Benchmark test functions (minimisation), any dimension, each with its known optimum, plus rotated variants.
 * Definitions as in Hansen et al., "Real-parameter black-box optimization benchmarking (BBOB) 2009: noiseless
 * functions definitions", and the usual references for Ackley and Styblinski–Tang.
 */
import { Rng } from "../util/random.js";
import { randomRotation } from "./linalg.js";

export interface TestFunction {
  /** Short name used by the benchmark and the CLI, e.g. "ellipsoid" or "rot-ellipsoid". */
  name: string;
  dim: number;
  f(x: ArrayLike<number>): number;
  /** Global minimiser and minimum. */
  xopt: Float64Array;
  fopt: number;
  /** Box where benchmark runs draw their start point (x0 ~ U(box), σ0 = (hi − lo)/5). */
  init: [number, number];
  /** One-line description for tables. */
  description: string;
}

function checkDim(name: string, dim: number, min = 1): void {
  if (!Number.isInteger(dim) || dim < min) throw new RangeError(`${name}: dimension must be an integer ≥ ${min}, got ${dim}`);
}

/** f(x) = Σ x_i². */
export function sphere(dim: number): TestFunction {
  checkDim("sphere", dim);
  return {
    name: "sphere", dim, xopt: new Float64Array(dim), fopt: 0, init: [-5, 5], description: "Σ x_i², isotropic",
    f(x) {
      let s = 0;
      for (let i = 0; i < dim; i++) s += x[i]! * x[i]!;
      return s;
    },
  };
}

/** f(x) = Σ 10^{6(i−1)/(n−1)} x_i²: axis-aligned, condition number 1e6. */
export function ellipsoid(dim: number, condition = 1e6): TestFunction {
  checkDim("ellipsoid", dim);
  const w = Float64Array.from({ length: dim }, (_, i) => (dim === 1 ? 1 : condition ** (i / (dim - 1))));
  return {
    name: "ellipsoid", dim, xopt: new Float64Array(dim), fopt: 0, init: [-5, 5],
    description: `Σ c^{(i−1)/(n−1)} x_i², condition ${condition.toExponential(0)}, axis-aligned`,
    f(x) {
      let s = 0;
      for (let i = 0; i < dim; i++) s += w[i]! * x[i]! * x[i]!;
      return s;
    },
  };
}

/** f(x) = Σ_{i<n} 100(x_{i+1} − x_i²)² + (1 − x_i)²; minimum 0 at (1, …, 1). A bent valley. */
export function rosenbrock(dim: number): TestFunction {
  checkDim("rosenbrock", dim, 2);
  return {
    name: "rosenbrock", dim, xopt: new Float64Array(dim).fill(1), fopt: 0, init: [-2, 2],
    description: "Σ 100(x_{i+1} − x_i²)² + (1 − x_i)², curved valley",
    f(x) {
      let s = 0;
      for (let i = 0; i < dim - 1; i++) s += 100 * (x[i + 1]! - x[i]! * x[i]!) ** 2 + (1 - x[i]!) ** 2;
      return s;
    },
  };
}

/** f(x) = 10n + Σ (x_i² − 10 cos 2πx_i); ~10ⁿ local minima on a grid, global 0 at 0. */
export function rastrigin(dim: number): TestFunction {
  checkDim("rastrigin", dim);
  return {
    name: "rastrigin", dim, xopt: new Float64Array(dim), fopt: 0, init: [-5, 5],
    description: "10n + Σ x_i² − 10 cos 2πx_i, regular multimodal",
    f(x) {
      let s = 10 * dim;
      for (let i = 0; i < dim; i++) s += x[i]! * x[i]! - 10 * Math.cos(2 * Math.PI * x[i]!);
      return s;
    },
  };
}

/** Ackley: −20 exp(−0.2 √(Σx²/n)) − exp(Σ cos(2πx_i)/n) + 20 + e; global 0 at 0. */
export function ackley(dim: number): TestFunction {
  checkDim("ackley", dim);
  return {
    name: "ackley", dim, xopt: new Float64Array(dim), fopt: 0, init: [-5, 5],
    description: "Ackley: nearly flat outer region, many small local minima, deep funnel at 0",
    f(x) {
      let s2 = 0, sc = 0;
      for (let i = 0; i < dim; i++) (s2 += x[i]! * x[i]!), (sc += Math.cos(2 * Math.PI * x[i]!));
      // written as differences so that f(0) is exactly 0 and f − f* near 0 keeps its precision
      return -20 * Math.expm1(-0.2 * Math.sqrt(s2 / dim)) - Math.expm1(sc / dim - 1) * Math.E;
    },
  };
}

/** x* of Styblinski–Tang per coordinate: the smaller root of 4x³ − 32x + 5 = 0 (Newton from −3). */
const ST_X = (() => {
  let x = -3;
  for (let i = 0; i < 60; i++) x -= (4 * x ** 3 - 32 * x + 5) / (12 * x * x - 32);
  return x;
})();
const ST_F1 = 0.5 * (ST_X ** 4 - 16 * ST_X ** 2 + 5 * ST_X);

/** Styblinski–Tang: ½ Σ (x_i⁴ − 16x_i² + 5x_i); 2ⁿ local minima, global −39.166… n at x_i = −2.9035. */
export function styblinskiTang(dim: number): TestFunction {
  checkDim("styblinski-tang", dim);
  return {
    name: "styblinski-tang", dim, xopt: new Float64Array(dim).fill(ST_X), fopt: ST_F1 * dim, init: [-5, 5],
    description: "½ Σ x_i⁴ − 16x_i² + 5x_i, 2ⁿ local minima (deceptive: the best one is not the nearest)",
    f(x) {
      // subtract the optimum per coordinate so f − f* is accurate to ~1e-14 even in 30-D
      let s = 0;
      for (let i = 0; i < dim; i++) {
        const v = x[i]!;
        s += 0.5 * (v ** 4 - 16 * v * v + 5 * v) - ST_F1;
      }
      return s + ST_F1 * dim;
    },
  };
}

/**
 * g(x) = f(x* + R(x − x*)) for a random rotation R (seeded): the same landscape, turned so that its axes no longer
 * line up with the coordinates. Separable methods (diagonal covariance: CEM, sep-CMA) lose their advantage.
 */
export function rotated(fn: TestFunction, seed = 1): TestFunction {
  const n = fn.dim;
  const R = randomRotation(n, (() => {
    const rng = new Rng(seed);
    return () => rng.normal();
  })());
  const xs = fn.xopt;
  const buf = new Float64Array(n);
  return {
    ...fn,
    name: `rot-${fn.name}`,
    description: `${fn.description}, rotated`,
    f(x) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += R[i * n + j]! * (x[j]! - xs[j]!);
        buf[i] = xs[i]! + s;
      }
      return fn.f(buf);
    },
  };
}

/** Names accepted by `testFunction` (and the CLI). */
export const TEST_FUNCTIONS = ["sphere", "ellipsoid", "rot-ellipsoid", "rosenbrock", "rastrigin", "ackley", "styblinski-tang"] as const;
export type TestFunctionName = (typeof TEST_FUNCTIONS)[number] | `rot-${(typeof TEST_FUNCTIONS)[number]}`;

/** A test function by name (`rot-<name>` gives its rotated variant). */
export function testFunction(name: string, dim: number, rotationSeed = 1): TestFunction {
  if (name.startsWith("rot-")) return rotated(testFunction(name.slice(4), dim), rotationSeed);
  switch (name) {
    case "sphere": return sphere(dim);
    case "ellipsoid": return ellipsoid(dim);
    case "rosenbrock": return rosenbrock(dim);
    case "rastrigin": return rastrigin(dim);
    case "ackley": return ackley(dim);
    case "styblinski-tang": return styblinskiTang(dim);
    default:
      throw new RangeError(`unknown test function "${name}"; known: ${TEST_FUNCTIONS.join(", ")} (prefix "rot-" for a rotated variant)`);
  }
}
