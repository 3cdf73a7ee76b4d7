/**
 * The tdmpc command line: `npx tdmpc --help`. Later chapters add sub-commands (bench, env, train, figures).
 */
import { Command } from "commander";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatChecks, runChecks } from "./tooling/doctor.js";
import { formatFailure, listNotebooks, runNotebook, stripOutputs, type Notebook } from "./tooling/notebooks.js";
import { projectRoot } from "./tooling/paths.js";
import { browserRunOk, runNotebooksInBrowser } from "./tooling/browser.js";
import { register as registerOptim } from "./optim/cli.js";
import { register as registerEnv } from "./envs/cli.js";
import { register as registerRenderBench } from "./envs/render/cli.js";
import { register as registerViz } from "./viz/cli.js";
import { register as registerAgents } from "./agents/cli.js";
import { register as registerNn } from "./nn/cli.js";
import { register as registerEncoderBench } from "./nn/bench-encoder.js";
import { register as registerPlan } from "./planning/cli.js";
import { register as registerFigures } from "./experiments/cli.js";
import { register as registerGrids } from "./experiments/tdmpc-cli.js";
import { register as registerRegistry } from "./experiments/figures-cli.js";
import { intFlag } from "./util/validate.js";

export function buildCli(): Command {
  const program = new Command();
  const pkg = JSON.parse(readFileSync(join(projectRoot(), "package.json"), "utf8")) as { version: string };
  program
    .name("tdmpc")
    .description("tdmpc-ts: model-based RL from CEM and CMA-ES to TD-MPC2, on MuJoCo WebAssembly and TensorFlow.js")
    .version(pkg.version)
    .showHelpAfterError()
    // a command's options belong to it alone: `train pets --task X` must not be read as `train --task X`
    .enablePositionalOptions();

  program
    .command("doctor")
    .description("check Node, the tfjs backend, MuJoCo, Jupyter and the tslab kernel; say what to run for anything missing")
    .option("--json", "print the checks as JSON")
    .action(async (opts: { json?: boolean }) => {
      const checks = await runChecks();
      console.log(opts.json ? JSON.stringify(checks, null, 2) : formatChecks(checks));
      if (checks.some((c) => c.required && !c.ok)) process.exitCode = 1;
    });

  // Each module registers its own sub-commands (src/<module>/cli.ts): `tdmpc bench <topic>`, `tdmpc env …`.
  const bench = program.command("bench").description("benchmarks against peers run in the same call (PyTorch CPU, native MuJoCo)");
  // (register module commands here, one line each)
  registerOptim(program, bench);
  registerEnv(program, bench);
  registerRenderBench(program, bench);
  registerViz(program);
  registerAgents(program);
  registerNn(program, bench);
  registerEncoderBench(bench);
  registerPlan(program, bench);
  registerFigures(program);
  registerGrids(program);
  registerRegistry(program); // figures list|run|draw, worker (after `figures`: it adds to that command)

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
  return program;
}

/** Run the CLI. A failing command prints `error: <message>` (the stack with TDMPC_DEBUG=1) and exits with 1. */
export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (e) {
    console.error(process.env.TDMPC_DEBUG && e instanceof Error ? e.stack : `error: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  }
}
