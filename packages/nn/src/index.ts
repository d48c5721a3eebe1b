import '@lumen/autograd';

export type {
  BCEOptions,
  BCEWithLogitsOptions,
  CrossEntropyOptions,
  DropoutOptions,
  LossOptions,
  Reduction,
} from './functional/index.js';
export * as functional from './functional/index.js';
export * as F from './functional/index.js';
export * as init from './init/init.js';
export {
  Flatten,
  GELU,
  Identity,
  LeakyReLU,
  ReLU,
  Sigmoid,
  SiLU,
  Softmax,
  Tanh,
} from './layers/activations.js';
export { Dropout } from './layers/dropout.js';
export { Embedding } from './layers/embedding.js';
export { LayerNorm } from './layers/layerNorm.js';
export type { LayerOptions } from './layers/linear.js';
export { Linear } from './layers/linear.js';
export type { Callable } from './layers/sequential.js';
export { Sequential } from './layers/sequential.js';
export { BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss } from './losses/losses.js';
export type { LoadResult, StateDict } from './module/module.js';
export { Module } from './module/module.js';
export { isParameter, Parameter } from './module/parameter.js';
export type { ZeroGradOptions } from './module/zeroGrad.js';
export type { AdamOptions, AdamState } from './optim/adam.js';
export { Adam, AdamW } from './optim/adam.js';
export { clipGradNorm } from './optim/clipGradNorm.js';
export type { ParamGroup, ParamsInput } from './optim/optimizer.js';
export { Optimizer } from './optim/optimizer.js';
export { LambdaLR, LRScheduler, linearWarmupSchedule, StepLR } from './optim/schedulers.js';
export type { SGDOptions, SGDState } from './optim/sgd.js';
export { SGD } from './optim/sgd.js';
export { loadSafetensors, saveSafetensors } from './safetensors/file.js';
export {
  parseSafetensors,
  readSafetensorsHeader,
  type SafetensorsTensorInfo,
  serializeSafetensors,
} from './safetensors/format.js';
