import { beforeAll, describe, expect, it } from "vitest";
import { initBackend, tf } from "../../src/nn/backend.js";
import { runPets } from "../../src/agents/pets.js";

beforeAll(async () => {
  await initBackend({ quiet: true });
});

describe("PETS loop", () => {
  it("collects a random episode, fits, plans through the ensemble, and grows its data (tiny budget)", async () => {
    const before = tf.memory().numTensors;
    const rows = await runPets({
      task: "cartpole-swingup",
      seed: 3,
      ntrainIters: 2,
      episodeSteps: 6,
      planHor: 3,
      popsize: 16,
      numElites: 4,
      maxIters: 2,
      npart: 5,
      modelEpochs: 2,
      model: { hidden: [32, 32], batchSize: 4 },
    });
    expect(rows.map((r) => r.kind)).toEqual(["random", "mpc", "mpc"]);
    expect(rows.map((r) => r.envSteps)).toEqual([48, 96, 144]); // 6 agent steps × action repeat 8 per episode
    for (const r of rows) {
      expect(r.episodeReturn).toBeGreaterThanOrEqual(0);
      expect(r.episodeReturn).toBeLessThanOrEqual(6 * 8);
    }
    expect(Number.isFinite(rows[1]!.modelLoss)).toBe(true);
    expect(rows[2]!.wallSec).toBeGreaterThan(rows[1]!.wallSec);
    expect(tf.memory().numTensors).toBe(before); // the ensemble and optimiser are freed
  });

  it("rejects an unknown task and a bad particle count", async () => {
    await expect(runPets({ task: "no-such-task", seed: 0 })).rejects.toThrow(/unknown task 'no-such-task'/);
    await expect(runPets({ task: "cartpole-swingup", seed: 0, npart: 7, ntrainIters: 1, episodeSteps: 2 })).rejects.toThrow(/multiple of the ensemble size/);
    // issue 12: every count is checked before anything runs, naming the field
    await expect(runPets({ task: "cartpole-swingup", seed: 0, ntrainIters: -1 })).rejects.toThrow("ntrainIters must be a non-negative integer, got -1");
    await expect(runPets({ task: "cartpole-swingup", seed: 0, episodeSteps: 0 })).rejects.toThrow("episodeSteps must be a positive integer, got 0");
    await expect(runPets({ task: "cartpole-swingup", seed: 0, ntrainIters: Number.NaN })).rejects.toThrow(/ntrainIters .* got NaN/);
  });
});
