/**
 * `tdmpc bench optim`: evaluations to f − f* ≤ 1e-8 for every optimiser × test function × dimension, and the
 * optimiser's own cost (ms inside ask()+tell() per 1,000 evaluations) next to the function's.
 */
import type { Command } from "commander";
import { progress } from "../util/progress.js";
import { budget } from "../util/quick.js";
import { benchmark, DEFAULT_BENCH_FUNCTIONS, OPTIMIZER_LABELS, OPTIMIZERS, type BenchmarkRow, type OptimizerName } from "../optim/benchmark.js";
import { testFunction } from "../optim/functions.js";
import { choiceListFlag, intFlag, intListFlag, listFlag } from "../util/validate.js";


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
    .option("--optimizers <list>", `comma-separated (${OPTIMIZERS.join(", ")})`, choiceListFlag("--optimizers", OPTIMIZERS), [...OPTIMIZERS])
    .option("--functions <list>", "comma-separated test functions (prefix rot- for rotated)", listFlag("--functions"), [...DEFAULT_BENCH_FUNCTIONS])
    .option("--dims <list>", "comma-separated dimensions", intListFlag("--dims", { min: 1 }), budget([2, 10, 30], [2, 10]))
    .option("--seeds <n>", "seeds per cell", intFlag("--seeds", { min: 1 }), budget(10, 3))
    .option("--budget <n>", "evaluations per run = budget × dim (at least --min-evals)", intFlag("--budget", { min: 1 }), 2000)
    .option("--min-evals <n>", "smallest per-run budget", intFlag("--min-evals", { min: 1 }), 4000)
    .option("--json", "print one JSON array of {optimizer, fn, dim, seeds, successes, medianEvals, msPer1000Evals, …}")
    .action(function (this: Command, opts: BenchFlags) {
      try {
        runBench(opts);
      } catch (e) {
        this.error(`tdmpc bench optim: ${(e as Error).message}`); // one clear line, exit code 1
      }
    });
}

interface BenchFlags {
  optimizers: OptimizerName[];
  functions: string[];
  dims: number[];
  seeds: number;
  budget: number;
  minEvals: number;
  json?: boolean;
}

function runBench(opts: BenchFlags): void {
  const { optimizers, functions, dims, seeds, budget: budgetPerDim, minEvals } = opts;
  for (const f of functions) for (const d of dims) testFunction(f, d); // fail early on unknown names / dims
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
