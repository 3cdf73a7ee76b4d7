/**
 * The world model of TD-MPC and TD-MPC2 in one class: latent model (latent.ts), Q ensemble and policy prior
 * (value.ts), their parameters in one `Params` store, and the target copy the TD targets use. Like the official
 * `world_model.py` it holds only encode / next / reward / pi / Q and the rollout a planner scores; the losses and
 * the update live in the agents (src/agents/tdmpc.ts, tdmpc2.ts).
 *
 * Two architectures, one config (official snake_case names):
 *   "tdmpc"   TOLD (TD-MPC helper.py): ELU MLPs without normalisation, encoder obs→enc_dim→latent_dim (50),
 *             scalar reward and Q, two Q heads Linear→LayerNorm→tanh→Linear→ELU→Linear, orthogonal init, last
 *             layers of reward and Q zeroed, a deterministic policy; target = EMA of the whole model.
 *   "tdmpc2"  TD-MPC2 (common/layers.py, world_model.py): Linear→LayerNorm→Mish blocks, SimNorm latents, two-hot
 *             reward and Q (num_bins), num_q heads with dropout in the first layer, a squashed-Gaussian policy,
 *             trunc-normal(0.02) init; target = EMA of the Q heads only.
 */
import { tf } from "../nn/backend.js";
import { ensemble, mlp, Params, type MlpOptions } from "../nn/layers.js";
import type { ScalarCoding } from "../nn/losses.js";
import { Rng } from "../util/random.js";
import { LatentModel } from "./latent.js";
import { PolicyPrior, QEnsemble } from "./value.js";

export type Architecture = "tdmpc" | "tdmpc2";

export interface WorldModelConfig {
  arch: Architecture;
  enc_dim: number;
  /** TD-MPC2: layers of the encoder MLP (hidden layers = max(num_enc_layers − 1, 1)); TD-MPC has one hidden layer. */
  num_enc_layers: number;
  mlp_dim: number;
  latent_dim: number;
  num_q: number;
  /** TD-MPC2 only: dropout after the first layer of each Q head, SimNorm group size, two-hot bins. */
  dropout: number;
  simnorm_dim: number;
  num_bins: number;
  vmin: number;
  vmax: number;
  log_std_min: number;
  log_std_max: number;
  /** Course extension (chapter 4): a decoder ô = D(z) for the reconstruction loss that TD-MPC does without. */
  decoder: boolean;
}

/** The official sizes (TD-MPC cfgs/default.yaml; TD-MPC2 config.yaml, model_size 5). */
export const TDMPC_MODEL: WorldModelConfig = {
  arch: "tdmpc",
  enc_dim: 256,
  num_enc_layers: 2,
  mlp_dim: 512,
  latent_dim: 50,
  num_q: 2,
  dropout: 0,
  simnorm_dim: 8,
  num_bins: 1,
  vmin: 0,
  vmax: 0,
  log_std_min: -10,
  log_std_max: 2,
  decoder: false,
};

export const TDMPC2_MODEL: WorldModelConfig = {
  arch: "tdmpc2",
  enc_dim: 256,
  num_enc_layers: 2,
  mlp_dim: 512,
  latent_dim: 512,
  num_q: 5,
  dropout: 0.01,
  simnorm_dim: 8,
  num_bins: 101,
  vmin: -10,
  vmax: 10,
  log_std_min: -10,
  log_std_max: 2,
  decoder: false,
};

export class WorldModel {
  readonly params = new Params();
  readonly target: Params;
  readonly latent: LatentModel;
  readonly q: QEnsemble;
  readonly pi: PolicyPrior;
  readonly rng: Rng;

  constructor(
    readonly cfg: WorldModelConfig,
    readonly obsDim: number,
    readonly actionDim: number,
    seed = 0,
  ) {
    checkModelConfig(cfg, obsDim, actionDim);
    this.rng = new Rng(seed);
    const r = this.rng;
    const { latent_dim: L, mlp_dim: M, enc_dim: Eh } = cfg;
    const A = actionDim;
    const v2 = cfg.arch === "tdmpc2";
    // TD-MPC: Linear → ELU, no normalisation, orthogonal init; TD-MPC2: NormedLinear (LayerNorm + Mish), SimNorm latents
    const block: MlpOptions = v2 ? { act: "mish", norm: "layer" } : { act: "elu", norm: "none", init: "orthogonal" };
    const latentOut: MlpOptions = v2 ? { outAct: "simnorm", simnormDim: cfg.simnorm_dim } : {};
    const coding: ScalarCoding = v2 ? { numBins: cfg.num_bins, vmin: cfg.vmin, vmax: cfg.vmax } : "mse";
    const width = v2 ? cfg.num_bins : 1;
    const encHidden = v2 ? Array.from({ length: Math.max(cfg.num_enc_layers - 1, 1) }, () => Eh) : [Eh];
    const p = this.params;
    const encoder = mlp(p, "encoder", [obsDim, ...encHidden, L], r, { ...block, ...latentOut });
    const dynamics = mlp(p, "dynamics", [L + A, M, M, L], r, { ...block, ...latentOut });
    const reward = mlp(p, "reward", [L + A, M, M, width], r, { ...block, zeroLast: true });
    const piSpec = mlp(p, "pi", [L, M, M, v2 ? 2 * A : A], r, block);
    const qOpts: MlpOptions = v2
      ? { ...block, dropout: cfg.dropout, zeroLast: true }
      : { act: "elu", norm: "first", firstAct: "tanh", init: "orthogonal", zeroLast: true };
    const qSpec = ensemble(p, "q", cfg.num_q, [L + A, M, M, width], r, qOpts);
    const decoder = cfg.decoder ? mlp(p, "decoder", [L, Eh, obsDim], r, block) : undefined;
    this.latent = new LatentModel(p, encoder, dynamics, reward, coding, decoder);
    this.q = new QEnsemble(p, qSpec, coding, r);
    this.pi = new PolicyPrior(p, piSpec, v2 ? "gaussian" : "deterministic", A, r, { min: cfg.log_std_min, max: cfg.log_std_max });
    this.target = p.clone(v2 ? "q/" : "");
  }

  numParams(prefix = ""): number {
    return this.params.count(prefix);
  }

  get latentDim(): number {
    return this.cfg.latent_dim;
  }

  /**
   * Value of N action sequences from one start latent, the planner's objective (TD-MPC Alg. 1 / TD-MPC2 Eq. 6):
   * G = Σ_{t<H} γ^t R(z_t, a_t) + γ^H · Q(z_H, a_H), z_{t+1} = d(z_t, a_t), a_H ~ π(z_H) (TD-MPC: noise std `piStd`,
   * min of both heads; TD-MPC2: a policy sample, mean of two random heads). `terminal: false` drops the Q term (chapter 4:
   * planning with the model alone). z0 [1, L] or [N, L]; actions [N, H, A] (sequence-major, as the planners lay them out).
   */
  rolloutValue(z0: tf.Tensor2D, actions: tf.Tensor3D, opts: { discount: number; terminal: boolean; piStd?: number }): tf.Tensor2D {
    const [N, H, A] = actions.shape;
    let z = z0.shape[0] === N ? z0 : (tf.tile(z0, [N, 1]) as tf.Tensor2D);
    let G: tf.Tensor2D = tf.zeros([N, 1]);
    let disc = 1;
    for (let t = 0; t < H; t++) {
      const a = tf.reshape(tf.slice(actions, [0, t, 0], [N, 1, A]), [N, A]) as tf.Tensor2D;
      G = tf.add(G, tf.mul(disc, this.latent.rewardValue(z, a)));
      z = this.latent.next(z, a);
      disc *= opts.discount;
    }
    if (!opts.terminal) return G;
    const aH = this.pi.sample(z, { std: opts.piStd }).action;
    const kind = this.cfg.arch === "tdmpc2" ? "avg" : "min";
    return tf.add(G, tf.mul(disc, this.q.value(z, aH, kind)));
  }

  /**
   * N action sequences [N, H, A] from the policy rolled out in the model from z0 (TD-MPC's `num_pi_trajs`): a_t ~ π(z_t),
   * z_{t+1} = d(z_t, a_t).
   */
  policySequences(z0: tf.Tensor2D, n: number, horizon: number, piStd?: number): tf.Tensor3D {
    let z = tf.tile(z0, [n, 1]) as tf.Tensor2D;
    const steps: tf.Tensor2D[] = [];
    for (let t = 0; t < horizon; t++) {
      const a = this.pi.sample(z, { std: piStd }).action;
      steps.push(a);
      if (t < horizon - 1) z = this.latent.next(z, a);
    }
    return tf.stack(steps, 1) as tf.Tensor3D;
  }

  /** Overwrite the target copy with the online weights (at start and after loading). */
  syncTarget(): void {
    this.target.copyFrom(this.params);
  }

  dispose(): void {
    this.params.dispose();
    this.target.dispose();
  }
}

export function checkModelConfig(cfg: WorldModelConfig, obsDim: number, actionDim: number): void {
  if (!Number.isInteger(obsDim) || obsDim < 1 || !Number.isInteger(actionDim) || actionDim < 1) {
    throw new RangeError(`world model: obsDim and actionDim must be positive integers, got ${obsDim}, ${actionDim}`);
  }
  if (cfg.arch !== "tdmpc" && cfg.arch !== "tdmpc2") throw new RangeError(`world model: arch must be "tdmpc" or "tdmpc2", got ${String(cfg.arch)}`);
  for (const k of ["enc_dim", "num_enc_layers", "mlp_dim", "latent_dim", "num_q"] as const) {
    if (!Number.isInteger(cfg[k]) || cfg[k] < 1) throw new RangeError(`world model: ${k} must be a positive integer, got ${cfg[k]}`);
  }
  if (cfg.arch === "tdmpc2") {
    if (cfg.latent_dim % cfg.simnorm_dim !== 0) throw new RangeError(`latent_dim ${cfg.latent_dim} is not a multiple of simnorm_dim ${cfg.simnorm_dim}`);
    if (!Number.isInteger(cfg.num_bins) || cfg.num_bins < 2) throw new RangeError(`num_bins must be an integer ≥ 2, got ${cfg.num_bins}`);
    if (!(cfg.dropout >= 0 && cfg.dropout < 1)) throw new RangeError(`dropout must be in [0, 1), got ${cfg.dropout}`);
  } else if (cfg.num_q < 2) throw new RangeError(`TD-MPC needs num_q ≥ 2 (clipped double Q), got ${cfg.num_q}`);
}
