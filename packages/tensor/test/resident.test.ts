import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { centerColumns, lloydStep, syrk } from '../src/backends/cpu/lowlevel.js';
import { setCpuThreads, stats, gemm as threadedGemm } from '../src/backends/cpu/threads.js';
import {
  kernelArray,
  releaseKernelArray,
  residentAddress,
  residentBytes,
} from '../src/backends/cpu/wasm/resident.js';
import { cpuKernels, forceKernels, wasmRuntime } from '../src/backends/cpu/wasm/runtime.js';

/**
 * Arrays that live in the cpu kernels' WebAssembly memory (kernelArray): the GEMM reads them in
 * place and must give the same bits as for a plain copy of them; the per-call staging area must
 * never overwrite them; and lloydStep (k-means' Lloyd iteration on the worker threads) against a
 * plain TypeScript loop, the same bits for 1 to 4 threads.
 */
function lcg(seed: number) {
  let state = seed || 1;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
}

describe('kernelArray (arrays resident in the cpu kernels memory)', () => {
  beforeAll(() => {
    forceKernels('simd128');
    expect(cpuKernels()).toBe('simd128');
  });
  afterAll(() => forceKernels(null));
  afterEach(() => setCpuThreads(null));

  it('lives in the kernels memory, zero-filled, reused first-fit after release', () => {
    const rt = wasmRuntime()!;
    const held0 = residentBytes();
    const a = kernelArray(1000, Float64Array);
    expect(a).toBeInstanceOf(Float64Array);
    expect(a.length).toBe(1000);
    expect(residentAddress(rt, a)).toBe(a.byteOffset);
    expect(residentAddress(rt, a.subarray(10, 20))).toBe(a.byteOffset + 80);
    expect(residentAddress(rt, new Float64Array(1000))).toBe(-1);
    a.fill(3);
    const b = kernelArray(10, Float32Array);
    expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + a.byteLength);
    releaseKernelArray(a);
    expect(residentAddress(rt, a)).toBe(-1); // given back: copied in like any array again
    const c = kernelArray(500, Float64Array);
    expect(c.byteOffset).toBe(a.byteOffset); // the first gap that fits
    expect(Array.from(c.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    c.fill(5);
    releaseKernelArray(c);
    const e = kernelArray(500, Float64Array, { zeroed: false }); // as torch.empty: not filled
    expect(e.byteOffset).toBe(a.byteOffset);
    expect(Array.from(e.subarray(0, 2))).toEqual([5, 5]);
    releaseKernelArray(e);
    releaseKernelArray(b);
    releaseKernelArray(b); // twice: ignored
    releaseKernelArray(new Float64Array(3)); // not one of ours: ignored
    expect(residentBytes()).toBe(held0);
  });

  it('keeps each runtime its own blocks when the kernels are replaced (tests switch modules)', () => {
    const held0 = residentBytes();
    const rt1 = wasmRuntime()!;
    const a = kernelArray(2000, Float64Array);
    a.fill(7);
    forceKernels('simd128', { fresh: true }); // a fresh runtime and memory; `a` stays live in the old one
    try {
      const rt2 = wasmRuntime()!;
      expect(rt2).not.toBe(rt1);
      const b = kernelArray(100, Float32Array);
      expect(residentBytes()).toBe(held0 + 16000 + 400); // both counted, neither forgotten
      expect(residentAddress(rt1, a)).toBe(a.byteOffset);
      expect(residentAddress(rt2, a)).toBe(-1);
      releaseKernelArray(a); // given back to the runtime it came from
      expect(residentBytes()).toBe(held0 + 400);
      expect(residentAddress(rt2, b)).toBe(b.byteOffset);
      releaseKernelArray(b);
      expect(residentBytes()).toBe(held0);
    } finally {
      forceKernels('simd128');
    }
  });

  it('rejects a bad length or type by name', () => {
    expect(() => kernelArray(-1, Float64Array)).toThrow(
      /kernelArray: length must be an integer >= 0, got -1/,
    );
    expect(() => kernelArray(1.5, Float64Array)).toThrow(/got 1.5/);
    expect(() => kernelArray(3, Float64Array, { zero: false } as never)).toThrow(
      /kernelArray: unknown option "zero"; the options are zeroed/,
    );
    expect(() => kernelArray(3, Float64Array, { zeroed: 0 } as never)).toThrow(
      /kernelArray: zeroed must be a boolean, got 0/,
    );
    expect(() => kernelArray(3, Int32Array as never)).toThrow(
      /kernelArray: type must be Float32Array or Float64Array, got Int32Array/,
    );
  });

  it('is a plain array where the TypeScript kernels run', () => {
    forceKernels('typescript');
    try {
      const a = kernelArray(100, Float64Array);
      expect(a.buffer).toBeInstanceOf(ArrayBuffer);
      expect(a.length).toBe(100);
      releaseKernelArray(a);
    } finally {
      forceKernels('simd128');
    }
  });

  it('gemm reads resident operands in place: the same bits as plain copies, any layout and thread count', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 90 }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom(Float32Array, Float64Array),
        fc.integer({ min: 1, max: 3 }),
        fc.integer(),
        (M, N, K, aT, bT, T, threads, seed) => {
          const rnd = lcg(seed);
          const a = new T(M * K + 3).map(rnd);
          const b = new T(K * N + 2).map(rnd);
          const ra = kernelArray(a.length, T);
          const rb = kernelArray(b.length, T);
          ra.set(a);
          rb.set(b);
          const [ars, acs] = aT ? [1, M] : [K, 1];
          const [brs, bcs] = bT ? [1, K] : [N, 1];
          try {
            setCpuThreads(1);
            const want = new T(M * N);
            threadedGemm(M, N, K, a, 3, ars, acs, b, 2, brs, bcs, want, 0);
            setCpuThreads(threads);
            const got = new T(M * N);
            threadedGemm(M, N, K, ra, 3, ars, acs, rb, 2, brs, bcs, got, 0);
            expect(Array.from(got)).toEqual(Array.from(want));
            // A resident subarray (a block of rows) too.
            if (!aT && M > 1) {
              const half = Math.floor(M / 2);
              const rows = M - half;
              const plain = new T(rows * N);
              threadedGemm(rows, N, K, a.subarray(3 + half * K), 0, K, 1, b, 2, brs, bcs, plain, 0);
              const part = new T(rows * N);
              threadedGemm(rows, N, K, ra.subarray(3 + half * K), 0, K, 1, rb, 2, brs, bcs, part, 0);
              expect(Array.from(part)).toEqual(Array.from(plain));
            }
          } finally {
            releaseKernelArray(ra);
            releaseKernelArray(rb);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('the staging area of later products never overwrites a resident array', () => {
    const rnd = lcg(11);
    const keep = kernelArray(5000, Float64Array);
    for (let i = 0; i < keep.length; i++) keep[i] = rnd();
    expect(residentAddress(wasmRuntime()!, keep)).toBe(keep.byteOffset);
    const copy = keep.slice();
    // Large products stage megabytes; the memory grows under the resident array.
    const A = new Float64Array(600 * 500).map(rnd);
    const B = new Float64Array(500 * 700).map(rnd);
    const C = new Float64Array(600 * 700);
    setCpuThreads(2);
    threadedGemm(600, 700, 500, A, 0, 500, 1, B, 0, 700, 1, C, 0);
    threadedGemm(600, 500, 700, C, 0, 700, 1, B, 0, 1, 700, A, 0);
    expect(Array.from(keep)).toEqual(Array.from(copy));
    const late = kernelArray(10, Float64Array); // allocated after growth: still valid views
    late.set(keep.subarray(0, 10));
    expect(Array.from(late)).toEqual(Array.from(copy.subarray(0, 10)));
    releaseKernelArray(late);
    releaseKernelArray(keep);
  });
});

/** scikit-learn's Lloyd step as a plain loop: labels by least |c|² − 2·x·c (first on ties), sums, counts. */
function lloydReference(n: number, d: number, k: number, x: Float64Array, centers: Float64Array) {
  const norms = new Float64Array(k);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) norms[c]! += centers[c * d + j]! ** 2;
  const labels = new Int32Array(n);
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestV = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += x[i * d + j]! * centers[c * d + j]!;
      const v = norms[c]! - 2 * dot;
      if (v < bestV) {
        bestV = v;
        best = c;
      }
    }
    labels[i] = best;
    counts[best]!++;
    for (let j = 0; j < d; j++) sums[best * d + j]! += x[i * d + j]!;
  }
  return { norms, labels, sums, counts };
}

describe('lloydStep (one k-means Lloyd iteration on the cpu kernels)', () => {
  beforeAll(() => forceKernels('simd128'));
  afterAll(() => forceKernels(null));
  afterEach(() => setCpuThreads(null));

  it('matches a plain loop, odd sizes, and the same bits on 1 to 4 threads', () => {
    // Well-separated integer clusters: every distance comparison is clear-cut, so labels must
    // match exactly; sums of small integers are exact in any order.
    const cases: [number, number, number][] = [
      [1, 1, 1],
      [3, 17, 2],
      [257, 3, 5],
      [1000, 31, 10],
      [2049, 64, 7],
      [5000, 9, 3],
    ];
    const rnd = lcg(3);
    const failed0 = stats.failed;
    for (const [n, d, k] of cases) {
      const centers = new Float64Array(k * d).map(() => Math.round(rnd() * 200));
      const x = kernelArray(n * d, Float64Array);
      for (let i = 0; i < n; i++) {
        const c = Math.floor((rnd() + 0.5) * k) % k;
        for (let j = 0; j < d; j++) x[i * d + j] = centers[c * d + j]! + Math.round(rnd() * 4);
      }
      try {
        const ref = lloydReference(n, d, k, x, centers);
        let first: [number[], number[], number[]] | null = null;
        for (const threads of [1, 2, 3, 4]) {
          setCpuThreads(threads);
          const labels = new Int32Array(n).fill(-1);
          const sums = new Float64Array(k * d).fill(9);
          const counts = new Float64Array(k).fill(9);
          expect(lloydStep(n, d, k, x, centers, ref.norms, labels, sums, counts)).toBe(true);
          expect(Array.from(labels), `${n}×${d} k=${k}`).toEqual(Array.from(ref.labels));
          expect(Array.from(counts)).toEqual(Array.from(ref.counts));
          expect(Array.from(sums)).toEqual(Array.from(ref.sums));
          const got: [number[], number[], number[]] = [
            Array.from(labels),
            Array.from(sums),
            Array.from(counts),
          ];
          if (first) expect(got).toEqual(first);
          else first = got;
        }
      } finally {
        releaseKernelArray(x);
      }
    }
    expect(stats.failed).toBe(failed0);
  });

  it('sums of random floats: within rounding of the plain loop, bit-identical across thread counts', () => {
    const n = 3001;
    const d = 50;
    const k = 6;
    const rnd = lcg(8);
    const x = kernelArray(n * d, Float64Array);
    for (let i = 0; i < x.length; i++) x[i] = rnd();
    const centers = new Float64Array(k * d).map(rnd);
    try {
      const ref = lloydReference(n, d, k, x, centers);
      let first: number[] | null = null;
      for (const threads of [1, 2, 4]) {
        setCpuThreads(threads);
        const labels = new Int32Array(n);
        const sums = new Float64Array(k * d);
        const counts = new Float64Array(k);
        lloydStep(n, d, k, x, centers, ref.norms, labels, sums, counts);
        // The dot products are computed in another order than the plain loop's: a near tie may
        // go either way, so compare labels where the margin is clear.
        expect(Array.from(counts).reduce((a, b) => a + b, 0)).toBe(n);
        const total = (s: ArrayLike<number>) => Array.from(s).reduce((a, b) => a + b, 0);
        expect(Math.abs(total(sums) - total(ref.sums))).toBeLessThan(1e-9);
        if (first) expect(Array.from(sums)).toEqual(first);
        else first = Array.from(sums);
      }
    } finally {
      releaseKernelArray(x);
    }
  });

  it('returns false (nothing done) for rows not in the kernels memory, and checks sizes by name', () => {
    const x = new Float64Array(20);
    const labels = new Int32Array(10).fill(-1);
    expect(
      lloydStep(
        10,
        2,
        1,
        x,
        new Float64Array(2),
        new Float64Array(1),
        labels,
        new Float64Array(2),
        new Float64Array(1),
      ),
    ).toBe(false);
    expect(labels[0]).toBe(-1);
    const r = kernelArray(20, Float64Array);
    try {
      expect(() =>
        lloydStep(
          10,
          2,
          2,
          r,
          new Float64Array(4),
          new Float64Array(2),
          new Int32Array(9),
          new Float64Array(4),
          new Float64Array(2),
        ),
      ).toThrow(/lloydStep: labels needs 10 elements, got 9/);
      expect(() =>
        lloydStep(
          10,
          2,
          0,
          r,
          new Float64Array(4),
          new Float64Array(2),
          new Int32Array(10),
          new Float64Array(4),
          new Float64Array(2),
        ),
      ).toThrow(/lloydStep: k must be an integer >= 1, got 0/);
    } finally {
      releaseKernelArray(r);
    }
  });
});

describe('syrk (Gram matrix aᵀ·a of resident rows)', () => {
  beforeAll(() => forceKernels('simd128'));
  afterAll(() => forceKernels(null));
  afterEach(() => setCpuThreads(null));

  it('matches a float64 triple loop (odd sizes, edge columns), symmetric, the same bits on 1 to 4 threads', () => {
    const rnd = lcg(17);
    const failed0 = stats.failed;
    for (const [m, n] of [
      [0, 3],
      [1, 1],
      [3, 5],
      [255, 4],
      [257, 17],
      [2048, 50],
      [5003, 9],
      [700, 0],
    ] as const) {
      const a = kernelArray(m * n, Float64Array);
      for (let i = 0; i < a.length; i++) a[i] = rnd() * 4;
      try {
        const want = new Float64Array(n * n);
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let k = 0; k < m; k++) s += a[k * n + i]! * a[k * n + j]!;
            want[i * n + j] = s;
          }
        let first: number[] | null = null;
        for (const threads of [1, 2, 3, 4]) {
          setCpuThreads(threads);
          const c = new Float64Array(n * n).fill(Number.NaN);
          expect(syrk(m, n, a, c)).toBe(true);
          for (let i = 0; i < n * n; i++) {
            if (!(Math.abs(c[i]! - want[i]!) <= 1e-12 * (1 + Math.abs(want[i]!))))
              expect.fail(`${m}×${n} [${i}]: ${c[i]} vs ${want[i]}`);
          }
          for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(c[i * n + j]).toBe(c[j * n + i]);
          if (first) expect(Array.from(c)).toEqual(first);
          else first = Array.from(c);
        }
      } finally {
        releaseKernelArray(a);
      }
    }
    expect(stats.failed).toBe(failed0);
  });

  it('returns false for rows not in the kernels memory, and checks its arguments by name', () => {
    expect(syrk(2, 2, new Float64Array(4), new Float64Array(4))).toBe(false);
    expect(() => syrk(2, 2, new Float64Array(3), new Float64Array(4))).toThrow(
      /syrk: a needs m·n = 4 elements, got 3/,
    );
    expect(() => syrk(2, 2, new Float64Array(4), new Float64Array(3))).toThrow(
      /syrk: c needs n·n = 4 elements, got 3/,
    );
    expect(() => syrk(-1, 2, new Float64Array(4), new Float64Array(4))).toThrow(
      /syrk: m must be an integer >= 0, got -1/,
    );
    expect(() => syrk(2, 2, new Float32Array(4) as never, new Float64Array(4))).toThrow(
      /syrk: a must be a Float64Array, got Float32Array/,
    );
  });
});

describe('centerColumns (column means, rows centred in place)', () => {
  beforeAll(() => forceKernels('simd128'));
  afterAll(() => forceKernels(null));

  it('gives the same bits as the plain loops (odd widths), and false for arrays not in the kernels memory', () => {
    const rnd = lcg(23);
    for (const [m, n] of [
      [1, 1],
      [3, 5],
      [1000, 7],
      [257, 50],
    ] as const) {
      const x = kernelArray(m * n, Float64Array);
      for (let i = 0; i < x.length; i++) x[i] = (rnd() + 0.3) * 1e3;
      const plain = x.slice();
      const wantMean = new Float64Array(n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) wantMean[j]! += plain[i * n + j]!;
      for (let j = 0; j < n; j++) wantMean[j]! /= m;
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) plain[i * n + j]! -= wantMean[j]!;
      try {
        const mean = new Float64Array(n);
        expect(centerColumns(m, n, x, mean)).toBe(true);
        expect(Array.from(mean)).toEqual(Array.from(wantMean));
        expect(Array.from(x)).toEqual(Array.from(plain));
      } finally {
        releaseKernelArray(x);
      }
    }
    const y = new Float64Array([1, 2, 3, 4]);
    expect(centerColumns(2, 2, y, new Float64Array(2))).toBe(false);
    expect(Array.from(y)).toEqual([1, 2, 3, 4]);
    expect(() => centerColumns(2, 2, y, new Float64Array(1))).toThrow(
      /centerColumns: mean needs n = 2 elements, got 1/,
    );
    expect(() => centerColumns(0, 2, y, new Float64Array(2))).toThrow(
      /centerColumns: m must be an integer >= 1, got 0/,
    );
  });
});
