import { record } from '../autogradHook.js';
import type { View } from '../backend.js';
import { DtypeError, fail, fmtShape, ShapeError } from '../errors.js';
import { checkOptions } from '../options.js';
import { broadcastShapes, broadcastStrides } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { asTensor, backendOf, sameDevice, wrap } from './core.js';
import { expand, reshape, squeeze, unsqueeze } from './movement.js';

/** torch.matmul: dot, matrix-vector, matrix-matrix and broadcast batched products. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  asTensor('matmul', 'other', b);
  sameDevice('matmul', [a, b]);
  if (a.dtype !== b.dtype) {
    fail(
      'matmul',
      `expected both operands to have the same dtype, got ${a.dtype} and ${b.dtype}; convert one with .cast()`,
      DtypeError,
    );
  }
  if (a.dtype === 'bool') fail('matmul', 'not supported for bool tensors', DtypeError);
  if (a.ndim === 0 || b.ndim === 0) {
    fail(
      'matmul',
      `both arguments need at least 1 dimension, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}; use mul() for scalars`,
      ShapeError,
    );
  }
  const a2 = a.ndim === 1 ? unsqueeze(a, 0) : a;
  const b2 = b.ndim === 1 ? unsqueeze(b, 1) : b;
  const M = a2.shape[a2.ndim - 2]!;
  const K = a2.shape[a2.ndim - 1]!;
  const K2 = b2.shape[b2.ndim - 2]!;
  const N = b2.shape[b2.ndim - 1]!;
  if (K !== K2) {
    fail(
      'matmul',
      `shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} cannot be multiplied (${M}x${K} and ${K2}x${N})`,
      ShapeError,
    );
  }
  if (a2.ndim > 2 && b2.ndim === 2) {
    // As torch.matmul: a batch of rows times one matrix is one [batch·M, K] × [K, N] product, not a
    // batched product with b expanded (whose gradient for b would be batch copies summed).
    const lead = a2.shape.slice(0, -1);
    const rows = lead.reduce((x, y) => x * y, 1);
    const out = matmul(reshape(a2, [rows, K]), b2);
    return b.ndim === 1 ? reshape(out, lead) : reshape(out, [...lead, N]);
  }
  const batch = broadcastShapes('matmul', a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  const ae = expand(a2, [...batch, M, K]);
  const be = expand(b2, [...batch, K, N]);
  const backend = backendOf(a, 'matmul');
  const out = wrap(backend.matmul(ae, be, a.dtype), [...batch, M, N], a.dtype);
  record('matmul', [ae, be], out, {});
  let r = out;
  if (a.ndim === 1) r = squeeze(r, -2);
  if (b.ndim === 1) r = squeeze(r, -1);
  return r;
}

export interface AddmmOptions {
  /** Multiplier of `input` (default 1; 0 ignores input's values, NaN included, as PyTorch). */
  beta?: number;
  /** Multiplier of the product (default 1). */
  alpha?: number;
}

/**
 * torch.addmm: beta·input + alpha·(mat1 @ mat2), mat1 [M, K] and mat2 [K, N] matrices, input
 * broadcastable to [M, N] (a bias row [N], a column [M, 1], a scalar…). What nn.Linear and
 * GPT-2's Conv1D run: one op for autograd (AddmmBackward0) instead of a product and an add, and the
 * product's memory goes straight back to the pool. With beta = alpha = 1 the result has the same
 * bits as `mat1.matmul(mat2).add(input)`.
 */
export function addmm(input: Tensor, mat1: Tensor, mat2: Tensor, opts: AddmmOptions = {}): Tensor {
  asTensor('addmm', 'input', input);
  asTensor('addmm', 'mat1', mat1);
  asTensor('addmm', 'mat2', mat2);
  checkOptions('addmm', opts, ['beta', 'alpha']);
  const beta = opts.beta ?? 1;
  const alpha = opts.alpha ?? 1;
  for (const [name, v] of [
    ['beta', beta],
    ['alpha', alpha],
  ] as const) {
    if (typeof v !== 'number') fail('addmm', `${name} must be a number, got ${typeof v}`);
  }
  sameDevice('addmm', [input, mat1, mat2]);
  if (mat1.ndim !== 2 || mat2.ndim !== 2) {
    fail(
      'addmm',
      `mat1 and mat2 must be matrices (2-D), got shapes ${fmtShape(mat1.shape)} and ${fmtShape(mat2.shape)}; use matmul() for batched products`,
      ShapeError,
    );
  }
  const dtype = mat1.dtype;
  if (mat2.dtype !== dtype || input.dtype !== dtype) {
    fail(
      'addmm',
      `expected input, mat1 and mat2 to have the same dtype, got ${input.dtype}, ${dtype} and ${mat2.dtype}; convert with .cast()`,
      DtypeError,
    );
  }
  if (dtype === 'bool') fail('addmm', 'not supported for bool tensors', DtypeError);
  if (dtype === 'int32' && !(Number.isInteger(beta) && Number.isInteger(alpha)))
    fail('addmm', `beta and alpha must be integers for int32 tensors, got ${beta} and ${alpha}`);
  const [M, K] = mat1.shape as [number, number];
  const [K2, N] = mat2.shape as [number, number];
  if (K !== K2) {
    fail('addmm', `mat1 and mat2 shapes cannot be multiplied (${M}x${K} and ${K2}x${N})`, ShapeError);
  }
  const shape = [M, N];
  const fits = input.ndim <= 2 && input.shape.every((d, i) => d === 1 || d === shape[i + 2 - input.ndim]);
  if (!fits) {
    fail(
      'addmm',
      `input of shape ${fmtShape(input.shape)} does not broadcast to the product's shape [${M}, ${N}]`,
      ShapeError,
    );
  }
  input.assertAlive('addmm');
  mat2.assertAlive('addmm');
  const backend = backendOf(mat1, 'addmm');
  const mm = backend.matmul(mat1, mat2, dtype);
  const view = (storage: View['storage']): View => ({ storage, shape, strides: [N, 1], offset: 0, dtype });
  const scalar = (v: number): View => {
    const s = backend.scalar(v, dtype);
    return { storage: s, shape, strides: [0, 0], offset: 0, dtype };
  };
  const temps: View['storage'][] = [];
  let prod = view(mm);
  if (alpha !== 1) {
    const a = scalar(alpha);
    prod = view(backend.binary('mul', prod, a, dtype, dtype));
    temps.push(mm, a.storage);
  }
  let result = prod.storage;
  if (beta !== 0) {
    let term: View = {
      storage: input.storage,
      shape,
      strides: broadcastStrides(input.shape, input.strides, shape),
      offset: input.offset,
      dtype,
    };
    if (beta !== 1) {
      const s = scalar(beta);
      term = view(backend.binary('mul', term, s, dtype, dtype));
      temps.push(s.storage, term.storage);
    }
    result = backend.binary('add', prod, term, dtype, dtype);
    temps.push(prod.storage);
  }
  for (const t of temps) backend.release(t);
  const out = wrap(result, shape, dtype);
  if (dtype !== 'int32') record('addmm', [input, mat1, mat2], out, { beta, alpha });
  return out;
}
