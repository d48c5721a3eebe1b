import { noGrad } from '@lumen/autograd';
import { checkOptions, type Tensor } from '@lumen/tensor';
import { fail } from '../errors.js';

/** `zeroGrad()`'s options (Module.zeroGrad and Optimizer.zeroGrad). */
export interface ZeroGradOptions {
  /**
   * true (the default, as PyTorch 2.x): every gradient becomes null, so the next backward()
   * creates it afresh and step() skips parameters that got none. false (PyTorch 1.x's default):
   * each existing gradient tensor is zeroed in place (same tensor, values 0; one with a gradFn,
   * from createGraph, is detached first); parameters without a gradient keep null.
   */
  setToNone?: boolean;
}

/** PyTorch's zero_grad(set_to_none) over `params`, for Module and Optimizer. */
export function zeroGrads(op: string, params: Iterable<Tensor>, options: ZeroGradOptions | undefined): void {
  checkOptions(op, options, ['setToNone']);
  const setToNone = options?.setToNone ?? true;
  if (typeof setToNone !== 'boolean')
    fail(op, `setToNone must be true or false, got ${JSON.stringify(setToNone)}`);
  if (setToNone) {
    for (const p of params) p.grad = null;
    return;
  }
  noGrad(() => {
    const done = new Set<Tensor>();
    for (const p of params) {
      let g = p.grad;
      if (g === null || done.has(g)) continue;
      if (!g.isLeaf) {
        g = g.detach();
        p.grad = g;
      }
      g.copy_(0);
      done.add(g);
    }
  });
}
