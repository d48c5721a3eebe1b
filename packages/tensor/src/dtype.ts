/** Element types a Tensor can hold. `float64` exists on cpu only (WGSL has no f64). */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';
export type Device = 'cpu' | 'webgpu';

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];
export const DEVICES: readonly Device[] = ['cpu', 'webgpu'];

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;
export type TypedArrayFor<D extends DType> = D extends 'float32'
  ? Float32Array
  : D extends 'float64'
    ? Float64Array
    : D extends 'int32'
      ? Int32Array
      : Uint8Array;

/** Bytes per element in host (cpu) memory. On webgpu, bool is stored as u32. */
export function itemSize(dtype: DType): number {
  switch (dtype) {
    case 'float64':
      return 8;
    case 'bool':
      return 1;
    default:
      return 4;
  }
}

export function typedArrayFor(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(size);
    case 'float64':
      return new Float64Array(size);
    case 'int32':
      return new Int32Array(size);
    case 'bool':
      return new Uint8Array(size);
  }
}

export function isFloat(d: DType): boolean {
  return d === 'float32' || d === 'float64';
}

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

export function isDevice(x: unknown): x is Device {
  return typeof x === 'string' && (DEVICES as readonly string[]).includes(x);
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** PyTorch's promotion between two tensors (int32 standing in for int64). */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * Promotion of a tensor with a JS number, as PyTorch treats a Python scalar: the scalar only
 * moves the result up a category (bool → int → float), never widens within one.
 */
export function promoteWithScalar(t: DType, value: number | boolean): DType {
  if (typeof value === 'boolean') return t;
  if (isFloat(t)) return t;
  if (!Number.isInteger(value)) return 'float32';
  return t === 'bool' ? 'int32' : t;
}

/** The dtype a float-only op (exp, sqrt, division…) computes in: ints and bools go to float32. */
export function toFloat(d: DType): DType {
  return isFloat(d) ? d : 'float32';
}
