/** Agents: PETS (chapter 3), TD-MPC and TD-MPC2 (chapters 4–7), their policy learners, the trainer and checkpoints. */
export { runPets, PETS_DEFAULTS, checkPetsConfig, type PetsConfig, type PetsEpisodeResult, type RunPetsOptions } from "./pets.js";
export {
  makeConfig,
  parseOverrides,
  parseSchedule,
  tdmpc2Discount,
  validateConfig,
  TDMPC_DEFAULTS,
  TDMPC2_DEFAULTS,
  PRESETS,
  type AgentConfig,
  type CourseSwitches,
  type TdmpcConfig,
  type Tdmpc2Config,
} from "./config.js";
export { TdmpcAgent } from "./tdmpc.js";
export { Tdmpc2Agent } from "./tdmpc2.js";
export { policyLoss, type PolicyContext } from "./policy-learners.js";
export { train, makeAgent, protocolEnv, configForEnv, configForTask, defaultRunDir, RESULT_COLUMNS, type Protocol, type ResultRow, type TrainOptions } from "./trainer.js";
export { saveRunCheckpoint, loadRunCheckpoint, latestCheckpoint, type RunCounters } from "./checkpoint.js";
export { evaluateCheckpoint, resolveCheckpoint, loadAgent, exportAgent, loadExportedAgent, probeState, type EvalResult, type CheckpointSource } from "./evaluate.js";
export type { LearningAgent, UpdateInfo } from "./types.js";
