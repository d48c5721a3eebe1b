import { rowSquaredNorms } from '../linalg/rows.js';
import { squaredEuclidean, squaredEuclideanCsrRows } from '../metrics/pairwise.js';
import { type CsrMatrix, canonical, rowSquaredNormsCsr } from '../sparse/csr.js';

/** The k nearest other rows of each row of A (n x d), by brute force in blocks; distances squared, ascending. */
export interface Knn {
  k: number;
  indices: Int32Array; // n x k
  sqDistances: Float64Array; // n x k
}

export function knnSelf(A: Float64Array, n: number, d: number, k: number): Knn {
  const norms = rowSquaredNorms(A, n, d);
  return knnFromBlocks(n, k, (r0, r1) =>
    squaredEuclidean(A, n, A, n, d, { same: true, r0, r1, aNorms: norms, bNorms: norms }),
  );
}

/** knnSelf for the rows of a CsrMatrix: distances from sparse products (never densified). */
export function knnSelfCsr(X: CsrMatrix, k: number): Knn {
  const C = canonical(X.dtype === 'float64' ? X : X.astype('float64'));
  const XT = C.transpose();
  const norms = rowSquaredNormsCsr(C);
  return knnFromBlocks(C.shape[0], k, (r0, r1) => squaredEuclideanCsrRows(C, XT, norms, r0, r1));
}

/** The k smallest off-diagonal entries of each row of an n x n distance matrix given in row blocks. */
function knnFromBlocks(n: number, k: number, distances: (r0: number, r1: number) => Float64Array): Knn {
  const indices = new Int32Array(n * k);
  const sqDistances = new Float64Array(n * k);
  const block = Math.max(1, Math.floor(2_000_000 / n));
  const heapD = new Float64Array(k);
  const heapI = new Int32Array(k);
  for (let r0 = 0; r0 < n; r0 += block) {
    const r1 = Math.min(n, r0 + block);
    const d2 = distances(r0, r1);
    for (let i = r0; i < r1; i++) {
      const o = (i - r0) * n;
      // k smallest by a bounded insertion sort (k is small next to n).
      let size = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const v = d2[o + j]!;
        if (size === k && v >= heapD[k - 1]!) continue;
        let p = size < k ? size++ : k - 1;
        while (p > 0 && heapD[p - 1]! > v) {
          heapD[p] = heapD[p - 1]!;
          heapI[p] = heapI[p - 1]!;
          p--;
        }
        heapD[p] = v;
        heapI[p] = j;
      }
      indices.set(heapI, i * k);
      sqDistances.set(heapD, i * k);
    }
  }
  return { k, indices, sqDistances };
}
