import type { Tensor, TypedArray } from '@lumen/tensor';
import { fail, fmtShape } from '../errors.js';
import { Parameter } from './parameter.js';

/**
 * Writing new values into a parameter. PyTorch does it in place (`param.copy_()`, optimizer
 * updates), so every holder of the tensor — module, optimizer, user code — sees them.
 *
 * @lumen/tensor has no public in-place primitive yet. On cpu a storage is host memory and is written
 * directly. On other devices the parameter is replaced by a new tensor in every module slot that
 * holds it (modules report their parameters here when they list them) and the caller (an
 * optimizer) swaps its own reference; code that kept the old tensor sees old values. When tensor
 * gains an in-place copy (or a fused optimizer kernel), `assignParameter` becomes one call to it.
 */

/** Modules whose own properties hold each parameter. */
const OWNERS = new WeakMap<Tensor, Set<object>>();

export function noteOwner(param: Tensor, module: object): void {
  let set = OWNERS.get(param);
  if (!set) OWNERS.set(param, (set = new Set()));
  set.add(module);
}

function checkShape(op: string, target: Tensor, source: Tensor): void {
  if (source.shape.length !== target.shape.length || source.shape.some((d, i) => d !== target.shape[i])) {
    fail(
      op,
      `cannot copy a tensor of shape ${fmtShape(source.shape)} into one of shape ${fmtShape(target.shape)}`,
    );
  }
}

/** Writes source's values into target's own memory; cpu only. */
export function copyInto(op: string, target: Tensor, source: Tensor): void {
  checkShape(op, target, source);
  if (target.device !== 'cpu') {
    fail(
      op,
      `writing into a ${target.device} tensor in place is not supported yet (@lumen/tensor has no in-place copy); do this on cpu before moving to ${target.device}`,
    );
  }
  const host = (target.storage as unknown as { data?: unknown }).data;
  if (!ArrayBuffer.isView(host) || !target.isContiguous())
    fail(op, 'the target must be a contiguous cpu tensor that owns host memory');
  if (source.device !== 'cpu') fail(op, `the source is on ${source.device}; move it to cpu first`);
  (host as TypedArray).set(source.cast(target.dtype).dataSync(), target.offset);
}

/**
 * Gives `param` the values of `source`; returns the tensor that now holds them: `param` itself on
 * cpu, a replacement (already put into the owning modules) elsewhere.
 */
export function assignParameter(op: string, param: Tensor, source: Tensor): Tensor {
  if (param.device === 'cpu') {
    copyInto(
      op,
      param,
      source.device === 'cpu' ? source : fail(op, `the source is on ${source.device}, the parameter on cpu`),
    );
    return param;
  }
  checkShape(op, param, source);
  if (source.device !== param.device)
    fail(op, `the source is on ${source.device}, the parameter on ${param.device}`);
  const next = Parameter(source.cast(param.dtype).detach(), param.requiresGrad);
  for (const m of OWNERS.get(param) ?? []) {
    const slots = m as Record<string, unknown>;
    for (const key of Object.keys(slots)) {
      if (slots[key] === param) slots[key] = next;
    }
    noteOwner(next, m);
  }
  return next;
}
