/**
 * `tdmpc notebooks run | browser | strip`: the course notebooks headless (tslab), in Chromium, and without outputs.
 */
import type { Command } from "commander";
import { readFileSync, writeFileSync } from "node:fs";
import { browserRunOk, runNotebooksInBrowser } from "../tooling/browser.js";
import { formatFailure, listNotebooks, runNotebook, stripOutputs, type Notebook } from "../tooling/notebooks.js";
import { intFlag } from "../util/validate.js";

export function register(program: Command): void {
  const nb = program.command("notebooks").description("run or clean the course notebooks");
  nb.command("run")
    .description("execute notebooks headless with the tslab kernel (quick mode unless --full); report the failing cell")
    .argument("[paths...]", "notebooks to run (default: every notebooks/NN-*.ipynb)")
    .option("--full", "without TDMPC_QUICK: course-mode notebooks run their default mode, the others their full budgets")
    .option("--timeout <sec>", "per-cell timeout in seconds", intFlag("--timeout", { min: 1 }), 1800)
    .option("-v, --verbose", "stream nbconvert's output")
    .action(async (paths: string[], opts: { full?: boolean; timeout: number; verbose?: boolean }) => {
      const list = paths.length ? paths : listNotebooks();
      let failed = 0;
      for (const p of list) {
        const r = await runNotebook(p, { quick: !opts.full, cellTimeoutSec: opts.timeout, verbose: opts.verbose });
        (r.ok ? console.log : console.error)(formatFailure(r));
        if (!r.ok) failed++;
      }
      console.log(`notebooks: ${list.length - failed} passed, ${failed} failed`);
      if (failed) process.exitCode = 1;
    });
  nb.command("browser")
    .description("open notebooks in Jupyter Notebook with headless Chromium, Run All (course mode), report errors, broken images, undrawn plots and the time per notebook")
    .argument("[paths...]", "notebooks to run (default: every notebooks/NN-*.ipynb)")
    .option("--timeout <sec>", "limit per notebook, seconds", "600")
    .option("--json", "print one JSON array of the results")
    .action(async (paths: string[], opts: { timeout: string; json?: boolean }) => {
      const list = paths.length ? paths : listNotebooks();
      const runs = await runNotebooksInBrowser(list, { timeoutSec: Number(opts.timeout), log: opts.json ? undefined : (l) => console.log(l) });
      if (opts.json) console.log(JSON.stringify(runs));
      const failed = runs.filter((r) => !browserRunOk(r)).length;
      if (!opts.json) console.log(`notebooks in the browser: ${runs.length - failed} passed, ${failed} failed`);
      if (failed) process.exitCode = 1;
    });
  nb.command("strip")
    .description("remove outputs from notebooks (committed notebooks carry none)")
    .argument("[paths...]", "notebooks (default: all under notebooks/)")
    .option("--check", "only report notebooks that carry outputs; exit 1 if any")
    .action((paths: string[], opts: { check?: boolean }) => {
      const list = paths.length ? paths : listNotebooks();
      let dirty = 0;
      for (const p of list) {
        const nbJson = JSON.parse(readFileSync(p, "utf8")) as Notebook;
        if (stripOutputs(nbJson)) {
          dirty++;
          if (opts.check) console.error(`${p}: carries outputs (run \`npx tdmpc notebooks strip\`)`);
          else {
            writeFileSync(p, JSON.stringify(nbJson, null, 1) + "\n");
            console.log(`${p}: stripped`);
          }
        }
      }
      if (opts.check && dirty) process.exitCode = 1;
    });
}
