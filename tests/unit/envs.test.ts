import { describe, expect, it } from "vitest";
import { checkEnv } from "../../src/envs/check.js";
import { createMujocoEnv, type Env, type StepResult } from "../../src/envs/env.js";
import { MjcfError } from "../../src/envs/mujoco.js";
import { Physics } from "../../src/envs/physics.js";
import { listTasks, makeEnv } from "../../src/envs/registry.js";
import { defineTask, getTask, observationSize } from "../../src/envs/task.js";
import { makeVecEnv } from "../../src/envs/vec.js";
import { ActionRepeat } from "../../src/envs/wrappers.js";
import { budget } from "../../src/util/quick.js";
import { Rng } from "../../src/util/random.js";

const TASKS = listTasks();

const CLASSIC = [
  "pendulum-swingup",
  "cartpole-balance",
  "cartpole-swingup",
  "cartpole-balance_sparse",
  "cartpole-swingup_sparse",
  "acrobot-swingup",
  "reacher-easy",
  "reacher-hard",
  "point_mass-easy",
];

/** Run one episode with i.i.d. uniform actions; returns the return and checks each reward on the way. */
function randomEpisode(env: Env, rng: Rng, seed: number): { ret: number; steps: number; badReward?: number } {
  env.reset(seed);
  const m = env.actionSpace.shape[0]!;
  const a = new Float32Array(m);
  let ret = 0;
  let steps = 0;
  for (;;) {
    for (let i = 0; i < m; i++) a[i] = rng.uniform(-1, 1);
    const r = env.step(a);
    if (!(r.reward >= 0 && r.reward <= 1)) return { ret, steps, badReward: r.reward };
    ret += r.reward;
    steps++;
    if (r.truncated || r.terminated) return { ret, steps };
  }
}

describe("task registry", () => {
  it("registers every classic task", () => {
    for (const t of CLASSIC) expect(TASKS).toContain(t);
  });

  it("an unknown task name lists the known ones", async () => {
    await expect(makeEnv("cartpole-swingdown")).rejects.toThrow(/unknown task 'cartpole-swingdown'; known tasks: .*cartpole-swingup/);
  });

  it("uses TD-MPC's per-task action repeat by default (cfgs/tasks: cartpole 8, walker 2, finger 2, others 4)", async () => {
    for (const name of TASKS) {
      const t = getTask(name);
      const expected = t.domain === "cartpole" ? 8 : t.domain === "walker" || t.domain === "finger" ? 2 : 4;
      expect(t.actionRepeat, name).toBe(expected);
    }
    const env = await makeEnv("cartpole-swingup");
    expect(env.actionRepeat).toBe(8);
    expect(env.maxEpisodeSteps).toBe(125);
    env.close();
  });

  it("rejects a bad actionRepeat or seed", async () => {
    await expect(makeEnv("pendulum-swingup", { actionRepeat: 0 })).rejects.toThrow(/actionRepeat must be a positive integer/);
    await expect(makeEnv("pendulum-swingup", { seed: Number.NaN })).rejects.toThrow(/seed must be a finite number/);
  });
});

describe.each(TASKS)("task %s", (name) => {
  it("has the declared observation/action shapes and [-1, 1] action bounds", async () => {
    const env = await makeEnv(name, { seed: 0, actionRepeat: 1 });
    const t = getTask(name);
    expect(env.observationSpace.shape).toEqual([observationSize(t)]);
    expect(env.task.episodeLength).toBe(1000);
    expect(Array.from(env.actionSpace.low).every((v) => v === -1)).toBe(true);
    expect(Array.from(env.actionSpace.high).every((v) => v === 1)).toBe(true);
    const { obs } = env.reset();
    expect(obs).toBeInstanceOf(Float32Array);
    expect(obs.length).toBe(env.observationSpace.shape[0]);
    env.close();
  });

  it("passes the env checker (with and without action repeat)", async () => {
    for (const k of [1, getTask(name).actionRepeat]) {
      const env = await makeEnv(name, { seed: 1, actionRepeat: k });
      const report = checkEnv(env, { fullEpisode: k !== 1 });
      expect(report.problems, `${name} actionRepeat ${k}`).toEqual([]);
      env.close();
    }
  });

  it("gives rewards in [0, 1] and a random-policy return in the suite's random range", async () => {
    const env = await makeEnv(name, { seed: 3, actionRepeat: 1 });
    const rng = new Rng(11);
    const [lo, hi] = env.task.randomReturn;
    for (let ep = 0; ep < budget(2, 1); ep++) {
      const r = randomEpisode(env, rng, 100 + ep);
      expect(r.badReward, "a reward outside [0, 1]").toBeUndefined();
      expect(r.steps).toBe(1000);
      expect(r.ret).toBeGreaterThanOrEqual(lo);
      expect(r.ret).toBeLessThanOrEqual(hi);
    }
    env.close();
  });

  it("is deterministic under a seed: same seed, same actions → the same episode bit for bit", async () => {
    const run = async () => {
      const env = await makeEnv(name, { seed: 42 });
      const rng = new Rng(5);
      const trace: number[] = [];
      let { obs } = env.reset();
      trace.push(...obs);
      for (let t = 0; t < 50; t++) {
        const a = Array.from({ length: env.actionSpace.shape[0]! }, () => rng.uniform(-1, 1));
        const r = env.step(a);
        obs = r.obs;
        trace.push(...obs, r.reward);
      }
      env.close();
      return trace;
    };
    const a = await run();
    const b = await run();
    expect(b).toEqual(a);
    // and reset(seed) on a used env reproduces the initial observation of a fresh one
    const env = await makeEnv(name, { seed: 9 });
    const first = env.reset().obs;
    env.step(new Float32Array(env.actionSpace.shape[0]!).fill(0.5));
    const again = env.reset(9).obs;
    expect(Array.from(again)).toEqual(Array.from(first));
    env.close();
  });
});

describe("environment API", () => {
  it("clips actions to [-1, 1] and rejects wrong lengths and non-finite values with clear errors", async () => {
    const env = await makeEnv("cartpole-swingup", { actionRepeat: 1 });
    env.reset(0);
    expect(() => env.step([0, 0])).toThrow(/action has length 2, expected 1/);
    expect(() => env.step([Number.NaN])).toThrow(/action\[0\] is NaN/);
    expect(() => env.step([Infinity])).toThrow(/finite/);
    const s = env.getState();
    env.step([5]);
    expect(env.physics.ctrl[0]).toBe(1);
    env.setState(s);
    env.step([-7]);
    expect(env.physics.ctrl[0]).toBe(-1);
    env.close();
    expect(() => env.reset()).toThrow(/closed/);
  });

  it("refuses to step before reset and after the time limit", async () => {
    const env = await makeEnv("pendulum-swingup", { actionRepeat: 1 });
    expect(() => env.step([0])).toThrow(/before reset/);
    env.reset(0);
    let last: StepResult | undefined;
    for (let t = 0; t < 1000; t++) last = env.step([0]);
    expect(last!.truncated).toBe(true);
    expect(last!.terminated).toBe(false);
    expect(() => env.step([0])).toThrow(/after the episode ended/);
    env.close();
  });

  it("a broken MJCF gives MuJoCo's message, and a bad task definition names the field", async () => {
    await expect(Physics.fromXml("<mujoco><worldbody><bogus/></worldbody></mujoco>")).rejects.toThrow(MjcfError);
    await expect(Physics.fromXml("<mujoco><worldbody><bogus/></worldbody></mujoco>")).rejects.toThrow(/bogus/);
    const base = getTask("pendulum-swingup");
    const broken = defineTask({ ...base, name: "pendulum-broken", mjcf: { xml: "<mujoco><worldbody><geom size='x'/></worldbody></mujoco>" } });
    await expect(createMujocoEnv(broken)).rejects.toThrow(/invalid MJCF/);
    const missing = defineTask({ ...base, name: "pendulum-missing", mjcf: { file: "data/mjcf/no-such-file.xml" } });
    await expect(createMujocoEnv(missing)).rejects.toThrow(/cannot read the MJCF file .*no-such-file\.xml/);
    expect(() => defineTask({ ...base, name: "Pendulum" })).toThrow(/domain-task/);
    expect(() => defineTask({ ...base, actionRepeat: 0 })).toThrow(/actionRepeat must be a positive integer/);
    // the process is still fine: a good env still works
    const env = await makeEnv("pendulum-swingup");
    expect(env.reset(0).obs.length).toBe(3);
    env.close();
  });

  it("action repeat holds the action k times and sums the k rewards", async () => {
    const k = 4;
    const plain = await makeEnv("cartpole-swingup", { seed: 2, actionRepeat: 1 });
    const wrapped = await makeEnv("cartpole-swingup", { seed: 2, actionRepeat: k });
    expect(wrapped).toBeInstanceOf(ActionRepeat);
    plain.reset();
    wrapped.reset();
    const rng = new Rng(3);
    for (let t = 0; t < 10; t++) {
      const a = [rng.uniform(-1, 1)];
      let sum = 0;
      let obs: Float32Array = new Float32Array();
      for (let i = 0; i < k; i++) {
        const r = plain.step(a);
        sum += r.reward;
        obs = r.obs;
      }
      const w = wrapped.step(a);
      expect(w.reward).toBeCloseTo(sum, 12);
      expect(Array.from(w.obs)).toEqual(Array.from(obs));
    }
    plain.close();
    wrapped.close();
  });

  it("save/restore of (qpos, qvel, act, time) reproduces the continuation exactly", async () => {
    const env = await makeEnv("acrobot-swingup", { seed: 4, actionRepeat: 1 });
    env.reset();
    for (let t = 0; t < 20; t++) env.step([0.3]);
    const s = env.getState();
    const roll = () => {
      const out: number[] = [];
      for (let t = 0; t < 30; t++) {
        const r = env.step([Math.sin(t)]);
        out.push(...r.obs, r.reward);
      }
      return out;
    };
    const a = roll();
    env.setState(s);
    expect(env.physics.time).toBe(s.physics.time);
    const b = roll();
    expect(b).toEqual(a);
    env.close();
  });

  it("the reacher's random target is part of the saved state (a mocap body, per data object)", async () => {
    const env = await makeEnv("reacher-easy", { actionRepeat: 1 });
    env.reset(1);
    const s1 = env.getState();
    const obs1 = env.observe();
    env.reset(2);
    expect(Array.from(env.observe())).not.toEqual(Array.from(obs1));
    env.setState(s1);
    expect(Array.from(env.observe())).toEqual(Array.from(obs1));
    env.close();
  });
});

// Facts from dm_control's files (suite/point_mass.xml, suite/reacher.py) and TD-MPC's cfgs/tasks/finger.yaml.
describe("faithful to the suite", () => {
  it("finger-spin repeats each action twice by default (TD-MPC's finger.yaml): 500 agent steps per episode", async () => {
    const env = await makeEnv("finger-spin");
    expect(env.actionRepeat).toBe(2);
    expect(env.maxEpisodeSteps).toBe(500);
    env.close();
  });

  it("point_mass's slide joints range over ±0.29 m, and the start is drawn over that whole range", async () => {
    const env = await makeEnv("point_mass-easy", { actionRepeat: 1 });
    for (const j of ["root_x", "root_y"]) expect(env.physics.jointRange(j)).toEqual([-0.29, 0.29]);
    let extreme = 0;
    for (let seed = 0; seed < 300; seed++) {
      const { obs } = env.reset(seed);
      for (const v of [obs[0]!, obs[1]!]) {
        expect(Math.abs(v)).toBeLessThanOrEqual(0.29 + 1e-6);
        extreme = Math.max(extreme, Math.abs(v));
      }
    }
    expect(extreme).toBeGreaterThan(0.285); // the whole range, not a narrower box
    env.close();
  });

  it("reacher observes to_target in the plane: 2 numbers, target − finger (x, y)", async () => {
    for (const name of ["reacher-easy", "reacher-hard"]) {
      const env = await makeEnv(name, { actionRepeat: 1 });
      expect(env.task.observationSpec).toEqual([["position", 2], ["to_target", 2], ["velocity", 2]]);
      const { obs } = env.reset(4);
      expect(obs.length).toBe(6);
      const t = env.physics.geomXpos("target");
      const f = env.physics.geomXpos("finger");
      expect(obs[2]).toBeCloseTo(t[0]! - f[0]!, 6);
      expect(obs[3]).toBeCloseTo(t[1]! - f[1]!, 6);
      expect(obs[4]).toBeCloseTo(env.physics.qvel[0]!, 6); // velocities follow directly
      env.close();
    }
  });
});

describe("Physics", () => {
  it("fork() makes a second data object on the same model, in the same state; freeing it leaves the original intact", async () => {
    const env = await makeEnv("cartpole-swingup", { seed: 0, actionRepeat: 1 });
    env.reset();
    env.step([1]);
    const copy = env.physics.fork();
    expect(copy.model).toBe(env.physics.model);
    expect(Array.from(copy.qpos)).toEqual(Array.from(env.physics.qpos));
    copy.setControl([1]);
    copy.step(1);
    copy.delete();
    expect(copy.deleted).toBe(true);
    expect(() => copy.step(1)).toThrow(/deleted/);
    expect(env.step([1]).obs.length).toBe(5); // the model is still alive
    env.close();
  });

  it("named accessors fail with the object's name and kind", async () => {
    const env = await makeEnv("pendulum-swingup");
    expect(() => env.physics.bodyXpos("nope")).toThrow(/the model has no body named 'nope'/);
    expect(() => env.physics.sensor("nope")).toThrow(/no sensor named 'nope'/);
    expect(env.physics.jointRange("hinge")).toEqual([-Infinity, Infinity]);
    env.close();
  });
});

describe("vectorised environment", () => {
  it("N copies on one model step like N single environments", async () => {
    const n = 3;
    const vec = await makeVecEnv("reacher-easy", n, { seed: 0, actionRepeat: 2 });
    const single = await makeEnv("reacher-easy", { seed: 0, actionRepeat: 2 });
    vec.reset();
    single.reset();
    // put every copy in the single env's state, then give them different actions
    vec.setState(single.getState());
    const acts = Float32Array.from([0.5, -0.2, -1, 1, 0.1, 0.9]);
    const vr = vec.step(acts);
    const base = single.getState();
    for (let i = 0; i < n; i++) {
      single.setState(base);
      const r = single.step(acts.subarray(2 * i, 2 * i + 2));
      expect(Array.from(vr.obs.subarray(6 * i, 6 * i + 6))).toEqual(Array.from(r.obs));
      expect(vr.reward[i]).toBe(r.reward);
    }
    // reset gives the copies different targets (their own random streams)
    const { obs } = vec.reset(5);
    expect(Array.from(obs.subarray(2, 4))).not.toEqual(Array.from(obs.subarray(8, 10)));
    vec.close();
    single.close();
    expect(vec.closed).toBe(true);
  });

  it("rollout() scores N action sequences from one state on the true simulator", async () => {
    const n = 4;
    const h = 5;
    const vec = await makeVecEnv("cartpole-balance", n, { actionRepeat: 1 });
    const env = await makeEnv("cartpole-balance", { seed: 1, actionRepeat: 1 });
    env.reset();
    const start = env.getState();
    const rng = new Rng(0);
    const actions = new Float32Array(n * h).map(() => rng.uniform(-1, 1));
    const returns = vec.rollout(start, actions, h, 0.9);
    for (let i = 0; i < n; i++) {
      env.setState(start);
      let g = 0;
      let d = 1;
      for (let t = 0; t < h; t++) {
        g += d * env.step([actions[i * h + t]!]).reward;
        d *= 0.9;
      }
      expect(returns[i]).toBeCloseTo(g, 12);
    }
    expect(() => vec.rollout(start, actions.subarray(1), h)).toThrow(/expected num × horizon × actDim/);
    vec.close();
    env.close();
  });
});

describe("memory", () => {
  it("close() frees the model and data: 1,000 make/reset/close cycles do not grow RSS", async () => {
    const cycle = async () => {
      const env = await makeEnv("cartpole-swingup", { seed: 0 });
      env.reset();
      env.step([0.1]);
      env.close();
    };
    for (let i = 0; i < 100; i++) await cycle(); // warm-up: the wasm heap reaches its working size
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 1000; i++) await cycle();
    const grown = (process.memoryUsage().rss - before) / 2 ** 20;
    // a leak of one model + data per cycle would be > 1 GB here
    expect(grown).toBeLessThan(64);
  });
});
