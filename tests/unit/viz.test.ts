import { readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { figureHtml, plotlyLoaderHtml, showFigure, type Figure } from "../../src/viz/plotly.js";
import { rowsToTable, tableHtml } from "../../src/viz/table.js";
import { FigureExporter, findChromium } from "../../src/viz/export.js";

const fig: Figure = {
  data: [{ x: [0, 1, 2], y: [1, 3, 2], type: "scatter", name: "a </script> b" }],
  layout: { title: { text: "test" } },
};

describe("plotly display helpers", () => {
  it("inlines plotly.js (offline, no CDN) and escapes figure data inside the script tag", () => {
    const loader = plotlyLoaderHtml();
    expect(loader.length).toBeGreaterThan(1_000_000);
    expect(loader).not.toMatch(/<script[^>]+src=/);
    const html = figureHtml(fig, { id: "fig1" });
    expect(html).toContain('<div id="fig1"');
    expect(html).toContain("Plotly.newPlot");
    expect(html).not.toContain("a </script> b");
  });

  it("rejects a figure without data and prints a note outside a notebook", () => {
    expect(() => figureHtml({} as Figure)).toThrow(/data/);
    expect(() => showFigure(fig)).not.toThrow();
  });

  it("renders tables from rows and from DataFrame-like objects", () => {
    const html = tableHtml([{ a: 1, b: 0.123456 }, { a: 2, c: "x<y" }]);
    expect(html).toContain("<th>a</th><th>b</th><th>c</th>");
    expect(html).toContain("0.1235");
    expect(html).toContain("x&lt;y");
    expect(rowsToTable([{ a: 1 }]).columns).toEqual(["a"]);
    expect(tableHtml({ columns: ["v"], values: [[1], [2]], index: ["r1", "r2"] })).toContain("<th>r1</th>");
  });
});

describe("figure export with headless Chromium", () => {
  it.runIf(findChromium() !== undefined)("writes a PNG and an SVG of the same figure spec", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tdmpc-fig-"));
    const ex = await FigureExporter.open();
    try {
      const files = await ex.export(fig, join(dir, "line"), { width: 400, height: 300 });
      expect(files.map((f) => f.slice(-4))).toEqual([".png", ".svg"]);
      const png = readFileSync(files[0]!);
      expect(png.subarray(1, 4).toString()).toBe("PNG");
      expect(png.readUInt32BE(16)).toBe(800); // width × scale 2
      const svg = readFileSync(files[1]!, "utf8");
      expect(svg).toMatch(/^<svg/);
      expect(svg).toContain("test");
    } finally {
      await ex.close();
    }
  });
});
