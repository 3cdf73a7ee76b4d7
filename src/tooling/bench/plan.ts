/**
 * The planner's benchmark (`tdmpc bench plan`): time per action of the course's planner in a learned latent space —
 * TD-MPC2's agent at a preset, its sampling planner (planning/sampling.ts) over its LatentPlanningModel — swept over
 * samples × horizon × iterations, against the same loop in PyTorch CPU (1 thread) in the same run (bench.ts,
 * scripts/bench_nn_torch.py).
 */
import { TDMPC2_DEFAULTS } from "../../agents/config.js";
import { runNnBench, type BenchEngine, type PlanConfig } from "./nn.js";

export interface PlanBenchRow {
  samples: number;
  horizon: number;
  iterations: number;
  tfjsMs: number;
  torchMs: number | null;
  ratio: number | null;
  /** Which engine ran ours. */
  backend: string;
}

/**
 * TD-MPC2's planning settings (config.yaml) at each point of the sweep; `num_samples` is the whole population, and
 * the elites (64) and the policy's sequences (24) are capped at an eighth of it.
 */
export function planSweep(samples: number[], horizons: number[], iterations: number[]): PlanConfig[] {
  const d = TDMPC2_DEFAULTS;
  const out: PlanConfig[] = [];
  for (const n of samples)
    for (const h of horizons)
      for (const it of iterations) {
        const eighth = Math.floor(n / 8);
        out.push({ num_samples: n, num_elites: Math.max(1, Math.min(d.num_elites, eighth)), num_pi_trajs: Math.min(d.num_pi_trajs, eighth), horizon: h, iterations: it, min_std: d.min_std, max_std: d.max_std, temperature: d.temperature });
      }
  return out;
}

export interface PlanBenchOptions {
  samples: number[];
  horizons: number[];
  iterations: number[];
  /** TD-MPC2 preset: the world model's size. */
  preset: string;
  engine: BenchEngine;
  reps: number;
  log: (line: string) => void;
}

/** One row per point of the sweep (obs 24, action 6), and the run's notes (peer, machine load). */
export async function runPlanBench(o: PlanBenchOptions): Promise<{ rows: PlanBenchRow[]; notes: string[] }> {
  const { rows, notes } = await runNnBench({
    reps: o.reps,
    cases: ["plan"],
    planPresets: [o.preset],
    updatePresets: [],
    engines: [o.engine],
    obsDim: 24,
    actionDim: 6,
    planConfigs: planSweep(o.samples, o.horizons, o.iterations),
    torchThreads: [1],
    log: o.log,
  });
  const out = rows.map((r) => ({
    samples: r.plan!.num_samples,
    horizon: r.plan!.horizon,
    iterations: r.plan!.iterations,
    tfjsMs: r.oursMs,
    torchMs: r.torchMs,
    ratio: r.ratio,
    backend: r.backend,
  }));
  return { rows: out, notes };
}
