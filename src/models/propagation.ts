/**
 * Planning through a learned ensemble (PETS, Chua et al. 2018, §4): each candidate action sequence is rolled out
 * by P particles; a particle's next state is *sampled* from a member's Gaussian, and which member depends on the
 * propagation scheme:
 *   TS-1  every particle draws a new member at every step (uncertainty over models re-mixed each step);
 *   TS-∞  every particle keeps one member for the whole horizon (a particle follows one consistent dynamics).
 * The return of a sequence is the mean over its particles of Σ_t γ^t r̂_t (r̂ the predicted reward mean).
 * Particles are grouped so that every member processes the same number of rows: one batched call per step.
 */
import type { DynamicsEnsemble } from "./ensemble.js";
import type { PlanningModel } from "../planning/types.js";
import { Rng } from "../util/random.js";

export type Propagation = "TS1" | "TSinf";

export interface EnsemblePlanningOptions {
  /** Particles per sequence (PETS: 20); a multiple of the ensemble size. */
  particles: number;
  propagation: Propagation;
  /** γ of the planning return (1 in PETS). */
  discount: number;
  /** Sample next states from the predicted Gaussian (PETS) or use its mean. */
  sampleNoise: boolean;
  seed: number;
}

export class EnsemblePlanningModel implements PlanningModel {
  readonly actionDim: number;
  readonly opts: EnsemblePlanningOptions;
  private start: Float32Array | undefined;
  private readonly rng: Rng;
  /** Member of every (sequence, particle) row at each step of the last `evaluate` (for inspection and tests). */
  lastAssignments: Int32Array[] = [];
  /** Rows predicted so far (each row = one network evaluation per member-row). */
  rowsPredicted = 0;

  constructor(
    readonly ensemble: DynamicsEnsemble,
    opts: Partial<EnsemblePlanningOptions> = {},
  ) {
    this.opts = { particles: 20, propagation: "TSinf", discount: 1, sampleNoise: true, seed: 0, ...opts };
    const E = ensemble.cfg.ensembleSize;
    if (!Number.isInteger(this.opts.particles) || this.opts.particles < 1 || this.opts.particles % E !== 0) {
      throw new RangeError(`particles must be a positive multiple of the ensemble size ${E}, got ${this.opts.particles}`);
    }
    if (this.opts.propagation !== "TS1" && this.opts.propagation !== "TSinf") throw new RangeError(`propagation must be TS1 or TSinf, got ${String(this.opts.propagation)}`);
    this.actionDim = ensemble.actDim;
    this.rng = new Rng(this.opts.seed);
  }

  /** Plan from this observation. */
  setStart(obs: Float32Array): this {
    if (obs.length !== this.ensemble.obsDim) throw new RangeError(`setStart: observation has ${obs.length} values, the model expects ${this.ensemble.obsDim}`);
    this.start = Float32Array.from(obs);
    return this;
  }

  evaluate(actions: Float32Array, n: number, horizon: number): Float32Array {
    if (!this.start) throw new Error("EnsemblePlanningModel: call setStart(obs) before planning");
    const { particles: P, propagation, discount, sampleNoise } = this.opts;
    const E = this.ensemble.cfg.ensembleSize;
    const S = this.ensemble.obsDim;
    const A = this.actionDim;
    const out = this.ensemble.outDim;
    if (actions.length !== n * horizon * A) throw new RangeError(`actions has length ${actions.length}, expected n × horizon × actionDim = ${n * horizon * A}`);
    const R = n * P; // rows: sequence i, particle p → row i·P + p
    const perMember = R / E;
    const state = new Float32Array(R * S);
    for (let r = 0; r < R; r++) state.set(this.start, r * S);
    const returns = new Float64Array(R);
    // TS-∞: a fixed member per particle, balanced: particle p of every sequence uses member p mod E
    const fixed = new Int32Array(R);
    for (let r = 0; r < R; r++) fixed[r] = (r % P) % E;
    const order = new Uint32Array(R); // rows sorted by member: order[e·perMember + k] = row
    const obsIn = new Float32Array(R * S);
    const actIn = new Float32Array(R * A);
    this.lastAssignments = [];
    let g = 1;
    for (let t = 0; t < horizon; t++) {
      const member = propagation === "TSinf" ? fixed : this.randomBalancedAssignment(R, E);
      this.lastAssignments.push(member.slice());
      const fill = new Int32Array(E);
      for (let r = 0; r < R; r++) {
        const e = member[r]!;
        order[e * perMember + fill[e]!++] = r;
      }
      for (let k = 0; k < R; k++) {
        const r = order[k]!;
        obsIn.set(state.subarray(r * S, (r + 1) * S), k * S);
        const i = Math.floor(r / P);
        actIn.set(actions.subarray((i * horizon + t) * A, (i * horizon + t + 1) * A), k * A);
      }
      const pred = this.ensemble.predict(obsIn, actIn, perMember);
      this.rowsPredicted += R;
      for (let k = 0; k < R; k++) {
        const r = order[k]!;
        for (let d = 0; d < S; d++) {
          const mu = pred.mean[k * out + d]!;
          const noise = sampleNoise ? Math.sqrt(pred.variance[k * out + d]!) * this.rng.normal() : 0;
          state[r * S + d]! += mu + noise;
        }
        returns[r]! += g * pred.mean[k * out + S]!;
      }
      g *= discount;
    }
    const seqReturns = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let p = 0; p < P; p++) s += returns[i * P + p]!;
      seqReturns[i] = s / P;
    }
    return seqReturns;
  }

  /** TS-1: a random permutation split into E equal blocks gives every row a uniformly random member. */
  private randomBalancedAssignment(R: number, E: number): Int32Array {
    const perm = new Uint32Array(R);
    for (let i = 0; i < R; i++) perm[i] = i;
    this.rng.shuffle(perm);
    const member = new Int32Array(R);
    const per = R / E;
    for (let k = 0; k < R; k++) member[perm[k]!] = Math.floor(k / per);
    return member;
  }
}
