import { checkOptions, ShapeError, type Tensor } from '@lumen/tensor';
import { fail } from '../base/errors.js';
import { optionKeys } from '../base/estimator.js';
import { type Matrix, type MatrixLike, matrix, matrixToTensor, toMatrix } from '../base/input.js';
import { matmulABt } from '../linalg/products.js';
import { rowSquaredNorms, transpose } from '../linalg/rows.js';
import { CsrMatrix, rowSquaredNormsCsr, spmm } from '../sparse/csr.js';

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

/**
 * Rows [r0, r1) of the squared Euclidean distances between the rows of a CsrMatrix X, as
 * squaredEuclidean with `same` (scikit-learn's sparse euclidean_distances: ‖x‖² − 2x·y + ‖y‖² with
 * x·y from the sparse product, clipped at 0, 0 on the diagonal). XT is Xᵀ, norms ‖xᵢ‖².
 */
export function squaredEuclideanCsrRows(
  X: CsrMatrix,
  XT: CsrMatrix,
  norms: Float64Array,
  r0: number,
  r1: number,
): Float64Array {
  const n = X.shape[0];
  const out = new Float64Array((r1 - r0) * n);
  const { indptr, indices, data } = X;
  const { indptr: tp, indices: ti, data: td } = XT;
  for (let i = r0; i < r1; i++) {
    const o = (i - r0) * n;
    for (let p = indptr[i]!; p < indptr[i + 1]!; p++) {
      const v = data[p]!;
      const j = indices[p]!;
      for (let q = tp[j]!; q < tp[j + 1]!; q++) out[o + ti[q]!]! += v * td[q]!;
    }
    const ni = norms[i]!;
    for (let j = 0; j < n; j++) out[o + j] = Math.max(-2 * out[o + j]! + ni + norms[j]!, 0);
    out[o + i] = 0;
  }
  return out;
}

// ---- public pairwise metrics: dense or CsrMatrix on either side -----------------------------

type PairwiseInput = MatrixLike | CsrMatrix;
type Rows = { kind: 'dense'; m: Matrix } | { kind: 'sparse'; x: CsrMatrix };

function rowsOf(op: string, arg: string, X: PairwiseInput): Rows {
  return X instanceof CsrMatrix ? { kind: 'sparse', x: X } : { kind: 'dense', m: toMatrix(op, arg, X) };
}
function shapeOf(r: Rows): [number, number] {
  return r.kind === 'dense' ? [r.m.rows, r.m.cols] : [r.x.shape[0], r.x.shape[1]];
}

/** Each row scaled to unit l2 norm (rows of norm 0 left as they are), as sklearn's normalize. */
function normalized(r: Rows): Rows {
  if (r.kind === 'dense') {
    const { rows, cols, data } = r.m;
    const out = data.slice();
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += out[i * cols + j]! * out[i * cols + j]!;
      s = Math.sqrt(s);
      if (s === 0) continue;
      for (let j = 0; j < cols; j++) out[i * cols + j]! /= s;
    }
    return { kind: 'dense', m: matrix(rows, cols, out) };
  }
  const x = r.x;
  const data = Float64Array.from(x.data);
  for (let i = 0; i < x.shape[0]; i++) {
    let s = 0;
    for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p++) s += data[p]! * data[p]!;
    s = Math.sqrt(s);
    if (s === 0) continue;
    for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p++) data[p]! /= s;
  }
  return { kind: 'sparse', x: CsrMatrix.unchecked(data, x.indices, x.indptr, [x.shape[0], x.shape[1]]) };
}

/** A · Bᵀ (n x m) for any mix of dense and sparse rows. */
function innerProducts(a: Rows, b: Rows): Float64Array {
  const [n, d] = shapeOf(a);
  const m = shapeOf(b)[0];
  const out = new Float64Array(n * m);
  if (a.kind === 'dense' && b.kind === 'dense') return matmulABt(a.m.data, b.m.data, n, d, m, out);
  if (a.kind === 'sparse' && b.kind === 'dense') return spmm(a.x, transpose(b.m.data, m, d), m, out);
  if (a.kind === 'dense' && b.kind === 'sparse') {
    const t = spmm(b.x, transpose(a.m.data, n, d), n, new Float64Array(m * n)); // (m x n)
    return transpose(t, m, n);
  }
  const x = (a as { x: CsrMatrix }).x;
  const yt = (b as { x: CsrMatrix }).x.transpose();
  for (let i = 0; i < n; i++) {
    for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p++) {
      const v = x.data[p]!;
      const j = x.indices[p]!;
      for (let q = yt.indptr[j]!; q < yt.indptr[j + 1]!; q++) out[i * m + yt.indices[q]!]! += v * yt.data[q]!;
    }
  }
  return out;
}

function squaredRowNorms(r: Rows): Float64Array {
  if (r.kind === 'sparse') return rowSquaredNormsCsr(r.x);
  return rowSquaredNorms(r.m.data, r.m.rows, r.m.cols);
}

function pair(
  op: string,
  X: PairwiseInput,
  Y: PairwiseInput | null | undefined,
): { a: Rows; b: Rows; same: boolean } {
  const a = rowsOf(op, 'X', X);
  const same = Y === undefined || Y === null || Y === X;
  const b = same ? a : rowsOf(op, 'Y', Y);
  if (shapeOf(a)[1] !== shapeOf(b)[1])
    fail(
      op,
      `X and Y must have the same number of features, got ${shapeOf(a)[1]} and ${shapeOf(b)[1]}`,
      ShapeError,
    );
  return { a, b, same };
}

/** scikit-learn's cosine_similarity: rows l2-normalized, then X·Yᵀ (Y defaults to X). Dense or CsrMatrix inputs; a dense (n, m) Tensor. */
export function cosineSimilarity(X: PairwiseInput, Y?: PairwiseInput | null): Tensor {
  const { a, b, same } = pair('cosineSimilarity', X, Y);
  const an = normalized(a);
  const bn = same ? an : normalized(b);
  const out = innerProducts(an, bn);
  return matrixToTensor(matrix(shapeOf(a)[0], shapeOf(b)[0], out));
}

/** scikit-learn's linear_kernel: X·Yᵀ. */
export function linearKernel(X: PairwiseInput, Y?: PairwiseInput | null): Tensor {
  const { a, b } = pair('linearKernel', X, Y);
  return matrixToTensor(matrix(shapeOf(a)[0], shapeOf(b)[0], innerProducts(a, b)));
}

/**
 * scikit-learn's euclidean_distances: ‖x‖² − 2x·y + ‖y‖², clipped at 0 (0 on the diagonal when Y
 * is X), square-rooted unless `squared`. Dense or CsrMatrix inputs; a dense (n, m) Tensor.
 */
export function euclideanDistances(
  X: PairwiseInput,
  Y?: PairwiseInput | null,
  opts: { squared?: boolean } = {},
): Tensor {
  const op = 'euclideanDistances';
  checkOptions(op, opts, optionKeys<typeof opts>({ squared: true }));
  const { a, b, same } = pair(op, X, Y);
  const n = shapeOf(a)[0];
  const m = shapeOf(b)[0];
  const xx = squaredRowNorms(a);
  const yy = same ? xx : squaredRowNorms(b);
  const out = innerProducts(a, b);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const v = -2 * out[i * m + j]! + xx[i]! + yy[j]!;
      out[i * m + j] = Math.max(v, 0);
    }
    if (same) out[i * m + i] = 0;
  }
  if (!opts.squared) for (let k = 0; k < out.length; k++) out[k] = Math.sqrt(out[k]!);
  return matrixToTensor(matrix(n, m, out));
}
