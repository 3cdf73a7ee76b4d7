/**
 * `tdmpc bench plan`: time per action of the MPPI planning loop in a learned latent space (TD-MPC2's world model,
 * "laptop" preset by default), swept over samples × horizon × iterations, against the same loop in PyTorch CPU
 * (1 thread) in the same run. Ours runs on the fastest forward engine measured here (onnxruntime, 1 thread).
 */
import type { Command } from "commander";
import { runNnBench, type BenchOptions } from "../nn/bench.js";
import { PLAN_DEFAULTS, type PlanConfig } from "../nn/presets.js";
import { isQuick } from "../util/quick.js";
import { choiceFlag, intFlag, intListFlag } from "../util/validate.js";
import { MODEL_PRESETS } from "../nn/presets.js";

export interface PlanBenchRow {
  samples: number;
  horizon: number;
  iterations: number;
  tfjsMs: number;
  torchMs: number | null;
  ratio: number | null;
  /** Which engine ran ours. */
  backend: string;
}


export function planSweep(samples: number[], horizons: number[], iterations: number[]): PlanConfig[] {
  const out: PlanConfig[] = [];
  for (const n of samples)
    for (const h of horizons)
      for (const it of iterations) out.push({ ...PLAN_DEFAULTS, num_samples: n, num_elites: Math.max(1, Math.min(PLAN_DEFAULTS.num_elites, Math.floor(n / 8))), horizon: h, iterations: it });
  return out;
}

export function register(_program: Command, bench: Command): void {
  bench
    .command("plan")
    .description("planner time per action (MPPI in a learned latent space) over samples × horizon × iterations, vs PyTorch CPU")
    .option("--json", "print one JSON array of {samples, horizon, iterations, tfjsMs, torchMs, ratio, backend}")
    .option("--samples <list>", "samples per iteration", intListFlag("--samples", { min: 1 }), isQuick() ? [64, 256] : [128, 256, 512])
    .option("--horizons <list>", "horizons", intListFlag("--horizons", { min: 1 }), isQuick() ? [3] : [3, 5, 8])
    .option("--iterations <list>", "iterations", intListFlag("--iterations", { min: 1 }), isQuick() ? [2] : [3, 6])
    .option("--preset <name>", "world-model size (laptop, 1M, 5M)", choiceFlag("--preset", Object.keys(MODEL_PRESETS)), "laptop")
    .option("--engine <name>", "tfjs, onnx1 or onnx2", choiceFlag("--engine", ["tfjs", "onnx1", "onnx2"] as const), "onnx1")
    .option("--reps <n>", "timed repetitions (medians)", intFlag("--reps", { min: 1 }), isQuick() ? 2 : 5)
    .action(async (o: { json?: boolean; samples: number[]; horizons: number[]; iterations: number[]; preset: string; engine: "tfjs" | "onnx1" | "onnx2"; reps: number }) => {
      const configs = planSweep(o.samples, o.horizons, o.iterations);
      const opts: BenchOptions = {
        reps: o.reps,
        cases: ["plan"],
        planPresets: [o.preset],
        updatePresets: [],
        engines: [o.engine],
        obsDim: 24,
        actionDim: 6,
        planConfigs: configs,
        torchThreads: [1],
        log: (s) => process.stderr.write(s + "\n"),
      };
      const { rows, notes } = await runNnBench(opts);
      const out: PlanBenchRow[] = rows.map((r) => ({
        samples: r.plan!.num_samples,
        horizon: r.plan!.horizon,
        iterations: r.plan!.iterations,
        tfjsMs: r.oursMs,
        torchMs: r.torchMs,
        ratio: r.ratio,
        backend: r.backend,
      }));
      if (o.json) {
        console.log(JSON.stringify(out));
        return;
      }
      console.log(`MPPI planning call, ${o.preset} world model (obs 24, action 6); ours on ${o.engine}, PyTorch CPU 1 thread; medians of ${o.reps}`);
      console.log("samples horizon iters   ours ms  torch ms  ratio");
      for (const r of out)
        console.log(`${String(r.samples).padStart(7)} ${String(r.horizon).padStart(7)} ${String(r.iterations).padStart(5)} ${r.tfjsMs.toFixed(1).padStart(9)} ${(r.torchMs?.toFixed(1) ?? "n/a").padStart(9)} ${(r.ratio?.toFixed(2) ?? "n/a").padStart(6)}`);
      for (const n of notes) console.log(`# ${n}`);
    });
}
