import { record } from '../autogradHook.js';
import { isFloat } from '../dtype.js';
import { DtypeError, fail } from '../errors.js';
import { contiguousStrides, isContiguous, normalizeDim } from '../shape.js';
import { Tensor } from '../tensor.js';
import { backendOf } from './core.js';
import { cast } from './elementwise.js';

/** Fused, numerically stable (log-)softmax along dim: one kernel, one op for autograd. */
function softmaxImpl(x: Tensor, dim: number, log: boolean): Tensor {
  const op = log ? 'logSoftmax' : 'softmax';
  if (x.dtype === 'bool') fail(op, 'not supported for bool tensors', DtypeError);
  const xf = isFloat(x.dtype) ? x : cast(x, 'float32');
  const b = backendOf(xf, op);
  const nd = Math.max(xf.ndim, 1);
  const d = normalizeDim(op, dim, xf.ndim);
  // Move dim last; copy only when that layout is not already contiguous.
  const order = [...Array.from({ length: nd }, (_, i) => i).filter((i) => i !== d), d].slice(0, xf.ndim);
  const pShape = order.map((i) => xf.shape[i]!);
  const pStrides = order.map((i) => xf.strides[i]!);
  const cols = xf.ndim === 0 ? 1 : xf.shape[d]!;
  const rows = cols === 0 ? 0 : xf.size / cols;
  let src = { storage: xf.storage, shape: pShape, strides: pStrides, offset: xf.offset, dtype: xf.dtype };
  let temp = null;
  if (!isContiguous(pShape, pStrides)) {
    temp = b.unary('identity', src, xf.dtype, xf.dtype);
    src = { storage: temp, shape: pShape, strides: contiguousStrides(pShape), offset: 0, dtype: xf.dtype };
  }
  const storage = b.softmax(src, rows, cols, log);
  if (temp) b.release(temp);
  // Result is laid out in the permuted order; view it back in x's dim order.
  const cs = contiguousStrides(pShape);
  const strides = new Array<number>(xf.ndim);
  order.forEach((orig, k) => {
    strides[orig] = cs[k]!;
  });
  const out = new Tensor(storage, xf.shape.slice(), strides, 0, xf.dtype);
  record(op, [xf], out, { dim: d });
  return out;
}

export function softmax(x: Tensor, dim: number): Tensor {
  return softmaxImpl(x, dim, false);
}

export function logSoftmax(x: Tensor, dim: number): Tensor {
  return softmaxImpl(x, dim, true);
}
