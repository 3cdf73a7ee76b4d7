/**
 * Quick mode: one environment variable, `TDMPC_QUICK=1`, shrinks every budget in the library and the
 * notebooks so the whole notebook suite runs in minutes on 2 CPU cores (it is set by `npm test`).
 */
export const QUICK_ENV = "TDMPC_QUICK";

export function isQuick(): boolean {
  const v = process.env[QUICK_ENV];
  return v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false";
}

/** `full` normally, `quick` in quick mode: `const episodes = budget(200, 5)`. */
export function budget<T>(full: T, quick: T): T {
  return isQuick() ? quick : full;
}
