import { describe, expect, it } from "vitest";
import { createMujocoEnv, InvalidStateError, PhysicsDivergenceError, type EnvState } from "../../src/envs/env.js";
import { makeEnv } from "../../src/envs/registry.js";
import { defineTask } from "../../src/envs/task.js";
import { forkVecEnv, makeVecEnv } from "../../src/envs/vec.js";
import { randomShooting } from "../../src/planning/sampling.js";
import { SimulatorModel } from "../../src/planning/simulator-model.js";
import { checkReturns } from "../../src/planning/types.js";

/**
 * A slider that starts at x = 0.5 and is paid 1 − |x|: MuJoCo's reset of a diverged state puts it at x = 0, the
 * best reward there is. Actuator "push" moves it gently; "blast" (gear 1e12, control range [0, 1]) makes the
 * acceleration huge for any positive action, so a candidate diverges exactly when its blast action is > 0.
 */
const slider = defineTask({
  name: "slider-blast",
  domain: "slider",
  mjcf: {
    xml: `<mujoco><size memory="1M"/><option timestep="0.01"/><worldbody><body><joint name="x" type="slide" axis="1 0 0"/>
      <geom type="sphere" size="0.1" mass="1"/></body></worldbody>
      <actuator><motor joint="x" gear="0.1" ctrlrange="-1 1"/><motor joint="x" gear="1e12" ctrlrange="0 1"/></actuator></mujoco>`,
  },
  physicsStepsPerControlStep: 1,
  actionRepeat: 1,
  observationSpec: [["x", 1]],
  randomReturn: [0, 1000],
  initializeEpisode(p) {
    p.qpos[0] = 0.5;
  },
  observation: (p) => Float32Array.of(p.qpos[0]!),
  reward: (p) => 1 - Math.min(1, Math.abs(p.qpos[0]!)),
});

function withQvel(s: EnvState, i: number, v: number): EnvState {
  const c = structuredClone(s);
  c.physics.qvel[i] = v;
  return c;
}

describe("divergence: a NaN or huge state is caught, never paid (issue 12, item 2)", () => {
  it("MujocoEnv raises PhysicsDivergenceError when MuJoCo resets a diverged cartpole (qvel 1e30)", async () => {
    const env = await makeEnv("cartpole-swingup", { seed: 0 });
    env.reset(0);
    env.setState(withQvel(env.getState(), 0, 1e30));
    let err: unknown;
    try {
      env.step([0]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PhysicsDivergenceError);
    expect((err as PhysicsDivergenceError).divergence.kind).toMatch(/^BADQ(POS|VEL|ACC)$/);
    expect(String(err)).toMatch(/cartpole-swingup.*diverged/);
    expect(() => env.step([0])).toThrow(/call reset\(\) first/); // the episode is over
    env.reset(0);
    expect(env.step([0]).reward).toBeLessThan(0.5); // a fresh episode steps normally again
    env.close();
  });

  it('with onDivergence "end", hopper-stand (qvel 1e6) ends the episode: terminated, reward 0, info.diverged', async () => {
    const env = await makeEnv("hopper-stand", { seed: 0, onDivergence: "end" });
    env.reset(0);
    env.setState(withQvel(env.getState(), 2, 1e6));
    const r = env.step(new Array(env.actionSpace.shape[0]).fill(0));
    expect(r.terminated).toBe(true);
    expect(r.reward).toBe(0);
    expect(r.info.diverged?.kind).toMatch(/^BADQ(POS|VEL|ACC)$/);
    env.close();
  });

  it("setState refuses a NaN state, a bad step counter and a state without act, naming the field (items 8, 9)", async () => {
    const env = await makeEnv("cartpole-swingup", {});
    env.reset(0);
    const s = env.getState();
    const nanPos = structuredClone(s);
    nanPos.physics.qpos[0] = Number.NaN;
    expect(() => env.setState(nanPos)).toThrow(InvalidStateError);
    expect(() => env.setState(nanPos)).toThrow(/state\.qpos\[0\] is NaN/);
    for (const step of [Number.NaN, -5, 2.5, 1001]) expect(() => env.setState({ ...s, step })).toThrow(/state\.step must be an integer in \[0, 1000\]/);
    const { act: _, ...noAct } = s.physics;
    expect(() => env.setState({ ...s, physics: noAct as never })).toThrow(/no 'act' array/);
    expect(() => env.setState(null as never)).toThrow(InvalidStateError);
    env.setState({ ...s, step: 1000 }); // the end of an episode is a valid state (getState() after the last step)
    env.close();
  });

  it("VecEnv.rollout gives a diverged candidate −Infinity and leaves the others exact", async () => {
    const env = await createMujocoEnv(slider);
    env.reset(0);
    const vec = forkVecEnv(env, 4);
    const H = 2;
    // candidates: [push, blast] per step; 1 and 3 blast at their second step
    const a = Float32Array.from([0, 0, 0, 0, /**/ 0, 0, 0, 1, /**/ 1, 0, 1, 0, /**/ -1, 1, 0, 0]);
    const r = vec.rollout(env.getState(), a, H);
    expect(r[1]).toBe(-Infinity);
    expect(r[3]).toBe(-Infinity);
    expect(r[0]).toBeCloseTo(1, 6); // 0.5 + 0.5
    expect(r[2]).toBeGreaterThan(0.9);
    expect(r[2]).toBeLessThan(1.1);
    const s = vec.step(new Float32Array(8)); // diverged copies are not stepped again until setState/reset
    expect(Array.from(s.diverged)).toEqual([0, 1, 0, 1]);
    expect(s.reward[1]).toBe(0);
    vec.close();
    env.close();
  });

  it("a planner on the true simulator never picks a diverged candidate (before: the reset state paid the most)", async () => {
    const env = await createMujocoEnv(slider);
    env.reset(0);
    const vec = forkVecEnv(env, 64);
    const model = new SimulatorModel(vec).setStart(env.getState());
    const plan = randomShooting(2, { horizon: 1, numSamples: 64, seed: 1 }).planSync(model);
    expect(plan.bestReturn).toBeLessThan(0.6); // a valid candidate: x stays near 0.5
    expect(plan.bestSequence[1]).toBeLessThanOrEqual(0); // its blast action is off
    vec.close();
    env.close();
  });

  it("checkReturns takes −Infinity as an invalid candidate, refuses NaN, +Infinity and an all-invalid batch", () => {
    expect(checkReturns(Float32Array.of(1, -Infinity), 2)[1]).toBe(-Infinity);
    expect(() => checkReturns(Float32Array.of(1, Number.NaN), 2)).toThrow(/non-finite return \(NaN\) for sequence 1/);
    expect(() => checkReturns(Float32Array.of(Infinity, 1), 2)).toThrow(/non-finite return \(Infinity\) for sequence 0/);
    expect(() => checkReturns(Float32Array.of(-Infinity, -Infinity), 2)).toThrow(/all 2 sequences are invalid/);
  });

  it("VecEnv.setState checks the step counter too", async () => {
    const vec = await makeVecEnv("pendulum-swingup", 2);
    vec.reset(0);
    expect(() => vec.setState({ ...vec.getState(0), step: Number.NaN })).toThrow(/state\.step/);
    vec.close();
  });
});
