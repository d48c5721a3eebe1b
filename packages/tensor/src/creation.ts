import type { RandomKind } from './backend.js';
import { checkDevice, cpuBackend, getBackend, getDefaultDevice } from './device.js';
import { type Device, type DType, isDType, isFloat, type TypedArray, typedArrayFor } from './dtype.js';
import { DtypeError, describe, fail, fmtShape, ShapeError } from './errors.js';
import { wrap } from './ops/core.js';
import { checkOptions } from './options.js';
import { defaultGenerator, type Generator } from './random.js';
import { checkShape, numel } from './shape.js';
import type { NestedArray } from './tensor.js';
import { Tensor } from './tensor.js';

export interface TensorOptions {
  dtype?: DType;
  device?: Device;
  requiresGrad?: boolean;
}

export interface RandomOptions extends TensorOptions {
  /** A Generator of your own; the default one is seeded by manualSeed(). */
  generator?: Generator;
}

type AnyTypedArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Uint32Array
  | Uint8ClampedArray;

const TENSOR_KEYS = ['dtype', 'device', 'requiresGrad'] as const;
const FROM_DATA_KEYS = [...TENSOR_KEYS, 'shape'] as const;
const RANDOM_KEYS = [...TENSOR_KEYS, 'generator'] as const;

function resolve(
  op: string,
  opts: TensorOptions | undefined,
  dflt: DType,
  valid: readonly string[] = TENSOR_KEYS,
): { dtype: DType; device: Device } {
  if (opts !== undefined && (opts === null || typeof opts !== 'object' || Array.isArray(opts))) {
    fail(op, `options must be an object like { dtype, device }, got ${describe(opts)}`);
  }
  checkOptions(op, opts, valid);
  const dtype = opts?.dtype ?? dflt;
  if (!isDType(dtype))
    fail(op, `dtype must be one of float32, float64, int32, bool; got ${JSON.stringify(dtype)}`, DtypeError);
  const device = opts?.device === undefined ? getDefaultDevice() : checkDevice(op, opts.device);
  return { dtype, device };
}

function finish(t: Tensor, opts: TensorOptions | undefined): Tensor {
  if (opts?.requiresGrad) t.requiresGrad = true;
  return t;
}

function fromHost(
  op: string,
  data: TypedArray,
  shape: readonly number[],
  dtype: DType,
  device: Device,
): Tensor {
  return wrap(getBackend(device, op).fromArray(data, dtype), shape, dtype);
}

function dtypeOfTyped(a: AnyTypedArray): DType | null {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  return null;
}

/**
 * torch.tensor: from a number, a boolean, nested arrays, or a TypedArray (with `shape`, default
 * 1-d). JS has no integer literals, so numbers become float32 unless `dtype` says otherwise;
 * booleans become bool; Int32Array/Float32Array/Float64Array keep their type.
 */
export function tensor(
  data: NestedArray | readonly NestedArray[] | AnyTypedArray | Tensor,
  opts?: TensorOptions & { shape?: readonly number[] },
): Tensor {
  if (data instanceof Tensor) {
    const { dtype, device } = resolve('tensor', opts, data.dtype, FROM_DATA_KEYS);
    return finish(data.detach().cast(dtype).to(device).clone(), opts);
  }
  if (ArrayBuffer.isView(data)) {
    const typed = data as AnyTypedArray;
    const inferred = dtypeOfTyped(typed);
    if (!inferred && opts?.dtype === undefined) {
      fail(
        'tensor',
        `a ${typed.constructor.name} needs an explicit dtype option ('float32', 'float64', 'int32' or 'bool')`,
      );
    }
    const { dtype, device } = resolve('tensor', opts, inferred ?? 'float32', FROM_DATA_KEYS);
    const shape = opts?.shape ? checkShape('tensor', 'shape', opts.shape) : [typed.length];
    if (numel(shape) !== typed.length) {
      fail(
        'tensor',
        `shape ${fmtShape(shape)} holds ${numel(shape)} elements but the data has ${typed.length}`,
        ShapeError,
      );
    }
    const host = typedArrayFor(dtype, typed.length);
    for (let i = 0; i < typed.length; i++) host[i] = checkValue('tensor', typed[i]!, dtype, `data[${i}]`);
    return finish(fromHost('tensor', host, shape, dtype, device), opts);
  }
  const shape: number[] = [];
  let allBool = true;
  const flat: number[] = [];
  const walk = (x: unknown, depth: number, path: string): void => {
    if (Array.isArray(x)) {
      if (depth === shape.length) shape.push(x.length);
      else if (depth > shape.length || shape[depth] !== x.length) {
        fail(
          'tensor',
          `ragged nested array: ${path} has length ${x.length}, expected ${shape[depth] ?? 'a number'} (all rows must have the same length)`,
          ShapeError,
        );
      }
      for (let i = 0; i < x.length; i++) walk(x[i], depth + 1, `${path}[${i}]`);
      return;
    }
    if (depth !== shape.length)
      fail('tensor', `ragged nested array: ${path} is a number where an array was expected`, ShapeError);
    if (typeof x === 'boolean') flat.push(x ? 1 : 0);
    else if (typeof x === 'number') {
      allBool = false;
      flat.push(x);
    } else fail('tensor', `expected numbers or booleans, got ${describe(x)} at ${path}`);
  };
  walk(data, 0, 'data');
  if (flat.length === 0) allBool = false;
  const { dtype, device } = resolve('tensor', opts, allBool ? 'bool' : 'float32', FROM_DATA_KEYS);
  const host = typedArrayFor(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) host[i] = checkValue('tensor', flat[i]!, dtype, `element ${i}`);
  if (opts?.shape) {
    const s = checkShape('tensor', 'shape', opts.shape);
    if (numel(s) !== flat.length)
      fail(
        'tensor',
        `shape ${fmtShape(s)} holds ${numel(s)} elements but the data has ${flat.length}`,
        ShapeError,
      );
    return finish(fromHost('tensor', host, s, dtype, device), opts);
  }
  return finish(fromHost('tensor', host, shape, dtype, device), opts);
}

/**
 * torch.from_numpy / torch.frombuffer: a cpu tensor over `data` itself, without a copy, so a write
 * through either shows in the other. Float32Array → float32, Float64Array → float64, Int32Array →
 * int32, Uint8Array → bool (its bytes must be 0 or 1; not checked, which would read them all).
 * `shape` defaults to [data.length]. The array stays the caller's: it is never recycled into the
 * pool (dispose() leaves it alone) nor moved into the WebAssembly kernels' memory.
 */
export function fromBuffer(
  data: Float32Array | Float64Array | Int32Array | Uint8Array,
  opts?: { shape?: readonly number[]; dtype?: DType },
): Tensor {
  const op = 'fromBuffer';
  checkOptions(op, opts, ['shape', 'dtype']);
  const dtype: DType | null =
    data instanceof Float32Array
      ? 'float32'
      : data instanceof Float64Array
        ? 'float64'
        : data instanceof Int32Array
          ? 'int32'
          : data instanceof Uint8Array
            ? 'bool'
            : null;
  if (dtype === null) {
    fail(
      op,
      `data must be a Float32Array, Float64Array, Int32Array or Uint8Array (bool), got ${ArrayBuffer.isView(data) ? (data as object).constructor.name : describe(data)}`,
    );
  }
  if (opts?.dtype !== undefined && opts.dtype !== dtype) {
    fail(
      op,
      `a ${data.constructor.name} holds ${dtype}, not ${describe(opts.dtype)}; a tensor of another dtype needs a copy: use tensor(data, { dtype })`,
    );
  }
  const shape = opts?.shape ? checkShape(op, 'shape', opts.shape) : [data.length];
  if (numel(shape) !== data.length) {
    fail(
      op,
      `shape ${fmtShape(shape)} holds ${numel(shape)} elements but the data has ${data.length}`,
      ShapeError,
    );
  }
  return wrap(cpuBackend().adopt(data, dtype), shape, dtype);
}

function checkValue(op: string, v: number, dtype: DType, where: string): number {
  if (dtype === 'int32' && (!Number.isInteger(v) || v < -2147483648 || v > 2147483647)) {
    fail(op, `dtype int32 needs integers in [-2^31, 2^31), got ${v} at ${where}`, DtypeError);
  }
  if (dtype === 'bool' && v !== 0 && v !== 1)
    fail(op, `dtype bool needs booleans or 0/1, got ${v} at ${where}`, DtypeError);
  return v;
}

function shapeOf(op: string, shape: unknown): number[] {
  if (typeof shape === 'number') return checkShape(op, 'shape', [shape]);
  return checkShape(op, 'shape', shape);
}

export function full(
  shape: readonly number[] | number,
  value: number | boolean,
  opts?: TensorOptions,
): Tensor {
  const s = shapeOf('full', shape);
  const { dtype, device } = resolve('full', opts, typeof value === 'boolean' ? 'bool' : 'float32');
  if (typeof value !== 'number' && typeof value !== 'boolean')
    fail('full', `fillValue must be a number or boolean, got ${describe(value)}`);
  const v = checkValue('full', Number(value), dtype === 'bool' ? 'float32' : dtype, 'fillValue');
  const storage = getBackend(device, 'full').fill(numel(s), dtype, v);
  if (v === 0) storage.zeroAtVersion = storage.version;
  return finish(wrap(storage, s, dtype), opts);
}

export function zeros(shape: readonly number[] | number, opts?: TensorOptions): Tensor {
  return full(shape, 0, { ...opts, dtype: opts?.dtype ?? 'float32' });
}

export function ones(shape: readonly number[] | number, opts?: TensorOptions): Tensor {
  return full(shape, 1, { ...opts, dtype: opts?.dtype ?? 'float32' });
}

function likeOpts(t: Tensor, opts?: TensorOptions): TensorOptions {
  return { dtype: t.dtype, device: t.device, ...opts };
}

export function zerosLike(t: Tensor, opts?: TensorOptions): Tensor {
  return zeros(t.shape, likeOpts(t, opts));
}
export function onesLike(t: Tensor, opts?: TensorOptions): Tensor {
  return ones(t.shape, likeOpts(t, opts));
}
export function fullLike(t: Tensor, value: number | boolean, opts?: TensorOptions): Tensor {
  return full(t.shape, value, likeOpts(t, opts));
}

/**
 * torch.arange: [start, end) by step. Integer arguments give int32 (PyTorch gives int64),
 * fractional ones float32.
 */
export function arange(
  start: number,
  end?: number | TensorOptions,
  step: number | TensorOptions = 1,
  opts?: TensorOptions,
): Tensor {
  // arange(end, opts) and arange(start, end, opts) read as in PyTorch's keyword form.
  if (typeof end === 'object' && end !== null) {
    opts = end;
    end = undefined;
  }
  if (typeof step === 'object' && step !== null) {
    opts = step;
    step = 1;
  }
  if (end === undefined) {
    end = start;
    start = 0;
  }
  for (const [name, v] of [
    ['start', start],
    ['end', end],
    ['step', step],
  ] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v))
      fail('arange', `${name} must be a finite number, got ${describe(v)}`);
  }
  if (step === 0) fail('arange', 'step must be non-zero');
  if ((end - start) / step < 0)
    fail('arange', `upper bound and step are inconsistent: start=${start}, end=${end}, step=${step}`);
  const ints = Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step);
  const { dtype, device } = resolve('arange', opts, ints ? 'int32' : 'float32');
  const size = Math.ceil((end - start) / step);
  return finish(wrap(getBackend(device, 'arange').arange(size, start, step, dtype), [size], dtype), opts);
}

/** torch.linspace: `steps` evenly spaced values from start to end inclusive (float32 by default). */
export function linspace(start: number, end: number, steps: number, opts?: TensorOptions): Tensor {
  if (!Number.isInteger(steps) || steps < 0)
    fail('linspace', `steps must be a non-negative integer, got ${steps}`);
  const { dtype, device } = resolve('linspace', opts, 'float32');
  const host = typedArrayFor(dtype, steps);
  if (steps === 1) host[0] = start;
  else if (steps > 1) {
    // PyTorch fills from both ends so that the last value is exactly `end`.
    const step = (end - start) / (steps - 1);
    const half = Math.floor(steps / 2);
    for (let i = 0; i < steps; i++) host[i] = i < half ? start + step * i : end - step * (steps - i - 1);
  }
  return finish(fromHost('linspace', host, [steps], dtype, device), opts);
}

export function eye(n: number, m: number = n, opts?: TensorOptions): Tensor {
  for (const [name, v] of [
    ['n', n],
    ['m', m],
  ] as const) {
    if (!Number.isInteger(v) || v < 0)
      fail('eye', `${name} must be a non-negative integer, got ${describe(v)}`);
  }
  const { dtype, device } = resolve('eye', opts, 'float32');
  const host = typedArrayFor(dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) host[i * m + i] = 1;
  return finish(fromHost('eye', host, [n, m], dtype, device), opts);
}

function random(
  op: string,
  kind: RandomKind,
  shape: readonly number[] | number,
  a: number,
  b: number,
  dflt: DType,
  opts?: RandomOptions,
): Tensor {
  const s = shapeOf(op, shape);
  const { dtype, device } = resolve(op, opts, dflt, RANDOM_KEYS);
  if (kind !== 'randint' && !isFloat(dtype))
    fail(op, `dtype must be float32 or float64, got ${dtype}`, DtypeError);
  if (kind === 'randint' && dtype !== 'int32' && !isFloat(dtype))
    fail(op, `dtype must be int32 or a float type, got ${dtype}`, DtypeError);
  const size = numel(s);
  const gen = opts?.generator ?? defaultGenerator;
  const { k0, k1, counter } = gen.take(size);
  return finish(
    wrap(getBackend(device, op).random(kind, size, dtype, { k0, k1, counter, a, b }), s, dtype),
    opts,
  );
}

/** Uniform on [0, 1). */
export function rand(shape: readonly number[] | number, opts?: RandomOptions): Tensor {
  return random('rand', 'uniform', shape, 0, 1, 'float32', opts);
}

/** Uniform on [low, high) (torch's `tensor.uniform_(low, high)`). */
export function uniform(
  shape: readonly number[] | number,
  low: number,
  high: number,
  opts?: RandomOptions,
): Tensor {
  if (!(low <= high)) fail('uniform', `low must be <= high, got low=${low}, high=${high}`);
  return random('uniform', 'uniform', shape, low, high, 'float32', opts);
}

/** Standard normal. */
export function randn(shape: readonly number[] | number, opts?: RandomOptions): Tensor {
  return random('randn', 'normal', shape, 0, 1, 'float32', opts);
}

/** Normal with the given mean and std (torch's `tensor.normal_(mean, std)`). */
export function normal(
  shape: readonly number[] | number,
  mean: number,
  std: number,
  opts?: RandomOptions,
): Tensor {
  if (!(std >= 0)) fail('normal', `std must be >= 0, got ${std}`);
  return random('normal', 'normal', shape, mean, std, 'float32', opts);
}

/** Integers uniform on [low, high) (int32 by default). */
export function randint(
  low: number,
  high: number,
  shape: readonly number[] | number,
  opts?: RandomOptions,
): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || low >= high || high - low > 2 ** 32) {
    fail('randint', `need integers low < high with high - low <= 2^32, got low=${low}, high=${high}`);
  }
  return random('randint', 'randint', shape, low, high, 'int32', opts);
}

export function randLike(t: Tensor, opts?: RandomOptions): Tensor {
  return rand(t.shape, { dtype: t.dtype, device: t.device, ...opts });
}
export function randnLike(t: Tensor, opts?: RandomOptions): Tensor {
  return randn(t.shape, { dtype: t.dtype, device: t.device, ...opts });
}
