import { crossEntropyRows, randn, type Tensor, tensor, where } from '@lumen/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grad } from '../src/index.js';

/** −log softmax(x)[t] with logSoftmax and gather, 0 where ignored: what the fused op must equal. */
function composite(x: Tensor, t: Tensor, ignore: number): Tensor {
  const valid = t.ne(ignore);
  const picked = x
    .logSoftmax(1)
    .gather(1, where(valid, t, 0).unsqueeze(1))
    .squeeze(1);
  return where(valid, picked.neg(), 0);
}

function maxDiff(a: Tensor, b: Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  expect(x.length).toBe(y.length);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}

const leafOf = (t: Tensor) => {
  const u = t.detach();
  u.requiresGrad = true;
  return u;
};

describe('crossEntropyRows (log-softmax and NLL in one op)', () => {
  it('equals logSoftmax + gather in values and gradients: ignored rows, odd widths, large vocabularies, float32 and float64', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 }),
        fc.constantFrom(1, 2, 3, 17, 130, 2051),
        fc.constantFrom('float32' as const, 'float64' as const),
        fc.integer({ min: 0, max: 1000 }),
        (rows, cols, dtype, seed) => {
          // every fourth row ignored; the others a class in [0, cols)
          const t = tensor(
            Array.from({ length: rows }, (_, i) => (i % 4 === 3 ? -100 : (i * 7919 + seed) % cols)),
            { dtype: 'int32' },
          );
          const x0 = randn([rows, cols], { dtype }).mul(3);
          const x1 = leafOf(x0);
          const x2 = leafOf(x0);
          const y1 = crossEntropyRows(x1, t);
          const y2 = composite(x2, t, -100);
          const tol = dtype === 'float32' ? 1e-5 : 1e-12;
          expect(maxDiff(y1, y2)).toBeLessThan(tol * 10);
          expect(y1.gradFn?.name).toBe('NllLossBackward0');
          const up = randn([rows], { dtype });
          y1.mul(up).sum().backward();
          y2.mul(up).sum().backward();
          expect(maxDiff(x1.grad!, x2.grad!)).toBeLessThan(tol * 10);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('gives second derivatives with createGraph', () => {
    const xs = [0.3, -1.2, 2.5, 0.7, 1.1, -0.4];
    const x1 = tensor(xs, { dtype: 'float64', requiresGrad: true }).reshape([2, 3]);
    const x2 = tensor(xs, { dtype: 'float64', requiresGrad: true }).reshape([2, 3]);
    const t = tensor([2, 0], { dtype: 'int32' });
    const [g1] = grad(crossEntropyRows(x1, t).sum(), x1, { createGraph: true });
    const [g2] = grad(composite(x2, t, -100).sum(), x2, { createGraph: true });
    expect(maxDiff(g1!, g2!)).toBeLessThan(1e-12);
    const v = tensor([1, -2, 0.5, 3, 0.25, -1], { dtype: 'float64' }).reshape([2, 3]);
    const [h1] = grad(g1!.mul(v).sum(), x1);
    const [h2] = grad(g2!.mul(v).sum(), x2);
    expect(maxDiff(h1!, h2!)).toBeLessThan(1e-12);
    expect(Math.max(...Array.from(h1!.dataSync(), Math.abs))).toBeGreaterThan(1e-3);
  });

  it('rejects bad targets by name', () => {
    const x = randn([2, 3]);
    expect(() => crossEntropyRows(x, tensor([0, 3], { dtype: 'int32' }))).toThrow(
      /target\[1\] = 3 is not a class index in \[0, 3\) nor ignoreIndex \(-100\)/,
    );
    expect(() => crossEntropyRows(x, tensor([0, 1]))).toThrow(
      /target must hold class indices as an int32 tensor, got float32/,
    );
    expect(() => crossEntropyRows(x, tensor([0], { dtype: 'int32' }))).toThrow(
      /target must have shape \[2\]/,
    );
  });
});
