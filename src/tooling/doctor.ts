/**
 * `tdmpc doctor`: every piece the course needs, whether it works here, and what to run when it does not.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describeBackend, initBackend } from "../nn/backend.js";
import { mujocoVersion } from "../envs/mujoco.js";
import { findChromium, CHROMIUM_HINT } from "../viz/export.js";
import { jupyterStatus, JUPYTER_INSTALL_HINT } from "./jupyter.js";

export interface Check {
  name: string;
  ok: boolean;
  /** Required for the course to run (notebooks, tests); optional pieces serve exports and benchmarks. */
  required: boolean;
  detail: string;
  /** What to run when it is missing. */
  fix?: string;
}

export async function runChecks(env: NodeJS.ProcessEnv = process.env): Promise<Check[]> {
  const checks: Check[] = [];
  const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
  const nodeOk = major > 20 || (major === 20 && minor >= 12);
  checks.push({
    name: "Node.js",
    ok: nodeOk,
    required: true,
    detail: process.version,
    fix: nodeOk ? undefined : "install Node.js 20.12 or newer (https://nodejs.org or your package manager)",
  });

  try {
    const b = await initBackend({ quiet: true });
    const gpuSkip = b.skipped.find((s) => s.name === "tensorflow-gpu");
    checks.push({
      name: "tfjs backend",
      ok: true,
      required: true,
      detail: describeBackend(b),
      fix:
        b.name === "wasm" || b.name === "cpu"
          ? `faster: on a CUDA machine \`npm install @tensorflow/tfjs-node-gpu\` (${gpuSkip?.reason ?? "not installed"})`
          : undefined,
    });
  } catch (e) {
    checks.push({ name: "tfjs backend", ok: false, required: true, detail: String(e), fix: "run `npm ci` to reinstall @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm" });
  }

  try {
    checks.push({ name: "MuJoCo (WebAssembly)", ok: true, required: true, detail: `@mujoco/mujoco, engine ${await mujocoVersion()}` });
  } catch (e) {
    checks.push({ name: "MuJoCo (WebAssembly)", ok: false, required: true, detail: String(e), fix: "run `npm ci` to reinstall @mujoco/mujoco" });
  }

  const js = jupyterStatus({ env });
  checks.push({
    name: "Jupyter",
    ok: Boolean(js.jupyter && js.notebookVersion && js.nbconvertVersion),
    required: true,
    detail: js.jupyter ? `${js.jupyter} (notebook ${js.notebookVersion ?? "missing"}, nbconvert ${js.nbconvertVersion ?? "missing"})` : "not found on PATH",
    fix: js.jupyter && js.notebookVersion && js.nbconvertVersion ? undefined : JUPYTER_INSTALL_HINT,
  });
  checks.push({
    name: "tslab kernel",
    ok: js.kernelInstalled,
    required: true,
    detail: js.kernelInstalled ? `registered in ${js.kernelSpec}` : "not registered in the project's Jupyter path",
    fix: js.kernelInstalled ? undefined : "`npm run setup` (or `npm start`) registers it",
  });

  const chromium = findChromium();
  checks.push({ name: "Chromium (figure export)", ok: Boolean(chromium), required: false, detail: chromium ?? "not found", fix: chromium ? undefined : CHROMIUM_HINT });

  const torch = spawnSync("/usr/bin/python3", ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8", env });
  const torchOk = torch.status === 0;
  checks.push({
    name: "PyTorch CPU (bench peer)",
    ok: torchOk,
    required: false,
    detail: torchOk ? `torch ${torch.stdout.trim()} in /usr/bin/python3` : "not found in /usr/bin/python3",
    fix: torchOk ? undefined : "sudo apt-get install -y python3-torch python3-numpy",
  });
  const nativeMj = existsSync("/usr/include/mujoco/mujoco.h");
  checks.push({
    name: "native MuJoCo (bench peer)",
    ok: nativeMj,
    required: false,
    detail: nativeMj ? "/usr/include/mujoco/mujoco.h" : "headers not found",
    fix: nativeMj ? undefined : "sudo apt-get install -y libmujoco-dev",
  });
  return checks;
}

export function formatChecks(checks: Check[]): string {
  const w = Math.max(...checks.map((c) => c.name.length));
  const lines = checks.map((c) => {
    const mark = c.ok ? "ok  " : c.required ? "MISSING" : "missing";
    let s = `${mark.padEnd(8)}${c.name.padEnd(w + 2)}${c.detail}`;
    if (c.fix) s += "\n" + c.fix.split("\n").map((l) => `${" ".repeat(w + 10)}→ ${l}`).join("\n");
    return s;
  });
  const bad = checks.filter((c) => !c.ok && c.required);
  lines.push(bad.length ? `\n${bad.length} required piece(s) missing: see the → lines above.` : "\nall required pieces are in place.");
  return lines.join("\n");
}
