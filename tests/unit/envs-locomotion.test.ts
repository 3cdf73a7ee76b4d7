/**
 * The locomotion and manipulation tasks (cheetah-run, walker-stand, walker-walk, hopper-stand, finger-spin) mean
 * what the DeepMind Control Suite's mean: same model sizes and timesteps, observations of the suite's size and
 * order read from the right quantities, rewards that take the suite's values in states where they are known
 * exactly, a random policy that earns little, and simple hand controllers that earn clearly more.
 * (Shapes, the env checker, reward range and seeding for every registered task are in envs.test.ts.)
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fingerSpinController } from "../../src/controllers/feedback.js";
import { HOPPER_STAND_EQUILIBRIUM, hopperBalanceController } from "../../src/controllers/hopper-balance.js";
import type { Env } from "../../src/envs/env.js";
import { loadModelFromXml } from "../../src/envs/mujoco.js";
import type { Physics } from "../../src/envs/physics.js";
import { makeEnv } from "../../src/envs/registry.js";
import { getTask, observationSize } from "../../src/envs/task.js";
import { Rng } from "../../src/util/random.js";

const mjcf = (name: string) => readFileSync(new URL(`../../data/mjcf/${name}.xml`, import.meta.url), "utf8");

// Sizes of the suite's models (dm_control/suite/*.xml), counted from their joints, motors and bodies.
const MODEL_SIZES = {
  cheetah: { nq: 9, nv: 9, nu: 6, nbody: 8, timestep: 0.01 },
  walker: { nq: 9, nv: 9, nu: 6, nbody: 8, timestep: 0.0025 },
  hopper: { nq: 7, nv: 7, nu: 4, nbody: 6, timestep: 0.005 },
  finger: { nq: 3, nv: 3, nu: 2, nbody: 4, timestep: 0.01 },
} as const;

// The suite's tasks: observation parts in OrderedDict order, control timestep (s) and time limit (s).
const SUITE = {
  "cheetah-run": { obs: [["position", 8], ["velocity", 9]], control: 0.01, limit: 10 },
  "walker-stand": { obs: [["orientations", 14], ["height", 1], ["velocity", 9]], control: 0.025, limit: 25 },
  "walker-walk": { obs: [["orientations", 14], ["height", 1], ["velocity", 9]], control: 0.025, limit: 25 },
  "hopper-stand": { obs: [["position", 6], ["velocity", 7], ["touch", 2]], control: 0.02, limit: 20 },
  "finger-spin": { obs: [["position", 4], ["velocity", 3], ["touch", 2]], control: 0.02, limit: 20 },
} as const;
const OBS_SIZE = { "cheetah-run": 17, "walker-stand": 24, "walker-walk": 24, "hopper-stand": 15, "finger-spin": 9 };

type Policy = (env: Env, t: number) => ArrayLike<number>;

/** Undiscounted return of one 1000-step episode (no action repeat) from reset(seed). */
function episodeReturn(env: Env, seed: number, policy: Policy): number {
  env.reset(seed);
  let ret = 0;
  for (let t = 0; ; t++) {
    const r = env.step(policy(env, t));
    expect(r.reward).toBeGreaterThanOrEqual(0);
    expect(r.reward).toBeLessThanOrEqual(1);
    ret += r.reward;
    if (r.truncated) return ret;
  }
}

const randomPolicy = (rng: Rng): Policy => (env) => Array.from({ length: env.actionSpace.shape[0]! }, () => rng.uniform(-1, 1));
const zeroPolicy: Policy = (env) => new Float64Array(env.actionSpace.shape[0]!);

/** Put the env's simulator in the model's reference pose (qpos0, at rest), then apply `edit`, then forward. */
function setPose(env: Env, edit: (p: Physics) => void = () => {}): Physics {
  const p = env.physics;
  p.reset();
  edit(p);
  p.forward();
  return p;
}

describe("locomotion MJCF models (dm_control physical parameters)", () => {
  for (const [name, s] of Object.entries(MODEL_SIZES)) {
    it(`${name}: compiles with the suite's sizes and timestep, and steps to finite states`, async () => {
      const sim = await loadModelFromXml(mjcf(name));
      try {
        const { model, data, mj } = sim;
        expect({ nq: model.nq, nv: model.nv, nu: model.nu, nbody: model.nbody }).toEqual({ nq: s.nq, nv: s.nv, nu: s.nu, nbody: s.nbody });
        expect(model.opt.timestep).toBe(s.timestep);
        for (let i = 0; i < 500; i++) mj.mj_step(model, data);
        for (const v of data.qpos) expect(Number.isFinite(v)).toBe(true);
        for (const v of data.qvel) expect(Number.isFinite(v)).toBe(true);
      } finally {
        sim.delete();
      }
    });
  }

  it("cheetah: <compiler settotalmass='14'/> scales the body to 14 kg; walker (density 1000) weighs ≈ 28.5 kg", async () => {
    const total = async (name: string) => {
      const sim = await loadModelFromXml(mjcf(name));
      const m = Array.from(sim.model.body_mass as Float64Array).reduce((a, b) => a + b, 0);
      sim.delete();
      return m;
    };
    expect(await total("cheetah")).toBeCloseTo(14, 6);
    // torso capsule r 0.07, half-length 0.3 + 2 × (thigh r 0.05 hl 0.225, leg r 0.04 hl 0.25, foot r 0.05 hl 0.1)
    const capsule = (r: number, hl: number) => 1000 * (Math.PI * r * r * 2 * hl + (4 / 3) * Math.PI * r ** 3);
    const walker = capsule(0.07, 0.3) + 2 * (capsule(0.05, 0.225) + capsule(0.04, 0.25) + capsule(0.05, 0.1));
    expect(await total("walker")).toBeCloseTo(walker, 6);
  });
});

describe.each(Object.keys(SUITE) as Array<keyof typeof SUITE>)("%s: the suite's task constants", (name) => {
  it("is deterministic under a seed: the same seed and actions give the same episode bit for bit", async () => {
    const trace = async () => {
      const env = await makeEnv(name, { seed: 7, actionRepeat: 1 });
      const rng = new Rng(8);
      const out: number[] = [...env.reset().obs];
      for (let t = 0; t < 100; t++) {
        const r = env.step(randomPolicy(rng)(env, t));
        out.push(...r.obs, r.reward);
      }
      env.close();
      return out;
    };
    expect(await trace()).toEqual(await trace());
  });

  it("observation parts and size, control timestep, 1000-step episodes of the suite's time limit", async () => {
    const t = getTask(name);
    expect(t.observationSpec.map(([n, s]) => [n, s])).toEqual(SUITE[name].obs.map(([n, s]) => [n, s]));
    expect(observationSize(t)).toBe(OBS_SIZE[name]);
    const env = await makeEnv(name, { seed: 0, actionRepeat: 1 });
    try {
      expect(env.reset().obs.length).toBe(OBS_SIZE[name]);
      expect(t.physicsStepsPerControlStep * env.physics.timestep).toBeCloseTo(SUITE[name].control, 12);
      expect(t.episodeLength).toBe(1000);
      for (let i = 0; i < 1000; i++) env.step(new Float64Array(env.actionSpace.shape[0]!));
      expect(env.physics.time).toBeCloseTo(SUITE[name].limit, 6);
    } finally {
      env.close();
    }
  });
});

/**
 * An open-loop gait: every leg joint follows a sinusoid of one common frequency (0.28 rad per 10 ms step, a stride
 * of ≈ 0.22 s) with its own amplitude and phase (found by a short random search over these 13 numbers).
 */
const CHEETAH_GAIT = { omega: 0.28, amplitude: [0.68, 0.03, 1.56, 0.48, 1.23, 1.08], phase: [2.8, 1.94, -2.37, 2.57, -2.13, -3.23] };
const cheetahGait: Policy = (_env, t) => CHEETAH_GAIT.amplitude.map((a, j) => a * Math.sin(CHEETAH_GAIT.omega * t + CHEETAH_GAIT.phase[j]!));

describe("cheetah-run", () => {
  it("starts with the legs settled on the ground at time 0, different per seed, identical for the same seed", async () => {
    const env = await makeEnv("cheetah-run", { actionRepeat: 1 });
    const starts: Float32Array[] = [];
    for (const seed of [1, 2, 1]) {
      const { obs } = env.reset(seed);
      starts.push(obs);
      expect(env.physics.time).toBe(0);
      // after the suite's 200 settling steps the body lies still on the floor (speed ≈ 0, torso below its 0.7 m start)
      expect(Math.abs(env.physics.sensor("torso_subtreelinvel")[0]!)).toBeLessThan(0.05);
      expect(env.physics.bodyXpos("torso")[2]!).toBeLessThan(0.7);
    }
    expect(Array.from(starts[2]!)).toEqual(Array.from(starts[0]!));
    expect(Array.from(starts[1]!)).not.toEqual(Array.from(starts[0]!));
    env.close();
  });

  it("observes qpos[1:] then qvel, and pays clip(speed / 10 m/s, 0, 1) for the centre-of-mass speed", async () => {
    const env = await makeEnv("cheetah-run", { actionRepeat: 1 });
    const p = setPose(env, (q) => {
      q.qpos[0] = 3; // rootx: not observed
      q.qpos[1] = 0.1;
      q.qvel[0] = 5; // the whole body moves at 5 m/s
    });
    const obs = env.observe();
    expect(obs[0]).toBeCloseTo(0.1, 6); // rootz comes first: rootx is dropped
    expect(obs[8]).toBeCloseTo(5, 6); // velocity starts with rootx's
    expect(env.task.reward(p)).toBeCloseTo(0.5, 9);
    setPose(env, (q) => (q.qvel[0] = 12));
    expect(env.task.reward(p)).toBe(1);
    setPose(env, (q) => (q.qvel[0] = -3));
    expect(env.task.reward(p)).toBe(0);
    env.close();
  });

  it("a random policy earns a low return (suite: random ≈ 0–30 of 1000), an open-loop gait far more", async () => {
    const env = await makeEnv("cheetah-run", { actionRepeat: 1 });
    const rng = new Rng(1);
    for (const seed of [0, 1]) {
      const random = episodeReturn(env, seed, randomPolicy(rng));
      expect(random).toBeGreaterThan(0);
      expect(random).toBeLessThan(30);
      // measured 80–215 over seeds 0–7 (184 and 170 here), i.e. an average speed of ≈ 1–2 m/s; random ≈ 3–5
      expect(episodeReturn(env, seed, cheetahGait)).toBeGreaterThan(60);
    }
    env.close();
  });
});

/**
 * Ankle strategy for balance: PD holds hips and knees straight, the ankles push against the body's lean (torso pitch)
 * and its centre-of-mass velocity. (Derivative gains stay small: the action is held for 10 physics steps.)
 */
const walkerBalance: Policy = (env) => {
  const q = env.physics.qpos;
  const v = env.physics.qvel;
  const comVelocity = env.physics.sensor("torso_subtreelinvel")[0]!;
  const u: number[] = [];
  for (const hip of [3, 6]) {
    u.push(-2 * q[hip]! - 0.02 * v[hip]!); // hip
    u.push(-4 * q[hip + 1]! - 0.01 * v[hip + 1]!); // knee
    u.push(-6 * q[2]! - 1 * comVelocity - 0.5 * q[hip + 2]!); // ankle: leaning/moving forward → push back
  }
  return u;
};

describe("walker-stand / walker-walk", () => {
  it("standing pose: torso at 1.3 m, identity orientations; stand reward 1, walk reward 1/6 at rest and 1 at 1 m/s", async () => {
    const env = await makeEnv("walker-walk", { actionRepeat: 1 });
    const stand = getTask("walker-stand");
    const p = setPose(env);
    const obs = env.observe();
    expect(obs[14]).toBeCloseTo(1.3, 6); // height
    for (let b = 0; b < 7; b++) expect([obs[2 * b], obs[2 * b + 1]]).toEqual([1, 0]); // xx, xz of each body
    expect(stand.reward(p)).toBe(1);
    expect(env.task.reward(p)).toBeCloseTo(1 / 6, 12); // move term 0: 2 margins below 1 m/s
    setPose(env, (q) => (q.qvel[1] = 0.5)); // rootx velocity: the centre of mass moves at 0.5 m/s
    expect(env.task.reward(p)).toBeCloseTo((5 * 0.5 + 1) / 6, 9);
    setPose(env, (q) => (q.qvel[1] = 1));
    expect(env.task.reward(p)).toBeCloseTo(1, 12);
    // upside down at the same height: upright term 0 → stand = 3/4
    setPose(env, (q) => (q.qpos[2] = Math.PI));
    expect(stand.reward(p)).toBeCloseTo(0.75, 9);
    env.close();
  });

  it("the randomised start (any torso pitch, random joint angles) falls under zero action: a low-to-mid return", async () => {
    const env = await makeEnv("walker-stand", { actionRepeat: 1 });
    const pitches: number[] = [];
    for (let seed = 0; seed < 20; seed++) {
      env.reset(seed);
      pitches.push(env.physics.qpos[2]!);
      expect(env.physics.qpos[0]).toBe(0); // root slides are not randomised
      expect(env.physics.qpos[1]).toBe(0);
    }
    expect(Math.min(...pitches)).toBeLessThan(-1.5);
    expect(Math.max(...pitches)).toBeGreaterThan(1.5);
    const ret = episodeReturn(env, 0, zeroPolicy);
    expect(ret).toBeGreaterThan(20);
    expect(ret).toBeLessThan(400);
    env.close();
  });

  it("a balance controller started upright earns ≈ 1000, zero action from the same pose falls", async () => {
    const env = await makeEnv("walker-stand", { actionRepeat: 1 });
    const run = (policy: Policy, pitch: number) => {
      env.reset(0);
      setPose(env, (q) => (q.qpos[2] = pitch));
      let ret = 0;
      for (let t = 0; t < 1000; t++) ret += env.step(policy(env, t)).reward;
      return ret;
    };
    for (const pitch of [0.05, -0.05]) {
      expect(run(walkerBalance, pitch)).toBeGreaterThan(950);
      expect(run(zeroPolicy, pitch)).toBeLessThan(400);
    }
    env.close();
  });
});

describe("hopper-stand", () => {
  it("reward = standing (torso 0.6–2 m above the foot) × (4 + mean(1 − ctrl²)) / 5", async () => {
    const env = await makeEnv("hopper-stand", { actionRepeat: 1 });
    const p = setPose(env); // upright reference pose: torso COM ≈ 1 m above the foot's
    const ctrl = (u: number[]) => {
      p.setControl(u);
      return env.task.reward(p);
    };
    expect(ctrl([0, 0, 0, 0])).toBe(1);
    expect(ctrl([1, 1, 1, 1])).toBeCloseTo(0.8, 12);
    expect(ctrl([0.5, 0, 0, 0])).toBeCloseTo((4 + (0.75 + 3) / 4) / 5, 12);
    setPose(env, (q) => (q.qpos[2] = Math.PI)); // upside down: the torso is below the foot
    p.setControl([0, 0, 0, 0]);
    expect(env.task.reward(p)).toBe(0);
    env.close();
  });

  it("observes qpos[1:], qvel, log1p(touch); touch is 0 in the air and positive when the foot rests on the floor", async () => {
    const env = await makeEnv("hopper-stand", { actionRepeat: 1 });
    env.reset(0);
    setPose(env);
    let obs = env.observe();
    expect(Array.from(obs.subarray(13))).toEqual([0, 0]); // 1 m up in the air
    // lower the upright hopper onto the floor: its foot capsule (radius 0.04) is centred 0.1 m up at qpos0
    setPose(env, (q) => (q.qpos[1] = -0.06));
    for (let i = 0; i < 5; i++) env.step([0, 0, 0, 0]);
    obs = env.observe();
    expect(obs[0]).toBeCloseTo(env.physics.qpos[1]!, 6);
    expect(obs[13]! + obs[14]!).toBeGreaterThan(0);
    env.close();
  });

  it("the LQR balance law holds the standing hopper (return ≥ 995) from perturbed standing poses", async () => {
    // measured (1000 steps, actionRepeat 1): 998.9 unperturbed; pitch ±0.05 rad (foot tilted too) 998.8 / 998.4; hip ±0.1
    // 998.5 / 998.0; knee ±0.2 998.4 / 997.7; ankle +0.3 998.8; dropped from 10 cm 998.8. Waist +0.3 falls (34).
    const env = await makeEnv("hopper-stand", { actionRepeat: 1 });
    const x = HOPPER_STAND_EQUILIBRIUM.x;
    for (const [j, d] of [[1, 0.05], [1, -0.05], [3, -0.1], [4, 0.2]] as const) {
      env.reset(0);
      const s = env.getState();
      s.physics.qpos.fill(0);
      s.physics.qpos.set(x.slice(0, 6), 1); // obs[0:6] = qpos[1:]
      s.physics.qvel.fill(0);
      s.physics.qpos[1 + j]! += d;
      env.setState(s);
      let obs = env.observe();
      let ret = 0;
      for (let t = 0; t < 1000; t++) {
        const r = env.step(hopperBalanceController(obs));
        obs = r.obs;
        ret += r.reward;
      }
      expect(ret, `qpos[${1 + j}] + ${d}`).toBeGreaterThanOrEqual(995);
    }
    env.close();
  });

  it("seed 0 starts with the thigh inside the torso capsule, and no constant control frees it", async () => {
    // The suite draws joint angles without a collision check; our seed 0 folds the hip to −164° so that the thigh
    // passes 8.4 cm deep through the torso. All 81 sign patterns of constant control (and, measured once, 300 random
    // bang-bang sequences of 200 steps) leave the leg locked there, so no controller can stand from this start.
    const env = await makeEnv("hopper-stand", { actionRepeat: 1 });
    const p = env.physics;
    const selfPenetration = () => {
      let d = 0;
      for (let i = 0; i < p.data.ncon; i++) {
        const c = p.data.contact.get(i)!;
        if (p.name("geom", c.geom1) !== "floor" && p.name("geom", c.geom2) !== "floor") d = Math.min(d, c.dist);
      }
      return d;
    };
    env.reset(0);
    expect(selfPenetration()).toBeLessThan(-0.08);
    const signs = [-1, 0, 1];
    for (let c = 0; c < 81; c++) {
      const a = [0, 1, 2, 3].map((j) => signs[Math.floor(c / 3 ** j) % 3]!);
      env.reset(0);
      for (let t = 0; t < 100; t++) expect(env.step(a).reward).toBe(0);
      expect(p.jointQpos("hip"), `constant control ${a}`).toBeLessThan(-2.7);
      expect(selfPenetration()).toBeLessThan(-0.03);
    }
    env.close();
  });

  it("a random policy and zero action from the random start earn a low return", async () => {
    const env = await makeEnv("hopper-stand", { actionRepeat: 1 });
    const rng = new Rng(2);
    for (const seed of [0, 1]) expect(episodeReturn(env, seed, randomPolicy(rng))).toBeLessThan(60);
    expect(episodeReturn(env, 0, zeroPolicy)).toBeLessThan(60);
    env.close();
  });
});

// The hand controller (fingerSpinController: one upward strike per half turn, phase-locked to the spinner's angle,
// after a relay start-up) earns 964, 964, 979, 961, 988 on seeds 0–4 (955–992 over seeds 0–19, mean 972.7): the spinner
// passes 15 rad/s after 5–37 steps and then turns at ≈ 19.6 rad/s in an 8-step limit cycle. The threshold leaves room
// for floating-point drift between machines, far above what a random policy (< 20) or an open-loop flick (57–87) gets.
const FINGER_SPIN_MIN_RETURN = 900;
const fingerSpinPolicy: Policy = (env) => fingerSpinController(env.task.observation(env.physics));

describe("finger-spin", () => {
  it("pays 1 only while the spinner turns at ≤ −15 rad/s about its hinge", async () => {
    const env = await makeEnv("finger-spin", { actionRepeat: 1 });
    env.reset(0);
    const reward = (w: number) => {
      const s = env.getState();
      s.physics.qvel[2] = w;
      env.setState(s);
      return env.task.reward(env.physics);
    };
    expect([reward(-20), reward(-15), reward(-14.9), reward(0), reward(20)]).toEqual([1, 1, 0, 0, 0]);
    env.close();
  });

  it("starts collision-free with the spin task's hinge damping; observes joint angles, tip position, velocities, touch", async () => {
    const env = await makeEnv("finger-spin", { actionRepeat: 1 });
    for (const seed of [0, 1, 2]) {
      const { obs } = env.reset(seed);
      const p = env.physics;
      expect(p.data.ncon).toBe(0);
      expect(p.model.dof_damping[2]).toBeCloseTo(0.03, 12);
      expect(obs[0]).toBeCloseTo(p.qpos[0]!, 6);
      expect(obs[1]).toBeCloseTo(p.qpos[1]!, 6);
      expect(Math.hypot(obs[2]!, obs[3]!)).toBeCloseTo(0.13, 5); // the tip site sits 0.13 m from the hinge
      expect(Array.from(obs.subarray(7))).toEqual([0, 0]); // no touch
    }
    env.close();
  });

  it("the hand controller keeps the spinner above 15 rad/s almost all episode; a random policy does not", async () => {
    const env = await makeEnv("finger-spin", { actionRepeat: 1 });
    const rng = new Rng(3);
    for (const seed of [0, 1, 2, 3, 4]) {
      expect(episodeReturn(env, seed, fingerSpinPolicy), `seed ${seed}`).toBeGreaterThanOrEqual(FINGER_SPIN_MIN_RETURN);
    }
    let random = 0;
    for (const seed of [0, 1, 2]) random += episodeReturn(env, seed, randomPolicy(rng));
    expect(random / 3).toBeLessThan(20);
    env.close();
  });
});
