/**
 * Where an agent's update runs. "onnx": the whole update (forward, backward, Adam, Polyak) as one onnxruntime graph
 * (src/nn/onnx, ~PyTorch speed on a CPU); "tfjs": the tfjs code of the agent file (the reference, and the GPU engine).
 * With "onnx" the weights live in the engine's store; the agent's tfjs parameters, which acting reads, are refreshed
 * from it before the next action (`OnnxUpdater.sync`) — one copy per batch of updates, not per update.
 *
 * The ONNX graphs implement the papers' losses, multi-task TD-MPC2 (task embeddings, action masks) included; the
 * course's variants (independent latents, reconstruction, other policy learners, pixels, no SimNorm) run on tfjs:
 * `engineFor` says which, and why.
 */
import { ortAvailable } from "../nn/onnx/proto.js";
import { OnnxTdmpc2Engine, OnnxTdmpcEngine, storeFromParams, type TrainerState } from "../nn/onnx/engines.js";
import { storeKey } from "../nn/onnx/store.js";
import { OnnxRolloutEngine } from "../nn/onnx/rollout.js";
import { tf } from "../nn/backend.js";
import type { SequenceBatch } from "../replay/store.js";
import type { TaskSpec } from "../nn/onnx/multitask.js";
import type { Tdmpc2Config, TdmpcConfig } from "./config.js";
import type { LearningAgent, UpdateInfo } from "./types.js";

export type EngineKind = "tfjs" | "onnx";
export type EngineChoice = EngineKind | "auto";

/** Why the ONNX engine cannot train this config (undefined: it can). */
export function onnxUnsupported(agent: LearningAgent): string | undefined {
  const c = agent.cfg;
  // ORT has Conv, but src/nn/onnx builds no convolution (nor its gradients) into its training graphs yet
  if (c.modality === "pixels") return "the ONNX training graphs have no convolutions: the pixel encoder (modality=pixels) trains on tfjs";
  if (c.latent_mode !== "joint") return `latent_mode=${c.latent_mode}`;
  if (c.reconstruction_coef > 0) return "a reconstruction loss";
  if (c.policy_learner !== (c.agent === "tdmpc" ? "td" : "sac")) return `policy_learner=${c.policy_learner}`;
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

/** A multi-task agent's task embedding and per-task action sizes (undefined for one task). */
function taskSpec(agent: LearningAgent): TaskSpec | undefined {
  const c = agent.cfg;
  if (c.num_tasks === 1) return undefined;
  if (!agent.tasks) throw new Error(`a ${c.num_tasks}-task ${c.agent} agent without its tasks' action sizes`);
  return { dim: c.task_dim, actionDims: agent.tasks.actionDims };
}

/** The update on onnxruntime (TD-MPC's or TD-MPC2's graph), with the agent's tfjs parameters refreshed before acting. */
export class OnnxUpdater {
  private dirty = false;
  private readonly rollouts = new Map<number, OnnxRolloutEngine>();
  private constructor(
    readonly agent: LearningAgent,
    readonly engine: OnnxTdmpcEngine | OnnxTdmpc2Engine,
    /** onnxruntime intra-op threads of the update and of the planner's rollouts */
    readonly threads: number,
  ) {}

  static async create(agent: LearningAgent, seed: number, threads = 1): Promise<OnnxUpdater> {
    const wm = agent.wm;
    const encoder = wm.latent.encoder;
    if ("convs" in encoder) throw new Error(`the ONNX engine cannot train this agent: ${onnxUnsupported(agent)}`);
    const nets = { encoder, dynamics: wm.latent.dynamics, reward: wm.latent.reward, pi: wm.pi.spec, q: wm.q.spec, task: taskSpec(agent) };
    const dims = { obsDim: wm.obsDim, actionDim: wm.actionDim };
    if (agent.cfg.agent === "tdmpc") {
      const c = agent.cfg;
      const store = storeFromParams(wm.params, ["encoder/", "q/"], wm.target);
      return new OnnxUpdater(agent, await OnnxTdmpcEngine.create({ nets, cfg: c, ...dims, tau: c.tau, update_freq: c.update_freq }, store, { seed, threads }), threads);
    }
    const c = agent.cfg;
    const store = storeFromParams(wm.params, ["q/"], wm.target);
    const engine = await OnnxTdmpc2Engine.create({ nets, cfg: c, twoHot: { numBins: c.num_bins, vmin: c.vmin, vmax: c.vmax }, ...dims, tau: c.tau }, store, { seed, threads });
    return new OnnxUpdater(agent, engine, threads);
  }

  async update(batch: SequenceBatch): Promise<UpdateInfo> {
    if (!(batch.obs instanceof Float32Array)) throw new Error("the ONNX engine trains on state observations (float32); a pixel batch trains on tfjs");
    const common = { obs: batch.obs, action: batch.action, reward: batch.reward, task: batch.task };
    this.dirty = true;
    if (this.engine instanceof OnnxTdmpc2Engine) {
      const info = await this.engine.step(common);
      return { consistency: info.consistency, reward: info.reward, value: info.value, reconstruction: 0, total: info.total, gradNorm: info.gradNorm, piLoss: info.piLoss };
    }
    const info = await this.engine.step({ ...common, weights: batch.weight });
    // the official code adds 1e-6 so that a sequence whose Q already equals its target stays sampleable
    const priorities = Float32Array.from(info.priorities, (p) => p + 1e-6);
    return { consistency: info.consistency, reward: info.reward, value: info.value, reconstruction: 0, total: info.total, gradNorm: info.gradNorm, piLoss: info.piLoss, priorities };
  }

  /** TD-MPC2's running Q scale as the engine keeps it. */
  get piScale(): number | undefined {
    return this.engine instanceof OnnxTdmpc2Engine ? this.engine.scale.value : undefined;
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
      const c = this.agent.cfg;
      const terminal = c.agent === "tdmpc" ? { kind: "tdmpc" as const, piStd: (c as TdmpcConfig).min_std } : { kind: "tdmpc2" as const, logStdMin: (c as Tdmpc2Config).log_std_min, logStdMax: (c as Tdmpc2Config).log_std_max };
      r = new OnnxRolloutEngine(
        { dynamics: wm.latent.dynamics, reward: wm.latent.reward, pi: wm.pi.spec, q: wm.q.spec, rewardCoding: wm.latent.rewardCoding, qCoding: wm.q.coding, qReduce: c.agent === "tdmpc" ? "min" : "avg", discount: c.discount, horizon: H, actionDim: wm.actionDim, terminal, task: taskSpec(this.agent) },
        this.engine.store,
        { threads: this.threads },
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
