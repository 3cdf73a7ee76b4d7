import { describe, expect, it } from "vitest";
import { AcrobotLookaheadController } from "../../src/controllers/acrobot-lookahead.js";
import { HAND_CONTROLLERS } from "../../src/controllers/feedback.js";
import { HopperLookaheadController } from "../../src/controllers/hopper-lookahead.js";
import { controllerAgent, LOOKAHEAD_CONTROLLERS } from "../../src/controllers/registry.js";
import { runEpisode } from "../../src/envs/agent.js";
import type { Env } from "../../src/envs/env.js";
import { makeEnv } from "../../src/envs/registry.js";
import { budget } from "../../src/util/quick.js";

/** The loop scripts and tests played episodes with before `runEpisode` (reset, then act and step to the end): its return. */
function plainLoopReturn(env: Env, act: (obs: Float32Array, t: number) => Float32Array, seed: number, maxSteps = Infinity): number {
  let { obs } = env.reset(seed);
  let ret = 0;
  for (let t = 0; t < maxSteps; t++) {
    const r = env.step(act(obs, t));
    obs = r.obs;
    ret += r.reward;
    if (r.terminated || r.truncated) break;
  }
  return ret;
}

describe("hand-written controllers as agents", () => {
  it.each(Object.keys(HAND_CONTROLLERS))("runEpisode plays the %s feedback controller as the plain loop did (seed 0, same return)", async (name) => {
    const env = await makeEnv(name, { actionRepeat: 1 });
    const plain = plainLoopReturn(env, HAND_CONTROLLERS[name]!, 0);
    const ep = await runEpisode(env, controllerAgent(name, { kind: "feedback" }), { seed: 0, keep: false });
    expect(ep.totalReturn).toBe(plain);
    expect(ep.steps).toBe(env.maxEpisodeSteps);
    env.close();
  });

  it("controllerAgent picks the lookahead controller where there is one, the feedback law on request, and names the known tasks otherwise", () => {
    expect(controllerAgent("acrobot-swingup")).toBeInstanceOf(AcrobotLookaheadController);
    expect(controllerAgent("hopper-stand")).toBeInstanceOf(HopperLookaheadController);
    expect(controllerAgent("acrobot-swingup", { kind: "feedback" }).name).toBe("acrobot-swingup feedback controller");
    expect(controllerAgent("cartpole-swingup").name).toBe("cartpole-swingup feedback controller");
    expect(() => controllerAgent("walker-walk")).toThrow(/no hand-written controller for task 'walker-walk': known acrobot-swingup, cartpole-balance,.*hopper-stand/);
    expect(() => controllerAgent("pendulum-swingup", { kind: "lookahead" })).toThrow(/no lookahead controller for task 'pendulum-swingup': known acrobot-swingup, hopper-stand$/);
    expect(() => controllerAgent("hopper-stand", { kind: "feedback" })).toThrow(/no feedback controller for task 'hopper-stand'/);
  });
});

// Hand-written controllers (energy-based swing-up, linear balance, PD reach) must earn a high return: that shows
// the dynamics (gear, masses, timestep) and the rewards mean what the suite's do. A random policy gets
// pendulum ≈ 0, cartpole-swingup ≈ 30, balance ≈ 360, swingup_sparse 0, point_mass ≈ 0, reacher-easy ≈ 30 (median),
// reacher-hard ≈ 0 (median), acrobot-swingup 0–5 (seeds 0–9) (see randomReturn).
// acrobot-swingup: the energy-pumping swing-up earns 54.5, 139.2, 102.2, 160.9, 71.3 on seeds 0–4 (median ≈ 80 over
// seeds 0–19, but a few seeds stay near 0: the 2 N·m elbow rarely lands the arm inside the LQR's small catch region).
const MIN_RETURN: Record<string, number> = {
  "pendulum-swingup": 600,
  "cartpole-balance": 950,
  "cartpole-balance_sparse": 950,
  "cartpole-swingup": 650,
  "cartpole-swingup_sparse": 300,
  "point_mass-easy": 750,
  "reacher-easy": 600,
  "reacher-hard": 550,
  "acrobot-swingup": 35,
};

describe.each(Object.keys(MIN_RETURN))("hand-written controller on %s", (name) => {
  it(`earns a high return (≥ ${MIN_RETURN[name]} of 1000)`, async () => {
    const agent = controllerAgent(name, { kind: "feedback" });
    const env = await makeEnv(name, { actionRepeat: 1 });
    for (let seed = 0; seed < budget(3, 2); seed++) {
      const { totalReturn } = await runEpisode(env, agent, { seed, keep: false });
      expect(totalReturn, `episode ${seed}`).toBeGreaterThanOrEqual(MIN_RETURN[name]!);
    }
    env.close();
  });
});

// acrobot-swingup, controller that looks ahead with the TRUE simulator (src/controllers/acrobot-lookahead.ts: every 10 steps
// it plays 56 variants of the pumping law 3 s ahead on a copy of the simulator and follows the best). Returns, one
// full episode each (node on dist/, this machine, 6–31 s an episode): seeds 0–4: 311.6, 734.6, 783.9, 477.5, 497.4;
// seeds 5–19: 228.0, 645.5, 649.6, 531.4, 646.5, 606.1, 445.2, 807.1, 243.2, 584.8, 613.6, 782.3, 546.1, 751.0, 558.0
// (mean 572 over seeds 0–19; the feedback law alone: 54.5, 139.2, 102.2, 160.9, 71.3 on seeds 0–4). Seeds 5 and 13
// catch the arm only after ~7 s.
// The threshold is the task's target: the arm reaches the top and is held there for a good part of every episode.
const ACROBOT_LOOKAHEAD_MIN_RETURN = 300;

describe("acrobot-swingup controller that looks ahead with the true simulator", () => {
  it.each(budget([0, 1, 2], [2]))(`swings up and balances from reset(%i): return ≥ ${ACROBOT_LOOKAHEAD_MIN_RETURN}`, async (seed) => {
    const env = await makeEnv("acrobot-swingup", { actionRepeat: 1 });
    const controller = LOOKAHEAD_CONTROLLERS["acrobot-swingup"]!();
    try {
      const { totalReturn } = await runEpisode(env, controller, { seed, keep: false });
      expect(totalReturn).toBeGreaterThanOrEqual(ACROBOT_LOOKAHEAD_MIN_RETURN);
      expect((controller as AcrobotLookaheadController).lookaheadSteps).toBeGreaterThan(0);
    } finally {
      controller.close();
      env.close();
    }
  });

  it("runEpisode plays it as the plain loop did (seed 2, first 50 steps = 5 choices: same actions, same return)", async () => {
    const env = await makeEnv("acrobot-swingup", { actionRepeat: 1 });
    const controller = new AcrobotLookaheadController();
    try {
      controller.reset();
      const plainActions: number[] = [];
      const plain = plainLoopReturn(env, (obs, step) => {
        const a = controller.act(obs, { env, step, explore: false });
        plainActions.push(a[0]!);
        return a;
      }, 2, 50);
      const ep = await runEpisode(env, controller, { seed: 2, maxSteps: 50 });
      expect(ep.actions.map((a) => a[0])).toEqual(plainActions);
      expect(new Set(plainActions).size, "the pump switches (bang-bang at first)").toBeGreaterThan(1);
      expect(controller.lookaheadSteps).toBeGreaterThan(0);
      expect(ep.totalReturn).toBe(plain);
      expect(plain).toBeGreaterThan(0);
    } finally {
      controller.close();
      env.close();
    }
  });

  it("rejects a wrong task and bad options", async () => {
    expect(() => new AcrobotLookaheadController({ horizon: 0 })).toThrow(/horizon/);
    expect(() => new AcrobotLookaheadController({ variants: [] })).toThrow(/variants/);
    const env = await makeEnv("pendulum-swingup", { actionRepeat: 1 });
    const controller = new AcrobotLookaheadController();
    const { obs } = env.reset(0);
    expect(() => controller.act(obs, { env, step: 0, explore: false })).toThrow(/acrobot-swingup/);
    controller.close();
    env.close();
  });
});

// hopper-stand, controller that looks ahead with the TRUE simulator (src/controllers/hopper-lookahead.ts: MPPI on copies of
// the simulator, true reward + height/upright shaping, to get up; a folded sit is unfolded first; the LQR balance
// takes over once a 1.5 s lookahead says it keeps the hopper standing). Returns, one full episode each (node on dist/,
// `node scripts/hopper-lookahead-returns.mjs 1 4` and `... 5 19`, this shared 2-core machine, seconds per episode):
// seeds 1–4: 996.6 (2.0 s), 869.5 (17.8 s), 945.8 (11.7 s), 929.5 (7.1 s); seeds 5–19: 946.3 (9.1 s),
// 939.0 (12.3 s), 946.8 (9.2 s), 954.9 (7.4 s), 838.9 (25.3 s), 927.1 (6.4 s), 648.2 (192.2 s), 681.0 (54.8 s),
// 713.5 (50.5 s), 290.5 (181.4 s), 905.1 (13.5 s), 992.1 (0.5 s), 596.8 (180.7 s), 992.5 (1.6 s), 958.1 (7.8 s)
// (mean 846 over seeds 1–19). Seeds 11, 14, 17 never reach a pose the LQR lookahead accepts (the LQR takes over only
// in the last 8 steps): the planner alone holds them up part of the time, replanning all episode (~3 min). Seed 0
// starts with the thigh locked inside the torso (envs-locomotion.test.ts); the LQR alone cannot get up.
// The test runs seeds 1–4 (quick: 3, a real get-up in ~12 s). Threshold: below the lowest of them (869.5) with room
// for the get-up's sensitivity to float rounding (it is chaotic), and far above a hopper that does not get up
// within ~6 s.
const HOPPER_LOOKAHEAD_MIN_RETURN = 750;

describe("hopper-stand controller that looks ahead with the true simulator", () => {
  it.each(budget([1, 2, 3, 4], [3]))(`gets up and stands from reset(%i): return ≥ ${HOPPER_LOOKAHEAD_MIN_RETURN}`, async (seed) => {
    const env = await makeEnv("hopper-stand", { actionRepeat: 1 });
    const controller = LOOKAHEAD_CONTROLLERS["hopper-stand"]!() as HopperLookaheadController;
    try {
      const { totalReturn } = await runEpisode(env, controller, { seed, keep: false });
      expect(totalReturn).toBeGreaterThanOrEqual(HOPPER_LOOKAHEAD_MIN_RETURN);
      expect(controller.stats.balanceSteps, "the LQR holds most of the episode").toBeGreaterThan(700);
      if (seed !== 1) expect(controller.stats.plans, "the get-up was planned").toBeGreaterThan(0);
    } finally {
      controller.close();
      env.close();
    }
  }, 300_000);

  it("rejects a wrong task and bad options", async () => {
    expect(() => new HopperLookaheadController({ numSamples: 0 })).toThrow(/numSamples/);
    expect(() => new HopperLookaheadController({ heightWeight: -1 })).toThrow(/heightWeight/);
    const env = await makeEnv("pendulum-swingup", { actionRepeat: 1 });
    const controller = new HopperLookaheadController();
    const { obs } = env.reset(0);
    expect(() => controller.act(obs, { env, step: 0, explore: false })).toThrow(/hopper-stand/);
    controller.close();
    env.close();
  });
});
