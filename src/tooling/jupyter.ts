/**
 * Jupyter plumbing: find Jupyter, register the tslab kernel in a project-local Jupyter path (no writes to
 * the user's ~/.local), install Jupyter when it is missing, and the environment every notebook run uses.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
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

/** apt-get arguments that install Jupyter: without recommended packages (≈ 206 packages instead of ≈ 1,260). */
export function jupyterAptArgs(): string[] {
  return ["install", "-y", "--no-install-recommends", ...JUPYTER_APT_PACKAGES];
}

/**
 * Install Jupyter: Debian packages when running as root with apt, else `pip install --user notebook`
 * (works where pip reaches its index). Returns true when `jupyter` is on PATH afterwards.
 */
export function installJupyter(log: (s: string) => void = console.log): boolean {
  const attempts: { why: string; cmd: string; args: string[] }[] = [];
  if (isRoot() && which("apt-get")) {
    attempts.push({ why: "apt-get update", cmd: "apt-get", args: ["update"] });
    attempts.push({ why: "Debian packages, no recommends", cmd: "apt-get", args: jupyterAptArgs() });
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

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface NotebookServer {
  /** The server's URL with its token, as Jupyter prints it. */
  url: URL;
  process: ChildProcess;
  /** URL of a notebook (path relative to the served root) that logs in with the token. */
  notebookUrl(path: string): string;
  /** URL of the file browser on a folder (relative to the served root). */
  treeUrl(path: string): string;
  /** Shut down every running kernel (each notebook opened starts one). */
  shutdownKernels(): Promise<void>;
  /** Stop the server and its kernels. */
  stop(): Promise<void>;
}

/**
 * Start Jupyter Notebook serving `root` (default: the project root, so a notebook in notebooks/ reaches ../figures/ and
 * ../data/ through the server as it does on disk) with the project's tslab kernel. Resolves once the server
 * prints its URL. `onLog` sees the server's own output (npm start passes it through).
 */
export async function startNotebookServer(opts: { root?: string; notebookDir?: string; port?: number; ip?: string; env?: NodeJS.ProcessEnv; onLog?: (s: string) => void; timeoutSec?: number } = {}): Promise<NotebookServer> {
  const root = opts.root ?? projectRoot();
  const jupyter = which("jupyter", (opts.env ?? process.env).PATH);
  if (!jupyter) throw new Error(JUPYTER_INSTALL_HINT);
  installKernel(root);
  const port = opts.port ?? (await freePort());
  const args = ["notebook", "--no-browser", `--notebook-dir=${opts.notebookDir ?? root}`, `--ip=${opts.ip ?? "127.0.0.1"}`, `--port=${port}`, "--port-retries=0"];
  if (isRoot()) args.push("--allow-root");
  // detached: its own process group, so stop() ends the kernels it started too
  const child = spawn(jupyter, args, { cwd: root, env: jupyterEnv(root, opts.env ?? process.env), detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const url = await new Promise<URL>((resolve, reject) => {
    let log = "";
    const timer = setTimeout(() => reject(new Error(`Jupyter did not print its URL within ${opts.timeoutSec ?? 60} s:\n${log.slice(-2000)}`)), (opts.timeoutSec ?? 60) * 1000);
    const onData = (d: Buffer) => {
      const s = d.toString();
      log += s;
      opts.onLog?.(s);
      const m = log.match(/https?:\/\/127\.0\.0\.1:\d+\/\?token=\w+|https?:\/\/[\w.-]+:\d+\/\?token=\w+/);
      if (m) {
        clearTimeout(timer);
        resolve(new URL(m[0]));
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`jupyter notebook exited with ${code} before serving:\n${log.slice(-2000)}`));
    });
  });
  child.stdout!.removeAllListeners("data");
  child.stderr!.removeAllListeners("data");
  if (opts.onLog) {
    child.stdout!.on("data", (d: Buffer) => opts.onLog!(d.toString()));
    child.stderr!.on("data", (d: Buffer) => opts.onLog!(d.toString()));
  } else {
    child.stdout!.resume();
    child.stderr!.resume();
  }
  const token = url.searchParams.get("token") ?? "";
  const api = (path: string, init?: RequestInit) => fetch(`${url.origin}/api/${path}`, { ...init, headers: { Authorization: `token ${token}` } });
  const enc = (p: string) => p.split("/").map(encodeURIComponent).join("/");
  return {
    url,
    process: child,
    notebookUrl: (p) => `${url.origin}/notebooks/${enc(p)}?token=${token}`,
    treeUrl: (p) => `${url.origin}/tree/${enc(p)}?token=${token}`,
    async shutdownKernels() {
      const kernels = (await (await api("kernels")).json()) as { id: string }[];
      await Promise.all(kernels.map((k) => api(`kernels/${k.id}`, { method: "DELETE" })));
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        return;
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, "SIGKILL");
    },
  };
}
