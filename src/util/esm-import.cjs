// A real CommonJS file on disk. tslab runs notebook cells in a `vm` context that has no dynamic-import
// callback, and compiles them to CommonJS; a plain `import()` of an ESM-only package (e.g. @mujoco/mujoco)
// fails there. Node's own loader handles an `import()` issued from this file, in every context.
module.exports = (specifier) => import(specifier);
