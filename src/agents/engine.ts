/**
 * Where an agent's update runs. "onnx": the whole update (forward, backward, Adam, Polyak) as one onnxruntime graph
 * (src/nn/onnx, ~PyTorch speed on a CPU); "tfjs": the tfjs code of the agent file (the reference, and the GPU engine).
 * With "onnx" the weights live in the engine's store; the agent's tfjs parameters, which acting reads, are refreshed
 * from it before the next action (`OnnxUpdater.sync`) — one copy per batch of updates, not per update.
 *
 * The ONNX graphs implement the papers' losses; the course's variants (independent latents, reconstruction, other
 * policy learners, multi-task, TD-MPC2's running scale) run on tfjs: `engineFor` says which, and why.
 */
import { ortAvailable } from "../nn/onnx/proto.js";
import { OnnxTdmpcEngine, storeFromParams, type TrainerState } from "../nn/onnx/engines.js";
import { storeKey } from "../nn/onnx/store.js";
import { OnnxRolloutEngine } from "../nn/onnx/rollout.js";
import { tf } from "../nn/backend.js";
import type { SequenceBatch } from "../replay/store.js";
import type { TdmpcConfig } from "./config.js";
import type { LearningAgent, UpdateInfo } from "./types.js";

export type EngineKind = "tfjs" | "onnx";
export type EngineChoice = EngineKind | "auto";

/** Why the ONNX engine cannot train this config (undefined: it can). */
export function onnxUnsupported(agent: LearningAgent): string | undefined {
  const c = agent.cfg;
  if (c.agent === "tdmpc2") return "TD-MPC2's update graph does not have the running Q scale and scaled entropy of the official policy loss yet";
  if (c.latent_mode !== "joint") return `latent_mode=${c.latent_mode}`;
  if (c.reconstruction_coef > 0) return "a reconstruction loss";
  if (c.policy_learner !== "td") return `policy_learner=${c.policy_learner}`;
  if (c.decoder) return "a decoder";
  const ort = ortAvailable();
  if (!ort.ok) return `onnxruntime-node does not load here (${ort.why})`;
  return undefined;
}

/** The engine an agent trains with: "auto" = onnx where it can, else tfjs. */
export function engineFor(agent: LearningAgent, choice: EngineChoice): { kind: EngineKind; why?: string } {
  const why = onnxUnsupported(agent);
  if (choice === "tfjs") return { kind: "tfjs" };
  if (choice === "onnx" && why) throw new Error(`--engine onnx cannot train this agent: ${why}; use --engine tfjs`);
  return why ? { kind: "tfjs", why } : { kind: "onnx" };
}

/** TD-MPC's update on onnxruntime, with the agent's tfjs parameters refreshed before acting. */
export class OnnxUpdater {
  private dirty = false;
  private readonly rollouts = new Map<number, OnnxRolloutEngine>();
  private constructor(
    readonly agent: LearningAgent,
    readonly engine: OnnxTdmpcEngine,
  ) {}

  static async create(agent: LearningAgent, seed: number, threads = 1): Promise<OnnxUpdater> {
    const c = agent.cfg as TdmpcConfig;
    const wm = agent.wm;
    const nets = { encoder: wm.latent.encoder, dynamics: wm.latent.dynamics, reward: wm.latent.reward, pi: wm.pi.spec, q: wm.q.spec };
    const store = storeFromParams(wm.params, ["encoder/", "q/"], wm.target);
    const engine = await OnnxTdmpcEngine.create({ nets, cfg: c, obsDim: wm.obsDim, actionDim: wm.actionDim, tau: c.tau, update_freq: c.update_freq }, store, { seed, threads });
    return new OnnxUpdater(agent, engine);
  }

  async update(batch: SequenceBatch): Promise<UpdateInfo> {
    const info = await this.engine.step({ obs: batch.obs, action: batch.action, reward: batch.reward, weights: batch.weight });
    this.dirty = true;
    return { consistency: info.consistency, reward: info.reward, value: info.value, reconstruction: 0, total: info.total, gradNorm: info.gradNorm, piLoss: info.piLoss, priorities: info.priorities };
  }

  /** Copy the engine's weights into the agent's tfjs parameters and target (before acting, checkpointing). */
  sync(): void {
    if (!this.dirty) return;
    const wm = this.agent.wm;
    const store = this.engine.store;
    tf.tidy(() => {
      for (const [name, v] of wm.params.vars) v.assign(tf.tensor(store.read(storeKey("p", name)), v.shape));
      for (const [name, v] of wm.target.vars) if (store.has(storeKey("t", name))) v.assign(tf.tensor(store.read(storeKey("t", name)), v.shape));
    });
    this.dirty = false;
  }

  /** The planner's return on onnxruntime over horizon H, reading the engine's current weights (no copy). */
  rollout(H: number): OnnxRolloutEngine {
    let r = this.rollouts.get(H);
    if (!r) {
      const wm = this.agent.wm;
      const c = this.agent.cfg as TdmpcConfig;
      r = new OnnxRolloutEngine(
        { dynamics: wm.latent.dynamics, reward: wm.latent.reward, pi: wm.pi.spec, q: wm.q.spec, rewardCoding: wm.latent.rewardCoding, qCoding: wm.q.coding, qReduce: "min", discount: c.discount, horizon: H, actionDim: wm.actionDim, terminal: { kind: "tdmpc", piStd: c.min_std } },
        this.engine.store,
      );
      this.rollouts.set(H, r);
    }
    return r;
  }

  state(): TrainerState {
    return this.engine.readState();
  }

  load(s: TrainerState): void {
    this.engine.writeState(s);
    this.dirty = true;
    this.sync();
  }

  async dispose(): Promise<void> {
    for (const r of this.rollouts.values()) await r.dispose();
    await this.engine.dispose();
  }
}
