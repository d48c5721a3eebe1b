import { fail } from '../base/errors.js';
import { checkSameLength, type LabelsLike, type MatrixLike, toLabels, toMatrix } from '../base/input.js';
import { rowSquaredNorms } from '../linalg/rows.js';
import { squaredEuclidean } from './pairwise.js';

/**
 * Mean silhouette coefficient (b - a) / max(a, b) over all samples with Euclidean distances,
 * as scikit-learn's silhouette_score (samples in singleton clusters score 0).
 */
export function silhouetteScore(X: MatrixLike, labels: LabelsLike): number {
  const op = 'silhouetteScore';
  const A = toMatrix(op, 'X', X);
  const lab = toLabels(op, 'labels', labels);
  checkSameLength(op, ['X', 'labels'], { length: A.rows }, lab);
  const ids = new Map<number | string, number>();
  const cluster = Int32Array.from(lab as (number | string)[], (l) => {
    let id = ids.get(l);
    if (id === undefined) ids.set(l, (id = ids.size));
    return id;
  });
  const k = ids.size;
  const n = A.rows;
  if (k < 2 || k > n - 1)
    fail(op, `number of labels is ${k}; valid values are 2 to nSamples - 1 (inclusive)`);
  const counts = new Float64Array(k);
  for (const c of cluster) counts[c]!++;
  const norms = rowSquaredNorms(A.data, n, A.cols);
  const chunk = Math.max(1, Math.floor(4_000_000 / n));
  const sums = new Float64Array(k);
  let total = 0;
  for (let r0 = 0; r0 < n; r0 += chunk) {
    const r1 = Math.min(n, r0 + chunk);
    const d2 = squaredEuclidean(A.data, n, A.data, n, A.cols, {
      same: true,
      r0,
      r1,
      aNorms: norms,
      bNorms: norms,
    });
    for (let i = r0; i < r1; i++) {
      sums.fill(0);
      const o = (i - r0) * n;
      for (let j = 0; j < n; j++) sums[cluster[j]!]! += Math.sqrt(d2[o + j]!);
      const own = cluster[i]!;
      if (counts[own]! <= 1) continue; // s = 0
      const a = sums[own]! / (counts[own]! - 1);
      let b = Number.POSITIVE_INFINITY;
      for (let c = 0; c < k; c++) if (c !== own) b = Math.min(b, sums[c]! / counts[c]!);
      const m = Math.max(a, b);
      total += m === 0 ? 0 : (b - a) / m;
    }
  }
  return total / n;
}
