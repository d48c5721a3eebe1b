import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gemm } from '../src/backends/cpu/matmul.js';

/**
 * The cpu GEMM against a plain triple loop in float64, on products big enough to take the packed
 * (BLIS-style) path and the skinny unpacked paths (few rows, B contiguous by rows or by columns),
 * with transposed and padded operands and sizes that are not multiples of the 4×4 micro-tile.
 */
function reference(
  M: number,
  N: number,
  K: number,
  a: (i: number, k: number) => number,
  b: (k: number, j: number) => number,
) {
  const c = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a(i, k) * b(k, j);
      c[i * N + j] = s;
    }
  return c;
}

describe('cpu gemm', () => {
  it('matches a float64 triple loop on every path (packed, skinny rows, skinny dots, small)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 21 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 700 }),
        fc.constantFrom('nn', 'nt', 'tn', 'tt'),
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom('float32', 'float64'),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (M, N, K, layout, pad, dtype, seed) => {
          let state = seed || 1;
          const rnd = () => {
            state = (Math.imul(state, 1103515245) + 12345) >>> 0;
            return state / 2 ** 32 - 0.5;
          };
          const Arr = dtype === 'float32' ? Float32Array : Float64Array;
          // A is M×K, stored row-major ('n') or column-major ('t'), with `pad` unused elements per line.
          const aT = layout[0] === 't';
          const bT = layout[1] === 't';
          const aLd = (aT ? M : K) + pad;
          const bLd = (bT ? K : N) + pad;
          const ao = pad;
          const bo = 2 * pad;
          const A = new Arr(ao + (aT ? K : M) * aLd).map(rnd);
          const B = new Arr(bo + (bT ? N : K) * bLd).map(rnd);
          const [ars, acs] = aT ? [1, aLd] : [aLd, 1];
          const [brs, bcs] = bT ? [1, bLd] : [bLd, 1];
          const co = 3;
          const C = new Arr(co + M * N + 2).fill(7);
          gemm(M, N, K, A, ao, ars, acs, B, bo, brs, bcs, C, co);
          const want = reference(
            M,
            N,
            K,
            (i, k) => A[ao + i * ars + k * acs]!,
            (k, j) => B[bo + k * brs + j * bcs]!,
          );
          const tol = dtype === 'float32' ? 2e-6 * Math.sqrt(K) + 1e-6 : 1e-12 * K;
          for (let x = 0; x < M * N; x++) {
            const d = Math.abs(C[co + x]! - want[x]!);
            if (!(d <= tol * (1 + Math.abs(want[x]!)))) {
              expect.fail(`C[${x}] = ${C[co + x]} vs ${want[x]} (M=${M} N=${N} K=${K} ${layout})`);
            }
          }
          // Nothing outside C's block is written.
          expect([C[0], C[1], C[2], C[co + M * N], C[co + M * N + 1]]).toEqual([7, 7, 7, 7, 7]);
        },
      ),
      { numRuns: 120 },
    );
  });
});
