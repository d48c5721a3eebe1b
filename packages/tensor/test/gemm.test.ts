import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gemmSerial } from '../src/backends/cpu/matmul.js';
import {
  cpuThreads,
  hooks,
  setCpuThreads,
  sharedBytes,
  stats,
  gemm as threadedGemm,
} from '../src/backends/cpu/threads.js';
import { kernelArray, releaseKernelArray } from '../src/backends/cpu/wasm/resident.js';
import {
  cpuKernels,
  forceKernels,
  type KernelMode,
  wasmMemoryBytes,
} from '../src/backends/cpu/wasm/runtime.js';

/**
 * The cpu GEMM against a plain triple loop in float64, on products big enough to take the packed
 * (BLIS-style) path and the skinny unpacked paths (few rows, B contiguous by rows or by columns),
 * with transposed, flipped and padded operands and sizes that are not multiples of the micro-tile.
 * Every test runs on each kernel set this host can run: the TypeScript kernels (the reference and
 * the fallback) and the WebAssembly SIMD builds (relaxed SIMD only where the host validates it; a
 * child process with the flag runs it on Node 20, in wasm-relaxed.test.ts).
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

function lcg(seed: number) {
  let state = seed || 1;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
}

type Layout = 'nn' | 'nt' | 'tn' | 'tt' | 'ff';

/** One product: A is M×K stored row-major ('n'), column-major ('t') or flipped in both dims ('f'). */
function check(
  gemm: typeof threadedGemm,
  M: number,
  N: number,
  K: number,
  layout: Layout,
  pad: number,
  dtype: 'float32' | 'float64',
  seed: number,
): void {
  const rnd = lcg(seed);
  const Arr = dtype === 'float32' ? Float32Array : Float64Array;
  const aT = layout[0] === 't';
  const bT = layout[1] === 't';
  const flip = layout === 'ff';
  const aLd = (aT ? M : K) + pad;
  const bLd = (bT ? K : N) + pad;
  const A = new Arr(pad + (aT ? K : M) * aLd).map(rnd);
  const B = new Arr(2 * pad + (bT ? N : K) * bLd).map(rnd);
  let [ao, ars, acs] = aT ? [pad, 1, aLd] : [pad, aLd, 1];
  let [bo, brs, bcs] = bT ? [2 * pad, 1, bLd] : [2 * pad, bLd, 1];
  if (flip) {
    // Negative strides (torch.flip views): [0][0] is the last element of the block.
    ao += Math.max(0, M - 1) * ars + Math.max(0, K - 1) * acs;
    [ars, acs] = [-ars, -acs];
    bo += Math.max(0, K - 1) * brs + Math.max(0, N - 1) * bcs;
    [brs, bcs] = [-brs, -bcs];
  }
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
  // float32 accumulates in float32 on the WebAssembly kernels (as PyTorch does): error grows with K.
  const tol = dtype === 'float32' ? 2e-6 * Math.sqrt(K) + 1e-6 : 1e-12 * K;
  for (let x = 0; x < M * N; x++) {
    const d = Math.abs(C[co + x]! - want[x]!);
    if (!(d <= tol * (1 + Math.abs(want[x]!)))) {
      expect.fail(`C[${x}] = ${C[co + x]} vs ${want[x]} (M=${M} N=${N} K=${K} ${layout} ${dtype})`);
    }
  }
  // Nothing outside C's block is written.
  expect([C[0], C[1], C[2], C[co + M * N], C[co + M * N + 1]]).toEqual([7, 7, 7, 7, 7]);
}

const MODES: KernelMode[] = ['typescript', 'simd128'];
// Relaxed SIMD joins where the host accepts it (Node >= 22, Chrome; on Node 20 the root vitest
// config runs this file a second time with --experimental-wasm-relaxed-simd).
forceKernels('relaxed-simd');
try {
  if (cpuKernels() === 'relaxed-simd') MODES.push('relaxed-simd');
} catch (e) {
  console.log(`[lumen] gemm tests without relaxed SIMD: ${(e as Error).message}`);
}
forceKernels(null);

describe.each(MODES)('cpu gemm (%s kernels)', (mode) => {
  beforeAll(() => {
    forceKernels(mode);
    expect(cpuKernels()).toBe(mode);
  });
  afterAll(() => forceKernels(null));
  afterEach(() => setCpuThreads(null));

  it('matches a float64 triple loop on every path (packed, skinny rows, skinny dots, small)', () => {
    setCpuThreads(1);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 21 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 700 }),
        fc.constantFrom<Layout>('nn', 'nt', 'tn', 'tt', 'ff'),
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom('float32' as const, 'float64' as const),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (M, N, K, layout, pad, dtype, seed) => check(threadedGemm, M, N, K, layout, pad, dtype, seed),
      ),
      { numRuns: 100 },
    );
  });

  it('odd sizes (1, 3, 17, 1000), K = 0 and empty products', () => {
    setCpuThreads(1);
    for (const [M, N, K] of [
      [1, 1, 1],
      [3, 17, 1000],
      [17, 3, 1000],
      [1000, 17, 3],
      [17, 1000, 17],
      [1, 1000, 1000],
      [1000, 1, 17],
      [130, 70, 1000],
      // Few columns (N ≤ 16): A read in place, the last partial row tile packed.
      [1003, 12, 300],
      [98, 16, 77],
      [1001, 5, 64],
    ] as const) {
      for (const dtype of ['float32', 'float64'] as const) {
        check(threadedGemm, M, N, K, 'nn', 1, dtype, M + N + K);
        check(threadedGemm, M, N, K, 'tt', 0, dtype, M * N + K);
      }
    }
    // K = 0: C is zeros; M or N = 0: nothing written.
    for (const Arr of [Float32Array, Float64Array]) {
      const C = new Arr(6).fill(7);
      threadedGemm(2, 2, 0, new Arr(0), 0, 0, 1, new Arr(0), 0, 2, 1, C, 1);
      expect(Array.from(C)).toEqual([7, 0, 0, 0, 0, 7]);
      threadedGemm(0, 2, 3, new Arr(0), 0, 3, 1, new Arr(6), 0, 2, 1, C, 0);
      threadedGemm(2, 0, 3, new Arr(6), 0, 3, 1, new Arr(0), 0, 0, 1, C, 0);
      expect(Array.from(C)).toEqual([7, 0, 0, 0, 0, 7]);
    }
  });

  it('a narrow slice of a large operand (gathered, not copied whole) and broadcast rows (stride 0)', () => {
    setCpuThreads(1);
    const rnd = lcg(11);
    for (const Arr of [Float32Array, Float64Array]) {
      // A: 40×30 taken every 7th row and every 5th column of a 280×150 block.
      const big = new Arr(280 * 150).map(rnd);
      const B = new Arr(30 * 50).map(rnd);
      const C = new Arr(40 * 50);
      threadedGemm(40, 50, 30, big, 3, 7 * 150, 5, B, 0, 50, 1, C, 0);
      const want = reference(
        40,
        50,
        30,
        (i, k) => big[3 + i * 1050 + k * 5]!,
        (k, j) => B[k * 50 + j]!,
      );
      for (let x = 0; x < want.length; x++) expect(C[x]).toBeCloseTo(want[x]!, 4);
      // Every row of A is the same row (an expanded view): row stride 0.
      const row = new Arr(30).map(rnd);
      threadedGemm(40, 50, 30, row, 0, 0, 1, B, 0, 50, 1, C, 0);
      const w2 = reference(
        40,
        50,
        30,
        (_i, k) => row[k]!,
        (k, j) => B[k * 50 + j]!,
      );
      for (let x = 0; x < w2.length; x++) expect(C[x]).toBeCloseTo(w2[x]!, 4);
    }
  });

  it('gives bit-identical results on 1 to 4 threads, any dtype, strided operands, ragged row splits', () => {
    const cases: [number, number, number, 'float32' | 'float64' | 'int32', boolean, boolean][] = [
      [257, 130, 301, 'float32', false, false],
      [100, 517, 97, 'float64', true, false],
      [64, 300, 250, 'float32', false, true],
      [333, 64, 200, 'int32', true, true],
      [40, 4000, 40, 'float64', false, false],
      [513, 300, 290, 'float32', true, true],
      // Deep products, shared item by item in strips of B's columns narrower than N (a K×width
      // strip fits 8 MiB): several strips, a ragged last strip, a ragged last block of rows.
      [300, 601, 4000, 'float32', false, true],
      [201, 299, 4000, 'float64', true, false],
      // A few rows (batch-1 decoding): split by columns, B by rows (x·W) and by columns (x·Wᵀ).
      [1, 20000, 300, 'float32', false, false],
      [3, 9001, 700, 'float32', false, true],
      [5, 7000, 640, 'float64', true, false],
      [2, 12000, 400, 'float64', false, true],
      // Few columns (A read in place), rows split between threads.
      [1003, 12, 400, 'float32', false, false],
      [777, 10, 700, 'float64', true, true],
    ];
    const rnd = lcg(7);
    const failed0 = stats.failed;
    const done0 = stats.done;
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
      setCpuThreads(1);
      const one = new Arr(M * N);
      threadedGemm(M, N, K, A, 5, ars, acs, B, 3, brs, bcs, one, 0);
      const before = stats.done;
      for (const threads of [2, 3, 4]) {
        setCpuThreads(threads);
        expect(cpuThreads()).toBe(threads); // workers started (Node)
        const many = new Arr(M * N + 2);
        threadedGemm(M, N, K, A, 5, ars, acs, B, 3, brs, bcs, many, 1);
        expect(many[0]).toBe(0);
        expect(many[M * N + 1]).toBe(0);
        expect(Array.from(many.subarray(1, 1 + M * N))).toEqual(Array.from(one));
      }
      // The workers did part of every product (the TypeScript kernels split rows only, from 32).
      if (mode !== 'typescript' || dtype === 'int32' || M >= 32) {
        expect(stats.done - before, `${M}×${N}×${K} ${dtype}`).toBeGreaterThanOrEqual(3);
      }
    }
    // Narrow slices of large operands: the split operand is gathered block by block (rows of A,
    // columns of B), as the whole operand would have been; a B of a few columns split by columns.
    // Shared products stage A's rows while the workers run: gathered, and as a span with gaps.
    const strided: [number, number, number, number, number, number, number][] = [
      [600, 64, 128, 3000, 1, 64, 1], // A's rows 3000 apart: gathered
      [257, 200, 128, 131, 1, 200, 1], // A's rows 131 apart: one span, staged row block by row block
      [400, 90, 128, 1, 2500, 1, 2000], // A transposed and narrow, B transposed and narrow
      [4, 9000, 256, 256, 1, 1, 600], // few rows: split by columns of a gathered Bᵀ
    ];
    for (const [M, N, K, ars, acs, brs, bcs] of strided) {
      const A = new Float32Array((M - 1) * ars + (K - 1) * acs + 1).map(() => rnd());
      const B = new Float32Array((K - 1) * brs + (N - 1) * bcs + 1).map(() => rnd());
      setCpuThreads(1);
      const one = new Float32Array(M * N);
      threadedGemm(M, N, K, A, 0, ars, acs, B, 0, brs, bcs, one, 0);
      const want = reference(
        M,
        N,
        K,
        (i, k) => A[i * ars + k * acs]!,
        (k, j) => B[k * brs + j * bcs]!,
      );
      for (let i = 0; i < M * N; i++)
        if (!(Math.abs(one[i]! - want[i]!) <= 1e-4 * (1 + Math.abs(want[i]!))))
          expect.fail(`${M}×${N}×${K} strided: [${i}] ${one[i]} vs ${want[i]}`);
      // Other values where A is staged before each threaded product, and this thread holds the
      // staging of A back for 30 ms once the workers run: a worker that read rows of A before they
      // were staged would compute with these.
      const other = A.map(() => rnd());
      for (const threads of [2, 3]) {
        setCpuThreads(threads);
        threadedGemm(M, N, K, other, 0, ars, acs, B, 0, brs, bcs, new Float32Array(M * N), 0);
        const many = new Float32Array(M * N);
        hooks.beforeStagingA = () => {
          const until = performance.now() + 30;
          while (performance.now() < until);
        };
        try {
          threadedGemm(M, N, K, A, 0, ars, acs, B, 0, brs, bcs, many, 0);
        } finally {
          hooks.beforeStagingA = null;
        }
        for (let i = 0; i < M * N; i++)
          if (!Object.is(many[i], one[i]))
            expect.fail(`${M}×${N}×${K} strided, ${threads} threads: [${i}] ${many[i]} vs ${one[i]}`);
      }
    }
    // The split operand resident in the kernels' memory (read in place, block by block): A split
    // by rows, and B (xᵀ-like, few rows of A) split by columns.
    for (const [M, N, K, resident] of [
      [600, 64, 128, 'A'],
      [4, 9000, 256, 'B'],
    ] as const) {
      const A = kernelArray(M * K + 7, Float32Array);
      const B = kernelArray(K * N + 7, Float32Array);
      for (const x of [A, B]) for (let i = 0; i < x.length; i++) x[i] = rnd(); // map() would copy out
      const [a, b] = resident === 'A' ? [A, new Float32Array(B)] : [new Float32Array(A), B];
      setCpuThreads(1);
      const one = new Float32Array(M * N);
      threadedGemm(M, N, K, a, 7, K, 1, b, 7, N, 1, one, 0);
      const want = reference(
        M,
        N,
        K,
        (i, k) => a[7 + i * K + k]!,
        (k, j) => b[7 + k * N + j]!,
      );
      for (let i = 0; i < M * N; i++)
        if (!(Math.abs(one[i]! - want[i]!) <= 1e-4 * (1 + Math.abs(want[i]!))))
          expect.fail(`${M}×${N}×${K} resident ${resident}: [${i}] ${one[i]} vs ${want[i]}`);
      setCpuThreads(2);
      const two = new Float32Array(M * N);
      threadedGemm(M, N, K, a, 7, K, 1, b, 7, N, 1, two, 0);
      for (let i = 0; i < M * N; i++)
        if (!Object.is(two[i], one[i]))
          expect.fail(`resident ${resident}, 2 threads: [${i}] ${two[i]} vs ${one[i]}`);
      releaseKernelArray(A);
      releaseKernelArray(B);
    }
    // No block failed (a failed block would have been recomputed here, hiding it).
    expect(stats.failed).toBe(failed0);
    expect(stats.done).toBeGreaterThan(done0);
  });

  it('one thread when asked (LUMEN_NUM_THREADS=1 does the same)', () => {
    setCpuThreads(1);
    expect(cpuThreads()).toBe(1);
  });
});

describe.each(MODES.filter((m) => m !== 'typescript'))(
  'cpu gemm shared item by item (%s kernels)',
  (mode) => {
    beforeAll(() => forceKernels(mode));
    afterAll(() => forceKernels(null));
    afterEach(() => {
      setCpuThreads(null);
      hooks.brokenWorkerScratch = false;
      hooks.beforeStagingA = null;
    });

    it('recovers when a worker fails after taking an item: the product is computed again here, same bits', () => {
      for (const Arr of [Float32Array, Float64Array]) {
        const [M, N, K] = [300, 200, 300];
        const rnd = lcg(11);
        const A = new Arr(M * K).map(() => rnd());
        const B = new Arr(K * N).map(() => rnd());
        setCpuThreads(1);
        const one = new Arr(M * N);
        threadedGemm(M, N, K, A, 0, K, 1, B, 0, N, 1, one, 0);
        setCpuThreads(2);
        const failed0 = stats.failed;
        hooks.brokenWorkerScratch = true;
        // Hold this thread back so that the worker surely takes an item (and traps packing B for it).
        hooks.beforeStagingA = () => {
          const until = performance.now() + 200;
          while (performance.now() < until);
        };
        const two = new Arr(M * N);
        threadedGemm(M, N, K, A, 0, K, 1, B, 0, N, 1, two, 0);
        expect(stats.failed).toBe(failed0 + 1);
        expect(Array.from(two)).toEqual(Array.from(one));
        // The worker is still there for the next product.
        hooks.brokenWorkerScratch = false;
        hooks.beforeStagingA = null;
        const done0 = stats.done;
        const again = new Arr(M * N);
        threadedGemm(M, N, K, A, 0, K, 1, B, 0, N, 1, again, 0);
        expect(stats.done).toBe(done0 + 1);
        expect(Array.from(again)).toEqual(Array.from(one));
      }
    });
  },
);

describe('cpu gemm on worker threads (TypeScript kernels)', () => {
  beforeAll(() => forceKernels('typescript'));
  afterAll(() => forceKernels(null));
  afterEach(() => setCpuThreads(null));

  it('matches the single-thread TypeScript kernel bit for bit', () => {
    setCpuThreads(3);
    const [M, N, K] = [257, 130, 301];
    const A = Float32Array.from({ length: M * K }, (_, i) => Math.sin(i));
    const B = Float32Array.from({ length: K * N }, (_, i) => Math.cos(i));
    const one = new Float32Array(M * N);
    const many = new Float32Array(M * N);
    gemmSerial(M, N, K, A, 0, K, 1, B, 0, N, 1, one, 0);
    threadedGemm(M, N, K, A, 0, K, 1, B, 0, N, 1, many, 0);
    expect(Array.from(many)).toEqual(Array.from(one));
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
});

describe('WebAssembly kernel memory', () => {
  afterAll(() => forceKernels(null));

  it('grows once to the high-water mark and is reused: no growth over 10,000 products', () => {
    forceKernels('simd128');
    setCpuThreads(1);
    const rnd = lcg(5);
    const A = new Float32Array(64 * 48).map(rnd);
    const B = new Float32Array(48 * 80).map(rnd);
    const C = new Float32Array(64 * 80);
    threadedGemm(64, 80, 48, A, 0, 48, 1, B, 0, 80, 1, C, 0);
    const after1 = wasmMemoryBytes();
    expect(after1).toBeGreaterThan(0);
    for (let step = 0; step < 10_000; step++) {
      // Shapes vary as in a training step (forward, then both gradients).
      threadedGemm(64, 80, 48, A, 0, 48, 1, B, 0, 80, 1, C, 0);
      threadedGemm(64, 48, 80, C, 0, 80, 1, B, 0, 1, 80, A, 0);
      threadedGemm(48, 80, 64, A, 0, 1, 48, C, 0, 80, 1, B, 0);
    }
    expect(wasmMemoryBytes()).toBe(after1);
    setCpuThreads(null);
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

describe('gemm (the public low-level product on typed arrays)', () => {
  it('computes with layouts, and rejects bad arguments by name', async () => {
    const L = await import('../src/index.js');
    // out = x · wᵀ with w stored [n, k].
    const x = Float64Array.from([1, 2, 3, 4, 5, 6]); // 2×3
    const w = Float64Array.from([1, 0, 1, 0, 1, 0, 2, 2, 2, 1, 1, 1]); // 4×3
    const out = new Float64Array(2 * 4);
    L.gemm(2, 4, 3, x, { rowStride: 3 }, w, { rowStride: 1, colStride: 3 }, out);
    expect(Array.from(out)).toEqual([4, 2, 12, 6, 10, 5, 30, 15]);
    expect(() => L.gemm(2, 4, 3, x, { rowStride: 3 }, new Float32Array(12), { rowStride: 4 }, out)).toThrow(
      /gemm: b must be a Float64Array like c, got Float32Array/,
    );
    expect(() => L.gemm(2, 4, 4, x, { rowStride: 3 }, w, { rowStride: 4 }, out)).toThrow(
      /gemm: a \(2×4, offset 0, strides 3, 1\) reads elements 0\.\.6, outside its 6/,
    );
    expect(() => L.gemm(2, 4, 3, x, { rowStride: 3 }, w, { rowStride: 1, colStride: 3 }, out, 1)).toThrow(
      /c needs 9 elements/,
    );
    expect(() => L.gemm(-1, 4, 3, x, { rowStride: 3 }, w, { rowStride: 4 }, out)).toThrow(
      /m must be an integer >= 0, got -1/,
    );
    expect(() =>
      L.gemm(2, 4, 3, x, { rowStride: 3, row_stride: 3 } as never, w, { rowStride: 4 }, out),
    ).toThrow(/aLayout has an unknown key "row_stride"/);
  });
});
