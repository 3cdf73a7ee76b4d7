import { afterAll, describe, expect, it } from "vitest";
import { makeEnv } from "../../src/envs/registry.js";
import { makeVecEnv, type VecEnv } from "../../src/envs/vec.js";
import { cemPlanner, mppiPlanner } from "../../src/planning/sampling.js";
import { SimulatorModel } from "../../src/planning/simulator-model.js";
import { runMpcEpisode } from "../../src/planning/mpc.js";
import { Rng } from "../../src/util/random.js";

// MPC with the true simulator as the model (chapter 2) on cartpole-swingup (action repeat 8: 40 agent steps =
// 320 control steps = 3.2 s). Budgets are small so the file stays short; the notebook sweeps them.
const TASK = "cartpole-swingup";
const STEPS = 40;
const N = 48;
let vec: VecEnv;

afterAll(() => vec?.close());

async function randomReturn(seed: number): Promise<number> {
  const env = await makeEnv(TASK, { seed });
  const rng = new Rng(seed);
  env.reset(seed);
  let ret = 0;
  for (let t = 0; t < STEPS; t++) ret += env.step([rng.uniform(-1, 1)]).reward;
  env.close();
  return ret;
}

describe("MPC on the true simulator", () => {
  it("CEM and MPPI swing the cart-pole up: return far above a random policy's in a short episode", async () => {
    vec = await makeVecEnv(TASK, N);
    const model = new SimulatorModel(vec);
    const random = await randomReturn(0);
    for (const make of [cemPlanner, mppiPlanner]) {
      const env = await makeEnv(TASK, { seed: 0 });
      const planner = make(1, { horizon: 10, numSamples: N, numElites: 6, iterations: 3, seed: 1 });
      const ep = await runMpcEpisode(env, planner, () => model.setStart(env.getState()), { maxSteps: STEPS, seed: 0 });
      env.close();
      expect(ep.steps).toBe(STEPS);
      expect(ep.planMs.length).toBe(STEPS); // receding horizon: one plan per action
      expect(ep.totalReturn, `${planner.name} vs random ${random.toFixed(1)}`).toBeGreaterThan(Math.max(100, 5 * random));
      // the pole gets near upright: an agent step's reward (summed over 8 control steps, at most 8) above 6
      expect(Math.max(...ep.rewards)).toBeGreaterThan(6);
    }
    expect(model.physicsSteps).toBeGreaterThan(0);
  });

  it("CEM-MPC swings the sparse pendulum up from 25° off vertical (the weak motor cannot hold it there) with 1.92 s of lookahead, not with 0.96 s", async () => {
    // pendulum-swingup pays only within 8° of upright; action repeat 8 so that H = 12 looks 1.92 s ahead
    // (chapter 2's myopia sweep: from this start H ≤ 6 earns nothing, H = 12 about 415 of 480 in 60 steps).
    const task = "pendulum-swingup";
    const pvec = await makeVecEnv(task, 64, { actionRepeat: 8 });
    const env = await makeEnv(task, { seed: 1, actionRepeat: 8 });
    try {
      const { obs } = env.reset(1);
      expect(obs[0]!).toBeGreaterThan(0.85); // cos θ: 25° from upright …
      expect(obs[0]!).toBeLessThan(0.95); // … outside the 8° that pays
      const model = new SimulatorModel(pvec);
      const planner = cemPlanner(1, { horizon: 12, numSamples: 64, numElites: 8, iterations: 3, seed: 1 });
      const ep = await runMpcEpisode(env, planner, () => model.setStart(env.getState()), { maxSteps: 60, seed: 1 });
      let random = 0;
      const rng = new Rng(1);
      env.reset(1);
      for (let t = 0; t < 60; t++) random += env.step([rng.uniform(-1, 1)]).reward;
      expect(ep.totalReturn).toBeGreaterThan(250); // of at most 60 × 8 = 480
      expect(random).toBeLessThan(ep.totalReturn / 4);
      // myopia: with 0.96 s of lookahead no sampled sequence reaches the paying region, and nothing is earned
      const myopic = cemPlanner(1, { horizon: 6, numSamples: 64, numElites: 8, iterations: 3, seed: 1 });
      const short = await runMpcEpisode(env, myopic, () => model.setStart(env.getState()), { maxSteps: 60, seed: 1 });
      expect(short.totalReturn).toBeLessThan(ep.totalReturn / 4);
    } finally {
      env.close();
      pvec.close();
    }
  });

  it("the simulator model evaluates in chunks of its batch, leaves the real env untouched, and is exact", async () => {
    const env = await makeEnv(TASK, { seed: 3 });
    env.reset(3);
    const start = env.getState();
    const model = new SimulatorModel(vec).setStart(start);
    const H = 4;
    const n = N + 5; // more sequences than copies: two chunks
    const rng = new Rng(5);
    const actions = new Float32Array(n * H).map(() => rng.uniform(-1, 1));
    const returns = model.evaluate(actions, n, H);
    expect(returns.length).toBe(n);
    expect(env.getState().physics.qpos).toEqual(start.physics.qpos); // planning does not move the real env
    // replaying sequence n−1 in the real env gives the same return
    let ret = 0;
    for (let t = 0; t < H; t++) ret += env.step([actions[(n - 1) * H + t]!]).reward;
    expect(returns[n - 1]!).toBeCloseTo(ret, 4);
    expect(() => new SimulatorModel(vec).evaluate(actions, n, H)).toThrow(/setStart/);
    expect(() => model.evaluate(actions, n, H + 1)).toThrow(/length/);
    env.close();
  });

  it("open loop (execute the whole plan) replans H times less often than receding horizon", async () => {
    const env = await makeEnv(TASK, { seed: 0 });
    const model = new SimulatorModel(vec);
    const planner = cemPlanner(1, { horizon: 5, numSamples: N, numElites: 6, iterations: 2, seed: 2 });
    const ep = await runMpcEpisode(env, planner, () => model.setStart(env.getState()), { maxSteps: 10, replanEvery: 5, seed: 0 });
    expect(ep.planMs.length).toBe(2);
    await expect(runMpcEpisode(env, planner, () => model, { replanEvery: 6 })).rejects.toThrow(/replanEvery/);
    env.close();
  });
});
