/** What the trainer needs from a learning agent (TD-MPC, TD-MPC2): act, learn from sequences, expose its state. */
import type { Agent } from "../envs/agent.js";
import type { Adam } from "../nn/optim.js";
import type { WorldModel } from "../models/world-model.js";
import type { PoplinPlanner } from "../planning/poplin.js";
import type { SamplingPlanner } from "../planning/sampling.js";
import type { SequenceBatch } from "../replay/store.js";
import type { Rng } from "../util/random.js";
import type { AgentConfig } from "./config.js";
import type { EngineChoice, EngineKind, OnnxUpdater } from "./engine.js";
import type { TaskDims } from "./tdmpc2.js";

export interface UpdateInfo {
  total: number;
  consistency: number;
  reward: number;
  value: number;
  reconstruction: number;
  gradNorm: number;
  piLoss: number;
  /** New replay priorities of the batch's sequences (TD-MPC's PER). */
  priorities?: Float32Array;
}

export interface LearningAgent extends Agent {
  readonly cfg: AgentConfig;
  readonly wm: WorldModel;
  readonly planner: SamplingPlanner | PoplinPlanner;
  readonly optim: Adam;
  readonly piOptim: Adam;
  readonly rng: Rng;
  /** Agent steps collected so far; the trainer advances it (seed actions and schedules read it). */
  step: number;
  updates: number;
  /** Multi-task TD-MPC2: each task's observation and action sizes. */
  readonly tasks?: TaskDims;
  /** Multi-task TD-MPC2: act, plan and update for task `index` from now on. */
  setTask?(index: number): void;
  update(batch: SequenceBatch): UpdateInfo | Promise<UpdateInfo>;
  /** The ONNX update engine, when the agent trains on onnxruntime (agents/engine.ts). */
  readonly updater?: OnnxUpdater;
  /** Train on this engine from now on ("auto": onnx where it can). Returns the engine used and why not onnx. */
  useEngine(choice: EngineChoice, seed: number, threads?: number): Promise<{ kind: EngineKind; why?: string }>;
  /** Extra state to checkpoint beyond parameters, optimisers and RNGs (e.g. TD-MPC2's running scale). */
  extraState?(): Record<string, unknown>;
  loadExtraState?(s: Record<string, unknown>): void;
  dispose(): void;
}
