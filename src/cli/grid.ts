/**
 * `tdmpc grid ch04|ch05`: list or run a chapter's TD-MPC training runs (resumable, one at a time) into its
 * results CSV; `--list` says which are done. `tdmpc study planning|learners|prediction`: evaluation studies on a
 * chapter's finished runs (experiments/ch04-latent.ts, ch05-synergies.ts).
 */
import type { Command } from "commander";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { initBackend } from "../nn/backend.js";
import { projectRoot } from "../tooling/paths.js";
import { ch04Grid, PREDICTION_COLUMNS, PREDICTION_TEXT, predictionStudy, type PredictionRow } from "../experiments/ch04-latent.js";
import { ch05Grid, evaluatePlanning, LEARNER_COLUMNS, LEARNER_TEXT, learnerStudy, PLANNING_COLUMNS, PLANNING_TEXT, planningSettings, sameSetting, type LearnerRow, type PlanningRow } from "../experiments/ch05-synergies.js";
import { appendRows, defaultRunRoot, finished, gridReadme, readResults, readRows, readRunConfig, runGrid, runName, VARIANTS, type RunSpec, type VariantName } from "../experiments/tdmpc-runs.js";

const GRIDS: Record<string, { csv: string; title: string; specs: (seeds?: number[], pendulum?: boolean) => RunSpec[]; studies: string[] }> = {
  ch04: { csv: "ch04-latent.csv", title: "Chapter 4: joint backbone vs independent modules; consistency vs none vs reconstruction", specs: (seeds, pendulum) => ch04Grid({ seeds, pendulum }), studies: ["`npx tdmpc study prediction` → `ch04-prediction.csv` (latent models vs a PETS ensemble fitted on the same replay, reward/state/latent error over k)"] },
  ch05: {
    csv: "ch05-synergies.csv",
    title: "Chapter 5: MPC alone, + terminal Q, + policy warm start, both, policy alone; POPLIN-A/P",
    specs: (seeds, pendulum) => ch05Grid({ seeds, pendulum }),
    studies: ["`npx tdmpc study planning` → `ch05-planning.csv` (trained agents re-planned: budget against CPU ms per action, horizon)", "`npx tdmpc study learners` → `ch05-learners.csv` (BC, RWR, AWR, TD from scratch on each TD-MPC run's replay)"],
  },
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
    .option("--pendulum", "include the whole grid on pendulum-swingup (≈ 5 CPU-min per run; at this scale TD-MPC did not swing it up)")
    .option("--list", "print the runs and whether each is done; run nothing")
    .action(async (chapter: string, o: { seeds?: string; variants?: string; tasks?: string; results: string; runRoot: string; list?: boolean; pendulum?: boolean }) => {
      const g = GRIDS[chapter];
      if (!g) throw new Error(`grid: unknown chapter '${chapter}'; use ${Object.keys(GRIDS).join(" or ")}`);
      const seeds = list(o.seeds)?.map((s) => {
        const n = Number(s);
        if (!Number.isInteger(n) || n < 0) throw new Error(`--seeds must be non-negative integers, got '${s}'`);
        return n;
      });
      const all = g.specs(seeds, o.pendulum);
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
      writeFileSync(csv.replace(/\.csv$/, ".md"), gridReadme(g.title, g.specs(), `npx tdmpc grid ${chapter}`, g.studies));
      await initBackend();
      await runGrid(specs, {
        csv,
        runRoot: o.runRoot,
        onRun: (s, status, i, n) => console.error(`[${i}/${n}] ${runName(s)}: ${status}`),
      });
    });

  program
    .command("study")
    .description("evaluation studies on a chapter's finished runs (resumable, rows appended): planning (ch05: budget, horizon, POPLIN search on the same networks), learners (ch05: BC/RWR/AWR/TD on the same replay), prediction (ch04: latent vs PETS error over k)")
    .argument("<name>", "planning, learners or prediction")
    .option("--tasks <list>", "only these tasks")
    .option("--seeds <list>", "only these seeds")
    .option("--variants <list>", "planning: only these variants")
    .option("--episodes <n>", "evaluation episodes per point", "2")
    .option("--results <dir>", "results folder", join(projectRoot(), "data", "results"))
    .option("--run-root <dir>", "folder of the run directories (checkpoints)", defaultRunRoot())
    .action(async (name: string, o: { tasks?: string; seeds?: string; variants?: string; episodes: string; results: string; runRoot: string }) => {
      const episodes = Number(o.episodes);
      if (!Number.isInteger(episodes) || episodes < 1) throw new Error(`--episodes must be a positive integer, got '${o.episodes}'`);
      const [ts, ss, vs] = [list(o.tasks), list(o.seeds)?.map(Number), list(o.variants)];
      const chapter = name === "prediction" ? "ch04" : "ch05";
      const rows = readResults(join(o.results, GRIDS[chapter]!.csv));
      const done = GRIDS[chapter]!.specs().filter((s) => finished(rows, s) && (!ts || ts.includes(s.task)) && (!ss || ss.includes(s.seed)));
      const dirOf = (v: string, task: string, seed: number) => join(o.runRoot, runName({ variant: VARIANTS[v as VariantName], task, seed }));
      await initBackend();
      if (name === "planning") {
        const out = join(o.results, "ch05-planning.csv");
        const have = readRows<PlanningRow>(out, PLANNING_TEXT);
        for (const s of done.filter((x) => !vs || vs.includes(x.variant.name))) {
          const cfg = readRunConfig(dirOf(s.variant.name, s.task, s.seed));
          const todo = planningSettings(s.variant.name).filter((st) => !have.some((r) => r.variant === s.variant.name && r.task === s.task && r.seed === s.seed && sameSetting(r, cfg, st)));
          if (!todo.length) continue;
          console.error(`planning: ${runName(s)} (${todo.length} settings)`);
          await evaluatePlanning(dirOf(s.variant.name, s.task, s.seed), s.variant.name, todo, { episodes, onRow: (r) => appendRows(out, PLANNING_COLUMNS, [r]) });
        }
      } else if (name === "learners") {
        const out = join(o.results, "ch05-learners.csv");
        const have = readRows<LearnerRow>(out, LEARNER_TEXT);
        for (const s of done.filter((x) => x.variant.name === "tdmpc")) {
          if (have.some((r) => r.task === s.task && r.seed === s.seed)) continue;
          console.error(`learners: on the replay of ${runName(s)}`);
          const fresh = await learnerStudy(dirOf("tdmpc", s.task, s.seed), { updates: 2000, evalEvery: 250, episodes });
          appendRows(out, LEARNER_COLUMNS, fresh);
        }
      } else if (name === "prediction") {
        const out = join(o.results, "ch04-prediction.csv");
        const have = readRows<PredictionRow>(out, PREDICTION_TEXT);
        const pairs = [...new Map(done.filter((s) => s.variant.name === "tdmpc").map((s) => [`${s.task}|${s.seed}`, s])).values()];
        for (const p of pairs) {
          if (have.some((r) => r.task === p.task && r.seed === p.seed)) continue;
          const variants = ["tdmpc", "independent", "no_consistency", "reconstruction"].filter((v) => done.some((s) => s.variant.name === v && s.task === p.task && s.seed === p.seed));
          console.error(`prediction: ${p.task} seed ${p.seed} (${variants.join(", ")} and PETS)`);
          const fresh = await predictionStudy((v) => dirOf(v, p.task, p.seed), variants, { task: p.task, seed: p.seed, maxK: 15, episodes: 3, petsEpochs: 40, petsHidden: [200, 200, 200] });
          appendRows(out, PREDICTION_COLUMNS, fresh);
        }
      } else throw new Error(`study: unknown '${name}'; use planning, learners or prediction`);
    });
}
