import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { gemmSerial } from '../src/backends/cpu/matmul.js';
import {
  cpuThreads,
  setCpuThreads,
  sharedBytes,
  stats,
  gemm as threadedGemm,
} from '../src/backends/cpu/threads.js';

const gemm = gemmSerial;

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

describe('cpu gemm on worker threads', () => {
  afterEach(() => setCpuThreads(null));

  it('gives bit-identical results to one thread, any dtype, strided operands, ragged row splits', () => {
    setCpuThreads(3);
    expect(cpuThreads()).toBe(3); // two workers started (Node)
    const cases: [number, number, number, 'float32' | 'float64' | 'int32', boolean, boolean][] = [
      [257, 130, 301, 'float32', false, false],
      [100, 517, 97, 'float64', true, false],
      [64, 300, 250, 'float32', false, true],
      [333, 64, 200, 'int32', true, true],
      [40, 4000, 40, 'float64', false, false],
    ];
    let seed = 7;
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32 - 0.5;
    };
    for (const [M, N, K, dtype, aT, bT] of cases) {
      const Arr = dtype === 'float32' ? Float32Array : dtype === 'float64' ? Float64Array : Int32Array;
      const fill = (n: number) => {
        const out = new Arr(n);
        for (let i = 0; i < n; i++) out[i] = dtype === 'int32' ? Math.round(rnd() * 20) : rnd();
        return out;
      };
      const A = fill(M * K + 5);
      const B = fill(K * N + 3);
      const [ars, acs] = aT ? [1, M] : [K, 1];
      const [brs, bcs] = bT ? [1, K] : [N, 1];
      const one = new Arr(M * N);
      const many = new Arr(M * N + 2);
      gemmSerial(M, N, K, A, 5, ars, acs, B, 3, brs, bcs, one, 0);
      threadedGemm(M, N, K, A, 5, ars, acs, B, 3, brs, bcs, many, 1);
      expect(many[0]).toBe(0);
      expect(many[M * N + 1]).toBe(0);
      expect(Array.from(many.subarray(1, 1 + M * N))).toEqual(Array.from(one));
    }
    // The workers did the work (a failed block would have been recomputed here, hiding it).
    expect(stats.failed).toBe(0);
    expect(stats.done).toBeGreaterThanOrEqual(2 * cases.length - 1);
  });

  it('lets go of its shared operand memory when idle, and works again after', async () => {
    setCpuThreads(2);
    const [M, N, K] = [200, 300, 150];
    const A = Float64Array.from({ length: M * K }, (_, i) => Math.sin(i));
    const B = Float64Array.from({ length: K * N }, (_, i) => Math.cos(i));
    const one = new Float64Array(M * N);
    gemmSerial(M, N, K, A, 0, K, 1, B, 0, N, 1, one, 0);
    const before = stats.done;
    const run = () => {
      const c = new Float64Array(M * N);
      threadedGemm(M, N, K, A, 0, K, 1, B, 0, N, 1, c, 0);
      return c;
    };
    expect(Array.from(run())).toEqual(Array.from(one));
    expect(sharedBytes()).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 2600));
    expect(sharedBytes()).toBe(0);
    expect(Array.from(run())).toEqual(Array.from(one));
    expect(stats.done).toBe(before + 2); // the worker computed its rows both times
  });

  it('one thread when asked (LUMEN_NUM_THREADS=1 does the same)', () => {
    setCpuThreads(1);
    expect(cpuThreads()).toBe(1);
  });
});

describe('setNumThreads / getNumThreads (torch.set_num_threads)', () => {
  afterEach(() => setCpuThreads(null));

  it('sets the count, and rejects what is not a positive integer by name', async () => {
    const L = await import('../src/index.js');
    L.setNumThreads(2);
    expect(L.getNumThreads()).toBe(2);
    L.setNumThreads(1);
    expect(L.getNumThreads()).toBe(1);
    expect(() => L.setNumThreads(0)).toThrow(/setNumThreads: n must be an integer >= 1, got 0/);
    expect(() => L.setNumThreads(1.5)).toThrow(/got 1.5/);
    // The public matmul is the threaded kernel: same numbers on 1 and 2 threads.
    L.manualSeed(3);
    const a = L.randn([300, 200]);
    const b = L.randn([200, 150]);
    const one = a.matmul(b).dataSync();
    L.setNumThreads(2);
    expect(Array.from(a.matmul(b).dataSync())).toEqual(Array.from(one));
  });
});
