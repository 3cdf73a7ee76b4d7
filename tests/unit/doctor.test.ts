import { spawnSync } from "node:child_process";
import { mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const cli = join(root, "bin", "tdmpc.js");

function tdmpc(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(process.execPath, [cli, ...args], { cwd: root, env, encoding: "utf8", timeout: 120_000 });
}

describe("tdmpc CLI (compiled: npm test builds first)", () => {
  it("--help lists the sub-commands", () => {
    const r = tdmpc(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("doctor");
    expect(r.stdout).toContain("notebooks");
  });

  it("doctor reports the backend and the MuJoCo version", () => {
    const r = tdmpc(["doctor", "--json"]);
    const checks = JSON.parse(r.stdout) as { name: string; ok: boolean; detail: string }[];
    const byName = Object.fromEntries(checks.map((c) => [c.name, c]));
    expect(byName["tfjs backend"]!.ok).toBe(true);
    expect(byName["tfjs backend"]!.detail).toMatch(/backend: (wasm|tfjs-node)/);
    expect(byName["MuJoCo (WebAssembly)"]!.detail).toMatch(/engine 3\.\d+\.\d+/);
  });

  it("doctor says what to install when Jupyter is not on PATH", () => {
    // A PATH holding only node: no jupyter, no python.
    const bin = mkdtempSync(join(tmpdir(), "tdmpc-path-"));
    symlinkSync(process.execPath, join(bin, "node"));
    const r = tdmpc(["doctor"], { ...process.env, PATH: bin });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/MISSING\s+Jupyter\s+not found on PATH/);
    expect(r.stdout).toContain("apt-get install -y jupyter-notebook jupyter-nbconvert");
    expect(r.stdout).toContain("pip install --user notebook");
  });
});
