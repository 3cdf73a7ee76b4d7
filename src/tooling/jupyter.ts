/**
 * Jupyter plumbing: find Jupyter, register the tslab kernel in a project-local Jupyter path (no writes to
 * the user's ~/.local), install Jupyter when it is missing, and the environment every notebook run uses.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { projectRoot, which } from "./paths.js";

/** Debian packages that give a working classic Notebook + nbconvert + nbclient (PLATFORM.md). */
export const JUPYTER_APT_PACKAGES = ["jupyter-notebook", "jupyter-nbconvert", "python3-nbclient", "python3-ipykernel"];

export const JUPYTER_INSTALL_HINT =
  `Jupyter is not installed. Install it with one of:\n` +
  `  sudo apt-get install -y ${JUPYTER_APT_PACKAGES.join(" ")}     (Debian/Ubuntu)\n` +
  `  python3 -m pip install --user notebook nbconvert              (where pip reaches PyPI)\n` +
  `then run \`npm start\` again (\`npx tdmpc doctor\` checks every piece).`;

export function kernelDataDir(root = projectRoot()): string {
  return join(root, ".jupyter", "share", "jupyter");
}

export function kernelSpecPath(root = projectRoot()): string {
  return join(kernelDataDir(root), "kernels", "tslab", "kernel.json");
}

/**
 * Write the tslab kernel spec. It runs this project's tslab with this Node binary by absolute path, so it
 * works without a global tslab and without node_modules/.bin on PATH; rewritten on every start/test so a
 * moved checkout keeps working.
 */
export function installKernel(root = projectRoot()): string {
  const tslabBin = join(root, "node_modules", "tslab", "bin", "tslab");
  if (!existsSync(tslabBin)) throw new Error(`tslab is not installed in ${root}/node_modules: run \`npm install\``);
  const spec = {
    argv: [process.execPath, tslabBin, "kernel", "--config-path", "{connection_file}"],
    display_name: "TypeScript (tslab, tdmpc-ts)",
    language: "typescript",
  };
  const path = kernelSpecPath(root);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, JSON.stringify(spec, null, 2) + "\n");
  return path;
}

export function kernelInstalled(root = projectRoot()): boolean {
  const path = kernelSpecPath(root);
  if (!existsSync(path)) return false;
  try {
    const spec = JSON.parse(readFileSync(path, "utf8")) as { argv?: string[] };
    return Array.isArray(spec.argv) && existsSync(spec.argv[1] ?? "");
  } catch {
    return false;
  }
}

/** Environment for Jupyter processes: the project-local kernel path first, node_modules/.bin on PATH. */
export function jupyterEnv(root = projectRoot(), base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    JUPYTER_PATH: [kernelDataDir(root), base.JUPYTER_PATH].filter(Boolean).join(delimiter),
    PATH: [join(root, "node_modules", ".bin"), base.PATH].filter(Boolean).join(delimiter),
  };
}

export interface JupyterStatus {
  /** Path of the `jupyter` command, if on PATH. */
  jupyter?: string;
  notebookVersion?: string;
  nbconvertVersion?: string;
  kernelInstalled: boolean;
  kernelSpec: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): string | undefined {
  const r = spawnSync(cmd, args, { env, encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) return undefined;
  return (r.stdout || r.stderr).trim().split("\n").pop();
}

export function jupyterStatus(opts: { root?: string; env?: NodeJS.ProcessEnv } = {}): JupyterStatus {
  const root = opts.root ?? projectRoot();
  const env = opts.env ?? process.env;
  const jupyter = which("jupyter", env.PATH);
  const status: JupyterStatus = { kernelInstalled: kernelInstalled(root), kernelSpec: kernelSpecPath(root) };
  if (!jupyter) return status;
  status.jupyter = jupyter;
  status.notebookVersion = run(jupyter, ["notebook", "--version"], env);
  status.nbconvertVersion = run(jupyter, ["nbconvert", "--version"], env);
  return status;
}

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/**
 * Install Jupyter: Debian packages when running as root with apt, else `pip install --user notebook`
 * (works where pip reaches its index). Returns true when `jupyter` is on PATH afterwards.
 */
export function installJupyter(log: (s: string) => void = console.log): boolean {
  const attempts: { why: string; cmd: string; args: string[] }[] = [];
  if (isRoot() && which("apt-get")) {
    attempts.push({ why: "apt-get update", cmd: "apt-get", args: ["update"] });
    attempts.push({ why: "Debian packages", cmd: "apt-get", args: ["install", "-y", ...JUPYTER_APT_PACKAGES] });
  } else {
    const py = which("python3") ?? "/usr/bin/python3";
    attempts.push({ why: "pip --user", cmd: py, args: ["-m", "pip", "install", "--user", "notebook", "nbconvert"] });
  }
  for (const a of attempts) {
    log(`[setup] installing Jupyter (${a.why}): ${a.cmd} ${a.args.join(" ")}`);
    const r = spawnSync(a.cmd, a.args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    if (r.status !== 0) {
      log(`[setup] '${a.cmd} ${a.args.join(" ")}' failed (exit ${r.status ?? r.signal}).`);
      break;
    }
  }
  return which("jupyter") !== undefined;
}
