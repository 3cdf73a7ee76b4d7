import { afterEach, describe, expect, it } from "vitest";
import { budget, isQuick, QUICK_ENV } from "../../src/util/quick.js";

describe("quick mode", () => {
  const saved = process.env[QUICK_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[QUICK_ENV];
    else process.env[QUICK_ENV] = saved;
  });
  it("is one environment variable that switches every budget", () => {
    process.env[QUICK_ENV] = "1";
    expect(isQuick()).toBe(true);
    expect(budget(1000, 10)).toBe(10);
    for (const off of ["0", "", "false"]) {
      process.env[QUICK_ENV] = off;
      expect(isQuick()).toBe(false);
      expect(budget(1000, 10)).toBe(1000);
    }
  });
});
