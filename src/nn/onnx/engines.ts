/**
 * Training engines: what the agents (src/agents) call to update TD-MPC and TD-MPC2 models.
 *
 * ## The interface
 *
 *   interface TrainingEngine<Batch, Info> {
 *     readonly name: string;                      // "onnxruntime-node 1T", for reports
 *     readonly store: WeightStore;                // the weights; planning sessions read the same tensors
 *     step(batch: Batch): Promise<Info>;          // ONE update (model + policy + targets), plain numbers back
 *     readParams(): Map<string, Float32Array>;    // copies, by Params name ("dynamics/1/W"): checkpoints, tfjs
 *     writeParams(p: Map<string, ArrayLike<number>>): void;
 *     readState(): TrainerState;                  // params, targets, Adam moments and steps, noise Rng
 *     writeState(s: TrainerState): void;          // resume exactly
 *     dispose(): Promise<void>;
 *   }
 *
 * Creating one (the weights come from a tfjs `Params` built by layers.ts `mlp`/`ensemble`, which initialise them):
 *
 *   const store = storeFromParams(params, ["q/"], targetParams);   // "p:" params, "t:" targets of q/ (TD-MPC2)
 *   const engine = await OnnxTdmpc2Engine.create({ nets, cfg, twoHot, obsDim, actionDim, tau }, store, { seed, threads });
 *   const info = await engine.step({ obs, action, reward });       // Tdmpc2Info: losses, grad norms
 *
 * - `OnnxTdmpc2Engine`: TrainingEngine<Tdmpc2Batch, Tdmpc2Info>, the TD-MPC2 world-model and policy update
 *   (tdmpc2.ts). Batch = { obs [H+1, B, obs], action [H, B, A], reward [H, B] }, t-major, flattened; a multi-task
 *   model (`nets.task`) also takes each sequence's task index, task [B].
 * - `OnnxTdmpcEngine`: TrainingEngine<TdmpcBatch, TdmpcInfo>, TD-MPC's TOLD update (tdmpc.ts): targets of
 *   "encoder/" and "q/" (storeFromParams(params, ["encoder/", "q/"])); the batch adds the PER importance weights
 *   [B] and the info carries the new priorities [B]; τ is applied every `update_freq` updates.
 * - `stepWith(batch, noise)` runs one update with given noise (tests compare with tfjs that way).
 * - Randomness (policy noise, Q-head draws, dropout masks) comes from the engine's `Rng` (seeded by `opts.seed`),
 *   so a run is reproducible and `readState`/`writeState` resume it exactly.
 * - Planning: `store` holds the current weights after every step; build planning sessions on the same store
 *   (rollout.ts `OnnxRolloutEngine`), they need no sync and copy nothing.
 */
import type { Params } from "../layers.js";
import { Rng } from "../../util/random.js";
import type { OrtTensor } from "./proto.js";
import type { Feed } from "./session.js";
import { storeKey, WeightStore } from "./store.js";
import { tdmpc2UpdateGraph, type Tdmpc2UpdateSpec } from "./tdmpc2.js";
import { tdmpcUpdateGraph, type TdmpcUpdateSpec } from "./tdmpc.js";
import { DropoutMask, drawTwoHeads } from "./noise.js";
import { maskRows, oneHotRows } from "./multitask.js";
import { RunningScale } from "../running-scale.js";
import { OnnxTrainer, scalarOf, type TrainGraph } from "./train.js";

export interface TrainingEngine<Batch, Info> {
  readonly name: string;
  readonly store: WeightStore;
  step(batch: Batch): Promise<Info>;
  readParams(): Map<string, Float32Array>;
  writeParams(p: Map<string, ArrayLike<number>>): void;
  readState(): TrainerState;
  writeState(s: TrainerState): void;
  dispose(): Promise<void>;
}

/** Everything a resumed run needs (all arrays are copies). */
export interface TrainerState {
  tensors: Record<string, Float32Array>;
  steps: Record<string, number>;
  updates: number;
  rng: number[];
  /** TD-MPC2's running Q scale */
  piScale?: number;
}

export interface EngineOptions {
  /** onnxruntime intra-op threads (2 = use the second core) */
  threads?: number;
  /** seeds the engine's noise Rng */
  seed?: number;
}

export interface Tdmpc2Batch {
  obs: Float32Array;
  action: Float32Array;
  reward: Float32Array;
  /** Multi-task models: the task index of each sequence [B] (observations and actions zero-padded to the model's). */
  task?: Int32Array;
}

/** What one update reports (TD-MPC's total is the PER-weighted loss). */
export interface UpdateLosses {
  consistency: number;
  reward: number;
  value: number;
  total: number;
  gradNorm: number;
  piLoss: number;
  piGradNorm: number;
}

export interface Tdmpc2Info extends UpdateLosses {
  /** The running Q scale S after this update (the official RunningScale, updated from this step's Q at t = 0). */
  piScale: number;
}

/** The noise of one TD-MPC2 update, normally drawn by the engine (tests pass their own). */
export interface Tdmpc2Noise {
  epsTd: Float32Array;
  epsPi: Float32Array;
  headsTd: [number, number];
  headsPi: [number, number];
  /** [heads, H·B, hidden] when the Q heads have dropout */
  dropoutMask?: Float32Array;
  /** [2, (H+1)·B, hidden]: the policy loss's two heads keep dropout on */
  piDropoutMask?: Float32Array;
}

export interface TdmpcBatch {
  obs: Float32Array;
  action: Float32Array;
  reward: Float32Array;
  /** PER importance weights [B] */
  weights: Float32Array;
}

export interface TdmpcInfo extends UpdateLosses {
  /** new priorities [B]: Σ_t ρᵗ·(|Q1 − td| + |Q2 − td|), clamped at 1e4 (the replay adds its ε) */
  priorities: Float32Array;
}

export interface TdmpcNoise {
  epsTd: Float32Array;
  epsPi: Float32Array;
}

/** A store with the parameters of `init` ("p:") and target copies ("t:") of those under `targetPrefixes`. */
export function storeFromParams(init: Params, targetPrefixes: string[], target?: Params): WeightStore {
  const store = new WeightStore();
  for (const n of init.names()) {
    const v = init.get(n);
    store.add(storeKey("p", n), v.shape, v.dataSync() as Float32Array);
    if (targetPrefixes.some((p) => n.startsWith(p))) {
      const t = target?.vars.get(n) ?? v;
      store.add(storeKey("t", n), v.shape, t.dataSync() as Float32Array);
    }
  }
  return store;
}

abstract class OnnxEngineBase<Batch, Info> implements TrainingEngine<Batch, Info> {
  readonly name: string;
  updates = 0;
  protected constructor(
    protected readonly trainer: OnnxTrainer,
    readonly rng: Rng,
    threads: number,
  ) {
    this.name = `onnxruntime-node ${threads}T`;
  }

  get store(): WeightStore {
    return this.trainer.store;
  }

  abstract step(batch: Batch): Promise<Info>;

  readParams(): Map<string, Float32Array> {
    return this.store.readParams();
  }

  writeParams(p: Map<string, ArrayLike<number>>): void {
    this.store.writeParams(p);
  }

  readState(): TrainerState {
    const tensors: Record<string, Float32Array> = {};
    for (const k of this.store.keys()) tensors[k] = this.store.read(k);
    return { tensors, steps: { ...this.trainer.steps }, updates: this.updates, rng: this.rng.getState() };
  }

  writeState(s: TrainerState): void {
    for (const k of this.store.keys()) {
      const v = s.tensors[k];
      if (!v) throw new Error(`writeState: the state has no "${k}"`);
      this.store.write(k, v);
    }
    Object.assign(this.trainer.steps, s.steps);
    this.updates = s.updates;
    this.rng.setState(s.rng);
  }

  async dispose(): Promise<void> {
    await this.trainer.dispose();
  }
}

function check(what: string, a: ArrayLike<number>, n: number, shape: string): void {
  if (a.length !== n) throw new Error(`update: ${what} has ${a.length} values, expected ${shape} = ${n}`);
}

/** A batch of H+1-step sequences: obs [H+1, B, O], action [H, B, A], reward [H, B]; the ε of both policy draws. */
function sequenceFeeds(spec: { cfg: { horizon: number; batch_size: number }; obsDim: number; actionDim: number }, batch: Tdmpc2Batch, epsTd: Float32Array, epsPi: Float32Array): Record<string, Feed> {
  const { horizon: H, batch_size: B } = spec.cfg;
  const { obsDim: O, actionDim: A } = spec;
  check("obs", batch.obs, (H + 1) * B * O, "(H+1)·B·obsDim");
  check("action", batch.action, H * B * A, "H·B·A");
  check("reward", batch.reward, H * B, "H·B");
  check("eps_td", epsTd, H * B * A, "H·B·A");
  check("eps_pi", epsPi, (H + 1) * B * A, "(H+1)·B·A");
  return { obs: batch.obs, action: batch.action, reward: batch.reward, eps_td: epsTd, eps_pi: epsPi };
}

function lossesOf(r: Record<string, OrtTensor>): UpdateLosses {
  const v = (k: string) => scalarOf(r[k]);
  return { consistency: v("consistency"), reward: v("reward"), value: v("value"), total: v("total"), gradNorm: v("grad_norm"), piLoss: v("pi_loss"), piGradNorm: v("pi_grad_norm") };
}

/** The ε of both policy draws of an update: [H·B, A] for the TD targets, [(H+1)·B, A] for the policy step. */
function drawEps(rng: Rng, H: number, B: number, A: number): { epsTd: Float32Array; epsPi: Float32Array } {
  return { epsTd: rng.fillNormal(new Float32Array(H * B * A)), epsPi: rng.fillNormal(new Float32Array((H + 1) * B * A)) };
}

const heads64 = (h: [number, number]) => BigInt64Array.from(h.map((x) => BigInt(x)));

export class OnnxTdmpc2Engine extends OnnxEngineBase<Tdmpc2Batch, Tdmpc2Info> {
  private readonly mask?: DropoutMask;
  private readonly piMask?: DropoutMask;
  /**
   * The running Q scale of the policy loss (TD-MPC2 common/scale.py: S ← S + τ(max(P95 − P5, 1) − S), S₀ = 1). The
   * graph divides by the S of the previous update and reports this update's Q at t = 0, from which S moves on; the
   * official code moves S just before dividing — the two differ by one τ = 0.01 step of the average.
   */
  readonly scale: RunningScale;

  private constructor(trainer: OnnxTrainer, rng: Rng, threads: number, readonly spec: Tdmpc2UpdateSpec & { tau: number }) {
    super(trainer, rng, threads);
    const q = spec.nets.q;
    const { horizon: H, batch_size: B } = spec.cfg;
    if (q.dropout > 0) {
      this.mask = new DropoutMask(H * B * q.heads * q.dims[1]!, q.dropout);
      this.piMask = new DropoutMask(2 * (H + 1) * B * q.dims[1]!, q.dropout);
    }
    this.scale = new RunningScale(spec.tau);
  }

  override readState(): TrainerState {
    return { ...super.readState(), piScale: this.scale.value };
  }

  override writeState(s: TrainerState): void {
    super.writeState(s);
    this.scale.value = s.piScale ?? 1;
  }

  static async create(spec: Tdmpc2UpdateSpec & { tau: number }, store: WeightStore, opts: EngineOptions = {}): Promise<OnnxTdmpc2Engine> {
    const tg: TrainGraph = tdmpc2UpdateGraph(spec);
    const trainer = await OnnxTrainer.create(tg, store, { threads: opts.threads });
    return new OnnxTdmpc2Engine(trainer, new Rng(opts.seed ?? 0), opts.threads ?? 1, spec);
  }

  /** The noise `step` would draw next. */
  drawNoise(): Tdmpc2Noise {
    const { horizon: H, batch_size: B } = this.spec.cfg;
    const A = this.spec.actionDim;
    const E = this.spec.nets.q.heads;
    const { epsTd, epsPi } = drawEps(this.rng, H, B, A);
    const headsTd = drawTwoHeads(this.rng, E);
    const headsPi = drawTwoHeads(this.rng, E);
    return { epsTd, epsPi, headsTd, headsPi, dropoutMask: this.mask?.draw(this.rng), piDropoutMask: this.piMask?.draw(this.rng) };
  }

  step(batch: Tdmpc2Batch): Promise<Tdmpc2Info> {
    return this.stepWith(batch, this.drawNoise());
  }

  async stepWith(batch: Tdmpc2Batch, noise: Tdmpc2Noise): Promise<Tdmpc2Info> {
    const feeds = { ...sequenceFeeds(this.spec, batch, noise.epsTd, noise.epsPi), heads_td: heads64(noise.headsTd), heads_pi: heads64(noise.headsPi) } as Record<string, Feed>;
    if (this.mask) {
      if (!noise.dropoutMask) throw new Error("update: the Q heads have dropout but the noise has no dropout mask");
      check("dropout_mask", noise.dropoutMask, this.mask.size, "heads·H·B·hidden");
      feeds.dropout_mask = noise.dropoutMask;
      if (!noise.piDropoutMask) throw new Error("update: the Q heads have dropout but the noise has no policy dropout mask");
      check("pi_dropout_mask", noise.piDropoutMask, this.piMask!.size, "2·(H+1)·B·hidden");
      feeds.pi_dropout_mask = noise.piDropoutMask;
    }
    const tasks = this.spec.nets.task;
    if (tasks) {
      if (!batch.task) throw new Error("update: a multi-task model needs the task index of each sequence (batch.task)");
      check("task", batch.task, this.spec.cfg.batch_size, "B");
      feeds.task_onehot = oneHotRows(tasks, batch.task);
      feeds.action_mask = maskRows(tasks, batch.task, this.spec.actionDim);
    }
    feeds.pi_scale = Float32Array.of(this.scale.value);
    const r = await this.trainer.run(feeds, this.spec.tau);
    this.updates++;
    this.scale.update(r.q_pi0!.data as Float32Array);
    return { ...lossesOf(r), piScale: this.scale.value };
  }
}

export class OnnxTdmpcEngine extends OnnxEngineBase<TdmpcBatch, TdmpcInfo> {
  private constructor(trainer: OnnxTrainer, rng: Rng, threads: number, readonly spec: TdmpcUpdateSpec & { tau: number; update_freq: number }) {
    super(trainer, rng, threads);
  }

  static async create(spec: TdmpcUpdateSpec & { tau: number; update_freq: number }, store: WeightStore, opts: EngineOptions = {}): Promise<OnnxTdmpcEngine> {
    const trainer = await OnnxTrainer.create(tdmpcUpdateGraph(spec), store, { threads: opts.threads });
    return new OnnxTdmpcEngine(trainer, new Rng(opts.seed ?? 0), opts.threads ?? 1, spec);
  }

  drawNoise(): TdmpcNoise {
    const { horizon: H, batch_size: B } = this.spec.cfg;
    return drawEps(this.rng, H, B, this.spec.actionDim);
  }

  step(batch: TdmpcBatch): Promise<TdmpcInfo> {
    return this.stepWith(batch, this.drawNoise());
  }

  async stepWith(batch: TdmpcBatch, noise: TdmpcNoise): Promise<TdmpcInfo> {
    const feeds = sequenceFeeds(this.spec, batch, noise.epsTd, noise.epsPi);
    check("weights", batch.weights, this.spec.cfg.batch_size, "B");
    // the official code averages the target every update_freq updates (after the policy step)
    this.updates++;
    const tau = this.updates % this.spec.update_freq === 0 ? this.spec.tau : 0;
    const r: Record<string, OrtTensor> = await this.trainer.run({ ...feeds, weights: batch.weights }, tau);
    return { ...lossesOf(r), priorities: Float32Array.from(r.priorities!.data as Float32Array) };
  }
}

export { drawTwoHeads };
