/**
 * Export plotly figure specs to PNG and SVG files (figures/) with Debian's headless Chromium driven by
 * playwright-core: one browser for a batch, `Plotly.toImage` in the page. `npx playwright install` cannot
 * download a browser here, so the system Chromium is used (CHROMIUM_PATH overrides the search).
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Browser, Page } from "playwright-core";
import { plotlyJsSource, validateFigure, type Figure } from "./plotly.js";

export type ImageFormat = "png" | "svg";

export interface ExportOptions {
  formats?: ImageFormat[];
  width?: number;
  height?: number;
  /** Pixel ratio for PNG (2 = sharp on high-DPI screens). */
  scale?: number;
}

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];

export function findChromium(): string | undefined {
  const env = process.env.CHROMIUM_PATH;
  if (env) return existsSync(env) ? env : undefined;
  return CANDIDATES.find((p) => existsSync(p));
}

export const CHROMIUM_HINT =
  "figure export needs Chromium: `sudo apt-get install -y chromium` (Debian/Ubuntu), or set CHROMIUM_PATH to a Chrome/Chromium binary";

/** A headless browser with plotly.js loaded, reused for many figures. Call `close()` when done. */
export class FigureExporter {
  private constructor(
    private readonly browser: Browser,
    private readonly page: Page,
  ) {}

  static async open(): Promise<FigureExporter> {
    const executablePath = findChromium();
    if (!executablePath) throw new Error(CHROMIUM_HINT);
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({
      executablePath,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    });
    try {
      const page = await browser.newPage();
      await page.setContent('<!doctype html><html><body><div id="fig"></div></body></html>');
      await page.addScriptTag({ content: plotlyJsSource() });
      return new FigureExporter(browser, page);
    } catch (e) {
      await browser.close();
      throw e;
    }
  }

  /** Render `fig` and return the image bytes (PNG) or text (SVG). */
  async render(fig: Figure, format: ImageFormat, opts: ExportOptions = {}): Promise<Buffer> {
    validateFigure(fig);
    const width = opts.width ?? (typeof fig.layout?.width === "number" ? fig.layout.width : 900);
    const height = opts.height ?? (typeof fig.layout?.height === "number" ? fig.layout.height : 500);
    const scale = format === "png" ? (opts.scale ?? 2) : 1;
    const url = await this.page.evaluate(
      async ({ fig, format, width, height, scale }) => {
        const P = (window as unknown as { Plotly: { toImage(f: unknown, o: unknown): Promise<string> } }).Plotly;
        return P.toImage({ data: fig.data, layout: fig.layout ?? {} }, { format, width, height, scale });
      },
      { fig, format, width, height, scale },
    );
    const comma = url.indexOf(",");
    const meta = url.slice(0, comma);
    const payload = url.slice(comma + 1);
    return meta.endsWith(";base64") ? Buffer.from(payload, "base64") : Buffer.from(decodeURIComponent(payload), "utf8");
  }

  /** Write `<basePath>.png` and/or `<basePath>.svg`; returns the paths written. */
  async export(fig: Figure, basePath: string, opts: ExportOptions = {}): Promise<string[]> {
    const written: string[] = [];
    mkdirSync(dirname(basePath), { recursive: true });
    for (const format of opts.formats ?? ["png", "svg"]) {
      const path = `${basePath}.${format}`;
      writeFileSync(path, await this.render(fig, format, opts));
      written.push(path);
    }
    return written;
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}

/** One-shot export of one figure (opens and closes a browser: ~4 s). */
export async function exportFigure(fig: Figure, basePath: string, opts: ExportOptions = {}): Promise<string[]> {
  const ex = await FigureExporter.open();
  try {
    return await ex.export(fig, basePath, opts);
  } finally {
    await ex.close();
  }
}
