import type { Tensor } from '@lumen/tensor';
import { fail } from '../errors.js';

const PARAMETERS = new WeakSet<Tensor>();

function isTensorLike(x: unknown): x is Tensor {
  return typeof x === 'object' && x !== null && 'shape' in x && 'requiresGrad' in x && 'detach' in x;
}

function makeParameter(data: Tensor, requiresGrad = true): Tensor {
  if (!isTensorLike(data))
    fail('Parameter', `data must be a Tensor, got ${data === null ? 'null' : typeof data}`);
  // A parameter is a leaf: a tensor produced by ops is detached (sharing memory), as nn.Parameter does.
  const p = data.isLeaf ? data : data.detach();
  p.requiresGrad = requiresGrad;
  PARAMETERS.add(p);
  return p;
}

/**
 * nn.Parameter: marks a tensor as a module parameter (a leaf that requires grad by default).
 * `new Parameter(t)` and `Parameter(t)` both return the tensor itself, marked.
 */
export const Parameter = makeParameter as unknown as {
  new (data: Tensor, requiresGrad?: boolean): Tensor;
  (data: Tensor, requiresGrad?: boolean): Tensor;
};

/** Whether t was made a Parameter (a frozen one, with requiresGrad false, still is). */
export function isParameter(t: unknown): t is Tensor {
  return isTensorLike(t) && PARAMETERS.has(t);
}

export { isTensorLike };
