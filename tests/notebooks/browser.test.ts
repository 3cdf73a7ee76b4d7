// What a student sees: every course-mode notebook opened in Jupyter Notebook (the server `npm start` runs, on the
// project root) in headless Chromium, Run All in its default mode. No cell may fail, every image must load, every
// plotly figure must be drawn, each notebook must finish within 5 minutes, and no file of the course may change.
// The wall time per notebook is printed and written to .cache/browser-notebooks.json.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { browserRunOk, formatBrowserRun, runNotebooksInBrowser, type BrowserNotebookRun } from "../../src/tooling/browser.js";
import { isCourseMode, listNotebooks } from "../../src/tooling/notebooks.js";

const root = join(import.meta.dirname, "..", "..");
const LIMIT_SEC = 300;
const fixtures = ["failing.ipynb", "type-error.ipynb", "broken-figures.ipynb"].map((f) => join(root, "tests", "fixtures", f));
const course = listNotebooks(root).filter(isCourseMode);

/** Hash of every file under the folders a Run All must not touch. */
function snapshot(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(p.slice(root.length + 1), createHash("sha1").update(readFileSync(p)).digest("hex"));
    }
  };
  for (const d of ["notebooks", "figures", "data"]) walk(join(root, d));
  return out;
}

let runs: BrowserNotebookRun[] = [];
let before: Map<string, string>;
const run = (p: string) => runs.find((r) => join(root, r.path) === p)!;

describe("notebooks in Jupyter Notebook, in Chromium", () => {
  beforeAll(async () => {
    before = snapshot();
    runs = await runNotebooksInBrowser([...fixtures, ...course], { root, timeoutSec: LIMIT_SEC + 60, log: (l) => console.log(l) });
    const times = runs.filter((r) => course.includes(join(root, r.path))).map((r) => ({ notebook: r.path, seconds: Math.round(r.seconds * 10) / 10, ok: browserRunOk(r) }));
    mkdirSync(join(root, ".cache"), { recursive: true });
    writeFileSync(join(root, ".cache", "browser-notebooks.json"), JSON.stringify(times, null, 1) + "\n");
    console.log(`Run All in Chromium, course mode (limit ${LIMIT_SEC} s each):\n${times.map((t) => `  ${t.notebook.padEnd(36)} ${String(t.seconds).padStart(6)} s ${t.ok ? "ok" : "FAILED"}`).join("\n")}`);
  }, (fixtures.length + course.length) * (LIMIT_SEC + 120) * 1000);

  it("the runner sees what a student would: a failing cell, a type error, a broken image, an undrawn plot", () => {
    const [failing, typeError, broken] = fixtures.map(run);
    expect(failing!.problems[0]).toMatchObject({ cell: 2, kind: "stderr" });
    expect(failing!.problems[0]!.text).toContain("deliberate failure from the fixture");
    expect(typeError!.problems[0]!.text).toMatch(/Type 'string' is not assignable to type 'number'/);
    expect(broken!.images).toEqual({ total: 2, broken: ["../../figures/no-such-figure.png"] });
    expect(broken!.plots).toEqual({ total: 2, undrawn: 1 });
    expect(fixtures.map(run).some(browserRunOk)).toBe(false);
  });

  it("there are course notebooks to run", () => {
    expect(course.length).toBeGreaterThanOrEqual(5);
  });

  it.each(course.map((p) => [p.slice(root.length + 1), p]))(`%s runs top to bottom in course mode within ${LIMIT_SEC} s: no error, every image loaded, every plot drawn`, (_name, p) => {
    const r = run(p);
    expect(browserRunOk(r), formatBrowserRun(r)).toBe(true);
    expect(r.seconds, formatBrowserRun(r)).toBeLessThanOrEqual(LIMIT_SEC);
  });

  it("Run All changes no file under notebooks/, figures/ or data/", () => {
    const after = snapshot();
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter((k) => before.get(k) !== after.get(k));
    expect(changed).toEqual([]);
  });
});
