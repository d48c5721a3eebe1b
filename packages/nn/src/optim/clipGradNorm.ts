import { noGrad } from '@lumen/autograd';
import { checkOptions, stack, type Tensor, zeros } from '@lumen/tensor';
import { fail } from '../errors.js';

function norm(t: Tensor, p: number): Tensor {
  const a = t.abs();
  if (p === Infinity) return a.max();
  if (p === 2) return a.square().sum().sqrt();
  if (p === 1) return a.sum();
  return a
    .pow(p)
    .sum()
    .pow(1 / p);
}

/**
 * torch.nn.utils.clip_grad_norm_: scales all gradients by min(1, maxNorm / (total + 1e-6)), where
 * total is the norm of all gradients together. Returns the total norm (before clipping) as a tensor.
 * The scale is computed on the device: no read-back.
 */
export function clipGradNorm(
  params: Iterable<Tensor> | Tensor,
  maxNorm: number,
  options: { normType?: number; errorIfNonfinite?: boolean } = {},
): Tensor {
  checkOptions('clipGradNorm', options, ['normType', 'errorIfNonfinite']);
  const normType = options.normType ?? 2;
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0))
    fail('clipGradNorm', `maxNorm must be a number >= 0, got ${maxNorm}`);
  if (typeof normType !== 'number' || !(normType > 0))
    fail('clipGradNorm', `normType must be > 0 (or Infinity), got ${normType}`);
  const list = 'shape' in (params as object) ? [params as Tensor] : [...(params as Iterable<Tensor>)];
  const withGrad = list.filter((p) => p.grad !== null);
  return noGrad(() => {
    if (withGrad.length === 0) return zeros([]);
    const norms = withGrad.map((p) => norm(p.grad!, normType));
    const total = norm(stack(norms), normType);
    if (options.errorIfNonfinite && total.device === 'cpu' && !Number.isFinite(total.itemSync() as number)) {
      fail(
        'clipGradNorm',
        `the total norm of order ${normType} of the gradients is non-finite, so it cannot be clipped`,
      );
    }
    const coef = total.add(1e-6).reciprocal().mul(maxNorm).clamp(null, 1);
    for (const p of withGrad) p.grad = p.grad!.mul(coef.cast(p.grad!.dtype));
    return total;
  });
}
