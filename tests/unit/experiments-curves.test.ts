/**
 * Learning-curve summaries (src/experiments/tdmpc-curves.ts): the mean and 95 % CI over seeds, a seed's return at a
 * step, and the official-vs-laptop gap, which must compare an unfinished official run at its own last evaluation.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { curvesTableLines, curvesTableMarkdown } from "../../src/experiments/curves-table.js";
import { learningCurveFigure, presetGaps, returnsAt, summarise, type EvalRow } from "../../src/experiments/tdmpc-curves.js";

const row = (task: string, label: string, seed: number, envStep: number, ret: number, wallSec: number): EvalRow => ({ task, agent: "tdmpc", label, seed, envStep, ret, episodes: [], updates: 0, wallSec });

describe("learning-curve summaries", () => {
  it("summarise: mean, range and Student-t 95 % CI over the seeds that reached a step", () => {
    const rows = [row("t", "laptop", 1, 0, 10, 1), row("t", "laptop", 2, 0, 20, 1), row("t", "laptop", 3, 0, 30, 1), row("t", "laptop", 1, 20, 50, 2)];
    const [s0, s20] = summarise(rows);
    expect(s0).toMatchObject({ envStep: 0, seeds: 3, mean: 20, min: 10, max: 30 });
    expect(s0!.ci95).toBeCloseTo((4.303 * 10) / Math.sqrt(3), 6); // sd of 10, 20, 30 is 10; t(2) = 4.303
    expect(s20).toMatchObject({ envStep: 20, seeds: 1, mean: 50 });
    expect(s20!.ci95).toBeNaN();
  });

  it("returnsAt: each seed's last evaluation at or before the step", () => {
    const rows = [row("t", "laptop", 1, 0, 1, 1), row("t", "laptop", 1, 40, 4, 1), row("t", "laptop", 2, 20, 2, 1), row("t", "laptop", 3, 60, 6, 1)];
    expect(returnsAt(rows, 50)).toEqual([{ seed: 1, envStep: 40, ret: 4 }, { seed: 2, envStep: 20, ret: 2 }]);
  });

  it("presetGaps: the official run at its last evaluation against the laptop seeds at that same step", () => {
    const laptop = [1, 2, 3].flatMap((seed) => [20, 40, 60].map((s) => row("cartpole", "laptop", seed, s, s * 10 + seed, s * 6 + seed)));
    laptop.pop(); // seed 3 has not reached 60k: it must not count there with its 40k return
    const official = [row("cartpole", "official", 1, 20, 100, 500), row("cartpole", "official", 1, 40, 700, 1000), row("reacher", "official", 1, 20, 5, 9)];
    const gaps = presetGaps(official, laptop);
    // reacher has no laptop rows: no gap is invented for it
    expect(gaps.map((g) => g.task)).toEqual(["cartpole"]);
    const g = gaps[0]!;
    expect(g).toMatchObject({ envStep: 40, official: 700, laptop: [401, 402, 403], officialWallSec: 1000 });
    expect(g.gap).toBeCloseTo(700 - 402, 9);
    expect(g.laptopWallSecs).toEqual([241, 242, 243]);
    // one more official evaluation moves the comparison to 60k, where only seeds 1–2 are
    const later = presetGaps([...official, row("cartpole", "official", 1, 60, 800, 1500)], laptop)[0]!;
    expect(later).toMatchObject({ envStep: 60, laptop: [601, 602] });
    expect(later.gap).toBeCloseTo(800 - 601.5, 9);
  });
});

describe("learningCurveFigure", () => {
  it("three seeds get a 95 % band, two seeds only their lines and mean, one seed each evaluation episode as a point", () => {
    const ep = (r: EvalRow, episodes: number[]): EvalRow => ({ ...r, episodes });
    const many = [1, 2, 3].flatMap((seed) => [0, 20].map((s) => ep(row("t", "laptop", seed, s, s + seed, 1), [s, s + 2 * seed])));
    const one = [ep(row("t", "official", 1, 0, 5, 1), [4, 5, 6]), ep(row("t", "official", 1, 20, 50, 1), [40, 50, 60])];
    const two = many.filter((r) => r.seed !== 3).map((r) => ({ ...r, label: "two" }));
    const fig = learningCurveFigure([{ name: "laptop", rows: many }, { name: "official", rows: one }, { name: "two", rows: two }], { task: "cartpole-swingup" });
    const names = fig.data.map((t) => t.name as string | undefined);
    expect(names).toContain("laptop: 95% CI of the mean");
    expect(names).not.toContain("official: 95% CI of the mean");
    expect(names).not.toContain("laptop: each evaluation episode");
    expect(names.filter((n) => n?.startsWith("two"))).toEqual(["two, seed 1", "two, seed 2", "two (2 seeds, mean)"]); // no band
    expect(fig.data.filter((t) => t.legendgroup === "two")).toHaveLength(3); // its two seed lines and the mean
    const pts = fig.data.find((t) => t.name === "official: each evaluation episode")!;
    expect(pts.x).toEqual([0, 0, 0, 20, 20, 20]);
    expect(pts.y).toEqual([4, 5, 6, 40, 50, 60]);
    expect(names.filter((n) => n?.startsWith("official"))).toEqual(["official (1 seed, mean)", "official: each evaluation episode"]); // no seed line under the mean
  });
});

describe("the README's results table (curves-table.ts)", () => {
  const header = "run,row,rows,task,agent,label,seed,kind,env_step,agent_step,episode,return,returns,updates,wall_sec,loss"; // no check column: read as a file from before it
  const line = (task: string, agent: string, label: string, seed: number, envStep: number, ret: number, wallSec: number) => `r,0,1,${task},${agent},${label},${seed},eval,${envStep},0,0,${ret},,0,${wallSec},`;

  it("one line per task × agent × configuration with runs at 100k, curve tasks first, then the papers' other three", () => {
    const dir = mkdtempSync(join(tmpdir(), "curves-table-"));
    try {
      writeFileSync(join(dir, "curves-cartpole-swingup.csv"), [header, line("cartpole-swingup", "tdmpc", "laptop", 1, 100_000, 850, 3600), line("cartpole-swingup", "tdmpc", "laptop", 2, 100_000, 870, 1800), line("cartpole-swingup", "tdmpc2", "laptop", 1, 80_000, 700, 10)].join("\n") + "\n");
      writeFileSync(join(dir, "curves-more-tasks.csv"), [header, line("cheetah-run", "tdmpc2", "laptop", 1, 100_000, 512.5, 7200)].join("\n") + "\n");
      writeFileSync(join(dir, "official-anchors.csv"), [header, line("cartpole-swingup", "tdmpc", "official", 1, 100_000, 880, 9000)].join("\n") + "\n");
      const lines = curvesTableLines(dir);
      // TD-MPC2's cartpole run has not reached 100k: no line for it
      expect(lines.map((l) => [l.task, l.agent, l.config])).toEqual([["cartpole-swingup", "tdmpc", "laptop"], ["cartpole-swingup", "tdmpc", "official"], ["cheetah-run", "tdmpc2", "laptop"]]);
      expect(lines[0]).toMatchObject({ returns: [850, 870], paper: 858.8, wallSecs: [3600, 1800] });
      const md = curvesTableMarkdown(dir).split("\n");
      expect(md).toHaveLength(2 + 3);
      expect(md[2]).toBe("| cartpole-swingup | TD-MPC | laptop | 2 | 860.0 ± 127.1 | 850.0, 870.0 | 858.8 | 0.75 h (0.50–1.00) |");
      expect(md[4]).toBe("| cheetah-run | TD-MPC2 | laptop | 1 | 512.5 | 512.5 | 519.1 | 2.00 h |");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
