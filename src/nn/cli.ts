/**
 * `tdmpc bench nn`: tfjs / onnxruntime against PyTorch CPU (see bench.ts).
 */
import type { Command } from "commander";
import { isQuick } from "../util/quick.js";
import { choiceFlag, choiceListFlag, intFlag } from "../util/validate.js";
import { formatRows, profileUpdate, runNnBench, type BenchOptions } from "./bench.js";
import { MODEL_PRESETS } from "./presets.js";

const CASES = ["forward", "plan", "update"] as const;
const ENGINES = ["tfjs", "onnx1", "onnx2"] as const;

export function register(_program: Command, bench: Command): void {
  bench
    .command("nn")
    .description("planning forward/MPPI call and TD-MPC2 update step: ours (tfjs, onnxruntime) vs PyTorch CPU 1 and 2 threads, interleaved")
    .option("--json", "print one JSON array of {case, backend, tfjsMs, torchMs, torchThreads, ratio} (medians)")
    .option("--reps <n>", "timed repetitions per case (medians)", intFlag("--reps", { min: 1 }), isQuick() ? 2 : 5)
    .option("--cases <list>", "forward,plan,update", choiceListFlag("--cases", CASES), [...CASES])
    .option("--plan-presets <list>", "presets for the planning cases", choiceListFlag("--plan-presets", Object.keys(MODEL_PRESETS)), ["5M", "laptop"])
    .option("--update-presets <list>", "presets for the update case", choiceListFlag("--update-presets", Object.keys(MODEL_PRESETS)), ["laptop", "1M", "5M"])
    .option("--engines <list>", "tfjs,onnx1,onnx2 (onnxruntime with 1 or 2 intra-op threads)", choiceListFlag("--engines", ENGINES), [...ENGINES])
    .option("--profile <preset>", "instead: profile one tfjs update step (matMul vs elementwise vs data movement vs overhead)", choiceFlag("--profile", Object.keys(MODEL_PRESETS)))
    .action(async (o: { json?: boolean; reps: number; cases: BenchOptions["cases"]; planPresets: string[]; updatePresets: string[]; engines: BenchOptions["engines"]; profile?: string }) => {
      const log = (s: string) => process.stderr.write(s + "\n");
      if (o.profile) {
        const p = await profileUpdate(o.profile);
        if (o.json) console.log(JSON.stringify(p));
        else {
          console.log(`update step ${o.profile} on tfjs: wall ${p.wallMs.toFixed(0)} ms (unprofiled run), ${p.kernels} kernels`);
          console.log(`  matMul ${p.matMulMs.toFixed(0)} ms | elementwise+reductions ${p.elementwiseMs.toFixed(0)} ms | data movement ${p.otherKernelMs.toFixed(0)} ms | overhead (wall − kernels) ${p.overheadMs.toFixed(0)} ms`);
          for (const k of p.top) console.log(`  ${k.name.padEnd(16)} ${k.ms.toFixed(1).padStart(8)} ms  ×${k.n}`);
        }
        return;
      }
      const opts: BenchOptions = {
        reps: o.reps,
        cases: o.cases,
        planPresets: o.planPresets,
        updatePresets: o.updatePresets,
        engines: o.engines,
        obsDim: 24,
        actionDim: 6,
        log,
      };
      const { rows, notes } = await runNnBench(opts);
      if (o.json) {
        for (const n of notes) log(n);
        console.log(JSON.stringify(rows));
      } else {
        console.log(formatRows(rows));
        for (const n of notes) console.log(n);
        console.log("obs dim 24, action dim 6; ratio = ours / torch (lower is better); medians of interleaved runs");
      }
    });
}
