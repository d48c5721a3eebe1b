import { warn } from '@lumen/tensor';
import { fail } from '../base/errors.js';
import { checkSameLength, toVector, type VectorLike } from '../base/input.js';
import { conjugateGradient } from '../linalg/cg.js';
import { type LinearOperator, lsqr } from '../linalg/lsqr.js';
import { type CsrMatrix, columnSums, isCanonical, scatterRowsDistinct, spmm } from '../sparse/csr.js';

/**
 * LSQR's tolerances for LinearRegression on sparse X: far below scikit-learn's own (lsqr at
 * atol = btol = 1e-6), so the coefficients equal the exact (dense) solution to ~1e-10 relative on
 * well-conditioned problems rather than to ~1e-6. (Ridge follows scikit-learn's `tol` instead.)
 */
const TOL = 1e-12;
const CONLIM = 1e14;

/** Checked sample weights (finite, non-negative, not all zero), or null when none are given. */
export function checkSampleWeight(
  op: string,
  sampleWeight: VectorLike | undefined,
  n: number,
): Float64Array | null {
  if (sampleWeight === undefined) return null;
  const sw = toVector(op, 'sampleWeight', sampleWeight);
  checkSameLength(op, ['X', 'sampleWeight'], { length: n }, sw);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = sw[i]!;
    if (!(v >= 0)) fail(op, `sampleWeight must be non-negative, got ${v} at sampleWeight[${i}]`);
    total += v;
  }
  if (n > 0 && total === 0) fail(op, 'sampleWeight must not be all zero');
  return sw;
}

export interface SparseLinearFit {
  coef: Float64Array;
  intercept: number;
  nIter: number;
}

/**
 * The centred, √sampleWeight-scaled least-squares problem on a CsrMatrix, never densified: with an
 * intercept the columns are centred implicitly by an operator A·x = √w ⊙ (X·x − (x̄·x)·1),
 * Aᵀ·u = Xᵀ(√w ⊙ u) − x̄·Σ(√w ⊙ u), as scikit-learn's sparse path does; b = √w ⊙ (y − ȳ). x̄ and ȳ
 * are the sample-weighted means (zero without an intercept).
 */
function sparseProblem(
  op: string,
  X: CsrMatrix,
  y: VectorLike,
  sampleWeight: VectorLike | undefined,
  fitIntercept: boolean,
): { A: LinearOperator; b: Float64Array; xMean: Float64Array; yMean: number } {
  const [m, n] = X.shape;
  const v = toVector(op, 'y', y);
  checkSameLength(op, ['X', 'y'], { length: m }, v);
  if (m === 0) fail(op, 'X must have at least one sample, got 0 rows');
  const sw = checkSampleWeight(op, sampleWeight, m);
  const root = new Float64Array(m);
  let wsum = 0;
  for (let i = 0; i < m; i++) {
    const wi = sw ? sw[i]! : 1;
    root[i] = Math.sqrt(wi);
    wsum += wi;
  }
  const xMean = new Float64Array(n);
  let yMean = 0;
  if (fitIntercept) {
    const sums = columnSums(X, sw ?? undefined);
    for (let j = 0; j < n; j++) xMean[j] = sums[j]! / wsum;
    for (let i = 0; i < m; i++) yMean += (sw ? sw[i]! : 1) * v[i]!;
    yMean /= wsum;
  }
  const b = new Float64Array(m);
  for (let i = 0; i < m; i++) b[i] = root[i]! * (v[i]! - yMean);
  const A = new CenteredCsr(X, root, fitIntercept ? xMean : null);
  return { A, b, xMean, yMean };
}

/**
 * A·x = √w ⊙ (X·x − (x̄·x)·1), Aᵀ·u = Xᵀ(√w ⊙ u) − x̄·Σ(√w ⊙ u) (x̄ null: no centring). A class, so
 * that its loops keep their optimized code across fits (per-fit closures were compiled anew).
 */
class CenteredCsr implements LinearOperator {
  readonly rows: number;
  readonly cols: number;
  // Aᵀ·u scatters X's rows four at a time when each row's indices are distinct; otherwise it
  // gathers along Xᵀ, formed once (a plain scatter is ~1.7x slower).
  private readonly XT: CsrMatrix | null;
  private readonly data: Float64Array;
  private readonly t: Float64Array;
  constructor(
    private readonly X: CsrMatrix,
    private readonly root: Float64Array,
    private readonly xMean: Float64Array | null,
  ) {
    [this.rows, this.cols] = X.shape;
    this.XT = isCanonical(X) ? null : X.transpose();
    this.data = X.data instanceof Float64Array ? X.data : Float64Array.from(X.data);
    this.t = new Float64Array(this.rows);
  }
  matvec(x: Float64Array, out: Float64Array): void {
    spmm(this.X, x, 1, out);
    const c = this.xMean === null ? 0 : dotN(this.xMean, x, this.cols);
    scaleShifted(this.root, c, out);
  }
  rmatvec(u: Float64Array, out: Float64Array): void {
    const s = scaledSum(this.root, u, this.t);
    if (this.XT === null)
      scatterRowsDistinct(this.rows, this.X.indptr, this.X.indices, this.data, this.t, out);
    else spmm(this.XT, this.t, 1, out);
    if (this.xMean !== null) axpyN(-s, this.xMean, out, this.cols);
  }
}

function dotN(a: Float64Array, b: Float64Array, n: number): number {
  let c = 0;
  for (let j = 0; j < n; j++) c += a[j]! * b[j]!;
  return c;
}

/** out = root ⊙ (out − c) */
function scaleShifted(root: Float64Array, c: number, out: Float64Array): void {
  for (let i = 0; i < root.length; i++) out[i] = root[i]! * (out[i]! - c);
}

/** t = root ⊙ u; returns Σ t. */
function scaledSum(root: Float64Array, u: Float64Array, t: Float64Array): number {
  let s = 0;
  for (let i = 0; i < root.length; i++) {
    t[i] = root[i]! * u[i]!;
    s += t[i]!;
  }
  return s;
}

/** y[j] += a·x[j] for j < n */
function axpyN(a: number, x: Float64Array, y: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) y[j]! += a * x[j]!;
}

/** (AAᵀ + alpha·I)·z (dual) or (AᵀA + alpha·I)·w (primal), for conjugateGradient. */
class NormalEquations {
  private readonly t: Float64Array;
  constructor(
    private readonly A: LinearOperator,
    private readonly alpha: number,
    private readonly dual: boolean,
  ) {
    this.t = new Float64Array(dual ? A.cols : A.rows);
  }
  apply(v: Float64Array, out: Float64Array): void {
    if (this.dual) {
      this.A.rmatvec(v, this.t);
      this.A.matvec(this.t, out);
    } else {
      this.A.matvec(v, this.t);
      this.A.rmatvec(this.t, out);
    }
    axpyN(this.alpha, v, out, v.length);
  }
}

function interceptOf(fitIntercept: boolean, yMean: number, xMean: Float64Array, coef: Float64Array): number {
  if (!fitIntercept) return 0;
  let intercept = yMean;
  for (let j = 0; j < coef.length; j++) intercept -= xMean[j]! * coef[j]!;
  return intercept;
}

/**
 * Least squares (alpha = 0) or ridge (alpha > 0) on a CsrMatrix by LSQR (damp = √alpha) on the
 * problem of sparseProblem, from x = 0 (the minimum-norm solution when alpha = 0 and A is rank
 * deficient).
 */
export function fitSparseLinear(
  op: string,
  X: CsrMatrix,
  y: VectorLike,
  sampleWeight: VectorLike | undefined,
  fitIntercept: boolean,
  alpha: number,
): SparseLinearFit {
  const [m, n] = X.shape;
  const { A, b, xMean, yMean } = sparseProblem(op, X, y, sampleWeight, fitIntercept);
  const iterLimit = 10 * Math.min(m, n) + 100;
  const res = lsqr(A, b, { damp: Math.sqrt(alpha), atol: TOL, btol: TOL, conlim: CONLIM, iterLimit });
  if (res.istop === 7)
    warn(
      'ConvergenceWarning',
      `${op}: LSQR stopped after ${iterLimit} iterations before reaching tolerance ${TOL}; X may be badly conditioned`,
    );
  return { coef: res.x, intercept: interceptOf(fitIntercept, yMean, xMean, res.x), nIter: res.nIter };
}

/**
 * Ridge on a CsrMatrix as scikit-learn's solver 'sparse_cg': conjugate gradients (scipy's cg, see
 * conjugateGradient) on the normal equations of sparseProblem's A — (AᵀA + alpha·I)·w = Aᵀb when
 * A has no more columns than rows, else the dual (AAᵀ + alpha·I)·z = b with w = Aᵀz — stopped at
 * residual tol·‖rhs‖. maxIter null: scipy's default, 10 × the system's size.
 */
export function fitSparseRidgeCg(
  op: string,
  X: CsrMatrix,
  y: VectorLike,
  sampleWeight: VectorLike | undefined,
  fitIntercept: boolean,
  alpha: number,
  tol: number,
  maxIter: number | null,
): SparseLinearFit {
  const [m, n] = X.shape;
  const { A, b, xMean, yMean } = sparseProblem(op, X, y, sampleWeight, fitIntercept);
  // kernel ridge when X is wide: scikit-learn passes no maxiter there, so scipy's 10·m applies
  const dual = n > m;
  const normal = new NormalEquations(A, alpha, dual);
  let rhs = b;
  if (!dual) {
    rhs = new Float64Array(n);
    A.rmatvec(b, rhs);
  }
  const res = conjugateGradient((v, out) => normal.apply(v, out), rhs, {
    tol,
    maxIter: maxIter ?? 10 * (dual ? m : n),
  });
  let coef = res.x;
  if (dual) {
    coef = new Float64Array(n);
    A.rmatvec(res.x, coef);
  }
  if (!res.converged)
    warn(
      'ConvergenceWarning',
      `${op}: conjugate gradients stopped after ${res.nIter} iterations before reaching tol ${tol}; increase maxIter or tol`,
    );
  return { coef, intercept: interceptOf(fitIntercept, yMean, xMean, coef), nIter: res.nIter };
}
