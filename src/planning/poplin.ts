/**
 * POPLIN (Wang & Ba 2019, "Exploring Model-based Planning with Policy Networks"): the older way to let a policy help
 * the planner — search *around* the policy instead of mixing its sequences into the population (TD-MPC).
 *
 *   POPLIN-A  search over action residuals: a_t = clip(π(z_t) + s·u_t, ±1), the policy re-applied to the latent
 *             each residual leads to (the paper's "POPLIN-A-Replan"); u = 0 is the policy's own plan.
 *   POPLIN-P  search over perturbations of the policy's last layer (the paper perturbs all weights; the last layer
 *             keeps the search small): a_t = tanh(h̃(z_t)ᵀ(θ + s′·u)), h̃ = [features; 1], θ = [W; b]; each
 *             candidate is a policy rolled out for H steps; u = 0 is the policy.
 *
 * Both reuse the sampling planner unchanged (`SamplingPlanner`, TD-MPC's MPPI settings): its "action sequences" are
 * the search variables u ∈ [−1, 1], and a planning model over u (`ResidualPolicyModel`, `PolicyPerturbationModel`)
 * turns each into a latent rollout scored as TD-MPC scores one (Σ γ^t R + γ^H·Q when the terminal value is on).
 * `PoplinPlanner` maps the plan back to actions.
 */
import { tf } from "../nn/backend.js";
import { applyMlp, dense } from "../nn/layers.js";
import type { WorldModel } from "../models/world-model.js";
import { LatentPlanningModel } from "./latent-model.js";
import { mppiPlanner, type SamplingPlanner, type SamplingPlannerConfig } from "./sampling.js";
import { checkPositiveInt, type Plan, type PlanOptions, type Planner, type PlanningModel } from "./types.js";

export type PoplinKind = "poplin_a" | "poplin_p";

/** Residual range of POPLIN-A: s = 2 lets a residual reach any action in [−1, 1] from any policy action. */
export const RESIDUAL_SCALE = 2;

/** The actions [n, H, A] of n rollouts from z0 whose action at step t is actionAt(z_t, t) (no rewards). */
function rolloutActions(wm: WorldModel, z0: tf.Tensor2D, n: number, horizon: number, actionAt: (z: tf.Tensor2D, t: number) => tf.Tensor2D): tf.Tensor3D {
  let z = tf.tile(z0, [n, 1]) as tf.Tensor2D;
  const steps: tf.Tensor2D[] = [];
  for (let t = 0; t < horizon; t++) {
    const a = actionAt(z, t);
    steps.push(a);
    if (t < horizon - 1) z = wm.latent.next(z, a);
  }
  return tf.stack(steps, 1) as tf.Tensor3D;
}

/** A search space over u ∈ [−1, 1] whose points stand for latent rollouts of a policy-based action rule. */
abstract class PolicySearchSpace implements PlanningModel {
  abstract readonly actionDim: number;
  constructor(readonly base: LatentPlanningModel) {}

  get wm(): WorldModel {
    return this.base.wm;
  }

  /** a_t for n candidates given as u [n, D] (rows = candidates), at latents z [n, L]. */
  protected abstract actionRule(u: tf.Tensor3D, n: number): (z: tf.Tensor2D, t: number) => tf.Tensor2D;
  /** The rollout horizon of a planner call over `horizon` search steps. */
  protected abstract rolloutHorizon(horizon: number): number;

  async evaluate(u: Float32Array, n: number, horizon: number): Promise<Float32Array> {
    const o = this.base.opts;
    const G = tf.tidy(() => {
      const z0 = this.base.startTensor();
      const rule = this.actionRule(this.searchTensor(u, n, horizon), n);
      return this.wm.rolloutReturn(z0, n, this.rolloutHorizon(horizon), rule, { discount: o.discount, terminal: o.terminalValue, piStd: o.piStd });
    });
    const out = (await G.data()) as Float32Array;
    G.dispose();
    return out;
  }

  /** The action sequences [n, H_rollout, A] that n points of the search space stand for, from the start latent. */
  async actions(u: Float32Array, n: number, horizon: number): Promise<Float32Array> {
    const seqs = tf.tidy(() => {
      const z0 = this.base.startTensor();
      return rolloutActions(this.wm, z0, n, this.rolloutHorizon(horizon), this.actionRule(this.searchTensor(u, n, horizon), n));
    });
    const out = (await seqs.data()) as Float32Array;
    seqs.dispose();
    return out;
  }

  private searchTensor(u: Float32Array, n: number, horizon: number): tf.Tensor3D {
    const A = this.actionDim;
    if (u.length !== n * horizon * A) throw new RangeError(`POPLIN: got ${u.length} search values, expected n × horizon × ${A} = ${n * horizon * A}`);
    return tf.tensor3d(u, [n, horizon, A]);
  }
}

/** POPLIN-A: u [n, H, A] are action residuals, a_t = clip(π(z_t) + scale·u_t, ±1) with π's mode (no noise). */
export class ResidualPolicyModel extends PolicySearchSpace {
  readonly actionDim: number;
  constructor(base: LatentPlanningModel, readonly scale = RESIDUAL_SCALE) {
    super(base);
    this.actionDim = base.actionDim;
    if (!(scale >= 0)) throw new RangeError(`ResidualPolicyModel: scale must be ≥ 0, got ${scale}`);
  }

  protected rolloutHorizon(horizon: number): number {
    return horizon;
  }

  protected actionRule(u: tf.Tensor3D, n: number): (z: tf.Tensor2D, t: number) => tf.Tensor2D {
    const A = this.actionDim;
    return (z, t) => {
      const delta = tf.reshape(tf.slice(u, [0, t, 0], [n, 1, A]), [n, A]);
      return tf.clipByValue(tf.add(this.wm.pi.sample(z).mu, tf.mul(this.scale, delta)), -1, 1) as tf.Tensor2D;
    };
  }
}

/**
 * POPLIN-P: u [n, 1, (F+1)·A] perturb the policy's last layer θ = [W; b] (F features, the first A outputs: the
 * deterministic policy's action, or the Gaussian policy's mean), a_t = tanh(h̃(z_t)ᵀ(θ + s′·u)) with
 * s′ = scale/√(F+1), so that a perturbation of std σ moves the pre-tanh output by about scale·σ·rms(h̃).
 * The planner searches one "step" of (F+1)·A values; `horizon` sets the rollout length.
 */
export class PolicyPerturbationModel extends PolicySearchSpace {
  readonly actionDim: number;
  /** Steps each candidate policy is rolled out (the planning horizon). */
  horizon: number;
  private readonly features: number;

  constructor(base: LatentPlanningModel, horizon: number, readonly scale = RESIDUAL_SCALE) {
    super(base);
    checkPositiveInt("horizon", horizon);
    this.horizon = horizon;
    const dims = this.wm.pi.spec.dims;
    this.features = dims[dims.length - 2]!;
    this.actionDim = (this.features + 1) * base.actionDim;
  }

  protected rolloutHorizon(): number {
    return this.horizon;
  }

  protected actionRule(u: tf.Tensor3D, n: number): (z: tf.Tensor2D) => tf.Tensor2D {
    const pi = this.wm.pi;
    const A = this.base.actionDim;
    const F = this.features;
    const spec = pi.spec;
    const last = `${spec.prefix}/${spec.dims.length - 2}`;
    // the MLP up to its last hidden layer (same activations and norms as inside the full MLP)
    const trunk = { ...spec, dims: spec.dims.slice(0, -1), outAct: spec.act };
    const delta = tf.mul(this.scale / Math.sqrt(F + 1), tf.reshape(u, [n, F + 1, A]));
    return (z) => {
      const h = applyMlp(pi.params, trunk, z);
      const out = tf.slice(dense(h, pi.params.get(`${last}/W`), pi.params.get(`${last}/b`)), [0, 0], [n, A]);
      const hTilde = tf.concat([h, tf.ones([n, 1])], 1);
      const shift = tf.sum(tf.mul(tf.expandDims(hTilde, 2), delta), 1); // [n, A]: h̃ᵀ·Δθ per candidate
      return tf.tanh(tf.add(out, shift)) as tf.Tensor2D;
    };
  }
}

/**
 * A planner over actions whose search runs in POPLIN's space: `plan(model)` takes the agent's `LatentPlanningModel`
 * and returns the action and sequence in action space; `mean`, `std`, `elites` and `bestSequence` stay in the
 * search space (residuals or parameter perturbations). Warm start: POPLIN-A shifts the residual mean by the steps
 * executed (the sampling planner's warm start); POPLIN-P restarts from the current policy (u = 0) every call.
 * The sampling std is in units of u: it starts at `maxStd` and is bounded below by min(minStd, maxStd).
 */
export class PoplinPlanner implements Planner {
  readonly name: string;
  readonly horizon: number;
  readonly search: SamplingPlanner;

  constructor(
    readonly kind: PoplinKind,
    readonly wm: WorldModel,
    config: Partial<SamplingPlannerConfig> & { horizon: number },
    readonly scale = RESIDUAL_SCALE,
  ) {
    if (kind !== "poplin_a" && kind !== "poplin_p") throw new RangeError(`POPLIN kind must be poplin_a or poplin_p, got "${String(kind)}"`);
    if ((config.numPiTrajs ?? 0) > 0) throw new RangeError("POPLIN searches around the policy itself: numPiTrajs must be 0");
    if (wm.cfg.task_dim > 0) throw new RangeError("POPLIN plans for single-task models (this one has a task embedding)");
    this.name = kind === "poplin_a" ? "POPLIN-A" : "POPLIN-P";
    this.horizon = config.horizon;
    const dims = wm.pi.spec.dims;
    const searchDim = kind === "poplin_a" ? wm.actionDim : (dims[dims.length - 2]! + 1) * wm.actionDim;
    this.search = mppiPlanner(searchDim, { ...config, horizon: kind === "poplin_a" ? config.horizon : 1 });
  }

  get actionDim(): number {
    return this.wm.actionDim;
  }

  reset(): void {
    this.search.reset();
  }

  getState(): ReturnType<SamplingPlanner["getState"]> {
    return this.search.getState();
  }

  setState(s: ReturnType<SamplingPlanner["getState"]>): void {
    this.search.setState(s);
  }

  async plan(model: PlanningModel, opts: PlanOptions = {}): Promise<Plan> {
    if (!(model instanceof LatentPlanningModel) || model.wm !== this.wm) throw new Error(`${this.name} plans in its world model's latent space: pass that model's LatentPlanningModel`);
    const H = opts.horizon ?? this.horizon;
    const minStd = Math.min(opts.minStd ?? this.search.config.minStd, this.search.config.maxStd);
    const space = this.kind === "poplin_a" ? new ResidualPolicyModel(model, this.scale) : new PolicyPerturbationModel(model, H, this.scale);
    const searchH = this.kind === "poplin_a" ? H : 1;
    const p = await this.search.plan(space, { ...opts, horizon: searchH, minStd });
    // row 0: the chosen point; row 1: the same with the exploration noise the planner added to its first step
    const D = p.sequence.length;
    const both = new Float32Array(2 * D);
    both.set(p.sequence);
    both.set(p.sequence, D);
    both.set(p.action, D);
    const seqs = await space.actions(both, 2, searchH);
    const A = this.actionDim;
    return { ...p, sequence: seqs.slice(0, H * A), action: seqs.slice(H * A, H * A + A) };
  }
}
