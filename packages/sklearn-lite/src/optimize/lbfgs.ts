/**
 * Limited-memory BFGS (unconstrained), stopping like scipy's L-BFGS-B as scikit-learn calls it:
 * max |gradient| <= gtol, or a relative decrease of f below factr·eps (factr = 1e7), or maxIter
 * iterations. Steps satisfy the strong Wolfe conditions (Nocedal & Wright, algorithms 3.5/3.6).
 */

/** Returns f(x) and writes ∇f(x) into `grad`. */
export type ObjectiveWithGradient = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  maxIter: number;
  gtol: number;
  /** Relative decrease of f that counts as converged (scipy: factr 1e7 × machine eps). */
  ftol?: number;
  /** Correction pairs kept (scipy's maxcor, 10). */
  memory?: number;
  maxLineSearch?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  nIter: number;
  converged: boolean;
  message: string;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]!);
    if (v > m) m = v;
  }
  return m;
}

/**
 * Arrays of one length handed back and reused within one run: every iteration needs several
 * parameter-sized arrays (the step and gradient change, each line-search point), and on these
 * machines each fresh large allocation is page-faulted in again.
 */
class ArrayPool {
  private readonly free: Float64Array[] = [];
  constructor(private readonly n: number) {}
  take(): Float64Array {
    return this.free.pop() ?? new Float64Array(this.n);
  }
  give(a: Float64Array): void {
    if (this.free.length < 16) this.free.push(a);
  }
}

export function lbfgs(fg: ObjectiveWithGradient, x0: Float64Array, opts: LbfgsOptions): LbfgsResult {
  const n = x0.length;
  const pool = new ArrayPool(n);
  const memory = opts.memory ?? 10;
  const ftol = opts.ftol ?? 1e7 * 2.220446049250313e-16;
  const maxLs = opts.maxLineSearch ?? 20;
  let x: Float64Array = x0.slice();
  let g: Float64Array = new Float64Array(n);
  let f = fg(x, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const d = new Float64Array(n);
  const alpha = new Float64Array(memory);
  if (maxAbs(g) <= opts.gtol)
    return { x, f, nIter: 0, converged: true, message: 'gradient below gtol at the start' };
  let it = 0;
  let stalls = 0;
  while (it < opts.maxIter) {
    // Two-loop recursion: d = -H·g.
    for (let i = 0; i < n; i++) d[i] = -g[i]!;
    for (let k = S.length - 1; k >= 0; k--) {
      const a = rho[k]! * dot(S[k]!, d);
      alpha[k] = a;
      const yk = Y[k]!;
      for (let i = 0; i < n; i++) d[i]! -= a * yk[i]!;
    }
    if (S.length > 0) {
      const last = S.length - 1;
      const gamma = dot(S[last]!, Y[last]!) / dot(Y[last]!, Y[last]!);
      for (let i = 0; i < n; i++) d[i]! *= gamma;
    }
    for (let k = 0; k < S.length; k++) {
      const beta = rho[k]! * dot(Y[k]!, d);
      const sk = S[k]!;
      const c = alpha[k]! - beta;
      for (let i = 0; i < n; i++) d[i]! += c * sk[i]!;
    }
    let dg = dot(d, g);
    if (!(dg < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i]!;
      dg = dot(d, g);
    }
    const step0 = S.length === 0 ? Math.min(1, 1 / Math.sqrt(dot(d, d))) : 1;
    const ls = wolfeLineSearch(fg, x, f, g, d, dg, step0, maxLs, pool);
    if (!ls)
      return {
        x,
        f,
        nIter: it,
        converged: false,
        message: 'line search could not find a step satisfying the Wolfe conditions',
      };
    it++;
    const s = pool.take();
    const y = pool.take();
    for (let i = 0; i < n; i++) {
      s[i] = ls.x[i]! - x[i]!;
      y[i] = ls.g[i]! - g[i]!;
    }
    const fPrev = f;
    pool.give(x);
    pool.give(g);
    x = ls.x;
    g = ls.g;
    f = ls.f;
    const sy = dot(s, y);
    if (sy > 2.220446049250313e-16 * dot(y, y)) {
      if (S.length === memory) {
        pool.give(S.shift()!);
        pool.give(Y.shift()!);
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    } else {
      pool.give(s);
      pool.give(y);
    }
    if (maxAbs(g) <= opts.gtol)
      return { x, f, nIter: it, converged: true, message: 'max |gradient| <= gtol' };
    // scipy stops on the first such step; our line search takes shorter steps now and then
    // on badly scaled problems, so a stall must repeat before it counts as converged.
    stalls = (fPrev - f) / Math.max(Math.abs(fPrev), Math.abs(f), 1) <= ftol ? stalls + 1 : 0;
    if (stalls >= 2)
      return { x, f, nIter: it, converged: true, message: 'relative reduction of f <= factr·eps' };
  }
  return { x, f, nIter: it, converged: false, message: 'total number of iterations reached maxIter' };
}

interface Point {
  x: Float64Array;
  f: number;
  g: Float64Array;
  dg: number;
}

/** Strong Wolfe line search with c1 = 1e-4, c2 = 0.9 (bracketing, then zoom by cubic interpolation). */
function wolfeLineSearch(
  fg: ObjectiveWithGradient,
  x: Float64Array,
  f0: number,
  g0: Float64Array,
  d: Float64Array,
  dg0: number,
  step0: number,
  maxEvals: number,
  pool: ArrayPool,
): Point | null {
  const c1 = 1e-4;
  const c2 = 0.9;
  const n = x.length;
  const created: Point[] = [];
  const evalAt = (t: number): Point & { t: number } => {
    const xt = pool.take();
    for (let i = 0; i < n; i++) xt[i] = x[i]! + t * d[i]!;
    const gt = pool.take();
    gt.fill(0);
    const ft = fg(xt, gt);
    const p = { t, x: xt, f: ft, g: gt, dg: dot(gt, d) };
    created.push(p);
    return p;
  };
  // Every point evaluated but the one returned goes back to the pool.
  const keep = (p: Point | null): Point | null => {
    for (const c of created) {
      if (c !== p) {
        pool.give(c.x);
        pool.give(c.g);
      }
    }
    return p;
  };
  let prev = { t: 0, x, f: f0, g: g0, dg: dg0 };
  let t = step0;
  let evals = 0;
  const zoom = (lo: Point & { t: number }, hi: Point & { t: number }): Point | null => {
    while (evals < maxEvals) {
      const tj = cubicMin(lo, hi);
      const p = evalAt(tj);
      evals++;
      if (!Number.isFinite(p.f) || p.f > f0 + c1 * tj * dg0 || p.f >= lo.f) hi = p;
      else {
        if (Math.abs(p.dg) <= -c2 * dg0) return p;
        if (p.dg * (hi.t - lo.t) >= 0) hi = lo;
        lo = p;
      }
      if (Math.abs(hi.t - lo.t) < 1e-16 * Math.max(1, lo.t)) return lo.t > 0 ? lo : null;
    }
    return lo.t > 0 && lo.f < f0 ? lo : null;
  };
  while (evals < maxEvals) {
    const p = evalAt(t);
    evals++;
    if (!Number.isFinite(p.f) || p.f > f0 + c1 * t * dg0 || (evals > 1 && p.f >= prev.f))
      return keep(zoom(prev, p));
    if (Math.abs(p.dg) <= -c2 * dg0) return keep(p);
    if (p.dg >= 0) return keep(zoom(p, prev));
    prev = p;
    t *= 2;
  }
  return keep(null);
}

/** Minimizer of the cubic through two points with slopes, kept well inside [lo, hi]. */
function cubicMin(a: { t: number; f: number; dg: number }, b: { t: number; f: number; dg: number }): number {
  const lo = Math.min(a.t, b.t);
  const hi = Math.max(a.t, b.t);
  const d1 = a.dg + b.dg - 3 * ((a.f - b.f) / (a.t - b.t));
  const disc = d1 * d1 - a.dg * b.dg;
  let t = (lo + hi) / 2;
  if (disc >= 0 && Number.isFinite(b.f)) {
    const d2 = Math.sign(b.t - a.t) * Math.sqrt(disc);
    const cand = b.t - (b.t - a.t) * ((b.dg + d2 - d1) / (b.dg - a.dg + 2 * d2));
    if (Number.isFinite(cand)) t = cand;
  }
  const margin = 0.1 * (hi - lo);
  return Math.min(hi - margin, Math.max(lo + margin, t));
}
