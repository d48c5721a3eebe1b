import { record } from '../autogradHook.js';
import { isFloat } from '../dtype.js';
import { DeviceError, DtypeError, fail, fmtShape, ShapeError } from '../errors.js';
import { isContiguous } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { backendOf, wrap } from './core.js';

const contiguous = (t: Tensor) => (isContiguous(t.shape, t.strides) ? t : t.contiguous());

/**
 * Elementwise binary cross-entropy of logits: (1 − y)·x + log(1 + e^−x), computed stably
 * (max(−x, 0) + log1p(e^−|x|)) — F.binary_cross_entropy_with_logits(…, reduction='none') without
 * weights, the part nn's loss builds on. `target` must have the input's shape and dtype.
 *
 * On a backend with the fused kernel (cpu) it is one op, BinaryCrossEntropyWithLogitsBackward0:
 * one pass forward and one backward (dx = g·(sigmoid(x) − y), dy = −g·x) instead of the six ops of
 * the composite and their derivatives — for a small classifier most of a training step's op count.
 * Other backends run the composite.
 */
export function bceWithLogits(input: Tensor, target: Tensor): Tensor {
  const op = 'bceWithLogits';
  if (target.device !== input.device)
    fail(op, `target is on ${target.device} but input is on ${input.device}`, DeviceError);
  if (!isFloat(input.dtype) || target.dtype !== input.dtype)
    fail(
      op,
      `input and target must have the same float dtype, got ${input.dtype} and ${target.dtype}`,
      DtypeError,
    );
  if (input.ndim !== target.ndim || input.shape.some((d, i) => d !== target.shape[i]))
    fail(
      op,
      `target must have the input's shape ${fmtShape(input.shape)}, got ${fmtShape(target.shape)}`,
      ShapeError,
    );
  const b = backendOf(input, op);
  if (b.bceWithLogits === undefined || input.size === 0) {
    // softplus(−x) = log(1 + e^−x), stable, with the right gradient at x = 0
    return target.neg().add(1).mul(input).add(input.neg().softplus());
  }
  target.assertAlive(op);
  const out = wrap(b.bceWithLogits(contiguous(input), contiguous(target), input.size), input.shape);
  record('bceWithLogits', [input, target], out, {});
  return out;
}

/**
 * bceWithLogits' gradients on the fused kernel: dx = g·(sigmoid(x) − y) and, when `wantTarget`,
 * dy = −g·x (null otherwise), all of the input's shape.
 */
export function bceWithLogitsBackward(
  g: Tensor,
  input: Tensor,
  target: Tensor,
  wantTarget: boolean,
): { dx: Tensor; dtarget: Tensor | null } {
  const b = backendOf(input, 'bceWithLogitsBackward');
  if (!b.bceWithLogitsBackward)
    fail('bceWithLogitsBackward', `no fused kernel on ${input.device}`, DeviceError);
  const r = b.bceWithLogitsBackward(
    contiguous(g),
    contiguous(input),
    contiguous(target),
    input.size,
    wantTarget,
  );
  return { dx: wrap(r.dx, input.shape), dtarget: r.dtarget ? wrap(r.dtarget, input.shape) : null };
}
