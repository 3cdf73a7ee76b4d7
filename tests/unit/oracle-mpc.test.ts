import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeEnv } from "../../src/envs/registry.js";
import { registeredTaskNames } from "../../src/envs/task.js";
import { oracleFigure } from "../../src/viz/figures/ch02.js";
import { ORACLE_SETTINGS, oracleSpec, oracleSummary, readOracleCsv, runOracle } from "../../src/experiments/oracle-mpc.js";
import { Rng } from "../../src/util/random.js";

describe("oracle: MPC on the true simulator", () => {
  it("has settings for every registered task; whole episodes by default; unknown tasks are named", () => {
    expect(Object.keys(ORACLE_SETTINGS).sort()).toEqual([...registeredTaskNames()].sort());
    expect(oracleSpec("cartpole-swingup", 0).steps).toBe(125); // 1000 control steps at action repeat 8
    expect(oracleSpec("pendulum-swingup", 0)).toMatchObject({ actionRepeat: 8, steps: 125, sweep: "oracle" });
    expect(() => oracleSpec("cartpole-swing", 0)).toThrow(/unknown task 'cartpole-swing'.*cartpole-swingup/);
  });

  it("appends one row per finished episode and resumes: a second call skips what the CSV already holds", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "oracle-")), "oracle.csv");
    const first = await runOracle({ tasks: ["point_mass-easy"], seeds: [0, 1], steps: 2, out });
    expect(first.map((r) => r.seed)).toEqual([0, 1]);
    const again = await runOracle({ tasks: ["point_mass-easy"], seeds: [0, 1, 2], steps: 2, out });
    expect(again.map((r) => r.seed)).toEqual([2]);
    const rows = readOracleCsv(out);
    expect(rows.map((r) => r.seed)).toEqual([0, 1, 2]);
    expect(readFileSync(out, "utf8").split("\n")[0]).toMatch(/^sweep,task,planner/);
    const [s] = oracleSummary(rows);
    expect(s).toMatchObject({ task: "point_mass-easy", seeds: 3 });
    expect(s!.min).toBeLessThanOrEqual(s!.mean);
    expect(s!.mean).toBeLessThanOrEqual(s!.max);
  });

  it("the summary never averages episodes of different lengths (a 3-step smoke run next to full episodes)", () => {
    const row = (seed: number, steps: number, episodeReturn: number) => ({ ...oracleSpec("cartpole-swingup", seed, steps), episodeReturn, msPerPlan: 1, msPerAction: 1, lookaheadSec: 1 });
    const s = oracleSummary([row(0, 125, 800), row(1, 125, 900), row(0, 3, 2)]);
    expect(s).toEqual([
      { task: "cartpole-swingup", steps: 125, seeds: 2, mean: 850, min: 800, max: 900 },
      { task: "cartpole-swingup", steps: 3, seeds: 1, mean: 2, min: 2, max: 2 },
    ]);
    const fig = oracleFigure([row(0, 125, 800), row(0, 3, 2)]);
    expect((fig.data[0]!.x as string[]).map((x) => x.split("<br>")[0])).toEqual(["cartpole-swingup (125 steps)", "cartpole-swingup (3 steps)"]);
    expect(fig.data[0]!.y).toEqual([800, 2]);
  });

  // The cheetah's reward is its forward speed / 10 m/s: within 20 agent steps (0.8 s) of planning on the true
  // physics it is already running, where random actions only twitch in place.
  it("cheetah-run: planning on the true physics runs within a second; random actions do not", async () => {
    const [row] = await runOracle({ tasks: ["cheetah-run"], seeds: [0], steps: 20 });
    const env = await makeEnv("cheetah-run", {});
    const rng = new Rng(0);
    env.reset(0);
    let random = 0;
    for (let t = 0; t < 20; t++) random += env.step(Array.from({ length: 6 }, () => rng.uniform(-1, 1))).reward;
    env.close();
    expect(random).toBeLessThan(2);
    expect(row!.episodeReturn).toBeGreaterThan(10 * Math.max(random, 0.5));
  });
});
