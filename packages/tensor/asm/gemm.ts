// AssemblyScript: the cpu backend's GEMM as WebAssembly SIMD (compiled by scripts/build-wasm.mjs).
//
// C[M,N] = A[M,K] · B[K,N], BLIS-style. A and B are read through element strides from wherever the
// caller copied them into this module's memory (transposed operands are just other strides); C is
// written with row stride `ldc`. Each thread passes its own `scratch` region (scratchBytes) for the
// packed panels, so several threads can run on one shared memory at once.
//
// One source, two builds: SIMD128 (multiply then add) and relaxed SIMD (fused multiply-add where
// the hardware has it). Every element of C is computed by the same operations in the same order
// whichever tile, row block or thread it falls in: results do not depend on the thread count.
//
// Pointers are byte addresses; strides and sizes count elements. Accumulation is in T (f32 for
// f32 products, as PyTorch does).

/** Rows of the micro-tile. */
const MR: i32 = 4;
/** Products of at most this many multiply-adds skip packing. */
const SMALL: i32 = 4096;
/** Fewer rows than this take the unpacked (matrix-vector) paths when B has a unit stride. */
const SKINNY: i32 = 8;

// Block sizes per element size: the A block (MC×KC) stays in L2, one B panel (KC×NR) in L1.
@inline function KC<T>(): i32 {
  return sizeof<T>() == 4 ? 256 : 192;
}
@inline function MC<T>(): i32 {
  return sizeof<T>() == 4 ? 96 : 72;
}
@inline function NC<T>(): i32 {
  return sizeof<T>() == 4 ? 2048 : 1024;
}
/** Lanes of one v128, and columns of the micro-tile (two vectors). */
@inline function LANES<T>(): i32 {
  return 16 / sizeof<T>();
}
@inline function NR<T>(): i32 {
  return 32 / sizeof<T>();
}

/** Bytes of scratch one thread needs for products of element size `bytes` (4 or 8). */
export function scratchBytes(bytes: i32): i32 {
  return bytes == 4 ? scratchOf<f32>() : scratchOf<f64>();
}
@inline function scratchOf<T>(): i32 {
  return (MC<T>() * KC<T>() + KC<T>() * NC<T>() + MR * NR<T>()) * sizeof<T>();
}

@inline function splat<T>(p: usize): v128 {
  if (sizeof<T>() == 4) return v128.load32_splat(p);
  return v128.load64_splat(p);
}
@inline function zero<T>(): v128 {
  return v128.splat<T>(0);
}
@inline function madd<T>(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return v128.relaxed_madd<T>(a, b, c);
  return v128.add<T>(c, v128.mul<T>(a, b));
}

export function gemm_f32(
  M: i32, N: i32, K: i32,
  a: usize, ars: i32, acs: i32,
  b: usize, brs: i32, bcs: i32,
  c: usize, ldc: i32, scratch: usize,
): void {
  gemm<f32>(M, N, K, a, ars, acs, b, brs, bcs, c, ldc, scratch);
}
export function gemm_f64(
  M: i32, N: i32, K: i32,
  a: usize, ars: i32, acs: i32,
  b: usize, brs: i32, bcs: i32,
  c: usize, ldc: i32, scratch: usize,
): void {
  gemm<f64>(M, N, K, a, ars, acs, b, brs, bcs, c, ldc, scratch);
}
/** The packed path whatever the shape: what worker threads run on their rows of a packed product. */
export function gemm_packed_f32(
  M: i32, N: i32, K: i32,
  a: usize, ars: i32, acs: i32,
  b: usize, brs: i32, bcs: i32,
  c: usize, ldc: i32, scratch: usize,
): void {
  packed<f32>(M, N, K, a, ars, acs, b, brs, bcs, c, ldc, scratch);
}
export function gemm_packed_f64(
  M: i32, N: i32, K: i32,
  a: usize, ars: i32, acs: i32,
  b: usize, brs: i32, bcs: i32,
  c: usize, ldc: i32, scratch: usize,
): void {
  packed<f64>(M, N, K, a, ars, acs, b, brs, bcs, c, ldc, scratch);
}
/**
 * The skinny paths whatever the size: what threads run on their columns of a product of few rows
 * (B with unit column stride: rows; else unit row stride: dots), so that a short last block takes
 * the same path as the whole product on one thread.
 */
export function gemm_skinny_f32(
  M: i32, N: i32, K: i32,
  a: usize, ars: i32, acs: i32,
  b: usize, brs: i32, bcs: i32,
  c: usize, ldc: i32, scratch: usize,
): void {
  if (bcs == 1) rows<f32>(M, N, K, a, ars, acs, b, brs, c, ldc);
  else dots<f32>(M, N, K, a, ars, acs, b, bcs, c, ldc, scratch);
}
export function gemm_skinny_f64(
  M: i32, N: i32, K: i32,
  a: usize, ars: i32, acs: i32,
  b: usize, brs: i32, bcs: i32,
  c: usize, ldc: i32, scratch: usize,
): void {
  if (bcs == 1) rows<f64>(M, N, K, a, ars, acs, b, brs, c, ldc);
  else dots<f64>(M, N, K, a, ars, acs, b, bcs, c, ldc, scratch);
}
/** 0 = small (unpacked dots), 1 = rows (B rows contiguous), 2 = dots (B columns contiguous), 3 = packed. */
export function gemmPath(M: i32, N: i32, K: i32, brs: i32, bcs: i32): i32 {
  if (<i64>M * <i64>N * <i64>K <= <i64>SMALL) return 0;
  if (M < SKINNY && bcs == 1) return 1;
  if (M < SKINNY && brs == 1) return 2;
  return 3;
}

@inline function gemm<T>(
  M: i32, N: i32, K: i32,
  a: usize, ars: i32, acs: i32,
  b: usize, brs: i32, bcs: i32,
  c: usize, ldc: i32, scratch: usize,
): void {
  if (M == 0 || N == 0) return;
  if (K == 0) {
    for (let i = 0; i < M; i++) memory.fill(c + <usize>(i * ldc) * sizeof<T>(), 0, <usize>N * sizeof<T>());
    return;
  }
  const path = gemmPath(M, N, K, brs, bcs);
  if (path == 0) small<T>(M, N, K, a, ars, acs, b, brs, bcs, c, ldc);
  else if (path == 1) rows<T>(M, N, K, a, ars, acs, b, brs, c, ldc);
  else if (path == 2) dots<T>(M, N, K, a, ars, acs, b, bcs, c, ldc, scratch);
  else packed<T>(M, N, K, a, ars, acs, b, brs, bcs, c, ldc, scratch);
}

/** Dot products straight from the strided operands. */
function small<T>(
  M: i32, N: i32, K: i32,
  a: usize, ars: i32, acs: i32,
  b: usize, brs: i32, bcs: i32,
  c: usize, ldc: i32,
): void {
  const E = sizeof<T>();
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s: T = 0;
      let pa = a + <usize>(i * ars) * E;
      let pb = b + <usize>(j * bcs) * E;
      for (let k = 0; k < K; k++) {
        s += load<T>(pa) * load<T>(pb);
        pa += <usize>acs * E;
        pb += <usize>brs * E;
      }
      store<T>(c + <usize>(i * ldc + j) * E, s);
    }
  }
}

/**
 * A few rows times B with contiguous rows: C[i,:] = Σ_k A[i,k]·B[k,:], accumulated in C's row,
 * two rows of B per pass (B streams through once per row of A, at memory speed).
 */
function rows<T>(
  M: i32, N: i32, K: i32,
  a: usize, ars: i32, acs: i32,
  b: usize, brs: i32,
  c: usize, ldc: i32,
): void {
  const E = <usize>sizeof<T>();
  const L = LANES<T>();
  const nv = N - (N % (2 * L));
  for (let i = 0; i < M; i++) {
    const cr = c + <usize>(i * ldc) * E;
    memory.fill(cr, 0, <usize>N * E);
    const ar = a + <usize>(i * ars) * E;
    let k = 0;
    for (; k + 2 <= K; k += 2) {
      const x0 = splat<T>(ar + <usize>(k * acs) * E);
      const x1 = splat<T>(ar + <usize>((k + 1) * acs) * E);
      const b0 = b + <usize>(k * brs) * E;
      const b1 = b0 + <usize>brs * E;
      let j = 0;
      for (; j < nv; j += 2 * L) {
        const o = <usize>j * E;
        let s0 = v128.load(cr + o);
        let s1 = v128.load(cr + o, 16);
        s0 = madd<T>(x0, v128.load(b0 + o), s0);
        s1 = madd<T>(x0, v128.load(b0 + o, 16), s1);
        s0 = madd<T>(x1, v128.load(b1 + o), s0);
        s1 = madd<T>(x1, v128.load(b1 + o, 16), s1);
        v128.store(cr + o, s0);
        v128.store(cr + o, s1, 16);
      }
      const y0 = load<T>(ar + <usize>(k * acs) * E);
      const y1 = load<T>(ar + <usize>((k + 1) * acs) * E);
      for (; j < N; j++) {
        const o = <usize>j * E;
        let s = load<T>(cr + o);
        s = fma1<T>(y0, load<T>(b0 + o), s);
        s = fma1<T>(y1, load<T>(b1 + o), s);
        store<T>(cr + o, s);
      }
    }
    for (; k < K; k++) {
      const x0 = splat<T>(ar + <usize>(k * acs) * E);
      const b0 = b + <usize>(k * brs) * E;
      let j = 0;
      for (; j < nv; j += 2 * L) {
        const o = <usize>j * E;
        v128.store(cr + o, madd<T>(x0, v128.load(b0 + o), v128.load(cr + o)));
        v128.store(cr + o, madd<T>(x0, v128.load(b0 + o, 16), v128.load(cr + o, 16)), 16);
      }
      const y0 = load<T>(ar + <usize>(k * acs) * E);
      for (; j < N; j++) {
        const o = <usize>j * E;
        store<T>(cr + o, fma1<T>(y0, load<T>(b0 + o), load<T>(cr + o)));
      }
    }
  }
}

/**
 * Scalar multiply-add that rounds as one lane of `madd` does: relaxed_madd may fuse, so the
 * scalar tail goes through a vector too (only in the relaxed build).
 */
@inline function fma1<T>(x: T, y: T, s: T): T {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return v128.extract_lane<T>(madd<T>(v128.splat<T>(x), v128.splat<T>(y), v128.splat<T>(s)), 0);
  }
  return s + x * y;
}

/**
 * A few rows times B with contiguous columns (x·Wᵀ): C[i,j] = A[i,:]·B[:,j] with 4 vector
 * partial sums. A's rows are first made contiguous in scratch when they are not.
 */
function dots<T>(
  M: i32, N: i32, K: i32,
  a: usize, ars: i32, acs: i32,
  b: usize, bcs: i32,
  c: usize, ldc: i32, scratch: usize,
): void {
  const E = <usize>sizeof<T>();
  const L = LANES<T>();
  let ap = a;
  let arow = ars;
  if (acs != 1) {
    for (let i = 0; i < M; i++)
      for (let k = 0; k < K; k++)
        store<T>(scratch + <usize>(i * K + k) * E, load<T>(a + <usize>(i * ars + k * acs) * E));
    ap = scratch;
    arow = K;
  }
  const kv = K - (K % (4 * L));
  for (let i = 0; i < M; i++) {
    const ar = ap + <usize>(i * arow) * E;
    const cr = c + <usize>(i * ldc) * E;
    for (let j = 0; j < N; j++) {
      const br = b + <usize>(j * bcs) * E;
      let s0 = zero<T>();
      let s1 = zero<T>();
      let s2 = zero<T>();
      let s3 = zero<T>();
      let k = 0;
      for (; k < kv; k += 4 * L) {
        const o = <usize>k * E;
        s0 = madd<T>(v128.load(ar + o), v128.load(br + o), s0);
        s1 = madd<T>(v128.load(ar + o, 16), v128.load(br + o, 16), s1);
        s2 = madd<T>(v128.load(ar + o, 32), v128.load(br + o, 32), s2);
        s3 = madd<T>(v128.load(ar + o, 48), v128.load(br + o, 48), s3);
      }
      const v = v128.add<T>(v128.add<T>(s0, s1), v128.add<T>(s2, s3));
      let s: T = v128.extract_lane<T>(v, 0) + v128.extract_lane<T>(v, 1);
      if (L == 4) s += v128.extract_lane<T>(v, 2) + v128.extract_lane<T>(v, 3);
      for (; k < K; k++) s = fma1<T>(load<T>(ar + <usize>k * E), load<T>(br + <usize>k * E), s);
      store<T>(cr + <usize>j * E, s);
    }
  }
}

/**
 * A product with few columns (16: KMeans' distances to k centres, PCA's sketch) uses each element
 * of A only once or twice: `packed`'s micro-kernel then reads A where it is instead of packing it,
 * except for a last tile of fewer than MR rows, which is packed (zero-padded) as usual.
 */
@inline function readsAInPlace<T>(N: i32): bool {
  return N <= (sizeof<T>() == 8 ? 4 : 2) * NR<T>();
}

function packed<T>(
  M: i32, N: i32, K: i32,
  a: usize, ars: i32, acs: i32,
  b: usize, brs: i32, bcs: i32,
  c: usize, ldc: i32, scratch: usize,
): void {
  if (M == 0 || N == 0) return;
  const E = <usize>sizeof<T>();
  const kcMax = KC<T>();
  const mcMax = MC<T>();
  const ncMax = NC<T>();
  const nr = NR<T>();
  const packA = scratch;
  const packB = packA + <usize>(mcMax * kcMax) * E;
  const tile = packB + <usize>(kcMax * ncMax) * E;
  for (let jc = 0; jc < N; jc += ncMax) {
    const nc = min(ncMax, N - jc);
    for (let pc = 0; pc < K; pc += kcMax) {
      const kc = min(kcMax, K - pc);
      packPanelsB<T>(b + <usize>(pc * brs + jc * bcs) * E, brs, bcs, kc, nc, packB);
      const first = pc == 0;
      const direct = readsAInPlace<T>(N);
      for (let ic = 0; ic < M; ic += mcMax) {
        const mc = min(mcMax, M - ic);
        const aBlock = a + <usize>(ic * ars + pc * acs) * E;
        if (!direct) packPanelsA<T>(aBlock, ars, acs, mc, kc, packA);
        else if (mc % MR != 0) {
          // Only the last, partial tile's rows, packed at its place in packA.
          const r0 = mc - (mc % MR);
          packPanelsA<T>(aBlock + <usize>(r0 * ars) * E, ars, acs, mc - r0, kc, packA + <usize>(r0 * kc) * E);
        }
        for (let jr = 0; jr < nc; jr += nr) {
          const w = min(nr, nc - jr);
          const pb = packB + <usize>(jr * kc) * E;
          for (let ir = 0; ir < mc; ir += MR) {
            const h = min(MR, mc - ir);
            const co = c + <usize>((ic + ir) * ldc + jc + jr) * E;
            // A(r, k) is in packed panels (at r·E + k·MR·E: constants, the fast kernel) or read in
            // place (r·ars·E + k·acs·E); each call site gets its own inlined copy of the kernel.
            const fromA = direct && h == MR;
            const pa = fromA ? aBlock + <usize>(ir * ars) * E : packA + <usize>(ir * kc) * E;
            const ldcB = <usize>ldc * E;
            if (h == MR && w == nr) {
              if (fromA) micro<T>(kc, pa, <usize>ars * E, <usize>acs * E, pb, co, ldcB, first);
              else microPacked<T>(kc, pa, pb, co, ldcB, first);
            } else {
              // Edge tile: the same kernel into a scratch tile, then the valid part into C, so every
              // element is computed exactly as in a full tile. A panel of at most one vector's
              // columns (N = 10 in f64: panels of 4, 4 and 2) runs the kernel's left half only:
              // each lane gets the same operations either way.
              if (w <= LANES<T>()) microHalf<T>(kc, pa, fromA ? <usize>ars * E : E, fromA ? <usize>acs * E : <usize>MR * E, pb, tile);
              else if (fromA) micro<T>(kc, pa, <usize>ars * E, <usize>acs * E, pb, tile, <usize>nr * E, true);
              else microPacked<T>(kc, pa, pb, tile, <usize>nr * E, true);
              tileInto<T>(tile, co, ldc, h, w, first);
            }
          }
        }
      }
    }
  }
}

/**
 * The MR×NR micro-kernel: 4 rows × 2 vectors of accumulators, over one packed B panel and A(r, k)
 * at pa + r·rowStep + k·kStep (A read in place; a packed A panel goes to microPacked).
 */
@inline function micro<T>(
  kc: i32, pa: usize, rowStep: usize, kStep: usize, pb: usize, c: usize, ldc: usize, first: bool,
): void {
  const E = <usize>sizeof<T>();
  let c00 = zero<T>();
  let c01 = zero<T>();
  let c10 = zero<T>();
  let c11 = zero<T>();
  let c20 = zero<T>();
  let c21 = zero<T>();
  let c30 = zero<T>();
  let c31 = zero<T>();
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let x = splat<T>(pa);
    c00 = madd<T>(x, b0, c00);
    c01 = madd<T>(x, b1, c01);
    x = splat<T>(pa + rowStep);
    c10 = madd<T>(x, b0, c10);
    c11 = madd<T>(x, b1, c11);
    x = splat<T>(pa + 2 * rowStep);
    c20 = madd<T>(x, b0, c20);
    c21 = madd<T>(x, b1, c21);
    x = splat<T>(pa + 3 * rowStep);
    c30 = madd<T>(x, b0, c30);
    c31 = madd<T>(x, b1, c31);
    pa += kStep;
    pb += 32;
  }
  storeTile<T>(c, ldc, first, c00, c01, c10, c11, c20, c21, c30, c31);
}

/**
 * The left half of micro() (4 rows × 1 vector of accumulators) into an edge tile (row stride NR):
 * A(r, k) at pa + r·rowStep + k·kStep (a packed panel: E and MR·E). For an edge panel of at most
 * one vector's columns, half the work of the full kernel.
 */
@inline function microHalf<T>(kc: i32, pa: usize, rowStep: usize, kStep: usize, pb: usize, tile: usize): void {
  const E = <usize>sizeof<T>();
  let c0 = zero<T>();
  let c1 = zero<T>();
  let c2 = zero<T>();
  let c3 = zero<T>();
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    c0 = madd<T>(splat<T>(pa), b0, c0);
    c1 = madd<T>(splat<T>(pa + rowStep), b0, c1);
    c2 = madd<T>(splat<T>(pa + 2 * rowStep), b0, c2);
    c3 = madd<T>(splat<T>(pa + 3 * rowStep), b0, c3);
    pa += kStep;
    pb += 32;
  }
  const row = <usize>NR<T>() * E;
  v128.store(tile, c0);
  v128.store(tile + row, c1);
  v128.store(tile + 2 * row, c2);
  v128.store(tile + 3 * row, c3);
}

/**
 * micro() for a packed A panel, with A's four rows at constant offsets. A separate copy on purpose:
 * with the steps as arguments, Binaryen folds the inlined call sites into one loop that computes
 * every address (measured 6–7% slower, f32 and f64).
 */
@inline function microPacked<T>(
  kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, first: bool,
): void {
  const E = <usize>sizeof<T>();
  let c00 = zero<T>();
  let c01 = zero<T>();
  let c10 = zero<T>();
  let c11 = zero<T>();
  let c20 = zero<T>();
  let c21 = zero<T>();
  let c30 = zero<T>();
  let c31 = zero<T>();
  const end = pb + <usize>kc * 32;
  while (pb < end) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let x0: v128, x1: v128, x2: v128, x3: v128;
    if (sizeof<T>() == 4) {
      x0 = v128.load32_splat(pa);
      x1 = v128.load32_splat(pa, 4);
      x2 = v128.load32_splat(pa, 8);
      x3 = v128.load32_splat(pa, 12);
    } else {
      x0 = v128.load64_splat(pa);
      x1 = v128.load64_splat(pa, 8);
      x2 = v128.load64_splat(pa, 16);
      x3 = v128.load64_splat(pa, 24);
    }
    c00 = madd<T>(x0, b0, c00);
    c01 = madd<T>(x0, b1, c01);
    c10 = madd<T>(x1, b0, c10);
    c11 = madd<T>(x1, b1, c11);
    c20 = madd<T>(x2, b0, c20);
    c21 = madd<T>(x2, b1, c21);
    c30 = madd<T>(x3, b0, c30);
    c31 = madd<T>(x3, b1, c31);
    pa += 4 * E;
    pb += 32;
  }
  storeTile<T>(c, ldc, first, c00, c01, c10, c11, c20, c21, c30, c31);
}

/**
 * An edge tile's valid h×w part (computed in full into `tile`, NR wide) written (first K block) or
 * added (later ones) into C at c, row stride ldc elements: as storeTile does for a full tile.
 */
@inline function tileInto<T>(tile: usize, c: usize, ldc: i32, h: i32, w: i32, first: bool): void {
  const E = <usize>sizeof<T>();
  for (let r = 0; r < h; r++) {
    const cr = c + <usize>(r * ldc) * E;
    const tr = tile + <usize>(r * NR<T>()) * E;
    for (let x = 0; x < w; x++) {
      const o = <usize>x * E;
      if (first) store<T>(cr + o, load<T>(tr + o));
      else store<T>(cr + o, load<T>(cr + o) + load<T>(tr + o));
    }
  }
}

/** Writes (first) or adds (later K blocks) a 4×2-vector tile of accumulators into C at c. */
@inline function storeTile<T>(
  c: usize, ldc: usize, first: bool,
  c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128,
): void {
  let p = c;
  if (!first) {
    c00 = v128.add<T>(v128.load(p), c00);
    c01 = v128.add<T>(v128.load(p, 16), c01);
  }
  v128.store(p, c00);
  v128.store(p, c01, 16);
  p += ldc;
  if (!first) {
    c10 = v128.add<T>(v128.load(p), c10);
    c11 = v128.add<T>(v128.load(p, 16), c11);
  }
  v128.store(p, c10);
  v128.store(p, c11, 16);
  p += ldc;
  if (!first) {
    c20 = v128.add<T>(v128.load(p), c20);
    c21 = v128.add<T>(v128.load(p, 16), c21);
  }
  v128.store(p, c20);
  v128.store(p, c21, 16);
  p += ldc;
  if (!first) {
    c30 = v128.add<T>(v128.load(p), c30);
    c31 = v128.add<T>(v128.load(p, 16), c31);
  }
  v128.store(p, c30);
  v128.store(p, c31, 16);
}

/** Packs a kc×nc block of B into NR-wide column panels: panel p holds B[k][p·NR + x] at p·NR·kc + k·NR + x. */
function packPanelsB<T>(b: usize, rs: i32, cs: i32, kc: i32, nc: i32, out: usize): void {
  const E = <usize>sizeof<T>();
  const nr = NR<T>();
  for (let j0 = 0; j0 < nc; j0 += nr) {
    const w = min(nr, nc - j0);
    let dst = out + <usize>(j0 * kc) * E;
    if (w == nr && cs == 1) {
      let src = b + <usize>j0 * E;
      for (let k = 0; k < kc; k++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        src += <usize>rs * E;
        dst += 32;
      }
    } else if (w == nr && rs == 1) {
      // B's columns are contiguous (x·Wᵀ): read each column once, write it strided into the panel.
      for (let x = 0; x < nr; x++) {
        const src = b + <usize>((j0 + x) * cs) * E;
        const d = dst + <usize>x * E;
        for (let k = 0; k < kc; k++) store<T>(d + <usize>(k * nr) * E, load<T>(src + <usize>k * E));
      }
    } else {
      for (let k = 0; k < kc; k++) {
        const src = b + <usize>(k * rs + j0 * cs) * E;
        let x = 0;
        for (; x < w; x++) store<T>(dst + <usize>x * E, load<T>(src + <usize>(x * cs) * E));
        for (; x < nr; x++) store<T>(dst + <usize>x * E, 0);
        dst += <usize>nr * E;
      }
    }
  }
}

/** Packs an mc×kc block of A into MR-tall row panels: panel p holds A[p·MR + r][k] at p·MR·kc + k·MR + r. */
function packPanelsA<T>(a: usize, rs: i32, cs: i32, mc: i32, kc: i32, out: usize): void {
  const E = <usize>sizeof<T>();
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const h = min(MR, mc - i0);
    const base = out + <usize>(i0 * kc) * E;
    if (h == MR) {
      const s0 = a + <usize>(i0 * rs) * E;
      const s1 = s0 + <usize>rs * E;
      const s2 = s1 + <usize>rs * E;
      const s3 = s2 + <usize>rs * E;
      let dst = base;
      for (let k = 0; k < kc; k++) {
        const o = <usize>(k * cs) * E;
        store<T>(dst, load<T>(s0 + o));
        store<T>(dst + E, load<T>(s1 + o));
        store<T>(dst + 2 * E, load<T>(s2 + o));
        store<T>(dst + 3 * E, load<T>(s3 + o));
        dst += 4 * E;
      }
    } else {
      for (let r = 0; r < MR; r++) {
        const src = a + <usize>((i0 + r) * rs) * E;
        for (let k = 0; k < kc; k++) {
          const d = base + <usize>(k * MR + r) * E;
          if (r < h) store<T>(d, load<T>(src + <usize>(k * cs) * E));
          else store<T>(d, 0);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Dynamically shared products: threads take blocks of C as they go, so a slower thread does less.
//
// C is cut into items of DYN_ROWS rows × one strip of columns; the items are numbered strip by
// strip and each thread takes the next one from a counter in shared memory until none is left. A
// thread packs a strip of B (all of K, `dynWidth` columns) into its scratch when it takes its first
// item of that strip, packs the item's rows of A per K block, and runs the packed micro-kernel:
// every element of C gets the same operations in the same order as in `packed`, whichever thread
// and item it falls in, so the bits do not depend on the thread count or on who took what.
//
// `work` holds the counter (i32), the number of row blocks per strip (i32), the rows of A staged so
// far (i32: the caller copies A in while the workers pack B; an item waits until its rows are in),
// the blocks' first rows (block count + 1 i32s, ascending from 0 to M, each block at most dynRows
// rows, every start but M a multiple of MR), then one i32 per item, set to 1 once the item's block
// of C is written (the caller copies finished blocks out while others are still being computed).
// The blocking of rows changes which item an element falls in, never how it is computed.
//
// A thread's scratch starts with two i32s of its own: the strip of B its scratch holds (-1: none
// yet) and whether to return after one item (the caller, which copies finished blocks out between
// its items), then the A block, the strip of B and an edge tile.

/** The most rows of C per item (one A block). */
export function dynRows(bytes: i32): i32 {
  return bytes == 4 ? MC<f32>() : MC<f64>();
}
/** Elements of a packed strip of B (8 MiB): K × width for the widest strip that fits. */
@inline function DYN<T>(): i32 {
  return sizeof<T>() == 4 ? 1 << 21 : 1 << 20;
}
/** Columns of C per strip: at most NC, and a K×width packed strip of B fits in DYN elements. */
export function dynWidth(K: i32, bytes: i32): i32 {
  return bytes == 4 ? widthOf<f32>(K) : widthOf<f64>(K);
}
@inline function widthOf<T>(K: i32): i32 {
  const nr = NR<T>();
  const fit = DYN<T>() / max(K, 1);
  return min(NC<T>(), max(nr, fit - (fit % nr)));
}
/** Bytes at the start of a gemm_dyn scratch for the thread's own words (64: the rest stays aligned). */
const DYN_HEAD: i32 = 64;
/** Bytes of scratch one thread needs for gemm_dyn at depth K: its words, an A block, a strip of B, a tile. */
export function dynScratchBytes(K: i32, bytes: i32): i32 {
  return bytes == 4 ? dynScratchOf<f32>(K) : dynScratchOf<f64>(K);
}
@inline function dynScratchOf<T>(K: i32): i32 {
  return DYN_HEAD + (MC<T>() * KC<T>() + K * widthOf<T>(K) + MR * NR<T>()) * sizeof<T>();
}
/**
 * Whether a packed product of N columns and depth K runs dynamically shared: not one that `packed`
 * computes reading A in place (few columns), and a strip of NR columns over all of K must fit.
 */
export function dynPath(N: i32, K: i32, bytes: i32): bool {
  return bytes == 4 ? dynOk<f32>(N, K) : dynOk<f64>(N, K);
}
@inline function dynOk<T>(N: i32, K: i32): bool {
  return !readsAInPlace<T>(N) && <i64>K * NR<T>() <= <i64>DYN<T>();
}

export function gemm_dyn_f32(
  M: i32, N: i32, K: i32,
  a: usize, ars: i32, acs: i32,
  b: usize, brs: i32, bcs: i32,
  c: usize, scratch: usize, work: usize,
): i32 {
  return dyn<f32>(M, N, K, a, ars, acs, b, brs, bcs, c, scratch, work);
}
export function gemm_dyn_f64(
  M: i32, N: i32, K: i32,
  a: usize, ars: i32, acs: i32,
  b: usize, brs: i32, bcs: i32,
  c: usize, scratch: usize, work: usize,
): i32 {
  return dyn<f64>(M, N, K, a, ars, acs, b, brs, bcs, c, scratch, work);
}

/** Takes the next item number (an atomic add where threads share the memory). */
@inline function takeItem(work: usize): i32 {
  if (ASC_FEATURE_THREADS) return atomic.add<i32>(work, 1);
  const i = load<i32>(work);
  store<i32>(work, i + 1);
  return i;
}
/** Waits until the caller has staged A's first `rows` rows (it notifies as it goes; the timeout only re-checks). */
@inline function waitStaged(work: usize, rows: i32): void {
  if (!ASC_FEATURE_THREADS) return; // one thread: the caller staged everything first
  for (;;) {
    const staged = atomic.load<i32>(work, 8);
    if (staged >= rows) return;
    atomic.wait<i32>(work + 8, staged, 1_000_000);
  }
}
@inline function markDone(flags: usize, item: i32): void {
  if (ASC_FEATURE_THREADS) atomic.store<i32>(flags + <usize>item * 4, 1);
  else store<i32>(flags + <usize>item * 4, 1);
}

function dyn<T>(
  M: i32, N: i32, K: i32,
  a: usize, ars: i32, acs: i32,
  b: usize, brs: i32, bcs: i32,
  c: usize, scratch: usize, work: usize,
): i32 {
  if (M == 0 || N == 0 || K == 0) return -1;
  const E = <usize>sizeof<T>();
  const kcMax = KC<T>();
  const chunks = load<i32>(work, 4);
  const starts = work + 12;
  const flags = starts + <usize>(chunks + 1) * 4;
  const nr = NR<T>();
  const width = widthOf<T>(K);
  const items = chunks * ((N + width - 1) / width);
  const once = load<i32>(scratch, 4) != 0;
  const packA = scratch + DYN_HEAD;
  const packB = packA + <usize>(MC<T>() * kcMax) * E;
  const tile = packB + <usize>(K * width) * E;
  const ldcB = <usize>N * E;
  let packedStrip = load<i32>(scratch);
  for (;;) {
    const item = takeItem(work);
    if (item >= items) break;
    const strip = item / chunks;
    const at = starts + <usize>(item % chunks) * 4;
    const ic = load<i32>(at);
    const mc = load<i32>(at, 4) - ic;
    if (mc > MC<T>()) unreachable(); // packA holds one A block
    const jc = strip * width;
    const nc = min(width, N - jc);
    // Panels are NR wide, the last one zero-padded: a K block of the strip takes kc·ncPad elements.
    const ncPad = nc + ((nr - (nc % nr)) % nr);
    if (strip != packedStrip) {
      // The strip's K blocks one after another: block pc (kc rows of B) at pc·ncPad.
      for (let pc = 0; pc < K; pc += kcMax) {
        const kc = min(kcMax, K - pc);
        packPanelsB<T>(b + <usize>(pc * brs + jc * bcs) * E, brs, bcs, kc, nc, packB + <usize>(pc * ncPad) * E);
      }
      packedStrip = strip;
      store<i32>(scratch, strip);
    }
    waitStaged(work, ic + mc); // after packing B: the caller stages A meanwhile
    for (let pc = 0; pc < K; pc += kcMax) {
      const kc = min(kcMax, K - pc);
      const first = pc == 0;
      packPanelsA<T>(a + <usize>(ic * ars + pc * acs) * E, ars, acs, mc, kc, packA);
      const stripB = packB + <usize>(pc * ncPad) * E;
      for (let jr = 0; jr < nc; jr += nr) {
        const w = min(nr, nc - jr);
        const pb = stripB + <usize>(jr * kc) * E;
        for (let ir = 0; ir < mc; ir += MR) {
          const h = min(MR, mc - ir);
          const co = c + <usize>((ic + ir) * N + jc + jr) * E;
          const pa = packA + <usize>(ir * kc) * E;
          if (h == MR && w == nr) {
            microPacked<T>(kc, pa, pb, co, ldcB, first);
          } else {
            microPacked<T>(kc, pa, pb, tile, <usize>nr * E, true);
            tileInto<T>(tile, co, N, h, w, first);
          }
        }
      }
    }
    markDone(flags, item);
    if (once) return item;
  }
  return -1;
}
