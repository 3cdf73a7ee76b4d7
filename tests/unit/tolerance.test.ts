import { describe, expect, it } from "vitest";
import { SIGMOIDS, sigmoid, tolerance } from "../../src/envs/task.js";

// Expected values are derived by hand from dm_control's formulas (see the comment on `sigmoid`), at
// value_at_margin v = 0.1, so each is a closed form rather than a copy of the implementation.
describe("tolerance (dm_control.utils.rewards.tolerance semantics)", () => {
  it("is 1 inside the bounds (inclusive) for every sigmoid, margin or not", () => {
    for (const s of SIGMOIDS) {
      expect(tolerance(0.5, [0, 1], 0.3, s)).toBe(1);
      expect(tolerance(0, [0, 1], 0.3, s)).toBe(1);
      expect(tolerance(1, [0, 1], 0.3, s)).toBe(1);
    }
    expect(tolerance(0, [0, 0])).toBe(1); // the defaults: bounds (0, 0), margin 0
  });

  it("with margin 0 is the hard indicator of the interval", () => {
    expect(tolerance(1.0001, [0, 1])).toBe(0);
    expect(tolerance(-1e-9, [0, 1])).toBe(0);
    expect(tolerance(5, [0, Infinity])).toBe(1);
    expect(tolerance(-5, [-Infinity, 0])).toBe(1);
  });

  it("equals value_at_margin one margin outside, on either side, for every sigmoid", () => {
    for (const s of SIGMOIDS) {
      for (const v of [0.1, 0.5, 0.9]) {
        expect(tolerance(1 + 2, [0, 1], 2, s, v)).toBeCloseTo(v, 12);
        expect(tolerance(0 - 2, [0, 1], 2, s, v)).toBeCloseTo(v, 12);
      }
    }
  });

  it("matches closed forms two margins out (v = 0.1)", () => {
    const at = (d: number, s: (typeof SIGMOIDS)[number]) => tolerance(10 + 3 * d, [-1, 10], 3, s, 0.1);
    expect(at(2, "gaussian")).toBeCloseTo(1e-4, 14); // exp(-½·4·(−2 ln 0.1)) = 0.1⁴
    expect(at(2, "hyperbolic")).toBeCloseTo(1 / 199, 14); // 1/cosh(2a), cosh a = 10 → 1/(2·10²−1)
    expect(at(2, "long_tail")).toBeCloseTo(1 / 37, 14); // 1/(4·9 + 1)
    expect(at(2, "reciprocal")).toBeCloseTo(1 / 19, 14); // 1/(2·9 + 1)
    expect(at(2, "linear")).toBe(0); // 2·0.9 ≥ 1
    expect(at(2, "quadratic")).toBe(0); // 2·√0.9 ≥ 1
    expect(at(2, "cosine")).toBe(0);
    expect(at(2, "tanh_squared")).toBeCloseTo(0.01 / 3.61, 14); // tanh a = √0.9 → tanh 2a = 2√0.9/1.9
  });

  it("matches closed forms half a margin out (v = 0.1)", () => {
    const at = (s: (typeof SIGMOIDS)[number]) => tolerance(-0.5, [0, 0], 1, s, 0.1);
    expect(at("linear")).toBeCloseTo(1 - 0.45, 14);
    expect(at("quadratic")).toBeCloseTo(1 - 0.25 * 0.9, 14);
    expect(at("cosine")).toBeCloseTo((1 + Math.sqrt(0.1)) / 2, 14); // cos(θ/2) with cos θ = −0.8
    expect(at("gaussian")).toBeCloseTo(Math.sqrt(Math.sqrt(0.1)), 14); // 0.1^(1/4)
    expect(at("long_tail")).toBeCloseTo(1 / (0.25 * 9 + 1), 14);
    expect(at("reciprocal")).toBeCloseTo(1 / (0.5 * 9 + 1), 14);
  });

  it("allows value_at_margin = 0 only for cosine, linear and quadratic", () => {
    expect(tolerance(2, [0, 1], 1, "linear", 0)).toBe(0);
    expect(tolerance(1.5, [0, 1], 1, "linear", 0)).toBeCloseTo(0.5, 14);
    expect(tolerance(1.5, [0, 1], 1, "quadratic", 0)).toBeCloseTo(0.75, 14);
    expect(tolerance(1.5, [0, 1], 1, "cosine", 0)).toBeCloseTo(0.5, 14);
    for (const s of ["gaussian", "hyperbolic", "long_tail", "reciprocal", "tanh_squared"] as const) {
      expect(() => tolerance(2, [0, 1], 1, s, 0)).toThrow(/strictly between 0 and 1/);
    }
    expect(() => tolerance(2, [0, 1], 1, "linear", 1)).toThrow(/\[0, 1\)/);
  });

  it("decreases monotonically with distance and stays in [0, 1]", () => {
    for (const s of SIGMOIDS) {
      let prev = 1;
      for (let d = 0; d <= 5; d += 0.05) {
        const v = sigmoid(d, 0.1, s);
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(prev + 1e-15);
        prev = v;
      }
    }
  });

  it("rejects bad arguments with clear errors", () => {
    expect(() => tolerance(0, [1, 0])).toThrow(/lower bound/);
    expect(() => tolerance(0, [0, 1], -1)).toThrow(/margin must be non-negative/);
    expect(() => tolerance(5, [0, 1], 1, "bogus" as never)).toThrow(/unknown sigmoid 'bogus'/);
  });
});
