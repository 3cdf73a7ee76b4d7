import { describe, expect, it } from "vitest";
import { policyAgent, runEpisode } from "../../src/envs/agent.js";
import { HAND_CONTROLLERS } from "../../src/envs/controllers.js";
import { makeEnv } from "../../src/envs/registry.js";
import { makeVecEnv } from "../../src/envs/vec.js";
import { runMpcEpisode } from "../../src/planning/mpc.js";
import { cemPlanner } from "../../src/planning/sampling.js";
import { SimulatorModel } from "../../src/planning/simulator-model.js";

describe("runEpisode: the one episode loop", () => {
  it("gives the return of the plain loop it replaces (a hand-written controller, 1000 steps)", async () => {
    const env = await makeEnv("cartpole-swingup");
    const policy = HAND_CONTROLLERS["cartpole-swingup"]!;
    // the loop as scripts and tests wrote it before
    let { obs } = env.reset(4);
    let plain = 0;
    for (;;) {
      const r = env.step(policy(obs));
      plain += r.reward;
      obs = r.obs;
      if (r.terminated || r.truncated) break;
    }
    const ep = await runEpisode(env, policyAgent("swing-up", policy), { seed: 4 });
    expect(ep.totalReturn).toBe(plain);
    expect(ep.steps).toBe(env.maxEpisodeSteps);
    expect(ep.observations).toHaveLength(ep.steps + 1);
    env.close();
  });

  it("MPC through runEpisode equals the receding-horizon loop it replaces (same plans, same return)", async () => {
    const env = await makeEnv("pendulum-swingup");
    const vec = await makeVecEnv("pendulum-swingup", 32, { actionRepeat: env.actionRepeat });
    const model = new SimulatorModel(vec);
    const plannerA = cemPlanner(1, { horizon: 5, numSamples: 32, numElites: 4, iterations: 2, seed: 9 });
    // the chapter-2 loop as it was written before: plan, execute the mean's first action, replan
    plannerA.reset();
    env.reset(2);
    let plain = 0;
    const plainActions: number[] = [];
    let plan;
    for (let t = 0; t < 25; t++) {
      plan = await plannerA.plan(model.setStart(env.getState()), { executed: plan ? 1 : 0 });
      plainActions.push(plan.mean[0]!);
      plain += env.step(plan.mean.slice(0, 1)).reward;
    }
    const plannerB = cemPlanner(1, { horizon: 5, numSamples: 32, numElites: 4, iterations: 2, seed: 9 });
    const ep = await runMpcEpisode(env, plannerB, (_obs, e) => model.setStart(e.getState()), { maxSteps: 25, seed: 2 });
    expect(ep.actions.map((a) => a[0])).toEqual(plainActions.map((a) => Math.fround(a)));
    expect(ep.totalReturn).toBe(plain);
    expect(ep.planMs).toHaveLength(25);
    vec.close();
    env.close();
  });

  it("refuses an agent whose action has the wrong size, naming the agent", async () => {
    const env = await makeEnv("cartpole-swingup");
    await expect(runEpisode(env, policyAgent("bad", () => [0, 0]), { maxSteps: 3 })).rejects.toThrow(/agent bad returned a 2-D action; the env takes 1-D/);
    await expect(runEpisode(env, policyAgent("ok", () => [0]), { maxSteps: 0 })).rejects.toThrow(/maxSteps must be a positive integer/);
    env.close();
  });
});
