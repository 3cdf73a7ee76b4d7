/** Chapter 2: planners over action sequences and the MPC loop (see each file for the equations). */
export { SamplingPlanner, randomShooting, cemPlanner, mppiPlanner, PLANNER_DEFAULTS, type SamplingPlannerConfig, type Weighting, type Selection } from "./sampling.js";
export { CmaesPlanner, type CmaesPlannerConfig } from "./cmaes-planner.js";
export { SimulatorModel } from "./simulator-model.js";
export { MpcAgent, runMpcEpisode, type ModelAt, type MpcAgentOptions, type MpcEpisode, type MpcOptions } from "./mpc.js";
export { shiftSequence } from "./shift.js";
export type { Plan, PlanOptions, Planner, PlanningModel } from "./types.js";
export { checkSequences } from "./types.js";
export { LatentPlanningModel, type LatentPlanningOptions } from "./latent-model.js";
