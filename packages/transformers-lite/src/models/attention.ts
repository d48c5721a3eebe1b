import { F } from '@lumen/nn';
import {
  arange,
  checkOptions,
  type Generator,
  ShapeError,
  type Tensor,
  scaledDotProductAttention as tensorAttention,
  where,
} from '@lumen/tensor';
import { fail, fmtShape } from './errors.js';

/**
 * The value masked attention scores get: float32's lowest finite number, as transformers uses
 * (torch.finfo(float32).min), not -Infinity — a row whose keys are all masked (a padding query)
 * then softmaxes to finite numbers instead of NaN, and NaN never leaks into real positions.
 */
export const MASK_VALUE = -3.4028234663852886e38;

export interface EagerAttentionOptions {
  /**
   * Added to the scores when float (transformers' extended mask: 0 where attended, MASK_VALUE
   * where not), or a bool mask (true = attend). Broadcast against (B, nh, Tq, Tk).
   */
  attnMask?: Tensor | null;
  /** Queries attend only to keys at or before their own position. */
  isCausal?: boolean;
  /**
   * The position of the first query among the keys (default Tk − Tq: the queries are the last
   * positions). A static KV cache passes how many positions were cached before: keys after the
   * queries (unfilled cache slots) are then hidden by the causal mask.
   */
  queryOffset?: number;
  /** Multiplies the scores; default: divide by sqrt(head size). */
  scale?: number;
  /** Dropout on the attention probabilities (only when `training`). */
  dropoutP?: number;
  training?: boolean;
  generator?: Generator;
}

/**
 * softmax(q·kᵀ / sqrt(hs) + mask) · v for q (B, nh, Tq, hs) and k, v (B, nh, Tk, hs), as
 * transformers' eager attention computes it. This one function is where every BERT and GPT-2
 * layer does attention. Without attention dropout it hands the work to @lumen/tensor's
 * scaledDotProductAttention (one fused kernel on webgpu when nothing needs gradients: generation
 * and inference never materialise the (Tq, Tk) scores), with the causal and padding masks folded
 * into one additive mask of transformers' values. With dropout (training) it stays the composite.
 */
export function eagerAttention(q: Tensor, k: Tensor, v: Tensor, options: EagerAttentionOptions = {}): Tensor {
  checkOptions('eagerAttention', options, [
    'attnMask',
    'isCausal',
    'queryOffset',
    'scale',
    'dropoutP',
    'training',
    'generator',
  ]);
  if (q.ndim !== 4 || k.ndim !== 4 || v.ndim !== 4)
    fail(
      'eagerAttention',
      `q, k and v must be 4-d (batch, heads, length, headSize), got ${fmtShape(q.shape)}, ${fmtShape(k.shape)}, ${fmtShape(v.shape)}`,
    );
  const hs = q.shape[3]!;
  const tq = q.shape[2]!;
  const tk = k.shape[2]!;
  const attnMask = combinedMask(options, tq, tk, q.device);
  const scale = options.scale ?? 1 / Math.sqrt(hs);
  if (!(options.dropoutP && options.training)) return tensorAttention(q, k, v, { attnMask, scale });
  // Attention dropout sits between the softmax and the weighted sum, so training with it is the composite.
  let scores = q.matmul(k.mT); // (B, nh, Tq, Tk)
  scores = options.scale === undefined ? scores.div(Math.sqrt(hs)) : scores.mul(scale); // as transformers
  if (attnMask) scores = scores.add(attnMask);
  const probs = F.dropout(scores.softmax(-1), {
    p: options.dropoutP,
    training: true,
    generator: options.generator,
  });
  return probs.matmul(v); // (B, nh, Tq, hs)
}

/**
 * The causal and padding masks as one additive float mask with transformers' values: scores it
 * hides get MASK_VALUE (MASK_VALUE + MASK_VALUE = -Infinity where a padding key is also in the
 * future, exactly as transformers' where-then-add gives).
 */
function combinedMask(
  options: EagerAttentionOptions,
  tq: number,
  tk: number,
  device: Tensor['device'],
): Tensor | null {
  let mask = options.attnMask ?? null;
  if (mask && mask.dtype === 'bool') mask = mask.logicalNot().float().mul(MASK_VALUE);
  if (!options.isCausal) return mask;
  const causal = causalMask(tq, tk, device, options.queryOffset); // (Tq, Tk)
  return mask ? where(causal, mask, mask.add(MASK_VALUE)) : causal.logicalNot().float().mul(MASK_VALUE);
}

/** (Tq, Tk) bool: query i (at position offset + i) may see key j when j ≤ offset + i. */
export function causalMask(tq: number, tk: number, device: Tensor['device'], offset = tk - tq): Tensor {
  if (!Number.isInteger(offset) || offset < 0 || offset + tq > tk)
    fail('causalMask', `${tq} queries from position ${offset} do not fit in ${tk} keys`);
  const keys = arange(0, tk, 1, { dtype: 'int32', device }).reshape([1, tk]);
  const queries = arange(offset, offset + tq, 1, { dtype: 'int32', device }).reshape([tq, 1]);
  return keys.le(queries);
}

/**
 * A padding mask (B, Tk) of 1 = token, 0 = padding (int, float or bool) → transformers' additive
 * (B, 1, 1, Tk) float mask: 0 where attended, MASK_VALUE where padded.
 */
export function extendedAttentionMask(mask: Tensor, where: string): Tensor {
  if (mask.ndim !== 2)
    fail(where, `attentionMask must be 2-d (batch, length), got ${fmtShape(mask.shape)}`, ShapeError);
  const [b, t] = mask.shape as [number, number];
  return mask.float().neg().add(1).mul(MASK_VALUE).reshape([b, 1, 1, t]);
}
