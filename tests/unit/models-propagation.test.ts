import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../../src/nn/backend.js";
import { DynamicsEnsemble, type TransitionData } from "../../src/models/ensemble.js";
import { EnsemblePlanningModel } from "../../src/models/propagation.js";
import { cemPlanner } from "../../src/planning/sampling.js";
import { Rng } from "../../src/util/random.js";

let model: DynamicsEnsemble;

/** 1-D point: s' = s + 0.2·a (+ small noise), r = −s². Best plan from s = 1: push negative. */
function data(n: number, seed: number): TransitionData {
  const rng = new Rng(seed);
  const obs = new Float32Array(n), act = new Float32Array(n), nextObs = new Float32Array(n), reward = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const s = rng.uniform(-2, 2), a = rng.uniform(-1, 1);
    obs[i] = s;
    act[i] = a;
    nextObs[i] = s + 0.2 * a + 0.01 * rng.normal();
    reward[i] = -s * s;
  }
  return { n, obs, act, nextObs, reward };
}

beforeAll(async () => {
  await initBackend({ quiet: true });
  model = new DynamicsEnsemble(1, 1, { hidden: [48, 48], ensembleSize: 5, seed: 7 });
  model.fit(data(800, 8), 20);
});

describe("trajectory sampling through the ensemble", () => {
  it("TS-∞ keeps each particle on one member for the whole horizon; TS-1 re-draws, balanced over members", () => {
    const n = 4, H = 6, P = 10;
    const actions = new Float32Array(n * H);
    const tsinf = new EnsemblePlanningModel(model, { particles: P, propagation: "TSinf", seed: 1 }).setStart(Float32Array.from([0.5]));
    tsinf.evaluate(actions, n, H);
    expect(tsinf.lastAssignments.length).toBe(H);
    for (const step of tsinf.lastAssignments) expect(Array.from(step)).toEqual(Array.from(tsinf.lastAssignments[0]!));
    const ts1 = new EnsemblePlanningModel(model, { particles: P, propagation: "TS1", seed: 1 }).setStart(Float32Array.from([0.5]));
    ts1.evaluate(actions, n, H);
    const changed = ts1.lastAssignments.slice(1).some((s) => s.some((m, r) => m !== ts1.lastAssignments[0]![r]));
    expect(changed).toBe(true);
    for (const step of [...ts1.lastAssignments, ...tsinf.lastAssignments]) {
      const counts = new Array(5).fill(0);
      for (const m of step) counts[m]++;
      expect(counts).toEqual(new Array(5).fill((n * P) / 5)); // every member gets the same number of rows
    }
  });

  it("ranks action sequences by predicted return, so a planner drives the state to the reward", async () => {
    const pm = new EnsemblePlanningModel(model, { particles: 5, seed: 2 }).setStart(Float32Array.from([1]));
    const H = 5;
    const toward = new Float32Array(H).fill(-1);
    const away = new Float32Array(H).fill(1);
    const both = new Float32Array(2 * H);
    both.set(toward, 0);
    both.set(away, H);
    const [rToward, rAway] = pm.evaluate(both, 2, H);
    expect(rToward!).toBeGreaterThan(rAway!);
    const plan = await cemPlanner(1, { horizon: H, numSamples: 64, numElites: 8, iterations: 4, seed: 3 }).plan(pm);
    expect(plan.mean[0]!).toBeLessThan(-0.5);
  });

  it("rejects bad configurations and inputs", () => {
    expect(() => new EnsemblePlanningModel(model, { particles: 7 })).toThrow(/multiple of the ensemble size 5/);
    const pm = new EnsemblePlanningModel(model, { particles: 5 });
    expect(() => pm.evaluate(new Float32Array(5), 1, 5)).toThrow(/setStart/);
    expect(() => pm.setStart(new Float32Array(3))).toThrow(/expects 1/);
    pm.setStart(Float32Array.from([0]));
    expect(() => pm.evaluate(new Float32Array(4), 1, 5)).toThrow(/length 4/);
  });
});
