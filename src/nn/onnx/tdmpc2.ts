/**
 * The TD-MPC2 update (Hansen, Su & Wang 2024, Eq. 3–5 and §3) as ONE training graph, generated from the layer specs:
 * TD targets from two target Q heads, the latent rollout with the consistency, reward and value losses weighted by
 * ρᵗ, one Adam step of encoder/dynamics/reward/Q (encoder at enc_lr_scale, clipped), then the policy step on the
 * detached latents against the *updated* Q heads (frozen), then the Polyak update of the target Q heads.
 * The same maths, in the same order, as the tfjs reference (`Tdmpc2Agent.update` in src/agents/tdmpc2.ts).
 *
 * Randomness comes in as inputs so that a run is reproducible from the caller's Rng: the policy noise ε (two draws),
 * the two Q heads of each min/mean, and the dropout mask of the Q heads' first layer (while training).
 *
 * Multi-task models (§3.5, `nets.task`): each row's task embedding joins every network's input and its task's action
 * mask the policy's, as in `Tdmpc2Agent.update`: the model loss differentiates the embedding; the TD targets and the
 * policy step read it as it was before this update's Adam step, as fixed values.
 */
import type { EnsembleSpec } from "../layers.js";
import type { TwoHotConfig } from "../losses.js";
import { Graph, Sym } from "./graph.js";
import { softCrossEntropy, twoHot, twoHotInv } from "./losses.js";
import { repeatRows, taskEmbeddingGraph, withTaskParts as parts, TASK_EMB } from "./multitask.js";
import { agentParamShapes, ensembleGraph, ensembleParamShapes, minOverHeads, mlpGraph, type AgentNets, type NetInput, type ParamFn } from "./nets.js";
import { TrainGraph } from "./train.js";

export type Tdmpc2Nets = AgentNets;

/** TD-MPC2's training hyper-parameters (official config.yaml names, as src/agents/config.ts); τ is the engine's. */
export interface Tdmpc2TrainConfig {
  lr: number;
  enc_lr_scale: number;
  grad_clip_norm: number;
  rho: number;
  batch_size: number;
  horizon: number;
  consistency_coef: number;
  reward_coef: number;
  value_coef: number;
  entropy_coef: number;
  log_std_min: number;
  log_std_max: number;
  discount: number;
}

export interface Tdmpc2UpdateSpec {
  nets: Tdmpc2Nets;
  cfg: Tdmpc2TrainConfig;
  twoHot: TwoHotConfig;
  obsDim: number;
  actionDim: number;
}

/**
 * TD-MPC2's policy prior: a squashed Gaussian (SAC). out = π(z) [N, 2A] split into μ and a raw log σ mapped into
 * [log_std_min, log_std_max]; a = tanh(μ + ε·σ); log π(a) with the tanh correction. `mask` (multi-task, [N or 1, A]):
 * μ, log σ and ε are zero in the dimensions a row's task lacks (official world_model.py `pi`; value.ts `sample`).
 */
export function squashedGaussian(g: Graph, out: Sym, eps: Sym, lo: number, hi: number, mask?: Sym): { mu: Sym; action: Sym; logProb: Sym; gaussLogProb: Sym } {
  const A = eps.shape[1]!;
  let mu = g.slice(out, 1, 0, A);
  let logStd = g.add(lo, g.mul(g.add(g.tanh(g.slice(out, 1, A, 2 * A)), 1), 0.5 * (hi - lo)));
  if (mask) [mu, logStd, eps] = [g.mul(mu, mask), g.mul(logStd, mask), g.mul(eps, mask)];
  const pre = g.add(mu, g.mul(eps, g.exp(logStd)));
  const gauss = g.reduceSum(g.sub(g.mul(g.mul(eps, eps), -0.5), g.add(logStd, 0.5 * Math.log(2 * Math.PI))), [1], true);
  const action = g.tanh(pre);
  const squash = g.reduceSum(g.log(g.add(g.relu(g.sub(1, g.mul(action, action))), 1e-6)), [1], true);
  return { mu: g.tanh(mu), action, logProb: g.sub(gauss, squash), gaussLogProb: gauss };
}

/** Q value of two heads [N, 1]: their min (TD targets) or mean (policy loss, planning). */
export function twoHeadValue(g: Graph, q: EnsembleSpec, P: ParamFn, za: NetInput, heads: Sym, c: TwoHotConfig, kind: "min" | "avg", dropoutMask?: Sym): Sym {
  const v = twoHotInv(g, ensembleGraph(g, q, P, za, { heads, dropoutMask }), c); // [2, N, 1]
  return kind === "avg" ? g.reduceMean(v, [0]) : minOverHeads(g, v);
}

/** ρᵗ per row of H blocks of B rows (t-major) → constant [H·B, 1] */
export function rhoRows(g: Graph, rho: number, H: number, B: number): Sym {
  return g.constant(Float32Array.from({ length: H * B }, (_, i) => rho ** Math.floor(i / B)), [H * B, 1]);
}

/**
 * Graph inputs (besides the store's): obs [H+1, B, obs], action [H, B, A], reward [H, B], eps_td [H·B, A],
 * eps_pi [(H+1)·B, A], heads_td / heads_pi int64 [2], dropout_mask [heads, H·B, hidden] (when the Q heads have
 * dropout), pi_dropout_mask [2, (H+1)·B, hidden] (the policy loss's two heads, dropout still on as in the official
 * code), pi_scale [1] (the running Q scale S), tau. Reports: consistency, reward, value, total, grad_norm,
 * pi_loss, pi_grad_norm, and q_pi0 [B] (the policy's Q at t = 0, from which the caller updates S). Multi-task:
 * task_onehot [B, tasks] and action_mask [B, A] (multitask.ts `oneHotRows`, `maskRows`).
 */
export function tdmpc2UpdateGraph(spec: Tdmpc2UpdateSpec): TrainGraph {
  const { nets, cfg, obsDim: O, actionDim: A } = spec;
  const H = cfg.horizon;
  const B = cfg.batch_size;
  const c = spec.twoHot;
  const tg = new TrainGraph(agentParamShapes(nets), ensembleParamShapes(nets.q).map(([n]) => n));
  const g = tg.g;
  const P = tg.P;
  const obs = tg.input("obs", [H + 1, B, O]);
  const act = g.reshape(tg.input("action", [H, B, A]), [H * B, A]);
  const rew = g.reshape(tg.input("reward", [H, B]), [H * B, 1]);
  const epsTd = tg.input("eps_td", [H * B, A]);
  const epsPi = tg.input("eps_pi", [(H + 1) * B, A]);
  const headsTd = tg.input("heads_td", [2], "int64");
  const headsPi = tg.input("heads_pi", [2], "int64");
  const rhoW = rhoRows(g, cfg.rho, H, B);
  // multi-task: e [B, dim] (differentiated), its fixed value, and the action masks [B, A]; single task: none
  const e = nets.task && taskEmbeddingGraph(g, P, tg.input("task_onehot", [B, nets.task.actionDims.length]));
  const eFixed = e && g.stopGradient(e);
  const mask = nets.task && tg.input("action_mask", [B, A]);
  const rows = (x: Sym | undefined, n: number) => x && repeatRows(g, x, n);

  // TD targets, no gradient: r + γ·min of two target heads at (h(o′), π(h(o′)))
  const eNext = rows(eFixed, H);
  const nextZ = g.stopGradient(mlpGraph(g, nets.encoder, P, parts(g.reshape(g.slice(obs, 0, 1, H + 1), [H * B, O]), eNext)));
  const nextA = squashedGaussian(g, mlpGraph(g, nets.pi, P, parts(nextZ, eNext)), epsTd, cfg.log_std_min, cfg.log_std_max, rows(mask, H)).action;
  const tdQ = twoHeadValue(g, nets.q, tg.T, parts(nextZ, eNext, nextA), headsTd, c, "min");
  const td = g.stopGradient(g.add(rew, g.mul(tdQ, cfg.discount)));

  // latent rollout and the three losses
  let z = mlpGraph(g, nets.encoder, P, parts(g.reshape(g.slice(obs, 0, 0, 1), [B, O]), e));
  const zs = [z];
  const consistency: Sym[] = [];
  for (let t = 0; t < H; t++) {
    z = mlpGraph(g, nets.dynamics, P, parts(z, e, g.slice(act, 0, t * B, (t + 1) * B)));
    const d = g.sub(z, g.slice(nextZ, 0, t * B, (t + 1) * B));
    consistency.push(g.mul(g.meanAll(g.mul(d, d)), cfg.rho ** t));
    zs.push(z);
  }
  const za = parts(g.concat(zs.slice(0, H), 0), rows(e, H), act); // [H·B, L], ([H·B, dim],) [H·B, A]
  const rewardCe = softCrossEntropy(g, mlpGraph(g, nets.reward, P, za), twoHot(g, rew, c));
  const rewardLoss = g.div(g.sumAll(g.mul(rewardCe, rhoW)), B * H);
  const dropoutMask = nets.q.dropout > 0 ? tg.input("dropout_mask", [nets.q.heads, H * B, nets.q.dims[1]!]) : undefined;
  const qs = ensembleGraph(g, nets.q, P, za, { dropoutMask }); // [E, H·B, bins]
  const valueCe = softCrossEntropy(g, qs, twoHot(g, td, c)); // [E, H·B, 1]
  const valueLoss = g.div(g.sumAll(g.mul(valueCe, rhoW)), B * H * nets.q.heads);
  const consistencyLoss = g.div(g.sum(consistency), H);
  const total = g.sum([g.mul(consistencyLoss, cfg.consistency_coef), g.mul(rewardLoss, cfg.reward_coef), g.mul(valueLoss, cfg.value_coef)]);
  const wmNames = [...[nets.encoder, nets.dynamics, nets.reward, nets.q].flatMap((s) => [...tg.shapes.keys()].filter((n) => n.startsWith(`${s.prefix}/`))), ...(e ? [TASK_EMB] : [])];
  const wm = tg.adam("wm", { lr: cfg.lr, clipNorm: cfg.grad_clip_norm, lrScale: { [`${nets.encoder.prefix}/`]: cfg.enc_lr_scale } }, wmNames, total);

  // policy step on the detached latents, Q heads updated above and frozen here
  // (official update_pi): Q̄ of two heads with dropout on, divided by the running scale S; the entropy term as the
  // official code scales it: −log π · (A · log N(ε)) / (log π + 1e−8), A the action size of the row's task (the
  // official `pi`: action_mask.sum(-1) in multi-task models, else the model's)
  const zAll = g.stopGradient(g.concat(zs, 0)); // [(H+1)·B, L]
  const ePi = rows(eFixed, H + 1);
  const piActionMask = rows(mask, H + 1);
  const pol = squashedGaussian(g, mlpGraph(g, nets.pi, P, parts(zAll, ePi)), epsPi, cfg.log_std_min, cfg.log_std_max, piActionMask);
  const piMask = nets.q.dropout > 0 ? tg.input("pi_dropout_mask", [2, (H + 1) * B, nets.q.dims[1]!]) : undefined;
  const qPi = twoHeadValue(g, nets.q, wm.P, parts(zAll, ePi, pol.action), headsPi, c, "avg", piMask);
  const scale = tg.input("pi_scale", [1]);
  const actionSize = piActionMask ? g.reduceSum(piActionMask, [1], true) : A;
  const scaledEntropy = g.mul(g.div(g.mul(pol.logProb, g.mul(pol.gaussLogProb, actionSize)), g.add(pol.logProb, 1e-8)), -1);
  const perRow = g.mul(g.add(g.mul(scaledEntropy, cfg.entropy_coef), g.div(qPi, scale)), -1);
  const piLoss = g.div(g.sumAll(g.mul(perRow, rhoRows(g, cfg.rho, H + 1, B))), (H + 1) * B);
  const piNames = [...tg.shapes.keys()].filter((n) => n.startsWith(`${nets.pi.prefix}/`));
  const pi = tg.adam("pi", { lr: cfg.lr, eps: 1e-5, clipNorm: cfg.grad_clip_norm }, piNames, piLoss);

  tg.polyak(wm.P);
  tg.report("consistency", consistencyLoss);
  tg.report("reward", rewardLoss);
  tg.report("value", valueLoss);
  tg.report("total", total);
  tg.report("grad_norm", wm.gradNorm);
  tg.report("pi_loss", piLoss);
  tg.report("pi_grad_norm", pi.gradNorm);
  tg.report("q_pi0", g.reshape(g.stopGradient(g.slice(qPi, 0, 0, B)), [B]));
  return tg;
}
