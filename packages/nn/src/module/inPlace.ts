import type { Tensor, TypedArray } from '@lumen/tensor';
import { fail, fmtShape } from '../errors.js';

/**
 * Writes `source`'s values into `target`'s memory, keeping `target` the same object (what PyTorch's
 * `param.copy_()` and in-place optimizer updates do), so that every holder of the parameter — the
 * module, the optimizer, user code — sees the new values.
 *
 * @lumen/tensor has no public in-place primitive yet. On cpu a storage is host memory and is written
 * directly; other devices need that primitive (the optimizers' update functions are kept separate so
 * a fused in-place kernel can replace this later).
 */
export function copyInto(op: string, target: Tensor, source: Tensor): void {
  if (source.shape.length !== target.shape.length || source.shape.some((d, i) => d !== target.shape[i])) {
    fail(
      op,
      `cannot copy a tensor of shape ${fmtShape(source.shape)} into one of shape ${fmtShape(target.shape)}`,
    );
  }
  if (target.device !== 'cpu') {
    fail(
      op,
      `updating a ${target.device} tensor in place is not supported yet (it needs an in-place copy primitive in @lumen/tensor); keep the model on cpu for this step`,
    );
  }
  const host = (target.storage as unknown as { data?: unknown }).data;
  if (!ArrayBuffer.isView(host) || !target.isContiguous()) {
    fail(op, 'the target must be a contiguous cpu tensor that owns host memory');
  }
  const values =
    source.device === 'cpu' ? source : fail(op, `the source is on ${source.device}; move it to cpu first`);
  (host as TypedArray).set(values.cast(target.dtype).dataSync(), target.offset);
}
