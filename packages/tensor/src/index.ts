export { Tensor } from './tensor.js';
export type { GradFn, NestedArray } from './tensor.js';
export type { Device, DType, TypedArray } from './dtype.js';
export { promoteTypes, isFloat } from './dtype.js';
export { LumenError } from './errors.js';
export {
  tensor,
  zeros,
  ones,
  full,
  zerosLike,
  onesLike,
  fullLike,
  arange,
  linspace,
  eye,
  rand,
  randn,
  randint,
  uniform,
  normal,
  randLike,
  randnLike,
} from './creation.js';
export type { TensorOptions, RandomOptions } from './creation.js';
export { Generator, manualSeed, defaultGenerator } from './random.js';
export { tidy, keep, memory } from './memory.js';
export type { MemoryInfo, DeviceMemory } from './memory.js';
export { setDefaultDevice, getDefaultDevice, webgpuAvailable } from './device.js';
export { cat, stack, split, chunk } from './ops/join.js';
export { matmul } from './ops/linalg.js';
export { gather, indexSelect, scatterAdd } from './ops/indexing.js';
export { softmax, logSoftmax } from './ops/softmax.js';
export * from './functional.js';
export type { Operand, Scalar } from './ops/core.js';
export type { Dims, ReduceOptions, VarOptions } from './ops/reduce.js';
export { installAutograd } from './autogradHook.js';
export type { AutogradEngine, OpAttrs, OpInput } from './autogradHook.js';
