/**
 * The latent model of TD-MPC (Hansen, Wang & Su 2022, "TOLD", §3.1) and TD-MPC2 (Hansen, Su & Wang 2024, §3):
 *
 *   encoder   z_t = h(o_t)                 observation → latent state
 *   dynamics  z_{t+1} = d(z_t, a_t)         the model's transition, entirely in latent space
 *   reward    r̂_t = R(z_t, a_t)            (a scalar regressed with MSE, or TD-MPC2's two-hot distribution)
 *   decoder   ô_t = D(z_t)                 optional: the reconstruction the TD-MPC papers do *without* (chapter 4)
 *
 * and the loss that ties h and d together without a decoder, the latent consistency loss (TD-MPC Eq. 3 / TD-MPC2
 * Eq. 3): ‖d(z_t, a_t) − sg(h(o_{t+1}))‖², so that predicting the next latent is predicting the next encoding.
 * The networks are MLPs in one named `Params` store ("encoder/…", "dynamics/…", "reward/…", "decoder/…").
 *
 * Multi-task models (TD-MPC2 §3.5) pass a learned task embedding `task` [rows, task_dim] to every call: it is
 * concatenated to the network inputs as the official `task_emb` does ([o, e] for the encoder, [z, e, a] for d and R).
 */
import { tf } from "../nn/backend.js";
import { applyConvEncoder, type ConvEncoderSpec } from "../nn/conv.js";
import { applyMlp, type MlpSpec, type Params } from "../nn/layers.js";
import { decodeScalar, scalarLoss, type ScalarCoding } from "../nn/losses.js";

export class LatentModel {
  constructor(
    readonly params: Params,
    /** An MLP of the state, or (modality=pixels) a CNN of stacked frames. */
    readonly encoder: MlpSpec | ConvEncoderSpec,
    readonly dynamics: MlpSpec,
    readonly reward: MlpSpec,
    readonly rewardCoding: ScalarCoding,
    readonly decoder?: MlpSpec,
  ) {}

  get latentDim(): number {
    return this.dynamics.dims[this.dynamics.dims.length - 1]!;
  }

  /**
   * z = h(o), obs [B, obsDim] → [B, latent]; `from` reads the weights of another store (a target copy). A CNN encoder
   * takes frames as NHWC [B, H, W, C] raw 0–255 values (conv.ts `pixelBatch`) or as [B, obsDim] channels-first rows.
   */
  encode(obs: tf.Tensor, from: Params = this.params, task?: tf.Tensor2D): tf.Tensor2D {
    const enc = this.encoder;
    if ("convs" in enc) {
      if (task) throw new Error("encode: a pixel encoder takes no task embedding");
      const x = obs.rank === 4 ? obs : tf.transpose(tf.reshape(tf.cast(obs, "float32"), [obs.shape[0], enc.channels, enc.size, enc.size]), [0, 2, 3, 1]);
      return applyConvEncoder(from, enc, x as tf.Tensor4D);
    }
    if (obs.rank !== 2) throw new Error(`encode: an MLP encoder takes [B, obsDim] observations, got [${obs.shape}]`);
    return applyMlp(from, enc, withTask([obs as tf.Tensor2D], task));
  }

  /** z' = d(z, a) */
  next(z: tf.Tensor2D, a: tf.Tensor2D, task?: tf.Tensor2D): tf.Tensor2D {
    return applyMlp(this.params, this.dynamics, withTask([z], task, a));
  }

  /** The reward head's raw output [B, 1 or num_bins]. */
  rewardOut(z: tf.Tensor2D, a: tf.Tensor2D, task?: tf.Tensor2D): tf.Tensor2D {
    return applyMlp(this.params, this.reward, withTask([z], task, a));
  }

  /** r̂ = R(z, a) as scalars [B, 1]. */
  rewardValue(z: tf.Tensor2D, a: tf.Tensor2D, task?: tf.Tensor2D): tf.Tensor2D {
    return decodeScalar(this.rewardCoding, this.rewardOut(z, a, task)) as tf.Tensor2D;
  }

  /** Per-row reward loss [B, 1] (MSE or soft cross-entropy against the two-hot target). */
  rewardLoss(z: tf.Tensor2D, a: tf.Tensor2D, r: tf.Tensor, task?: tf.Tensor2D): tf.Tensor2D {
    return scalarLoss(this.rewardCoding, this.rewardOut(z, a, task), r);
  }

  /** ô = D(z); only for a model built with a decoder. */
  decode(z: tf.Tensor2D): tf.Tensor2D {
    if (!this.decoder) throw new Error("this latent model has no decoder (build it with decoder: true)");
    return applyMlp(this.params, this.decoder, z);
  }
}

/** [x, e, a] (or [x, a], [x, e], x) as one input: the task embedding sits after the state, before the action. */
export function withTask(xs: tf.Tensor2D[], task?: tf.Tensor2D, action?: tf.Tensor2D): tf.Tensor2D {
  const parts = [...xs, ...(task ? [task] : []), ...(action ? [action] : [])];
  return parts.length === 1 ? parts[0]! : (tf.concat(parts, 1) as tf.Tensor2D);
}

/**
 * The latent consistency loss per row [B, 1]: mean over latent dimensions of (z_pred − z_target)² (TD-MPC Eq. 3;
 * TD-MPC2 averages over rows too). `target` must carry no gradient: it is computed outside the differentiated
 * function (or detached), as `torch.no_grad()` does in the official code.
 */
export function consistencyLoss(zPred: tf.Tensor2D, zTarget: tf.Tensor2D): tf.Tensor2D {
  if (zPred.shape[1] !== zTarget.shape[1]) throw new Error(`consistencyLoss: latents of ${zPred.shape[1]} and ${zTarget.shape[1]} dims`);
  return tf.mean(tf.squaredDifference(zPred, zTarget), 1, true) as tf.Tensor2D;
}
