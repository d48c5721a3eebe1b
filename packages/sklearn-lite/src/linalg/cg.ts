/**
 * Conjugate gradients for A·x = b with A symmetric positive definite, given by its product
 * `matvec(x, out)`, as scipy.sparse.linalg.cg (scipy 1.10, no preconditioner, x₀ = 0) runs it with
 * `atol='legacy'`, the way scikit-learn's Ridge solver 'sparse_cg' calls it:
 * - if ‖b‖ <= tol, x = 0 is returned at once (the legacy test compares the residual with tol itself);
 * - otherwise the iteration stops when the recurrence residual ‖r‖ <= tol·‖b‖; after the first
 *   iteration that is confirmed on the true residual b − A·x (one more product), which replaces r
 *   and the iteration goes on when it fails;
 * - or after maxIter iterations (scipy's default 10·n), unconverged.
 */
export interface CgResult {
  x: Float64Array;
  nIter: number;
  converged: boolean;
}

function norm(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** p = r + beta·p */
function xpby(r: Float64Array, beta: number, p: Float64Array): void {
  for (let i = 0; i < p.length; i++) p[i] = r[i]! + beta * p[i]!;
}

/** x += alpha·p, r −= alpha·q */
function step(alpha: number, p: Float64Array, q: Float64Array, x: Float64Array, r: Float64Array): void {
  for (let i = 0; i < x.length; i++) {
    x[i]! += alpha * p[i]!;
    r[i]! -= alpha * q[i]!;
  }
}

/** r = b − q */
function sub(b: Float64Array, q: Float64Array, r: Float64Array): void {
  for (let i = 0; i < r.length; i++) r[i] = b[i]! - q[i]!;
}

// The loops are small functions of their own: inside conjugateGradient they were optimized on
// stack replacement, again in every fit.
export function conjugateGradient(
  matvec: (x: Float64Array, out: Float64Array) => void,
  b: Float64Array,
  opts: { tol: number; maxIter: number },
): CgResult {
  const n = b.length;
  const x = new Float64Array(n);
  const bnorm = norm(b);
  if (bnorm <= opts.tol) return { x, nIter: 0, converged: true };
  const atol = opts.tol * bnorm;
  const r = b.slice();
  const p = new Float64Array(n);
  const q = new Float64Array(n);
  let rho1 = 0;
  for (let iter = 1; iter <= opts.maxIter; iter++) {
    const rho = dot(r, r);
    if (iter === 1) p.set(r);
    else xpby(r, rho / rho1, p);
    matvec(p, q);
    const alpha = rho / dot(p, q);
    step(alpha, p, q, x, r);
    if (norm(r) <= atol) {
      if (iter === 1) return { x, nIter: iter, converged: true };
      matvec(x, q);
      sub(b, q, r);
      if (norm(r) <= atol) return { x, nIter: iter, converged: true };
    }
    rho1 = rho;
  }
  return { x, nIter: opts.maxIter, converged: false };
}
