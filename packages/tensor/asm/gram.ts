// AssemblyScript: the Gram matrix Aᵀ·A of a tall matrix whose rows live in this module's memory
// (BLAS's syrk; sklearn-lite's least squares: XᵀX, then Q₁ᵀQ₁ of CholeskyQR2). Only the tiles on
// and above the diagonal are computed (half a GEMM's work), read in place from blocks of rows that
// stay in cache, packed once per block into 4-column panels that serve as both operands.
//
// The rows are cut into `stripes` stripes (a number the caller fixes from m alone); each stripe sums
// into its own n×n partial (upper triangle), which the caller adds up in order: the same bits for
// any number of threads.

/** Rows per block: a block of a few hundred rows of tens of columns stays in L2 while every tile reads it. */
const KB: i32 = 256;

/** Bytes of per-thread scratch gram_f64 needs for n columns: one packed block. */
export function gramScratchBytes(n: i32): i32 {
  return KB * n * 8;
}

@inline function stripeStart(s: i32, stripes: i32, m: i32): i32 {
  return <i32>((<i64>s * <i64>m) / <i64>stripes);
}

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(c, f64x2.mul(a, b));
}

/**
 * Stripes [s0, s1) of `stripes` over the m×n rows at x (row stride n): the partial Gram matrix of
 * stripe s, upper triangle (row i, columns j ≥ i), at out + s·n·n·8 (below the diagonal: not
 * meaningful). `scratch`: gramScratchBytes(n) bytes of this thread's own.
 */
export function gram_f64(
  s0: i32, s1: i32, stripes: i32, m: i32, n: i32, x: usize, out: usize, scratch: usize,
): void {
  const ld = <usize>n * 8;
  const n4 = n - (n % 4);
  for (let s = s0; s < s1; s++) {
    const P = out + <usize>s * <usize>(n * n) * 8;
    memory.fill(P, 0, <usize>(n * n) * 8);
    const r1 = stripeStart(s + 1, stripes, m);
    for (let kb = stripeStart(s, stripes, m); kb < r1; kb += KB) {
      const kc = min(KB, r1 - kb);
      const xb = x + <usize>kb * ld;
      // Pack the block's whole tiles into panels of 4 columns (panel p: x[k][4p..4p+3] for each k,
      // 32 bytes apart): every tile then streams two panels from L1/L2 instead of striding rows.
      for (let p = 0; p < n4; p += 4) {
        let src = xb + <usize>p * 8;
        let dst = scratch + <usize>(p * kc) * 8;
        for (let k = 0; k < kc; k++) {
          v128.store(dst, v128.load(src));
          v128.store(dst, v128.load(src, 16), 16);
          src += ld;
          dst += 32;
        }
      }
      for (let i0 = 0; i0 < n4; i0 += 4) {
        for (let j0 = i0; j0 < n4; j0 += 4) {
          // 4×4 tile: rows i0..i0+3 (splats of x[k][i]), columns j0..j0+3 (two vectors of x[k][j..]).
          let c00 = f64x2.splat(0);
          let c01 = f64x2.splat(0);
          let c10 = f64x2.splat(0);
          let c11 = f64x2.splat(0);
          let c20 = f64x2.splat(0);
          let c21 = f64x2.splat(0);
          let c30 = f64x2.splat(0);
          let c31 = f64x2.splat(0);
          let pa = scratch + <usize>(i0 * kc) * 8;
          let pb = scratch + <usize>(j0 * kc) * 8;
          for (let k = 0; k < kc; k++) {
            const b0 = v128.load(pb);
            const b1 = v128.load(pb, 16);
            let a = v128.load64_splat(pa);
            c00 = madd(a, b0, c00);
            c01 = madd(a, b1, c01);
            a = v128.load64_splat(pa + 8);
            c10 = madd(a, b0, c10);
            c11 = madd(a, b1, c11);
            a = v128.load64_splat(pa + 16);
            c20 = madd(a, b0, c20);
            c21 = madd(a, b1, c21);
            a = v128.load64_splat(pa + 24);
            c30 = madd(a, b0, c30);
            c31 = madd(a, b1, c31);
            pa += 32;
            pb += 32;
          }
          let p = P + <usize>(i0 * n + j0) * 8;
          v128.store(p, f64x2.add(v128.load(p), c00));
          v128.store(p, f64x2.add(v128.load(p, 16), c01), 16);
          p += ld;
          v128.store(p, f64x2.add(v128.load(p), c10));
          v128.store(p, f64x2.add(v128.load(p, 16), c11), 16);
          p += ld;
          v128.store(p, f64x2.add(v128.load(p), c20));
          v128.store(p, f64x2.add(v128.load(p, 16), c21), 16);
          p += ld;
          v128.store(p, f64x2.add(v128.load(p), c30));
          v128.store(p, f64x2.add(v128.load(p, 16), c31), 16);
        }
      }
      // Columns past the last whole tile: every (i, j ≥ i) pair with j ≥ n4, one dot product each.
      for (let i = 0; i < n; i++) {
        for (let j = max(i, n4); j < n; j++) {
          let acc: f64 = 0;
          let q = xb;
          for (let k = 0; k < kc; k++) {
            acc += load<f64>(q + <usize>i * 8) * load<f64>(q + <usize>j * 8);
            q += ld;
          }
          const pij = P + <usize>(i * n + j) * 8;
          store<f64>(pij, load<f64>(pij) + acc);
        }
      }
    }
  }
}

/**
 * Centres the m×n rows at x (row stride n) in place: mean (n f64) = the column means, then every row
 * minus them. Sums run down each column in row order, two columns per vector, so the means are the
 * same bits as a plain loop's `mean[j] += x[i][j]`, then `/ m`.
 */
export function center_f64(m: i32, n: i32, x: usize, mean: usize): void {
  const ld = <usize>n * 8;
  const n2 = n - (n % 2);
  memory.fill(mean, 0, ld);
  let row = x;
  for (let i = 0; i < m; i++) {
    let j = 0;
    for (; j < n2; j += 2) {
      const o = <usize>j * 8;
      v128.store(mean + o, f64x2.add(v128.load(mean + o), v128.load(row + o)));
    }
    if (j < n) store<f64>(mean + <usize>j * 8, load<f64>(mean + <usize>j * 8) + load<f64>(row + <usize>j * 8));
    row += ld;
  }
  for (let j = 0; j < n; j++) store<f64>(mean + <usize>j * 8, load<f64>(mean + <usize>j * 8) / <f64>m);
  row = x;
  for (let i = 0; i < m; i++) {
    let j = 0;
    for (; j < n2; j += 2) {
      const o = <usize>j * 8;
      v128.store(row + o, f64x2.sub(v128.load(row + o), v128.load(mean + o)));
    }
    if (j < n) store<f64>(row + <usize>j * 8, load<f64>(row + <usize>j * 8) - load<f64>(mean + <usize>j * 8));
    row += ld;
  }
}
