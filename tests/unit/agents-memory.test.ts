/**
 * Long runs keep memory flat: no tensor and no resident memory grows with the number of updates.
 * Full mode runs 5,000 updates per agent (several minutes on wasm); quick mode (npm test) 300.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { makeConfig } from "../../src/agents/config.js";
import { TdmpcAgent } from "../../src/agents/tdmpc.js";
import { Tdmpc2Agent } from "../../src/agents/tdmpc2.js";
import { initBackend, tf } from "../../src/nn/backend.js";
import { budget } from "../../src/util/quick.js";
import { Rng } from "../../src/util/random.js";
import { randomSequences } from "../helpers/batches.js";

beforeAll(async () => {
  await initBackend({ quiet: true });
});

const UPDATES = budget(5000, 300);

describe.each(["tdmpc", "tdmpc2"] as const)("%s: memory over many updates", (name) => {
  it(`tf.memory().numTensors and RSS stay flat over ${UPDATES} updates`, () => {
    const cfg = makeConfig(name, "official", { enc_dim: 8, mlp_dim: 8, latent_dim: 8, num_bins: 5, batch_size: 4, horizon: 2 });
    const a = name === "tdmpc" ? new TdmpcAgent(cfg as never, 3, 1, 0) : new Tdmpc2Agent(cfg as never, 3, 1, 0);
    const rng = new Rng(1);
    const warm = Math.floor(UPDATES / 10);
    for (let i = 0; i < warm; i++) a.update(randomSequences(rng, 2, 4, 3, 1));
    const tensors = tf.memory().numTensors;
    const bytes = tf.memory().numBytes;
    const rss0 = process.memoryUsage().rss;
    for (let i = warm; i < UPDATES; i++) a.update(randomSequences(rng, 2, 4, 3, 1));
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.memory().numBytes).toBe(bytes);
    // a leak of one small tensor per update would add ≥ 0.1 MB per 1,000 updates; the allocator's own drift stays far below 64 MB
    expect(process.memoryUsage().rss - rss0).toBeLessThan(64e6);
    a.dispose();
  });
});
