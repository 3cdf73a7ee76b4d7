/**
 * tdmpc-ts — the library behind the course. Notebooks import this file from `../dist/index.js`.
 */
export { initBackend, describeBackend, tf, type BackendInfo, type BackendName } from "./nn/backend.js";
export { loadMujoco, mujocoVersion, loadModelFromXml, MjcfError, type LoadedModel, type MuJoCo } from "./envs/mujoco.js";
export {
  showFigure,
  liveFigure,
  liveText,
  showHtml,
  showMarkdown,
  figureHtml,
  inNotebook,
  type Figure,
} from "./viz/plotly.js";
export { tableHtml, showTable, rowsToTable, type TableLike } from "./viz/table.js";
export { isQuick, budget, QUICK_ENV } from "./util/quick.js";
export { progress, type Progress } from "./util/progress.js";
export { exportFigure, FigureExporter, findChromium, type ExportOptions, type ImageFormat } from "./viz/export.js";
export { Rng } from "./util/random.js";

// ---- optim (chapter 1): CEM, CMA-ES, sep-CMA-ES, IPOP-CMA-ES, test functions, benchmark ----
export * as optim from "./optim/index.js";
export {
  Cem,
  CmaEs,
  IpopCmaEs,
  testFunction,
  type AskTellOptimizer,
  type CemOptions,
  type CmaEsOptions,
  type IpopOptions,
  type TestFunction,
} from "./optim/index.js";
// ─── envs (issue 5): tasks, Gymnasium-shaped environments, registry, vectorised rollouts, replays ───
export { Physics, type PhysicsState, type ObjectKind } from "./envs/physics.js";
export {
  defineTask,
  tolerance,
  sigmoid,
  SIGMOIDS,
  DEFAULT_VALUE_AT_MARGIN,
  registerTask,
  getTask,
  registeredTaskNames,
  observationSize,
  type TaskDefinition,
  type TaskInput,
  type MjcfSource,
  type Sigmoid,
} from "./envs/task.js";
export {
  MujocoEnv,
  createMujocoEnv,
  readMjcf,
  clipAction,
  boxSpace,
  type Env,
  type EnvState,
  type BoxSpace,
  type StepResult,
  type ResetResult,
  type StepInfo,
} from "./envs/env.js";
export { ActionRepeat } from "./envs/wrappers.js";
export { makeEnv, listTasks, taskInfo, type MakeEnvOptions } from "./envs/registry.js";
export { VecEnv, makeVecEnv, type VecStepResult, type MakeVecEnvOptions } from "./envs/vec.js";
export { checkEnv, type CheckReport } from "./envs/check.js";
export {
  HAND_CONTROLLERS,
  pendulumSwingupController,
  cartpoleBalanceController,
  cartpoleSwingupController,
  pointMassController,
  reacherController,
  type Policy,
} from "./envs/controllers.js";
// hopper-stand: LQR balance about the standing equilibrium (src/envs/hopper-controller.ts)
export { hopperBalanceController, HOPPER_STAND_EQUILIBRIUM, HOPPER_LQR_GAIN } from "./envs/hopper-controller.js";
// ---- acrobot lookahead controller (issue 5): a hand-written swing-up that looks ahead with the true simulator ----
export {
  AcrobotLookaheadController,
  ACROBOT_SWING_VARIANTS,
  type AcrobotLookaheadOptions,
  type AcrobotSwingVariant,
} from "./envs/acrobot-lookahead.js";
export { LOOKAHEAD_CONTROLLERS, lookaheadEpisode, type LookaheadController } from "./envs/lookahead.js";
export { acrobotSwingupController, acrobotSwingupAction, acrobotLockedEnergy } from "./envs/controllers.js";
// ---- finger-spin hand controller (envs/controllers.ts): phase-locked strikes, gains and a factory for gain searches ----
export { fingerSpinController, makeFingerSpinController, FINGER_SPIN_GAINS, type FingerSpinGains } from "./envs/controllers.js";
// ---- hopper lookahead controller (issue 5): get up by MPPI on the true simulator, then the LQR balance ----
export { HopperLookaheadController, HopperPlanningModel, type HopperLookaheadOptions } from "./envs/hopper-lookahead.js";
export { forkVecEnv } from "./envs/vec.js";
export { EpisodeRecorder, recordEpisode, geomInfo, type Recording, type ReplayFrame, type GeomInfo, type GeomShape } from "./envs/replay.js";
export { replayFigure2d, replayFigure3d, type ReplayOptions } from "./viz/replay.js";
export { taskTable, taskTableMarkdown, checkTask, type TaskRow, type CheckResult } from "./envs/cli.js";

// ---- planning (chapter 2): random shooting, CEM, MPPI, CMA-ES planners, MPC loop, simulator as model ----
export * as planning from "./planning/index.js";
export * as experiments from "./experiments/index.js";
// ---- chapter figures (src/viz/figures): the same figures the notebooks show and `tdmpc figures <chapter>` exports ----
export * as figures from "./viz/figures/index.js";
export { meanCi, fmtMeanCi, seedTraces, groupBy, type MeanCi } from "./viz/evidence.js";
// ---- nn (issue 6): layers, optimiser, losses, checkpoints, TD-MPC2 world model, presets, inference engines ----
export {
  Params,
  dense,
  denseBatched,
  layerNorm,
  mish,
  simNorm,
  activate,
  dropout,
  mlp,
  applyMlp,
  ensemble,
  applyEnsemble,
  denseGrad,
  setDenseGrad,
  ensembleMode,
  setEnsembleMode,
  type Activation,
  type MlpOptions,
  type MlpSpec,
  type EnsembleSpec,
} from "./nn/layers.js";
export { mse, symlog, symexp, twoHot, twoHotInv, softCrossEntropy, binCentres, TWO_HOT_DEFAULT, type TwoHotConfig } from "./nn/losses.js";
export { Adam, polyak, trainStep, type AdamConfig, type TrainStepResult, type LossOutput } from "./nn/optim.js";
export { saveCheckpoint, loadCheckpoint, CheckpointError, CHECKPOINT_VERSION, type CheckpointManifest } from "./nn/io.js";
export { MODEL_PRESETS, TRAIN_DEFAULTS, PLAN_DEFAULTS, modelPreset, type ModelConfig, type TrainConfig, type PlanConfig } from "./nn/presets.js";
export { WorldModel, randomBatch, type Batch, type UpdateInfo } from "./nn/worldmodel.js";
export { OnnxRolloutEngine, TfjsRolloutEngine, GraphBuilder, loadOrt, type RolloutEngine, type OnnxEngineOptions } from "./nn/onnx.js";
export { planMppi, topK, type ValueEngine, type PlanResult } from "./nn/planner.js";

// ---- models and agents (chapter 3): PETS ensembles, trajectory sampling, the PETS loop ----
export * as models from "./models/index.js";
export * as agents from "./agents/index.js";
export * as replay from "./replay/index.js";
export { ReplayStore, SumTree, type SequenceBatch, type ReplayConfig } from "./replay/index.js";
export { runEpisode, policyAgent, type Agent, type ActContext, type Episode, type EpisodeOptions, type Transition } from "./envs/agent.js";
export { RunningScale, percentile } from "./nn/running-scale.js";
