/**
 * Runs on many machines through BullMQ on a real Redis (issue 15): `tdmpc worker --redis` processes share a grid
 * and their results equal a local run's; a worker killed with SIGKILL mid-run leaves its run to another worker,
 * which resumes it from the shared checkpoint, and each run lands exactly once; a run with a bad config fails with
 * its message while the others finish. Workers run bin/tdmpc.js: `npm run build` first (npm test does).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runJobs, type Job } from "../../src/experiments/figures-run.js";
import { quickTrainRun } from "../../src/experiments/registry.js";
import { gridRuns, TRAIN_FORMAT, type GridRun, type TrainRun } from "../../src/experiments/run-kinds.js";
import { progressBoard } from "../../src/util/progress.js";
import { readResults } from "../../src/util/results.js";
import { startRedis } from "../helpers/redis.js";

const root = join(import.meta.dirname, "..", "..");
const cli = join(root, "bin", "tdmpc.js");
const scratch = mkdtempSync(join(tmpdir(), "tdmpc-queue-"));
const board = progressBoard({ silent: true });

// two tiny TD-MPC runs of two episodes each (a checkpoint after the first), and one whose config cannot run
const base: TrainRun = { ...quickTrainRun("tdmpc", "cartpole-swingup"), steps: 2000, evalFreq: 1000 };
const runs = gridRuns([1, 2].map((seed) => ({ ...base, seed })));
const [bad] = gridRuns([{ ...base, seed: 3, overrides: { ...base.overrides, num_elites: 64 } }]) as [GridRun];
const jobs = (file: string, rs: GridRun[]): Job[] => rs.map((run) => ({ run, targets: [{ file, format: TRAIN_FORMAT }] }));
/** A results file as sorted lines of every column but wall-clock time. */
const table = (file: string) =>
  readResults(file)!.rows.map((r) => Object.entries(r).filter(([c]) => c !== "wall_sec").map(([c, v]) => `${c}=${v}`).join(",")).sort();

interface WorkerProc {
  proc: ChildProcess;
  lines: string[];
  waitFor(re: RegExp, ms?: number): Promise<RegExpMatchArray>;
}

function startWorker(name: string, url: string, queue: string, checkpoints: string): WorkerProc {
  const proc = spawn(process.execPath, [cli, "worker", "--redis", url, "--queue", queue, "--checkpoint-dir", checkpoints, "--stall-sec", "2", "--name", name], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  let rest = "";
  const take = (d: Buffer) => {
    const parts = (rest + d.toString()).split("\n");
    rest = parts.pop()!;
    lines.push(...parts.filter(Boolean));
  };
  proc.stdout!.on("data", take);
  proc.stderr!.on("data", take);
  return {
    proc,
    lines,
    async waitFor(re, ms = 240_000) {
      for (const t0 = Date.now(); Date.now() - t0 < ms; await new Promise((r) => setTimeout(r, 50))) {
        const m = lines.map((l) => l.match(re)).find(Boolean);
        if (m) return m;
        if (proc.exitCode !== null) break;
      }
      throw new Error(`worker ${name}: no line matching ${re} (exit ${proc.exitCode}); output:\n${lines.join("\n")}`);
    },
  };
}

const stop = async (...ws: WorkerProc[]) => {
  for (const w of ws) if (w.proc.exitCode === null && w.proc.signalCode === null) {
    const exited = new Promise((r) => w.proc.once("exit", r));
    w.proc.kill("SIGTERM");
    await exited;
  }
};

let redis: Awaited<ReturnType<typeof startRedis>>;
const reference = join(scratch, "local.csv");

beforeAll(async () => {
  redis = await startRedis();
  // the same runs on this machine, two executor processes, no Redis
  const r = await runJobs(jobs(reference, runs), { workers: 2, checkpointRoot: join(scratch, "ck-local"), board });
  expect(r.failed).toEqual([]);
}, 300_000);

afterAll(async () => {
  await redis?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe("BullMQ on Redis", () => {
  it("two workers share a grid and the results equal a local run; a bad config fails with its message and the other runs finish", async () => {
    const [a, b] = [startWorker("A", redis.url, "share", join(scratch, "ck-share")), startWorker("B", redis.url, "share", join(scratch, "ck-share"))];
    try {
      await Promise.all([a.waitFor(/A: waiting for runs/), b.waitFor(/B: waiting for runs/)]);
      const file = join(scratch, "share.csv");
      const report = await runJobs(jobs(file, [...runs, bad]), { workers: 1, redis: redis.url, queue: "share", board });
      expect(report.failed).toEqual([{ id: bad.id, message: expect.stringMatching(/config num_elites \(64\) exceeds the planner's population \(16\)/) }]);
      expect(report.done.map((d) => d.id).sort()).toEqual(runs.map((r) => r.id).sort());
      expect(new Set(report.done.map((d) => d.worker))).toEqual(new Set(["A", "B"]));
      expect(table(file)).toEqual(table(reference));
      // failed at once: no second attempt anywhere
      expect([...a.lines, ...b.lines].filter((l) => l.includes(`started ${bad.id}`))).toHaveLength(1);
    } finally {
      await stop(a, b);
    }
  }, 300_000);

  it("a worker killed mid-run (SIGKILL): another worker resumes the run from its checkpoint and each run lands once", async () => {
    const checkpoints = join(scratch, "ck-kill");
    const a = startWorker("A", redis.url, "kill", checkpoints);
    let b: WorkerProc | undefined;
    try {
      await a.waitFor(/A: waiting for runs/);
      const file = join(scratch, "kill.csv");
      const done = runJobs(jobs(file, runs), { workers: 1, redis: redis.url, queue: "kill", board });
      const id = (await a.waitFor(/A: started (\S+)/))[1]!;
      const first = join(checkpoints, id, "checkpoints", "ckpt-0000001");
      for (const t0 = Date.now(); !existsSync(first); await new Promise((r) => setTimeout(r, 20))) if (Date.now() - t0 > 240_000) throw new Error(`no ${first}`);
      a.proc.kill("SIGKILL");
      b = startWorker("B", redis.url, "kill", checkpoints);
      const report = await done;
      expect(report.failed).toEqual([]);
      expect(report.done.map((d) => d.id).sort()).toEqual(runs.map((r) => r.id).sort());
      expect(report.done.every((d) => d.worker === "B")).toBe(true);
      expect(b.lines.join("\n")).toMatch(new RegExp(`${id}: resuming from checkpoint ckpt-000000[1-9]`));
      const rows = readResults(file)!.rows;
      for (const run of runs) {
        const mine = rows.filter((r) => r.run === run.id);
        expect(mine.map((r) => Number(r.row))).toEqual([...Array(Number(mine[0]!.rows)).keys()]);
      }
      expect(table(file)).toEqual(table(reference));
    } finally {
      await stop(a, ...(b ? [b] : []));
    }
  }, 300_000);
});
