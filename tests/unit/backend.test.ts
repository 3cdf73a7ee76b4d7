import { describe, expect, it } from "vitest";
import { describeBackend, initBackend, tf } from "../../src/nn/backend.js";

describe("tfjs backend selection", () => {
  it("selects a working backend and names it; on a machine without native TensorFlow that is wasm", async () => {
    const info = await initBackend({ quiet: true });
    expect(["tensorflow-gpu", "tensorflow", "wasm", "cpu"]).toContain(info.name);
    expect(tf.getBackend()).toBe(info.tfBackend);
    expect(describeBackend(info)).toMatch(/^tfjs 4\.22\.0 backend: /);
    // The danfojs override maps @tensorflow/tfjs-node to plain tfjs: importable, but it must not count as native.
    if (info.name === "wasm") {
      expect(info.skipped.map((s) => s.name)).toEqual(["tensorflow-gpu", "tensorflow"]);
      expect(info.skipped[1]!.reason).toMatch(/registered no native backend|not loadable/);
    }
  });

  it("computes on the selected backend", async () => {
    await initBackend({ quiet: true });
    const y = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[1], [1]])));
    expect(Array.from(await y.data())).toEqual([3, 7]);
    y.dispose();
  });

  it("prints the backend once", async () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => void lines.push(a.join(" "));
    try {
      await initBackend();
      await initBackend();
    } finally {
      console.log = log;
    }
    expect(lines.filter((l) => l.includes("backend:")).length).toBeLessThanOrEqual(1);
  });
});
