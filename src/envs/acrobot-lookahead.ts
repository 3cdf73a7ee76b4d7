/**
 * Acrobot swing-up that LOOKS AHEAD WITH THE TRUE SIMULATOR (a hand-written controller, not a pure feedback law).
 *
 * Why: the elbow motor of the suite's acrobot is weak (|τ| ≤ 2 N·m) and the upright balance (a discrete LQR,
 * `ACROBOT_LQR_GAIN`) saturates unless the arm arrives straight with very nearly the upright energy; the
 * energy-pumping law (`acrobotSwingupController`) reaches that energy within ~3 s but lands in the balance's basin
 * only by luck (and often keeps its energy in a spinning lower arm). Picking *which* pumping law to follow by
 * simulating each one a few seconds ahead turns the luck into a choice: rollout policy improvement with a perfect
 * model (Bertsekas, "Rollout algorithms", in Dynamic Programming and Optimal Control, vol. I, ch. 6.4; Tesauro &
 * Galperin 1996).
 *
 * Every `replanEvery` steps, for each variant (energy offset × elbow-spring scale of `acrobotSwingupAction`, an
 * offset of −30 J turning the pump into an elbow brake), a copy of the simulator (`env.physics.fork()`) is put in
 * the env's current state and the variant plays `horizon` steps exactly as it would in the env (same observation,
 * same clipping, same reward); its score is the reward summed over those steps minus `energyWeight` × |locked
 * energy − upright energy| at the end (`acrobotLockedEnergy`: the energy the arm would keep with its elbow locked,
 * so a spinning lower arm does not count as progress). The best variant then acts until the next choice.
 * Cost: variants × horizon / replanEvery ≈ 500 simulator steps per env step (≈ 0.5 M per 1000-step episode).
 */
import {
  ACROBOT_UPRIGHT_ENERGY,
  acrobotLockedEnergy,
  acrobotSwingupAction,
} from "./controllers.js";
import type { Env } from "./env.js";
import type { Physics } from "./physics.js";

/** A controller that acts on the env itself (it may read and copy the simulator's state), not on the observation alone. */
export interface LookaheadController {
  /** Forget the episode's memory (call after `env.reset()`). */
  reset(): void;
  /** The action for the env's current state. */
  act(env: Env): Float32Array;
  /** Free the simulator copies. */
  close(): void;
}

/** One pumping law of the family: see `acrobotSwingupAction`. */
export interface AcrobotSwingVariant {
  energyOffset: number;
  postureScale: number;
}

export interface AcrobotLookaheadOptions {
  /** Steps each variant is simulated ahead (default 400 = 4 s). */
  horizon?: number;
  /** Steps between two choices (default 20). */
  replanEvery?: number;
  /** Weight of |locked energy − upright energy| (J) at the end of a lookahead, against the summed reward (default 2). */
  energyWeight?: number;
  /** The variants to choose from (default `ACROBOT_SWING_VARIANTS`). */
  variants?: readonly AcrobotSwingVariant[];
}

/** Energy offsets (J) × elbow-spring scales: 9 × 3 = 27 variants. */
export const ACROBOT_SWING_VARIANTS: readonly AcrobotSwingVariant[] = [-30, -10, -3, -1.5, -0.5, 0, 0.5, 1.5, 3].flatMap(
  (energyOffset) => [0.3, 1, 3].map((postureScale) => ({ energyOffset, postureScale })),
);

export class AcrobotLookaheadController implements LookaheadController {
  readonly horizon: number;
  readonly replanEvery: number;
  readonly energyWeight: number;
  readonly variants: readonly AcrobotSwingVariant[];
  private scratch: Physics | undefined;
  private caught = false;
  private current: AcrobotSwingVariant;
  private stepsSinceChoice = Infinity;
  /** Simulator steps spent looking ahead since construction. */
  lookaheadSteps = 0;

  constructor(opts: AcrobotLookaheadOptions = {}) {
    this.horizon = opts.horizon ?? 400;
    this.replanEvery = opts.replanEvery ?? 20;
    this.energyWeight = opts.energyWeight ?? 2;
    this.variants = opts.variants ?? ACROBOT_SWING_VARIANTS;
    for (const [name, v] of [
      ["horizon", this.horizon],
      ["replanEvery", this.replanEvery],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`AcrobotLookaheadController: ${name} must be a positive integer, got ${v}`);
    }
    if (!(this.energyWeight >= 0)) throw new RangeError(`AcrobotLookaheadController: energyWeight must be ≥ 0, got ${this.energyWeight}`);
    if (this.variants.length === 0) throw new RangeError("AcrobotLookaheadController: variants is empty");
    this.current = this.variants[0]!;
  }

  reset(): void {
    this.caught = false;
    this.stepsSinceChoice = Infinity;
  }

  act(env: Env): Float32Array {
    if (env.task.name !== "acrobot-swingup") throw new Error(`AcrobotLookaheadController drives acrobot-swingup, got '${env.task.name}'`);
    if (env.actionRepeat !== 1) throw new Error(`AcrobotLookaheadController needs actionRepeat 1, got ${env.actionRepeat}`);
    if (this.stepsSinceChoice >= this.replanEvery) {
      this.current = this.choose(env);
      this.stepsSinceChoice = 0;
    }
    this.stepsSinceChoice++;
    const r = acrobotSwingupAction(env.observe(), this.current.energyOffset, this.current.postureScale, this.caught);
    this.caught = r.caught;
    return Float32Array.of(r.u);
  }

  close(): void {
    this.scratch?.delete();
    this.scratch = undefined;
  }

  /** Score every variant by playing it ahead on a copy of the simulator; the best one (first on ties) wins. */
  private choose(env: Env): AcrobotSwingVariant {
    if (!this.scratch || this.scratch.deleted) this.scratch = env.physics.fork();
    const sim = this.scratch;
    const { task } = env;
    const start = env.getState();
    const steps = Math.min(this.horizon, env.maxEpisodeSteps - start.step);
    let best = this.variants[0]!;
    let bestScore = -Infinity;
    for (const v of this.variants) {
      sim.setState(start.physics);
      let caught = this.caught;
      let score = 0;
      for (let t = 0; t < steps; t++) {
        const r = acrobotSwingupAction(task.observation(sim), v.energyOffset, v.postureScale, caught);
        caught = r.caught;
        sim.setControl([r.u]);
        sim.step(task.physicsStepsPerControlStep);
        score += task.reward(sim);
      }
      this.lookaheadSteps += steps;
      const [q1, q2] = sim.qpos;
      const [w1, w2] = sim.qvel;
      score -= this.energyWeight * Math.abs(acrobotLockedEnergy(q1!, q2!, w1!, w2!) - ACROBOT_UPRIGHT_ENERGY);
      if (score > bestScore) {
        bestScore = score;
        best = v;
      }
    }
    return best;
  }
}

/** Controllers that look ahead with the true simulator, by task name (each call makes a fresh controller). */
export const LOOKAHEAD_CONTROLLERS: Readonly<Record<string, (opts?: AcrobotLookaheadOptions) => LookaheadController>> = {
  "acrobot-swingup": (opts) => new AcrobotLookaheadController(opts),
};
