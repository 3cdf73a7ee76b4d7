/**
 * The tdmpc command line: `npx tdmpc --help` (bin/tdmpc.js). One file per command group in this folder; the library
 * does the work, these files parse arguments and print.
 */
import { Command } from "commander";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { formatChecks, runChecks } from "../tooling/doctor.js";
import { projectRoot } from "../tooling/paths.js";
import { register as registerOptim } from "./optim.js";
import { register as registerEnv } from "./env.js";
import { register as registerRender } from "./render.js";
import { register as registerTrain } from "./train.js";
import { register as registerNn } from "./nn.js";
import { register as registerPlan } from "./plan.js";
import { register as registerOracle } from "./oracle.js";
import { register as registerFigures } from "./figures.js";
import { register as registerGrid } from "./grid.js";
import { register as registerWorker } from "./worker.js";
import { register as registerNotebooks } from "./notebooks.js";

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

  // Each command group registers its commands (src/cli/<group>.ts): `tdmpc bench <topic>`, `tdmpc env …`.
  const bench = program.command("bench").description("benchmarks against peers run in the same call (PyTorch CPU, native MuJoCo)");
  // (register command groups here, one line each; the order is the order of `--help`)
  registerOptim(program, bench);
  registerEnv(program, bench);
  registerRender(program, bench); // bench render, render
  registerTrain(program); // train, train pets, export, eval
  registerNn(program, bench); // bench nn, bench encoder
  registerPlan(program, bench);
  registerOracle(program);
  registerFigures(program); // figures <chapter>, figures list|run|adopt|draw
  registerGrid(program); // grid, study
  registerWorker(program);
  registerNotebooks(program);
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
