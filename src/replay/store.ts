/**
 * The replay store: one ring of environment steps, grouped in episodes, that every learning agent of the course
 * samples from — single transitions (PETS, chapter 3) or sub-sequences of H+1 observations within one episode
 * (TD-MPC's latent rollouts), uniformly or with prioritised replay (PER, Schaul et al. 2016: P(i) = p_i^α / Σ p^α,
 * importance weights w_i = (N·P(i))^−β / max w, new steps at the largest priority seen, priorities from TD errors).
 *
 * Layout: an episode of T steps takes T+1 consecutive slots; slot s holds o_s, a_s, r_s, and the episode's last
 * slot holds o_T only. A slot can start a sequence when the `horizon` steps after it lie in the same episode (TD-MPC
 * gives an episode's last `horizon` steps priority 0 for the same reason). When the ring is full, the oldest episodes
 * are dropped whole. Observations are float32 (1M steps of a 24-D observation take 96 MB).
 *
 * Pixels (`frames` set): an observation is a uint8 stack of the last k frames [3k, H, W], oldest first, the first
 * frame repeated at an episode's start (src/envs/pixels.ts). Consecutive observations share k − 1 frames, so slot s
 * keeps only its newest frame (uint8), and o_s is rebuilt from the frames of slots s − k + 1 … s, clamped to the
 * episode's first slot: 12 KB per step at 64×64 where float32 stacks would take 144 KB. `addEpisode` checks that
 * the observations are such stacks.
 */
import type { TransitionData } from "../models/ensemble.js";
import { Rng } from "../util/random.js";
import { SumTree } from "./sum-tree.js";

export interface EpisodeData {
  /** o_0 … o_T, each obsDim values (T+1 observations). */
  observations: ArrayLike<number>[];
  /** a_0 … a_{T−1} */
  actions: ArrayLike<number>[];
  /** r_0 … r_{T−1} */
  rewards: ArrayLike<number>;
  /** Multi-task: the task index of the episode (default 0). */
  task?: number;
}

export interface PriorityConfig {
  /** Prioritisation exponent (TD-MPC per_alpha 0.6; 0 = uniform). */
  alpha: number;
  /** Importance-sampling exponent (TD-MPC per_beta 0.4). */
  beta: number;
}

export interface ReplayConfig {
  /** Values per observation (pixels: 3·frameStack·H·W). */
  obsDim: number;
  actionDim: number;
  /** Slots (≈ environment steps) kept; TD-MPC max_buffer 1e6. */
  capacity: number;
  /** Longest sub-sequence to be sampled (TD-MPC/TD-MPC2 `horizon`); 1 for transitions. */
  horizon: number;
  /** Prioritised replay; uniform when absent. */
  priority?: PriorityConfig;
  seed: number;
  /** Pixel observations: uint8 stacks of this many frames, each frame stored once (see above). */
  frames?: { frameStack: number };
}

/** H+1 observations and H actions and rewards of B sequences, time-major: obs[(t·B + b)·obsDim + j]. */
export interface SequenceBatch {
  horizon: number;
  batchSize: number;
  /** Float32 states, or uint8 frame stacks (a pixel store). */
  obs: Float32Array | Uint8Array;
  action: Float32Array;
  reward: Float32Array;
  /** Start slot of each sequence (hand back to `updatePriorities`). */
  index: Int32Array;
  /** Importance-sampling weights (all 1 without PER). */
  weight: Float32Array;
  /** Task index of each sequence (multi-task agents). */
  task: Int32Array;
}

export class ReplayStore {
  readonly cfg: ReplayConfig;
  private readonly obs: Float32Array;
  /** Pixels: the newest frame of each slot's observation, and the slot's step within its episode. */
  private readonly frames: Uint8Array;
  private readonly slotStep: Int32Array;
  private readonly frameBytes: number;
  private readonly act: Float32Array;
  private readonly rew: Float32Array;
  /** Episode id per slot (−1: free) and the episodes in the ring, oldest first. */
  private readonly slotEpisode: Int32Array;
  private episodes: { id: number; start: number; steps: number; task: number }[] = [];
  /** Task of each slot's episode. */
  private readonly slotTask: Int32Array;
  private readonly tree: SumTree;
  private rng: Rng;
  private writePos = 0;
  private nextId = 0;
  private maxPriority = 1;
  /** Environment steps ever added (dropped ones included). */
  totalSteps = 0;

  constructor(cfg: ReplayConfig) {
    const { obsDim, actionDim, capacity, horizon } = cfg;
    for (const [k, v] of Object.entries({ obsDim, actionDim, capacity, horizon })) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`ReplayStore: ${k} must be a positive integer, got ${v}`);
    }
    if (cfg.priority) {
      const { alpha, beta } = cfg.priority;
      if (!(alpha >= 0 && alpha <= 1) || !(beta >= 0 && beta <= 1)) throw new RangeError(`ReplayStore: PER alpha and beta must be in [0, 1], got ${alpha}, ${beta}`);
    }
    this.cfg = { ...cfg };
    const k = cfg.frames?.frameStack ?? 0;
    if (cfg.frames && (!Number.isInteger(k) || k < 1 || obsDim % (3 * k) !== 0)) {
      throw new RangeError(`ReplayStore: frames.frameStack must be a positive integer dividing obsDim/3, got ${k} for obsDim ${obsDim}`);
    }
    this.frameBytes = cfg.frames ? obsDim / k : 0;
    this.obs = new Float32Array(cfg.frames ? 0 : capacity * obsDim);
    this.frames = new Uint8Array(capacity * this.frameBytes);
    this.slotStep = new Int32Array(cfg.frames ? capacity : 0);
    this.act = new Float32Array(capacity * actionDim);
    this.rew = new Float32Array(capacity);
    this.slotEpisode = new Int32Array(capacity).fill(-1);
    this.slotTask = new Int32Array(capacity);
    this.tree = new SumTree(capacity);
    this.rng = new Rng(cfg.seed);
  }

  /** Transitions stored (episode steps, excluding each episode's final observation slot). */
  get numSteps(): number {
    return this.episodes.reduce((s, e) => s + e.steps, 0);
  }

  get numEpisodes(): number {
    return this.episodes.length;
  }

  /** Slots that can start a sequence of `cfg.horizon` steps. */
  get numSequences(): number {
    return this.episodes.reduce((s, e) => s + Math.max(0, e.steps - this.cfg.horizon + 1), 0);
  }

  /** Add a finished (or cut) episode; the oldest episodes make room when the ring is full. */
  addEpisode(ep: EpisodeData): void {
    const { obsDim: O, actionDim: A, capacity } = this.cfg;
    const T = ep.actions.length;
    if (T < 1) throw new RangeError("addEpisode: an episode needs at least one step");
    if (ep.observations.length !== T + 1) throw new RangeError(`addEpisode: ${ep.observations.length} observations for ${T} actions (need T+1)`);
    if (ep.rewards.length !== T) throw new RangeError(`addEpisode: ${ep.rewards.length} rewards for ${T} actions`);
    if (T + 1 > capacity) throw new RangeError(`addEpisode: an episode of ${T} steps does not fit a store of ${capacity} slots`);
    if (this.writePos + T + 1 > capacity) this.writePos = 0; // an episode is never split across the ring's end
    const start = this.writePos;
    this.dropOverlapping(start, T + 1);
    const id = this.nextId++;
    const task = ep.task ?? 0;
    if (!Number.isInteger(task) || task < 0) throw new RangeError(`addEpisode: task must be a non-negative integer, got ${task}`);
    for (let t = 0; t <= T; t++) {
      const s = start + t;
      const o = ep.observations[t]!;
      if (o.length !== O) throw new RangeError(`addEpisode: observation ${t} has ${o.length} values, expected ${O}`);
      if (this.cfg.frames) this.writeFrame(s, t, o);
      else {
        for (let j = 0; j < O; j++) {
          const v = o[j]!;
          if (!Number.isFinite(v)) throw new RangeError(`addEpisode: observation ${t}[${j}] is ${v}`);
          this.obs[s * O + j] = v;
        }
      }
      this.slotEpisode[s] = id;
      this.slotTask[s] = task;
      if (t === T) break;
      const a = ep.actions[t]!;
      if (a.length !== A) throw new RangeError(`addEpisode: action ${t} has ${a.length} values, expected ${A}`);
      this.act.set(a, s * A);
      const r = ep.rewards[t]!;
      if (!Number.isFinite(r)) throw new RangeError(`addEpisode: reward ${t} is ${r}`);
      this.rew[s] = r;
    }
    const H = this.cfg.horizon;
    const p = this.cfg.priority ? this.maxPriority ** this.cfg.priority.alpha : 1;
    for (let t = 0; t + H <= T; t++) this.tree.set(start + t, p);
    this.episodes.push({ id, start, steps: T, task });
    this.writePos = start + T + 1;
    this.totalSteps += T;
  }

  /** Pixels: keep o_t's newest frame in slot s, after checking that its older frames are the episode's. */
  private writeFrame(s: number, t: number, o: ArrayLike<number>): void {
    if (!(o instanceof Uint8Array)) throw new RangeError(`addEpisode: a pixel store takes uint8 frame stacks, got ${o.constructor.name}`);
    const F = this.frameBytes;
    const k = this.cfg.frames!.frameStack;
    this.slotStep[s] = t;
    this.frames.set(o.subarray((k - 1) * F), s * F);
    for (let j = 0; j < k - 1; j++) {
      const src = s - Math.min(k - 1 - j, t);
      const mine = o.subarray(j * F, (j + 1) * F);
      const kept = this.frames.subarray(src * F, (src + 1) * F);
      if (Buffer.compare(mine, kept) !== 0) throw new RangeError(`addEpisode: observation ${t} is not a stack of the episode's last ${k} frames (frame ${j} differs); a pixel store needs consecutive frame stacks`);
    }
  }

  /** Pixels: write the stack o_s (oldest frame first) at `out[at…]`. */
  private readStack(s: number, out: Uint8Array, at: number): void {
    const F = this.frameBytes;
    const k = this.cfg.frames!.frameStack;
    const t = this.slotStep[s]!;
    for (let j = 0; j < k; j++) {
      const src = s - Math.min(k - 1 - j, t);
      out.set(this.frames.subarray(src * F, (src + 1) * F), at + j * F);
    }
  }

  private dropOverlapping(start: number, len: number): void {
    const ids = new Set<number>();
    for (let s = start; s < start + len; s++) if (this.slotEpisode[s]! >= 0) ids.add(this.slotEpisode[s]!);
    if (ids.size === 0) return;
    for (const e of this.episodes.filter((e) => ids.has(e.id))) {
      for (let s = e.start; s <= e.start + e.steps; s++) {
        this.slotEpisode[s] = -1;
        this.tree.set(s, 0);
      }
    }
    this.episodes = this.episodes.filter((e) => !ids.has(e.id));
  }

  /**
   * B sub-sequences of `horizon` steps (≤ cfg.horizon), each within one episode: o_t … o_{t+H}, a_t … a_{t+H−1},
   * r_t … r_{t+H−1}, drawn uniformly or by priority.
   */
  sampleSequences(batchSize: number, horizon = this.cfg.horizon): SequenceBatch {
    const { obsDim: O, actionDim: A } = this.cfg;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`sampleSequences: batchSize must be a positive integer, got ${batchSize}`);
    if (!Number.isInteger(horizon) || horizon < 1 || horizon > this.cfg.horizon) {
      throw new RangeError(`sampleSequences: horizon must be an integer in [1, ${this.cfg.horizon}] (the store's horizon), got ${horizon}`);
    }
    const total = this.tree.total;
    if (!(total > 0)) throw new Error("sampleSequences: the store holds no sequence yet (add an episode first)");
    const B = batchSize;
    const H = horizon;
    const out: SequenceBatch = {
      horizon: H,
      batchSize: B,
      obs: this.cfg.frames ? new Uint8Array((H + 1) * B * O) : new Float32Array((H + 1) * B * O),
      action: new Float32Array(H * B * A),
      reward: new Float32Array(H * B),
      index: new Int32Array(B),
      weight: new Float32Array(B).fill(1),
      task: new Int32Array(B),
    };
    for (let b = 0; b < B; b++) {
      const s = this.tree.find(this.rng.random() * total);
      out.index[b] = s;
      out.task[b] = this.slotTask[s]!;
      for (let t = 0; t <= H; t++) {
        if (this.cfg.frames) this.readStack(s + t, out.obs as Uint8Array, (t * B + b) * O);
        else out.obs.set(this.obs.subarray((s + t) * O, (s + t + 1) * O), (t * B + b) * O);
        if (t === H) break;
        out.action.set(this.act.subarray((s + t) * A, (s + t + 1) * A), (t * B + b) * A);
        out.reward[t * B + b] = this.rew[s + t]!;
      }
    }
    if (this.cfg.priority) {
      const N = this.numSequences;
      const beta = this.cfg.priority.beta;
      let max = 0;
      for (let b = 0; b < B; b++) max = Math.max(max, (out.weight[b] = (N * (this.tree.get(out.index[b]!) / total)) ** -beta));
      for (let b = 0; b < B; b++) out.weight[b]! /= max;
    }
    return out;
  }

  /** New priorities for sampled sequences (TD-MPC: the ρ-weighted |Q − TD target| summed over the horizon, + 1e-6). */
  updatePriorities(index: ArrayLike<number>, priorities: ArrayLike<number>): void {
    if (!this.cfg.priority) throw new Error("updatePriorities: this store samples uniformly (no priority config)");
    if (index.length !== priorities.length) throw new RangeError(`updatePriorities: ${index.length} indices, ${priorities.length} priorities`);
    const alpha = this.cfg.priority.alpha;
    for (let i = 0; i < index.length; i++) {
      const s = index[i]!;
      const p = priorities[i]!;
      if (!(p > 0) || !Number.isFinite(p)) throw new RangeError(`updatePriorities: priority ${i} is ${p}; priorities must be finite and > 0`);
      if (this.tree.get(s) <= 0) continue; // the sequence was overwritten since it was sampled
      this.tree.set(s, p ** alpha);
      if (p > this.maxPriority) this.maxPriority = p;
    }
  }

  /** The sampling probability of a start slot (tests, inspection). */
  probability(slot: number): number {
    return this.tree.get(slot) / this.tree.total;
  }

  /** Every stored transition, oldest episode first. */
  transitions(): TransitionData {
    if (this.cfg.frames) throw new Error("transitions: a pixel store has no float transitions (sample sequences instead)");
    const { obsDim: O, actionDim: A } = this.cfg;
    const n = this.numSteps;
    const d: TransitionData = { n, obs: new Float32Array(n * O), act: new Float32Array(n * A), nextObs: new Float32Array(n * O), reward: new Float32Array(n) };
    let k = 0;
    for (const e of this.episodes) {
      d.obs.set(this.obs.subarray(e.start * O, (e.start + e.steps) * O), k * O);
      d.nextObs.set(this.obs.subarray((e.start + 1) * O, (e.start + e.steps + 1) * O), k * O);
      d.act.set(this.act.subarray(e.start * A, (e.start + e.steps) * A), k * A);
      d.reward.set(this.rew.subarray(e.start, e.start + e.steps), k);
      k += e.steps;
    }
    return d;
  }

  /** Everything needed to continue exactly (checkpoints): typed arrays + a small JSON header. */
  snapshot(): { meta: ReplaySnapshotMeta; arrays: Record<string, ReplayArray> } {
    const used = this.usedSlots();
    const { obsDim: O, actionDim: A } = this.cfg;
    return {
      meta: {
        cfg: this.cfg,
        episodes: this.episodes,
        writePos: this.writePos,
        nextId: this.nextId,
        maxPriority: this.maxPriority,
        totalSteps: this.totalSteps,
        rng: this.rng.getState(),
        used,
      },
      arrays: {
        ...(this.cfg.frames ? { frames: this.frames.slice(0, used * this.frameBytes), slotStep: this.slotStep.slice(0, used) } : { obs: this.obs.slice(0, used * O) }),
        act: this.act.slice(0, used * A),
        rew: this.rew.slice(0, used),
        slotEpisode: this.slotEpisode.slice(0, used),
        slotTask: this.slotTask.slice(0, used),
        priorities: this.tree.leaves().slice(0, used),
      },
    };
  }

  /** Restore a snapshot, optionally into a larger ring (a resumed run that will collect more). */
  static restore(meta: ReplaySnapshotMeta, arrays: Record<string, ReplayArray>, capacity = meta.cfg.capacity): ReplayStore {
    if (!(capacity >= meta.cfg.capacity)) throw new RangeError(`restore: capacity ${capacity} is below the snapshot's ${meta.cfg.capacity}`);
    const s = new ReplayStore({ ...meta.cfg, capacity });
    const { obsDim: O, actionDim: A } = meta.cfg;
    const obsArrays: Record<string, number> = meta.cfg.frames ? { frames: meta.used * s.frameBytes, slotStep: meta.used } : { obs: meta.used * O };
    const need: Record<string, number> = { ...obsArrays, act: meta.used * A, rew: meta.used, slotEpisode: meta.used, priorities: meta.used };
    for (const [k, n] of Object.entries(need)) {
      if (!arrays[k] || arrays[k]!.length !== n) throw new Error(`replay snapshot: array "${k}" has ${arrays[k]?.length ?? "no"} values, expected ${n}`);
    }
    if (meta.cfg.frames) {
      s.frames.set(arrays.frames!);
      s.slotStep.set(arrays.slotStep!);
    } else s.obs.set(arrays.obs!);
    s.act.set(arrays.act!);
    s.rew.set(arrays.rew!);
    s.slotEpisode.set(arrays.slotEpisode!);
    if (arrays.slotTask) s.slotTask.set(arrays.slotTask);
    const leaves = new Float64Array(capacity);
    leaves.set(arrays.priorities!);
    s.tree.load(leaves);
    s.episodes = meta.episodes.map((e) => ({ ...e, task: e.task ?? 0 }));
    s.writePos = meta.writePos;
    s.nextId = meta.nextId;
    s.maxPriority = meta.maxPriority;
    s.totalSteps = meta.totalSteps;
    s.rng.setState(meta.rng);
    return s;
  }

  private usedSlots(): number {
    let used = 0;
    for (const e of this.episodes) used = Math.max(used, e.start + e.steps + 1);
    return used;
  }
}

export type ReplayArray = Float32Array | Int32Array | Float64Array | Uint8Array;

export interface ReplaySnapshotMeta {
  cfg: ReplayConfig;
  episodes: { id: number; start: number; steps: number; task?: number }[];
  writePos: number;
  nextId: number;
  maxPriority: number;
  totalSteps: number;
  rng: number[];
  used: number;
}
