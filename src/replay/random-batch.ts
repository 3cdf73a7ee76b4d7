/**
 * A batch of random sequences with the shapes `ReplayStore.sampleSequences` returns: what benchmarks and tests feed
 * an agent's update when the data does not matter (observations N(0, 1), actions U(−1, 1), rewards U(0, 1)).
 */
import type { Rng } from "../util/random.js";
import type { SequenceBatch } from "./store.js";

export function randomBatch(rng: Rng, horizon: number, batchSize: number, obsDim: number, actionDim: number): SequenceBatch & { obs: Float32Array } {
  return {
    horizon,
    batchSize,
    obs: rng.fillNormal(new Float32Array((horizon + 1) * batchSize * obsDim)),
    action: rng.fillUniform(new Float32Array(horizon * batchSize * actionDim), -1, 1),
    reward: rng.fillUniform(new Float32Array(horizon * batchSize), 0, 1),
    index: new Int32Array(batchSize),
    weight: new Float32Array(batchSize).fill(1),
    task: new Int32Array(batchSize),
  };
}
