import { record } from '../autogradHook.js';
import { fail, fmtShape } from '../errors.js';
import { broadcastShapes } from '../shape.js';
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
    );
  }
  if (a.dtype === 'bool') fail('matmul', 'not supported for bool tensors');
  if (a.ndim === 0 || b.ndim === 0) {
    fail(
      'matmul',
      `both arguments need at least 1 dimension, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}; use mul() for scalars`,
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
