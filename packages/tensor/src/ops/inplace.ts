import { autogradEngine } from '../autogradHook.js';
import { ADAM_SCALARS, SGD_SCALARS, type View } from '../backend.js';
import { isFloat } from '../dtype.js';
import { DtypeError, fail, fmtShape, ShapeError } from '../errors.js';
import { broadcastStrides } from '../shape.js';
import { Tensor } from '../tensor.js';
import { backendOf, sameDevice } from './core.js';
import { cast } from './elementwise.js';

/**
 * The only ops that write into existing tensors: `copy_` and the fused optimizer steps. Tensors
 * are otherwise immutable, so these guard what PyTorch guards: no writes into a tensor that
 * autograd may still need (a non-leaf, or a leaf that requires grad while grad mode is on).
 */
function checkWritable(op: string, t: Tensor, arg: string): void {
  t.assertAlive(op);
  if (!t.isLeaf)
    fail(op, `${arg} is the result of a recorded op; in-place writes are only allowed on leaf tensors`);
  if (t.requiresGrad && autogradEngine()?.isGradEnabled?.()) {
    fail(op, `${arg} requires grad and grad mode is on; do in-place updates inside noGrad(() => ...)`);
  }
}

/** Writes src (broadcast, cast to dst's dtype) into dst's memory; returns dst (torch's copy_). */
export function copy_(dst: Tensor, src: Tensor | number): Tensor {
  checkWritable('copy_', dst, 'self');
  const b = backendOf(dst, 'copy_');
  let view: View;
  let temp = null;
  if (typeof src === 'number') {
    temp = b.scalar(src, dst.dtype);
    view = { storage: temp, shape: dst.shape, strides: dst.shape.map(() => 0), offset: 0, dtype: dst.dtype };
  } else {
    if (!(src instanceof Tensor)) fail('copy_', `src must be a Tensor or a number, got ${typeof src}`);
    sameDevice('copy_', [dst, src]);
    const s = src.dtype === dst.dtype ? src : cast(src, dst.dtype);
    if (s.ndim > dst.ndim || s.shape.some((d, i) => d !== 1 && d !== dst.shape[dst.ndim - s.ndim + i])) {
      fail(
        'copy_',
        `src of shape ${fmtShape(src.shape)} cannot be broadcast to self's shape ${fmtShape(dst.shape)}`,
        ShapeError,
      );
    }
    s.assertAlive('copy_');
    view = {
      storage: s.storage,
      shape: dst.shape,
      strides: broadcastStrides(s.shape, s.strides, dst.shape),
      offset: s.offset,
      dtype: dst.dtype,
    };
  }
  b.assign(dst, view);
  if (temp) b.release(temp);
  dst.storage.version++;
  return dst;
}

function checkState(op: string, param: Tensor, named: Record<string, Tensor | null | undefined>): Tensor[] {
  const out: Tensor[] = [param];
  if (!isFloat(param.dtype)) fail(op, `param must be a float tensor, got ${param.dtype}`, DtypeError);
  if (!param.isContiguous()) fail(op, 'param must be contiguous');
  for (const [name, t] of Object.entries(named)) {
    if (!t) continue;
    if (!(t instanceof Tensor)) fail(op, `${name} must be a Tensor, got ${typeof t}`);
    sameDevice(op, [param, t]);
    if (t.dtype !== param.dtype)
      fail(op, `${name} has dtype ${t.dtype}, param has ${param.dtype}`, DtypeError);
    if (t.shape.length !== param.shape.length || t.shape.some((d, i) => d !== param.shape[i])) {
      fail(op, `${name} has shape ${fmtShape(t.shape)}, param has ${fmtShape(param.shape)}`, ShapeError);
    }
    if (!t.isContiguous()) fail(op, `${name} must be contiguous`);
    t.assertAlive(op);
    if (name !== 'grad' && t.storage === param.storage) fail(op, `${name} shares memory with param`);
    out.push(t);
  }
  return out;
}

export interface AdamStepOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** AdamW: decay the weights directly instead of adding weightDecay·param to the gradient. */
  decoupled: boolean;
  /** 1 for the first step. */
  step: number;
  maximize?: boolean;
  /** Pass maxExpAvgSq to use AMSGrad. */
  maxExpAvgSq?: Tensor | null;
}

/**
 * One Adam/AdamW step for one parameter, in place: param, expAvg and expAvgSq (and maxExpAvgSq)
 * are updated by a single kernel, with PyTorch 1.13's formulas.
 */
export function adamStep(
  param: Tensor,
  grad: Tensor,
  expAvg: Tensor,
  expAvgSq: Tensor,
  o: AdamStepOptions,
): void {
  checkWritable('adamStep', param, 'param');
  const views = checkState('adamStep', param, { grad, expAvg, expAvgSq, maxExpAvgSq: o.maxExpAvgSq });
  if (!(o.step >= 1)) fail('adamStep', `step must be >= 1, got ${o.step}`);
  const bc1 = 1 - o.beta1 ** o.step;
  const values: Record<(typeof ADAM_SCALARS)[number], number> = {
    beta1: o.beta1,
    beta2: o.beta2,
    eps: o.eps,
    l2: o.decoupled ? 0 : o.weightDecay,
    decay: o.decoupled ? 1 - o.lr * o.weightDecay : 1,
    stepSize: o.lr / bc1,
    bc2Sqrt: Math.sqrt(1 - o.beta2 ** o.step),
    maximize: o.maximize ? 1 : 0,
    amsgrad: o.maxExpAvgSq ? 1 : 0,
  };
  backendOf(param, 'adamStep').fusedUpdate(
    'adam',
    views,
    ADAM_SCALARS.map((k) => values[k]),
  );
  for (const t of views) if (t !== grad) t.storage.version++;
}

export interface SGDStepOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize?: boolean;
  /** True on the first step: the momentum buffer is set to the gradient instead of decayed. */
  first: boolean;
}

/** One SGD step for one parameter (with optional momentum buffer), in place, one kernel. */
export function sgdStep(param: Tensor, grad: Tensor, momentumBuffer: Tensor | null, o: SGDStepOptions): void {
  checkWritable('sgdStep', param, 'param');
  const views = checkState('sgdStep', param, { grad, momentumBuffer });
  const values: Record<(typeof SGD_SCALARS)[number], number> = {
    lr: o.lr,
    momentum: o.momentum,
    dampening: o.dampening,
    weightDecay: o.weightDecay,
    nesterov: o.nesterov ? 1 : 0,
    maximize: o.maximize ? 1 : 0,
    first: o.first ? 1 : 0,
    hasBuffer: momentumBuffer ? 1 : 0,
  };
  backendOf(param, 'sgdStep').fusedUpdate(
    'sgd',
    views,
    SGD_SCALARS.map((k) => values[k]),
  );
  for (const t of views) if (t !== grad) t.storage.version++;
}
