import { fail } from '../base/errors.js';
import { checkSameLength, type LabelsLike, type MatrixLike, toLabels, toMatrix } from '../base/input.js';
import { rowSquaredNorms } from '../linalg/rows.js';
import { CsrMatrix, canonical, rowSquaredNormsCsr } from '../sparse/csr.js';
import { squaredEuclidean, squaredEuclideanCsrRows } from './pairwise.js';

/**
 * Mean silhouette coefficient (b - a) / max(a, b) over all samples with Euclidean distances,
 * as scikit-learn's silhouette_score (samples in singleton clusters score 0). X dense or a
 * CsrMatrix (distances from sparse products, as scikit-learn's; never densified).
 */
export function silhouetteScore(X: MatrixLike | CsrMatrix, labels: LabelsLike): number {
  const op = 'silhouetteScore';
  let n: number;
  let distances: (r0: number, r1: number) => Float64Array;
  if (X instanceof CsrMatrix) {
    const C = canonical(X);
    n = C.shape[0];
    const XT = C.transpose();
    const norms = rowSquaredNormsCsr(C);
    distances = (r0, r1) => squaredEuclideanCsrRows(C, XT, norms, r0, r1);
  } else {
    const A = toMatrix(op, 'X', X);
    n = A.rows;
    const norms = rowSquaredNorms(A.data, n, A.cols);
    distances = (r0, r1) =>
      squaredEuclidean(A.data, n, A.data, n, A.cols, { same: true, r0, r1, aNorms: norms, bNorms: norms });
  }
  const lab = toLabels(op, 'labels', labels);
  checkSameLength(op, ['X', 'labels'], { length: n }, lab);
  const ids = new Map<number | string, number>();
  const cluster = Int32Array.from(lab as (number | string)[], (l) => {
    let id = ids.get(l);
    if (id === undefined) ids.set(l, (id = ids.size));
    return id;
  });
  const k = ids.size;
  if (k < 2 || k > n - 1)
    fail(op, `number of labels is ${k}; valid values are 2 to nSamples - 1 (inclusive)`);
  const counts = new Float64Array(k);
  for (const c of cluster) counts[c]!++;
  const chunk = Math.max(1, Math.floor(4_000_000 / n));
  const sums = new Float64Array(k);
  let total = 0;
  for (let r0 = 0; r0 < n; r0 += chunk) {
    const r1 = Math.min(n, r0 + chunk);
    const d2 = distances(r0, r1);
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
