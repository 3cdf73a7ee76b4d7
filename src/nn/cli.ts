/**
 * `tdmpc bench nn`: tfjs / onnxruntime against PyTorch CPU (see bench.ts).
 */
import type { Command } from "commander";
import { isQuick } from "../util/quick.js";
import { formatRows, profileUpdate, runNnBench, type BenchOptions } from "./bench.js";

const list = (s: string) => s.split(",").map((x) => x.trim()).filter(Boolean);

export function register(_program: Command, bench: Command): void {
  bench
    .command("nn")
    .description("planning forward/MPPI call and TD-MPC2 update step: ours (tfjs, onnxruntime) vs PyTorch CPU 1 and 2 threads, interleaved")
    .option("--json", "print one JSON array of {case, backend, tfjsMs, torchMs, torchThreads, ratio} (medians)")
    .option("--reps <n>", "timed repetitions per case (medians)", isQuick() ? "2" : "5")
    .option("--cases <list>", "forward,plan,update", "forward,plan,update")
    .option("--plan-presets <list>", "presets for the planning cases", "5M,laptop")
    .option("--update-presets <list>", "presets for the update case", "laptop,1M,5M")
    .option("--engines <list>", "tfjs,onnx1,onnx2 (onnxruntime with 1 or 2 intra-op threads)", "tfjs,onnx1,onnx2")
    .option("--profile <preset>", "instead: profile one tfjs update step (matMul vs elementwise vs data movement vs overhead)")
    .action(async (o: { json?: boolean; reps: string; cases: string; planPresets: string; updatePresets: string; engines: string; profile?: string }) => {
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
      const reps = Number(o.reps);
      if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps must be a positive integer, got ${o.reps}`);
      const opts: BenchOptions = {
        reps,
        cases: list(o.cases) as BenchOptions["cases"],
        planPresets: list(o.planPresets),
        updatePresets: list(o.updatePresets),
        engines: list(o.engines) as BenchOptions["engines"],
        obsDim: 24,
        actionDim: 6,
        log,
      };
      for (const c of opts.cases) if (!["forward", "plan", "update"].includes(c)) throw new Error(`unknown case "${c}" (forward, plan, update)`);
      for (const e of opts.engines) if (!["tfjs", "onnx1", "onnx2"].includes(e)) throw new Error(`unknown engine "${e}" (tfjs, onnx1, onnx2)`);
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
