/**
 * LSQR (Paige & Saunders 1982, as scipy.sparse.linalg.lsqr) for min ‖A·x − b‖² + damp²·‖x‖² with A
 * given only through its products: `matvec(x, out)` sets out = A·x (length m) and `rmatvec(u, out)`
 * sets out = Aᵀ·u (length n). Started from x = 0, it converges to the minimum-norm solution when A
 * is rank deficient (a zero column gets a zero coefficient).
 */
export interface LinearOperator {
  readonly rows: number;
  readonly cols: number;
  matvec(x: Float64Array, out: Float64Array): void;
  rmatvec(u: Float64Array, out: Float64Array): void;
}

export interface LsqrOptions {
  damp: number;
  /** Stops when ‖Aᵀr‖ ≤ atol·‖A‖·‖r‖ (a least-squares solution). */
  atol: number;
  /** Stops when ‖r‖ ≤ btol·‖b‖ + atol·‖A‖·‖x‖ (a consistent system solved). */
  btol: number;
  /** Stops when the estimate of cond(A) passes conlim. */
  conlim: number;
  iterLimit: number;
}

export interface LsqrResult {
  x: Float64Array;
  /** scipy's istop: 0 x = 0 solves it, 1 consistent, 2 least squares, 3 conlim, 4-6 the same at machine precision, 7 iterLimit. */
  istop: number;
  nIter: number;
}

const EPS = 2.220446049250313e-16;

function norm(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

function scale(v: Float64Array, a: number): void {
  for (let i = 0; i < v.length; i++) v[i]! *= a;
}

/** A stable Givens rotation: c, s, r with [c s; −s c]·[a; b] = [r; 0]. */
function symOrtho(a: number, b: number): [number, number, number] {
  if (b === 0) return [a === 0 ? 1 : Math.sign(a), 0, Math.abs(a)];
  if (a === 0) return [0, Math.sign(b), Math.abs(b)];
  if (Math.abs(b) > Math.abs(a)) {
    const tau = a / b;
    const s = Math.sign(b) / Math.sqrt(1 + tau * tau);
    return [s * tau, s, b / s];
  }
  const tau = b / a;
  const c = Math.sign(a) / Math.sqrt(1 + tau * tau);
  return [c, c * tau, a / c];
}

export function lsqr(A: LinearOperator, b: Float64Array, opts: LsqrOptions): LsqrResult {
  const { rows: m, cols: n } = A;
  const { damp, atol, btol, conlim, iterLimit } = opts;
  const ctol = conlim > 0 ? 1 / conlim : 0;
  const dampsq = damp * damp;
  const x = new Float64Array(n);
  const u = Float64Array.from(b);
  const v = new Float64Array(n);
  const w = new Float64Array(n);
  const Av = new Float64Array(m);
  const Atu = new Float64Array(n);
  const bnorm = norm(u);
  let beta = bnorm;
  let alfa = 0;
  if (beta > 0) {
    scale(u, 1 / beta);
    A.rmatvec(u, v);
    alfa = norm(v);
  }
  if (alfa > 0) scale(v, 1 / alfa);
  w.set(v);
  let rhobar = alfa;
  let phibar = beta;
  let anorm = 0;
  let ddnorm = 0;
  let res2 = 0;
  let xxnorm = 0;
  let z = 0;
  let cs2 = -1;
  let sn2 = 0;
  let istop = 0;
  let itn = 0;
  if (alfa * beta === 0) return { x, istop, nIter: 0 };
  while (itn < iterLimit) {
    itn++;
    // Bidiagonalization: beta·u = A·v − alfa·u, alfa·v = Aᵀ·u − beta·v.
    A.matvec(v, Av);
    for (let i = 0; i < m; i++) u[i] = Av[i]! - alfa * u[i]!;
    beta = norm(u);
    if (beta > 0) {
      scale(u, 1 / beta);
      anorm = Math.sqrt(anorm * anorm + alfa * alfa + beta * beta + dampsq);
      A.rmatvec(u, Atu);
      for (let j = 0; j < n; j++) v[j] = Atu[j]! - beta * v[j]!;
      alfa = norm(v);
      if (alfa > 0) scale(v, 1 / alfa);
    }
    // The damping, rotated out of the lower bidiagonal.
    let rhobar1 = rhobar;
    let psi = 0;
    if (damp > 0) {
      rhobar1 = Math.sqrt(rhobar * rhobar + dampsq);
      const cs1 = rhobar / rhobar1;
      const sn1 = damp / rhobar1;
      psi = sn1 * phibar;
      phibar = cs1 * phibar;
    }
    const [cs, sn, rho] = symOrtho(rhobar1, beta);
    const theta = sn * alfa;
    rhobar = -cs * alfa;
    const phi = cs * phibar;
    phibar = sn * phibar;
    const tau = sn * phi;
    // x and w.
    const t1 = phi / rho;
    const t2 = -theta / rho;
    let dk = 0;
    for (let j = 0; j < n; j++) {
      const wj = w[j]!;
      x[j]! += t1 * wj;
      dk += wj * wj;
      w[j] = v[j]! + t2 * wj;
    }
    ddnorm += dk / (rho * rho);
    // ‖x‖ estimate (a second rotation on the upper bidiagonal).
    const delta = sn2 * rho;
    const gambar = -cs2 * rho;
    const rhs = phi - delta * z;
    const zbar = rhs / gambar;
    const xnorm = Math.sqrt(xxnorm + zbar * zbar);
    const gamma = Math.sqrt(gambar * gambar + theta * theta);
    cs2 = gambar / gamma;
    sn2 = theta / gamma;
    z = rhs / gamma;
    xxnorm += z * z;
    // Stopping tests.
    const acond = anorm * Math.sqrt(ddnorm);
    const res1 = phibar * phibar;
    res2 += psi * psi;
    const rnorm = Math.sqrt(res1 + res2);
    const arnorm = alfa * Math.abs(tau);
    const test1 = rnorm / bnorm;
    const test2 = arnorm / (anorm * rnorm + EPS);
    const test3 = 1 / (acond + EPS);
    const t1s = test1 / (1 + (anorm * xnorm) / bnorm);
    const rtol = btol + (atol * anorm * xnorm) / bnorm;
    if (itn >= iterLimit) istop = 7;
    if (1 + test3 <= 1) istop = 6;
    if (1 + test2 <= 1) istop = 5;
    if (1 + t1s <= 1) istop = 4;
    if (test3 <= ctol) istop = 3;
    if (test2 <= atol) istop = 2;
    if (test1 <= rtol) istop = 1;
    if (istop !== 0) break;
  }
  return { x, istop, nIter: itn };
}
