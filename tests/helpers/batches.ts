/** A random batch of H+1-step sequences (uniform weights) for update tests: the library's own (src/replay). */
export { randomBatch as randomSequences } from "../../src/replay/random-batch.js";
