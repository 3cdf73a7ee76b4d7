/**
 * The planner's imagination, made visible: at one moment of a cart-pole swing-up, record every action sequence a
 * CEM planner scores (each iteration's samples and elites), replay each on the true simulator to see the pole it
 * imagines, then the action it executes and the warm start it hands to the next step (its plan shifted by one).
 * Notebook 02 animates it; `imaginationFigure` (src/viz/figures/ch02.ts) draws it.
 */
import { makeEnv } from "../envs/registry.js";
import { makeVecEnv } from "../envs/vec.js";
import { cemPlanner } from "../planning/sampling.js";
import { shiftSequence } from "../planning/shift.js";
import { SimulatorModel } from "../planning/simulator-model.js";
import type { PlanningModel } from "../planning/types.js";

/** A planning model that keeps every batch it scores (the planner calls `evaluate` once per iteration). */
export class RecordingModel implements PlanningModel {
  readonly actionDim: number;
  readonly batches: { actions: Float32Array; returns: Float32Array; n: number; horizon: number }[] = [];
  constructor(readonly inner: PlanningModel) {
    this.actionDim = inner.actionDim;
  }
  evaluate(actions: Float32Array, n: number, horizon: number): Float32Array | Promise<Float32Array> {
    const keep = (returns: Float32Array) => {
      this.batches.push({ actions: actions.slice(), returns: returns.slice(), n, horizon });
      return returns;
    };
    const r = this.inner.evaluate(actions, n, horizon);
    return r instanceof Promise ? r.then(keep) : keep(r);
  }
}

export interface Imagination {
  /** Seconds per agent step, and when (s into the episode) the planner looks ahead from. */
  dt: number;
  at: number;
  numElites: number;
  /** Per iteration: the pole height cos θ along each sampled sequence (H + 1 values, now included), its return, elite indices. */
  iterations: { heights: number[][]; returns: number[]; elites: number[] }[];
  /** The final plan (its mean sequence) imagined, and the first action executed. */
  planHeights: number[];
  executed: number;
  /** From the state after that action: the warm start (the plan shifted by one step, 0 appended) imagined. */
  warmStartHeights: number[];
}

/**
 * Play `warmup` agent steps of CEM-MPC on cartpole-swingup (seed `seed`), then record one planning call in full.
 * Planner: CEM, `numSamples` × 3 iterations, horizon 12 (0.96 s), warm-started as in chapter 2.
 */
export async function imagine(o: { seed?: number; warmup?: number; numSamples?: number; horizon?: number } = {}): Promise<Imagination> {
  const task = "cartpole-swingup";
  const N = o.numSamples ?? 32;
  const H = o.horizon ?? 12;
  const numElites = Math.max(2, Math.round(N / 8));
  const env = await makeEnv(task, { seed: o.seed ?? 0 });
  const sim = await makeEnv(task, { seed: o.seed ?? 0 });
  const vec = await makeVecEnv(task, N);
  try {
    const model = new SimulatorModel(vec);
    const planner = cemPlanner(1, { horizon: H, numSamples: N, numElites, iterations: 3, seed: o.seed ?? 0 });
    env.reset(o.seed ?? 0);
    for (let t = 0; t < (o.warmup ?? 10); t++) env.step((await planner.plan(model.setStart(env.getState()))).mean.slice(0, 1));
    const start = env.getState();
    // the pole height cos θ (observation index 1) after each agent step of `seq` from `state`
    const heights = (state: typeof start, seq: ArrayLike<number>): number[] => {
      sim.setState(state);
      const out = [sim.observe()[1]!];
      for (let k = 0; k < H; k++) out.push(sim.step([seq[k]!]).obs[1]!);
      return out;
    };
    const rec = new RecordingModel(model.setStart(start));
    const plan = await planner.plan(rec);
    const iterations = rec.batches.map((b) => {
      const order = Array.from(b.returns, (r, i) => [r, i] as const).sort((x, y) => y[0] - x[0]);
      return {
        heights: Array.from({ length: b.n }, (_, i) => heights(start, b.actions.subarray(i * H, i * H + H))),
        returns: Array.from(b.returns),
        elites: order.slice(0, numElites).map(([, i]) => i),
      };
    });
    const executed = plan.mean[0]!;
    env.setState(start);
    env.step([executed]);
    return {
      dt: env.actionRepeat * env.task.physicsStepsPerControlStep * env.physics.timestep,
      at: start.physics.time,
      numElites,
      iterations,
      planHeights: heights(start, plan.mean),
      executed,
      warmStartHeights: heights(env.getState(), shiftSequence(plan.mean, H, 1, 0, 1)),
    };
  } finally {
    vec.close();
    sim.close();
    env.close();
  }
}
