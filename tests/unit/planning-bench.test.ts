import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { torchAvailable } from "../../src/tooling/bench/nn.js";
import { planSweep } from "../../src/tooling/bench/plan.js";

const root = join(import.meta.dirname, "..", "..");

describe("tdmpc bench plan", () => {
  it("sweeps samples × horizon × iterations", () => {
    const s = planSweep([64, 512], [3, 5], [2]);
    expect(s.map((c) => [c.num_samples, c.horizon, c.iterations, c.num_elites])).toEqual([
      [64, 3, 2, 8],
      [64, 5, 2, 8],
      [512, 3, 2, 64],
      [512, 5, 2, 64],
    ]);
  });

  it("--json prints one array of {samples, horizon, iterations, tfjsMs, torchMs, ratio} rows", () => {
    const r = spawnSync(process.execPath, [join(root, "bin", "tdmpc.js"), "bench", "plan", "--json", "--samples", "32", "--horizons", "2", "--iterations", "1", "--reps", "1"], {
      cwd: root,
      encoding: "utf8",
      timeout: 180_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(rows.length).toBe(1);
    expect(rows[0]).toMatchObject({ samples: 32, horizon: 2, iterations: 1, backend: "onnxruntime-node 1T" });
    expect(rows[0]!.tfjsMs as number).toBeGreaterThan(0);
    if (torchAvailable().ok) {
      expect(rows[0]!.torchMs as number).toBeGreaterThan(0);
      expect(rows[0]!.ratio as number).toBeCloseTo((rows[0]!.tfjsMs as number) / (rows[0]!.torchMs as number), 6);
    }
  });
});
