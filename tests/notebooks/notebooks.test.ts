import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatFailure, isCourseMode, listNotebooks, runNotebook, stripOutputs, type Notebook } from "../../src/tooling/notebooks.js";

const root = join(import.meta.dirname, "..", "..");
const fixture = (name: string) => join(root, "tests", "fixtures", name);

describe("notebook runner", () => {
  it("names the failing cell and its error text when a cell throws", async () => {
    const r = await runNotebook(fixture("failing.ipynb"));
    expect(r.ok).toBe(false);
    expect(r.failure?.cellIndex).toBe(2);
    expect(r.failure?.source).toContain("explode()");
    expect(r.failure?.error).toContain("Error: deliberate failure from the fixture");
    expect(formatFailure(r)).toMatch(/FAILED in cell 2[\s\S]*deliberate failure from the fixture/);
  });

  it("reports a TypeScript type error of a cell", async () => {
    const r = await runNotebook(fixture("type-error.ipynb"));
    expect(r.ok).toBe(false);
    expect(r.failure?.cellIndex).toBe(0);
    expect(r.failure?.error).toMatch(/Type 'string' is not assignable to type 'number'/);
  });

  it("the CLI exits non-zero on a failing notebook, zero on a passing one", () => {
    const cli = join(root, "bin", "tdmpc.js");
    const bad = spawnSync(process.execPath, [cli, "notebooks", "run", fixture("failing.ipynb")], { encoding: "utf8" });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("deliberate failure from the fixture");
    expect(bad.stdout).toContain("notebooks: 0 passed, 1 failed");
    const good = spawnSync(process.execPath, [cli, "notebooks", "run", fixture("passing.ipynb")], { encoding: "utf8" });
    expect(good.status).toBe(0);
    expect(good.stdout).toContain("notebooks: 1 passed, 0 failed");
  });
});

describe("course notebooks", () => {
  const notebooks = listNotebooks(root);

  it("are committed without outputs", () => {
    for (const p of notebooks) {
      const nb = JSON.parse(readFileSync(p, "utf8")) as Notebook;
      expect(stripOutputs(nb), `${p} carries outputs: run \`npx tdmpc notebooks strip\``).toBe(false);
    }
  });

  // course-mode notebooks run in Chromium instead (browser.test.ts): running them here too would double the time
  const headless = notebooks.filter((p) => !isCourseMode(p));
  it.skipIf(headless.length === 0).each(headless.map((p) => [p.slice(root.length + 1), p]))("%s runs top to bottom in quick mode", async (_name, p) => {
    const r = await runNotebook(p, { quick: true });
    expect(r.ok, formatFailure(r)).toBe(true);
  });
});
