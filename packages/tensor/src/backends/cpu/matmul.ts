import type { TypedArray } from '../../dtype.js';

export type GemmFn = (
  M: number,
  N: number,
  K: number,
  A: TypedArray,
  ao: number,
  ars: number,
  acs: number,
  B: TypedArray,
  bo: number,
  brs: number,
  bcs: number,
  C: TypedArray,
  co: number,
) => void;

/**
 * C[M,N] = A[M,K] · B[K,N] for strided A and B, written contiguously into C at offset `co`.
 *
 * Blocked GEMM in the style of BLIS: B is packed once per (kc × nc) block into 4-column panels, A
 * into 4-row panels, both as float64 (no float32→float64 conversion in the inner loop), and a 4×4
 * register-blocked micro-kernel accumulates 16 sums in locals. Packing also makes any stride
 * (transposed operands) cost the same as a contiguous one.
 *
 * Everything lives inside `makeGemm` and uses nothing outside it but Math and typed arrays, so the
 * same source (`makeGemm.toString()`) also runs in the worker threads of threads.ts.
 */
export function makeGemm(): GemmFn {
  /** Below this many multiply-adds, packing costs more than it saves (small layers, odd shapes). */
  const SMALL = 32 * 1024;
  const MR = 4;
  const NR = 4;
  const KC = 256;
  const MC = 64;
  const NC = 1024;
  /** Fewer rows of A than this take the unpacked row path when B's rows are contiguous (measured: 8 rows
   * 1.6× faster unpacked, 16 rows 1.3× slower). */
  const SKINNY = 12;

  let packA = new Float64Array(MC * KC);
  let packB = new Float64Array(KC * NC);
  let acc = new Float64Array(MR * NR);

  function gemm(
    M: number,
    N: number,
    K: number,
    A: TypedArray,
    ao: number,
    ars: number,
    acs: number,
    B: TypedArray,
    bo: number,
    brs: number,
    bcs: number,
    C: TypedArray,
    co: number,
  ): void {
    if (M === 0 || N === 0) return;
    if (K === 0) {
      C.fill(0, co, co + M * N);
      return;
    }
    if (M * N * K <= SMALL) {
      gemmSmall(M, N, K, A, ao, ars, acs, B, bo, brs, bcs, C, co);
      return;
    }
    // A few rows (a batch-1 token through a layer): packing B would cost as much as the product, so
    // stream B once in whichever direction it is contiguous.
    if (M < SKINNY && bcs === 1) {
      gemvRows(M, N, K, A, ao, ars, acs, B, bo, brs, C, co);
      return;
    }
    if (M < MR && brs === 1) {
      gemvDots(M, N, K, A, ao, ars, acs, B, bo, bcs, C, co);
      return;
    }
    if (packA.length < MC * KC) packA = new Float64Array(MC * KC);
    if (packB.length < KC * NC) packB = new Float64Array(KC * NC);
    if (acc.length < MR * NR) acc = new Float64Array(MR * NR);
    for (let jc = 0; jc < N; jc += NC) {
      const nc = Math.min(NC, N - jc);
      for (let pc = 0; pc < K; pc += KC) {
        const kc = Math.min(KC, K - pc);
        packPanelsB(B, bo + pc * brs + jc * bcs, brs, bcs, kc, nc, packB);
        const first = pc === 0;
        for (let ic = 0; ic < M; ic += MC) {
          const mc = Math.min(MC, M - ic);
          packPanelsA(A, ao + ic * ars + pc * acs, ars, acs, mc, kc, packA);
          for (let jr = 0; jr < nc; jr += NR) {
            const nr = Math.min(NR, nc - jr);
            const bOff = jr * kc;
            for (let ir = 0; ir < mc; ir += MR) {
              const mr = Math.min(MR, mc - ir);
              const cOff = co + (ic + ir) * N + jc + jr;
              if (mr === MR && nr === NR) micro4x4(kc, packA, ir * kc, packB, bOff, C, cOff, N, first);
              else microEdge(kc, mr, nr, packA, ir * kc, packB, bOff, C, cOff, N, first);
            }
          }
        }
      }
    }
  }

  /** Packs a kc×nc block of B into NR-wide column panels: panel p holds B[k][p*NR + c] at p*NR*kc + k*NR + c. */
  function packPanelsB(
    B: TypedArray,
    off: number,
    rs: number,
    cs: number,
    kc: number,
    nc: number,
    out: Float64Array,
  ): void {
    for (let j0 = 0; j0 < nc; j0 += NR) {
      const w = Math.min(NR, nc - j0);
      const base = j0 * kc;
      for (let k = 0; k < kc; k++) {
        const src = off + k * rs + j0 * cs;
        const dst = base + k * NR;
        let c = 0;
        for (; c < w; c++) out[dst + c] = B[src + c * cs]!;
        for (; c < NR; c++) out[dst + c] = 0;
      }
    }
  }

  /** Packs an mc×kc block of A into MR-tall row panels: panel p holds A[p*MR + r][k] at p*MR*kc + k*MR + r. */
  function packPanelsA(
    A: TypedArray,
    off: number,
    rs: number,
    cs: number,
    mc: number,
    kc: number,
    out: Float64Array,
  ): void {
    for (let i0 = 0; i0 < mc; i0 += MR) {
      const h = Math.min(MR, mc - i0);
      const base = i0 * kc;
      for (let r = 0; r < MR; r++) {
        if (r < h) {
          const src = off + (i0 + r) * rs;
          for (let k = 0; k < kc; k++) out[base + k * MR + r] = A[src + k * cs]!;
        } else {
          for (let k = 0; k < kc; k++) out[base + k * MR + r] = 0;
        }
      }
    }
  }

  function micro4x4(
    kc: number,
    a: Float64Array,
    ao: number,
    b: Float64Array,
    bo: number,
    C: TypedArray,
    co: number,
    ldc: number,
    first: boolean,
  ): void {
    let c00 = 0,
      c01 = 0,
      c02 = 0,
      c03 = 0;
    let c10 = 0,
      c11 = 0,
      c12 = 0,
      c13 = 0;
    let c20 = 0,
      c21 = 0,
      c22 = 0,
      c23 = 0;
    let c30 = 0,
      c31 = 0,
      c32 = 0,
      c33 = 0;
    let pa = ao;
    let pb = bo;
    for (let k = 0; k < kc; k++) {
      const a0 = a[pa]!,
        a1 = a[pa + 1]!,
        a2 = a[pa + 2]!,
        a3 = a[pa + 3]!;
      const b0 = b[pb]!,
        b1 = b[pb + 1]!,
        b2 = b[pb + 2]!,
        b3 = b[pb + 3]!;
      c00 += a0 * b0;
      c01 += a0 * b1;
      c02 += a0 * b2;
      c03 += a0 * b3;
      c10 += a1 * b0;
      c11 += a1 * b1;
      c12 += a1 * b2;
      c13 += a1 * b3;
      c20 += a2 * b0;
      c21 += a2 * b1;
      c22 += a2 * b2;
      c23 += a2 * b3;
      c30 += a3 * b0;
      c31 += a3 * b1;
      c32 += a3 * b2;
      c33 += a3 * b3;
      pa += 4;
      pb += 4;
    }
    let r = co;
    if (first) {
      C[r] = c00;
      C[r + 1] = c01;
      C[r + 2] = c02;
      C[r + 3] = c03;
      r += ldc;
      C[r] = c10;
      C[r + 1] = c11;
      C[r + 2] = c12;
      C[r + 3] = c13;
      r += ldc;
      C[r] = c20;
      C[r + 1] = c21;
      C[r + 2] = c22;
      C[r + 3] = c23;
      r += ldc;
      C[r] = c30;
      C[r + 1] = c31;
      C[r + 2] = c32;
      C[r + 3] = c33;
    } else {
      C[r] = C[r]! + c00;
      C[r + 1] = C[r + 1]! + c01;
      C[r + 2] = C[r + 2]! + c02;
      C[r + 3] = C[r + 3]! + c03;
      r += ldc;
      C[r] = C[r]! + c10;
      C[r + 1] = C[r + 1]! + c11;
      C[r + 2] = C[r + 2]! + c12;
      C[r + 3] = C[r + 3]! + c13;
      r += ldc;
      C[r] = C[r]! + c20;
      C[r + 1] = C[r + 1]! + c21;
      C[r + 2] = C[r + 2]! + c22;
      C[r + 3] = C[r + 3]! + c23;
      r += ldc;
      C[r] = C[r]! + c30;
      C[r + 1] = C[r + 1]! + c31;
      C[r + 2] = C[r + 2]! + c32;
      C[r + 3] = C[r + 3]! + c33;
    }
  }

  function microEdge(
    kc: number,
    mr: number,
    nr: number,
    a: Float64Array,
    ao: number,
    b: Float64Array,
    bo: number,
    C: TypedArray,
    co: number,
    ldc: number,
    first: boolean,
  ): void {
    acc.fill(0, 0, MR * NR);
    for (let k = 0; k < kc; k++) {
      const pa = ao + k * MR;
      const pb = bo + k * NR;
      for (let r = 0; r < mr; r++) {
        const av = a[pa + r]!;
        for (let c = 0; c < nr; c++) acc[r * NR + c]! += av * b[pb + c]!;
      }
    }
    for (let r = 0; r < mr; r++) {
      for (let c = 0; c < nr; c++) {
        const idx = co + r * ldc + c;
        C[idx] = first ? acc[r * NR + c]! : C[idx]! + acc[r * NR + c]!;
      }
    }
  }

  let rowAcc = new Float64Array(1024);

  /**
   * C[i,:] = Σ_k A[i,k]·B[k,:] for B with contiguous rows: four rows of B per pass into a float64
   * accumulator row (one rounding to C's dtype at the end, as the packed path does).
   */
  function gemvRows(
    M: number,
    N: number,
    K: number,
    A: TypedArray,
    ao: number,
    ars: number,
    acs: number,
    B: TypedArray,
    bo: number,
    brs: number,
    C: TypedArray,
    co: number,
  ): void {
    if (rowAcc.length < N) rowAcc = new Float64Array(N);
    const acc = rowAcc;
    for (let i = 0; i < M; i++) {
      acc.fill(0, 0, N);
      const ar = ao + i * ars;
      let k = 0;
      for (; k + 4 <= K; k += 4) {
        const a0 = A[ar + k * acs]!,
          a1 = A[ar + (k + 1) * acs]!,
          a2 = A[ar + (k + 2) * acs]!,
          a3 = A[ar + (k + 3) * acs]!;
        const b0 = bo + k * brs,
          b1 = b0 + brs,
          b2 = b1 + brs,
          b3 = b2 + brs;
        for (let j = 0; j < N; j++)
          acc[j]! += a0 * B[b0 + j]! + a1 * B[b1 + j]! + a2 * B[b2 + j]! + a3 * B[b3 + j]!;
      }
      for (; k < K; k++) {
        const a = A[ar + k * acs]!;
        const b = bo + k * brs;
        for (let j = 0; j < N; j++) acc[j]! += a * B[b + j]!;
      }
      const cr = co + i * N;
      for (let j = 0; j < N; j++) C[cr + j] = acc[j]!;
    }
  }

  /** C[i,j] = A[i,:]·B[:,j] for B with contiguous columns (x · Wᵀ): four partial sums per dot. */
  function gemvDots(
    M: number,
    N: number,
    K: number,
    A: TypedArray,
    ao: number,
    ars: number,
    acs: number,
    B: TypedArray,
    bo: number,
    bcs: number,
    C: TypedArray,
    co: number,
  ): void {
    let a = A;
    let aBase = ao;
    let aRow = ars;
    if (acs !== 1) {
      // Gather the few rows of A contiguously once, so the inner loop is two unit-stride streams.
      const g = new Float64Array(M * K);
      for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) g[i * K + k] = A[ao + i * ars + k * acs]!;
      a = g;
      aBase = 0;
      aRow = K;
    }
    for (let i = 0; i < M; i++) {
      const ar = aBase + i * aRow;
      const cr = co + i * N;
      for (let j = 0; j < N; j++) {
        const br = bo + j * bcs;
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0;
        let k = 0;
        for (; k + 4 <= K; k += 4) {
          s0 += a[ar + k]! * B[br + k]!;
          s1 += a[ar + k + 1]! * B[br + k + 1]!;
          s2 += a[ar + k + 2]! * B[br + k + 2]!;
          s3 += a[ar + k + 3]! * B[br + k + 3]!;
        }
        for (; k < K; k++) s0 += a[ar + k]! * B[br + k]!;
        C[cr + j] = s0 + s1 + (s2 + s3);
      }
    }
  }

  /** Dot-product form straight from the strided operands, for small products. */
  function gemmSmall(
    M: number,
    N: number,
    K: number,
    A: TypedArray,
    ao: number,
    ars: number,
    acs: number,
    B: TypedArray,
    bo: number,
    brs: number,
    bcs: number,
    C: TypedArray,
    co: number,
  ): void {
    for (let i = 0; i < M; i++) {
      const ar = ao + i * ars;
      const cr = co + i * N;
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let p = 0, pa = ar, pb = bo + j * bcs; p < K; p++, pa += acs, pb += brs) s += A[pa]! * B[pb]!;
        C[cr + j] = s;
      }
    }
  }

  return gemm;
}

/** The single-threaded GEMM of this thread. */
export const gemmSerial: GemmFn = makeGemm();
