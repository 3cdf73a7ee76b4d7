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
import { runEpisode, type Agent, type Episode } from "../envs/agent.js";
import { makeEnv } from "../envs/registry.js";
import { DynamicsEnsemble, type EnsembleConfig } from "../models/ensemble.js";
import { EnsemblePlanningModel, type Propagation } from "../models/propagation.js";
import { MpcAgent } from "../planning/mpc.js";
import { cemPlanner } from "../planning/sampling.js";
import { ReplayStore } from "../replay/store.js";
import { Rng } from "../util/random.js";

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

/** Run PETS; `onEpisode` sees each result as it comes (progress, live plots, CSV rows). */
export async function runPets(config: Partial<PetsConfig> & Pick<PetsConfig, "task" | "seed">, onEpisode?: (r: PetsEpisodeResult) => void): Promise<PetsEpisodeResult[]> {
  const c: PetsConfig = { ...PETS_DEFAULTS, ...config, model: { ...PETS_DEFAULTS.model, ...(config.model ?? {}) } };
  const env = await makeEnv(c.task, { seed: c.seed, actionRepeat: c.actionRepeat });
  const obsDim = env.observationSpace.shape[0]!;
  const actDim = env.actionSpace.shape[0]!;
  const steps = c.episodeSteps ?? env.maxEpisodeSteps;
  const rng = new Rng(c.seed);
  const data = new ReplayStore({ obsDim, actionDim: actDim, capacity: (c.ninitRollouts + c.ntrainIters) * (steps + 1), horizon: 1, seed: c.seed });
  const keep = (ep: Episode) => data.addEpisode({ observations: ep.observations, actions: ep.actions, rewards: ep.rewards });
  let ensemble: DynamicsEnsemble | undefined;
  const results: PetsEpisodeResult[] = [];
  const t0 = performance.now();
  let envSteps = 0;
  let modelLoss = Number.NaN;
  const report = (iteration: number, ret: number, kind: PetsEpisodeResult["kind"]) => {
    const r: PetsEpisodeResult = { seed: c.seed, iteration, envSteps, episodeReturn: ret, modelLoss, wallSec: (performance.now() - t0) / 1000, kind };
    results.push(r);
    onEpisode?.(r);
  };
  try {
    ensemble = new DynamicsEnsemble(obsDim, actDim, { ...c.model, seed: c.seed });
    const planner = cemPlanner(actDim, { horizon: c.planHor, numSamples: c.popsize, numElites: c.numElites, iterations: c.maxIters, momentum: c.alpha, seed: c.seed });
    const model = new EnsemblePlanningModel(ensemble, { particles: c.npart, propagation: c.propType, seed: c.seed });
    const random: Agent = { name: "random", reset() {}, act: () => Float32Array.from({ length: actDim }, () => rng.uniform(-1, 1)) };
    const mpc = new MpcAgent(planner, (obs) => model.setStart(obs));
    for (let i = 0; i < c.ninitRollouts; i++) {
      const ep = await runEpisode(env, random, { maxSteps: steps, seed: c.seed * 1000 + i });
      keep(ep);
      envSteps += ep.steps * env.actionRepeat;
      report(-(c.ninitRollouts - i), ep.totalReturn, "random");
    }
    for (let it = 0; it < c.ntrainIters; it++) {
      const losses = ensemble.fit(data.transitions(), c.modelEpochs);
      modelLoss = losses[losses.length - 1]!;
      const ep = await runEpisode(env, mpc, { maxSteps: steps, seed: c.seed * 1000 + c.ninitRollouts + it });
      keep(ep);
      envSteps += ep.steps * env.actionRepeat;
      report(it, ep.totalReturn, "mpc");
    }
  } finally {
    ensemble?.dispose();
    env.close();
  }
  return results;
}
