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
