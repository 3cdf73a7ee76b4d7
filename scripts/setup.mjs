// Set-up for `npm start` / `npm test` / `npm run setup`:
//   (default)      install Jupyter if missing (apt as root without recommended packages, else pip --user),
//                  register the tslab kernel
//   --kernel-only  register the tslab kernel in the project-local Jupyter path; warn if Jupyter is missing
//   --start        as default, then start Jupyter Notebook on the project root with that kernel and print the URL
//                  of the notebooks/ folder
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const { installKernel, installJupyter, startNotebookServer, JUPYTER_INSTALL_HINT } = await import(join(root, "dist/tooling/jupyter.js"));
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

// Serve the project root (not notebooks/) so that a notebook's markdown image ../figures/x.png reaches the file,
// as it does on disk and on GitHub; the printed URL opens the notebooks/ folder.
const server = await startNotebookServer({
  root,
  port: Number(process.env.PORT ?? 8888),
  ip: process.env.TDMPC_JUPYTER_IP ?? "127.0.0.1",
  onLog: (s) => process.stderr.write(s),
});
console.log(`\n  tdmpc-ts course: ${server.treeUrl("notebooks")}\n`);
console.log('[setup] open that URL and start with 00-setup.ipynb; the notebooks use the "TypeScript (tslab, tdmpc-ts)" kernel. Ctrl-C stops the server.');
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => void server.stop().then(() => process.exit(0)));
server.process.on("exit", (code) => process.exit(code ?? 0));
