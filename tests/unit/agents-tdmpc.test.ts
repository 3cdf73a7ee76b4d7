import { beforeAll, describe, expect, it } from "vitest";
import { makeConfig, parseSchedule, tdmpc2Discount } from "../../src/agents/config.js";
import { TdmpcAgent } from "../../src/agents/tdmpc.js";
import { Tdmpc2Agent } from "../../src/agents/tdmpc2.js";
import type { LearningAgent } from "../../src/agents/types.js";
import { WorldModel } from "../../src/models/world-model.js";
import { initBackend, tf } from "../../src/nn/backend.js";
import { percentile, RunningScale } from "../../src/nn/running-scale.js";
import { Rng } from "../../src/util/random.js";
import { randomSequences } from "../helpers/batches.js";

beforeAll(async () => {
  await initBackend({ quiet: true });
});

const SMALL = { enc_dim: 16, mlp_dim: 16, latent_dim: 16, num_bins: 11, batch_size: 16, num_samples: 32, num_elites: 8, iterations: 2 };

function build(agent: "tdmpc" | "tdmpc2", extra: Record<string, unknown> = {}): LearningAgent {
  const cfg = makeConfig(agent, "official", { ...SMALL, ...(agent === "tdmpc2" ? { num_pi_trajs: 4 } : {}), ...extra });
  return agent === "tdmpc" ? new TdmpcAgent(cfg as never, 4, 2, 1) : new Tdmpc2Agent(cfg as never, 4, 2, 1);
}

describe.each(["tdmpc", "tdmpc2"] as const)("%s agent", (name) => {
  it("an update lowers the loss on a fixed batch, moves the target Qs slowly, and leaks no tensors", async () => {
    const a = build(name);
    const batch = randomSequences(new Rng(2), a.cfg.horizon, 16, 4, 2);
    const q0 = Array.from(a.wm.target.get("q/2/W").dataSync());
    const first = await a.update(batch);
    const n = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 30; i++) last = await a.update(batch);
    expect(tf.memory().numTensors).toBe(n);
    expect(last.total).toBeLessThan(first.total);
    expect(Number.isFinite(last.piLoss)).toBe(true);
    const q1 = Array.from(a.wm.target.get("q/2/W").dataSync());
    const online = Array.from(a.wm.params.get("q/2/W").dataSync());
    const dist = (x: number[], y: number[]) => Math.hypot(...x.map((v, i) => v - y[i]!));
    expect(dist(q1, q0)).toBeGreaterThan(0); // the target moved …
    expect(dist(q1, online)).toBeGreaterThan(0); // … but slowly (τ): it lags the online heads
    if (name === "tdmpc") {
      expect(last.priorities!.length).toBe(16);
      expect(Array.from(last.priorities!).every((p) => p > 0 && Number.isFinite(p))).toBe(true);
    }
    a.dispose();
  });

  it("refuses a batch whose arrays do not have the sizes it claims", async () => {
    const a = build(name);
    const b = randomSequences(new Rng(2), a.cfg.horizon, 8, 4, 2);
    await expect(async () => a.update({ ...b, batchSize: 16 })).rejects.toThrow(/should have \d+ values but has/);
    a.dispose();
  });

  it("the planner's action comes from one of its elites (no exploration noise when evaluating)", async () => {
    const a = build(name, { seed_steps: 0 });
    const obs = Float32Array.of(0.1, 0.2, -0.3, 0.4);
    const agent = a as TdmpcAgent;
    agent.model.setStart(obs);
    const plan = await a.planner.plan(agent.model, { horizon: 2 });
    const H = 2;
    const firsts = Array.from({ length: plan.elites!.length / (H * 2) }, (_, e) => [plan.elites![e * H * 2]!, plan.elites![e * H * 2 + 1]!]);
    expect(firsts.some(([x, y]) => x === plan.action[0] && y === plan.action[1])).toBe(true);
    a.dispose();
  });
});

describe("TD-MPC2 pieces", () => {
  it("presets have TD-MPC2's sizes (obs 24, action 6): 1M ≈ 1.2M and 5M (official) ≈ 5.0M parameters", () => {
    const counts: Record<string, number> = {};
    for (const p of ["1M", "5M", "official", "laptop"]) {
      const wm = new WorldModel(makeConfig("tdmpc2", p), 24, 6, 0);
      counts[p] = wm.numParams();
      wm.dispose();
    }
    expect(counts).toEqual({ "1M": 1214651, "5M": 4960618, official: 4960618, laptop: 1041514 });
  });

  it("the running scale follows S ← S + τ(max(P95 − P5, 1) − S) from S = 1", () => {
    const s = new RunningScale(0.01);
    expect(s.value).toBe(1);
    const xs = Array.from({ length: 101 }, (_, i) => i); // P5 = 5, P95 = 95
    expect(percentile(xs, 5)).toBeCloseTo(5, 10);
    expect(percentile([1, 2, 3, 4], 50)).toBeCloseTo(2.5, 10);
    s.update(xs);
    expect(s.value).toBeCloseTo(1 + 0.01 * (90 - 1), 10);
    s.update([0.1, 0.2]); // range < 1 → floored at 1
    expect(s.value).toBeCloseTo(1.89 + 0.01 * (1 - 1.89), 10);
  });

  it("the discount heuristic gives 0.99 on 500-step episodes and clips short ones at 0.95", () => {
    const c = makeConfig("tdmpc2");
    expect(tdmpc2Discount(c as never, 500)).toBeCloseTo(0.99, 10);
    expect(tdmpc2Discount(c as never, 10)).toBe(0.95);
    expect(tdmpc2Discount(c as never, 1e6)).toBe(0.995);
  });
});

describe("agent configs", () => {
  it("keep the official names and values; presets and overrides; bad keys and values refused by name", () => {
    const t = makeConfig("tdmpc");
    expect([t.num_samples, t.mixture_coef, t.horizon, t.latent_dim, t.lr, t.per_alpha]).toEqual([512, 0.05, 5, 50, 1e-3, 0.6]);
    const t2 = makeConfig("tdmpc2", "1M");
    expect([t2.mlp_dim, t2.latent_dim, t2.num_q, t2.consistency_coef]).toEqual([384, 128, 2, 20]);
    expect(makeConfig("tdmpc", "laptop", { horizon: "3" }).horizon).toBe(3);
    expect(() => makeConfig("tdmpc", "official", { horizn: 3 })).toThrow(/unknown config key "horizn" for tdmpc; valid keys: .*horizon/);
    expect(() => makeConfig("tdmpc", "official", { horizon: "abc" })).toThrow(/config horizon: expected a number/);
    expect(() => makeConfig("tdmpc", "official", { horizon: 0 })).toThrow(/horizon must be a positive integer/);
    expect(() => makeConfig("tdmpc", "official", { rho: 2 })).toThrow(/rho must be in \[0, 1\]/);
    expect(() => makeConfig("tdmpc", "official", { policy_learner: "sac" })).toThrow(/policy_learner must be one of/);
    expect(() => makeConfig("tdmpc", "official", { policy_learner: "none" })).toThrow(/needs terminal_value=false/);
    expect(() => makeConfig("dqn")).toThrow(/unknown agent "dqn"/);
    expect(() => makeConfig("tdmpc", "huge")).toThrow(/unknown preset "huge"/);
    expect(parseSchedule("linear(0.5, 0.05, 25000)")(12500)).toBeCloseTo(0.275, 10);
    expect(parseSchedule("linear(1, 5, 25000)")(1e9)).toBe(5);
    expect(() => parseSchedule("cosine(1, 2)")).toThrow(/expected a number or linear/);
  });
});
