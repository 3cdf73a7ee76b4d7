/**
 * The CLI as a user meets it (issue 12): every bad flag is refused naming the flag, long commands survive kill -9
 * (the same command again: no duplicate row, no gap, and PETS plays the episodes the uninterrupted run plays), and
 * smoke runs do not write into the committed results. Runs bin/tdmpc.js, so it needs `npm run build` first.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { parseResults, type ResultRow } from "../../src/util/results.js";

const root = join(import.meta.dirname, "..", "..");
const cli = join(root, "bin", "tdmpc.js");
const scratch = mkdtempSync(join(tmpdir(), "tdmpc-cli-"));
// default results and checkpoints go to scratch folders, never to the project or ~/.cache
const env = { ...process.env, TDMPC_RESULTS_DIR: join(scratch, "results"), TDMPC_CACHE_DIR: join(scratch, "cache"), TDMPC_QUICK: "1" };

function tdmpc(args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((done) => {
    const p = spawn(process.execPath, [cli, ...args], { cwd: scratch, env });
    let stdout = "", stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    p.on("close", (code) => done({ code, stdout, stderr }));
  });
}

const rowsOf = (file: string): ResultRow[] => (existsSync(file) ? parseResults(readFileSync(file, "utf8")).rows : []);

/** Start the command, SIGKILL it once `file` holds `rows` rows, wait for it to die; returns the rows left. */
async function killAfter(args: string[], file: string, rows: number): Promise<ResultRow[]> {
  const p = spawn(process.execPath, [cli, ...args], { cwd: scratch, env, stdio: "ignore" });
  const exited = new Promise((r) => p.on("exit", r));
  for (let t = 0; t < 1200 && p.exitCode === null; t++) {
    if (rowsOf(file).length >= rows) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  p.kill("SIGKILL");
  await exited;
  expect(p.signalCode, "the run ended before it could be killed: give it more work").toBe("SIGKILL");
  return rowsOf(file);
}

describe("bad flags: exit code 1 and a message that names the flag (issue 12, item 6)", () => {
  // the cases, through a real process
  const exec: [string[], RegExp][] = [
    [["train", "pets", "--iters", "-1"], /--iters must be a non-negative integer, got '-1'/],
    [["train", "pets", "--iters", "abc"], /--iters must be a non-negative integer, got 'abc'/],
    [["train", "pets", "--episode-steps", "0"], /--episode-steps must be a positive integer/],
    [["train", "pets", "--seeds", "0,,1"], /--seeds has an empty entry/],
    [["oracle", "--seeds", "0,,0"], /--seeds has an empty entry/],
  ];
  it("tdmpc train pets --iters/--episode-steps/--seeds, tdmpc oracle --seeds (exec)", async () => {
    const results = await Promise.all(exec.map(([args]) => tdmpc(args)));
    exec.forEach(([args, message], i) => {
      expect(results[i]!.code, `tdmpc ${args.join(" ")}: ${results[i]!.stderr}`).toBe(1);
      expect(results[i]!.stderr, `tdmpc ${args.join(" ")}`).toMatch(message);
    });
  });

  // every other command's flags, through main() in this process (the same code path, without a process start each)
  const inProcess: [string[], RegExp][] = [
    [["train", "pets", "--seeds", "1,1"], /--seeds lists '1' twice/],
    [["train", "pets", "--task", "cartpole-swing"], /--task must be one of .*cartpole-swingup/],
    [["oracle", "--steps", "2.5"], /--steps must be a positive integer/],
    [["oracle", "--tasks", "cartpole-swingup,walker-fly"], /--tasks: unknown entry 'walker-fly'/],
    [["env", "check", "cartpole-swingup", "--seed", "x"], /--seed must be a non-negative integer/],
    [["env", "check", "cartpole-swingup", "--action-repeat", "0"], /--action-repeat must be a positive integer/],
    [["bench", "env", "--steps", "0"], /--steps must be a positive integer/],
    [["bench", "optim", "--dims", "2,,3"], /--dims has an empty entry/],
    [["bench", "optim", "--optimizers", "cem,pso"], /--optimizers: unknown entry 'pso'/],
    [["bench", "nn", "--reps", "1e3"], /--reps must be a positive integer, got '1e3'/],
    [["bench", "nn", "--engines", "tfjs,tfjs"], /--engines lists 'tfjs' twice/],
    [["bench", "plan", "--horizons", "3,-1"], /--horizons entry must be a positive integer, got '-1'/],
    [["bench", "plan", "--engine", "gpu"], /--engine must be one of tfjs, onnx1, onnx2/],
    [["notebooks", "run", "--timeout", "0"], /--timeout must be a positive integer/],
  ];
  it("env check, bench env/optim/nn/plan, notebooks run, and more of train pets / oracle (main())", async () => {
    const { main } = await import("../../src/cli/index.js");
    for (const [args, message] of inProcess) {
      const errors: string[] = [];
      const spy = vi.spyOn(console, "error").mockImplementation((m: unknown) => void errors.push(String(m)));
      try {
        await main(["node", "tdmpc", ...args]);
      } finally {
        spy.mockRestore();
      }
      expect(process.exitCode, `tdmpc ${args.join(" ")}`).toBe(1);
      process.exitCode = undefined;
      expect(errors.join("\n"), `tdmpc ${args.join(" ")}`).toMatch(message);
    }
  });
});

describe("kill -9, then the same command again: no duplicate, no gap (issue 12, items 1 and 7)", () => {
  it("tdmpc train pets resumes from its checkpoint and plays exactly the episodes of an uninterrupted run", async () => {
    const args = (out: string) => ["train", "pets", "--iters", "2", "--episode-steps", "4", "--out", out];
    const whole = join(scratch, "pets-whole.csv");
    const cut = join(scratch, "pets-cut.csv");
    const ref = await tdmpc(args(whole));
    expect(ref.code, ref.stderr).toBe(0);
    const left = await killAfter(args(cut), cut, 2);
    expect(left.length).toBeLessThan(3);
    const again = await tdmpc(args(cut));
    expect(again.code, again.stderr).toBe(0);
    const a = rowsOf(whole);
    const b = rowsOf(cut);
    expect(b.map((r) => r.iteration)).toEqual(["-1", "0", "1"]);
    for (const col of ["envSteps", "episodeReturn", "modelLoss"]) expect(b.map((r) => r[col]), col).toEqual(a.map((r) => r[col]));
    // the same file with another episode length would mix two runs: refused before anything runs
    const other = await tdmpc(["train", "pets", "--iters", "2", "--episode-steps", "5", "--out", cut]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/iteration -1 with envSteps 32, but this run gives 40 \(another --episode-steps\?\)/);
  });

  it("tdmpc oracle skips the finished episodes and writes the rest once; by default outside data/results", async () => {
    const out = join(scratch, "oracle.csv");
    const args = ["oracle", "--tasks", "point_mass-easy", "--seeds", "0,1,2,3,4", "--steps", "4", "--out", out];
    const left = await killAfter(args, out, 1);
    expect(left.length).toBeLessThan(5);
    const again = await tdmpc(args);
    expect(again.code, again.stderr).toBe(0);
    expect(rowsOf(out).map((r) => r.seed)).toEqual(["0", "1", "2", "3", "4"]);

    const committed = join(root, "data", "results", "oracle-mpc.csv");
    const before = existsSync(committed) ? readFileSync(committed, "utf8") : "";
    const smoke = await tdmpc(["oracle", "--tasks", "point_mass-easy", "--seeds", "0", "--steps", "2", "--json"]);
    expect(smoke.code, smoke.stderr).toBe(0);
    expect(rowsOf(join(env.TDMPC_RESULTS_DIR, "oracle-mpc.csv"))).toHaveLength(1);
    expect(existsSync(committed) ? readFileSync(committed, "utf8") : "").toBe(before);
    expect(JSON.parse(smoke.stdout)).toEqual([expect.objectContaining({ task: "point_mass-easy", steps: 2, seeds: 1 })]);
  });
});

it("the committed results still read (legacy header without the check column)", () => {
  for (const f of ["oracle-mpc.csv", "pets-cartpole-swingup.csv", "ch02-mpc.csv"]) {
    const p = join(root, "data", "results", f);
    if (existsSync(p)) expect(parseResults(readFileSync(p, "utf8"), p).rows.length, f).toBeGreaterThan(0);
  }
});
