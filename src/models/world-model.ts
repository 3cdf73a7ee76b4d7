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
import { convEncoder } from "../nn/conv.js";
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
  /** TD-MPC2 only: dropout after the first layer of each Q head, SimNorm group size (0: none), two-hot bins. */
  dropout: number;
  simnorm_dim: number;
  num_bins: number;
  vmin: number;
  vmax: number;
  log_std_min: number;
  log_std_max: number;
  /** Course extension (chapter 4): a decoder ô = D(z) for the reconstruction loss that TD-MPC does without. */
  decoder: boolean;
  /** Multi-task TD-MPC2: a learned embedding of this many dimensions per task (official 96; 0 = single task). */
  task_dim: number;
  num_tasks: number;
  /** TD-MPC's `modality` (TD-MPC2 calls it `obs: state|rgb`): "state" (an MLP encoder of the state vector) or
   * "pixels" (stacked RGB frames through the 4-layer CNN of src/nn/conv.ts; cfgs/pixels.yaml). */
  modality: "state" | "pixels";
  /** Pixels: frame size, frames stacked per observation, filters per convolution (TD-MPC: 84, 3, 32). */
  img_size: number;
  frame_stack: number;
  num_channels: number;
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
  task_dim: 0,
  num_tasks: 1,
  modality: "state",
  img_size: 84,
  frame_stack: 3,
  num_channels: 32,
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
  task_dim: 0,
  num_tasks: 1,
  modality: "state",
  img_size: 64,
  frame_stack: 3,
  num_channels: 32,
};

/** Values per observation: the state's size, or 3·frame_stack·img_size² bytes of stacked frames. */
export function modelObsDim(cfg: WorldModelConfig, stateDim: number): number {
  return cfg.modality === "pixels" ? 3 * cfg.frame_stack * cfg.img_size ** 2 : stateDim;
}

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
    const { latent_dim: L, mlp_dim: M, enc_dim: Eh, task_dim: T } = cfg;
    const A = actionDim;
    const v2 = cfg.arch === "tdmpc2";
    // TD-MPC: Linear → ELU, no normalisation, orthogonal init; TD-MPC2: NormedLinear (LayerNorm + Mish), SimNorm latents
    const block: MlpOptions = v2 ? { act: "mish", norm: "layer" } : { act: "elu", norm: "none", init: "orthogonal" };
    // simnorm_dim 0 (a course switch, the TD-MPC2 paper's "no normalisation" ablation): an unconstrained latent
    const latentOut: MlpOptions = v2 && cfg.simnorm_dim > 0 ? { outAct: "simnorm", simnormDim: cfg.simnorm_dim } : {};
    const coding: ScalarCoding = v2 ? { numBins: cfg.num_bins, vmin: cfg.vmin, vmax: cfg.vmax } : "mse";
    const width = v2 ? cfg.num_bins : 1;
    const encHidden = v2 ? Array.from({ length: Math.max(cfg.num_enc_layers - 1, 1) }, () => Eh) : [Eh];
    const p = this.params;
    // multi-task: every network also reads the task embedding (T dims; the official `task_emb` concatenation)
    if (T > 0) p.add("task_emb/E", tf.tensor2d(r.fillNormal(new Float32Array(cfg.num_tasks * T)), [cfg.num_tasks, T]));
    // pixels: TD-MPC's CNN (helper.py enc: /255, conv 7/5/3/3 stride 2, ReLU, Linear → latent) replaces the MLP
    const encoder =
      cfg.modality === "pixels"
        ? convEncoder(p, "encoder", { kind: "tdmpc", channels: 3 * cfg.frame_stack, size: cfg.img_size, filters: cfg.num_channels, latentDim: L }, r)
        : mlp(p, "encoder", [obsDim + T, ...encHidden, L], r, { ...block, ...latentOut });
    const dynamics = mlp(p, "dynamics", [L + T + A, M, M, L], r, { ...block, ...latentOut });
    const reward = mlp(p, "reward", [L + T + A, M, M, width], r, { ...block, zeroLast: true });
    const piSpec = mlp(p, "pi", [L + T, M, M, v2 ? 2 * A : A], r, block);
    const qOpts: MlpOptions = v2
      ? { ...block, dropout: cfg.dropout, zeroLast: true }
      : { act: "elu", norm: "first", firstAct: "tanh", init: "orthogonal", zeroLast: true };
    const qSpec = ensemble(p, "q", cfg.num_q, [L + T + A, M, M, width], r, qOpts);
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
   * Task embeddings [ids.length, task_dim] for the given task indices (multi-task models only), each rescaled to norm
   * ≤ 1 as torch's `Embedding(max_norm=1)` does; undefined for a single-task model.
   */
  taskEmbedding(ids: ArrayLike<number>): tf.Tensor2D | undefined {
    if (this.cfg.task_dim === 0) return undefined;
    for (let i = 0; i < ids.length; i++) {
      if (!Number.isInteger(ids[i]) || ids[i]! < 0 || ids[i]! >= this.cfg.num_tasks) throw new RangeError(`task index ${ids[i]} out of range 0…${this.cfg.num_tasks - 1}`);
    }
    return tf.tidy(() => {
      // a one-hot product rather than tf.gather: its gradient needs UnsortedSegmentSum, which the wasm backend lacks
      const T = this.cfg.num_tasks;
      const onehot = new Float32Array(ids.length * T);
      for (let i = 0; i < ids.length; i++) onehot[i * T + ids[i]!] = 1;
      const e = tf.matMul(tf.tensor2d(onehot, [ids.length, T]), this.params.get("task_emb/E"));
      return tf.div(e, tf.maximum(tf.norm(e, "euclidean", 1, true), 1)) as tf.Tensor2D;
    });
  }

  /**
   * Value of N action sequences from one start latent, the planner's objective (TD-MPC Alg. 1 / TD-MPC2 Eq. 6):
   * G = Σ_{t<H} γ^t R(z_t, a_t) + γ^H · Q(z_H, a_H), z_{t+1} = d(z_t, a_t), a_H ~ π(z_H) (TD-MPC: noise std `piStd`,
   * min of both heads; TD-MPC2: a policy sample, mean of two random heads). `terminal: false` drops the Q term (chapter 4:
   * planning with the model alone). z0 [1, L] or [N, L]; actions [N, H, A] (sequence-major, as the planners lay them out).
   */
  rolloutValue(z0: tf.Tensor2D, actions: tf.Tensor3D, opts: { discount: number; terminal: boolean; piStd?: number; task?: TaskInput }): tf.Tensor2D {
    const [N, H, A] = actions.shape;
    return this.rolloutReturn(z0, N, H, (_z, t) => tf.reshape(tf.slice(actions, [0, t, 0], [N, 1, A]), [N, A]) as tf.Tensor2D, opts);
  }

  /**
   * The same return for N rollouts whose action at step t is chosen from the latent reached, a_t = actionAt(z_t, t)
   * (chapter 5: POPLIN plans around the policy, a_t = π(z_t) + δ_t or a perturbed π(z_t)); `rolloutValue` is the
   * case of fixed sequences.
   */
  rolloutReturn(
    z0: tf.Tensor2D,
    n: number,
    horizon: number,
    actionAt: (z: tf.Tensor2D, t: number) => tf.Tensor2D,
    opts: { discount: number; terminal: boolean; piStd?: number; task?: TaskInput },
  ): tf.Tensor2D {
    const task = opts.task && tf.tile(opts.task.embedding, [n, 1]);
    const mask = opts.task && tf.tile(opts.task.mask, [n, 1]);
    let z = z0.shape[0] === n ? z0 : (tf.tile(z0, [n, 1]) as tf.Tensor2D);
    let G: tf.Tensor2D = tf.zeros([n, 1]);
    let disc = 1;
    for (let t = 0; t < horizon; t++) {
      const a = actionAt(z, t);
      G = tf.add(G, tf.mul(disc, this.latent.rewardValue(z, a, task)));
      z = this.latent.next(z, a, task);
      disc *= opts.discount;
    }
    if (!opts.terminal) return G;
    const aH = this.pi.sample(z, { std: opts.piStd, task, mask }).action;
    const kind = this.cfg.arch === "tdmpc2" ? "avg" : "min";
    return tf.add(G, tf.mul(disc, this.q.value(z, aH, kind, { task })));
  }

  /**
   * N action sequences [N, H, A] from the policy rolled out in the model from z0 (TD-MPC's `num_pi_trajs`): a_t ~ π(z_t),
   * z_{t+1} = d(z_t, a_t).
   */
  policySequences(z0: tf.Tensor2D, n: number, horizon: number, piStd?: number, taskIn?: TaskInput): tf.Tensor3D {
    const task = taskIn && tf.tile(taskIn.embedding, [n, 1]);
    const mask = taskIn && tf.tile(taskIn.mask, [n, 1]);
    let z = tf.tile(z0, [n, 1]) as tf.Tensor2D;
    const steps: tf.Tensor2D[] = [];
    for (let t = 0; t < horizon; t++) {
      const a = this.pi.sample(z, { std: piStd, task, mask }).action;
      steps.push(a);
      if (t < horizon - 1) z = this.latent.next(z, a, task);
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

/** One task of a multi-task model: its embedding [1, task_dim] and action mask [1, A] (1 for the dims the task has). */
export interface TaskInput {
  embedding: tf.Tensor2D;
  mask: tf.Tensor2D;
}

export function checkModelConfig(cfg: WorldModelConfig, obsDim: number, actionDim: number): void {
  if (!Number.isInteger(obsDim) || obsDim < 1 || !Number.isInteger(actionDim) || actionDim < 1) {
    throw new RangeError(`world model: obsDim and actionDim must be positive integers, got ${obsDim}, ${actionDim}`);
  }
  if (cfg.arch !== "tdmpc" && cfg.arch !== "tdmpc2") throw new RangeError(`world model: arch must be "tdmpc" or "tdmpc2", got ${String(cfg.arch)}`);
  for (const k of ["enc_dim", "num_enc_layers", "mlp_dim", "latent_dim", "num_q"] as const) {
    if (!Number.isInteger(cfg[k]) || cfg[k] < 1) throw new RangeError(`world model: ${k} must be a positive integer, got ${cfg[k]}`);
  }
  if (!Number.isInteger(cfg.task_dim) || cfg.task_dim < 0) throw new RangeError(`world model: task_dim must be a non-negative integer, got ${cfg.task_dim}`);
  if (!Number.isInteger(cfg.num_tasks) || cfg.num_tasks < 1) throw new RangeError(`world model: num_tasks must be a positive integer, got ${cfg.num_tasks}`);
  if (cfg.num_tasks > 1 && cfg.task_dim === 0) throw new RangeError("world model: several tasks need a task embedding (task_dim > 0)");
  if (cfg.modality === "pixels") {
    if (cfg.arch !== "tdmpc") throw new RangeError("world model: modality=pixels is wired for TD-MPC's architecture only (TD-MPC2 from pixels is not yet)");
    for (const k of ["img_size", "frame_stack", "num_channels"] as const) {
      if (!Number.isInteger(cfg[k]) || cfg[k] < 1) throw new RangeError(`world model: ${k} must be a positive integer, got ${cfg[k]}`);
    }
    if (obsDim !== modelObsDim(cfg, obsDim)) {
      throw new RangeError(`world model: a pixel observation of ${obsDim} values is not 3·frame_stack·img_size² = ${modelObsDim(cfg, obsDim)} (frame_stack ${cfg.frame_stack}, img_size ${cfg.img_size})`);
    }
    if (cfg.decoder || cfg.task_dim > 0) throw new RangeError("world model: modality=pixels has no decoder and no task embedding");
  } else if (cfg.modality !== undefined && cfg.modality !== "state") throw new RangeError(`world model: modality must be "state" or "pixels", got ${String(cfg.modality)}`);
  if (cfg.arch === "tdmpc2") {
    if (!Number.isInteger(cfg.simnorm_dim) || cfg.simnorm_dim < 0) throw new RangeError(`simnorm_dim must be a non-negative integer (0: no SimNorm), got ${cfg.simnorm_dim}`);
    if (cfg.simnorm_dim > 0 && cfg.latent_dim % cfg.simnorm_dim !== 0) throw new RangeError(`latent_dim ${cfg.latent_dim} is not a multiple of simnorm_dim ${cfg.simnorm_dim}`);
    if (!Number.isInteger(cfg.num_bins) || cfg.num_bins < 2) throw new RangeError(`num_bins must be an integer ≥ 2, got ${cfg.num_bins}`);
    if (!(cfg.dropout >= 0 && cfg.dropout < 1)) throw new RangeError(`dropout must be in [0, 1), got ${cfg.dropout}`);
  } else if (cfg.num_q < 2) throw new RangeError(`TD-MPC needs num_q ≥ 2 (clipped double Q), got ${cfg.num_q}`);
}
