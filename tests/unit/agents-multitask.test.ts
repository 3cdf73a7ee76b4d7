/** Multi-task TD-MPC2 (§3.5): one model, a learned task embedding, padded observations and masked actions. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeConfig } from "../../src/agents/config.js";
import { Tdmpc2Agent } from "../../src/agents/tdmpc2.js";
import { train } from "../../src/agents/trainer.js";
import { makeEnv } from "../../src/envs/registry.js";
import { initBackend, tf } from "../../src/nn/backend.js";
import { Rng } from "../../src/util/random.js";
import { randomSequences } from "../helpers/batches.js";

beforeAll(async () => {
  await initBackend({ quiet: true });
});

const SMALL = { enc_dim: 16, mlp_dim: 16, latent_dim: 16, num_bins: 11, batch_size: 8, num_samples: 16, num_pi_trajs: 2, num_elites: 4, iterations: 1, horizon: 2 };

describe("multi-task TD-MPC2", () => {
  it("acts in each task with its own action size, learns from mixed batches, and keeps embeddings within the unit ball", async () => {
    const cfg = makeConfig("tdmpc2", "official", { ...SMALL, num_tasks: 2, task_dim: 4, seed_steps: 0 });
    const agent = new Tdmpc2Agent(cfg, 7, 2, 0, { obsDims: [5, 7], actionDims: [1, 2] });
    const env0 = await makeEnv("cartpole-swingup", { actionRepeat: 2 });
    const env1 = await makeEnv("reacher-easy", { actionRepeat: 2 });
    agent.setTask(0);
    const a0 = await agent.act(env0.reset(0).obs, { env: env0, step: 0, explore: false });
    agent.setTask(1);
    const a1 = await agent.act(env1.reset(0).obs, { env: env1, step: 0, explore: true });
    expect([a0.length, a1.length]).toEqual([1, 2]);
    // a policy sample for task 0 is zero in the action dimension task 0 does not have
    agent.setTask(0);
    const seqs = await agent.model.policySequences(5, 2);
    expect(seqs.length).toBe(5 * 2 * 1);
    const norms = tf.tidy(() => Array.from(tf.norm(agent.wm.taskEmbedding([0, 1])!, "euclidean", 1).dataSync()));
    for (const n of norms) expect(n).toBeLessThanOrEqual(1 + 1e-6);
    const batch = { ...randomSequences(new Rng(1), 2, 8, 7, 2), task: Int32Array.of(0, 1, 0, 1, 1, 0, 0, 1) };
    for (let b = 0; b < 8; b++) if (batch.task[b] === 0) for (let t = 0; t < 2; t++) batch.action[(t * 8 + b) * 2 + 1] = 0; // task 0's padding
    const emb0 = Array.from(agent.wm.params.get("task_emb/E").dataSync());
    const first = await agent.update(batch);
    let last = first;
    for (let i = 0; i < 20; i++) last = await agent.update(batch);
    expect(last.total).toBeLessThan(first.total);
    expect(Array.from(agent.wm.params.get("task_emb/E").dataSync())).not.toEqual(emb0); // the embedding learns
    agent.dispose();
    env0.close();
    env1.close();
  });

  it("plans with the task embedding as it is at each start, not as it was when the task was set", async () => {
    const cfg = makeConfig("tdmpc2", "official", { ...SMALL, num_tasks: 2, task_dim: 4 });
    const agent = new Tdmpc2Agent(cfg, 7, 2, 0, { obsDims: [5, 7], actionDims: [1, 2] });
    agent.setTask(0);
    const E = agent.wm.params.get("task_emb/E");
    E.assign(tf.mul(E, -1)); // an update between setTask and the next plan
    const obs = Float32Array.of(0.1, -0.2, 0.3, 0.4, -0.5);
    const z0 = agent.model.setStart(obs).start;
    const want = tf.tidy(() => agent.wm.latent.encode(tf.tensor2d([...obs, 0, 0], [1, 7]), undefined, agent.wm.taskEmbedding([0])).dataSync());
    expect(Array.from(z0)).toEqual(Array.from(want));
    agent.dispose();
  });

  it("the trainer takes the tasks in turn and evaluates each (rows name their task)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tdmpc-mt-"));
    try {
      const cfg = makeConfig("tdmpc2", "official", { ...SMALL, seed_steps: 100_000 });
      const rows = await train(cfg, { task: ["cartpole-swingup", "reacher-easy"], seed: 0, steps: 5000, evalFreq: 5000, evalEpisodes: 1, runDir: dir, silent: true, stopAfterEpisodes: 2 });
      expect(rows.map((r) => `${r.kind}:${r.task}`)).toEqual(["eval:cartpole-swingup", "eval:reacher-easy", "train:cartpole-swingup", "train:reacher-easy"]);
      expect(readFileSync(join(dir, "results.csv"), "utf8").trim().split("\n")).toHaveLength(5);
      expect(JSON.parse(readFileSync(join(dir, "config.json"), "utf8")).engine).toBe("onnx"); // --engine auto
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("on onnxruntime, a run stopped after an episode and resumed writes the CSV of an uninterrupted run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tdmpc-mt-resume-"));
    // seed_steps = one episode: 500 updates at step 500, then one per step; the stop comes after 999 of them
    const cfg = makeConfig("tdmpc2", "official", { ...SMALL, seed_steps: 500 });
    const run = (runDir: string, more: Partial<Parameters<typeof train>[1]> = {}) =>
      train(cfg, { task: ["cartpole-swingup", "reacher-easy"], seed: 2, steps: 1500, evalFreq: 1500, evalEpisodes: 1, checkpointEvery: 1, runDir, silent: true, engine: "onnx", ...more });
    const withoutWall = (f: string) => readFileSync(f, "utf8").trim().split("\n").map((l) => l.split(",").filter((_, i) => i !== 11).join(","));
    try {
      await run(join(dir, "full"));
      await run(join(dir, "stopped"), { stopAfterEpisodes: 2 });
      await run(join(dir, "stopped"), { resume: true });
      const rows = withoutWall(join(dir, "stopped", "results.csv"));
      expect(rows).toEqual(withoutWall(join(dir, "full", "results.csv")));
      expect(rows.filter((l) => l.includes(",train,")).map((l) => l.split(",")[0])).toEqual(["cartpole-swingup", "reacher-easy", "cartpole-swingup"]);
      expect(rows.at(-1)!.split(",")[10]).toBe("1499"); // updates: 500 at step 500, then one at each of steps 501…1499
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000); // ~20 s alone; minutes on a machine shared with training runs
});
