/** Chapter 3: learned dynamics and reward models (PETS ensembles) and planning through them. */
export { DynamicsEnsemble, decomposeVariance, PETS_ENSEMBLE_DEFAULTS, type EnsembleConfig, type TransitionData, type Prediction } from "./ensemble.js";
export { EnsemblePlanningModel, type EnsemblePlanningOptions, type Propagation } from "./propagation.js";
export { Normalizer } from "./normalizer.js";
