import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { classifyBlas, writeDocTable, type BenchReport } from "../../src/tooling/bench/nn.js";

describe("tdmpc bench nn: a fair peer", () => {
  it("tells OpenBLAS (or MKL, BLIS) from the reference BLAS by the loaded library and the sgemm speed", () => {
    expect(classifyBlas(["/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3", "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so"], 1.2)).toBe("optimised");
    expect(classifyBlas(["/usr/lib/x86_64-linux-gnu/blas/libblas.so.3"], 95.6)).toBe("reference");
    // a library named right but reference-slow (a misconfigured alternative) is refused too
    expect(classifyBlas(["/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3"], 90)).toBe("reference");
  });

  it("regenerates the table between the markers of a doc from a saved report, and only that part", () => {
    const dir = mkdtempSync(join(tmpdir(), "bench-doc-"));
    const doc = join(dir, "speed.md");
    writeFileSync(doc, "# Title\n\nintro\n<!-- bench-nn:begin -->\nold table\n<!-- bench-nn:end -->\n\noutro\n");
    const rep: BenchReport = {
      date: "2026-11-30T06:00:00.000Z",
      machine: { cpu: "AMD EPYC", cores: 2, node: "v20.20.2" },
      peer: { torch: "1.13.0", libraries: ["/x/libopenblasp-r0.3.21.so"], sgemm512Ms: 1.2, blas: "optimised" },
      notes: ["load average at start: 0.5"],
      rows: [{ case: "update TD-MPC2 5M B=256 H=3", backend: "onnxruntime-node 1T", oursMs: 250, torchMs: 330, torchThreads: 1, ratio: 250 / 330, oursCpuMs: 240, torchCpuMs: 320, cpuRatio: 0.75, load: 0.6 }],
    };
    writeDocTable(doc, rep, "data/bench/x.json");
    const text = readFileSync(doc, "utf8");
    expect(text).not.toContain("old table");
    expect(text).toMatch(/^# Title\n\nintro\n<!-- bench-nn:begin -->\n/);
    expect(text).toContain("| update TD-MPC2 5M B=256 H=3 | onnxruntime-node 1T | 250.0");
    expect(text).toContain("0.76×");
    expect(text).toContain("libopenblasp-r0.3.21.so");
    expect(text.endsWith("<!-- bench-nn:end -->\n\noutro\n")).toBe(true);
  });
});
