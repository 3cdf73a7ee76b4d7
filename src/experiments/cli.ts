/**
 * `tdmpc figures <chapter>`: export a chapter's figures (PNG + SVG under figures/) from its committed results,
 * without re-running the experiments. The notebooks build the same figures with the same functions.
 */
import type { Command } from "commander";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../tooling/paths.js";
import { FigureExporter } from "../viz/export.js";
import type { Figure } from "../viz/plotly.js";
import { ch02Figures, fromCsv } from "./ch02-mpc.js";
import { parsePetsCsv, petsCurveFigure } from "./ch03-models.js";

function read(path: string, how: string): string {
  if (!existsSync(path)) throw new Error(`${path} does not exist: ${how}`);
  return readFileSync(path, "utf8");
}

/** Mean return of chapter 2's CEM runs on the true simulator (the oracle line of chapter 3). */
export function oracleReturn(root = projectRoot()): number | undefined {
  const p = join(root, "data", "results", "ch02-mpc.csv");
  if (!existsSync(p)) return undefined;
  const rows = fromCsv(readFileSync(p, "utf8")).filter((r) => r.sweep === "planner" && r.planner === "cem");
  return rows.length ? rows.reduce((a, r) => a + r.episodeReturn, 0) / rows.length : undefined;
}

export function chapterFigures(chapter: string, root = projectRoot()): Record<string, Figure> {
  const results = join(root, "data", "results");
  switch (chapter) {
    case "ch02":
      return ch02Figures(fromCsv(read(join(results, "ch02-mpc.csv"), "run notebooks/02-mpc.ipynb in full mode")));
    case "ch03":
      return { pets: petsCurveFigure(parsePetsCsv(read(join(results, "pets-cartpole-swingup.csv"), "run `npx tdmpc train pets --seeds 0,1,2 --out data/results/pets-cartpole-swingup.csv`")), oracleReturn(root)) };
    default:
      throw new Error(`no figures for '${chapter}': known chapters ch02, ch03`);
  }
}

export function register(program: Command): void {
  program
    .command("figures")
    .description("export a chapter's figures (PNG + SVG in figures/) from its committed results in data/results/")
    .argument("<chapter>", "ch02 or ch03")
    .action(async (chapter: string) => {
      const figs = chapterFigures(chapter);
      const ex = await FigureExporter.open();
      try {
        for (const [name, fig] of Object.entries(figs)) {
          const files = await ex.export(fig, join(projectRoot(), "figures", `${chapter}-${name}`), { width: 900, height: (fig.layout?.height as number) ?? 420 });
          console.log(`wrote ${files.join(", ")}`);
        }
      } finally {
        await ex.close();
      }
    });
}
