import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const esmImport = require("./esm-import.cjs") as (specifier: string) => Promise<unknown>;

/** `import()` that also works when this library is loaded from a tslab notebook (see esm-import.cjs). */
export function importEsm<T>(specifier: string): Promise<T> {
  return esmImport(specifier) as Promise<T>;
}

/** CommonJS `require` relative to this library (packages with a CommonJS entry, optional packages). */
export const requireFromLib = require;
