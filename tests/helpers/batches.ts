import type { SequenceBatch } from "../../src/replay/store.js";
import type { Rng } from "../../src/util/random.js";

/** A random batch of H+1-step sequences (uniform weights) for update tests. */
export function randomSequences(rng: Rng, H: number, B: number, O: number, A: number): SequenceBatch {
  return {
    horizon: H,
    batchSize: B,
    obs: rng.fillNormal(new Float32Array((H + 1) * B * O)),
    action: rng.fillUniform(new Float32Array(H * B * A), -1, 1),
    reward: rng.fillUniform(new Float32Array(H * B), 0, 1),
    index: new Int32Array(B),
    weight: new Float32Array(B).fill(1),
  };
}
