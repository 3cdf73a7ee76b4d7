/** Chapter 1: black-box optimisers with one ask/tell interface, test functions, and the benchmark. */
export * from "./base.js";
export { Cem, type CemOptions } from "./cem.js";
export { CemFull, type CemFullOptions } from "./cem-full.js";
export { CmaEs, cmaParameters, type CmaEsOptions, type CmaParameters } from "./cmaes.js";
export { IpopCmaEs, type IpopOptions } from "./ipop.js";
export { symmetricEigen, randomRotation, principalComponents, type SymmetricEigen } from "./linalg.js";
export * from "./functions.js";
export * from "./benchmark.js";
export { trace2d, ellipse2d, type Snapshot } from "./trace.js";
