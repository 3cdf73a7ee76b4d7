/**
 * How the policy prior π learns (chapter 5): one optimiser step on the detached latents z_0 … z_H of an update,
 * each term weighted by ρ^t. The agents' own choices and three that learn from the planner's data instead:
 *
 *   td    TD-MPC (DDPG-like):   −min Q(z, π(z))                           Q frozen
 *   sac   TD-MPC2 (max-entropy): −(α·H̃(π(·|z)) + Q̄(z, a)/S), a ~ π(z)       Q frozen, dropout on, S = running scale
 *   bc    behaviour cloning of the executed (MPC) actions:   ‖π(z_t) − a_t‖²
 *   rwr   reward-weighted regression (Peters & Schaal 2007): w·‖π(z_t) − a_t‖², w = softmax_batch(R_t / β)
 *         with R_t the discounted reward-to-go of the sequence
 *   awr   advantage-weighted regression (Peng et al. 2019):  w·‖π(z_t) − a_t‖², w = min(exp(A/β), 20),
 *         A = Q(z_t, a_t) − V(z_t) with V(z) = Q(z, π(z)) from the learnt critic
 * For the Gaussian policy the regressions use its mode tanh(μ). β = 1 (RWR in reward units, AWR in Q units).
 */
import { tf } from "../nn/backend.js";
import type { Adam } from "../nn/optim.js";
import { trainStep } from "../nn/optim.js";
import type { RunningScale } from "../nn/running-scale.js";
import type { WorldModel } from "../models/world-model.js";
import type { SequenceBatch } from "../replay/store.js";
import type { AgentConfig } from "./config.js";

export interface PolicyContext {
  readonly cfg: AgentConfig;
  readonly wm: WorldModel;
  readonly piOptim: Adam;
  readonly scale?: RunningScale;
}

const BETA = 1;
const AWR_MAX_WEIGHT = 20;

/** One policy step; returns the loss (NaN when the agent has no policy). `zs` are the H+1 detached latents, t-major. */
export function policyLoss(agent: PolicyContext, zs: tf.Tensor2D, batch: SequenceBatch, task?: { embedding: tf.Tensor2D; mask: tf.Tensor2D }): number {
  const c = agent.cfg;
  const { horizon: H, batchSize: B } = batch;
  if (c.policy_learner === "none") return Number.NaN;
  const wm = agent.wm;
  const rows = zs.shape[0];
  const T = rows / B; // H+1 for td/sac; the regressions use the H latents that have an action
  const rho = (n: number) => tf.tensor2d(Float32Array.from({ length: n * B }, (_, i) => c.rho ** Math.floor(i / B)), [n * B, 1]);
  const minStd = c.agent === "tdmpc" ? c.min_std : undefined;
  // multi-task: each row's task embedding and action mask (rows are t-major: the B rows repeat every step)
  const rowsOf = (x: tf.Tensor2D | undefined, n: number) => x && (tf.tile(x, [n, 1]) as tf.Tensor2D);
  if (c.policy_learner === "td" || c.policy_learner === "sac") {
    return trainStep(agent.piOptim, () => {
      const w = rho(T);
      if (c.policy_learner === "td") {
        const a = wm.pi.sample(zs, { std: minStd }).action;
        const q = wm.q.value(zs, a, "min", { frozen: true });
        // official update_pi: Σ_t ρ^t · mean over the batch of −min Q (a sum over t, not a mean)
        return { loss: tf.div(tf.sum(tf.mul(tf.neg(q), w)), B) as tf.Scalar };
      }
      const [e, m] = [rowsOf(task?.embedding, T), rowsOf(task?.mask, T)];
      const s = wm.pi.sample(zs, { task: e, mask: m });
      const q = wm.q.value(zs, s.action, "avg", { frozen: true, training: true, task: e });
      const S = agent.scale!.update(tf.tidy(() => q.slice([0, 0], [B, 1]).dataSync() as Float32Array));
      // scaled entropy as the official code computes it: −log π · (A · log N(ε)) / (log π + 1e−8), A the action size
      // of the row's task (official `pi`: action_mask.sum(-1) in multi-task models, else the model's)
      const A = m ? tf.sum(m, 1, true) : wm.actionDim;
      const scaled = tf.neg(tf.div(tf.mul(s.logProb!, tf.mul(A, s.gaussLogProb!)), tf.add(s.logProb!, 1e-8)));
      const perRow = tf.neg(tf.add(tf.mul((c as { entropy_coef: number }).entropy_coef, scaled), tf.div(q, S)));
      return { loss: tf.div(tf.sum(tf.mul(perRow, w)), rows) as tf.Scalar };
    }).loss;
  }
  // regressions onto the executed actions a_0 … a_{H−1}
  const z = zs.slice([0, 0], [H * B, -1]);
  const a = tf.tensor2d(batch.action, [H * B, wm.actionDim]);
  const [e, m] = [rowsOf(task?.embedding, H), rowsOf(task?.mask, H)];
  const weights = tf.tidy(() => regressionWeights(c, wm, z, a, batch, e));
  const loss = trainStep(agent.piOptim, () => {
    const mu = wm.pi.sample(z, { task: e, mask: m }).mu;
    const err = tf.sum(tf.squaredDifference(mu, a), 1, true);
    return { loss: tf.div(tf.sum(tf.mul(tf.mul(err, weights), rho(H))), H * B) as tf.Scalar };
  }).loss;
  tf.dispose([z, a, weights, ...(e ? [e, m!] : [])]);
  return loss;
}

function regressionWeights(c: AgentConfig, wm: WorldModel, z: tf.Tensor2D, a: tf.Tensor2D, batch: SequenceBatch, task?: tf.Tensor2D): tf.Tensor2D {
  const { horizon: H, batchSize: B } = batch;
  if (c.policy_learner === "bc") return tf.ones([H * B, 1]);
  if (c.policy_learner === "rwr") {
    // R_t = Σ_{k ≥ t} γ^{k−t} r_k within the sampled sequence; weights normalised over the batch at each t
    const R = new Float32Array(H * B);
    for (let b = 0; b < B; b++) {
      let acc = 0;
      for (let t = H - 1; t >= 0; t--) R[t * B + b] = acc = batch.reward[t * B + b]! + c.discount * acc;
    }
    const w = tf.softmax(tf.div(tf.tensor2d(R, [H, B]), BETA), 1); // [H, B], each row sums to 1
    return tf.reshape(tf.mul(w, B), [H * B, 1]) as tf.Tensor2D; // mean weight 1
  }
  const q = wm.q.value(z, a, "min", { task });
  const v = wm.q.value(z, wm.pi.sample(z, { task }).mu, "min", { task });
  return tf.minimum(tf.exp(tf.div(tf.sub(q, v), BETA)), AWR_MAX_WEIGHT) as tf.Tensor2D;
}
