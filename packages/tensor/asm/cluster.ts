// AssemblyScript: one Lloyd iteration of k-means over rows of X that live in this module's memory
// (sklearn-lite's KMeans; scikit-learn's lloyd_iter_chunked_dense). Rows are taken in chunks of
// CHUNK: the chunk's dot products with every centre are one GEMM (the same kernel and the same
// operation order as the cpu backend's matmul), each row goes to the centre with the least
// |c|² − 2·x·c (first on ties), and the chunk's rows are added into their centre's sum while they
// are still in cache.
//
// The rows are cut into `stripes` stripes (a number the caller fixes from n alone) and each stripe
// sums into its own partial sums; the caller adds the stripes up in order. A thread runs a range of
// whole stripes, so the sums are the same bits whatever the number of threads.
import { gemm_f64 } from './gemm';

/** Rows per distance GEMM (as sklearn-lite's TypeScript path). */
const CHUNK: i32 = 256;

/** Bytes of per-thread scratch lloyd_f64 needs for k centres: the chunk's dots, then the GEMM's. */
export function lloydScratchBytes(k: i32, gemmScratch: i32): i32 {
  return ((CHUNK * k * 8 + 63) & ~63) + gemmScratch;
}

/** First row of stripe s of `stripes` over n rows: stripes are whole chunks. */
@inline function stripeStart(s: i32, stripes: i32, n: i32): i32 {
  const chunks = (n + CHUNK - 1) / CHUNK;
  return min(n, <i32>((<i64>s * <i64>chunks) / <i64>stripes) * CHUNK);
}

/**
 * Stripes [s0, s1) of `stripes` over the n×d rows at x (row stride d): labels (i32, one per row) and,
 * per stripe s, the partial sums (k×d f64) then counts (k f64) at sums + s·(k·d + k)·8.
 * centers is k×d, cnorms holds |c|² of each centre; scratch is lloydScratchBytes(k, ...) bytes.
 */
export function lloyd_f64(
  s0: i32, s1: i32, stripes: i32, n: i32, d: i32, k: i32,
  x: usize, centers: usize, cnorms: usize, labels: usize, sums: usize, scratch: usize,
): void {
  const dots = scratch;
  const gemmScratch = scratch + <usize>((CHUNK * k * 8 + 63) & ~63);
  const stride = <usize>(k * d + k) * 8;
  for (let s = s0; s < s1; s++) {
    const ps = sums + <usize>s * stride;
    const pc = ps + <usize>(k * d) * 8;
    memory.fill(ps, 0, stride);
    const r1 = stripeStart(s + 1, stripes, n);
    for (let r0 = stripeStart(s, stripes, n); r0 < r1; r0 += CHUNK) {
      const rows = min(CHUNK, r1 - r0);
      const xr = x + <usize>r0 * <usize>d * 8;
      // dots (rows×k) = X_chunk · Cᵀ
      gemm_f64(rows, k, d, xr, d, 1, centers, 1, d, dots, k, gemmScratch);
      for (let i = 0; i < rows; i++) {
        let best = 0;
        let bestV = Infinity;
        const di = dots + <usize>(i * k) * 8;
        for (let c = 0; c < k; c++) {
          const v = load<f64>(cnorms + <usize>c * 8) - 2 * load<f64>(di + <usize>c * 8);
          if (v < bestV) {
            bestV = v;
            best = c;
          }
        }
        store<i32>(labels + <usize>(r0 + i) * 4, best);
        const cp = pc + <usize>best * 8;
        store<f64>(cp, load<f64>(cp) + 1);
        const src = xr + <usize>(i * d) * 8;
        const dst = ps + <usize>(best * d) * 8;
        let j = 0;
        for (; j + 4 <= d; j += 4) {
          const o = <usize>j * 8;
          v128.store(dst + o, f64x2.add(v128.load(dst + o), v128.load(src + o)));
          v128.store(dst + o, f64x2.add(v128.load(dst + o, 16), v128.load(src + o, 16)), 16);
        }
        for (; j < d; j++) {
          const o = <usize>j * 8;
          store<f64>(dst + o, load<f64>(dst + o) + load<f64>(src + o));
        }
      }
    }
  }
}
