/**
 * CMA-ES (chapter 1) as an MPC planner, for comparison with CEM and MPPI: the H×A action sequence is the
 * search point, the model's return the fitness (maximised), one generation = one batched model call.
 * It adapts a full covariance between all time steps and action dimensions, which CEM's diagonal Gaussian
 * cannot; with few generations per action (MPC's budget) that advantage has little time to pay off.
 */
import { CmaEs } from "../optim/cmaes.js";
import { shiftSequence } from "./shift.js";
import { checkPositiveInt, evaluateChecked, type Plan, type Planner, type PlanningModel } from "./types.js";

export interface CmaesPlannerConfig {
  horizon: number;
  /** Generations per planning call (like the planners' `iterations`). */
  iterations: number;
  /** Population per generation; default CMA-ES's 4 + ⌊3 ln n⌋ with n = H·A. */
  popsize?: number;
  /** Initial step size in action units. */
  sigma0: number;
  warmStart: boolean;
  seed: number;
}

export class CmaesPlanner implements Planner {
  readonly name = "CMA-ES";
  readonly horizon: number;
  readonly config: CmaesPlannerConfig;
  private prevMean: Float32Array | undefined;
  private calls = 0;

  constructor(
    readonly actionDim: number,
    config: Partial<CmaesPlannerConfig> = {},
  ) {
    this.config = { horizon: 3, iterations: 6, sigma0: 0.5, warmStart: true, seed: 0, ...config };
    checkPositiveInt("actionDim", actionDim);
    checkPositiveInt("horizon", this.config.horizon);
    checkPositiveInt("iterations", this.config.iterations);
    if (this.config.popsize !== undefined) checkPositiveInt("popsize", this.config.popsize);
    this.horizon = this.config.horizon;
  }

  reset(): void {
    this.prevMean = undefined;
  }

  async plan(model: PlanningModel, opts: { executed?: number } = {}): Promise<Plan> {
    const { horizon: H, iterations, sigma0, popsize } = this.config;
    const A = this.actionDim;
    if (model.actionDim !== A) throw new Error(`planner CMA-ES plans ${A}-D actions but the model takes ${model.actionDim}-D`);
    const D = H * A;
    const x0 = this.config.warmStart && this.prevMean ? shiftSequence(this.prevMean, H, A, 0, opts.executed ?? 1) : new Float32Array(D);
    const es = new CmaEs({
      x0,
      sigma0,
      seed: this.config.seed * 100_003 + this.calls++,
      maximize: true,
      bounds: { lower: -1, upper: 1 },
      // mirror, not clip: CMA-ES updates from unrepaired draws, and clipped fitness is flat outside [−1, 1]
      boundHandling: "mirror",
      maxIter: iterations,
      ...(popsize ? { popsize } : {}),
    });
    let evaluations = 0;
    while (!es.stop()) {
      const xs = es.ask();
      const batch = new Float32Array(xs.length * D);
      xs.forEach((x, i) => batch.set(x, i * D));
      const returns = await evaluateChecked(model, batch, xs.length, H);
      evaluations += xs.length;
      es.tell(xs, Array.from(returns));
    }
    // Execute the best sequence found (with few generations the distribution's mean lags behind it).
    const mean = Float32Array.from(es.best.x);
    this.prevMean = mean;
    // σ·√C_ii: the per-coordinate spread CMA-ES ended with, comparable to the sampling planners' std.
    const n = D;
    const std = new Float32Array(D);
    for (let d = 0; d < D; d++) std[d] = es.sigma * Math.sqrt(es.diagonal ? es.C[d]! : es.C[d * n + d]!);
    return { action: mean.slice(0, A), sequence: mean.slice(), mean, std, bestReturn: es.best.f, bestSequence: mean.slice(), evaluations };
  }
}
