/**
 * PETS (Chua et al. 2018, "Deep RL in a handful of trials using probabilistic dynamics models"), top to bottom:
 *
 *   1. collect `ninitRollouts` episodes with uniformly random actions;
 *   2. fit the probabilistic ensemble T̂, R̂ to all data so far (models/ensemble.ts);
 *   3. play one episode with CEM-MPC, every action planned through the ensemble with trajectory sampling
 *      (models/propagation.ts, planning/sampling.ts), receding horizon;
 *   4. add the episode to the data, go to 2 — `ntrainIters` times.
 *
 * Config names follow the PETS code (mbexp: ntrain_iters, ninit_rollouts, plan_hor, npart, prop_type, popsize,
 * num_elites, max_iters, alpha) in camelCase. Defaults are laptop-sized; the paper's values are in comments.
 */
import { makeEnv } from "../envs/registry.js";
import { DynamicsEnsemble, type EnsembleConfig, type TransitionData } from "../models/ensemble.js";
import { EnsemblePlanningModel, type Propagation } from "../models/propagation.js";
import { runMpcEpisode } from "../planning/mpc.js";
import { cemPlanner } from "../planning/sampling.js";
import { Rng } from "../util/random.js";
import { inRange, nonNegativeInt, positiveInt } from "../util/validate.js";
import { loadPetsCheckpoint, savePetsCheckpoint, type PetsRunState } from "./pets-checkpoint.js";

export interface PetsConfig {
  task: string;
  seed: number;
  /** Action repeat (default: the task's TD-MPC value). */
  actionRepeat?: number;
  /** Agent steps per episode (default: the whole 1000-control-step episode). */
  episodeSteps?: number;
  /** Random episodes before the first fit (PETS: 1). */
  ninitRollouts: number;
  /** MPC episodes, each followed by a refit (PETS cartpole: 50). */
  ntrainIters: number;
  /** Planning horizon in agent steps (PETS cartpole: 25 at its 0.01 s step; here agent steps are longer). */
  planHor: number;
  /** Particles per sequence (PETS: 20). */
  npart: number;
  propType: Propagation;
  /** CEM population (PETS: 400), elites (40), iterations (5), smoothing α (0.1). */
  popsize: number;
  numElites: number;
  maxIters: number;
  alpha: number;
  /** Training epochs per refit (PETS: 5). */
  modelEpochs: number;
  model: Partial<EnsembleConfig>;
}

export const PETS_DEFAULTS: Omit<PetsConfig, "task" | "seed"> = {
  ninitRollouts: 1,
  ntrainIters: 15,
  planHor: 10,
  npart: 5,
  propType: "TSinf",
  popsize: 100,
  numElites: 10,
  maxIters: 3,
  alpha: 0.1,
  modelEpochs: 5,
  model: { ensembleSize: 5, hidden: [200, 200, 200] },
};

export interface PetsEpisodeResult {
  seed: number;
  iteration: number;
  /** Environment steps (agent steps × action repeat = control steps) collected so far, this episode included. */
  envSteps: number;
  episodeReturn: number;
  /** Mean training loss of the last fit epoch before this episode. */
  modelLoss: number;
  wallSec: number;
  /** "random" for the seed episodes, "mpc" for PETS episodes. */
  kind: "random" | "mpc";
}

/** A growing set of transitions (flat arrays, doubled when full). */
export class TransitionBuffer {
  n = 0;
  private obs: Float32Array;
  private act: Float32Array;
  private nextObs: Float32Array;
  private reward: Float32Array;
  constructor(
    readonly obsDim: number,
    readonly actDim: number,
    capacity = 1024,
  ) {
    this.obs = new Float32Array(capacity * obsDim);
    this.act = new Float32Array(capacity * actDim);
    this.nextObs = new Float32Array(capacity * obsDim);
    this.reward = new Float32Array(capacity);
  }
  add(o: ArrayLike<number>, a: ArrayLike<number>, r: number, o2: ArrayLike<number>): void {
    if (this.n === this.reward.length) this.grow();
    this.obs.set(o, this.n * this.obsDim);
    this.act.set(a, this.n * this.actDim);
    this.nextObs.set(o2, this.n * this.obsDim);
    this.reward[this.n] = r;
    this.n++;
  }
  private grow(): void {
    const g = (x: Float32Array) => {
      const y = new Float32Array(x.length * 2);
      y.set(x);
      return y;
    };
    this.obs = g(this.obs);
    this.act = g(this.act);
    this.nextObs = g(this.nextObs);
    this.reward = g(this.reward);
  }
  /** Replace the content with `d` (a checkpoint's data). */
  load(d: TransitionData): void {
    this.n = 0;
    for (let i = 0; i < d.n; i++)
      this.add(d.obs.subarray(i * this.obsDim, (i + 1) * this.obsDim), d.act.subarray(i * this.actDim, (i + 1) * this.actDim), d.reward[i]!, d.nextObs.subarray(i * this.obsDim, (i + 1) * this.obsDim));
  }
  view(): TransitionData {
    return {
      n: this.n,
      obs: this.obs.subarray(0, this.n * this.obsDim),
      act: this.act.subarray(0, this.n * this.actDim),
      nextObs: this.nextObs.subarray(0, this.n * this.obsDim),
      reward: this.reward.subarray(0, this.n),
    };
  }
}

/** Check a PETS config (each bad field named). */
export function checkPetsConfig(c: PetsConfig): void {
  nonNegativeInt("seed", c.seed);
  for (const k of ["ninitRollouts", "planHor", "npart", "popsize", "numElites", "maxIters", "modelEpochs"] as const) positiveInt(k, c[k]);
  nonNegativeInt("ntrainIters", c.ntrainIters);
  if (c.episodeSteps !== undefined) positiveInt("episodeSteps", c.episodeSteps);
  if (c.actionRepeat !== undefined) positiveInt("actionRepeat", c.actionRepeat);
  if (c.numElites > c.popsize) throw new RangeError(`numElites (${c.numElites}) must not exceed popsize (${c.popsize})`);
  inRange("alpha", c.alpha, 0, 1);
}

export interface RunPetsOptions {
  /**
   * Save the run after every episode into this folder and, when it already holds a checkpoint of the same config
   * (ntrainIters aside), continue from it instead of starting over (pets-checkpoint.ts). On resume `onEpisode`
   * first sees the episodes the checkpoint holds, so a results file can add a row the crash kept it from writing.
   */
  checkpointDir?: string;
}

/**
 * Run PETS; `onEpisode` sees each result as it comes (progress, live plots, CSV rows). Each episode plans with a
 * fresh planner and propagation generator seeded by (seed, episode), so that a resumed run draws the same numbers
 * as an uninterrupted one.
 */
export async function runPets(
  config: Partial<PetsConfig> & Pick<PetsConfig, "task" | "seed">,
  onEpisode?: (r: PetsEpisodeResult) => void,
  opts: RunPetsOptions = {},
): Promise<PetsEpisodeResult[]> {
  const c: PetsConfig = { ...PETS_DEFAULTS, ...config, model: { ...PETS_DEFAULTS.model, ...(config.model ?? {}) } };
  checkPetsConfig(c);
  const env = await makeEnv(c.task, { seed: c.seed, actionRepeat: c.actionRepeat });
  const obsDim = env.observationSpace.shape[0]!;
  const actDim = env.actionSpace.shape[0]!;
  const steps = c.episodeSteps ?? env.maxEpisodeSteps;
  const rng = new Rng(c.seed);
  const data = new TransitionBuffer(obsDim, actDim);
  let ensemble: DynamicsEnsemble | undefined;
  let results: PetsEpisodeResult[] = [];
  let t0 = performance.now();
  let envSteps = 0;
  let modelLoss = Number.NaN;
  const finish = async (iteration: number, ret: number, kind: PetsEpisodeResult["kind"]) => {
    const r: PetsEpisodeResult = { seed: c.seed, iteration, envSteps, episodeReturn: ret, modelLoss, wallSec: (performance.now() - t0) / 1000, kind };
    results.push(r);
    if (opts.checkpointDir) {
      const state: PetsRunState = { episodes: results.length, envSteps, modelLoss, wallSec: r.wallSec, rng: rng.getState(), results };
      await savePetsCheckpoint(opts.checkpointDir, c, state, ensemble!, data);
    }
    onEpisode?.(r);
  };
  try {
    ensemble = new DynamicsEnsemble(obsDim, actDim, { ...c.model, seed: c.seed });
    const resumed = opts.checkpointDir ? loadPetsCheckpoint(opts.checkpointDir, c, ensemble, data) : undefined;
    if (resumed) {
      ({ envSteps, modelLoss, results } = resumed);
      rng.setState(resumed.rng);
      t0 = performance.now() - resumed.wallSec * 1000;
      for (const r of results) onEpisode?.(r);
    }
    for (let i = results.length; i < c.ninitRollouts; i++) {
      let { obs } = env.reset(c.seed * 1000 + i);
      let ret = 0;
      for (let t = 0; t < steps; t++) {
        const a = Array.from({ length: actDim }, () => rng.uniform(-1, 1));
        const r = env.step(a);
        data.add(obs, a, r.reward, r.obs);
        obs = r.obs;
        ret += r.reward;
        envSteps += env.actionRepeat;
        if (r.terminated || r.truncated) break;
      }
      await finish(-(c.ninitRollouts - i), ret, "random");
    }
    for (let it = Math.max(0, results.length - c.ninitRollouts); it < c.ntrainIters; it++) {
      const losses = ensemble.fit(data.view(), c.modelEpochs);
      modelLoss = losses[losses.length - 1]!;
      const episodeSeed = c.seed * 1000 + c.ninitRollouts + it;
      const planner = cemPlanner(actDim, { horizon: c.planHor, numSamples: c.popsize, numElites: c.numElites, iterations: c.maxIters, momentum: c.alpha, seed: episodeSeed });
      const model = new EnsemblePlanningModel(ensemble, { particles: c.npart, propagation: c.propType, seed: episodeSeed });
      const ep = await runMpcEpisode(env, planner, (obs) => model.setStart(obs), { maxSteps: steps, seed: episodeSeed });
      for (let t = 0; t < ep.steps; t++) data.add(ep.observations[t]!, ep.actions[t]!, ep.rewards[t]!, ep.observations[t + 1]!);
      envSteps += ep.steps * env.actionRepeat;
      await finish(it, ep.totalReturn, "mpc");
    }
  } finally {
    ensemble?.dispose();
    env.close();
  }
  return results;
}
