/**
 * Run notebooks the way a student does: a real Jupyter Notebook server (the one `npm start` launches, serving the
 * project root so markdown images `../figures/x.png` resolve), headless Chromium (Debian's, driven by
 * playwright-core), "Run All" in the page. Then read back what the student would see: which cells failed, whether
 * every image loaded and every plotly figure was drawn, and how long the run took.
 *
 * The page's autosave is switched off (`set_autosave_interval(0)`) and the tab is closed without saving, so the
 * notebook files stay untouched; the kernel is shut down after each notebook.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { CHROMIUM_HINT, findChromium } from "../viz/export.js";
import { startNotebookServer, type NotebookServer } from "./jupyter.js";
import { projectRoot } from "./paths.js";
import { QUICK_ENV } from "../util/quick.js";

/** Chromium flags for a quiet, reproducible headless run (no network side traffic, a fresh profile). */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export interface CellProblem {
  /** Index among all cells of the notebook (0-based, as in the .ipynb). */
  cell: number;
  kind: "error" | "stderr" | "not run";
  text: string;
}

export interface BrowserNotebookRun {
  /** Path relative to the project root. */
  path: string;
  /** Seconds from "Run All" until the last cell finished. */
  seconds: number;
  /** True if every code cell ran and none produced an error. */
  finished: boolean;
  problems: CellProblem[];
  images: { total: number; broken: string[] };
  plots: { total: number; undrawn: number };
  /** A one-line reason when the run did not get as far as Run All (kernel never connected, timeout). */
  fatal?: string;
}

export interface BrowserRunOptions {
  root?: string;
  /** The folder the server serves (default: the project root; notebooks/ would leave ../figures/ unreachable). */
  notebookDir?: string;
  /** Per-notebook limit on Run All, in seconds (default 600). */
  timeoutSec?: number;
  /** Environment of the server and its kernels (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Quick mode (TDMPC_QUICK=1) in the kernels; default false: the notebooks' default (course) mode, even when
   * this process runs under `npm test`, which sets TDMPC_QUICK. */
  quick?: boolean;
  /** Progress lines (one per notebook). */
  log?: (line: string) => void;
}

/** In the page: the state of every cell once Run All is over (or the time is up). */
interface PageReport {
  busy: number;
  problems: CellProblem[];
  images: { total: number; broken: string[] };
  plots: { total: number; undrawn: number };
}

/* The classic Notebook's page API, as far as this runner uses it (evaluated inside Chromium). */
interface JupyterPage {
  notebook?: {
    kernel?: { is_connected(): boolean };
    set_autosave_interval(ms: number): void;
    execute_all_cells(): void;
    get_cells(): {
      cell_type: string;
      input_prompt_number?: number | string | null;
      /** Set by this runner: the kernel's execute_reply status ("ok", "error", "aborted"). */
      tdmpcStatus?: string;
      _handle_execute_reply?: (msg: { content: { status: string } }) => void;
      get_text(): string;
      output_area?: { outputs: { output_type: string; name?: string; text?: string; ename?: string; evalue?: string }[] };
    }[];
    session?: { delete(): void };
  };
}

function pageReport(): PageReport {
  const J = (window as unknown as { Jupyter: JupyterPage }).Jupyter;
  const cells = J.notebook!.get_cells();
  const problems: CellProblem[] = [];
  let busy = 0;
  cells.forEach((c, i) => {
    if (c.cell_type !== "code") return;
    if (c.input_prompt_number === "*") busy++;
    const outs = c.output_area?.outputs ?? [];
    const err = outs.find((o) => o.output_type === "error");
    if (err) problems.push({ cell: i, kind: "error", text: `${err.ename}: ${err.evalue}` });
    else if (c.tdmpcStatus === "error") {
      // tslab reports exceptions and compile errors on stderr, with an execute_reply of status "error"
      const stderr = outs.filter((o) => o.output_type === "stream" && o.name === "stderr").map((o) => o.text ?? "").join("");
      problems.push({ cell: i, kind: "stderr", text: (stderr || "the kernel replied 'error' without a message").slice(0, 2000) });
    }
    const ran = typeof c.input_prompt_number === "number";
    if (!ran && c.tdmpcStatus !== "error" && c.input_prompt_number !== "*" && c.get_text().trim() !== "") problems.push({ cell: i, kind: "not run", text: "the cell did not run (an earlier cell failed, or Run All was interrupted)" });
  });
  const imgs = Array.from(document.querySelectorAll<HTMLImageElement>("#notebook img"));
  const broken = imgs.filter((im) => !(im.complete && im.naturalWidth > 0)).map((im) => im.getAttribute("src") ?? "?");
  // our figures are <div id="tdmpc-plot-…"> / "tdmpc-live-…"; Plotly.newPlot marks a drawn one with .js-plotly-plot
  const figs = Array.from(document.querySelectorAll<HTMLElement>('#notebook div[id^="tdmpc-plot-"], #notebook div[id^="tdmpc-live-"]'));
  const undrawn = figs.filter((d) => !d.classList.contains("js-plotly-plot") || !d.querySelector(".main-svg")).length;
  return { busy, problems, images: { total: imgs.length, broken }, plots: { total: figs.length, undrawn } };
}

async function runOne(page: Page, url: string, timeoutSec: number): Promise<Omit<BrowserNotebookRun, "path">> {
  const empty = { seconds: 0, finished: false, problems: [], images: { total: 0, broken: [] }, plots: { total: 0, undrawn: 0 } };
  await page.goto(url, { waitUntil: "load" });
  try {
    await page.waitForFunction(() => (window as unknown as { Jupyter?: JupyterPage }).Jupyter?.notebook?.kernel?.is_connected() === true, undefined, { timeout: 120_000, polling: 250 });
  } catch {
    return { ...empty, fatal: "the kernel did not connect within 120 s" };
  }
  const t0 = Date.now();
  await page.evaluate(() => {
    const nb = (window as unknown as { Jupyter: JupyterPage }).Jupyter.notebook!;
    nb.set_autosave_interval(0); // keep the .ipynb on disk untouched
    // remember each cell's execute_reply status (the reply handler is bound per execution, so an own property works)
    for (const c of nb.get_cells()) {
      if (c.cell_type !== "code") continue;
      const handle = c._handle_execute_reply!;
      c._handle_execute_reply = function (msg) {
        c.tdmpcStatus = msg.content.status;
        handle.call(this, msg);
      };
    }
    nb.execute_all_cells();
  });
  const deadline = t0 + timeoutSec * 1000;
  let report = await page.evaluate(pageReport);
  while (report.busy > 0 && Date.now() < deadline) {
    await page.waitForTimeout(500);
    report = await page.evaluate(pageReport);
  }
  const seconds = (Date.now() - t0) / 1000;
  if (report.busy > 0) return { ...report, seconds, finished: false, fatal: `Run All did not finish within ${timeoutSec} s (${report.busy} cells still queued)` };
  // figures draw asynchronously once plotly.js is parsed: give them a moment before judging
  for (let i = 0; i < 40 && (report.plots.undrawn > 0 || report.images.broken.length > 0); i++) {
    await page.waitForTimeout(250);
    report = await page.evaluate(pageReport);
  }
  const finished = report.problems.length === 0;
  return { seconds, finished, problems: report.problems, images: report.images, plots: report.plots };
}

/**
 * Start a Notebook server on the project root, open each notebook in Chromium, Run All, and report. Notebooks run
 * one after another (2 cores); each gets a fresh kernel, shut down afterwards.
 */
export async function runNotebooksInBrowser(paths: string[], opts: BrowserRunOptions = {}): Promise<BrowserNotebookRun[]> {
  const root = opts.root ?? projectRoot();
  const executablePath = findChromium();
  if (!executablePath) throw new Error(CHROMIUM_HINT);
  const { chromium } = await import("playwright-core");
  const profile = mkdtempSync(join(tmpdir(), "tdmpc-chromium-"));
  let server: NotebookServer | undefined;
  let context: BrowserContext | undefined;
  const results: BrowserNotebookRun[] = [];
  try {
    const env: NodeJS.ProcessEnv = { ...(opts.env ?? process.env) };
    if (opts.quick) env[QUICK_ENV] = "1";
    else delete env[QUICK_ENV];
    server = await startNotebookServer({ root, notebookDir: opts.notebookDir, env });
    context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: CHROMIUM_ARGS });
    for (const p of paths) {
      const rel = relative(opts.notebookDir ?? root, p.startsWith("/") ? p : join(root, p));
      const page = await context.newPage();
      page.on("dialog", (d) => void d.dismiss()); // "leave page with unsaved changes?" and the like
      let r: BrowserNotebookRun;
      try {
        r = { path: rel, ...(await runOne(page, server.notebookUrl(rel), opts.timeoutSec ?? 600)) };
      } catch (e) {
        r = { path: rel, seconds: 0, finished: false, problems: [], images: { total: 0, broken: [] }, plots: { total: 0, undrawn: 0 }, fatal: e instanceof Error ? e.message : String(e) };
      } finally {
        await page.close({ runBeforeUnload: false }).catch(() => undefined);
        await server.shutdownKernels();
      }
      opts.log?.(formatBrowserRun(r));
      results.push(r);
    }
  } finally {
    await context?.close().catch(() => undefined);
    await server?.stop();
    rmSync(profile, { recursive: true, force: true });
  }
  return results;
}

/** True when the student would have seen the whole notebook run cleanly. */
export function browserRunOk(r: BrowserNotebookRun): boolean {
  return r.finished && !r.fatal && r.images.broken.length === 0 && r.plots.undrawn === 0;
}

export function formatBrowserRun(r: BrowserNotebookRun): string {
  const head = `${r.path}: ${browserRunOk(r) ? "ok" : "FAILED"} in ${r.seconds.toFixed(1)} s · ${r.images.total} images (${r.images.broken.length} broken) · ${r.plots.total} plots (${r.plots.undrawn} not drawn)`;
  const lines = [head];
  if (r.fatal) lines.push(`  ${r.fatal}`);
  for (const b of r.images.broken) lines.push(`  broken image: ${b}`);
  for (const p of r.problems.slice(0, 5)) lines.push(`  cell ${p.cell} (${p.kind}): ${p.text.split("\n").slice(0, 12).join("\n    ")}`);
  return lines.join("\n");
}
