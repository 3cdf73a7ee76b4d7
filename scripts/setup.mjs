// Set-up for `npm start` / `npm test` / `npm run setup`:
//   (default)      install Jupyter if missing (apt as root, else pip --user), register the tslab kernel
//   --kernel-only  register the tslab kernel in the project-local Jupyter path; warn if Jupyter is missing
//   --start        as default, then start Jupyter Notebook on notebooks/ with that kernel and print the URL
import { spawn } from "node:child_process";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const { installKernel, installJupyter, jupyterEnv, JUPYTER_INSTALL_HINT } = await import(join(root, "dist/tooling/jupyter.js"));
const { which } = await import(join(root, "dist/tooling/paths.js"));

const mode = process.argv.includes("--kernel-only") ? "kernel" : process.argv.includes("--start") ? "start" : "setup";

const spec = installKernel(root);
if (mode === "kernel") {
  if (!which("jupyter")) console.warn(`[setup] tslab kernel registered (${spec}), but:\n${JUPYTER_INSTALL_HINT}`);
  process.exit(0);
}

if (!which("jupyter")) {
  console.log("[setup] Jupyter not found: installing it.");
  if (!installJupyter()) {
    console.error(`\n[setup] could not install Jupyter automatically.\n${JUPYTER_INSTALL_HINT}`);
    process.exit(1);
  }
}
console.log(`[setup] tslab kernel registered: ${spec}`);
if (mode === "setup") process.exit(0);

const port = process.env.PORT ?? "8888";
const ip = process.env.TDMPC_JUPYTER_IP ?? "127.0.0.1";
const args = ["notebook", "--no-browser", `--notebook-dir=${join(root, "notebooks")}`, `--ip=${ip}`, `--port=${port}`];
if (process.getuid?.() === 0) args.push("--allow-root");
console.log(`[setup] starting: jupyter ${args.join(" ")}\n[setup] open the URL printed below (with its token); choose the "TypeScript (tslab, tdmpc-ts)" kernel.`);
const child = spawn("jupyter", args, { env: jupyterEnv(root), stdio: ["inherit", "inherit", "pipe"] });
let announced = false;
child.stderr.on("data", (d) => {
  const s = d.toString();
  process.stderr.write(s);
  const m = s.match(/https?:\/\/[\w.:-]+\/\?token=\w+/);
  if (m && !announced) {
    announced = true;
    console.log(`\n  tdmpc-ts course: ${m[0]}\n`);
  }
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("close", (code) => process.exit(code ?? 0));
