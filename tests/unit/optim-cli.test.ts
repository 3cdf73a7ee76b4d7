/** `tdmpc bench optim` through the compiled CLI (npm test builds first). */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const cli = join(root, "bin", "tdmpc.js");
const tdmpc = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: "utf8", timeout: 120_000 });

describe("tdmpc bench optim", () => {
  it("--json prints exactly one JSON array with one row per optimizer × function × dimension", () => {
    const r = tdmpc(["bench", "optim", "--json", "--dims", "2", "--seeds", "2", "--functions", "sphere,rot-ellipsoid", "--optimizers", "cem,cmaes"]);
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      for (const k of ["optimizer", "fn", "dim", "seeds", "successes", "medianEvals", "msPer1000Evals"]) expect(row).toHaveProperty(k);
      expect(row.dim).toBe(2);
      expect(row.seeds).toBe(2);
    }
    const get = (o: string, fn: string) => rows.find((x) => x.optimizer === o && x.fn === fn)!;
    expect(get("cmaes", "rot-ellipsoid").successes).toBe(2);
    expect(get("cem", "rot-ellipsoid").successes).toBe(0);
    expect(get("cmaes", "sphere").medianEvals as number).toBeGreaterThan(0);
  });

  it("prints a table without --json, and names unknown optimizers and functions", () => {
    const t = tdmpc(["bench", "optim", "--dims", "2", "--seeds", "1", "--functions", "sphere", "--optimizers", "sep-cmaes"]);
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/sphere\s+2\s+sep-CMA-ES\s+1\/1/);
    expect(t.stdout).toContain("opt ms/1k evals");
    const bad = tdmpc(["bench", "optim", "--optimizers", "pso"]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("--optimizers: unknown entry 'pso'");
    const badFn = tdmpc(["bench", "optim", "--functions", "griewank", "--dims", "2"]);
    expect(badFn.stderr).toContain('unknown test function "griewank"');
  });
});
