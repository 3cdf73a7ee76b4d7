/** The replay store (uniform or prioritised) and its sum tree. */
export { ReplayStore, type EpisodeData, type PriorityConfig, type ReplayConfig, type ReplaySnapshotMeta, type SequenceBatch } from "./store.js";
export { SumTree } from "./sum-tree.js";
export { randomBatch } from "./random-batch.js";
