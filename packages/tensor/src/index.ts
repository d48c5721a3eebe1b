export type { AutogradEngine, OpAttrs, OpInput } from './autogradHook.js';
export { installAutograd } from './autogradHook.js';
export type { MatrixLayout } from './backends/cpu/lowlevel.js';
export { centerColumns, gemm, lloydStep, syrk } from './backends/cpu/lowlevel.js';
export { getNumThreads, setNumThreads } from './backends/cpu/threads.js';
export { kernelArray, releaseKernelArray } from './backends/cpu/wasm/resident.js';
export type { KernelMode } from './backends/cpu/wasm/runtime.js';
export { cpuKernels, cpuKernelsReady } from './backends/cpu/wasm/runtime.js';
export type { InitWebGPUOptions, WebGPUAdapterInfo } from './backends/webgpu/init.js';
export {
  destroyWebGPU,
  initWebGPU,
  syncWebGPU,
  webgpuAdapterInfo,
  webgpuPoolStats,
  webgpuUnavailableReason,
} from './backends/webgpu/init.js';
export type { RandomOptions, TensorOptions } from './creation.js';
export {
  arange,
  eye,
  fromBuffer,
  full,
  fullLike,
  linspace,
  normal,
  ones,
  onesLike,
  rand,
  randint,
  randLike,
  randn,
  randnLike,
  tensor,
  uniform,
  zeros,
  zerosLike,
} from './creation.js';
export { getDefaultDevice, setDefaultDevice, webgpuAvailable } from './device.js';
export type { Device, DType, TypedArray } from './dtype.js';
export { isFloat, promoteTypes } from './dtype.js';
export {
  ArgumentError,
  DESCRIBE_MAX,
  DeviceError,
  DtypeError,
  describe,
  FileFormatError,
  fail,
  LumenError,
  type LumenErrorClass,
  NotFittedError,
  preview,
  ShapeError,
} from './errors.js';
export * from './functional.js';
export type { DeviceMemory, MemoryInfo } from './memory.js';
export { keep, memory, tidy } from './memory.js';
export type { AttentionOptions } from './ops/attention.js';
export { scaledDotProductAttention } from './ops/attention.js';
export { bceWithLogits, bceWithLogitsBackward } from './ops/bceWithLogits.js';
export type { Operand, Scalar } from './ops/core.js';
export { crossEntropyRows, crossEntropyRowsBackward } from './ops/crossEntropy.js';
export { gather, indexSelect, scatterAdd } from './ops/indexing.js';
export type { AdamStepOptions, SGDStepOptions } from './ops/inplace.js';
export { adamStep, copy_, sgdStep } from './ops/inplace.js';
export { cat, chunk, split, stack } from './ops/join.js';
export { layerNorm, layerNormBackward } from './ops/layerNorm.js';
export type { AddmmOptions } from './ops/linalg.js';
export { addmm, matmul } from './ops/linalg.js';
export type { Dims, ReduceOptions, VarOptions } from './ops/reduce.js';
export type {
  AttrsOf,
  ExtremeAttrs,
  NoAttrs,
  OpAttrMap,
  OpName,
  PlainBinaryOp,
  PlainUnaryOp,
  ReduceAttrs,
} from './ops/registry.js';
export { logSoftmax, softmax } from './ops/softmax.js';
export { tril, triu } from './ops/triangular.js';
export { camelCaseOption, checkOptions, suggestOption } from './options.js';
export { defaultGenerator, Generator, manualSeed } from './random.js';
export type { GradFn, NestedArray } from './tensor.js';
export { Tensor } from './tensor.js';
export {
  LumenWarningError,
  resetWarnings,
  setWarningHandler,
  simpleFilter,
  WARNING_CATEGORIES,
  type WarningAction,
  type WarningCategory,
  type WarningHandler,
  warn,
} from './warnings.js';
