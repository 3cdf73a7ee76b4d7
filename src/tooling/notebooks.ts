/**
 * Execute notebooks headless (`jupyter nbconvert --execute`, tslab kernel) and say what broke.
 * nbconvert alone prints an empty message when a tslab cell fails: the real error sits in the cell's
 * outputs (an `error` output, or tslab's compile errors on stderr). This reads the executed notebook back
 * and reports the failing cell, its source and its error text.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { installKernel, jupyterEnv, JUPYTER_INSTALL_HINT } from "./jupyter.js";
import { projectRoot, which } from "./paths.js";
import { QUICK_ENV } from "../util/quick.js";

interface NbOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  ename?: string;
  evalue?: string;
  traceback?: string[];
}
interface NbCell {
  cell_type: string;
  metadata?: { tdmpc?: { status?: string; ename?: string; evalue?: string } } & Record<string, unknown>;
  source: string | string[];
  outputs?: NbOutput[];
  execution_count?: number | null;
}
export interface Notebook {
  cells: NbCell[];
  metadata?: Record<string, unknown>;
  nbformat?: number;
  nbformat_minor?: number;
}

export interface CellFailure {
  /** Index among all cells (0-based), as in the .ipynb. */
  cellIndex: number;
  /** Index among code cells (0-based). */
  codeCellIndex: number;
  source: string;
  error: string;
}

export interface NotebookRun {
  path: string;
  ok: boolean;
  seconds: number;
  failure?: CellFailure;
  /** Set when nbconvert itself failed before a cell could be blamed (missing kernel, timeout, bad JSON). */
  nbconvertError?: string;
  executedPath?: string;
}

const join_ = (s: string | string[] | undefined): string => (Array.isArray(s) ? s.join("") : (s ?? ""));
// Strip ANSI colour codes from tracebacks.
// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string): string => s.replace(/\u001b\[[0-9;]*m/g, "");

/**
 * The first code cell whose execute_reply was not "ok" (recorded by scripts/nbconvert_hooks.py), with its
 * error text: the `error` output if the kernel sent one, else what the cell wrote to stderr (tslab's way).
 */
export function findFailure(nb: Notebook): CellFailure | undefined {
  let codeIdx = -1;
  for (let i = 0; i < nb.cells.length; i++) {
    const cell = nb.cells[i]!;
    if (cell.cell_type !== "code") continue;
    codeIdx++;
    const outputs = cell.outputs ?? [];
    const status = cell.metadata?.tdmpc?.status;
    const err = outputs.find((o) => o.output_type === "error");
    if (status === "ok" && !err) continue;
    if (status === undefined && !err) {
      if (join_(cell.source).trim() === "") continue;
      return { cellIndex: i, codeCellIndex: codeIdx, source: join_(cell.source), error: "cell did not run (an earlier cell stopped the kernel, or the run timed out)" };
    }
    const parts: string[] = [];
    if (err) {
      parts.push(`${err.ename ?? "Error"}: ${err.evalue ?? ""}`);
      const tb = (err.traceback ?? []).map(stripAnsi).join("\n").trim();
      if (tb && !parts[0]!.includes(tb)) parts.push(tb);
    }
    const stderr = outputs.filter((o) => o.output_type === "stream" && o.name === "stderr").map((o) => join_(o.text)).join("");
    if (stderr.trim()) parts.push(stripAnsi(stderr).trim());
    if (!parts.length) parts.push(`kernel reported status "${status}" ${cell.metadata?.tdmpc?.ename ?? ""} ${cell.metadata?.tdmpc?.evalue ?? ""}`.trim());
    return { cellIndex: i, codeCellIndex: codeIdx, source: join_(cell.source), error: parts.join("\n") };
  }
  return undefined;
}

export function formatFailure(run: NotebookRun): string {
  if (run.ok) return `${run.path}: ok (${run.seconds.toFixed(1)} s)`;
  if (run.failure) {
    const f = run.failure;
    const src = f.source.split("\n").slice(0, 12).map((l) => `    | ${l}`).join("\n");
    return `${run.path}: FAILED in cell ${f.cellIndex} (code cell #${f.codeCellIndex + 1}):\n${src}\n  error:\n${f.error
      .split("\n")
      .slice(0, 40)
      .map((l) => `    ${l}`)
      .join("\n")}`;
  }
  return `${run.path}: FAILED: ${run.nbconvertError ?? "unknown error"}`;
}

export interface RunOptions {
  /** Quick mode (TDMPC_QUICK=1): small budgets. Default true. */
  quick?: boolean;
  /** Per-cell timeout in seconds. */
  cellTimeoutSec?: number;
  /** Keep the executed notebook here (a folder); default: a temporary folder, deleted. */
  outputDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Stream nbconvert's own output. */
  verbose?: boolean;
}

/** Execute one notebook top to bottom with the tslab kernel, from the notebook's own folder. */
export async function runNotebook(path: string, opts: RunOptions = {}): Promise<NotebookRun> {
  const root = projectRoot();
  const abs = resolve(path);
  if (!existsSync(abs)) throw new Error(`no such notebook: ${path}`);
  const jupyter = which("jupyter", (opts.env ?? process.env).PATH);
  if (!jupyter) throw new Error(JUPYTER_INSTALL_HINT);
  installKernel(root);
  const outDir = opts.outputDir ?? mkdtempSync(join(tmpdir(), "tdmpc-nb-"));
  const outName = basename(abs).replace(/\.ipynb$/, "") + ".executed.ipynb";
  const env = jupyterEnv(root, { ...(opts.env ?? process.env), [QUICK_ENV]: opts.quick === false ? "0" : "1" });
  const args = [
    "nbconvert", "--to", "notebook", "--execute", "--allow-errors",
    "--config", join(root, "scripts", "nbconvert_hooks.py"),
    "--ExecutePreprocessor.kernel_name=tslab",
    `--ExecutePreprocessor.timeout=${opts.cellTimeoutSec ?? 600}`,
    "--output-dir", outDir, "--output", outName, abs,
  ];
  const t0 = performance.now();
  const { code, log } = await new Promise<{ code: number; log: string }>((res) => {
    const child = spawn(jupyter, args, { env, cwd: join(abs, ".."), stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    const onData = (d: Buffer) => {
      log += d.toString();
      if (opts.verbose) process.stderr.write(d);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("close", (c) => res({ code: c ?? 1, log }));
  });
  const seconds = (performance.now() - t0) / 1000;
  const executedPath = join(outDir, outName);
  const result: NotebookRun = { path, ok: false, seconds };
  try {
    if (!existsSync(executedPath)) {
      result.nbconvertError = `nbconvert exited ${code} without writing a notebook:\n${log.trim().split("\n").slice(-15).join("\n")}`;
      return result;
    }
    const nb = JSON.parse(readFileSync(executedPath, "utf8")) as Notebook;
    result.failure = findFailure(nb);
    if (!result.failure && code !== 0) {
      result.nbconvertError = `nbconvert exited ${code}:\n${log.trim().split("\n").slice(-15).join("\n")}`;
    }
    result.ok = !result.failure && code === 0;
    if (opts.outputDir) result.executedPath = executedPath;
    return result;
  } finally {
    if (!opts.outputDir) rmSync(outDir, { recursive: true, force: true });
  }
}

/** The course notebooks, in order (notebooks/NN-title.ipynb). */
export function listNotebooks(root = projectRoot()): string[] {
  const dir = join(root, "notebooks");
  return readdirSync(dir)
    .filter((f) => /^\d\d[a-z]?-.*\.ipynb$/.test(f)) // 00-setup, 00b-mujoco-tasks, 01-…
    .sort()
    .map((f) => join(dir, f));
}

/**
 * A notebook in course mode (`"tdmpc": {"course_mode": true}` in its metadata) runs top to bottom in its default
 * mode within minutes and writes nothing; `npm test` runs it in Chromium as a student would
 * (tests/notebooks/browser.test.ts). The others are run headless in quick mode (tests/notebooks/notebooks.test.ts).
 */
export function isCourseMode(path: string): boolean {
  const nb = JSON.parse(readFileSync(path, "utf8")) as Notebook;
  return (nb.metadata?.tdmpc as { course_mode?: boolean } | undefined)?.course_mode === true;
}

/** Remove outputs and execution counts, so committed notebooks carry no results. Returns true if changed. */
export function stripOutputs(nb: Notebook): boolean {
  let changed = false;
  for (const cell of nb.cells) {
    if (cell.cell_type !== "code") continue;
    if ((cell.outputs?.length ?? 0) > 0 || cell.execution_count != null) changed = true;
    cell.outputs = [];
    cell.execution_count = null;
  }
  return changed;
}
