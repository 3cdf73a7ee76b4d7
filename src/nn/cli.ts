/**
 * `tdmpc bench nn`: tfjs / onnxruntime against PyTorch CPU (see bench.ts).
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { isQuick } from "../util/quick.js";
import { choiceListFlag, intFlag, listFlag } from "../util/validate.js";
import { formatRows, profileUpdate, reportMarkdown, runNnBench, type BenchCase, type BenchEngine, type BenchOptions, type BenchReport } from "./bench.js";

const CASES = ["forward", "plan", "update", "agent"] as const;
const ENGINES = ["tfjs", "onnx1", "onnx2"] as const;

const BEGIN = "<!-- bench-nn:begin -->";
const END = "<!-- bench-nn:end -->";

/** Replace the generated section of a doc (between the bench-nn markers) with the report's table. */
export function writeDocTable(doc: string, rep: BenchReport, source: string): void {
  const text = readFileSync(doc, "utf8");
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${doc}: no ${BEGIN} … ${END} section to regenerate`);
  writeFileSync(doc, text.slice(0, a + BEGIN.length) + "\n" + reportMarkdown(rep, source) + "\n" + text.slice(b));
}

export function register(_program: Command, bench: Command): void {
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
