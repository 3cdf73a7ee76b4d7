/**
 * Regenerating a chapter's results: the full experiments behind its figures, resumable (rows already in the
 * results file are kept and skipped), so a killed run continues where it stopped. `npx tdmpc figures run <chapter>`
 * calls this with the committed results folder; a notebook's FULL switch calls it with a scratch folder, so that a
 * Run All never writes over data/results/ by accident.
 */
import { join } from "node:path";
import { initBackend } from "../nn/backend.js";
import { progress, type Progress } from "../util/progress.js";
import { runCh01 } from "./ch01-optim.js";
import { runCh02 } from "./ch02-mpc.js";
import { runCh03 } from "./ch03-models.js";

export interface RegenerateOptions {
  /** Folder of the results files (data/results/ for the committed run). */
  dir: string;
  /** Tiny budgets (tests). */
  quick?: boolean;
  /** Override the chapter's seeds. */
  seeds?: number[];
  /** Progress lines go here (default: a progress bar on stderr / in the notebook). */
  silent?: boolean;
}

/** What each chapter's full run costs on one core of the project's 2-core machine (measured; printed before a run). */
export const REGENERATE_COST: Record<string, string> = {
  ch01: "≈ 5 min (5 optimisers × 7 functions × 3 dimensions × 10 seeds)",
  ch02: "≈ 12 min per seed for the cartpole sweeps + ≈ 1 min per myopia start; 5 seeds ≈ 1 h",
  ch03: "model studies ≈ 30 s per seed; PETS ablations 1–15 min per variant and seed on a quiet core (4 variants × 3 seeds ≈ 1 h), hours on a loaded one; the PE, TS-∞ run is `npx tdmpc train pets` (≈ 15 min per seed)",
};

export const REGENERATE_CHAPTERS = Object.keys(REGENERATE_COST);

export async function regenerateChapter(chapter: string, o: RegenerateOptions): Promise<void> {
  switch (chapter) {
    case "ch01": {
      let bar: Progress | undefined;
      runCh01({ runsOut: join(o.dir, "ch01-benchmark.csv"), curvesOut: join(o.dir, "ch01-curves.csv"), quick: o.quick, onRun: (done, total) => (bar ??= progress(total, "ch01 benchmark runs", { silent: o.silent })).update(done) });
      bar?.stop();
      return;
    }
    case "ch02": {
      let bar: Progress | undefined;
      await runCh02({
        out: join(o.dir, "ch02-mpc.csv"),
        loopOut: join(o.dir, "ch02-loop.csv"),
        quick: o.quick,
        seeds: o.seeds,
        onStep: (spec, step) => {
          bar ??= progress(spec.steps, `${spec.sweep} seed ${spec.seed}`, { silent: o.silent });
          bar.update(step);
        },
        onRun: (row, done, total, reused) => {
          bar?.stop();
          bar = undefined;
          if (!o.silent) console.error(`[${done}/${total}] ${row.sweep} ${row.planner} samples ${row.numSamples} H ${row.horizon} replan ${row.replanEvery}${row.warmStart === false ? " cold" : ""} seed ${row.seed}: return ${row.episodeReturn.toFixed(1)}${reused ? " (same run as an earlier sweep)" : ""}`);
        },
      });
      return;
    }
    case "ch03":
      await initBackend();
      await runCh03({ dir: o.dir, quick: o.quick, log: o.silent ? undefined : (l) => console.error(l) });
      return;
    default:
      throw new Error(`no experiments to regenerate for '${chapter}': known ${REGENERATE_CHAPTERS.join(", ")}`);
  }
}
