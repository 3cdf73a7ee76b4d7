/**
 * The ONNX engine: training and planning through onnxruntime-node, graphs generated from the layer specs.
 *   graph.ts     typed graph builder with static shapes and a tape     autodiff.ts  reverse-mode gradients
 *   nets.ts      MLPs and ensembles from MlpSpec/EnsembleSpec          losses.ts    two-hot, soft CE, MSE
 *   optim.ts     Adam, clipping, Polyak inside the graph               train.ts     TrainGraph + OnnxTrainer
 *   tdmpc2.ts    TD-MPC2 update graph      tdmpc.ts  TD-MPC update graph      rollout.ts  planning value
 *   store.ts     the weights shared by sessions                        engines.ts   TrainingEngine (agents use this)
 */
export { Graph, Sym } from "./graph.js";
export { gradients } from "./autodiff.js";
export { mlpGraph, ensembleGraph, mish, elu, simNorm, mlpParamShapes, ensembleParamShapes, agentParamShapes, type AgentNets, type ParamFn } from "./nets.js";
export { adamStep, polyakStep, globalNorm, adamScalars, type AdamHyper } from "./optim.js";
export { TrainGraph, OnnxTrainer } from "./train.js";
export { WeightStore, storeKey } from "./store.js";
export { GraphSession } from "./session.js";
export { loadOrt, ortAvailable } from "./proto.js";
export { DropoutMask, drawTwoHeads } from "./noise.js";
export { tdmpc2UpdateGraph, type Tdmpc2Nets, type Tdmpc2TrainConfig, type Tdmpc2UpdateSpec } from "./tdmpc2.js";
export { tdmpcUpdateGraph, type TdmpcNets, type TdmpcTrainConfig, type TdmpcUpdateSpec } from "./tdmpc.js";
export { OnnxRolloutEngine, rolloutValueGraph, tileRows, type RolloutSpec } from "./rollout.js";
export {
  OnnxTdmpc2Engine,
  OnnxTdmpcEngine,
  storeFromParams,
  type TrainingEngine,
  type TrainerState,
  type EngineOptions,
  type Tdmpc2Batch,
  type Tdmpc2Info,
  type Tdmpc2Noise,
  type TdmpcBatch,
  type TdmpcInfo,
  type TdmpcNoise,
} from "./engines.js";
