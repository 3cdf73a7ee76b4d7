/** The optimisers' interface: reproducibility, errors, bounds, stopping, maximisation; the eigensolver; the test functions. */
import { describe, expect, it } from "vitest";
import { Cem } from "../../src/optim/cem.js";
import { CmaEs, cmaParameters } from "../../src/optim/cmaes.js";
import { IpopCmaEs } from "../../src/optim/ipop.js";
import { repairInPlace } from "../../src/optim/base.js";
import { symmetricEigen, randomRotation } from "../../src/optim/linalg.js";
import { TEST_FUNCTIONS, testFunction, rotated, sphere } from "../../src/optim/functions.js";
import { benchmark, convergenceCurves } from "../../src/optim/benchmark.js";
import { trace2d } from "../../src/optim/trace.js";
import { Rng } from "../../src/util/random.js";
import type { AskTellOptimizer } from "../../src/optim/base.js";

type Make = (seed: number) => AskTellOptimizer;
const makers: [string, Make][] = [
  ["CEM", (seed) => new Cem({ x0: [1, 2, 3], sigma0: 0.5, seed })],
  ["CMA-ES", (seed) => new CmaEs({ x0: [1, 2, 3], sigma0: 0.5, seed })],
  ["sep-CMA-ES", (seed) => new CmaEs({ x0: [1, 2, 3], sigma0: 0.5, seed, diagonal: true })],
  ["IPOP-CMA-ES", (seed) => new IpopCmaEs({ x0: [1, 2, 3], sigma0: 0.5, seed })],
];

function run(es: AskTellOptimizer, f: (x: Float64Array) => number, gens: number): number[] {
  const history: number[] = [];
  for (let g = 0; g < gens && !es.stop(); g++) {
    const xs = es.ask();
    const fs = xs.map(f);
    history.push(...fs);
    es.tell(xs, fs);
  }
  return history;
}

const sph = sphere(3).f;

describe.each(makers)("%s ask/tell", (_name, make) => {
  it("reproduces the exact same run from a fixed seed, and another seed differs", () => {
    const a = run(make(7), sph, 30);
    const b = run(make(7), sph, 30);
    const c = run(make(8), sph, 30);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it("rejects a NaN fitness, a population of the wrong size and points of the wrong dimension", () => {
    const es = make(0);
    const xs = es.ask();
    const fs = xs.map(sph);
    expect(() => es.tell(xs, fs.map((f, i) => (i === 1 ? Number.NaN : f)))).toThrow(/fitness 1 is NaN/);
    expect(() => es.tell(xs.slice(1), fs.slice(1))).toThrow(/population size is/);
    expect(() => es.tell(xs, fs.slice(1))).toThrow(/fitness values/);
    expect(() => es.tell(xs.map((x) => x.subarray(1)), fs)).toThrow(/dimension 2, expected 3/);
    es.tell(xs, fs); // the population itself is still accepted after the failed attempts
    expect(es.evaluations).toBe(xs.length);
  });

  it("tracks the best point, the evaluation count and the generation", () => {
    const es = make(1);
    const h = run(es, sph, 20);
    expect(es.iteration).toBe(20);
    expect(es.evaluations).toBe(h.length);
    expect(es.best.f).toBe(Math.min(...h));
    expect(sph(es.best.x)).toBe(es.best.f);
    expect(h[es.best.evals - 1]).toBe(es.best.f);
  });
});

describe("constructor errors", () => {
  for (const [name, C] of [["CEM", Cem], ["CMA-ES", CmaEs], ["IPOP-CMA-ES", IpopCmaEs]] as const) {
    it(`${name}: dimension 0, std ≤ 0, NaN start, bad bounds`, () => {
      expect(() => new C({ x0: [], sigma0: 1 })).toThrow(/dimension 0/);
      expect(() => new C({ x0: [0, 0], sigma0: 0 })).toThrow(/std must be > 0/);
      expect(() => new C({ x0: [0, 0], sigma0: [1, -1] })).toThrow(/sigma0\[1\] = -1/);
      expect(() => new C({ x0: [0, 0], sigma0: [1, 1, 1] })).toThrow(/sigma0 has 3 entries/);
      expect(() => new C({ x0: [0, Number.NaN], sigma0: 1 })).toThrow(/x0\[1\] is NaN/);
      expect(() => new C({ x0: [0, 0], sigma0: 1, bounds: { lower: 1, upper: 0 } })).toThrow(/lower < upper/);
    });
  }
  it("CEM: elites outside [1, popsize], momentum outside [0, 1)", () => {
    expect(() => new Cem({ x0: [0], sigma0: 1, popsize: 10, elites: 11 })).toThrow(/elites/);
    expect(() => new Cem({ x0: [0], sigma0: 1, momentum: 1 })).toThrow(/momentum/);
    expect(() => new Cem({ x0: [0], sigma0: 1, minStd: -1 })).toThrow(/minStd/);
  });
  it("CMA-ES: popsize < 2", () => {
    expect(() => new CmaEs({ x0: [0], sigma0: 1, popsize: 1 })).toThrow(/popsize/);
  });
  it("unknown test function names the known ones", () => {
    expect(() => testFunction("griewank", 2)).toThrow(/unknown test function "griewank"; known: sphere/);
    expect(() => testFunction("rosenbrock", 1)).toThrow(/dimension must be an integer ≥ 2/);
  });
});

describe("CMA-ES parameters", () => {
  it("match the tutorial's defaults for n = 10 (Table 1)", () => {
    const p = cmaParameters(10);
    expect(p.lambda).toBe(10);
    expect(p.mu).toBe(5);
    expect(p.mueff).toBeCloseTo(3.1673, 4);
    expect(p.c1).toBeCloseTo(2 / (11.3 ** 2 + p.mueff), 12);
    expect(p.cmu).toBeCloseTo((2 * (p.mueff - 2 + 1 / p.mueff)) / (144 + p.mueff), 12);
    expect(p.csigma).toBeCloseTo((p.mueff + 2) / (15 + p.mueff), 12);
    expect(p.cc).toBeCloseTo((4 + p.mueff / 10) / (14 + (2 * p.mueff) / 10), 12);
    const pos = Array.from(p.weights).filter((w) => w > 0);
    const neg = Array.from(p.weights).filter((w) => w < 0);
    expect(pos.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    // negative weights sum to −min(1 + c1/cμ, 1 + 2μeff⁻/(μeff + 2), (1 − c1 − cμ)/(n cμ)) (eq. 53)
    expect(neg.reduce((a, b) => a + b, 0)).toBeCloseTo(-(1 + p.c1 / p.cmu), 10);
    expect(p.chiN).toBeCloseTo(Math.sqrt(10) * (1 - 1 / 40 + 1 / 2100), 12);
  });
  it("sep-CMA learns (n+2)/3 times faster and has no negative weights", () => {
    const full = cmaParameters(30);
    const sep = cmaParameters(30, undefined, { diagonal: true });
    expect(sep.c1 / full.c1).toBeCloseTo(32 / 3, 10);
    expect(Array.from(sep.weights).every((w) => w >= 0)).toBe(true);
  });
});

describe("lazy eigendecomposition", () => {
  it("decomposes C every generation in 10-D, and only every other generation in 100-D (gap 1/(10n(c1+cμ)) ≈ 1.3)", () => {
    const f = (x: Float64Array) => x.reduce((a, v) => a + v * v, 0);
    const small = new CmaEs({ x0: new Array(10).fill(1), sigma0: 0.5, seed: 0 });
    run(small, f, 10);
    expect(small.eigenCount).toBe(10);
    const big = new CmaEs({ x0: new Array(100).fill(1), sigma0: 0.5, seed: 0 });
    run(big, f, 10);
    expect(big.eigenCount).toBe(5);
  });
});

describe("bounds", () => {
  const box = { lo: Float64Array.from([0, 0]), hi: Float64Array.from([1, 2]) };
  it("clip clamps and mirror reflects (periodically)", () => {
    expect(Array.from(repairInPlace(Float64Array.from([-0.5, 2.5]), box, "clip"))).toEqual([0, 2]);
    expect(Array.from(repairInPlace(Float64Array.from([-0.25, 2.5]), box, "mirror"))).toEqual([0.25, 1.5]);
    expect(Array.from(repairInPlace(Float64Array.from([2.25, -4.5]), box, "mirror"))).toEqual([0.25, 0.5]);
  });
  for (const handling of ["clip", "mirror"] as const) {
    it(`every asked point is feasible (${handling}) and an optimum on the boundary is found`, () => {
      // minimum of Σ(x_i − 3)² over [−1, 1]² is at (1, 1)
      const f = (x: Float64Array) => (x[0]! - 3) ** 2 + (x[1]! - 3) ** 2;
      for (const es of [
        new CmaEs({ x0: [0, 0], sigma0: 0.5, seed: 3, bounds: { lower: -1, upper: 1 }, boundHandling: handling, maxIter: 150 }),
        new Cem({ x0: [0, 0], sigma0: 0.5, seed: 3, bounds: { lower: -1, upper: 1 }, boundHandling: handling, maxIter: 100 }),
      ] as AskTellOptimizer[]) {
        while (!es.stop()) {
          const xs = es.ask();
          for (const x of xs) for (const v of x) expect(Math.abs(v)).toBeLessThanOrEqual(1);
          es.tell(xs, xs.map(f));
        }
        expect(es.best.x[0]).toBeGreaterThan(0.999);
        expect(es.best.x[1]).toBeGreaterThan(0.999);
      }
    });
  }
});

describe("stopping criteria and maximisation", () => {
  it("target, maxEvals, maxIter", () => {
    const t = new CmaEs({ x0: [3, 3], sigma0: 1, seed: 1, target: 1e-6 });
    run(t, (x) => x[0]! ** 2 + x[1]! ** 2, 10000);
    expect(t.stopReasons).toContain("target");
    expect(t.best.f).toBeLessThanOrEqual(1e-6);
    const e = new Cem({ x0: [3, 3], sigma0: 1, seed: 1, maxEvals: 100, popsize: 32 });
    run(e, (x) => x[0]! ** 2, 10000);
    expect(e.stopReasons).toContain("maxEvals");
    expect(e.evaluations).toBe(128);
    const i = new CmaEs({ x0: [3, 3], sigma0: 1, seed: 1, maxIter: 7 });
    run(i, (x) => x[0]! ** 2, 10000);
    expect(i.stopReasons).toEqual(["maxIter"]);
  });
  it("CMA-ES stops by itself on TolX/TolFun on the sphere, and on ConditionCov for an unbounded-below ridge", () => {
    const es = new CmaEs({ x0: [3, 3, 3], sigma0: 1, seed: 2 });
    run(es, sph, 100000);
    expect(es.stopReasons.some((r) => r === "tolX" || r === "tolFun")).toBe(true);
    expect(es.best.f).toBeLessThan(1e-15);
    // f = x0² · 1e8 + (…) makes C ill-conditioned without bound: linear in x1, quadratic in x0
    const ridge = new CmaEs({ x0: [1, 1], sigma0: 1, seed: 2, maxCondition: 1e8, maxIter: 3000 });
    run(ridge, (x) => 1e8 * x[0]! ** 2 - x[1]!, 100000);
    expect(ridge.stopReasons.length).toBeGreaterThan(0);
    expect(ridge.stopReasons).not.toContain("maxIter");
  });
  it("maximize: finds the maximum of −f and reports fitness in the caller's sign", () => {
    for (const es of [new CmaEs({ x0: [2, -1], sigma0: 1, seed: 4, maximize: true, maxIter: 200 }), new Cem({ x0: [2, -1], sigma0: 1, seed: 4, maximize: true, maxIter: 60 })] as AskTellOptimizer[]) {
      run(es, (x) => 5 - (x[0]! - 1) ** 2 - (x[1]! + 0.5) ** 2, 1000);
      expect(es.best.f).toBeGreaterThan(5 - 1e-6);
      expect(es.best.f).toBeLessThanOrEqual(5);
    }
  });
  it("CEM keeps its std at minStd (planner setting) and smooths the mean with momentum", () => {
    const es = new Cem({ x0: [4, 4], sigma0: 1, seed: 0, minStd: 0.05, momentum: 0.1, maxIter: 200 });
    run(es, (x) => x[0]! ** 2 + x[1]! ** 2, 1000);
    expect(Array.from(es.std)).toEqual([0.05, 0.05]);
    expect(Math.hypot(es.mean[0]!, es.mean[1]!)).toBeLessThan(0.05);
  });
});

describe("symmetric eigensolver (Jacobi)", () => {
  it("decomposes a random symmetric matrix: A v = λ v, V orthonormal", () => {
    const rng = new Rng(5);
    const n = 12;
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) A[i * n + j] = A[j * n + i] = rng.normal();
    const { values, vectors } = symmetricEigen(A, n);
    for (let k = 0; k < n; k++)
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += A[i * n + j]! * vectors[j * n + k]!;
        expect(av).toBeCloseTo(values[k]! * vectors[i * n + k]!, 10);
      }
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += vectors[i * n + a]! * vectors[i * n + b]!;
        expect(d).toBeCloseTo(a === b ? 1 : 0, 12);
      }
  });
  it("recovers eigenvalues spanning 12 orders of magnitude", () => {
    const n = 6;
    const R = randomRotation(n, (() => { const r = new Rng(1); return () => r.normal(); })());
    const lam = [1e-6, 1e-3, 1, 10, 1e4, 1e6];
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) A[i * n + j] += R[i * n + k]! * lam[k]! * R[j * n + k]!;
    const got = Array.from(symmetricEigen(A, n).values).sort((a, b) => a - b);
    // backward stable: absolute error ≈ a few ε‖A‖ = a few 1e-10, so even 1e-6 comes out to ~4 digits
    got.forEach((v, k) => expect(Math.abs(v - lam[k]!)).toBeLessThan(1e-8 + 1e-12 * lam[k]!));
  });
  it("rejects a matrix of the wrong size", () => {
    expect(() => symmetricEigen([1, 2, 3], 2)).toThrow(/expected n² = 4/);
  });
});

describe("test functions", () => {
  it.each(TEST_FUNCTIONS.map((n) => [n]))("%s: f(x*) = f* in 2, 10 and 30 dimensions, and f ≥ f* nearby", (name) => {
    const rng = new Rng(0);
    for (const dim of [2, 10, 30]) {
      const fn = testFunction(name, dim);
      expect(fn.dim).toBe(dim);
      expect(fn.f(fn.xopt)).toBeCloseTo(fn.fopt, 9);
      for (let k = 0; k < 50; k++) {
        const x = fn.xopt.map((v) => v + 0.1 * rng.normal());
        expect(fn.f(x)).toBeGreaterThan(fn.fopt);
      }
    }
  });
  it("known values: Styblinski–Tang f* = −39.16616570 n, Rastrigin f(1) = n, Rosenbrock f(0) = n − 1, ellipsoid weights 1…1e6", () => {
    expect(testFunction("styblinski-tang", 3).fopt).toBeCloseTo(-39.16616570377142 * 3, 9);
    expect(testFunction("rastrigin", 4).f([1, 1, 1, 1])).toBeCloseTo(4, 12);
    expect(testFunction("rosenbrock", 5).f([0, 0, 0, 0, 0])).toBe(4);
    const e = testFunction("ellipsoid", 3);
    expect(e.f([1, 0, 0])).toBe(1);
    expect(e.f([0, 0, 1])).toBeCloseTo(1e6, 6);
    expect(testFunction("ackley", 2).f([0, 0])).toBe(0);
  });
  it("a rotation keeps the optimum and the value distribution but mixes the coordinates", () => {
    const base = testFunction("ellipsoid", 5);
    const rot = rotated(base, 3);
    expect(rot.name).toBe("rot-ellipsoid");
    expect(rot.f(rot.xopt)).toBe(0);
    // f(e1) differs (axis no longer aligned) but f along some direction of norm 1 still lies in [1, 1e6]
    const v = rot.f([1, 0, 0, 0, 0]);
    expect(v).not.toBe(base.f([1, 0, 0, 0, 0]));
    expect(v).toBeGreaterThanOrEqual(1 - 1e-9);
    expect(v).toBeLessThanOrEqual(1e6 + 1e-3);
  });
});

describe("benchmark and trace helpers", () => {
  it("benchmark rows count successes and evaluations; curves are monotone", () => {
    const { rows, runs } = benchmark({ optimizers: ["cmaes", "cem"], functions: ["sphere"], dims: [2], seeds: 3, budgetPerDim: 1000, minEvals: 2000 });
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.seeds).toBe(3);
      expect(r.successes).toBe(3);
      expect(r.medianEvals).toBeGreaterThan(0);
      expect(r.msPer1000Evals).toBeGreaterThan(0);
    }
    const c = convergenceCurves(runs.filter((r) => r.optimizer === "cmaes"));
    for (let i = 1; i < c.median.length; i++) expect(c.median[i]!).toBeLessThanOrEqual(c.median[i - 1]!);
    expect(c.median[c.median.length - 1]!).toBeLessThanOrEqual(1e-8);
  });
  it("trace2d records the distribution that drew each generation and the selected points", () => {
    const es = new CmaEs({ x0: [1, 1], sigma0: 0.5, seed: 0 });
    const snaps = trace2d(es, (x) => x[0]! ** 2 + 10 * x[1]! ** 2, 5);
    expect(snaps).toHaveLength(5);
    expect(snaps[0]!.mean).toEqual([1, 1]);
    expect(snaps[0]!.cov).toEqual([0.25, 0, 0, 0.25]);
    expect(snaps[0]!.samples).toHaveLength(es.popsize);
    expect(snaps[0]!.selected).toHaveLength(es.params.mu);
    const s = snaps[2]!;
    const worstSelected = Math.max(...s.selected.map((i) => s.fitness[i]!));
    const others = s.fitness.filter((_, i) => !s.selected.includes(i));
    expect(others.every((f) => f >= worstSelected)).toBe(true);
  });
});

describe("issue 12: CEM stops by itself; tell refuses non-finite points", () => {
  it("CEM with default options stops (std collapsed to 0 on a flat function, and on the sphere)", () => {
    const flat = new Cem({ x0: [0.3], sigma0: 1, seed: 1, bounds: { lower: 0, upper: 1 } });
    run(flat, () => 1, 20000);
    expect(flat.stop()).toBe(true);
    expect(flat.iteration).toBeLessThan(200);
    expect(flat.stopReasons).toContain("tolFun");
    const sph = new Cem({ x0: [2, 2], sigma0: 1, seed: 1 });
    run(sph, (x) => x[0]! ** 2 + x[1]! ** 2, 20000);
    expect(sph.stopReasons.some((r) => r === "tolX" || r === "tolFun")).toBe(true);
    expect(sph.best.f).toBeLessThan(1e-12);
  });

  it("stagnation: the best-so-far not improving for `patience` generations stops CEM (a std floor keeps it searching)", () => {
    const es = new Cem({ x0: [0], sigma0: 1, seed: 2, minStd: 0.5, patience: 15 });
    run(es, (x) => Math.abs(x[0]!), 20000);
    expect(es.stopReasons).toEqual(["stagnation"]);
  });

  it("a generation cap applies by default (100 + 150(n+3)²/√λ) even when nothing else would stop CEM", () => {
    const es = new Cem({ x0: [0], sigma0: 1, seed: 3, minStd: 0.5, popsize: 16 });
    let k = 0;
    run(es, () => -k++, 100000); // always improving, never converging
    expect(es.stopReasons).toEqual(["maxIter"]);
    expect(es.iteration).toBe(Math.ceil(100 + (150 * 16) / 4));
  });

  it("CEM and CMA-ES refuse a NaN or infinite coordinate in tell (the mean would become NaN)", () => {
    for (const es of [new Cem({ x0: [0, 0], sigma0: 1, seed: 1 }), new CmaEs({ x0: [0, 0], sigma0: 1, seed: 1 })]) {
      const xs = es.ask();
      xs[1]![0] = Number.NaN;
      expect(() => es.tell(xs, xs.map(() => 1))).toThrow(/point 1 has coordinate 0 = NaN/);
      xs[1]![0] = Infinity;
      expect(() => es.tell(xs, xs.map(() => 1))).toThrow(/points must be finite/);
      expect(es.distribution().mean.every(Number.isFinite)).toBe(true);
    }
  });
});

describe("principal components", () => {
  it("projects rows onto their leading directions and reports the variance kept", async () => {
    const { principalComponents } = await import("../../src/optim/linalg.js");
    // points on a line y = 2x in 3-D, plus a small z wobble
    const rows = [-2, -1, 0, 1, 2].map((x, i) => [x, 2 * x, 0.01 * (i % 2)]);
    const { coords, explained } = principalComponents(rows, 2);
    expect(explained[0]).toBeGreaterThan(0.999);
    const d = coords.map((c) => Math.abs(c[0]!));
    expect(d[0]).toBeCloseTo(Math.hypot(2, 4), 3); // distance along the line from the mean
    expect(() => principalComponents([[1, 2]])).toThrow(/need ≥ 2 rows/);
  });
});
