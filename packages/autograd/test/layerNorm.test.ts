import { layerNorm, randn, type Tensor, tensor } from '@lumen/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grad } from '../src/index.js';

/** F.layer_norm written out in elementwise ops and reductions: what the fused op must equal. */
function composite(x: Tensor, k: number, w: Tensor | null, b: Tensor | null, eps = 1e-5): Tensor {
  const dims = Array.from({ length: k }, (_, i) => x.ndim - k + i);
  const centered = x.sub(x.mean(dims, { keepdim: true }));
  let y = centered.mul(centered.square().mean(dims, { keepdim: true }).add(eps).rsqrt());
  if (w) y = y.mul(w);
  if (b) y = y.add(b);
  return y;
}

function maxDiff(a: Tensor, b: Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  expect(x.length).toBe(y.length);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}

describe('layerNorm as one op (NativeLayerNormBackward0)', () => {
  it('equals the composite in values and every gradient: odd widths, leading dims, transposed input, float32 and float64', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom('float32' as const, 'float64' as const),
        fc.boolean(),
        fc.boolean(),
        (a, b, c, dtype, affine, transposed) => {
          const base = randn(transposed ? [c, b, a] : [a, b, c], { dtype });
          const xv = transposed ? base.permute([2, 1, 0]) : base; // a non-contiguous [a, b, c] view
          const shape = [b, c];
          const leaf = (t: Tensor) => {
            const u = t.detach().contiguous();
            u.requiresGrad = true;
            return u;
          };
          const x1 = leaf(xv);
          const x2 = leaf(xv);
          const w1 = affine ? leaf(randn(shape, { dtype })) : null;
          const b1 = affine ? leaf(randn(shape, { dtype })) : null;
          const w2 = w1 ? leaf(w1) : null;
          const b2 = b1 ? leaf(b1) : null;
          // transposed: the fused op gets a non-contiguous [a, b, c] view (of a copy in [c, b, a] order)
          const x1in = transposed ? x1.permute([2, 1, 0]).contiguous().permute([2, 1, 0]) : x1;
          const y1 = layerNorm(x1in, shape, w1, b1);
          const y2 = composite(x2, 2, w2, b2);
          const tol = dtype === 'float32' ? 2e-4 : 1e-10;
          expect(maxDiff(y1, y2)).toBeLessThan(tol);
          expect(y1.gradFn?.name).toBe('NativeLayerNormBackward0');
          const up = randn([a, b, c], { dtype });
          y1.mul(up).sum().backward();
          y2.mul(up).sum().backward();
          expect(maxDiff(x1.grad!, x2.grad!)).toBeLessThan(tol * 10);
          if (affine) {
            expect(maxDiff(w1!.grad!, w2!.grad!)).toBeLessThan(tol * 10);
            expect(maxDiff(b1!.grad!, b2!.grad!)).toBeLessThan(tol * 10);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('takes large rows through the fused kernels to the composite gradients (float32)', () => {
    const x1 = randn([300, 130], { requiresGrad: true });
    const x2 = x1.detach();
    x2.requiresGrad = true;
    const w1 = randn([130], { requiresGrad: true });
    const w2 = w1.detach();
    w2.requiresGrad = true;
    const up = randn([300, 130]);
    layerNorm(x1, [130], w1, null).mul(up).sum().backward();
    composite(x2, 1, w2, null).mul(up).sum().backward();
    expect(maxDiff(x1.grad!, x2.grad!)).toBeLessThan(1e-4);
    expect(maxDiff(w1.grad!, w2.grad!)).toBeLessThan(1e-3);
  });

  it('gives second derivatives with createGraph (the backward is then built of differentiable ops)', () => {
    const xs = [0.3, -1.2, 2.5, 0.7, 1.1, -0.4];
    const x1 = tensor(xs, { dtype: 'float64', requiresGrad: true }).reshape([2, 3]);
    const x2 = tensor(xs, { dtype: 'float64', requiresGrad: true }).reshape([2, 3]);
    const w = tensor([1.5, -0.5, 2], { dtype: 'float64' });
    const [g1] = grad(layerNorm(x1, [3], w).square().sum(), x1, { createGraph: true });
    const [g2] = grad(composite(x2, 1, w, null).square().sum(), x2, { createGraph: true });
    expect(maxDiff(g1!, g2!)).toBeLessThan(1e-12);
    // Σ g over a row is 0 (y does not change when x shifts), so weigh g unevenly
    const v = tensor([1, -2, 0.5, 3, 0.25, -1], { dtype: 'float64' }).reshape([2, 3]);
    const [h1] = grad(g1!.mul(v).sum(), x1);
    const [h2] = grad(g2!.mul(v).sum(), x2);
    expect(maxDiff(h1!, h2!)).toBeLessThan(1e-10);
    expect(Math.max(...Array.from(h1!.dataSync(), Math.abs))).toBeGreaterThan(1e-3); // not trivially zero
  });

  it('rejects weight of the wrong shape by name', () => {
    expect(() => layerNorm(randn([2, 3]), [3], randn([4]))).toThrow(/weight must have shape \[3\]/);
    expect(() => layerNorm(randn([2, 3]), [2])).toThrow(/trailing dims must be \[2\]/);
  });
});
