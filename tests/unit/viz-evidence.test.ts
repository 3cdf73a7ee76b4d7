/** The evidence helpers of every figure: the mean's confidence interval and the exact permutation test. */
import { describe, expect, it } from "vitest";
import { meanCi, permutationTest } from "../../src/viz/evidence.js";

describe("permutationTest", () => {
  it("fully separated groups of 5 reach the smallest two-sided p an exact test allows: 2 of C(10,5) = 252 splits", () => {
    const r = permutationTest([10, 11, 12, 13, 14], [1, 2, 3, 4, 5]);
    expect(r.splits).toBe(252);
    expect(r.diff).toBeCloseTo(9, 12);
    expect(r.p).toBeCloseTo(2 / 252, 12);
  });

  it("the same values in both groups give p = 1; a small overlap counts every split at least as extreme, by hand", () => {
    expect(permutationTest([1, 2, 3], [1, 2, 3]).p).toBe(1);
    // a = {3, 4}, b = {1, 2}: |diff| = 2; splits of {1,2,3,4} into pairs: {3,4} and {1,2} reach 2, the other 4 do not
    expect(permutationTest([3, 4], [1, 2]).p).toBeCloseTo(2 / 6, 12);
    // symmetric: swapping the groups flips the sign, not p
    const [x, y] = [permutationTest([5, 7, 9], [6, 1]), permutationTest([6, 1], [5, 7, 9])];
    expect(x.p).toBeCloseTo(y.p, 12);
    expect(x.diff).toBeCloseTo(-y.diff, 12);
  });

  it("refuses what it cannot test, by name", () => {
    expect(() => permutationTest([], [1])).toThrow(/each group needs at least one value/);
    expect(() => permutationTest([1, Number.NaN], [2])).toThrow(/not a finite number/);
    expect(() => permutationTest(Array(11).fill(1), Array(10).fill(2))).toThrow(/21 values/);
  });

  it("meanCi: mean, t-based half-width and range of a handful of seeds", () => {
    const s = meanCi([1, 2, 3, 4, 5]);
    expect(s.mean).toBe(3);
    expect(s.half).toBeCloseTo((2.776 * Math.sqrt(2.5)) / Math.sqrt(5), 10);
    expect([s.min, s.max]).toEqual([1, 5]);
  });
});
