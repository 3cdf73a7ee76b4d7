import { beforeAll, describe, expect, it } from "vitest";
import { makeConfig } from "../../src/agents/config.js";
import { TdmpcAgent } from "../../src/agents/tdmpc.js";
import { Tdmpc2Agent } from "../../src/agents/tdmpc2.js";
import { initBackend, tf } from "../../src/nn/backend.js";
import { Adam, trainStep } from "../../src/nn/optim.js";
import { consistencyLoss } from "../../src/models/latent.js";
import { TDMPC2_MODEL, TDMPC_MODEL, WorldModel } from "../../src/models/world-model.js";
import { Rng } from "../../src/util/random.js";
import { randomSequences } from "../helpers/batches.js";

beforeAll(async () => {
  await initBackend({ quiet: true });
});

const snapshot = (wm: WorldModel, prefix: string) => wm.params.names(prefix).map((n) => Array.from(wm.params.get(n).dataSync()));
const moved = (a: number[][], b: number[][]) => a.some((x, i) => x.some((v, j) => v !== b[i]![j]));

describe("latent model", () => {
  it("TOLD (TD-MPC) and TD-MPC2 are two configurations of the same modules, with the papers' parameter counts", () => {
    const told = new WorldModel(TDMPC_MODEL, 24, 6, 0);
    const v2 = new WorldModel(TDMPC2_MODEL, 24, 6, 0);
    // TOLD: enc 24→256→50, d/R/π: 56→512→512→{50,1,6} and 50→512→512→6, two Q heads 56→512(LN)→512→1
    expect(told.numParams("encoder/")).toBe(24 * 256 + 256 + 256 * 50 + 50);
    expect(told.numParams("q/")).toBe(2 * (56 * 512 + 512 + 2 * 512 + 512 * 512 + 512 + 512 + 1));
    expect(told.q.spec.norm).toBe("first");
    expect(v2.numParams()).toBe(4960618); // TD-MPC2 5M (obs 24, action 6), as the official model counts it
    // SimNorm latents sum to 1 per group of 8 (TD-MPC2); TOLD's latents are unconstrained
    const z = tf.tidy(() => v2.latent.encode(tf.randomNormal([3, 24], 0, 1, "float32", 1)).arraySync() as number[][]);
    for (const row of z) for (let g = 0; g < 512; g += 8) expect(row.slice(g, g + 8).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    told.dispose();
    v2.dispose();
  });

  it("the consistency loss is zero when the dynamics predict the encoder's next latent, and trains d towards it", () => {
    const wm = new WorldModel({ ...TDMPC_MODEL, enc_dim: 16, mlp_dim: 32, latent_dim: 4 }, 3, 1, 2);
    const rng = new Rng(0);
    // a linear system o' = 0.9·o + 0.1·a
    const o = rng.fillNormal(new Float32Array(64 * 3));
    const a = rng.fillUniform(new Float32Array(64), -1, 1);
    const o2 = o.map((v, i) => 0.9 * v + 0.1 * a[Math.floor(i / 3)]!);
    const [O, A, O2] = [tf.tensor2d(o, [64, 3]), tf.tensor2d(a, [64, 1]), tf.tensor2d(o2, [64, 3])];
    const target = tf.tidy(() => wm.latent.encode(O2));
    const same = tf.tidy(() => tf.sum(consistencyLoss(target, target)).dataSync()[0]!);
    expect(same).toBe(0);
    const opt = new Adam(wm.params, { lr: 3e-3 }, ["dynamics/"]);
    const loss = () => tf.tidy(() => tf.mean(consistencyLoss(wm.latent.next(wm.latent.encode(O), A), target)).dataSync()[0]!);
    const before = loss();
    expect(before).toBeGreaterThan(0);
    for (let i = 0; i < 300; i++) trainStep(opt, () => ({ loss: tf.mean(consistencyLoss(wm.latent.next(wm.latent.encode(O), A), target)) as tf.Scalar }));
    expect(loss()).toBeLessThan(before / 20);
    tf.dispose([O, A, O2, target]);
    opt.dispose();
    wm.dispose();
  });

  for (const agent of ["tdmpc", "tdmpc2"] as const) {
    it(`${agent}: in independent mode the encoder does not move under the reward and value losses; in joint mode it does`, () => {
      const small = { enc_dim: 16, mlp_dim: 16, latent_dim: 16, num_bins: 11, batch_size: 8 };
      const result: Record<string, boolean> = {};
      for (const mode of ["joint", "independent"] as const) {
        const cfg = makeConfig(agent, "official", { ...small, latent_mode: mode, consistency_coef: 0 });
        const a = agent === "tdmpc" ? new TdmpcAgent(cfg as never, 5, 2, 4) : new Tdmpc2Agent(cfg as never, 5, 2, 4);
        const enc0 = snapshot(a.wm, "encoder/");
        const dyn0 = snapshot(a.wm, "dynamics/");
        const q0 = snapshot(a.wm, "q/");
        for (let i = 0; i < 3; i++) a.update(randomSequences(new Rng(i), cfg.horizon, 8, 5, 2));
        result[mode] = moved(enc0, snapshot(a.wm, "encoder/"));
        if (mode === "independent") expect(moved(dyn0, snapshot(a.wm, "dynamics/"))).toBe(false);
        expect(moved(q0, snapshot(a.wm, "q/"))).toBe(true); // the heads learn in both modes
        a.dispose();
      }
      expect(result).toEqual({ joint: true, independent: false });
    });
  }
});

describe("TD-MPC2 without SimNorm (simnorm_dim 0, the ablation's switch)", () => {
  it("SimNorm makes each group of 8 a probability vector; simnorm_dim 0 leaves the latent unconstrained and trains on onnxruntime like the rest (parity: nn-onnx-train)", async () => {
    const { onnxUnsupported } = await import("../../src/agents/engine.js");
    const small = { mlp_dim: 32, enc_dim: 32, latent_dim: 16, batch_size: 8, num_samples: 16, num_elites: 4, num_pi_trajs: 4 };
    const groupSums = (simnorm_dim: number) => {
      const wm = new WorldModel({ ...TDMPC2_MODEL, mlp_dim: 32, enc_dim: 32, latent_dim: 16, simnorm_dim }, 5, 1, 0);
      const z = tf.tidy(() => wm.latent.encode(tf.tensor2d(new Rng(1).fillNormal(new Float32Array(5 * 3), 0, 3), [3, 5])).dataSync() as Float32Array);
      wm.dispose();
      return Array.from({ length: 6 }, (_, g) => z.subarray(8 * g, 8 * g + 8).reduce((a, b) => a + b, 0));
    };
    for (const s of groupSums(8)) expect(s).toBeCloseTo(1, 5);
    expect(groupSums(0).some((s) => Math.abs(s - 1) > 0.05)).toBe(true);
    expect(() => new WorldModel({ ...TDMPC2_MODEL, simnorm_dim: -1 }, 5, 1, 0)).toThrow(/simnorm_dim must be a non-negative integer/);
    const agent = new Tdmpc2Agent(makeConfig("tdmpc2", "laptop", { ...small, simnorm_dim: 0 }), 5, 1, 0);
    expect(onnxUnsupported(agent)).toBeUndefined();
    agent.dispose();
  });
});
