// Regenerating a chapter (`tdmpc figures run chNN`): resumable, never rewriting a finished row, reusing a run that
// two sweeps share; and every chapter's figures build from what the run wrote.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { downsampleTrace, readCh01Curves, readCh01Runs, runCh01 } from "../../src/experiments/ch01-optim.js";
import { CH02_CSV_COLUMNS, imagine, readCh02Csv, readLoopTraces, runCh02, runKey } from "../../src/experiments/ch02-mpc.js";
import { readAblations, runPetsAblations } from "../../src/experiments/ch03-models.js";
import { initBackend } from "../../src/nn/backend.js";
import { runOnce } from "../../src/optim/benchmark.js";
import { chapterFigures } from "../../src/viz/figures/index.js";

const tmp = () => mkdtempSync(join(tmpdir(), "regen-"));

describe("chapter 2: runCh02", () => {
  it("plays each run once, reuses a run two sweeps share, records the loop trajectories, and resumes without rewriting", async () => {
    const dir = tmp();
    const out = join(dir, "ch02-mpc.csv");
    const loopOut = join(dir, "ch02-loop.csv");
    let played = 0;
    let reused = 0;
    await runCh02({ out, loopOut, quick: true, onRun: (_r, _d, _t, wasReused) => (wasReused ? reused++ : played++) });
    const rows = readCh02Csv(out);
    expect(rows.length).toBe(played + reused);
    expect(reused).toBeGreaterThan(0);
    // the base configuration appears under several sweeps with the very same result
    const base = rows.filter((r) => r.sweep !== "myopia" && runKey(r) === runKey(rows[0]!));
    expect(new Set(base.map((r) => r.sweep)).size).toBeGreaterThan(2);
    expect(new Set(base.map((r) => r.episodeReturn)).size).toBe(1);
    expect(rows.some((r) => r.sweep === "warmstart" && r.warmStart === false)).toBe(true);
    const traces = readLoopTraces(loopOut);
    expect(new Set(traces.map((t) => t.replanEvery)).size).toBe(2);
    const before = readFileSync(out, "utf8");
    let again = 0;
    await runCh02({ out, loopOut, quick: true, onRun: () => again++ });
    expect(again).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(before);
  });

  it("an older results file without the warmStart column is rewritten with it, its rows kept", async () => {
    const dir = tmp();
    const out = join(dir, "ch02-mpc.csv");
    const old = CH02_CSV_COLUMNS.filter((c) => c !== "warmStart");
    writeFileSync(out, `${old.join(",")}\nmyopia,pendulum-swingup,cem,64,3,3,60,1,8,1,0,12.656,13.754,0.48\n`);
    await runCh02({ out, quick: true, seeds: [0] });
    const rows = readCh02Csv(out);
    expect(readFileSync(out, "utf8").split("\n")[0]).toBe(CH02_CSV_COLUMNS.join(","));
    expect(rows[0]).toMatchObject({ sweep: "myopia", steps: 60, seed: 1, episodeReturn: 0 });
    expect(rows.length).toBeGreaterThan(1);
  });
});

describe("chapter 2: the planner's imagination", () => {
  it("records every iteration's samples; the executed action lands where the plan imagined, and the warm start goes on from there", async () => {
    const im = await imagine({ seed: 0, warmup: 4, numSamples: 16 });
    expect(im.iterations).toHaveLength(3);
    for (const it of im.iterations) {
      expect(it.heights).toHaveLength(16);
      expect(it.elites).toHaveLength(2);
      expect(it.returns[it.elites[0]!]).toBe(Math.max(...it.returns));
      for (const h of it.heights) expect(h[0]).toBe(im.planHeights[0]); // every sequence starts from the same state
    }
    // the true simulator is the model: the state after the executed action is the plan's imagined second state
    expect(im.warmStartHeights[0]).toBeCloseTo(im.planHeights[1]!, 6);
    expect(im.dt).toBeCloseTo(0.08, 12);
  });
});

describe("chapter 1: runCh01", () => {
  it("writes one row per run and each 10-D run's curve, which ends at the run's best gap", () => {
    const dir = tmp();
    const { runs } = runCh01({ runsOut: join(dir, "b.csv"), curvesOut: join(dir, "c.csv"), quick: true });
    expect(readCh01Runs(join(dir, "b.csv"))).toHaveLength(runs.length);
    const curves = readCh01Curves(join(dir, "c.csv"));
    const one = curves.filter((p) => p.optimizer === "cmaes" && p.fn === "sphere" && p.seed === 0);
    const run = runs.find((r) => r.optimizer === "cmaes" && r.fn === "sphere" && r.seed === 0 && r.dim === 10)!;
    expect(one[one.length - 1]!.gap).toBeCloseTo(run.bestGap, 12);
  });

  it("a downsampled trace keeps the best gap reached by each of its evaluation counts", () => {
    const r = runOnce("cem", "sphere", 4, 0, { maxEvals: 2000 });
    const pts = downsampleTrace(r, 10);
    expect(pts[0]![0]).toBe(r.trace[0]![0]);
    expect(pts[pts.length - 1]).toEqual(r.trace[r.trace.length - 1]);
    for (const [e, g] of pts) expect(g).toBe(r.trace.filter(([ev]) => ev <= e).pop()![1]);
  });
});

describe("chapter 3: PETS ablations", () => {
  it("run each variant and seed once; a second call adds nothing", async () => {
    await initBackend({ quiet: true });
    const out = join(tmp(), "abl.csv");
    await runPetsAblations({ out, variants: ["D"], seeds: [0], iters: 1, episodeSteps: 3 });
    const rows = readAblations(out);
    expect(rows.map((r) => [r.variant, r.kind])).toEqual([["D", "random"], ["D", "mpc"]]);
    await runPetsAblations({ out, variants: ["D"], seeds: [0], iters: 1, episodeSteps: 3 });
    expect(readAblations(out)).toHaveLength(2);
    await expect(runPetsAblations({ out, variants: ["Q"], seeds: [0], iters: 1 })).rejects.toThrow(/unknown PETS variant 'Q'/);
  });
});

describe("chapter figures from the committed results", () => {
  it.each(["ch00", "ch01", "ch02"])("%s builds every figure it exports", async (chapter) => {
    const figs = await chapterFigures(chapter);
    expect(Object.keys(figs).length).toBeGreaterThan(0);
    for (const f of Object.values(figs)) expect(f.data.length).toBeGreaterThan(0);
  });

  it("an unknown chapter is named", async () => {
    await expect(chapterFigures("ch09")).rejects.toThrow(/no figures for 'ch09': known chapters ch00, ch01, ch02, ch03/);
  });
});
