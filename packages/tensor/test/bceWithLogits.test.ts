import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as L from '../src/index.js';
import { hasWebGPU } from './helpers.js';

/**
 * The fused elementwise binary cross-entropy of logits (cpu) against the float64 formula
 * (1 − y)·x + log(1 + e^−x) written out here, including logits far out in both tails, transposed
 * inputs and empty ones; the webgpu composite against the cpu kernel. Its gradients are checked
 * against PyTorch in @lumen/autograd's fixtures (bceWithLogits, bceWithLogitsMean).
 */
function reference(x: number, y: number): number {
  // log(1 + e^−x) without overflow: for x < 0 it is −x + log(1 + e^x)
  const sp = x >= 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x));
  return (1 - y) * x + sp;
}

describe('bceWithLogits', () => {
  it('equals the float64 formula, in both tails, for float32 and float64, contiguous or transposed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 1, max: 9 }),
        fc.constantFrom<'float32' | 'float64'>('float32', 'float64'),
        fc.boolean(),
        fc.array(fc.double({ min: -300, max: 300, noNaN: true }), { minLength: 63, maxLength: 63 }),
        (rows, cols, dtype, transposed, pool) => {
          const n = rows * cols;
          const xs = Array.from({ length: n }, (_, i) => pool[i % pool.length]! / (i % 3 === 0 ? 1 : 40));
          const ys = Array.from({ length: n }, (_, i) => ((i * 7) % 5) / 4);
          const make = (v: number[]) =>
            transposed
              ? L.tensor(v, { shape: [cols, rows], dtype }).T
              : L.tensor(v, { shape: [rows, cols], dtype });
          const x = make(xs);
          const y = make(ys);
          const got = L.bceWithLogits(x, y);
          expect(got.shape).toEqual([rows, cols]);
          const xv = x.contiguous().dataSync();
          const yv = y.contiguous().dataSync();
          const gv = got.dataSync();
          for (let i = 0; i < n; i++) {
            const want = reference(xv[i]!, yv[i]!);
            const tol = dtype === 'float64' ? 1e-12 * (1 + Math.abs(want)) : 2e-6 * (1 + Math.abs(want));
            if (!(Math.abs(gv[i]! - want) <= tol)) expect.fail(`x=${xv[i]} y=${yv[i]}: ${gv[i]} vs ${want}`);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it.skipIf(!hasWebGPU)('webgpu (the composite) equals the cpu kernel', async () => {
    const xs = Array.from({ length: 257 }, (_, i) => (i - 128) * 0.37);
    const ys = Array.from({ length: 257 }, (_, i) => (i % 3) / 2);
    const cpu = L.bceWithLogits(L.tensor(xs), L.tensor(ys)).dataSync();
    const gpu = await L.bceWithLogits(
      L.tensor(xs, { device: 'webgpu' }),
      L.tensor(ys, { device: 'webgpu' }),
    ).data();
    for (let i = 0; i < xs.length; i++) expect(gpu[i]).toBeCloseTo(cpu[i]!, 4);
  });

  it('names the argument, what was expected and what came', () => {
    const x = L.randn([2, 3]);
    expect(() => L.bceWithLogits(x, L.randn([3, 2]))).toThrow(
      /target must have the input's shape \[2, 3\], got \[3, 2\]/,
    );
    expect(() => L.bceWithLogits(x, L.randn([2, 3], { dtype: 'float64' }))).toThrow(
      /input and target must have the same float dtype, got float32 and float64/,
    );
    expect(() =>
      L.bceWithLogits(L.tensor([1, 2], { dtype: 'int32' }), L.tensor([1, 0], { dtype: 'int32' })),
    ).toThrow(/same float dtype, got int32/);
    expect(L.bceWithLogits(L.zeros([0, 3]), L.zeros([0, 3])).shape).toEqual([0, 3]);
  });
});
