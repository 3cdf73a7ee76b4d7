/**
 * `tdmpc bench optim`: evaluations to f − f* ≤ 1e-8 for every optimiser × test function × dimension, and the
 * optimiser's own cost (ms inside ask()+tell() per 1,000 evaluations) next to the function's.
 */
import type { Command } from "commander";
import { progress } from "../util/progress.js";
import { budget } from "../util/quick.js";
import { benchmark, DEFAULT_BENCH_FUNCTIONS, OPTIMIZER_LABELS, OPTIMIZERS, type BenchmarkRow, type OptimizerName } from "./benchmark.js";
import { testFunction } from "./functions.js";

function list(s: string): string[] {
  return s.split(",").map((x) => x.trim()).filter(Boolean);
}

function fmtGap(v: number): string {
  return v === 0 ? "0" : v.toExponential(1);
}

/** Plain-text table, one line per optimiser × function × dimension. */
export function formatOptimRows(rows: BenchmarkRow[]): string {
  const head = ["function", "dim", "optimizer", "success", "median evals", "median best f−f*", "budget", "opt ms/1k evals", "f ms/1k evals"];
  const body = rows.map((r) => [
    r.fn,
    String(r.dim),
    OPTIMIZER_LABELS[r.optimizer as OptimizerName] ?? r.optimizer,
    `${r.successes}/${r.seeds}`,
    r.medianEvals === null ? "—" : String(Math.round(r.medianEvals)),
    fmtGap(r.medianBestGap),
    String(r.maxEvals),
    r.msPer1000Evals.toFixed(2),
    r.fnMsPer1000Evals.toFixed(2),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

export function register(_program: Command, bench: Command): void {
  bench
    .command("optim")
    .description("CEM vs CMA-ES vs sep-CMA-ES vs IPOP-CMA-ES: evaluations to f − f* ≤ 1e-8 on the test functions, and optimiser overhead")
    .option("--optimizers <list>", `comma-separated (${OPTIMIZERS.join(", ")})`, OPTIMIZERS.join(","))
    .option("--functions <list>", "comma-separated test functions (prefix rot- for rotated)", DEFAULT_BENCH_FUNCTIONS.join(","))
    .option("--dims <list>", "comma-separated dimensions", budget("2,10,30", "2,10"))
    .option("--seeds <n>", "seeds per cell", budget("10", "3"))
    .option("--budget <n>", "evaluations per run = budget × dim (at least --min-evals)", "2000")
    .option("--min-evals <n>", "smallest per-run budget", "4000")
    .option("--json", "print one JSON array of {optimizer, fn, dim, seeds, successes, medianEvals, msPer1000Evals, …}")
    .action(function (this: Command, opts: { optimizers: string; functions: string; dims: string; seeds: string; budget: string; minEvals: string; json?: boolean }) {
      try {
        runBench(opts);
      } catch (e) {
        this.error(`tdmpc bench optim: ${(e as Error).message}`); // one clear line, exit code 1
      }
    });
}

function runBench(opts: { optimizers: string; functions: string; dims: string; seeds: string; budget: string; minEvals: string; json?: boolean }): void {
  const optimizers = list(opts.optimizers);
  for (const o of optimizers) if (!(OPTIMIZERS as readonly string[]).includes(o)) throw new Error(`unknown optimizer "${o}"; known: ${OPTIMIZERS.join(", ")}`);
  const functions = list(opts.functions);
  const dims = list(opts.dims).map(Number);
  for (const d of dims) if (!Number.isInteger(d) || d < 1) throw new Error(`--dims: "${d}" is not a positive integer`);
  for (const f of functions) for (const d of dims) testFunction(f, d); // fail early on unknown names / dims
  const seeds = Number(opts.seeds);
  const budgetPerDim = Number(opts.budget);
  const minEvals = Number(opts.minEvals);
  for (const [k, v] of [["--seeds", seeds], ["--budget", budgetPerDim], ["--min-evals", minEvals]] as const)
    if (!Number.isInteger(v) || v < 1) throw new Error(`${k} must be a positive integer, got ${v}`);
  const total = optimizers.length * functions.length * dims.length * seeds;
  const bar = progress(total, "bench optim");
  const { rows } = benchmark({
    optimizers,
    functions,
    dims,
    seeds,
    budgetPerDim,
    minEvals,
    onRun: (done, _t, r) => bar.update(done, { run: `${r.optimizer} ${r.fn} ${r.dim}D` }),
  });
  bar.stop();
  if (opts.json) console.log(JSON.stringify(rows));
  else {
    console.log(formatOptimRows(rows));
    console.log(
      "\nsuccess: runs reaching f − f* ≤ 1e-8 within the budget; median evals over the successful runs;" +
        "\nopt ms/1k evals: time inside ask()+tell() per 1,000 evaluations (the optimiser's overhead), f ms: the test function's own cost.",
    );
  }
}
