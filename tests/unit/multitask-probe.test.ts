/**
 * Notebook 07's probe of the committed multi-task agent and its control (data/agents/): the numbers its reading
 * quotes — reward head right in both, the multi-task value of the hanging pendulum 0 and of the upright one 13.0,
 * the control's 13.3 and 136 — recomputed from the exported weights.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadExportedAgent, probeState } from "../../src/agents/evaluate.js";
import { initBackend } from "../../src/nn/backend.js";
import { projectRoot } from "../../src/tooling/paths.js";

beforeAll(async () => {
  await initBackend({ quiet: true });
});

async function probe(dir: string): Promise<{ upright: { reward: number; value: number }; hanging: { reward: number; value: number } }> {
  const { agent, tasks } = await loadExportedAgent(join(projectRoot(), "data", "agents", dir));
  const k = tasks.indexOf("pendulum-swingup");
  const out = { upright: probeState(agent, k, [1, 0, 0], [0]), hanging: probeState(agent, k, [-1, 0, 0], [0]) };
  agent.dispose();
  return out;
}

describe("notebook 07: pendulum as the multi-task model and the control see it", () => {
  it("both reward heads give 2.00 upright and 0 hanging; values 13.0 / 0 in the multi-task model, 136 / 13.3 alone", async () => {
    const mt = await probe("tdmpc2-laptop-multitask-s1");
    const alone = await probe("tdmpc2-laptop-pendulum-swingup-p2-s1");
    for (const p of [mt, alone]) {
      expect(p.upright.reward).toBeCloseTo(2, 2);
      expect(Math.abs(p.hanging.reward)).toBeLessThan(1e-3);
    }
    expect(mt.upright.value.toFixed(1)).toBe("13.0");
    expect(Math.abs(mt.hanging.value)).toBeLessThan(1e-3);
    expect(alone.upright.value.toFixed(0)).toBe("136");
    expect(alone.hanging.value.toFixed(1)).toBe("13.3");
  });
});
