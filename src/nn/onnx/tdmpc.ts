/**
 * TD-MPC's update (Hansen, Wang & Su 2022, the TOLD model: Eq. 3–5 and Algorithm 2) as ONE training graph,
 * generated from the layer specs, following the official `update`/`update_pi`:
 *
 * - latents z₀ = h(o₀), z_{t+1} = d(z_t, a_t); Q₁, Q₂ and R̂ at (z_t, a_t), t < H;
 * - targets without gradient: the target encoder's h⁻(o_{t+1}) for consistency; TD target
 *   r_t + γ·min Q⁻(h(o_{t+1}), π(h(o_{t+1}), min_std)) with the online encoder and policy;
 * - per sample: Σ_t ρᵗ·[mean over dims (z_{t+1} − h⁻(o_{t+1}))², (R̂ − r)², Σ_heads (Q − td)²], each clamped at 1e4,
 *   weighted by the consistency/reward/value coefficients, times the PER weights, averaged; the gradient is
 *   scaled by 1/H (the official hook), clipped to grad_clip_norm, one Adam step of h, d, R, Q;
 * - priorities Σ_t ρᵗ·(|Q₁ − td| + |Q₂ − td|), clamped at 1e4;
 * - policy: −Σ_t ρᵗ·mean min(Q₁, Q₂)(z_t, π(z_t, min_std)) over the H+1 detached latents, Q updated above and
 *   frozen, clipped, Adam; then the target encoder and Q move towards the new weights by τ (the engine passes τ
 *   every update_freq updates and 0 in between).
 *
 * π(z, σ) = tanh(μ(z)) + clip(σ·ε, ±0.3), clamped to ±(1 − 1e-6) with a straight-through gradient.
 */
import type { MlpSpec } from "../layers.js";
import { Graph, Sym } from "./graph.js";
import { rowMse } from "./losses.js";
import { agentParamShapes, ensembleGraph, minOverHeads, mlpGraph, type AgentNets, type ParamFn } from "./nets.js";
import { rhoRows } from "./tdmpc2.js";
import { TrainGraph } from "./train.js";

/** TD-MPC's networks; q has two heads with one output each. */
export type TdmpcNets = AgentNets;

/** TD-MPC's training hyper-parameters (official `cfgs/default.yaml` names). */
export interface TdmpcTrainConfig {
  batch_size: number;
  horizon: number;
  rho: number;
  discount: number;
  consistency_coef: number;
  reward_coef: number;
  value_coef: number;
  lr: number;
  grad_clip_norm: number;
  /** the policy's exploration std in the TD target and the policy loss */
  min_std: number;
}

export interface TdmpcUpdateSpec {
  nets: TdmpcNets;
  cfg: TdmpcTrainConfig;
  obsDim: number;
  actionDim: number;
}


/** TD-MPC's π(z, σ): tanh(μ(z)) plus clipped noise, clamped with a straight-through gradient. */
export function tdmpcPolicy(g: Graph, pi: MlpSpec, P: ParamFn, z: Sym, eps: Sym, std: number): Sym {
  const mu = g.tanh(mlpGraph(g, pi, P, z));
  const a = g.add(mu, g.clip(g.mul(eps, std), -0.3, 0.3));
  const clamped = g.clip(a, -1 + 1e-6, 1 - 1e-6);
  return g.add(a, g.stopGradient(g.sub(clamped, a)));
}

/** Σ over the H blocks of B rows: [H·B, 1] → [B, 1] */
function perSample(g: Graph, rows: Sym, H: number, B: number): Sym {
  return g.reduceSum(g.reshape(rows, [H, B, 1]), [0]);
}

/**
 * Graph inputs (besides the store's): obs [H+1, B, obs], action [H, B, A], reward [H, B], weights [B],
 * eps_td [H·B, A], eps_pi [(H+1)·B, A], tau. Reports: consistency, reward, value (batch means of the per-sample
 * sums), total (the PER-weighted loss), grad_norm, pi_loss, pi_grad_norm, priorities [B].
 */
export function tdmpcUpdateGraph(spec: TdmpcUpdateSpec): TrainGraph {
  const { nets, cfg, obsDim: O, actionDim: A } = spec;
  if (nets.task) throw new Error("TD-MPC's update has no task embedding (multi-task models are TD-MPC2's)");
  const H = cfg.horizon;
  const B = cfg.batch_size;
  const shapes = agentParamShapes(nets);
  const tg = new TrainGraph(shapes, shapes.map(([n]) => n).filter((n) => n.startsWith(`${nets.encoder.prefix}/`) || n.startsWith(`${nets.q.prefix}/`)));
  const g = tg.g;
  const P = tg.P;
  const obs = tg.input("obs", [H + 1, B, O]);
  const act = g.reshape(tg.input("action", [H, B, A]), [H * B, A]);
  const rew = g.reshape(tg.input("reward", [H, B]), [H * B, 1]);
  const w = g.reshape(tg.input("weights", [B]), [B, 1]);
  const epsTd = tg.input("eps_td", [H * B, A]);
  const epsPi = tg.input("eps_pi", [(H + 1) * B, A]);
  const rhoW = rhoRows(g, cfg.rho, H, B);

  // targets, no gradient
  const nextObs = g.reshape(g.slice(obs, 0, 1, H + 1), [H * B, O]);
  const nextZTarget = g.stopGradient(mlpGraph(g, nets.encoder, tg.T, nextObs));
  const nz = g.stopGradient(mlpGraph(g, nets.encoder, P, nextObs));
  const na = tdmpcPolicy(g, nets.pi, P, nz, epsTd, cfg.min_std);
  const qT = ensembleGraph(g, nets.q, tg.T, [nz, na]); // [2, H·B, 1]
  const td = g.stopGradient(g.add(rew, g.mul(minOverHeads(g, qT), cfg.discount)));

  // latent rollout
  let z = mlpGraph(g, nets.encoder, P, g.reshape(g.slice(obs, 0, 0, 1), [B, O]));
  const zs = [z];
  for (let t = 0; t < H; t++) {
    z = mlpGraph(g, nets.dynamics, P, [z, g.slice(act, 0, t * B, (t + 1) * B)]);
    zs.push(z);
  }
  const za = [g.concat(zs.slice(0, H), 0), act];
  const q = ensembleGraph(g, nets.q, P, za); // [2, H·B, 1]
  const qErr = g.sub(q, td);
  const cons = perSample(g, g.mul(rowMse(g, g.concat(zs.slice(1), 0), nextZTarget), rhoW), H, B);
  const rewL = perSample(g, g.mul(g.square(g.sub(mlpGraph(g, nets.reward, P, za), rew)), rhoW), H, B);
  const valL = perSample(g, g.mul(g.reduceSum(g.mul(qErr, qErr), [0]), rhoW), H, B);
  const prio = g.stopGradient(perSample(g, g.mul(g.reduceSum(g.abs(qErr), [0]), rhoW), H, B));
  const total = g.sum([g.mul(g.min(cons, 1e4), cfg.consistency_coef), g.mul(g.min(rewL, 1e4), cfg.reward_coef), g.mul(g.min(valL, 1e4), cfg.value_coef)]);
  const weighted = g.meanAll(g.mul(total, w));
  const modelNames = [nets.encoder, nets.dynamics, nets.reward, nets.q].flatMap((s) => shapes.map(([n]) => n).filter((n) => n.startsWith(`${s.prefix}/`)));
  const model = tg.adam("model", { lr: cfg.lr, clipNorm: cfg.grad_clip_norm }, modelNames, g.mul(weighted, 1 / H));

  // policy: maximise min(Q1, Q2) of the updated, frozen Q over the detached latents
  const zAll = g.stopGradient(g.concat(zs, 0));
  const aPi = tdmpcPolicy(g, nets.pi, P, zAll, epsPi, cfg.min_std);
  const qPi = minOverHeads(g, ensembleGraph(g, nets.q, model.P, [zAll, aPi]));
  const piLoss = g.neg(g.div(g.sumAll(g.mul(qPi, rhoRows(g, cfg.rho, H + 1, B))), B));
  const piNames = shapes.map(([n]) => n).filter((n) => n.startsWith(`${nets.pi.prefix}/`));
  const pi = tg.adam("pi", { lr: cfg.lr, clipNorm: cfg.grad_clip_norm }, piNames, piLoss);

  tg.polyak(model.P);
  tg.report("consistency", g.meanAll(cons));
  tg.report("reward", g.meanAll(rewL));
  tg.report("value", g.meanAll(valL));
  tg.report("total", weighted);
  tg.report("grad_norm", model.gradNorm);
  tg.report("pi_loss", piLoss);
  tg.report("pi_grad_norm", pi.gradNorm);
  tg.report("priorities", g.reshape(g.min(prio, 1e4), [B]));
  return tg;
}
