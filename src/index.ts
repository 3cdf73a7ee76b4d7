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
