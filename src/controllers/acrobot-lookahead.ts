/**
 * Acrobot swing-up that LOOKS AHEAD WITH THE TRUE SIMULATOR (a hand-written controller, not a pure feedback law).
 *
 * Why: the elbow motor of the suite's acrobot is weak (|τ| ≤ 2 N·m). The upright balance (a discrete LQR,
 * `ACROBOT_LQR_GAIN`; with |u| ≤ 1 its gains cannot get smaller, whatever the control weight) catches a straight arm
 * coming up with the upright energy from as far as ~115° off the top, but only within ~±0.2 J of that energy (a thin
 * slab around the straight arm's homoclinic orbit, measured by simulation). The energy-pumping law
 * (`acrobotSwingupController`) reaches the energy within ~3 s, but lands in that slab only by luck, and often keeps
 * its energy in a spinning lower arm under a hanging upper arm. Pumping the straight arm's swing instead (Spong's
 * elbow-follows-shoulder law, an energy-and-posture law in the manner of Xin & Kaneda, a random search over ~6000
 * gain sets of such laws with energy-slab catches) did not reach 300 on most seeds: the motor is too weak to pump
 * without large elbow motion. Each pumping variant below (offsets −1…3 J, spring scales 1…30) followed alone for a
 * whole episode earns a mean of only 50–85 (seeds 0–39, in a Python replica of these dynamics). Picking *which* one
 * to follow by simulating each a few seconds ahead turns the luck into a choice: rollout policy improvement with a
 * perfect model (Bertsekas, "Rollout algorithms", in Dynamic Programming and Optimal Control, vol. I, ch. 6.4;
 * Tesauro & Galperin 1996).
 *
 * Every `replanEvery` steps, for each variant (energy offset × elbow-spring scale of `acrobotSwingupAction`, an
 * offset of −30 J turning the pump into an elbow brake), a copy of the simulator (`env.physics.fork()`) is put in
 * the env's current state and the variant plays `horizon` steps exactly as it would in the env (same observation,
 * same clipping, same reward); its score is the reward summed over those steps minus `energyWeight` × |locked
 * energy − upright energy| at the end (`acrobotLockedEnergy`: the energy the arm would keep with its elbow locked,
 * so a spinning lower arm does not count as progress). The best variant then acts until the next choice.
 * Cost: variants × horizon / replanEvery ≈ 1700 simulator steps per env step before the catch, one horizon per
 * choice while the balance holds: 6–31 s per 1000-step episode on the project's 2-core machine.
 * The variant set, horizon, choice interval and energy weight were picked by comparing a few alternatives (18 to 89
 * variants, 2–6 s horizons, choices every 10–20 steps, weights 0.5–5) on the returns of seeds 0–19; the returns of
 * the defaults are listed in tests/unit/controllers.test.ts (scripts/acrobot-lookahead-returns.mjs re-measures them).
 * As an `Agent`, it reads the env from `act`'s context; `close()` frees its simulator copy.
 */
import type { ActContext, Agent } from "../envs/agent.js";
import type { Env } from "../envs/env.js";
import type { Physics, PhysicsState } from "../envs/physics.js";
import { ACROBOT_UPRIGHT_ENERGY, acrobotBalance, acrobotLockedEnergy, acrobotSwingupAction } from "./feedback.js";

/** One law of the family: a pumping law (see `acrobotSwingupAction`), or with `balance` the balance law alone. */
export interface AcrobotSwingVariant {
  energyOffset: number;
  postureScale: number;
  /** Apply the balance law now, wherever the arm is (the lookahead tells whether it catches from here). */
  balance?: boolean;
}

/** The action of one variant and whether the balance law holds the arm afterwards. */
export function acrobotVariantAction(obs: Float32Array, v: AcrobotSwingVariant, caught: boolean): { u: number; caught: boolean } {
  if (v.balance) return { u: Math.max(-1, Math.min(1, acrobotBalance(obs))), caught: true };
  return acrobotSwingupAction(obs, v.energyOffset, v.postureScale, caught);
}

export interface AcrobotLookaheadOptions {
  /** Steps each variant is simulated ahead (default 300 = 3 s). */
  horizon?: number;
  /** Steps between two choices (default 10). */
  replanEvery?: number;
  /** Weight of |locked energy − upright energy| (J) at the end of a lookahead, against the summed reward (default 1). */
  energyWeight?: number;
  /** The variants to choose from (default `ACROBOT_SWING_VARIANTS`). */
  variants?: readonly AcrobotSwingVariant[];
}

/**
 * Energy offsets (J; −30 and −10 brake the elbow, +10 and +30 pump flat out) × elbow-spring scales (0.3: a loose
 * elbow, 30: an arm held nearly straight), plus the balance law alone: 11 × 5 + 1 = 56 variants.
 */
export const ACROBOT_SWING_VARIANTS: readonly AcrobotSwingVariant[] = [
  ...[-30, -10, -3, -1.5, -0.5, 0, 0.5, 1.5, 3, 10, 30].flatMap((energyOffset) =>
    [0.3, 1, 3, 10, 30].map((postureScale) => ({ energyOffset, postureScale })),
  ),
  { energyOffset: 0, postureScale: 1, balance: true },
];

export class AcrobotLookaheadController implements Agent {
  readonly name = "acrobot lookahead";
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
    this.horizon = opts.horizon ?? 300;
    this.replanEvery = opts.replanEvery ?? 10;
    this.energyWeight = opts.energyWeight ?? 1;
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

  act(obs: Float32Array, { env }: ActContext): Float32Array {
    if (env.task.name !== "acrobot-swingup") throw new Error(`AcrobotLookaheadController drives acrobot-swingup, got '${env.task.name}'`);
    if (env.actionRepeat !== 1) throw new Error(`AcrobotLookaheadController needs actionRepeat 1, got ${env.actionRepeat}`);
    if (this.stepsSinceChoice >= this.replanEvery) {
      this.current = this.choose(env);
      this.stepsSinceChoice = 0;
    }
    this.stepsSinceChoice++;
    const r = acrobotVariantAction(obs, this.current, this.caught);
    this.caught = r.caught;
    return Float32Array.of(r.u);
  }

  close(): void {
    this.scratch?.delete();
    this.scratch = undefined;
  }

  /**
   * Score every variant by playing it ahead on a copy of the simulator; the best one (first on ties) wins. While the
   * balance law holds the arm, every variant acts alike as long as it keeps holding: one lookahead of the current
   * variant shows whether it does, and only a predicted drop calls for comparing them all.
   */
  private choose(env: Env): AcrobotSwingVariant {
    if (!this.scratch || this.scratch.deleted) this.scratch = env.physics.fork();
    const start = env.getState();
    const steps = Math.min(this.horizon, env.maxEpisodeSteps - start.step);
    if (this.caught) {
      // The balance variant holds by fiat; ask a pumping variant whether the hold lasts (it lets go below cos θ1 = 0.5).
      const holder = this.current.balance ? this.variants.find((v) => !v.balance) : this.current;
      if (holder && this.lookahead(env, start.physics, holder, steps).keepsHolding) return holder;
    }
    let best = this.variants[0]!;
    let bestScore = -Infinity;
    for (const v of this.variants) {
      const { score } = this.lookahead(env, start.physics, v, steps);
      if (score > bestScore) {
        bestScore = score;
        best = v;
      }
    }
    return best;
  }

  /** Play variant `v` for `steps` steps from `start` on the simulator copy: its score, and whether the balance held throughout. */
  private lookahead(env: Env, start: PhysicsState, v: AcrobotSwingVariant, steps: number): { score: number; keepsHolding: boolean } {
    const sim = this.scratch!;
    const { task } = env;
    sim.setState(start);
    let caught = this.caught;
    let keepsHolding = caught;
    let score = 0;
    for (let t = 0; t < steps; t++) {
      const r = acrobotVariantAction(task.observation(sim), v, caught);
      caught = r.caught;
      keepsHolding &&= caught;
      sim.setControl([r.u]);
      sim.step(task.physicsStepsPerControlStep);
      score += task.reward(sim);
    }
    this.lookaheadSteps += steps;
    const [q1, q2] = sim.qpos;
    const [w1, w2] = sim.qvel;
    score -= this.energyWeight * Math.abs(acrobotLockedEnergy(q1!, q2!, w1!, w2!) - ACROBOT_UPRIGHT_ENERGY);
    return { score, keepsHolding };
  }
}
