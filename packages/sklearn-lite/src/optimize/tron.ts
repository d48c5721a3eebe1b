/**
 * LIBLINEAR's trust-region Newton method (Lin, Weng & Keerthi 2008, liblinear's tron.cpp): each
 * step solves the Newton system by conjugate gradients inside a trust region, using only
 * Hessian-vector products, so a large sparse problem costs two sparse products per CG step.
 * Stops when ‖∇f‖ <= eps·‖∇f(w₀)‖, as LIBLINEAR does.
 */
export interface TronProblem {
  /** f(w); keeps what grad needs at this w. */
  fun(w: Float64Array): number;
  /** ∇f at the w last given to fun; keeps what hessVec needs (a rejected step's fun leaves it alone). */
  grad(w: Float64Array, g: Float64Array): void;
  /** H·v at the w last given to grad. */
  hessVec(v: Float64Array, out: Float64Array): void;
}

// Small functions rather than one long tron(): each is optimized on its own, soon, and stays
// optimized from one fit to the next (a long tron() was recompiled on stack replacement every fit).

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

/** y += a·x */
function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i]! += a * x[i]!;
}

/** d = beta·d + r */
function xpby(r: Float64Array, beta: number, d: Float64Array): void {
  for (let i = 0; i < d.length; i++) d[i] = beta * d[i]! + r[i]!;
}

/**
 * trcg: conjugate gradients for H s = −g inside ‖s‖ <= delta, to ‖r‖ <= 0.1·‖g‖; s and r (the
 * residual −g − H s) come back in place. d and Hd are scratch.
 */
function trcg(
  p: TronProblem,
  delta: number,
  g: Float64Array,
  s: Float64Array,
  r: Float64Array,
  d: Float64Array,
  Hd: Float64Array,
): void {
  const n = g.length;
  s.fill(0);
  for (let i = 0; i < n; i++) r[i] = -g[i]!;
  d.set(r);
  let rTr = dot(r, r);
  const cgtol = 0.1 * norm(g);
  for (;;) {
    if (Math.sqrt(rTr) <= cgtol) break;
    p.hessVec(d, Hd);
    let alpha = rTr / dot(d, Hd);
    axpy(alpha, d, s);
    if (norm(s) > delta) {
      axpy(-alpha, d, s);
      const std = dot(s, d);
      const sts = dot(s, s);
      const dtd = dot(d, d);
      const dsq = delta * delta;
      const rad = Math.sqrt(std * std + dtd * (dsq - sts));
      alpha = std >= 0 ? (dsq - sts) / (std + rad) : (rad - std) / dtd;
      axpy(alpha, d, s);
      axpy(-alpha, Hd, r);
      break;
    }
    axpy(-alpha, Hd, r);
    const rnew = dot(r, r);
    xpby(r, rnew / rTr, d);
    rTr = rnew;
  }
}

export function tron(
  p: TronProblem,
  w0: Float64Array,
  opts: { eps: number; maxIter: number },
): { w: Float64Array; nIter: number; converged: boolean } {
  const n = w0.length;
  const [eta0, eta1, eta2] = [1e-4, 0.25, 0.75];
  const [sigma1, sigma2, sigma3] = [0.25, 0.5, 4];
  let w = w0.slice();
  let f = p.fun(w);
  const g = new Float64Array(n);
  p.grad(w, g);
  let delta = norm(g);
  const gnorm0 = delta;
  const s = new Float64Array(n);
  const r = new Float64Array(n);
  const d = new Float64Array(n);
  const Hd = new Float64Array(n);
  let iter = 1;
  let converged = gnorm0 === 0;
  while (iter <= opts.maxIter && !converged) {
    if (norm(g) <= opts.eps * gnorm0) {
      converged = true;
      break;
    }
    trcg(p, delta, g, s, r, d, Hd);
    const wNew = w.slice();
    axpy(1, s, wNew);
    const gs = dot(g, s);
    const prered = -0.5 * (gs - dot(s, r));
    const fNew = p.fun(wNew);
    const actred = f - fNew;
    const snorm = norm(s);
    if (iter === 1) delta = Math.min(delta, snorm);
    const alpha = fNew - f - gs <= 0 ? sigma3 : Math.max(sigma1, -0.5 * (gs / (fNew - f - gs)));
    if (actred < eta0 * prered) delta = Math.min(Math.max(alpha, sigma1) * snorm, sigma2 * delta);
    else if (actred < eta1 * prered)
      delta = Math.max(sigma1 * delta, Math.min(alpha * snorm, sigma2 * delta));
    else if (actred < eta2 * prered)
      delta = Math.max(sigma1 * delta, Math.min(alpha * snorm, sigma3 * delta));
    else delta = Math.max(delta, Math.min(alpha * snorm, sigma3 * delta));
    if (actred > eta0 * prered) {
      iter++;
      w = wNew;
      f = fNew;
      p.grad(w, g);
    }
    if (Math.abs(actred) <= 0 && prered <= 0) break;
    if (Math.abs(actred) <= 1e-12 * Math.abs(f) && Math.abs(prered) <= 1e-12 * Math.abs(f)) break;
  }
  return { w, nIter: iter - 1, converged };
}
