import type { View } from '../backend.js';
import { ones } from '../creation.js';
import { isFloat } from '../dtype.js';
import { DtypeError, fail, fmtShape, ShapeError } from '../errors.js';
import { checkOptions } from '../options.js';
import { broadcastShapes, broadcastStrides } from '../shape.js';
import { Tensor } from '../tensor.js';
import { backendOf, sameDevice, wrap } from './core.js';
import { where } from './elementwise.js';
import { expand } from './movement.js';

export interface AttentionOptions {
  /**
   * Broadcastable to [..., L, S]. bool: true = may attend (PyTorch's convention); float: added to
   * the scores (use -Infinity to block).
   */
  attnMask?: Tensor | null;
  /** Causal mask aligned top-left, as PyTorch's is_causal (query i sees keys j <= i). */
  isCausal?: boolean;
  /** Defaults to 1/sqrt(E). */
  scale?: number;
}

/** Head dims up to this size take the fused webgpu kernel. */
export const FUSED_MAX_DIM = 256;

/**
 * torch.nn.functional.scaled_dot_product_attention: softmax(q·kᵀ·scale + mask)·v.
 * q: [..., L, E], k: [..., S, E], v: [..., S, Ev] (batch dims broadcast).
 *
 * On webgpu, when no input requires grad (inference, generation), one fused kernel computes each
 * output row with an online softmax and never materialises the [L, S] scores. Otherwise (and on
 * cpu) it is the composite of matmul, mask, softmax and matmul, which autograd differentiates.
 */
export function scaledDotProductAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  opts: AttentionOptions = {},
): Tensor {
  const op = 'scaledDotProductAttention';
  checkOptions(op, opts, ['attnMask', 'isCausal', 'scale']);
  for (const [name, t] of [
    ['query', q],
    ['key', k],
    ['value', v],
  ] as const) {
    if (!(t instanceof Tensor)) fail(op, `${name} must be a Tensor, got ${typeof t}`);
    if (!isFloat(t.dtype)) fail(op, `${name} must be a float tensor, got ${t.dtype}`, DtypeError);
    if (t.ndim < 2)
      fail(op, `${name} needs at least 2 dims ([..., length, dim]), got ${fmtShape(t.shape)}`, ShapeError);
  }
  const mask = opts.attnMask ?? null;
  sameDevice(op, mask ? [q, k, v, mask] : [q, k, v]);
  if (q.dtype !== k.dtype || q.dtype !== v.dtype)
    fail(op, `query, key and value must share a dtype, got ${q.dtype}, ${k.dtype}, ${v.dtype}`, DtypeError);
  const L = q.shape[q.ndim - 2]!;
  const E = q.shape[q.ndim - 1]!;
  const S = k.shape[k.ndim - 2]!;
  const Ev = v.shape[v.ndim - 1]!;
  if (k.shape[k.ndim - 1] !== E)
    fail(op, `key's last dim must equal query's (${E}), got key ${fmtShape(k.shape)}`, ShapeError);
  if (v.shape[v.ndim - 2] !== S)
    fail(op, `value must have as many rows as key (${S}), got value ${fmtShape(v.shape)}`, ShapeError);
  const batch = broadcastShapes(
    op,
    broadcastShapes(op, q.shape.slice(0, -2), k.shape.slice(0, -2)),
    v.shape.slice(0, -2),
  );
  if (mask && mask.dtype !== 'bool' && mask.dtype !== q.dtype) {
    fail(op, `attnMask must be bool or ${q.dtype}, got ${mask.dtype}`, DtypeError);
  }
  if (mask && opts.isCausal) fail(op, 'pass either attnMask or isCausal, not both (as PyTorch)');
  const scale = opts.scale ?? 1 / Math.sqrt(E);
  const fullShape = [...batch, L, S];
  if (mask) broadcastShapes(op, mask.shape, fullShape);

  const needsGrad = q.requiresGrad || k.requiresGrad || v.requiresGrad || (mask?.requiresGrad ?? false);
  const backend = backendOf(q, op);
  if (!needsGrad && backend.attention && Math.max(E, Ev) <= FUSED_MAX_DIM) {
    const outShape = [...batch, L, Ev];
    const qv: View = {
      ...viewOf(q),
      shape: [...batch, L, E],
      strides: broadcastStrides(q.shape, q.strides, [...batch, L, E]),
    };
    const kv: View = {
      ...viewOf(k),
      shape: [...batch, S, E],
      strides: broadcastStrides(k.shape, k.strides, [...batch, S, E]),
    };
    const vv: View = {
      ...viewOf(v),
      shape: [...batch, S, Ev],
      strides: broadcastStrides(v.shape, v.strides, [...batch, S, Ev]),
    };
    const mv: View | null = mask
      ? { ...viewOf(mask), shape: fullShape, strides: broadcastStrides(mask.shape, mask.strides, fullShape) }
      : null;
    const fused = backend.attention(qv, kv, vv, mv, { scale, causal: opts.isCausal ?? false });
    // null: the backend cannot take these operands in one kernel (larger than a binding may be).
    if (fused) return wrap(fused, outShape, q.dtype);
  }

  let scores = q.matmul(k.mT).mul(scale);
  if (opts.isCausal) {
    const causal = ones([L, S], { dtype: 'bool', device: q.device }).tril();
    scores = where(causal, scores, Number.NEGATIVE_INFINITY);
  } else if (mask) {
    scores =
      mask.dtype === 'bool'
        ? where(expand(mask, scores.shape), scores, Number.NEGATIVE_INFINITY)
        : scores.add(mask);
  }
  return scores.softmax(-1).matmul(v);
}

function viewOf(t: Tensor): View {
  t.assertAlive('scaledDotProductAttention');
  return { storage: t.storage, shape: t.shape, strides: t.strides, offset: t.offset, dtype: t.dtype };
}
