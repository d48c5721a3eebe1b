import { matmulABt } from '../linalg/products.js';
import { rowSquaredNorms } from '../linalg/rows.js';

/**
 * Squared Euclidean distances between the rows of A (m x d) and B (n x d) as scikit-learn's
 * euclidean_distances computes them for float64: |a|² - 2a·b + |b|², clipped at 0 (and exactly 0
 * on the diagonal when A is B). Rows [r0, r1) of A only, to bound memory.
 */
export function squaredEuclidean(
  a: Float64Array,
  m: number,
  b: Float64Array,
  n: number,
  d: number,
  opts: { same?: boolean; r0?: number; r1?: number; aNorms?: Float64Array; bNorms?: Float64Array } = {},
): Float64Array {
  const r0 = opts.r0 ?? 0;
  const r1 = opts.r1 ?? m;
  const aN = opts.aNorms ?? rowSquaredNorms(a, m, d);
  const bN = opts.bNorms ?? (opts.same ? aN : rowSquaredNorms(b, n, d));
  const rows = r1 - r0;
  const out = matmulABt(a, b, rows, d, n, undefined, r0);
  for (let i = 0; i < rows; i++) {
    const ai = aN[r0 + i]!;
    const o = i * n;
    for (let j = 0; j < n; j++) {
      const v = -2 * out[o + j]! + ai + bN[j]!;
      out[o + j] = Math.max(v, 0);
    }
    if (opts.same) out[o + r0 + i] = 0;
  }
  return out;
}
