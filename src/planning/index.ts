/** Chapter 2: planners over action sequences and the MPC loop (see each file for the equations). */
export { SamplingPlanner, randomShooting, cemPlanner, mppiPlanner, TDMPC2_PLANNER_DEFAULTS, type SamplingPlannerConfig, type Weighting } from "./sampling.js";
export { CmaesPlanner, type CmaesPlannerConfig } from "./cmaes-planner.js";
export { SimulatorModel } from "./simulator-model.js";
export { runMpcEpisode, type MpcEnv, type MpcEpisode, type MpcOptions } from "./mpc.js";
export { shiftSequence } from "./shift.js";
export type { Plan, Planner, PlanningModel } from "./types.js";
