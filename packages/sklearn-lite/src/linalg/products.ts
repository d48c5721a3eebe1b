import { gemm } from '@lumen/tensor';

/**
 * Dense float64 matrix products on row-major arrays, all through @lumen/tensor's `gemm` (the cpu
 * backend's WebAssembly SIMD kernels, split over worker threads when large): one GEMM in the
 * project. A transposed operand is just other strides, never a copy. Each returns C, written
 * contiguously (row stride n); `out`, when given, is written from `outOffset` and returned.
 */

/** C (m x n) = A (m x k) · B (k x n). */
export function matmul(
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
  out?: Float64Array,
  outOffset = 0,
): Float64Array {
  const c = out ?? new Float64Array(m * n);
  gemm(m, n, k, a, { rowStride: k }, b, { rowStride: n }, c, outOffset);
  return c;
}

/**
 * C (m x n) = A (m x k) · Bᵀ where B is (n x k): dot products of rows. `aRow` starts A at that row
 * of `a` (a chunk of a larger matrix, without a subarray).
 */
export function matmulABt(
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
  out?: Float64Array,
  aRow = 0,
): Float64Array {
  const c = out ?? new Float64Array(m * n);
  gemm(m, n, k, a, { offset: aRow * k, rowStride: k }, b, { rowStride: 1, colStride: k }, c);
  return c;
}

/** C (k x n) = Aᵀ · B where A is (m x k) and B is (m x n). */
export function matmulAtB(
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
  out?: Float64Array,
): Float64Array {
  const c = out ?? new Float64Array(k * n);
  gemm(k, n, m, a, { rowStride: 1, colStride: k }, b, { rowStride: n }, c);
  return c;
}
