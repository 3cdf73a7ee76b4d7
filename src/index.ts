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
