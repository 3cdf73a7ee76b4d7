/**
 * TD-MPC from pixels (modality=pixels), on real MuJoCo frames and real tfjs: the config merges the official pixel
 * settings, the replay store keeps uint8 frames once each, the update's loss falls on a fixed batch without NaN,
 * ONNX is refused by name, and a run stopped and resumed writes the same rows as one run straight through.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeConfig, type TdmpcConfig } from "../../src/agents/config.js";
import { engineFor } from "../../src/agents/engine.js";
import { TdmpcAgent } from "../../src/agents/tdmpc.js";
import { configForEnv, observationSize, protocolEnv, train } from "../../src/agents/trainer.js";
import { runEpisode, policyAgent } from "../../src/envs/agent.js";
import { initBackend, tf } from "../../src/nn/backend.js";
import { ReplayStore } from "../../src/replay/store.js";
import { Rng } from "../../src/util/random.js";

const TINY = { mlp_dim: 16, enc_dim: 16, latent_dim: 8, num_channels: 4, img_size: 40, batch_size: 4, num_samples: 16, num_elites: 4, iterations: 1, seed_steps: 125, horizon: 2, horizon_schedule: "2" };
const tiny = (extra: Record<string, unknown> = {}) => makeConfig("tdmpc", "official", { modality: "pixels", ...TINY, ...extra });

let dir: string;
beforeAll(async () => {
  await initBackend({ quiet: true });
  dir = mkdtempSync(join(tmpdir(), "tdmpc-pixels-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A random-action episode of real frame stacks (cartpole-swingup, action repeat 8). */
async function pixelEpisode(cfg: TdmpcConfig, steps: number, seed = 0) {
  const env = await protocolEnv("cartpole-swingup", "tdmpc", seed, cfg);
  const rng = new Rng(seed);
  try {
    const ep = await runEpisode(env, policyAgent("random", () => [rng.uniform(-1, 1)]), { seed, maxSteps: steps });
    return { env: { obsDim: observationSize(env), episodeLength: env.maxEpisodeSteps }, ep };
  } finally {
    env.close();
  }
}

describe("TD-MPC from pixels", () => {
  it("modality=pixels merges cfgs/pixels.yaml over the preset (laptop: 64×64, batch 64) and refuses what it cannot do", () => {
    const off = makeConfig("tdmpc", "official", { modality: "pixels" });
    expect([off.img_size, off.frame_stack, off.num_channels, off.lr, off.batch_size]).toEqual([84, 3, 32, 3e-4, 256]);
    const lap = makeConfig("tdmpc", "laptop", { modality: "pixels" });
    expect([lap.img_size, lap.batch_size, lap.lr, lap.mlp_dim]).toEqual([64, 64, 3e-4, 256]);
    expect(makeConfig("tdmpc", "laptop", { modality: "pixels", batch_size: 32 }).batch_size).toBe(32); // --set wins
    expect(makeConfig("tdmpc", "laptop").modality).toBe("state");
    expect(() => makeConfig("tdmpc2", "laptop", { modality: "pixels" })).toThrow(/tdmpc2 does not learn from pixels yet/);
    expect(() => makeConfig("tdmpc", "official", { modality: "rgb" })).toThrow(/modality must be state or pixels/);
    expect(() => makeConfig("tdmpc", "official", { modality: "pixels", img_size: 32 })).toThrow(/img_size 32 is too small/);
    expect(() => makeConfig("tdmpc", "official", { modality: "pixels", reconstruction_coef: 1 })).toThrow(/no decoder/);
  });

  it("the replay store keeps each frame once, as uint8, and rebuilds the stacks exactly (also after a snapshot)", async () => {
    const cfg = tiny();
    const { env, ep } = await pixelEpisode(cfg, 12);
    expect(ep.observations[0]).toBeInstanceOf(Uint8Array);
    const O = env.obsDim;
    expect(O).toBe(9 * 40 * 40);
    const store = new ReplayStore({ obsDim: O, actionDim: 1, capacity: 40, horizon: 3, seed: 1, frames: { frameStack: 3 } });
    store.addEpisode({ observations: ep.observations, actions: ep.actions, rewards: ep.rewards });
    const snap = store.snapshot();
    expect(snap.arrays.frames).toBeInstanceOf(Uint8Array);
    expect(snap.arrays.frames!.length).toBe(13 * 3 * 40 * 40); // one frame per slot, not a stack
    expect(snap.arrays.obs).toBeUndefined();
    const check = (s: ReplayStore) => {
      const b = s.sampleSequences(8);
      expect(b.obs).toBeInstanceOf(Uint8Array);
      for (let i = 0; i < 8; i++) {
        for (let t = 0; t <= 3; t++) {
          const got = b.obs.subarray((t * 8 + i) * O, (t * 8 + i + 1) * O);
          expect(Buffer.compare(got as Uint8Array, ep.observations[b.index[i]! + t] as unknown as Uint8Array)).toBe(0);
        }
      }
    };
    check(store);
    check(ReplayStore.restore(snap.meta, snap.arrays));
    // observations that are not consecutive stacks are refused by name
    const shuffled = [...ep.observations];
    [shuffled[3], shuffled[4]] = [shuffled[4]!, shuffled[3]!];
    expect(() => store.addEpisode({ observations: shuffled, actions: ep.actions, rewards: ep.rewards })).toThrow(/not a stack of the episode's last 3 frames/);
    expect(() => store.addEpisode({ observations: ep.observations.map((o) => Float32Array.from(o)), actions: ep.actions, rewards: ep.rewards })).toThrow(/uint8 frame stacks/);
  });

  it("trains on tfjs (auto says why, --engine onnx fails by name); the loss falls on a fixed batch, without NaN", async () => {
    const cfg0 = tiny({ batch_size: 8 });
    const { env, ep } = await pixelEpisode(cfg0, 40, 3);
    const cfg = { ...cfg0, episode_length: env.episodeLength } as TdmpcConfig;
    const agent = new TdmpcAgent(cfg, env.obsDim, 1, 0);
    try {
      expect(engineFor(agent, "auto")).toEqual({ kind: "tfjs", why: expect.stringMatching(/no convolutions: the pixel encoder \(modality=pixels\) trains on tfjs/) });
      expect(() => engineFor(agent, "onnx")).toThrow(/--engine onnx cannot train this agent: the ONNX training graphs have no convolutions/);
      expect(agent.wm.params.vars.has("encoder/conv3/W")).toBe(true);
      const store = new ReplayStore({ obsDim: env.obsDim, actionDim: 1, capacity: 100, horizon: 2, seed: 2, priority: { alpha: 0.6, beta: 0.4 }, frames: { frameStack: 3 } });
      store.addEpisode({ observations: ep.observations, actions: ep.actions, rewards: ep.rewards });
      const batch = store.sampleSequences(8);
      const tensors = tf.memory().numTensors;
      const losses: number[] = [];
      for (let i = 0; i < 40; i++) {
        const info = await agent.update(batch);
        for (const v of [info.total, info.consistency, info.reward, info.value, info.piLoss, info.gradNorm]) expect(Number.isFinite(v)).toBe(true);
        losses.push(info.total);
      }
      expect(tf.memory().numTensors).toBe(tensors); // nothing leaks per update
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(mean(losses.slice(-5))).toBeLessThan(0.5 * mean(losses.slice(0, 5)));
      // acting encodes one frame stack
      agent.step = cfg.seed_steps;
      const a = await agent.act(ep.observations[5]!, { env: undefined as never, step: 0, explore: false });
      expect(a).toHaveLength(1);
      expect(Number.isFinite(a[0]!)).toBe(true);
    } finally {
      agent.dispose();
    }
  });

  it("a pixel run stopped after 1 episode and resumed writes the rows of one uninterrupted run", async () => {
    const cfg = tiny();
    const opts = { task: "cartpole-swingup", seed: 2, steps: 2000, evalFreq: 1000, evalEpisodes: 1, checkpointEvery: 1, silent: true };
    const full = join(dir, "full");
    await train(cfg, { ...opts, runDir: full });
    const cut = join(dir, "cut");
    await train(cfg, { ...opts, runDir: cut, stopAfterEpisodes: 1 });
    await train(cfg, { ...opts, runDir: cut, resume: true });
    const rows = (d: string) => readFileSync(join(d, "results.csv"), "utf8").trim().split("\n").map((l) => l.split(",").filter((_, i) => i !== 11).join(","));
    const expected = rows(full);
    expect(expected.filter((l) => l.includes(",train,"))).toHaveLength(2);
    expect(expected.every((l) => !l.includes("NaN"))).toBe(true);
    expect(rows(cut)).toEqual(expected);
    const saved = JSON.parse(readFileSync(join(full, "config.json"), "utf8")) as { cfg: TdmpcConfig };
    expect(saved.cfg.modality).toBe("pixels");
    expect(configForEnv(saved.cfg, { maxEpisodeSteps: 125 } as never).episode_length).toBe(125);
  }, 600_000);

  it("a state run written before the pixel keys existed still resumes (missing keys at their defaults match)", async () => {
    const runDir = join(dir, "old-state");
    const cfg = makeConfig("tdmpc", "official", { ...TINY, modality: "state", img_size: 84, num_channels: 32 });
    const opts = { task: "cartpole-swingup", seed: 1, steps: 1000, evalFreq: 1000, evalEpisodes: 1, silent: true, runDir };
    await train(cfg, opts);
    const f = join(runDir, "config.json");
    const id = JSON.parse(readFileSync(f, "utf8")) as { cfg: Record<string, unknown> };
    for (const k of ["modality", "img_size", "frame_stack", "num_channels"]) delete id.cfg[k];
    writeFileSync(f, JSON.stringify(id, null, 1));
    await expect(train(cfg, { ...opts, resume: true })).resolves.toBeDefined();
    await expect(train({ ...cfg, mlp_dim: 32 }, { ...opts, resume: true })).rejects.toThrow(/describes another run/);
  }, 300_000);
});
