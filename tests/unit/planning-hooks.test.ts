import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, tf } from "../../src/nn/backend.js";
import { WorldModel, TDMPC_MODEL, TDMPC2_MODEL } from "../../src/models/world-model.js";
import { LatentPlanningModel } from "../../src/planning/latent-model.js";
import { mppiPlanner, cemPlanner } from "../../src/planning/sampling.js";
import type { PlanningModel } from "../../src/planning/types.js";

beforeAll(async () => {
  await initBackend({ quiet: true });
});

/** A model whose return is the first action component of step 0, with a policy that always proposes +0.9. */
function recordingModel(actionDim = 1) {
  const seen: Float32Array[] = [];
  const model: PlanningModel = {
    actionDim,
    evaluate(actions, n) {
      seen.push(actions.slice());
      const D = actions.length / n;
      return Float32Array.from({ length: n }, (_, i) => actions[i * D]!);
    },
    policySequences(n, horizon) {
      return new Float32Array(n * horizon * actionDim).fill(0.9);
    },
  };
  return { model, seen };
}

describe("planner hooks", () => {
  it("proposals: every iteration's population holds the policy's sequences after the Gaussian samples", async () => {
    const { model, seen } = recordingModel();
    const planner = mppiPlanner(1, { horizon: 3, numSamples: 16, numPiTrajs: 4, numElites: 4, iterations: 2, seed: 1 });
    await planner.plan(model);
    expect(seen).toHaveLength(2);
    expect(seen[0]!.length).toBe((16 + 4) * 3);
    expect(Array.from(seen[0]!.subarray(16 * 3))).toEqual(new Array(12).fill(Math.fround(0.9)));
    // a planner with proposals refuses a model without a policy
    await expect(planner.plan({ actionDim: 1, evaluate: (a, n) => new Float32Array(n) })).rejects.toThrow(/policySequences/);
  });

  it("selection: 'elite' executes one of the final elites; 'mean' the refined mean; explore adds noise to the first action only", async () => {
    const { model } = recordingModel();
    const elite = cemPlanner(1, { horizon: 2, numSamples: 32, numElites: 4, iterations: 1, selection: "elite", seed: 3 });
    const p = await elite.plan(model);
    const elites = Array.from({ length: 4 }, (_, e) => Array.from(p.elites!.subarray(e * 2, e * 2 + 2)));
    expect(elites.some((s) => s[0] === p.sequence[0] && s[1] === p.sequence[1])).toBe(true);
    expect(p.eliteWeights!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    const mean = cemPlanner(1, { horizon: 2, numSamples: 32, numElites: 4, iterations: 1, seed: 3 });
    const q = await mean.plan(model);
    expect(Array.from(q.sequence)).toEqual(Array.from(q.mean));
    const noisy = cemPlanner(1, { horizon: 2, numSamples: 32, numElites: 4, iterations: 1, seed: 3 });
    const r = await noisy.plan(model, { explore: true });
    expect(r.action[0]).not.toBe(r.sequence[0]);
    expect(Array.from(r.sequence)).toEqual(Array.from(q.sequence)); // same seed: same plan, noise on the action only
  });

  it("a public warm start is used as given (not shifted) and a horizon override pads the warm start", async () => {
    const { model, seen } = recordingModel();
    const planner = cemPlanner(1, { horizon: 3, numSamples: 4000, numElites: 4000, iterations: 1, maxStd: 0.05, minStd: 0.05, seed: 0 });
    planner.setWarmStart(Float32Array.of(0.5, -0.5, 0.25));
    await planner.plan(model);
    const a = seen[0]!;
    const mean = [0, 1, 2].map((t) => Array.from({ length: 4000 }, (_, i) => a[i * 3 + t]!).reduce((s, x) => s + x, 0) / 4000);
    expect(mean[0]).toBeCloseTo(0.5, 1);
    expect(mean[1]).toBeCloseTo(-0.5, 1);
    expect(mean[2]).toBeCloseTo(0.25, 1);
    await planner.plan(model, { horizon: 5 });
    expect(seen[1]!.length).toBe(4000 * 5);
  });
});

describe("LatentPlanningModel: the terminal value changes the ranking as computed by hand", () => {
  it("G = Σ γ^t R + γ^H Q(z_H, π(z_H)); with the terminal value the best sequence changes", async () => {
    const wm = new WorldModel({ ...TDMPC_MODEL, enc_dim: 8, mlp_dim: 8, latent_dim: 4 }, 3, 1, 0);
    const model = new LatentPlanningModel(wm, { discount: 0.9, terminalValue: true, piStd: 0 });
    const noTerm = new LatentPlanningModel(wm, { discount: 0.9, terminalValue: false });
    const obs = Float32Array.of(0.1, -0.2, 0.3);
    // random weights so reward and Q are not trivial
    // random weights so reward and Q are not trivial (the Q heads larger, so the value beyond the horizon matters)
    for (const [name, v] of wm.params.vars) v.assign(tf.randomNormal(v.shape, 0, name.startsWith("q/") ? 2 : 0.5, "float32", 11));
    model.setStart(obs);
    noTerm.setStart(obs);
    const N = 8;
    const actions = Float32Array.from({ length: N * 2 }, (_, i) => Math.sin(1.7 * i)); // 8 sequences of H = 2
    const G = await model.evaluate(actions, N, 2);
    const R = await noTerm.evaluate(actions, N, 2);
    // by hand
    const byHand = tf.tidy(() => {
      const out: number[] = [];
      for (let i = 0; i < N; i++) {
        let z = wm.latent.encode(tf.tensor2d(obs, [1, 3]));
        let g = 0;
        for (let t = 0; t < 2; t++) {
          const a = tf.tensor2d([actions[i * 2 + t]!], [1, 1]);
          g += 0.9 ** t * wm.latent.rewardValue(z, a).dataSync()[0]!;
          z = wm.latent.next(z, a);
        }
        const aH = wm.pi.sample(z).mu;
        const q = wm.q.values(z, aH).dataSync();
        out.push(g + 0.81 * Math.min(q[0]!, q[1]!));
      }
      return out;
    });
    for (let i = 0; i < N; i++) expect(G[i]).toBeCloseTo(byHand[i]!, 4);
    const rank = (x: ArrayLike<number>) => Array.from({ length: N }, (_, i) => i).sort((a, b) => x[b]! - x[a]!);
    expect(rank(G)).toEqual(rank(byHand));
    expect(rank(G)[0]).not.toBe(rank(R)[0]); // the value beyond the horizon picks another sequence
    model.dispose();
    noTerm.dispose();
    wm.dispose();
  });

  it("policySequences: the policy rolled out in the model, in [-1, 1]; TD-MPC2's policy samples", async () => {
    const wm = new WorldModel({ ...TDMPC2_MODEL, enc_dim: 16, mlp_dim: 16, latent_dim: 16, num_bins: 11 }, 5, 2, 1);
    const m = new LatentPlanningModel(wm, { discount: 0.99, terminalValue: true });
    m.setStart(new Float32Array(5).fill(0.3));
    const s = await m.policySequences(7, 3);
    expect(s.length).toBe(7 * 3 * 2);
    expect(s.every((x) => x >= -1 && x <= 1)).toBe(true);
    expect(new Set(Array.from(s)).size).toBeGreaterThan(20); // samples differ
    m.dispose();
    wm.dispose();
  });
});
