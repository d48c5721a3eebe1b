import { record } from '../autogradHook.js';
import { isFloat } from '../dtype.js';
import { DeviceError, DtypeError, fail, ShapeError } from '../errors.js';
import { isContiguous } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { backendOf, wrap } from './core.js';
import { where } from './elementwise.js';

/**
 * Per-row cross-entropy of logits [N, C] against class indices [N] (int32): −log softmax(x_n)[t_n],
 * and 0 where t_n is `ignoreIndex` — F.cross_entropy(…, reduction='none') for index targets, the
 * part that touches the N×C logits (weights, label smoothing and the reduction are the caller's).
 *
 * On a backend with the fused kernel (cpu) it is one op: the forward keeps only each row's max and
 * log-sum-exp, and the backward writes g·(softmax − onehot) in one pass, where the composite
 * (logSoftmax, gather, and their derivatives) makes four N×C temporaries each step — for a language
 * model's vocabulary the largest arrays of a training step. Other backends run the composite.
 */
export function crossEntropyRows(logits: Tensor, target: Tensor, ignoreIndex = -100): Tensor {
  const op = 'crossEntropyRows';
  if (logits.ndim !== 2)
    fail(op, `logits must be 2-d [N, C], got shape [${logits.shape.join(', ')}]`, ShapeError);
  if (target.dtype !== 'int32')
    fail(
      op,
      `target must hold class indices as an int32 tensor, got ${target.dtype}; convert with .int()`,
      DtypeError,
    );
  const [rows, cols] = logits.shape as [number, number];
  if (target.ndim !== 1 || target.shape[0] !== rows)
    fail(
      op,
      `target must have shape [${rows}] (one class index per row of logits), got [${target.shape.join(', ')}]`,
      ShapeError,
    );
  if (!Number.isInteger(ignoreIndex)) fail(op, `ignoreIndex must be an integer, got ${String(ignoreIndex)}`);
  if (target.device !== logits.device)
    fail(op, `target is on ${target.device} but logits are on ${logits.device}`, DeviceError);
  const b = backendOf(logits, op);
  if (b.crossEntropy === undefined || !isFloat(logits.dtype) || rows === 0 || cols === 0) {
    const valid = target.ne(ignoreIndex);
    const safe = where(valid, target, 0);
    const picked = logits.logSoftmax(1).gather(1, safe.unsqueeze(1)).squeeze(1);
    return where(valid, picked.neg(), 0);
  }
  const t = target.dataSync();
  for (let i = 0; i < t.length; i++) {
    const v = t[i]!;
    if (v !== ignoreIndex && (v < 0 || v >= cols))
      fail(op, `target[${i}] = ${v} is not a class index in [0, ${cols}) nor ignoreIndex (${ignoreIndex})`);
  }
  const x = isContiguous(logits.shape, logits.strides) ? logits : logits.contiguous();
  const tc = isContiguous(target.shape, target.strides) ? target : target.contiguous();
  const { loss, stats } = b.crossEntropy(x, tc, rows, cols, ignoreIndex);
  const out = wrap(loss, [rows]);
  record('crossEntropyRows', [logits], out, { target: tc, ignoreIndex, stats: wrap(stats, [rows, 2]) });
  return out;
}

/**
 * The derivative of crossEntropyRows for autograd: d logits = g_n·(softmax(x_n) − onehot(t_n)),
 * rows of zeros where t_n is ignoreIndex; `stats` are the forward's per-row max and log-sum-exp.
 */
export function crossEntropyRowsBackward(
  g: Tensor,
  logits: Tensor,
  target: Tensor,
  stats: Tensor,
  ignoreIndex: number,
): Tensor {
  const b = backendOf(logits, 'crossEntropyRowsBackward');
  if (!b.crossEntropyBackward)
    fail('crossEntropyRowsBackward', `no fused kernel on ${logits.device}`, DeviceError);
  const [rows, cols] = logits.shape as [number, number];
  const c = (t: Tensor) => (isContiguous(t.shape, t.strides) ? t : t.contiguous());
  return wrap(b.crossEntropyBackward(c(logits), c(target), c(stats), c(g), rows, cols, ignoreIndex), [
    rows,
    cols,
  ]);
}
