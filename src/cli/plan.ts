/**
 * `tdmpc bench plan`: time per action of the TD-MPC2 agent's planner over samples × horizon × iterations, against
 * PyTorch CPU (1 thread) in the same run (nn/bench-plan.ts).
 */
import type { Command } from "commander";
import { PRESETS } from "../agents/config.js";
import { runPlanBench } from "../tooling/bench/plan.js";
import { isQuick } from "../util/quick.js";
import { choiceFlag, intFlag, intListFlag } from "../util/validate.js";

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
      const { rows: out, notes } = await runPlanBench({ ...o, log: (s) => process.stderr.write(s + "\n") });
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
