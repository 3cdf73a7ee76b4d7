/**
 * `tdmpc bench nn`: tfjs / onnxruntime against PyTorch CPU (see bench.ts).
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { isQuick } from "../util/quick.js";
import { formatRows, profileUpdate, reportMarkdown, runNnBench, type BenchCase, type BenchEngine, type BenchOptions, type BenchReport } from "./bench.js";

const list = (s: string) => s.split(",").map((x) => x.trim()).filter(Boolean);

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
    .option("--reps <n>", "timed repetitions per case (medians)", isQuick() ? "2" : "5")
    .option("--cases <list>", "forward,plan,update,agent", "forward,plan,update,agent")
    .option("--plan-presets <list>", "presets for the forward and planning cases", "5M,laptop")
    .option("--update-presets <list>", "TD-MPC2 presets and/or tdmpc (TD-MPC at the official sizes) for the update case", "tdmpc,laptop,1M,5M")
    .option("--agent-presets <list>", "presets for the agent step (plan + update)", "tdmpc,5M")
    .option("--engines <list>", "tfjs,onnx1,onnx2 (onnxruntime with 1 or 2 intra-op threads)", "onnx1,onnx2")
    .option("--profile <preset>", "instead: profile one tfjs update step (matMul vs elementwise vs data movement vs overhead)")
    .action(async (o: { json?: boolean; save?: string; doc?: string; from?: string; reps: string; cases: string; planPresets: string; updatePresets: string; agentPresets: string; engines: string; profile?: string }) => {
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
        const reps = Number(o.reps);
        if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps must be a positive integer, got ${o.reps}`);
        const opts: BenchOptions = {
          reps,
          cases: list(o.cases) as BenchCase[],
          planPresets: list(o.planPresets),
          updatePresets: list(o.updatePresets),
          agentPresets: list(o.agentPresets),
          engines: list(o.engines) as BenchEngine[],
          obsDim: 24,
          actionDim: 6,
          log,
        };
        for (const c of opts.cases) if (!["forward", "plan", "update", "agent"].includes(c)) throw new Error(`unknown case "${c}" (forward, plan, update, agent)`);
        for (const e of opts.engines) if (!["tfjs", "onnx1", "onnx2"].includes(e)) throw new Error(`unknown engine "${e}" (tfjs, onnx1, onnx2)`);
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
