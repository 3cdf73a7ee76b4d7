/**
 * Notebook 07's probe of the committed multi-task agent and its control (data/agents/): the numbers its reading
 * quotes — reward head right in both, the multi-task value of the hanging pendulum 0 and of the upright one 13.0,
 * the control's 13.3 and 136 — recomputed from the exported weights.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadExportedAgent } from "../../src/agents/evaluate.js";
import { initBackend, tf } from "../../src/nn/backend.js";
import { projectRoot } from "../../src/tooling/paths.js";

beforeAll(async () => {
  await initBackend({ quiet: true });
});

async function probe(dir: string): Promise<{ upright: [number, number]; hanging: [number, number] }> {
  const { agent: a, tasks } = await loadExportedAgent(join(projectRoot(), "data", "agents", dir));
  const k = tasks.indexOf("pendulum-swingup");
  const at = (obs: number[]): [number, number] =>
    tf.tidy(() => {
      const e = a.wm.taskEmbedding([k]);
      const z = a.wm.latent.encode(tf.tensor2d(Float32Array.from({ length: a.wm.obsDim }, (_, j) => obs[j] ?? 0), [1, a.wm.obsDim]), undefined, e);
      const u = tf.tensor2d(new Float32Array(a.wm.actionDim), [1, a.wm.actionDim]);
      return [a.wm.latent.rewardValue(z, u, e).dataSync()[0]!, a.wm.q.value(z, u, "avg", { task: e }).dataSync()[0]!];
    });
  const out = { upright: at([1, 0, 0]), hanging: at([-1, 0, 0]) };
  a.dispose();
  return out;
}

describe("notebook 07: pendulum as the multi-task model and the control see it", () => {
  it("both reward heads give 2.00 upright and 0 hanging; values 13.0 / 0 in the multi-task model, 136 / 13.3 alone", async () => {
    const mt = await probe("tdmpc2-laptop-multitask-s1");
    const alone = await probe("tdmpc2-laptop-pendulum-swingup-p2-s1");
    for (const p of [mt, alone]) {
      expect(p.upright[0]).toBeCloseTo(2, 2);
      expect(Math.abs(p.hanging[0])).toBeLessThan(1e-3);
    }
    expect(mt.upright[1].toFixed(1)).toBe("13.0");
    expect(Math.abs(mt.hanging[1])).toBeLessThan(1e-3);
    expect(alone.upright[1].toFixed(0)).toBe("136");
    expect(alone.hanging[1].toFixed(1)).toBe("13.3");
  });
});
