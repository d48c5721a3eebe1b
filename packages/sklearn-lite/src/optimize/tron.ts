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

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
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
    // trcg: CG for H s = -g inside ‖s‖ <= delta
    s.fill(0);
    for (let i = 0; i < n; i++) r[i] = -g[i]!;
    d.set(r);
    let rTr = dot(r, r);
    const cgtol = 0.1 * norm(g);
    for (;;) {
      if (Math.sqrt(rTr) <= cgtol) break;
      p.hessVec(d, Hd);
      let alpha = rTr / dot(d, Hd);
      for (let i = 0; i < n; i++) s[i]! += alpha * d[i]!;
      if (norm(s) > delta) {
        for (let i = 0; i < n; i++) s[i]! -= alpha * d[i]!;
        const std = dot(s, d);
        const sts = dot(s, s);
        const dtd = dot(d, d);
        const dsq = delta * delta;
        const rad = Math.sqrt(std * std + dtd * (dsq - sts));
        alpha = std >= 0 ? (dsq - sts) / (std + rad) : (rad - std) / dtd;
        for (let i = 0; i < n; i++) {
          s[i]! += alpha * d[i]!;
          r[i]! -= alpha * Hd[i]!;
        }
        break;
      }
      for (let i = 0; i < n; i++) r[i]! -= alpha * Hd[i]!;
      const rnew = dot(r, r);
      const beta = rnew / rTr;
      for (let i = 0; i < n; i++) d[i] = beta * d[i]! + r[i]!;
      rTr = rnew;
    }
    const wNew = new Float64Array(n);
    for (let i = 0; i < n; i++) wNew[i] = w[i]! + s[i]!;
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
