/**
 * `tdmpc bench plan`: time per action of the course's planner in a learned latent space — TD-MPC2's agent at a
 * preset ("laptop" by default), its sampling planner (sampling.ts) over its LatentPlanningModel, returns scored on
 * onnxruntime as `tdmpc train` scores them — swept over samples × horizon × iterations, against the same loop in
 * PyTorch CPU (1 thread) in the same run (src/nn/bench.ts, scripts/bench_nn_torch.py).
 */
import type { Command } from "commander";
import { PRESETS, TDMPC2_DEFAULTS } from "../agents/config.js";
import { runNnBench, type BenchOptions, type PlanConfig } from "../nn/bench.js";
import { isQuick } from "../util/quick.js";
import { choiceFlag, intFlag, intListFlag } from "../util/validate.js";

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

/**
 * TD-MPC2's planning settings (config.yaml) at each point of the sweep; `num_samples` is the whole population, and
 * the elites (64) and the policy's sequences (24) are capped at an eighth of it.
 */
export function planSweep(samples: number[], horizons: number[], iterations: number[]): PlanConfig[] {
  const d = TDMPC2_DEFAULTS;
  const out: PlanConfig[] = [];
  for (const n of samples)
    for (const h of horizons)
      for (const it of iterations) {
        const eighth = Math.floor(n / 8);
        out.push({ num_samples: n, num_elites: Math.max(1, Math.min(d.num_elites, eighth)), num_pi_trajs: Math.min(d.num_pi_trajs, eighth), horizon: h, iterations: it, min_std: d.min_std, max_std: d.max_std, temperature: d.temperature });
      }
  return out;
}

export function register(_program: Command, bench: Command): void {
  bench
    .command("plan")
    .description("planner time per action (the TD-MPC2 agent's MPPI in its latent space) over samples × horizon × iterations, vs PyTorch CPU")
    .option("--json", "print one JSON array of {samples, horizon, iterations, tfjsMs, torchMs, ratio, backend}")
    .option("--samples <list>", "samples per iteration (num_samples, policy sequences included)", intListFlag("--samples", { min: 1 }), isQuick() ? [64, 256] : [128, 256, 512])
    .option("--horizons <list>", "horizons", intListFlag("--horizons", { min: 1 }), isQuick() ? [3] : [3, 5, 8])
    .option("--iterations <list>", "iterations", intListFlag("--iterations", { min: 1 }), isQuick() ? [2] : [3, 6])
    .option("--preset <name>", "TD-MPC2 preset: the world model's size (laptop, 1M, 5M, official)", choiceFlag("--preset", Object.keys(PRESETS.tdmpc2!)), "laptop")
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
      console.log(`TD-MPC2 agent's planning call (encode + MPPI with policy sequences), ${o.preset} preset (obs 24, action 6); ours on ${o.engine}, PyTorch CPU 1 thread; medians of ${o.reps}`);
      console.log("samples horizon iters   ours ms  torch ms  ratio");
      for (const r of out)
        console.log(`${String(r.samples).padStart(7)} ${String(r.horizon).padStart(7)} ${String(r.iterations).padStart(5)} ${r.tfjsMs.toFixed(1).padStart(9)} ${(r.torchMs?.toFixed(1) ?? "n/a").padStart(9)} ${(r.ratio?.toFixed(2) ?? "n/a").padStart(6)}`);
      for (const n of notes) console.log(`# ${n}`);
    });
}
