import { warn } from '@lumen/tensor';
import { matmul, matmulAtB } from './products.js';
import { jacobiSvd, type Svd, svdFlip } from './svd.js';

/** A matrix (rows x cols) given by its two products, as the Lanczos SVD needs it. */
export interface MatrixProducts {
  rows: number;
  cols: number;
  /** out (rows) = A · v. */
  av(v: Float64Array, out: Float64Array): void;
  /** out (cols) = Aᵀ · u. */
  atu(u: Float64Array, out: Float64Array): void;
}

export interface LanczosSvdOptions {
  nComponents: number;
  /**
   * A Ritz triplet has converged when its residual ‖Aᵀu − σv‖ is at most tol·σ; 0 (scikit-learn's
   * default for ARPACK) asks for machine precision, taken as 1e-14·σ₁.
   */
  tol: number;
  /** Start vector (cols), e.g. uniform in [-1, 1] as scikit-learn's _init_arpack_v0. */
  v0: Float64Array;
  /** Another start direction when the Krylov space closes before convergence (rare). */
  fresh: () => Float64Array;
}

function norm(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s);
}

/**
 * Removes from x its components along the rows of basis (count x len) by classical Gram-Schmidt,
 * with a second pass only when the first removed most of x (the DGKS criterion: ‖x‖ fell below
 * ‖x₀‖/√2), and adds the coefficients removed into `coef` when given. Plain loops, not the GEMM:
 * a matrix-vector product would copy the whole basis into the kernels' memory.
 */
function orthogonalize(x: Float64Array, basis: Float64Array, count: number, coef?: Float64Array): void {
  const len = x.length;
  const c = new Float64Array(count);
  let before = norm(x);
  for (let pass = 0; pass < 2 && count > 0; pass++) {
    for (let r = 0; r < count; r++) {
      const o = r * len;
      let s0 = 0;
      let s1 = 0;
      let i = 0;
      for (; i + 1 < len; i += 2) {
        s0 += basis[o + i]! * x[i]!;
        s1 += basis[o + i + 1]! * x[i + 1]!;
      }
      if (i < len) s0 += basis[o + i]! * x[i]!;
      c[r] = s0 + s1;
      if (coef) coef[r]! += c[r]!;
    }
    for (let r = 0; r < count; r++) {
      const o = r * len;
      const cr = c[r]!;
      for (let i = 0; i < len; i++) x[i]! -= cr * basis[o + i]!;
    }
    const after = norm(x);
    if (after > Math.SQRT1_2 * before) break;
    before = after;
  }
}

/**
 * The nComponents largest singular triplets by Lanczos bidiagonalization with full
 * reorthogonalization and thick restarts (Baglama & Reichel's scheme; ARPACK, which scikit-learn's
 * TruncatedSVD 'arpack' calls, restarts its Lanczos process likewise). With U and V orthonormal,
 * A·V = U·B holds for the small upper triangular B whose columns are the Gram-Schmidt coefficients
 * of each A·v (bidiagonal between restarts), and Aᵀ·U = V·Bᵀ + β·v_next·e_lastᵀ, so each SVD of
 * B = P·Σ·Qᵀ gives Ritz triplets (U·p, σ, V·q) with residuals β·|last row of P|. A cycle runs
 * ncv = max(2k + 1, 20) steps (scipy's svds' ncv); a restart keeps the best Ritz vectors and the
 * next direction. Signs follow scikit-learn's svd_flip on U.
 */
export function lanczosSvd(A: MatrixProducts, opts: LanczosSvdOptions): Svd {
  const { rows: m, cols: n } = A;
  const k = opts.nComponents;
  const ncv = Math.min(Math.min(m, n), Math.max(2 * k + 1, 20));
  const keep = Math.min(ncv - 1, k + Math.floor((ncv - k) / 2));
  let U = new Float64Array(ncv * m);
  let V = new Float64Array((ncv + 1) * n);
  const B = new Float64Array(ncv * ncv);
  const coef = new Float64Array(ncv);
  const p = new Float64Array(m);
  const r = new Float64Array(n);
  /** Row j of V from a start direction, orthogonal to rows 0..j-1; false if none is left. */
  const start = (v: Float64Array, j: number): boolean => {
    const x = v.slice();
    orthogonalize(x, V, j);
    const s = norm(x);
    if (!(s > 0)) return false;
    for (let i = 0; i < n; i++) V[j * n + i] = x[i]! / s;
    return true;
  };
  if (!start(opts.v0, 0)) start(opts.fresh(), 0);
  let first = 0; // the first step of this cycle (after a restart: the number of vectors kept)
  let betaLast = 0;
  for (let cycle = 0; ; cycle++) {
    let j = first;
    for (; j < ncv; j++) {
      // A v_j = Σ_i B[i][j] u_i + α_j u_j
      A.av(V.subarray(j * n, (j + 1) * n), p);
      coef.fill(0);
      orthogonalize(p, U, j, coef);
      for (let i = 0; i < j; i++) B[i * ncv + j] = coef[i]!;
      const a = norm(p);
      B[j * ncv + j] = a;
      if (a > 0) for (let i = 0; i < m; i++) U[j * m + i] = p[i]! / a;
      else U.fill(0, j * m, (j + 1) * m);
      // β_j v_{j+1} = Aᵀ u_j − (its part in span V)
      A.atu(U.subarray(j * m, (j + 1) * m), r);
      orthogonalize(r, V, j + 1);
      betaLast = norm(r);
      if (betaLast > 1e-14 * Math.abs(B[0]!))
        for (let i = 0; i < n; i++) V[(j + 1) * n + i] = r[i]! / betaLast;
      else {
        // an invariant subspace: B splits here; go on from a new direction (if any is left)
        betaLast = 0;
        if (j + 1 < ncv && !start(opts.fresh(), j + 1)) {
          j++;
          break;
        }
      }
    }
    const steps = j;
    const small = jacobiSvd(topLeft(B, ncv, steps), steps, steps);
    if (steps < ncv || ncv === Math.min(m, n) || converged(small, betaLast, steps, k, opts.tol)) {
      return ritzVectors(U, V, small, steps, Math.min(k, steps), m, n);
    }
    if (cycle >= 1000) {
      warn(
        'ConvergenceWarning',
        `TruncatedSVD: the Lanczos iterations did not converge to tol in ${cycle} restarts`,
      );
      return ritzVectors(U, V, small, steps, k, m, n);
    }
    // Restart: keep the best `keep` Ritz vectors, then the next direction v_ncv.
    const Pk = columns(small.u, steps, keep);
    const nextU = new Float64Array(ncv * m);
    nextU.set(matmulAtB(Pk, U.subarray(0, steps * m), steps, keep, m)); // rows Σ_j P[j][c]·u_j
    const nextV = new Float64Array((ncv + 1) * n);
    nextV.set(matmul(small.vt.subarray(0, keep * steps), V.subarray(0, steps * n), keep, steps, n));
    nextV.set(V.subarray(steps * n, (steps + 1) * n), keep * n);
    U = nextU;
    V = nextV;
    B.fill(0);
    for (let i = 0; i < keep; i++) B[i * ncv + i] = small.s[i]!;
    first = keep;
  }
}

/** The leading steps x steps block of the (size x size) matrix B. */
function topLeft(B: Float64Array, size: number, steps: number): Float64Array {
  const out = new Float64Array(steps * steps);
  for (let i = 0; i < steps; i++) out.set(B.subarray(i * size, i * size + steps), i * steps);
  return out;
}

/** The first `count` columns of a (rows x cols) row-major matrix. */
function columns(a: Float64Array, rows: number, count: number): Float64Array {
  const cols = a.length / rows;
  const out = new Float64Array(rows * count);
  for (let i = 0; i < rows; i++) for (let c = 0; c < count; c++) out[i * count + c] = a[i * cols + c]!;
  return out;
}

/** (U·P, σ, (V·Q)ᵀ) for the kk largest, signs by svd_flip on U. */
function ritzVectors(
  U: Float64Array,
  V: Float64Array,
  small: Svd,
  steps: number,
  kk: number,
  m: number,
  n: number,
): Svd {
  const u = matmulAtB(U.subarray(0, steps * m), columns(small.u, steps, kk), steps, m, kk); // m x kk
  const vt = matmul(small.vt.subarray(0, kk * steps), V.subarray(0, steps * n), kk, steps, n);
  svdFlip(u, vt, m, kk, n, true);
  return { u, s: small.s.slice(0, kk), vt, k: kk };
}

function converged(small: Svd, betaLast: number, steps: number, k: number, tol: number): boolean {
  const s1 = small.s[0]!;
  for (let c = 0; c < k; c++) {
    const residual = Math.abs(betaLast * small.u[(steps - 1) * steps + c]!);
    if (residual > Math.max(tol * small.s[c]!, 1e-14 * s1)) return false;
  }
  return true;
}
