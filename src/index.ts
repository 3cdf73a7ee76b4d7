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
export { EpisodeRecorder, recordEpisode, geomInfo, type Recording, type ReplayFrame, type GeomInfo, type GeomShape } from "./envs/replay.js";
export { replayFigure2d, replayFigure3d, type ReplayOptions } from "./viz/replay.js";
export { taskTable, taskTableMarkdown, checkTask, type TaskRow, type CheckResult } from "./envs/cli.js";

// ---- planning (chapter 2): random shooting, CEM, MPPI, CMA-ES planners, MPC loop, simulator as model ----
export * as planning from "./planning/index.js";
export * as experiments from "./experiments/index.js";
