/** One module per reproduced figure or chapter measurement. */
export * as ch00 from "./ch00-setup.js";
export * as ch01 from "./ch01-optim.js";
export * as ch02 from "./ch02-mpc.js";
export * as ch03 from "./ch03-models.js";
export * as oracle from "./oracle-mpc.js";
export * as regenerate from "./regenerate.js";
