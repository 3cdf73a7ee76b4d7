/**
 * Chapters 4–5's run grids and the studies on their trained agents, at a tiny scale: a grid trains each run once,
 * a finished run is reused (and copied into another chapter's CSV without training); the studies read the agents
 * back from their run directories.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeConfig } from "../../src/agents/config.js";
import type { ResultRow } from "../../src/agents/trainer.js";
import { predictionStudy } from "../../src/experiments/ch04-latent.js";
import { evaluatePlanning, learnerStudy, PI_TRAJS, PLANNING_BUDGETS, planningOverrides, planningSettings } from "../../src/experiments/ch05-synergies.js";
import { readResults, readRunConfig, runGrid, runName, type RunSpec, type Variant } from "../../src/experiments/tdmpc-runs.js";
import { initBackend } from "../../src/nn/backend.js";
import { finalReturns } from "../../src/viz/figures/runs.js";

const TINY: Variant = { name: "tiny", title: "tiny TD-MPC", set: { mlp_dim: 8, enc_dim: 8, latent_dim: 4, batch_size: 8, num_samples: 8, num_elites: 2, iterations: 1, seed_steps: 125 } };
const spec: RunSpec = { variant: TINY, task: "cartpole-swingup", seed: 0, steps: 1000, evalFreq: 1000, evalEpisodes: 1 };

let dir: string;
beforeAll(async () => {
  await initBackend({ quiet: true });
  dir = mkdtempSync(join(tmpdir(), "tdmpc-runs-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("runGrid", () => {
  it("trains a run once, reuses it, copies it into a second chapter's CSV without training, refuses a repeated run", async () => {
    const runRoot = join(dir, "runs");
    const log: string[] = [];
    const onRun = (s: RunSpec, status: string) => log.push(`${runName(s)}:${status}`);
    await runGrid([spec], { csv: join(dir, "a.csv"), runRoot, silent: true, onRun });
    const a = readFileSync(join(dir, "a.csv"), "utf8");
    const rows = readResults(join(dir, "a.csv"));
    expect(rows.filter((r) => r.kind === "eval").map((r) => r.env_step)).toEqual([0, 1000]);
    expect(rows.filter((r) => r.kind === "train")).toHaveLength(1);
    expect(rows.every((r) => r.label === "tiny")).toBe(true);
    await runGrid([spec], { csv: join(dir, "a.csv"), runRoot, silent: true, onRun });
    expect(readFileSync(join(dir, "a.csv"), "utf8")).toBe(a);
    await runGrid([spec], { csv: join(dir, "b.csv"), runRoot, silent: true, onRun });
    expect(readFileSync(join(dir, "b.csv"), "utf8")).toBe(a);
    expect(log).toEqual(["tiny-cartpole-swingup-s0:trained", "tiny-cartpole-swingup-s0:done", "tiny-cartpole-swingup-s0:copied"]);
    await expect(runGrid([spec, spec], { csv: join(dir, "c.csv"), runRoot, silent: true })).rejects.toThrow(/appears twice/);
    // a longer budget for a run the CSV holds at a shorter one is refused by name
    await expect(runGrid([{ ...spec, steps: 2000 }], { csv: join(dir, "a.csv"), runRoot, silent: true })).rejects.toThrow(/unfinished or shorter run tiny-cartpole-swingup-s0/);
    // into a fresh CSV, a raised budget continues the run from its checkpoint instead of starting over
    await runGrid([{ ...spec, steps: 2000 }], { csv: join(dir, "d.csv"), runRoot: join(dir, "longer"), silent: true });
    await runGrid([{ ...spec, steps: 2000 }], { csv: join(dir, "e.csv"), runRoot, silent: true });
    const longer = readFileSync(join(dir, "e.csv"), "utf8");
    expect(longer.startsWith(a)).toBe(true); // the first 1000 steps are the same rows
    expect(readResults(join(dir, "e.csv")).filter((r) => r.kind === "eval").map((r) => r.env_step)).toEqual([0, 1000, 2000]);
    const strip = (csv: string) => readResults(csv).map(({ wall_sec: _w, ...r }) => r);
    expect(strip(join(dir, "e.csv"))).toEqual(strip(join(dir, "d.csv"))); // … and equal an uninterrupted 2000-step run
  }, 400_000); // four short trainings: ≈ 20 s on a quiet machine, minutes on a loaded one

  it("studies read the trained agent back: planning settings, learners from one initial policy, prediction errors", async () => {
    const runDir = join(dir, "runs", runName(spec));
    const cfg = readRunConfig(runDir);
    expect(cfg.mlp_dim).toBe(8);
    const plan = await evaluatePlanning(runDir, "tiny", planningSettings("tdmpc", { quick: true }).slice(0, 2), { episodes: 1 });
    // the tiny run trained without policy sequences (⌊0.05 · 8⌋ = 0), so re-planning adds none
    expect(plan.map((r) => [r.planner, r.num_samples, r.pi_trajs])).toEqual([["mppi", 8, 0], ["policy", 0, 0]]);
    expect(plan.every((r) => r.cpu_ms_per_action > 0 && Number.isFinite(r.return))).toBe(true);
    const learners = await learnerStudy(runDir, { updates: 4, evalEvery: 2, episodes: 1 });
    expect(learners.map((r) => `${r.learner}@${r.updates}`)).toEqual(["td@0", "td@2", "td@4", "bc@0", "bc@2", "bc@4", "rwr@0", "rwr@2", "rwr@4", "awr@0", "awr@2", "awr@4"]);
    // every learner starts from the same fresh policy: same return before its first update
    expect(new Set(learners.filter((r) => r.updates === 0).map((r) => r.return)).size).toBe(1);
    expect(new Set(learners.filter((r) => r.updates === 4).map((r) => r.return)).size).toBeGreaterThan(1);
    const pred = await predictionStudy(() => runDir, ["tdmpc"], { task: "cartpole-swingup", seed: 0, maxK: 3, episodes: 1, petsEpochs: 1, petsHidden: [8] });
    expect(pred.map((r) => `${r.model}@${r.k}`)).toEqual(["tdmpc@1", "tdmpc@2", "tdmpc@3", "pets@1", "pets@2", "pets@3"]);
    expect(pred.filter((r) => r.model === "tdmpc").every((r) => Number.isFinite(r.latent_rel) && Number.isNaN(r.state_rmse))).toBe(true);
    expect(pred.filter((r) => r.model === "pets").every((r) => Number.isFinite(r.state_rmse) && Number.isNaN(r.latent_rel))).toBe(true);
  });
});

describe("chapter 5 settings and summaries", () => {
  it("re-planning keeps the trained number of policy sequences at every budget, and none for a planner without them", () => {
    const cfg = makeConfig("tdmpc", "official", { num_samples: 128, mixture_coef: 0.05 });
    for (const [n] of PLANNING_BUDGETS) expect(Math.floor((planningOverrides(cfg, { study: "budget", numSamples: n, iterations: 1, horizon: 5 }).mixture_coef as number) * n)).toBe(PI_TRAJS);
    expect(planningOverrides({ ...cfg, mixture_coef: 0 }, { study: "budget", numSamples: 64, iterations: 1, horizon: 5 }).mixture_coef).toBe(0);
    expect(planningOverrides(cfg, { study: "budget", numSamples: 64, iterations: 1, horizon: 5, planner: "poplin_a" }).mixture_coef).toBe(0);
    expect(planningOverrides(cfg, { study: "budget", numSamples: 64, iterations: 1, horizon: 5, policySequences: false }).mixture_coef).toBe(0);
  });

  it("final returns: the last evaluation of each seed, mean and Student-t 95 % CI", () => {
    const row = (seed: number, step: number, ret: number): ResultRow => ({ task: "t", agent: "tdmpc", label: "v", seed, kind: "eval", env_step: step, agent_step: 0, episode: 0, return: ret, returns: "", updates: 0, wall_sec: 0, loss: Number.NaN });
    const rows = [row(0, 1000, 5), row(0, 2000, 100), row(1, 2000, 200), row(2, 2000, 300), row(3, 1000, 999)];
    const [f] = finalReturns(rows, ["v"], ["t"], { t: 2000 });
    expect(f!.seeds).toBe(3);
    expect(f!.mean).toBeCloseTo(200, 10);
    expect(f!.ci95).toBeCloseTo((4.303 * 100) / Math.sqrt(3), 3); // t(0.975, 2) · s / √n
  });
});
