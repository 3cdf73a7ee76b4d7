/**
 * Plotly figures in tslab notebooks, offline: plotly.js is inlined into the notebook once per kernel session
 * (no CDN), then every figure is a <div> plus one `Plotly.newPlot` call. The same figure spec exports to
 * PNG/SVG files from the CLI (viz/export.ts).
 */
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { requireFromLib } from "../util/esm.js";

/** A plotly figure spec: the same object `Plotly.newPlot(div, data, layout, config)` takes. */
export interface Figure {
  data: Record<string, unknown>[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
  /** Frames for animations (sliders / play buttons in `layout`). */
  frames?: Record<string, unknown>[];
}

let plotlySource: string | undefined;

/** The minified plotly.js bundle shipped in `plotly.js-dist-min` (≈ 4.8 MB). */
export function plotlyJsSource(): string {
  plotlySource ??= readFileSync(requireFromLib.resolve("plotly.js-dist-min"), "utf8");
  return plotlySource;
}

/** `<script>` that defines `window.Plotly` unless a previous output already did. */
export function plotlyLoaderHtml(): string {
  // "</script" inside the bundle would end the tag early: escape it.
  const src = plotlyJsSource().replace(/<\/script/gi, "<\\/script");
  return `<script type="text/javascript">if (!window.Plotly) {\n${src}\n}</script>`;
}

function escapeJson(value: unknown): string {
  // JSON inside a <script>: neutralise "</script>" and the HTML comment openers.
  return JSON.stringify(value ?? null)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e");
}

/** A self-contained <div> + script that draws `fig` once `window.Plotly` exists. */
export function figureHtml(fig: Figure, opts: { id?: string; height?: number } = {}): string {
  validateFigure(fig);
  const id = opts.id ?? `tdmpc-plot-${randomBytes(6).toString("hex")}`;
  const height = opts.height ?? (typeof fig.layout?.height === "number" ? fig.layout.height : 420);
  const config = { responsive: true, displaylogo: false, ...(fig.config ?? {}) };
  return (
    `<div id="${id}" style="width:100%;height:${height}px;"></div>\n` +
    `<script type="text/javascript">(function () {\n` +
    `  var fig = { data: ${escapeJson(fig.data)}, layout: ${escapeJson(fig.layout ?? {})}, ` +
    `config: ${escapeJson(config)}, frames: ${escapeJson(fig.frames ?? [])} };\n` +
    `  function draw() {\n` +
    `    if (!window.Plotly) { return setTimeout(draw, 50); }\n` +
    `    window.Plotly.newPlot("${id}", fig.data, fig.layout, fig.config).then(function (gd) {\n` +
    `      if (fig.frames.length) { return window.Plotly.addFrames(gd, fig.frames); }\n` +
    `    });\n` +
    `  }\n` +
    `  draw();\n` +
    `})();</script>`
  );
}

export function validateFigure(fig: Figure): void {
  if (!fig || !Array.isArray(fig.data)) throw new TypeError("a plotly figure needs a `data` array of traces");
}

interface TslabDisplay {
  html(s: string): void;
  markdown(s: string): void;
  png(b: Uint8Array): void;
  gif(b: Uint8Array): void;
  svg(s: string): void;
  text(s: string): void;
}
interface Tslab {
  display: TslabDisplay;
  newDisplay(): TslabDisplay;
}

let tslabModule: Tslab | null | undefined;
let plotlyLoaded = false;

/** The tslab display API when running inside a tslab kernel, else null (CLI, tests). */
export function tslabDisplay(): Tslab | null {
  if (tslabModule === undefined) {
    // Only a running tslab kernel has loaded tslab's jupyter module; do not load it (and zeromq) ourselves.
    let jupyterPath: string | undefined;
    try {
      jupyterPath = requireFromLib.resolve("tslab/dist/jupyter.js");
    } catch {
      jupyterPath = undefined;
    }
    const loaded = jupyterPath ? (requireFromLib.cache[jupyterPath]?.exports as { lastWriteDisplayData?: unknown } | undefined) : undefined;
    tslabModule = loaded?.lastWriteDisplayData ? (requireFromLib("tslab") as Tslab) : null;
  }
  return tslabModule;
}

export function inNotebook(): boolean {
  return tslabDisplay() !== null;
}

function ensurePlotly(t: Tslab): void {
  if (plotlyLoaded) return;
  t.display.html(plotlyLoaderHtml());
  plotlyLoaded = true;
}

/** Show a figure inline in the notebook (plotly.js inlined on first use). Outside a notebook: a note on stdout. */
export function showFigure(fig: Figure, opts: { height?: number } = {}): void {
  const t = tslabDisplay();
  if (!t) {
    validateFigure(fig);
    const title = (fig.layout?.title as { text?: string } | string | undefined) ?? "";
    console.log(`[figure: ${typeof title === "string" ? title : (title.text ?? "")} — ${fig.data.length} trace(s)]`);
    return;
  }
  ensurePlotly(t);
  t.display.html(figureHtml(fig, opts));
}

/** A figure that redraws in place: call `update(fig)` as often as you like (live training curves). */
export function liveFigure(opts: { height?: number } = {}): { update(fig: Figure): void } {
  const t = tslabDisplay();
  if (!t) return { update: (fig: Figure) => validateFigure(fig) };
  ensurePlotly(t);
  const display = t.newDisplay();
  const id = `tdmpc-live-${randomBytes(6).toString("hex")}`;
  return { update: (fig: Figure) => display.html(figureHtml(fig, { ...opts, id })) };
}

/** A live line of text (progress) that overwrites itself in a notebook and prints to stdout elsewhere. */
export function liveText(): { update(text: string): void } {
  const t = tslabDisplay();
  if (!t) return { update: (text: string) => console.log(text) };
  const display = t.newDisplay();
  return { update: (text: string) => display.text(text) };
}

export function showHtml(html: string): void {
  const t = tslabDisplay();
  if (t) t.display.html(html);
  else console.log(html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim());
}

export function showMarkdown(md: string): void {
  const t = tslabDisplay();
  if (t) t.display.markdown(md);
  else console.log(md);
}
