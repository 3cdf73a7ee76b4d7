/**
 * `tdmpc bench nn`: tfjs / onnxruntime against PyTorch CPU (nn/bench.ts); `tdmpc bench encoder`: the pixel encoders
 * against PyTorch CPU (nn/bench-encoder.ts).
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { formatRows, profileUpdate, runNnBench, writeDocTable, type BenchCase, type BenchEngine, type BenchOptions, type BenchReport } from "../tooling/bench/nn.js";
import { benchEncoders } from "../tooling/bench/encoder.js";
import type { ConvEncoderKind } from "../nn/conv.js";
import { isQuick } from "../util/quick.js";
import { choiceListFlag, intFlag, listFlag } from "../util/validate.js";

const CASES = ["forward", "plan", "update", "agent"] as const;
const ENGINES = ["tfjs", "onnx1", "onnx2"] as const;

export function register(_program: Command, bench: Command): void {
  registerNn(bench);
  registerEncoder(bench);
}

function registerNn(bench: Command): void {
  bench
    .command("nn")
    .description("forward, planning call, TD-MPC/TD-MPC2 update and agent step: ours (onnxruntime, tfjs) vs PyTorch CPU 1 thread, interleaved")
    .option("--json", "print the report as JSON ({date, machine, peer, notes, rows})")
    .option("--save <file>", "also write the JSON report to this file (e.g. data/bench/nn.json)")
    .option("--doc <file>", "regenerate the table between the bench-nn markers of this Markdown file from the report")
    .option("--from <file>", "do not measure: read a saved JSON report (with --doc: regenerate the table from it)")
    .option("--reps <n>", "timed repetitions per case (medians)", intFlag("--reps", { min: 1 }), isQuick() ? 2 : 5)
    .option("--cases <list>", "forward,plan,update,agent", choiceListFlag("--cases", CASES), [...CASES])
    .option("--plan-presets <list>", "presets for the forward and planning cases", listFlag("--plan-presets"), ["5M", "laptop"])
    .option("--update-presets <list>", "TD-MPC2 presets and/or tdmpc (TD-MPC at the official sizes) for the update case", listFlag("--update-presets"), ["tdmpc", "laptop", "1M", "5M"])
    .option("--agent-presets <list>", "presets for the agent step (plan + update)", listFlag("--agent-presets"), ["tdmpc", "5M"])
    .option("--engines <list>", "tfjs,onnx1,onnx2 (onnxruntime with 1 or 2 intra-op threads)", choiceListFlag("--engines", ENGINES), ["onnx1", "onnx2"])
    .option("--profile <preset>", "instead: profile one tfjs update step (matMul vs elementwise vs data movement vs overhead)")
    .action(async (o: { json?: boolean; save?: string; doc?: string; from?: string; reps: number; cases: BenchCase[]; planPresets: string[]; updatePresets: string[]; agentPresets: string[]; engines: BenchEngine[]; profile?: string }) => {
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
      let rep: BenchReport;
      let source = o.from ?? o.save ?? "this run";
      if (o.from) rep = JSON.parse(readFileSync(o.from, "utf8")) as BenchReport;
      else {
        const opts: BenchOptions = {
          reps: o.reps,
          cases: o.cases,
          planPresets: o.planPresets,
          updatePresets: o.updatePresets,
          agentPresets: o.agentPresets,
          engines: o.engines,
          obsDim: 24,
          actionDim: 6,
          log,
        };
        rep = await runNnBench(opts);
        if (o.save) writeFileSync(o.save, JSON.stringify(rep, null, 1) + "\n");
        source = o.save ?? source;
      }
      if (o.doc) writeDocTable(o.doc, rep, source);
      if (o.json) {
        for (const n of rep.notes) log(n);
        console.log(JSON.stringify(rep));
      } else {
        console.log(formatRows(rep.rows));
        for (const n of rep.notes) console.log(n);
        console.log("obs dim 24, action dim 6; ratio = ours / torch (lower is better); medians of interleaved runs");
      }
    });
}

function registerEncoder(bench: Command): void {
  bench
    .command("encoder")
    .description("pixel encoders (TD-MPC 84×84, TD-MPC2 64×64, IMPALA 84×84): forward and forward+backward at batch 256, ours vs PyTorch CPU 1 thread")
    .option("--kinds <list>", "tdmpc,tdmpc2,impala", "tdmpc,tdmpc2,impala")
    .option("--batch <n>", "batch size", "256")
    .option("--reps <n>", "timed repetitions (medians)", isQuick() ? "1" : "3")
    .option("--json", "print one JSON array of {kind, size, batch, forwardMs, trainMs, torchForwardMs, torchTrainMs}")
    .action(async (o: { kinds: string; batch: string; reps: string; json?: boolean }) => {
      const batch = Number(o.batch);
      const reps = Number(o.reps);
      if (!Number.isInteger(batch) || batch < 1) throw new Error(`--batch must be a positive integer, got '${o.batch}'`);
      if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps must be a positive integer, got '${o.reps}'`);
      const sizes: Record<string, number> = { tdmpc: 84, tdmpc2: 64, impala: 84 };
      const cases = o.kinds.split(",").map((k) => {
        const kind = k.trim();
        if (!(kind in sizes)) throw new Error(`unknown encoder '${kind}' (tdmpc, tdmpc2, impala)`);
        return { kind: kind as ConvEncoderKind, size: sizes[kind] };
      });
      const rows = await benchEncoders(cases, batch, reps, (s) => process.stderr.write(s + "\n"));
      if (o.json) {
        console.log(JSON.stringify(rows));
        return;
      }
      console.log("| encoder | frame | batch | ours fwd ms | ours fwd+bwd ms | PyTorch fwd ms | PyTorch fwd+bwd ms | ratio fwd+bwd |");
      console.log("|---|---|---:|---:|---:|---:|---:|---:|");
      for (const r of rows) {
        const ratio = r.torchTrainMs ? (r.trainMs / r.torchTrainMs).toFixed(2) : "-";
        console.log(`| ${r.kind} | ${r.size}×${r.size} | ${r.batch} | ${r.forwardMs.toFixed(0)} | ${r.trainMs.toFixed(0)} | ${r.torchForwardMs?.toFixed(0) ?? "-"} | ${r.torchTrainMs?.toFixed(0) ?? "-"} | ${ratio} |`);
      }
      console.log("ours: tfjs on the backend above, one thread; PyTorch: /usr/bin/python3, torch.set_num_threads(1); medians, alternating runs");
    });
}
