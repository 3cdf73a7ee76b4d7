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
export * as validate from "./util/validate.js";
export { ResultsLog, ResultsError, readResults, parseResults, type ResultRow, type ParsedResults, type ResultsSpec } from "./util/results.js";

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
// ─── envs (issue 5): tasks, Gymnasium-shaped environments, registry, vectorised rollouts, recordings ───
export { Physics, PhysicsDivergenceError, InvalidStateError, type PhysicsState, type ObjectKind, type Divergence, type DivergenceKind } from "./envs/physics.js";
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
  checkEnvState,
  type OnDivergence,
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
export { EpisodeRecorder, recordEpisode, geomInfo, type Recording, type RecordingFrame, type GeomInfo, type GeomShape } from "./envs/recording.js";
export { animationFigure2d, animationFigure3d, type AnimationOptions } from "./viz/animation.js";
export { forkVecEnv } from "./envs/vec.js";
export { taskTable, taskTableMarkdown, checkTask, type TaskRow, type CheckResult } from "./envs/task-table.js";

// ---- planning (chapter 2): random shooting, CEM, MPPI, CMA-ES planners, MPC loop, simulator as model ----
export * as planning from "./planning/index.js";
export * as experiments from "./experiments/index.js";
// ---- chapter figures (src/viz/figures): the same figures the notebooks show and `tdmpc figures <chapter>` exports ----
export * as figures from "./viz/figures/index.js";
export { meanCi, fmtMeanCi, permutationTest, seedTraces, groupBy, type MeanCi } from "./viz/evidence.js";
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
export { mse, symlog, symexp, twoHot, twoHotInv, twoHotDecodeProbs, softCrossEntropy, binCentres, TWO_HOT_DEFAULT, type TwoHotConfig, type ScalarCoding } from "./nn/losses.js";
export { Adam, polyak, trainStep, type AdamConfig, type TrainStepResult, type LossOutput } from "./nn/optim.js";
export { saveCheckpoint, loadCheckpoint, CheckpointError, CHECKPOINT_VERSION, type CheckpointManifest } from "./nn/io.js";
export * as onnx from "./nn/onnx/index.js";
export { OnnxRolloutEngine, OnnxTdmpc2Engine, OnnxTdmpcEngine, WeightStore, storeFromParams, type TrainingEngine } from "./nn/onnx/index.js";

// ---- models and agents (chapter 3): PETS ensembles, trajectory sampling, the PETS loop ----
export * as models from "./models/index.js";
export * as agents from "./agents/index.js";
export * as replay from "./replay/index.js";
export { ReplayStore, SumTree, randomBatch, type SequenceBatch, type ReplayConfig } from "./replay/index.js";
export { runEpisode, policyAgent, type Agent, type ActContext, type Episode, type EpisodeOptions, type Transition } from "./envs/agent.js";
// ---- hand-written controllers (src/controllers/): feedback laws, lookahead controllers, all as agents by task ----
export { controllerAgent, LOOKAHEAD_CONTROLLERS, type ControllerKind, type LookaheadOptions } from "./controllers/registry.js";
export {
  HAND_CONTROLLERS,
  pendulumSwingupController,
  cartpoleBalanceController,
  cartpoleSwingupController,
  pointMassController,
  reacherController,
  acrobotSwingupController,
  acrobotSwingupAction,
  acrobotLockedEnergy,
  // finger-spin: phase-locked strikes, gains and a factory for gain searches
  fingerSpinController,
  makeFingerSpinController,
  FINGER_SPIN_GAINS,
  type FingerSpinGains,
  type Policy,
} from "./controllers/feedback.js";
// hopper-stand: LQR balance about the standing equilibrium
export { hopperBalanceController, HOPPER_STAND_EQUILIBRIUM, HOPPER_LQR_GAIN } from "./controllers/hopper-balance.js";
// acrobot-swingup: picks among variants of the pumping law by looking ahead with the true simulator
export {
  AcrobotLookaheadController,
  ACROBOT_SWING_VARIANTS,
  type AcrobotLookaheadOptions,
  type AcrobotSwingVariant,
} from "./controllers/acrobot-lookahead.js";
// hopper-stand: get up by MPPI on the true simulator, then the LQR balance
export { HopperLookaheadController, HopperPlanningModel, type HopperLookaheadOptions } from "./controllers/hopper-lookahead.js";
export { RunningScale, percentile } from "./nn/running-scale.js";

// ---- pixels (issue 13): CPU renderer, pixel observations, image encoders, frames as PNG/GIF ----
export { SceneRenderer, SUITE_SKY, type RenderOptions, type Layout, type DrawnObject } from "./envs/render/renderer.js";
export { resolveCamera, cameraPose, type CameraSpec, type FreeCamera, type ResolvedCamera } from "./envs/render/camera.js";
export { benchRender, type RenderBenchRow, type RenderBenchOptions } from "./envs/render/bench.js";
export { PixelEnv, type PixelOptions } from "./envs/pixels.js";
export { convEncoder, applyConvEncoder, conv2d, maxPool, pixelBatch, setConvGrad, type ConvEncoderKind, type ConvEncoderOptions, type ConvEncoderSpec } from "./nn/conv.js";
export { randomShift } from "./nn/augment.js";
export { encodePng, decodePng, upscale, tile, observationFrames, showFrame, toRgba, type Frame } from "./viz/image.js";
export { episodeFrames, encodeGif, showGif, type EpisodeFramesOptions } from "./viz/gif.js";
export type { Observation } from "./envs/env.js";
