/** Chapter figures, built from committed results by the same functions the notebooks and `tdmpc figures` use. */
export * as runs from "./runs.js";
export * as ch04 from "./ch04.js";
export * as ch05 from "./ch05.js";
