/**
 * POPLIN on the sampling planner's hooks: the search spaces stand for the policy at u = 0, their rollouts score what
 * the plain latent rollout of the same actions scores, and the TD-MPC agent acts with them from its config.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { makeConfig } from "../../src/agents/config.js";
import { TdmpcAgent } from "../../src/agents/tdmpc.js";
import { train } from "../../src/agents/trainer.js";
import { initBackend, tf } from "../../src/nn/backend.js";
import { TDMPC_MODEL, WorldModel } from "../../src/models/world-model.js";
import { LatentPlanningModel } from "../../src/planning/latent-model.js";
import { PolicyPerturbationModel, PoplinPlanner, ResidualPolicyModel } from "../../src/planning/poplin.js";
import { Rng } from "../../src/util/random.js";
import type { ActContext } from "../../src/envs/agent.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

beforeAll(async () => {
  await initBackend({ quiet: true });
});

const OBS = Float32Array.of(0.3, -0.1, 0.7, 0.2, -0.5);

/** A small TOLD with random (non-zero) weights everywhere, so that π, R and Q all depend on their inputs. */
function randomModel(A = 2) {
  const wm = new WorldModel({ ...TDMPC_MODEL, enc_dim: 12, mlp_dim: 12, latent_dim: 6 }, OBS.length, A, 4);
  for (const [name, v] of wm.params.vars) v.assign(tf.randomNormal(v.shape, 0, name.startsWith("q/") ? 1 : 0.5, "float32", name.length));
  const model = new LatentPlanningModel(wm, { discount: 0.9, terminalValue: true, piStd: 0 }).setStart(OBS);
  return { wm, model };
}

/** The policy's own plan: π's mode rolled out in the model, [H, A]. */
function policyPlan(wm: WorldModel, model: LatentPlanningModel, H: number): number[] {
  return Array.from(tf.tidy(() => wm.policySequences(model.startTensor(), 1, H, 0)).dataSync());
}

describe("POPLIN search spaces", () => {
  it("u = 0 stands for the policy: POPLIN-A's residual sequence and POPLIN-P's unperturbed last layer give π's own plan", async () => {
    const { wm, model } = randomModel();
    const H = 4;
    const want = policyPlan(wm, model, H);
    const residual = new ResidualPolicyModel(model);
    expect(Array.from(await residual.actions(new Float32Array(H * 2), 1, H))).toEqual(want.map(Math.fround));
    const perturb = new PolicyPerturbationModel(model, H);
    expect(perturb.actionDim).toBe((12 + 1) * 2); // last layer of π: 12 features + bias, 2 outputs
    const a = await perturb.actions(new Float32Array(perturb.actionDim), 1, 1);
    a.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
    // a perturbation does change the policy's actions
    const moved = await perturb.actions(new Float32Array(perturb.actionDim).fill(0.5), 1, 1);
    expect(Math.max(...moved.map((v, i) => Math.abs(v - want[i]!)))).toBeGreaterThan(1e-3);
    model.dispose();
    wm.dispose();
  });

  it("each point scores what the plain latent rollout of the actions it stands for scores (Σ γ^t R + γ^H·Q)", async () => {
    const { wm, model } = randomModel();
    const rng = new Rng(5);
    const H = 3;
    const n = 6;
    const residual = new ResidualPolicyModel(model);
    const u = rng.fillUniform(new Float32Array(n * H * 2), -1, 1);
    const viaResidual = await residual.evaluate(u, n, H);
    const direct = await model.evaluate(await residual.actions(u, n, H), n, H);
    viaResidual.forEach((g, i) => expect(g).toBeCloseTo(direct[i]!, 4));
    const perturb = new PolicyPerturbationModel(model, H);
    const theta = rng.fillUniform(new Float32Array(n * perturb.actionDim), -1, 1);
    const viaParams = await perturb.evaluate(theta, n, 1);
    const direct2 = await model.evaluate(await perturb.actions(theta, n, 1), n, H);
    viaParams.forEach((g, i) => expect(g).toBeCloseTo(direct2[i]!, 4));
    // residuals are clipped into the action box: a = clip(π + 2u, ±1)
    const acts = await residual.actions(new Float32Array(n * H * 2).fill(1), n, H);
    expect(Math.max(...acts)).toBeLessThanOrEqual(1);
    expect(acts.every((v) => v === 1)).toBe(true); // π ∈ (−1, 1), so π + 2 ≥ 1 everywhere
    model.dispose();
    wm.dispose();
  });

  it("the planner maps its plan back to actions; with zero residuals (scale 0) it executes exactly π's plan", async () => {
    const { wm, model } = randomModel();
    const H = 3;
    const planner = new PoplinPlanner("poplin_a", wm, { horizon: H, numSamples: 32, numElites: 8, iterations: 2, maxStd: 0.5, seed: 1 }, 0);
    const plan = await planner.plan(model, { explore: true });
    const want = policyPlan(wm, model, H).map(Math.fround);
    expect(Array.from(plan.sequence)).toEqual(want);
    expect(Array.from(plan.action)).toEqual(want.slice(0, 2)); // exploration noise is a residual too: scaled by 0
    await expect(planner.plan({ actionDim: 2, evaluate: (_a, n) => new Float32Array(n) })).rejects.toThrow(/LatentPlanningModel/);
    expect(() => new PoplinPlanner("poplin_a", wm, { horizon: 3, numPiTrajs: 4 })).toThrow(/numPiTrajs must be 0/);
    model.dispose();
    wm.dispose();
  });
});

describe("TD-MPC with planner=poplin_a|poplin_p", () => {
  const SMALL = { enc_dim: 16, mlp_dim: 16, latent_dim: 8, num_samples: 32, num_elites: 8, iterations: 2, seed_steps: 0, horizon: 3, horizon_schedule: "3" };

  it.each(["poplin_a", "poplin_p"])("%s with a (near-)zero search std reproduces the policy's action", async (planner) => {
    const cfg = makeConfig("tdmpc", "official", { ...SMALL, planner, poplin_std: 1e-9 });
    const agent = new TdmpcAgent(cfg, OBS.length, 2, 3);
    for (const [name, v] of agent.wm.params.vars) if (name.startsWith("pi/")) v.assign(tf.randomNormal(v.shape, 0, 0.5, "float32", 9));
    expect(agent.planner.name).toBe(planner === "poplin_a" ? "POPLIN-A" : "POPLIN-P");
    const action = await agent.act(OBS, { explore: false, step: 0 } as ActContext); // the agent does not read the env
    const mode = tf.tidy(() => agent.wm.pi.sample(agent.model.startTensor()).mu.dataSync());
    action.forEach((v, j) => expect(v).toBeCloseTo(mode[j]!, 6));
    agent.dispose();
  });

  it("refuses POPLIN without a policy, and an unknown planner, by name", () => {
    expect(() => makeConfig("tdmpc", "official", { planner: "poplin_a", policy_learner: "none", terminal_value: false, mixture_coef: 0 })).toThrow(/needs a policy_learner/);
    expect(() => makeConfig("tdmpc", "official", { planner: "cem" })).toThrow(/planner must be mppi, poplin_a or poplin_p/);
    expect(() => makeConfig("tdmpc", "official", { poplin_std: 0 })).toThrow(/poplin_std/);
  });

  it("the trainer runs a POPLIN-P agent (seed episode, updates, evaluation)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "poplin-"));
    try {
      const cfg = makeConfig("tdmpc", "official", { ...SMALL, batch_size: 8, num_samples: 16, num_elites: 4, iterations: 1, seed_steps: 125, planner: "poplin_p" });
      const rows = await train(cfg, { task: "cartpole-swingup", seed: 1, steps: 2000, evalFreq: 2000, evalEpisodes: 1, runDir: dir, silent: true });
      expect(rows.filter((r) => r.kind === "train")).toHaveLength(2);
      expect(rows.filter((r) => r.kind === "eval").map((r) => r.env_step)).toEqual([0, 2000]);
      expect(rows[rows.length - 1]!.updates).toBe(125); // at the end of the seed steps: seed_steps updates
      expect(rows.every((r) => Number.isFinite(r.return))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
