import { describe, expect, it } from "vitest";
import { distinctList, inRange, intInRange, parseChoiceList, parseInteger, parseIntList, parseNumber, positiveInt, ValidationError } from "../../src/util/validate.js";

describe("util/validate.ts: one check for numbers and lists, naming the input", () => {
  it("integers from text: whole decimal numbers only, within bounds", () => {
    expect(parseInteger("--n", " 12 ", { min: 1 })).toBe(12);
    expect(parseInteger("--n", "-3")).toBe(-3);
    for (const bad of ["", " ", "1.5", "1e3", "0x10", "abc", "12abc", "99999999999999999999"]) expect(() => parseInteger("--n", bad), bad).toThrow(ValidationError);
    expect(() => parseInteger("--iters", "-1", { min: 0 })).toThrow("--iters must be a non-negative integer, got '-1'");
    expect(() => parseInteger("--k", "9", { min: 1, max: 8 })).toThrow("--k must be an integer in [1, 8], got '9'");
  });

  it("numbers from text: finite, within bounds", () => {
    expect(parseNumber("--lr", "1e-3", { min: 0 })).toBe(0.001);
    for (const bad of ["", "NaN", "Infinity", "1,5", "-0.1"]) expect(() => parseNumber("--lr", bad, { min: 0 }), bad).toThrow(/--lr must be a finite number/);
  });

  it("comma lists: no blank entry, no duplicate (also after parsing: '1,01')", () => {
    expect(parseIntList("--seeds", "0, 1,2", { min: 0 })).toEqual([0, 1, 2]);
    expect(() => parseIntList("--seeds", "0,,1")).toThrow("--seeds has an empty entry (position 2)");
    expect(() => parseIntList("--seeds", "0,")).toThrow(/empty entry/);
    expect(() => parseIntList("--seeds", "1,01")).toThrow("--seeds lists 1 twice");
    expect(() => parseChoiceList("--cases", "plan,fly", ["plan", "update"])).toThrow("--cases: unknown entry 'fly' (known: plan, update)");
    expect(() => distinctList("seeds", [])).toThrow("seeds must not be empty");
  });

  it("values: NaN is never in range, non-integers are not counts", () => {
    expect(() => positiveInt("horizon", 0)).toThrow("horizon must be a positive integer, got 0");
    expect(() => positiveInt("horizon", Number.NaN)).toThrow(/got NaN/);
    expect(() => inRange("momentum", Number.NaN, 0, 1)).toThrow("momentum must be in [0, 1], got NaN");
    expect(() => intInRange("state.step", -5, 0, 1000)).toThrow(/state\.step must be an integer in \[0, 1000\], got -5/);
    expect(inRange("momentum", 1, 0, 1)).toBe(1);
  });
});
