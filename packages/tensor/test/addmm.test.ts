import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as L from '../src/index.js';
import { hasWebGPU } from './helpers.js';

/**
 * addmm against a float64 triple loop (beta·input + alpha·Σ a·b), over random shapes (empty and
 * odd ones included), every way input broadcasts to [M, N], transposed operands and both float
 * dtypes; on webgpu too where an adapter exists. With beta = alpha = 1 it must give the bits of
 * matmul().add(): nn.Linear switched to it, and the models' fixtures were made the other way.
 */

type Bcast = 'full' | 'row' | 'col' | 'scalar' | 'one-row';

function inputShape(b: Bcast, M: number, N: number): number[] {
  return { full: [M, N], row: [N], col: [M, 1], scalar: [], 'one-row': [1, N] }[b];
}

function values(n: number, seed: number): number[] {
  let s = seed >>> 0 || 1;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return Math.round((s / 2 ** 32 - 0.5) * 64) / 16; // a few bits: exact sums in float32 for small K
  });
}

const DEVICES: L.Device[] = hasWebGPU ? ['cpu', 'webgpu'] : ['cpu'];

describe.each(DEVICES)('addmm on %s', (device) => {
  it('equals beta·input + alpha·(mat1 @ mat2) of a float64 reference, for any broadcast and layout', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          M: fc.integer({ min: 0, max: 9 }),
          N: fc.integer({ min: 0, max: 9 }),
          K: fc.integer({ min: 0, max: 21 }),
          big: fc.boolean(),
          bcast: fc.constantFrom<Bcast>('full', 'row', 'col', 'scalar', 'one-row'),
          transposed: fc.boolean(),
          // WGSL has no f64
          dtype: fc.constantFrom<'float32' | 'float64'>(
            ...(device === 'cpu' ? (['float32', 'float64'] as const) : (['float32'] as const)),
          ),
          beta: fc.constantFrom(1, 0, 0.5, -2),
          alpha: fc.constantFrom(1, 0.25, -3),
          seed: fc.integer({ min: 1, max: 1e9 }),
        }),
        async ({ M: m0, N: n0, K: k0, big, bcast, transposed, dtype, beta, alpha, seed }) => {
          // sometimes large enough for the packed WebAssembly GEMM path
          const [M, N, K] = big ? [m0 + 40, n0 + 33, k0 + 50] : [m0, n0, k0];
          const a = values(M * K, seed);
          const b = values(K * N, seed + 1);
          const cShape = inputShape(bcast, M, N);
          const c = values(
            cShape.reduce((x, y) => x * y, 1),
            seed + 2,
          );
          const A = L.tensor(a, { shape: [M, K], dtype, device });
          // mat2 either row-major or a transposed view of an [N, K] array
          const B = transposed
            ? L.tensor(
                Array.from({ length: N * K }, (_, i) => b[(i % K) * N + Math.floor(i / K)]!),
                { shape: [N, K], dtype, device },
              ).T
            : L.tensor(b, { shape: [K, N], dtype, device });
          const C = L.tensor(c, { shape: cShape, dtype, device });
          const got = await L.addmm(C, A, B, { beta, alpha }).data();
          expect(got.length).toBe(M * N);
          const cAt = (i: number, j: number) =>
            c[bcast === 'full' ? i * N + j : bcast === 'col' ? i : bcast === 'scalar' ? 0 : j]!;
          for (let i = 0; i < M; i++)
            for (let j = 0; j < N; j++) {
              let s = 0;
              for (let k = 0; k < K; k++) s += a[i * K + k]! * b[k * N + j]!;
              const want = (beta === 0 ? 0 : beta * cAt(i, j)) + alpha * s;
              const tol = dtype === 'float64' ? 1e-12 : 1e-5 * (1 + Math.abs(want) + K);
              if (!(Math.abs(got[i * N + j]! - want) <= tol))
                expect.fail(
                  `[${M}x${K}]@[${K}x${N}] ${bcast} β=${beta} α=${alpha}: (${i},${j}) ${got[i * N + j]} vs ${want}`,
                );
            }
          if (beta === 1 && alpha === 1) {
            const composite = await A.matmul(B).add(C).data();
            for (let i = 0; i < M * N; i++)
              if (!Object.is(got[i], composite[i])) expect.fail(`bits differ from matmul().add() at ${i}`);
          }
        },
      ),
      { numRuns: device === 'cpu' ? 150 : 40 },
    );
  });

  it('beta = 0 ignores the input, NaN included (PyTorch)', async () => {
    const A = L.tensor([1, 2, 3, 4], { shape: [2, 2], device });
    const C = L.tensor([Number.NaN, Number.POSITIVE_INFINITY], { device });
    expect(Array.from(await L.addmm(C, A, A, { beta: 0 }).data())).toEqual([7, 10, 15, 22]);
  });

  it('int32 operands, as torch.addmm', async () => {
    const A = L.tensor([1, 2, 3, 4], { shape: [2, 2], dtype: 'int32', device });
    const C = L.tensor([10, 20], { dtype: 'int32', device });
    const r = C.addmm(A, A, { alpha: 2 });
    expect(r.dtype).toBe('int32');
    expect(Array.from(await r.data())).toEqual([24, 40, 40, 64]);
  });
});

describe('addmm memory and errors', () => {
  it('leaves one tensor behind: the product is given back to the pool, not left to the collector', () => {
    const A = L.randn([16, 8]);
    const B = L.randn([8, 12]);
    const C = L.randn([12]);
    for (const opts of [{}, { beta: 0.5, alpha: 2 }, { beta: 0, alpha: 3 }]) {
      const before = L.memory().byDevice.cpu;
      const r = L.addmm(C, A, B, opts);
      const after = L.memory().byDevice.cpu;
      expect(after.tensors - before.tensors).toBe(1);
      expect(after.bytes - before.bytes).toBe(16 * 12 * 4);
      r.dispose();
    }
  });

  it('names the argument, what was expected and what came', () => {
    const a = L.randn([2, 3]);
    const b = L.randn([3, 4]);
    expect(() => L.addmm(L.randn([4]), a, L.randn([2, 4]))).toThrow(
      /addmm: mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x4\)/,
    );
    expect(() => L.addmm(L.randn([3]), a, b)).toThrow(
      /addmm: input of shape \[3\] does not broadcast to the product's shape \[2, 4\]/,
    );
    expect(() => L.addmm(L.randn([4]), L.randn([1, 2, 3]), b)).toThrow(
      /mat1 and mat2 must be matrices \(2-D\)/,
    );
    expect(() => L.addmm(L.randn([4], { dtype: 'float64' }), a, b)).toThrow(
      /same dtype, got float64, float32 and float32/,
    );
    expect(() => L.addmm(L.randn([4]), a, b, { gamma: 1 } as never)).toThrow(/addmm.*gamma/);
    expect(() => L.addmm(L.randn([4]), a, b, { beta: '1' } as never)).toThrow(
      /beta must be a number, got string/,
    );
    const i = L.tensor([1, 2], { dtype: 'int32' });
    const im = L.tensor([1, 2, 3, 4], { shape: [2, 2], dtype: 'int32' });
    expect(() => L.addmm(i, im, im, { alpha: 0.5 })).toThrow(/beta and alpha must be integers for int32/);
  });
});
