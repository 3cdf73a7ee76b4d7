/** One module per reproduced figure or chapter measurement. */
export * as ch00 from "./ch00-setup.js";
export * as ch01 from "./ch01-optim.js";
export * as ch02 from "./ch02-mpc.js";
export * as ch03 from "./ch03-models.js";
export * as ch04 from "./ch04-latent.js";
export * as ch05 from "./ch05-synergies.js";
export * as tdmpcRuns from "./tdmpc-runs.js";
export * as oracle from "./oracle-mpc.js";
export * as curves from "./tdmpc-curves.js";
// the experiment registry: one entry per figure, its runs, results and drawing (docs/experiments.md)
export * as registry from "./registry.js";
export * as figures from "./figures-run.js";
export * as runs from "./run-kinds.js";
export * as regenerate from "./regenerate.js";
// the README's table of returns at 100k env steps (`tdmpc figures table`)
export * as curvesTable from "./curves-table.js";
