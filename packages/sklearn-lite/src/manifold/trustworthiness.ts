import { checkOptions, ShapeError } from '@lumen/tensor';
import { fail } from '../base/errors.js';
import { checkInt, optionKeys } from '../base/estimator.js';
import { type MatrixLike, toMatrix } from '../base/input.js';
import { rowSquaredNorms } from '../linalg/rows.js';
import { squaredEuclidean } from '../metrics/pairwise.js';
import { knnSelf } from '../neighbors/knn.js';

/**
 * How well an embedding keeps local structure (Venna & Kaski), as scikit-learn's
 * trustworthiness: 1 - 2/(n·k·(2n - 3k - 1)) · Σ_i Σ_{j ∈ k-NN of i in the embedding} max(0, r(i, j) - k),
 * with r(i, j) the rank of j among i's neighbours in the input space.
 */
export function trustworthiness(
  X: MatrixLike,
  XEmbedded: MatrixLike,
  opts: { nNeighbors?: number } = {},
): number {
  const op = 'trustworthiness';
  checkOptions(op, opts, optionKeys<typeof opts>({ nNeighbors: true }));
  const A = toMatrix(op, 'X', X);
  const E = toMatrix(op, 'XEmbedded', XEmbedded);
  const n = A.rows;
  if (E.rows !== n)
    fail(op, `X and XEmbedded must have the same number of samples, got ${n} and ${E.rows}`, ShapeError);
  const k = checkInt(op, 'nNeighbors', opts.nNeighbors ?? 5, 1);
  if (k >= n / 2) fail(op, `nNeighbors (${k}) should be less than nSamples / 2 (${n / 2})`);
  const embedded = knnSelf(E.data, n, E.cols, k);
  const norms = rowSquaredNorms(A.data, n, A.cols);
  const block = Math.max(1, Math.floor(2_000_000 / n));
  let t = 0;
  for (let r0 = 0; r0 < n; r0 += block) {
    const r1 = Math.min(n, r0 + block);
    const d2 = squaredEuclidean(A.data, n, A.data, n, A.cols, {
      same: true,
      r0,
      r1,
      aNorms: norms,
      bNorms: norms,
    });
    for (let i = r0; i < r1; i++) {
      const o = (i - r0) * n;
      // Rank of j among i's input-space neighbours (1 = nearest; i itself excluded). Ties are
      // broken by index, as a stable argsort does.
      for (let t2 = 0; t2 < k; t2++) {
        const j = embedded.indices[i * k + t2]!;
        const dj = d2[o + j]!;
        let rank = 1;
        for (let m = 0; m < n; m++) {
          if (m === i || m === j) continue;
          const dm = d2[o + m]!;
          if (dm < dj || (dm === dj && m < j)) rank++;
        }
        if (rank > k) t += rank - k;
      }
    }
  }
  return 1 - t * (2 / (n * k * (2 * n - 3 * k - 1)));
}
