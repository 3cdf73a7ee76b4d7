/**
 * `tdmpc grid ch04|ch05`: list or run a chapter's TD-MPC training runs (resumable, one at a time) into its
 * results CSV; `--list` says which are done.
 */
import type { Command } from "commander";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { initBackend } from "../nn/backend.js";
import { projectRoot } from "../tooling/paths.js";
import { ch04Grid } from "./ch04-latent.js";
import { ch05Grid } from "./ch05-synergies.js";
import { defaultRunRoot, finished, gridReadme, readResults, runGrid, runName, type RunSpec } from "./tdmpc-runs.js";

export const GRIDS: Record<string, { csv: string; title: string; specs: (seeds?: number[]) => RunSpec[] }> = {
  ch04: { csv: "ch04-latent.csv", title: "Chapter 4: joint backbone vs independent modules; consistency vs none vs reconstruction", specs: (seeds) => ch04Grid({ seeds }) },
  ch05: { csv: "ch05-synergies.csv", title: "Chapter 5: MPC alone, + terminal Q, + policy warm start, both, policy alone; POPLIN-A/P", specs: (seeds) => ch05Grid({ seeds }) },
};

function list(text: string | undefined): string[] | undefined {
  return text === undefined ? undefined : text.split(",").map((s) => s.trim()).filter(Boolean);
}

export function register(program: Command): void {
  program
    .command("grid")
    .description("run (or --list) a chapter's TD-MPC training runs into data/results/<chapter>-*.csv; finished runs are kept, an interrupted one resumes")
    .argument("<chapter>", Object.keys(GRIDS).join(" or "))
    .option("--seeds <list>", "comma-separated seeds (default: the chapter's)")
    .option("--variants <list>", "only these variants")
    .option("--tasks <list>", "only these tasks")
    .option("--results <dir>", "results folder", join(projectRoot(), "data", "results"))
    .option("--run-root <dir>", "folder of the run directories (checkpoints)", defaultRunRoot())
    .option("--list", "print the runs and whether each is done; run nothing")
    .action(async (chapter: string, o: { seeds?: string; variants?: string; tasks?: string; results: string; runRoot: string; list?: boolean }) => {
      const g = GRIDS[chapter];
      if (!g) throw new Error(`grid: unknown chapter '${chapter}'; use ${Object.keys(GRIDS).join(" or ")}`);
      const seeds = list(o.seeds)?.map((s) => {
        const n = Number(s);
        if (!Number.isInteger(n) || n < 0) throw new Error(`--seeds must be non-negative integers, got '${s}'`);
        return n;
      });
      const all = g.specs(seeds);
      const [vs, ts] = [list(o.variants), list(o.tasks)];
      for (const v of vs ?? []) if (!all.some((s) => s.variant.name === v)) throw new Error(`--variants: '${v}' is not in ${chapter}'s grid (${[...new Set(all.map((s) => s.variant.name))].join(", ")})`);
      for (const t of ts ?? []) if (!all.some((s) => s.task === t)) throw new Error(`--tasks: '${t}' is not in ${chapter}'s grid`);
      const specs = all.filter((s) => (!vs || vs.includes(s.variant.name)) && (!ts || ts.includes(s.task)));
      const csv = join(o.results, g.csv);
      if (o.list) {
        const rows = readResults(csv);
        for (const s of specs) console.log(`${finished(rows, s) ? "done   " : "missing"} ${runName(s)} (${s.steps} env steps)`);
        return;
      }
      writeFileSync(csv.replace(/\.csv$/, ".md"), gridReadme(g.title, g.specs(), `npx tdmpc grid ${chapter}`));
      await initBackend();
      await runGrid(specs, {
        csv,
        runRoot: o.runRoot,
        onRun: (s, status, i, n) => console.error(`[${i}/${n}] ${runName(s)}: ${status}`),
      });
    });
}
