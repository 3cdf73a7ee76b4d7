// The answers to the notebooks' exercises (chapters 00, 01, 03), measured: if the library changes so that an answer
// no longer holds, this fails and the notebook's <details> answer needs rewriting.
import { describe, expect, it } from "vitest";
import { measuredPeriod, rodPeriod, simulatePendulum, SETUP_PENDULUM_XML } from "../../src/experiments/ch00-setup.js";
import { landscapeRun } from "../../src/experiments/ch01-optim.js";
import { fitGapRegression, gapData } from "../../src/experiments/ch03-models.js";
import { loadModelFromXml } from "../../src/envs/mujoco.js";
import { initBackend } from "../../src/nn/backend.js";
import { CemFull } from "../../src/optim/cem-full.js";
import { startPoint } from "../../src/optim/benchmark.js";
import { testFunction } from "../../src/optim/functions.js";
import { sigmaMax } from "../../src/viz/figures/ch01.js";

describe("chapter 00 exercises", () => {
  it("1: without damping a 60° swing keeps its amplitude: ≈ 9 % longer than the small-swing period", async () => {
    const p = measuredPeriod(await simulatePendulum({ seconds: 20, damping: 0 }));
    expect(p / rodPeriod(0.5) - 1).toBeGreaterThan(0.08);
    expect(p / rodPeriod(0.5) - 1).toBeLessThan(0.1);
    const damped = measuredPeriod(await simulatePendulum({ seconds: 20 }));
    expect(damped).toBeLessThan(p);
  });

  it("2: a 10° swing is 1.6 % off the thin-rod formula but within 0.3 % of the period from MuJoCo's own inertia", async () => {
    const p = measuredPeriod(await simulatePendulum({ seconds: 20, damping: 0, angle0: (10 * Math.PI) / 180 }));
    expect(p / rodPeriod(0.5) - 1).toBeGreaterThan(0.01);
    const sim = await loadModelFromXml(SETUP_PENDULUM_XML);
    const m = sim.model;
    const d = Math.abs(m.body_ipos[5]!);
    const inertia = m.body_inertia[4]! + m.body_mass[1]! * d * d;
    const physical = 2 * Math.PI * Math.sqrt(inertia / (m.body_mass[1]! * 9.81 * d));
    sim.delete();
    expect(Math.abs(p / physical - 1)).toBeLessThan(0.003);
  });
});

describe("chapter 01 exercises", () => {
  it("1: without std smoothing CEM's σ collapses ≈ 20× further by generation 10 and it freezes further from the optimum", () => {
    const smooth = landscapeRun({ methods: ["CEM"] }).traces.CEM!;
    const raw = landscapeRun({ stdMomentum: 0, methods: ["CEM"] }).traces.CEM!;
    expect(sigmaMax(raw[10]!.cov)).toBeLessThan(sigmaMax(smooth[10]!.cov) / 10);
    expect(raw[raw.length - 1]!.bestF).toBeLessThan(smooth[smooth.length - 1]!.bestF);
  });

  it("2: CEM with a full covariance, 300 samples and 150 elites, solves the 10-D rotated ellipsoid on most seeds, at ≈ 10× CMA-ES's cost", () => {
    const f = testFunction("rot-ellipsoid", 10);
    const evals = [0, 1, 2, 3, 4].map((seed) => {
      const { x0, sigma0, rng } = startPoint(f, seed);
      const es = new CemFull({ x0, sigma0, seed: rng, popsize: 300, eliteFraction: 0.5, maxEvals: 100_000, target: f.fopt + 1e-8 });
      while (!es.stop()) {
        const xs = es.ask();
        es.tell(xs, xs.map((x) => f.f(x)));
      }
      return es.best.f <= f.fopt + 1e-8 ? es.evaluations : null;
    });
    const solved = evals.filter((e): e is number => e !== null);
    expect(solved.length).toBeGreaterThanOrEqual(3);
    for (const e of solved) expect(e).toBeGreaterThan(20_000);
  });
});

describe("chapter 03 exercises", () => {
  it("2: without the bootstrap the members still disagree in the data gap, several times more than within the data", async () => {
    await initBackend({ quiet: true });
    const fit = fitGapRegression(gapData(200, 0), { ensemble: { bootstrap: false } });
    const mean = (keep: (x: number) => boolean) => {
      const v = fit.xs.map((x, i) => [x, fit.epistemicStd[i]!] as const).filter(([x]) => keep(x));
      return v.reduce((s, [, e]) => s + e, 0) / v.length;
    };
    const gap = mean((x) => Math.abs(x) < 0.8);
    const data = mean((x) => Math.abs(x) > 1.2 && Math.abs(x) < 2.8);
    expect(gap).toBeGreaterThan(3 * data);
    expect(gap).toBeGreaterThan(0.1);
  });
});
