/**
 * `tdmpc figures adopt`: a finished `tdmpc train` run folder joins a figure's results under the grid run it is,
 * once; a folder that is another run (here: another seed) or not a run folder is named and left out.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeConfig } from "../../src/agents/config.js";
import { train } from "../../src/agents/trainer.js";
import { initBackend } from "../../src/nn/backend.js";
import { adoptRuns, planEntry } from "../../src/experiments/figures-run.js";
import { getFigure, quickTrainRun } from "../../src/experiments/registry.js";
import type { TrainRun } from "../../src/experiments/run-kinds.js";

const scratch = mkdtempSync(join(tmpdir(), "tdmpc-adopt-"));
process.env.TDMPC_RESULTS_DIR = join(scratch, "results");
beforeAll(async () => {
  await initBackend({ quiet: true });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function trainInto(dir: string, s: TrainRun, label = s.preset): Promise<void> {
  await train(makeConfig(s.agent, s.preset, s.overrides ?? {}), {
    task: s.task, seed: s.seed, steps: s.steps, protocol: s.protocol, evalFreq: s.evalFreq, evalEpisodes: s.evalEpisodes,
    runDir: dir, out: join(dir, "results.csv"), label, silent: true,
  });
}

describe("figures adopt", () => {
  it("adds a finished run's rows under its grid id once; another seed or a stray folder is refused by name", async () => {
    const entry = getFigure("curves-cartpole-swingup");
    const spec = quickTrainRun("tdmpc", "cartpole-swingup");
    const [mine, other, stray] = ["mine", "other", "stray"].map((d) => join(scratch, d)) as [string, string, string];
    await trainInto(mine, spec);
    await trainInto(other, { ...spec, seed: 7 });
    mkdirSync(stray);
    writeFileSync(join(stray, "notes.txt"), "");
    const w = { quick: true };
    expect(planEntry(entry, w).complete).toEqual([]);
    const first = adoptRuns(entry, [mine, other, stray], w);
    expect(first[0]).toMatchObject({ id: expect.stringMatching(/^tdmpc-official-cartpole-swingup-s1-/), note: expect.stringMatching(/^adopted/) });
    expect(first[0]!.rows).toBeGreaterThan(1);
    expect(first[1]!.id).toBeUndefined();
    expect(first[1]).toMatchObject({ rows: 0, note: expect.stringMatching(/matches none of curves-cartpole-swingup's runs/) });
    expect(first[2]!.id).toBeUndefined();
    expect(first[2]).toMatchObject({ note: expect.stringMatching(/no config.json/) });
    const plan = planEntry(entry, w);
    expect(plan.complete.map((r) => r.id)).toEqual([first[0]!.id]);
    expect(plan.rows.filter((r) => r.kind === "eval").length).toBeGreaterThan(0);
    // a second adoption adds nothing
    expect(adoptRuns(entry, [mine], w)[0]).toMatchObject({ rows: 0, note: "already in the results" });
    expect(planEntry(entry, w).rows.length).toBe(first[0]!.rows);
  }, 300_000);

  it("an ablation made with `tdmpc train --set` (whose rows carry the switch in their label) joins the ablation's run", async () => {
    const entry = getFigure("tdmpc-ablations");
    const spec = quickTrainRun("tdmpc", "cartpole-swingup", { terminal_value: false });
    const dir = join(scratch, "no-terminal");
    await trainInto(dir, spec, "official-terminal_value=false"); // the label `tdmpc train --set terminal_value=false` gives
    const [a] = adoptRuns(entry, [dir], { quick: true });
    expect(a).toMatchObject({ note: expect.stringMatching(/^adopted/) });
    expect(planEntry(entry, { quick: true }).complete.map((r) => r.id)).toContain(a!.id);
  }, 300_000);
});
