/** Learned models: PETS ensembles (chapter 3), the latent world model of TD-MPC/TD-MPC2 and its value parts (chapters 4–7). */
export { DynamicsEnsemble, decomposeVariance, PETS_ENSEMBLE_DEFAULTS, type EnsembleConfig, type TransitionData, type Prediction } from "./ensemble.js";
export { EnsemblePlanningModel, type EnsemblePlanningOptions, type Propagation } from "./propagation.js";
export { Normalizer } from "./normalizer.js";
export { LatentModel, consistencyLoss } from "./latent.js";
export { QEnsemble, PolicyPrior, type PolicyKind, type PolicySample, type QOptions } from "./value.js";
export { WorldModel, TDMPC_MODEL, TDMPC2_MODEL, checkModelConfig, type Architecture, type WorldModelConfig } from "./world-model.js";
