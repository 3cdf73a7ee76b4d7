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
 */
import { tf } from "../nn/backend.js";
import { applyMlp, type MlpSpec, type Params } from "../nn/layers.js";
import { decodeScalar, scalarLoss, type ScalarCoding } from "../nn/losses.js";

export class LatentModel {
  constructor(
    readonly params: Params,
    readonly encoder: MlpSpec,
    readonly dynamics: MlpSpec,
    readonly reward: MlpSpec,
    readonly rewardCoding: ScalarCoding,
    readonly decoder?: MlpSpec,
  ) {}

  get latentDim(): number {
    return this.dynamics.dims[this.dynamics.dims.length - 1]!;
  }

  /** z = h(o), obs [B, obsDim] → [B, latent]; `from` reads the weights of another store (a target copy). */
  encode(obs: tf.Tensor2D, from: Params = this.params): tf.Tensor2D {
    return applyMlp(from, this.encoder, obs);
  }

  /** z' = d(z, a) */
  next(z: tf.Tensor2D, a: tf.Tensor2D): tf.Tensor2D {
    return applyMlp(this.params, this.dynamics, tf.concat([z, a], 1));
  }

  /** The reward head's raw output [B, 1 or num_bins]. */
  rewardOut(z: tf.Tensor2D, a: tf.Tensor2D): tf.Tensor2D {
    return applyMlp(this.params, this.reward, tf.concat([z, a], 1));
  }

  /** r̂ = R(z, a) as scalars [B, 1]. */
  rewardValue(z: tf.Tensor2D, a: tf.Tensor2D): tf.Tensor2D {
    return decodeScalar(this.rewardCoding, this.rewardOut(z, a)) as tf.Tensor2D;
  }

  /** Per-row reward loss [B, 1] (MSE or soft cross-entropy against the two-hot target). */
  rewardLoss(z: tf.Tensor2D, a: tf.Tensor2D, r: tf.Tensor): tf.Tensor2D {
    return scalarLoss(this.rewardCoding, this.rewardOut(z, a), r);
  }

  /** ô = D(z); only for a model built with a decoder. */
  decode(z: tf.Tensor2D): tf.Tensor2D {
    if (!this.decoder) throw new Error("this latent model has no decoder (build it with decoder: true)");
    return applyMlp(this.params, this.decoder, z);
  }
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
