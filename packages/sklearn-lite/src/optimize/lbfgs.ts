/**
 * Limited-memory BFGS (unconstrained), stopping like scipy's L-BFGS-B as scikit-learn calls it:
 * max |gradient| <= gtol, or a relative decrease of f below factr·eps (factr = 1e7), or maxIter
 * iterations. Steps satisfy the strong Wolfe conditions (Nocedal & Wright, algorithms 3.5/3.6).
 */

/** Returns f(x) and writes ∇f(x) into `grad`. */
export type ObjectiveWithGradient = (x: Float64Array, grad: Float64Array) => number;

/**
 * An objective that also evaluates along a line cheaply, as f(x) = loss(A·x) + penalty(x) does
 * once A·d is known: the line search then tries steps for O(rows) each, and only the step it
 * takes costs a gradient (one product Aᵀ·r) instead of every step it tries.
 */
export interface LineObjective {
  (x: Float64Array, grad: Float64Array): number;
  /**
   * Prepares trials x + t·d from x, the point last given to the objective or to `accept`;
   * x and d stay unchanged until `accept`.
   */
  along(x: Float64Array, d: Float64Array): void;
  /** f(x + t·d) and its slope d·∇f(x + t·d). */
  at(t: number): { f: number; dg: number };
  /** Moves to x + t·d (one of the steps tried) and writes ∇f there into grad. */
  accept(t: number, grad: Float64Array): void;
}

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

// The vector loops below keep two partial sums: one chain of dependent additions runs at the
// adder's latency, two overlap (about 1.6x faster on these parameter-sized vectors).

function dot(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    s0 += a[i]! * b[i]!;
    s1 += a[i + 1]! * b[i + 1]!;
  }
  if (i < n) s0 += a[i]! * b[i]!;
  return s0 + s1;
}

/** q += a·v, returning w·q (the updated q): one pass of the two-loop recursion and the next one's dot. */
function axpyDot(q: Float64Array, a: number, v: Float64Array, w: Float64Array): number {
  const n = q.length;
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const q0 = q[i]! + a * v[i]!;
    const q1 = q[i + 1]! + a * v[i + 1]!;
    q[i] = q0;
    q[i + 1] = q1;
    s0 += w[i]! * q0;
    s1 += w[i + 1]! * q1;
  }
  if (i < n) {
    const q0 = q[i]! + a * v[i]!;
    q[i] = q0;
    s0 += w[i]! * q0;
  }
  return s0 + s1;
}

/** q = c·(q + a·v), returning w·q. */
function axpyScaleDot(q: Float64Array, a: number, v: Float64Array, c: number, w: Float64Array): number {
  const n = q.length;
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const q0 = c * (q[i]! + a * v[i]!);
    const q1 = c * (q[i + 1]! + a * v[i + 1]!);
    q[i] = q0;
    q[i + 1] = q1;
    s0 += w[i]! * q0;
    s1 += w[i + 1]! * q1;
  }
  if (i < n) {
    const q0 = c * (q[i]! + a * v[i]!);
    q[i] = q0;
    s0 += w[i]! * q0;
  }
  return s0 + s1;
}

/** d = −g */
function negate(g: Float64Array, d: Float64Array): void {
  for (let i = 0; i < d.length; i++) d[i] = -g[i]!;
}

/** d = −g (no pairs yet); returns d·g. */
function steepest(g: Float64Array, d: Float64Array): number {
  negate(g, d);
  return dot(d, g);
}

/**
 * d = −H·g by the two-loop recursion over the pairs (S, Y) with H₀ = γI, γ = sᵀy/yᵀy of the
 * newest pair; returns d·g. Each pass updates d and takes the dot product the next pass needs.
 */
function direction(
  g: Float64Array,
  S: Float64Array[],
  Y: Float64Array[],
  rho: number[],
  alpha: Float64Array,
  d: Float64Array,
): number {
  const m = S.length;
  negate(g, d);
  const last = m - 1;
  const gamma = dot(S[last]!, Y[last]!) / dot(Y[last]!, Y[last]!);
  let sd = dot(S[last]!, d);
  for (let k = last; k > 0; k--) {
    alpha[k] = rho[k]! * sd;
    sd = axpyDot(d, -alpha[k]!, Y[k]!, S[k - 1]!);
  }
  alpha[0] = rho[0]! * sd;
  let yd = axpyScaleDot(d, -alpha[0]!, Y[0]!, gamma, Y[0]!);
  for (let k = 0; k < last; k++) yd = axpyDot(d, alpha[k]! - rho[k]! * yd, S[k]!, Y[k + 1]!);
  return axpyDot(d, alpha[last]! - rho[last]! * yd, S[last]!, g);
}

/**
 * s = x₁ − x₀ and y = g₁ − g₀, with sᵀy, yᵀy and max |g₁| in one pass. (Each loop sits in a small
 * function of its own: a loop inside a long function is optimized on stack replacement before the
 * code after it has run, and that code then deoptimized on every later call — direction() ran in
 * the interpreter most of the time.)
 */
function stepPair(
  x0: Float64Array,
  g0: Float64Array,
  x1: Float64Array,
  g1: Float64Array,
  s: Float64Array,
  y: Float64Array,
): { sy: number; yy: number; gmax: number } {
  let sy = 0;
  let yy = 0;
  let gmax = 0;
  for (let i = 0; i < s.length; i++) {
    const si = x1[i]! - x0[i]!;
    const gi = g1[i]!;
    const yi = gi - g0[i]!;
    s[i] = si;
    y[i] = yi;
    sy += si * yi;
    yy += yi * yi;
    const a = Math.abs(gi);
    if (a > gmax) gmax = a;
  }
  return { sy, yy, gmax };
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

function isLineObjective(fg: ObjectiveWithGradient | LineObjective): fg is LineObjective {
  return 'along' in fg && 'at' in fg && 'accept' in fg;
}

/** A step tried by the line search. */
interface Trial {
  t: number;
  f: number;
  dg: number;
}

/**
 * The line search's view of f along d from x: `at(t)` tries a step, `take(t)` returns the point
 * and gradient of a step tried, `drop()` gives up; either hands the other trials' arrays back.
 */
function lineOf(
  fg: ObjectiveWithGradient | LineObjective,
  x: Float64Array,
  d: Float64Array,
  pool: ArrayPool,
): { at(t: number): Trial; take(t: number): { x: Float64Array; g: Float64Array }; drop(): void } {
  const n = x.length;
  const point = (t: number): Float64Array => {
    const xt = pool.take();
    for (let i = 0; i < n; i++) xt[i] = x[i]! + t * d[i]!;
    return xt;
  };
  if (isLineObjective(fg)) {
    fg.along(x, d);
    return {
      at: (t) => ({ t, ...fg.at(t) }),
      take: (t) => {
        const g = pool.take();
        fg.accept(t, g);
        return { x: point(t), g };
      },
      drop: () => {},
    };
  }
  const tried: { t: number; x: Float64Array; g: Float64Array }[] = [];
  const drop = (keep: { x: Float64Array; g: Float64Array } | null) => {
    for (const p of tried) {
      if (p === keep) continue;
      pool.give(p.x);
      pool.give(p.g);
    }
  };
  return {
    at: (t) => {
      const xt = point(t);
      const gt = pool.take();
      const f = fg(xt, gt);
      tried.push({ t, x: xt, g: gt });
      return { t, f, dg: dot(gt, d) };
    },
    take: (t) => {
      const kept = tried.find((p) => p.t === t)!;
      drop(kept);
      return kept;
    },
    drop: () => drop(null),
  };
}

export function lbfgs(
  fg: ObjectiveWithGradient | LineObjective,
  x0: Float64Array,
  opts: LbfgsOptions,
): LbfgsResult {
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
    // direction() only ever sees pairs: its optimized code then has feedback for all of it
    // (compiled after calls with no pair, it deoptimized on the next call, every fit)
    let dg = S.length === 0 ? steepest(g, d) : direction(g, S, Y, rho, alpha, d);
    if (!(dg < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      dg = steepest(g, d);
    }
    const step0 = S.length === 0 ? Math.min(1, 1 / Math.sqrt(dot(d, d))) : 1;
    const line = lineOf(fg, x, d, pool);
    const ls = wolfeLineSearch(line.at, f, dg, step0, maxLs);
    if (!ls) {
      line.drop();
      return {
        x,
        f,
        nIter: it,
        converged: false,
        message: 'line search could not find a step satisfying the Wolfe conditions',
      };
    }
    const next = line.take(ls.t);
    it++;
    const s = pool.take();
    const y = pool.take();
    const { sy, yy, gmax } = stepPair(x, g, next.x, next.g, s, y);
    const fPrev = f;
    pool.give(x);
    pool.give(g);
    x = next.x;
    g = next.g;
    f = ls.f;
    if (sy > 2.220446049250313e-16 * yy) {
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
    if (gmax <= opts.gtol) return { x, f, nIter: it, converged: true, message: 'max |gradient| <= gtol' };
    // scipy stops on the first such step; our line search takes shorter steps now and then
    // on badly scaled problems, so a stall must repeat before it counts as converged.
    stalls = (fPrev - f) / Math.max(Math.abs(fPrev), Math.abs(f), 1) <= ftol ? stalls + 1 : 0;
    if (stalls >= 2)
      return { x, f, nIter: it, converged: true, message: 'relative reduction of f <= factr·eps' };
  }
  return { x, f, nIter: it, converged: false, message: 'total number of iterations reached maxIter' };
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]!);
    if (v > m) m = v;
  }
  return m;
}

/** Strong Wolfe line search with c1 = 1e-4, c2 = 0.9 (bracketing, then zoom by cubic interpolation). */
function wolfeLineSearch(
  at: (t: number) => Trial,
  f0: number,
  dg0: number,
  step0: number,
  maxEvals: number,
): Trial | null {
  const c1 = 1e-4;
  const c2 = 0.9;
  let prev: Trial = { t: 0, f: f0, dg: dg0 };
  let t = step0;
  let evals = 0;
  const zoom = (lo: Trial, hi: Trial): Trial | null => {
    while (evals < maxEvals) {
      const tj = cubicMin(lo, hi);
      const p = at(tj);
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
    const p = at(t);
    evals++;
    if (!Number.isFinite(p.f) || p.f > f0 + c1 * t * dg0 || (evals > 1 && p.f >= prev.f))
      return zoom(prev, p);
    if (Math.abs(p.dg) <= -c2 * dg0) return p;
    if (p.dg >= 0) return zoom(p, prev);
    prev = p;
    t *= 2;
  }
  return null;
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
