/**
 * k-means on a CsrMatrix, following scikit-learn 1.2's sparse kernels (_k_means_lloyd.pyx's
 * lloyd_iter_chunked_sparse, _k_means_common.pyx's _inertia_sparse and
 * _relocate_empty_clusters_sparse): the data is not centred, distances come from x·c over each
 * row's non-zeros with ‖c‖², and the centers stay dense.
 */
import { rowSquaredNorms, transpose } from '../linalg/rows.js';
import { type CsrMatrix, canonical, rowSquaredNormsCsr, spmm } from '../sparse/csr.js';
import {
  averageAndShift,
  type ElkanSamples,
  type KMeansRun,
  type SampleRows,
  sameLabels,
} from './kmeansHost.js';

/** A canonical float64 CsrMatrix: sorted, unique column indices (squared norms need them). */
export type Csr64 = CsrMatrix & { data: Float64Array };

export function csr64(X: CsrMatrix): Csr64 {
  return canonical(X.dtype === 'float64' ? X : X.astype('float64')) as Csr64;
}

/** k-means++'s view of sparse rows: a row copied out densely, and X · Bᵀ for dense rows B. */
export function sparseRows(X: Csr64): SampleRows {
  const [n, d] = X.shape;
  return {
    n,
    d,
    copyRow: (i, out, o) => {
      out.fill(0, o, o + d);
      for (let p = X.indptr[i]!; p < X.indptr[i + 1]!; p++) out[o + X.indices[p]!] = X.data[p]!;
    },
    dotsWith: (B, m) => spmm(X, transpose(B, m, d), m, new Float64Array(n * m)),
  };
}

/**
 * The mean over features of each column's variance (scikit-learn's mean_variance_axis on CSR:
 * the implicit zeros count as values).
 */
export function sparseMeanVariance(X: Csr64): number {
  const [n, d] = X.shape;
  const sums = new Float64Array(d);
  const counts = new Float64Array(d);
  for (let p = 0; p < X.nnz; p++) {
    sums[X.indices[p]!]! += X.data[p]!;
    counts[X.indices[p]!]!++;
  }
  const sq = new Float64Array(d);
  for (let p = 0; p < X.nnz; p++) {
    const j = X.indices[p]!;
    const t = X.data[p]! - sums[j]! / n;
    sq[j]! += t * t;
  }
  let total = 0;
  for (let j = 0; j < d; j++) {
    const mean = sums[j]! / n;
    total += (sq[j]! + (n - counts[j]!) * mean * mean) / n;
  }
  return total / d;
}

/**
 * Labels by argmin_c ‖c‖² − 2 x·c, each x·c summed over the row's non-zeros in stored order (as
 * scikit-learn's _update_chunk_sparse, so near-ties fall the same way); with `acc`, rows are
 * added into their cluster's sum. The dots read the centers transposed (d x k): a non-zero's k
 * center values sit side by side (one cache line for k = 8) instead of k rows of d apart.
 */
export function assignLabelsSparse(
  X: Csr64,
  centers: Float64Array,
  k: number,
  labels: Int32Array,
  acc?: { sums: Float64Array; counts: Float64Array },
): void {
  const [n, d] = X.shape;
  const { indptr, indices, data } = X;
  const cNorms = rowSquaredNorms(centers, k, d);
  const centersT = transpose(centers, k, d);
  const dots = new Float64Array(k);
  if (acc) {
    acc.sums.fill(0);
    acc.counts.fill(0);
  }
  for (let i = 0; i < n; i++) {
    const p0 = indptr[i]!;
    const p1 = indptr[i + 1]!;
    rowDots(p0, p1, indices, data, centersT, k, dots);
    let best = 0;
    let bestV = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      const v = cNorms[c]! - 2 * dots[c]!;
      if (v < bestV) {
        bestV = v;
        best = c;
      }
    }
    labels[i] = best;
    if (acc) {
      acc.counts[best]!++;
      addRow(acc.sums, best * d, p0, p1, indices, data);
    }
  }
}

/**
 * sums[o + indices[p]] += data[p] over p0..p1, four at a time (four loads, then four stores: no
 * store waits on the one before); the row's indices are distinct (Csr64 is canonical), so the four
 * are four different sums, each added in stored order as one at a time would.
 */
function addRow(
  sums: Float64Array,
  o: number,
  p0: number,
  p1: number,
  indices: Int32Array,
  data: Float64Array,
): void {
  let p = p0;
  for (; p + 3 < p1; p += 4) {
    const j0 = o + indices[p]!;
    const j1 = o + indices[p + 1]!;
    const j2 = o + indices[p + 2]!;
    const j3 = o + indices[p + 3]!;
    const v0 = sums[j0]! + data[p]!;
    const v1 = sums[j1]! + data[p + 1]!;
    const v2 = sums[j2]! + data[p + 2]!;
    const v3 = sums[j3]! + data[p + 3]!;
    sums[j0] = v0;
    sums[j1] = v1;
    sums[j2] = v2;
    sums[j3] = v3;
  }
  for (; p < p1; p++) sums[o + indices[p]!]! += data[p]!;
}

/**
 * dots[c] = Σ_p data[p]·centersT[indices[p]][c] over p0..p1 (centersT is d x k), eight or four
 * centers at a time: independent sums, each still in stored order.
 */
function rowDots(
  p0: number,
  p1: number,
  indices: Int32Array,
  data: Float64Array,
  centersT: Float64Array,
  k: number,
  dots: Float64Array,
): void {
  let c = 0;
  for (; c + 7 < k; c += 8) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    let s5 = 0;
    let s6 = 0;
    let s7 = 0;
    for (let p = p0; p < p1; p++) {
      const b = indices[p]! * k + c;
      const v = data[p]!;
      s0 += centersT[b]! * v;
      s1 += centersT[b + 1]! * v;
      s2 += centersT[b + 2]! * v;
      s3 += centersT[b + 3]! * v;
      s4 += centersT[b + 4]! * v;
      s5 += centersT[b + 5]! * v;
      s6 += centersT[b + 6]! * v;
      s7 += centersT[b + 7]! * v;
    }
    dots[c] = s0;
    dots[c + 1] = s1;
    dots[c + 2] = s2;
    dots[c + 3] = s3;
    dots[c + 4] = s4;
    dots[c + 5] = s5;
    dots[c + 6] = s6;
    dots[c + 7] = s7;
  }
  for (; c + 3 < k; c += 4) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let p = p0; p < p1; p++) {
      const b = indices[p]! * k + c;
      const v = data[p]!;
      s0 += centersT[b]! * v;
      s1 += centersT[b + 1]! * v;
      s2 += centersT[b + 2]! * v;
      s3 += centersT[b + 3]! * v;
    }
    dots[c] = s0;
    dots[c + 1] = s1;
    dots[c + 2] = s2;
    dots[c + 3] = s3;
  }
  for (; c < k; c++) {
    let s = 0;
    for (let p = p0; p < p1; p++) s += centersT[indices[p]! * k + c]! * data[p]!;
    dots[c] = s;
  }
}

/** ‖x_i − c‖² as scikit-learn's _euclidean_sparse_dense: Σ over non-zeros, plus ‖c‖², clipped at 0. */
function sqDistSparse(X: Csr64, i: number, c: Float64Array, co: number, cNorm: number): number {
  let s = 0;
  for (let p = X.indptr[i]!; p < X.indptr[i + 1]!; p++) {
    const b = c[co + X.indices[p]!]!;
    const t = X.data[p]! - b;
    s += t * t - b * b;
  }
  s += cNorm;
  return Math.max(s, 0);
}

export function inertiaSparse(X: Csr64, centers: Float64Array, k: number, labels: Int32Array): number {
  const d = X.shape[1];
  const cNorms = rowSquaredNorms(centers, k, d);
  let s = 0;
  for (let i = 0; i < X.shape[0]; i++) s += sqDistSparse(X, i, centers, labels[i]! * d, cNorms[labels[i]!]!);
  return s;
}

/** Empty clusters take the samples farthest from their centers (_relocate_empty_clusters_sparse). */
function relocateEmptySparse(
  X: Csr64,
  k: number,
  oldCenters: Float64Array,
  sums: Float64Array,
  counts: Float64Array,
  labels: Int32Array,
): void {
  const [n, d] = X.shape;
  const empty: number[] = [];
  for (let j = 0; j < k; j++) if (counts[j] === 0) empty.push(j);
  if (empty.length === 0) return;
  const cNorms = rowSquaredNorms(oldCenters, k, d);
  const dist = new Float64Array(n);
  for (let i = 0; i < n; i++) dist[i] = sqDistSparse(X, i, oldCenters, labels[i]! * d, cNorms[labels[i]!]!);
  const far = Array.from({ length: n }, (_, i) => i)
    .sort((a, b) => dist[b]! - dist[a]! || a - b)
    .slice(0, empty.length);
  empty.forEach((newId, idx) => {
    const f = far[idx]!;
    const oldId = labels[f]!;
    for (let p = X.indptr[f]!; p < X.indptr[f + 1]!; p++) {
      const j = X.indices[p]!;
      sums[oldId * d + j]! -= X.data[p]!;
      sums[newId * d + j] = X.data[p]!;
    }
    counts[newId] = 1;
    counts[oldId]!--;
  });
}

/** One k-means run with Lloyd's algorithm on sparse rows; stops as the dense run does. */
export function lloydSparse(
  X: Csr64,
  init: Float64Array,
  k: number,
  maxIter: number,
  tol: number,
): KMeansRun {
  const [n, d] = X.shape;
  let centers = init.slice();
  let next = new Float64Array(k * d);
  const counts = new Float64Array(k);
  const labels = new Int32Array(n);
  const old = new Int32Array(n).fill(-1);
  let strict = false;
  let it = 0;
  for (; it < maxIter; it++) {
    assignLabelsSparse(X, centers, k, labels, { sums: next, counts });
    relocateEmptySparse(X, k, centers, next, counts, labels);
    const shift = averageAndShift(next, counts, centers, d, k);
    [centers, next] = [next, centers];
    if (sameLabels(labels, old)) {
      strict = true;
      break;
    }
    if (shift <= tol) break;
    old.set(labels);
  }
  if (!strict) assignLabelsSparse(X, centers, k, labels);
  return { labels, inertia: inertiaSparse(X, centers, k, labels), centers, nIter: Math.min(it + 1, maxIter) };
}

/** Euclidean distances of sparse rows to dense centers as scikit-learn's euclidean_distances (n x k). */
export function distancesSparse(X: Csr64, centers: Float64Array, k: number): Float64Array {
  const n = X.shape[0];
  const out = spmm(X, transpose(centers, k, X.shape[1]), k, new Float64Array(n * k));
  const xx = rowSquaredNormsCsr(X);
  const cc = rowSquaredNorms(centers, k, X.shape[1]);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < k; c++)
      out[i * k + c] = Math.sqrt(Math.max(-2 * out[i * k + c]! + xx[i]! + cc[c]!, 0));
  return out;
}

/** Elkan's view of sparse rows: distances as _euclidean_sparse_dense (elkan_iter_chunked_sparse). */
export function sparseElkanSamples(X: Csr64): ElkanSamples {
  const [n, d] = X.shape;
  return {
    n,
    d,
    dist: (i, centers, cNorms, c) => Math.sqrt(sqDistSparse(X, i, centers, c * d, cNorms[c]!)),
    accumulate: (labels, sums, counts) => {
      sums.fill(0);
      counts.fill(0);
      for (let i = 0; i < n; i++) {
        const o = labels[i]! * d;
        counts[labels[i]!]!++;
        for (let p = X.indptr[i]!; p < X.indptr[i + 1]!; p++) sums[o + X.indices[p]!]! += X.data[p]!;
      }
    },
    relocate: (k, old, sums, counts, labels) => {
      relocateEmptySparse(X, k, old, sums, counts, labels);
    },
    inertia: (centers, k, labels) => inertiaSparse(X, centers, k, labels),
  };
}
