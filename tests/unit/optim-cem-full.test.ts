import { describe, expect, it } from "vitest";
import { Cem } from "../../src/optim/cem.js";
import { CemFull } from "../../src/optim/cem-full.js";
import { testFunction } from "../../src/optim/functions.js";
import { Rng } from "../../src/util/random.js";

describe("CEM with a full covariance", () => {
  it("in one dimension is CEM: the same samples and means (up to rounding)", () => {
    const f = testFunction("sphere", 1);
    const a = new Cem({ x0: [3], sigma0: 2, seed: 7, stdMomentum: 0.5, momentum: 0.1 });
    const b = new CemFull({ x0: [3], sigma0: 2, seed: 7, stdMomentum: 0.5, momentum: 0.1 });
    for (let g = 0; g < 20; g++) {
      const xa = a.ask();
      const xb = b.ask();
      xb.forEach((x, k) => expect(x[0]).toBeCloseTo(xa[k]![0]!, 10));
      a.tell(xa, xa.map((x) => f.f(x)));
      b.tell(xb, xb.map((x) => f.f(x)));
      expect(b.mean[0]).toBeCloseTo(a.mean[0]!, 12);
      expect(Math.sqrt(b.distribution().cov[0]!)).toBeCloseTo(a.std[0]!, 12);
    }
  });

  it("refits the elites' mean and full covariance (no smoothing, every point an elite)", () => {
    const rng = new Rng(1);
    const es = new CemFull({ x0: [0, 0], sigma0: 1, popsize: 400, eliteFraction: 1, momentum: 0, stdMomentum: 0, seed: 2 });
    // points on a tilted ellipse: x2 ≈ 0.8 x1, so the covariance has a large off-diagonal term
    const xs = Array.from({ length: 400 }, () => {
      const u = rng.normal();
      return Float64Array.of(1 + u, -2 + 0.8 * u + 0.3 * rng.normal());
    });
    es.tell(xs, xs.map(() => 0));
    const m = [0, 1].map((i) => xs.reduce((s, x) => s + x[i]!, 0) / xs.length);
    const c = (i: number, j: number) => xs.reduce((s, x) => s + (x[i]! - m[i]!) * (x[j]! - m[j]!), 0) / xs.length;
    const { mean, cov } = es.distribution();
    expect(mean[0]).toBeCloseTo(m[0]!, 10);
    expect(mean[1]).toBeCloseTo(m[1]!, 10);
    for (const [i, j] of [[0, 0], [0, 1], [1, 1]] as const) expect(cov[i * 2 + j]).toBeCloseTo(c(i, j), 8);
    // and it samples from that distribution
    const ys = Array.from({ length: 100 }, () => es.ask()).flat();
    const my = [0, 1].map((i) => ys.reduce((s, y) => s + y[i]!, 0) / ys.length);
    const cy = (i: number, j: number) => ys.reduce((s, y) => s + (y[i]! - my[i]!) * (y[j]! - my[j]!), 0) / ys.length;
    expect(cy(0, 1) / Math.sqrt(cy(0, 0) * cy(1, 1))).toBeCloseTo(c(0, 1) / Math.sqrt(c(0, 0) * c(1, 1)), 1);
  });

  it("turns its ellipse along a rotated valley: on a 2-D rotated ellipsoid it gets far closer than diagonal CEM", () => {
    const f = testFunction("rot-ellipsoid", 2);
    const gaps = (make: (seed: number) => Cem | CemFull) =>
      [0, 1, 2, 3, 4].map((seed) => {
        const es = make(seed);
        while (!es.stop()) {
          const xs = es.ask();
          es.tell(xs, xs.map((x) => f.f(x)));
        }
        return es.best.f - f.fopt;
      });
    const start = { x0: [2, -2], sigma0: 1, maxEvals: 6000 };
    const diag = gaps((seed) => new Cem({ ...start, seed }));
    const full = gaps((seed) => new CemFull({ ...start, seed }));
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[2]!;
    expect(median(full)).toBeLessThan(median(diag) / 100);
  });
});
