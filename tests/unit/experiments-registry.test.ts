/**
 * The experiment registry (issue 15): every entry's grid is valid and its ids stable, the committed results hold
 * the runs they were made from, every registered entry's quick grid runs end to end through `tdmpc figures run`
 * (local executor processes) and is drawn, a rerun reuses everything, an executor killed mid-run is replaced and
 * its run retried, and bad input is refused by name. Spawns bin/tdmpc.js: `npm run build` first (npm test does).
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { drawEntry, planEntry, resultsFile, runJobs, figuresDir } from "../../src/experiments/figures-run.js";
import { FIGURES, getFigure, quickTrainRun } from "../../src/experiments/registry.js";
import { gridRuns, runId, runKind, validateRun, type CourseRun, type GridRun, type RunSpec } from "../../src/experiments/run-kinds.js";
import type { ProgressBoard } from "../../src/util/progress.js";
import { readResults } from "../../src/util/results.js";

const root = join(import.meta.dirname, "..", "..");
const cli = join(root, "bin", "tdmpc.js");
const scratch = mkdtempSync(join(tmpdir(), "tdmpc-registry-"));
// quick results, figures and checkpoints go to scratch folders (this process reads them through the same variables)
process.env.TDMPC_RESULTS_DIR = join(scratch, "results");
process.env.TDMPC_CACHE_DIR = join(scratch, "cache");
const registered = FIGURES;
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function tdmpc(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const p = spawn(process.execPath, [cli, ...args], { cwd: root, env: process.env });
    let stdout = "", stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    p.on("close", (code) => done({ code, stdout, stderr }));
  });
}

describe("registry entries", () => {
  it("every grid (full and quick) validates, with distinct stable ids", () => {
    expect(new Set(FIGURES.map((f) => f.name)).size).toBe(FIGURES.length);
    for (const f of registered)
      for (const quick of [false, true]) {
        const runs = gridRuns(f.grid({ quick })); // throws on a repeated id
        expect(runs.length, `${f.name} quick=${quick}`).toBeGreaterThan(0);
        for (const r of runs) validateRun(r);
      }
    // a run's id is its spec's: results, queue jobs and checkpoints find it again across versions of this code
    expect(runId({ kind: "pets", task: "cartpole-swingup", seed: 0, iters: 12 })).toBe("pets-cartpole-swingup-s0-934454d1");
    expect(runId({ kind: "train", agent: "tdmpc", preset: "laptop", task: "cartpole-swingup", seed: 1, steps: 100_000, evalFreq: 20_000, evalEpisodes: 10 })).toBe("tdmpc-laptop-cartpole-swingup-s1-a161fdc9");
    expect(runId({ kind: "course", variant: "independent", task: "cartpole-balance", seed: 4, steps: 20_000, evalFreq: 2_000, evalEpisodes: 2 })).toBe("course-independent-cartpole-balance-s4-9ca0f137");
    expect(runId({ kind: "optim", optimizer: "cmaes", fn: "rosenbrock", dim: 10, seeds: 10, maxEvals: 20_000 })).toBe("optim-cmaes-rosenbrock-10d-3ef7c6b9");
    // every chapter of 00-07 with figures has an entry
    for (const chapter of ["00b", "01", "02", "03", "04", "05", "06", "07"]) expect(FIGURES.some((f) => f.chapter.includes(chapter)), chapter).toBe(true);
    expect(() => getFigure("nope")).toThrow(/no figure 'nope' in the registry; known: ch00b-oracle/);
  });

  it("a bad spec is refused by name", () => {
    const bad: [RunSpec, RegExp][] = [
      [{ ...quickTrainRun("tdmpc", "cartpole-swingup"), overrides: { horizn: 3 } }, /unknown config key "horizn"/],
      [{ ...quickTrainRun("tdmpc", ["cartpole-swingup", "reacher-easy"]) }, /multi-task run is one TD-MPC2 agent/],
      [{ kind: "pets", task: "cartpole-swingup", seed: -1, iters: 1 }, /seed must be a non-negative integer/],
      [{ kind: "mpc", sweep: "x", task: "cartpole-swingup", planner: "lbfgs", numSamples: 8, horizon: 2, iterations: 1, steps: 2, replanEvery: 1, seed: 0 }, /unknown planner 'lbfgs'/],
      [{ kind: "sim2real" }, /unknown run kind 'sim2real'/],
      [{ kind: "course", variant: "dreamer", task: "cartpole-swingup", seed: 0, steps: 1000, evalFreq: 1000, evalEpisodes: 1 }, /unknown variant 'dreamer' \(known: tdmpc, independent/],
      [{ kind: "course", variant: "tdmpc", task: "cartpole-swingup", seed: 0, steps: 1000, evalFreq: 1000, evalEpisodes: 1, scale: { num_elites: 999 } }, /num_elites/],
      [{ kind: "optim", optimizer: "adam", fn: "sphere", dim: 2, seeds: 1, maxEvals: 100 }, /unknown optimizer 'adam' \(known: cem, cem-full/],
      [{ kind: "optim-curves", optimizer: "cmaes", fn: "sphere", dim: 2, seeds: 1, maxEvals: 100 }, /convergence curves are kept in 10 dimensions, not 2/],
    ];
    for (const [spec, message] of bad) expect(() => validateRun({ id: "x", spec })).toThrow(message);
  });

  it("the committed results hold every run of the oracle, chapters 1–3 and the pixel runs, the core of chapters 4–5, and draw without running anything", () => {
    // chapters 4–5: joint vs independent on both tasks × 5 seeds; the synergy ablation × 3 seeds (the rest may still be running)
    const variant = (r: GridRun) => (r.spec as CourseRun).variant;
    const core: Record<string, (r: GridRun) => boolean> = { ch04: (r) => ["tdmpc", "independent"].includes(variant(r)), ch05: (r) => ["mpc", "mpc_q", "mpc_pi", "tdmpc", "policy"].includes(variant(r)) && (r.spec as CourseRun).task === "cartpole-swingup" };
    for (const name of ["ch00b-oracle", "ch01-benchmark", "ch01-convergence", "ch02", "ch03-pets", "ch04", "ch05", "pixels-cartpole-swingup"]) {
      const plan = planEntry(getFigure(name), { quick: false });
      const need = core[name] ? plan.runs.filter(core[name]) : plan.runs;
      expect(need.length).toBeGreaterThanOrEqual(name === "ch04" ? 20 : name === "ch05" ? 15 : 1);
      expect(need.filter((r) => !plan.complete.includes(r)).map((r) => r.id), `${name}: runs missing from ${plan.file}`).toEqual([]);
      const d = drawEntry(getFigure(name), { quick: false });
      expect(d.rows.length).toBeGreaterThanOrEqual(d.runs);
      for (const fig of Object.values(d.figures)) expect(fig.data.length).toBeGreaterThan(0);
    }
    expect(Object.keys(drawEntry(getFigure("ch02"), { quick: false }).figures)).toEqual(["ch02-samples", "ch02-horizon", "ch02-myopia", "ch02-planners", "ch02-loop", "ch02-warmstart", "ch02-oracle"]);
    // the registry's figures carry the chapters' own file names (figures/ch04-modes.png is one file, whichever command drew it)
    expect(Object.keys(drawEntry(getFigure("ch04"), { quick: false }).figures)).toContain("ch04-modes");
    expect(Object.keys(drawEntry(getFigure("ch05"), { quick: false }).figures)).toEqual(expect.arrayContaining(["ch05-ablation", "ch05-compute"]));
  });
});

describe("tdmpc2-multitask's figures", () => {
  it("one figure per task of the multi-task runs; with the control run, pendulum inside the multi-task agent on its own steps (the total / 3) beside the agent alone", () => {
    const entry = getFigure("tdmpc2-multitask");
    const runs = gridRuns(entry.grid({ quick: false }));
    const [mt, control] = [runs[0]!, runs.at(-1)!];
    expect((control.spec as { task: string }).task).toBe("pendulum-swingup");
    const row = (run: GridRun, task: string, step: number, ret: number) => ({ run: run.id, task, agent: "tdmpc2", label: "laptop", seed: "1", kind: "eval", env_step: String(step), return: String(ret), returns: String(ret), updates: "0", wall_sec: "1" });
    const mtRows = [0, 75_000].flatMap((step) => ["cartpole-swingup", "reacher-easy", "pendulum-swingup"].map((t, k) => row(mt, t, step, 100 * k + step / 1000)));
    const only = entry.draw(mtRows, { root, quick: false, runs }) as Record<string, { data: { name?: string; x?: number[] }[] }>;
    expect(Object.keys(only)).toEqual(["tasks"]);
    const both = entry.draw([...mtRows, row(control, "pendulum-swingup", 0, 1), row(control, "pendulum-swingup", 25_000, 500)], { root, quick: false, runs }) as typeof only;
    expect(Object.keys(both)).toEqual(["tasks", "pendulum"]);
    const mean = (name: string) => both.pendulum!.data.find((d) => d.name?.startsWith(name) && d.name.endsWith("mean)"))!;
    expect(mean("inside the multi-task agent").x).toEqual([0, 25_000]);
    expect(mean("TD-MPC2 alone").x).toEqual([0, 25_000]);
    expect(both.tasks!.data.filter((d) => d.name?.endsWith("mean)")).map((d) => d.name!.split(" (")[0])).toEqual(["cartpole-swingup", "reacher-easy", "pendulum-swingup"]);
  });
});

describe("tdmpc figures (local executor processes)", () => {
  it("every registered entry's quick grid runs end to end, is drawn, and a rerun reuses every result", async () => {
    const r = await tdmpc(["figures", "run", "--all", "--quick", "--workers", "2"]);
    expect(r.code, r.stderr).toBe(0);
    for (const f of registered) {
      const plan = planEntry(f, { quick: true });
      expect(plan.missing.map((x) => x.id), f.name).toEqual([]);
      for (const base of Object.keys(drawEntry(f, { quick: true }).figures)) for (const ext of ["png", "svg"]) expect(existsSync(join(figuresDir({ quick: true }), `${base}.${ext}`)), `${base}.${ext}`).toBe(true);
      expect(existsSync(join(figuresDir({ quick: true }), `${f.name}.csv`))).toBe(true);
    }
    const before = registered.map((f) => readFileSync(resultsFile(f, { quick: true }), "utf8"));
    const again = await tdmpc(["figures", "run", "--all", "--quick", "--no-draw"]);
    expect(again.code, again.stderr).toBe(0);
    for (const f of registered) expect(again.stderr).toMatch(new RegExp(`${f.name}: (\\d+) runs, \\1 already in .*, 0 to run`));
    expect(registered.map((f) => readFileSync(resultsFile(f, { quick: true }), "utf8"))).toEqual(before);
  }, 900_000);

  it("an executor killed mid-run is replaced and the run retried; a bad config fails with its message, the others finish", async () => {
    // tiny MPC episodes; this process is the scheduler, so its executor is a child of this process
    const mpc = (seed: number): RunSpec => ({ kind: "mpc", sweep: "test", task: "cartpole-swingup", planner: "cem", numSamples: 8, horizon: 2, iterations: 1, steps: 6, replanEvery: 1, seed });
    const tiny = quickTrainRun("tdmpc", "cartpole-swingup");
    // the first run plays 40 steps, so that its bar reports progress before it finishes
    const [first, bad, last] = gridRuns([{ ...mpc(0), steps: 40 }, { ...tiny, overrides: { ...tiny.overrides, num_elites: 64 } }, mpc(1)]) as [GridRun, GridRun, GridRun];
    const file = join(scratch, "kill.csv");
    const lines: string[] = [];
    let killed = false;
    const board: ProgressBoard = {
      // only the first run's own bar kills (the "all runs" bar reaches 1 when the first run is done, which would kill
      // the executor during the next run instead)
      add: (label) => ({
        update(value) {
          if (killed || value < 1 || !label.includes(first.id)) return;
          killed = true;
          for (const pid of execFileSync("pgrep", ["-P", String(process.pid)], { encoding: "utf8" }).split("\n").filter(Boolean)) process.kill(Number(pid), "SIGKILL");
        },
        stop() {},
      }),
      log: (line) => lines.push(line),
      stop() {},
    };
    const jobs = [first, bad, last].map((run) => ({ run, targets: [{ file, format: runKind(run.spec.kind).format }] }));
    const report = await runJobs(jobs, { workers: 1, checkpointRoot: join(scratch, "ck-kill"), board });
    expect(killed).toBe(true);
    // the executor's last stderr lines (e.g. the tfjs banner, when it came before the kill) may sit in between
    expect(lines.join("\n")).toMatch(new RegExp(`executor process \\d+ killed by SIGKILL during the run(; its last output: [^\\n]*)?; ${first.id} goes back in the list \\(try 2 of 2`));
    expect(report.failed).toEqual([{ id: bad.id, message: expect.stringMatching(/config num_elites \(64\) exceeds the planner's population \(16\)/) }]);
    expect(report.done.map((d) => d.id)).toEqual([last.id, first.id]);
    expect(readResults(file)!.rows.map((r) => r.seed)).toEqual(["1", "0"]);
  }, 300_000);

  it("refuses bad input by name", async () => {
    const cases: [string[], RegExp][] = [
      [["figures", "run"], /give a figure name \(see `tdmpc figures list`\) or --all/],
      [["figures", "run", "nope"], /no figure 'nope' in the registry/],
      [["figures", "run", "ch04-latent"], /no figure 'ch04-latent' in the registry; known: .*ch04, ch05/],
      [["figures", "run", "ch02", "--workers", "0"], /--workers must be a positive integer/],
      [["figures", "run", "ch02", "--quick", "--redis", "localhost:6379"], /--redis: 'localhost:6379' must start with redis:\/\//],
      [["worker"], /worker: give --redis redis:\/\/HOST:PORT/],
      [["worker", "--redis", "redis://127.0.0.1:1"], /cannot reach Redis at redis:\/\/127.0.0.1:1: connect ECONNREFUSED/],
    ];
    const results = await Promise.all(cases.map(([args]) => tdmpc(args)));
    cases.forEach(([args, message], i) => {
      expect(results[i]!.code, `tdmpc ${args.join(" ")}`).toBe(1);
      expect(results[i]!.stderr, `tdmpc ${args.join(" ")}`).toMatch(message);
    });
  }, 120_000);
});
