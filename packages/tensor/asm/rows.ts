// AssemblyScript: the cpu backend's row and elementwise kernels of a training step (softmax and
// log-softmax rows, exp, tanh, GELU, the fused Adam/AdamW update), on contiguous operands the
// caller copied into this module's memory. f32 runs four lanes at a time with a vector exp;
// f64 runs the standard library's scalar exp (as accurate as Math.exp).

// ---- f32 exp, four lanes -------------------------------------------------------------------
// exp(x) = 2^k · e^r with k = round(x·log2 e), r = x − k·ln 2 (two-part ln 2), e^r by Cephes'
// expf polynomial: within 2 ulp of the exact value over the whole float range.
//
// V8 on x64 turns f32x4.min/max (NaN-propagating, −0 < +0) into ~8 instructions each and
// f32x4.nearest + i32x4.trunc_sat_f32x4_s into a dozen more; pmin/pmax are one minps/maxps, and
// adding 1.5·2^23 rounds to an integer held in the low mantissa bits (round to nearest even, as
// nearest does, for |k| < 2^22). Same bits, exp 3.6 → 2.5 ns per element on one core here.
const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const EXP_HI: f32 = 88.7228391;
const EXP_LO: f32 = -87.3365448;
const ROUND: f32 = 12582912.0; // 1.5·2^23

@inline function expv(x: v128): v128 {
  const big = f32x4.gt(x, f32x4.splat(EXP_HI));
  const tiny = f32x4.lt(x, f32x4.splat(EXP_LO));
  // pmin(x, c) is c < x ? c : x: a NaN x comes through, and stays NaN through the polynomial.
  const xc = f32x4.pmax(f32x4.pmin(x, f32x4.splat(EXP_HI)), f32x4.splat(EXP_LO));
  const kr = f32x4.add(f32x4.mul(xc, f32x4.splat(LOG2E)), f32x4.splat(ROUND));
  const k = f32x4.sub(kr, f32x4.splat(ROUND));
  let r = f32x4.sub(xc, f32x4.mul(k, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(k, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  // k as an integer: the bits of kr minus the bits of 1.5·2^23.
  const ki = i32x4.sub(kr, f32x4.splat(ROUND));
  // 2^k in two halves so k = 128 (x near EXP_HI) does not overflow the exponent field.
  const k1 = i32x4.shr_s(ki, 1);
  const k2 = i32x4.sub(ki, k1);
  const s1 = i32x4.shl(i32x4.add(k1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(k2, i32x4.splat(127)), 23);
  let y = f32x4.mul(f32x4.mul(p, s1), s2);
  y = v128.bitselect(f32x4.splat(Infinity), y, big);
  return v128.andnot(y, tiny);
}

@inline function exp1(x: f32): f32 {
  return f32x4.extract_lane(expv(f32x4.splat(x)), 0);
}

// The unary float32 kernels, through one loop. Four vectors per iteration: one vector's exp is a
// chain of ~25 dependent operations, and V8 leaves instruction scheduling to the core, whose
// window overlaps too few iterations of a one-vector loop (exp 2.5 → 1.35 ns per element).
const U_EXP = 0;
const U_TANH = 1;
const U_ERF = 2;
const U_GELU = 3;
const U_GELU_TANH = 4;

@inline function unaryv(op: i32, x: v128): v128 {
  if (op == U_EXP) return expv(x);
  if (op == U_TANH) return tanhv(x);
  if (op == U_ERF) return erfv(x);
  if (op == U_GELU) return geluv(x);
  return geluTanhv(x);
}

@inline function mapUnary(op: i32, n: i32, x: usize, out: usize): void {
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = x + (<usize>i << 2);
    const q = out + (<usize>i << 2);
    const a = v128.load(p);
    const b = v128.load(p, 16);
    const c = v128.load(p, 32);
    const d = v128.load(p, 48);
    v128.store(q, unaryv(op, a));
    v128.store(q, unaryv(op, b), 16);
    v128.store(q, unaryv(op, c), 32);
    v128.store(q, unaryv(op, d), 48);
  }
  for (; i < n; i++) {
    store<f32>(out + (<usize>i << 2), f32x4.extract_lane(unaryv(op, f32x4.splat(load<f32>(x + (<usize>i << 2)))), 0));
  }
}

/** exp of n contiguous floats: out[i] = e^x[i]. */
export function exp_f32(n: i32, x: usize, out: usize): void {
  mapUnary(U_EXP, n, x, out);
}

export function exp_f64(n: i32, x: usize, out: usize): void {
  for (let i = 0; i < n; i++) store<f64>(out + (<usize>i << 3), Math.exp(load<f64>(x + (<usize>i << 3))));
}

/** tanh(x) = sign(x)·(1 − e^(−2|x|)) / (1 + e^(−2|x|)), from the vector exp. */
@inline function tanhv(x: v128): v128 {
  const ax = f32x4.abs(x);
  const e = expv(f32x4.mul(ax, f32x4.splat(-2)));
  let t = f32x4.div(f32x4.sub(f32x4.splat(1), e), f32x4.add(f32x4.splat(1), e));
  // Below 0.3, 1 − e^(−2|x|) loses digits: the odd Taylor series to x¹³ is exact to f32 there.
  const x2 = f32x4.mul(ax, ax);
  let s = f32x4.splat(21844.0 / 6081075.0);
  s = f32x4.add(f32x4.mul(s, x2), f32x4.splat(-1382.0 / 155925.0));
  s = f32x4.add(f32x4.mul(s, x2), f32x4.splat(62.0 / 2835.0));
  s = f32x4.add(f32x4.mul(s, x2), f32x4.splat(-17.0 / 315.0));
  s = f32x4.add(f32x4.mul(s, x2), f32x4.splat(2.0 / 15.0));
  s = f32x4.add(f32x4.mul(s, x2), f32x4.splat(-1.0 / 3.0));
  s = f32x4.add(f32x4.mul(f32x4.mul(s, x2), ax), ax);
  t = v128.bitselect(s, t, f32x4.lt(ax, f32x4.splat(0.3)));
  // NaN stays NaN (the comparisons are false for it, and (1 − NaN)/(1 + NaN) is NaN); copy x's sign.
  const sign = v128.and(x, i32x4.splat(0x80000000));
  return v128.or(t, sign);
}

export function tanh_f32(n: i32, x: usize, out: usize): void {
  mapUnary(U_TANH, n, x, out);
}

/** GELU, tanh approximation ('gelu_new'): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
@inline function geluTanhv(x: v128): v128 {
  const x3 = f32x4.mul(f32x4.mul(x, x), x);
  const inner = f32x4.mul(f32x4.splat(0.7978845608028654), f32x4.add(x, f32x4.mul(f32x4.splat(0.044715), x3)));
  return f32x4.mul(f32x4.mul(f32x4.splat(0.5), x), f32x4.add(f32x4.splat(1), tanhv(inner)));
}

export function gelu_tanh_f32(n: i32, x: usize, out: usize): void {
  mapUnary(U_GELU_TANH, n, x, out);
}

// ---- softmax rows --------------------------------------------------------------------------

/** The max of a row of `cols` float32 at xr, NaN-propagating (f32x4.max returns NaN if either lane is); 0 for −∞. */
@inline function rowMax(xr: usize, cols: i32): f32 {
  const nv = cols & ~3;
  // Four running maxima (max is exact in any order, so the same result as one).
  let mv = f32x4.splat(-Infinity);
  let mw = mv;
  let mx = mv;
  let my = mv;
  let j = 0;
  for (; j + 16 <= nv; j += 16) {
    const p = xr + (<usize>j << 2);
    mv = f32x4.max(mv, v128.load(p));
    mw = f32x4.max(mw, v128.load(p, 16));
    mx = f32x4.max(mx, v128.load(p, 32));
    my = f32x4.max(my, v128.load(p, 48));
  }
  for (; j < nv; j += 4) mv = f32x4.max(mv, v128.load(xr + (<usize>j << 2)));
  mv = f32x4.max(f32x4.max(mv, mw), f32x4.max(mx, my));
  let m = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
  for (; j < cols; j++) {
    const v = load<f32>(xr + (<usize>j << 2));
    if (v > m || v != v) m = v;
  }
  return m == -Infinity ? 0 : m;
}

/**
 * Σ e^(x − m) over a row of `cols` float32 at xr, four lanes then the tail; with `keep`, each
 * e^(x − m) is also stored at or (softmax's scaling pass reads them there).
 */
@inline function rowExpSum(xr: usize, or: usize, cols: i32, m: f32, keep: bool): f32 {
  const nv = cols & ~3;
  const ms = f32x4.splat(m);
  let sv = f32x4.splat(0);
  let j = 0;
  // Four exps in flight (see mapUnary), added in order: the same sums as one at a time.
  for (; j + 16 <= nv; j += 16) {
    const p = xr + (<usize>j << 2);
    const e0 = expv(f32x4.sub(v128.load(p), ms));
    const e1 = expv(f32x4.sub(v128.load(p, 16), ms));
    const e2 = expv(f32x4.sub(v128.load(p, 32), ms));
    const e3 = expv(f32x4.sub(v128.load(p, 48), ms));
    if (keep) {
      const q = or + (<usize>j << 2);
      v128.store(q, e0);
      v128.store(q, e1, 16);
      v128.store(q, e2, 32);
      v128.store(q, e3, 48);
    }
    sv = f32x4.add(f32x4.add(f32x4.add(f32x4.add(sv, e0), e1), e2), e3);
  }
  for (; j < nv; j += 4) {
    const e = expv(f32x4.sub(v128.load(xr + (<usize>j << 2)), ms));
    if (keep) v128.store(or + (<usize>j << 2), e);
    sv = f32x4.add(sv, e);
  }
  let s: f32 = (f32x4.extract_lane(sv, 0) + f32x4.extract_lane(sv, 1)) + (f32x4.extract_lane(sv, 2) + f32x4.extract_lane(sv, 3));
  for (; j < cols; j++) {
    const e = exp1(load<f32>(xr + (<usize>j << 2)) - m);
    if (keep) store<f32>(or + (<usize>j << 2), e);
    s += e;
  }
  return s;
}

/**
 * Row-wise softmax (or log-softmax) of a rows×cols block: out = e^(x − max) / Σ e^(x − max), or
 * x − (max + log Σ e^(x − max)). A row whose max is −∞ uses 0 as its max; NaN propagates.
 */
export function softmax_f32(rows: i32, cols: i32, x: usize, out: usize, log: bool): void {
  const nv = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>(r * cols) << 2);
    const or = out + (<usize>(r * cols) << 2);
    const m = rowMax(xr, cols);
    const ms = f32x4.splat(m);
    // One copy of the exp loop for both (log-softmax keeps no exps).
    const s = rowExpSum(xr, or, cols, m, !log);
    let j = 0;
    if (log) {
      // (x − max) − log Σ, as PyTorch computes it: exact near the max, where x − max is small.
      const ls = <f32>Math.log(<f64>s);
      const lv = f32x4.splat(ls);
      j = 0;
      for (; j < nv; j += 4) {
        v128.store(or + (<usize>j << 2), f32x4.sub(f32x4.sub(v128.load(xr + (<usize>j << 2)), ms), lv));
      }
      for (; j < cols; j++) store<f32>(or + (<usize>j << 2), load<f32>(xr + (<usize>j << 2)) - m - ls);
    } else {
      const inv: f32 = 1 / s;
      const iv = f32x4.splat(inv);
      j = 0;
      for (; j < nv; j += 4) v128.store(or + (<usize>j << 2), f32x4.mul(v128.load(or + (<usize>j << 2)), iv));
      for (; j < cols; j++) store<f32>(or + (<usize>j << 2), load<f32>(or + (<usize>j << 2)) * inv);
    }
  }
}

export function softmax_f64(rows: i32, cols: i32, x: usize, out: usize, log: bool): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>(r * cols) << 3);
    const or = out + (<usize>(r * cols) << 3);
    let m = -Infinity;
    for (let j = 0; j < cols; j++) {
      const v = load<f64>(xr + (<usize>j << 3));
      if (v > m || v != v) m = v;
    }
    if (m == -Infinity) m = 0;
    let s = 0.0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(load<f64>(xr + (<usize>j << 3)) - m);
      if (!log) store<f64>(or + (<usize>j << 3), e);
      s += e;
    }
    if (log) {
      const ls = Math.log(s) + m;
      for (let j = 0; j < cols; j++) store<f64>(or + (<usize>j << 3), load<f64>(xr + (<usize>j << 3)) - ls);
    } else {
      const inv = 1 / s;
      for (let j = 0; j < cols; j++) store<f64>(or + (<usize>j << 3), load<f64>(or + (<usize>j << 3)) * inv);
    }
  }
}

// ---- Adam / AdamW --------------------------------------------------------------------------

/**
 * One Adam/AdamW step over n contiguous elements, in place (what the TypeScript fusedUpdate does):
 *   g = ±grad (+ l2·p);  m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²;  den = amsgrad ? vmax = max(vmax, v) : v
 *   p = p·decay − stepSize · m / (√den / bc2Sqrt + eps)
 * f32 in f32 arithmetic, four lanes at a time (as PyTorch's foreach/fused Adam runs in the parameter dtype).
 */
export function adam_f32(
  n: i32, p: usize, g: usize, m: usize, v: usize, vmax: usize,
  beta1d: f64, beta2d: f64, epsd: f64, l2d: f64, decayd: f64, stepSized: f64, bc2Sqrtd: f64,
  maximize: bool, amsgrad: bool,
): void {
  // The scalars arrive in float64 and are rounded once, as PyTorch passes Python floats to its
  // float32 kernels: 1 − β is formed before rounding (1 − f32(0.999) would be 1e-5 off).
  const beta1 = <f32>beta1d;
  const beta2 = <f32>beta2d;
  const om1 = <f32>(1 - beta1d);
  const om2 = <f32>(1 - beta2d);
  const eps = <f32>epsd;
  const l2 = <f32>l2d;
  const decay = <f32>decayd;
  const stepSize = <f32>stepSized;
  const bc2Sqrt = <f32>bc2Sqrtd;
  const b1 = f32x4.splat(beta1);
  const b2 = f32x4.splat(beta2);
  const c1 = f32x4.splat(om1);
  const c2 = f32x4.splat(om2);
  const ev = f32x4.splat(eps);
  const lv = f32x4.splat(l2);
  const dv = f32x4.splat(decay);
  const sv = f32x4.splat(stepSize);
  const bv = f32x4.splat(bc2Sqrt);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const pv = v128.load(p + o);
    let gv = v128.load(g + o);
    if (maximize) gv = f32x4.neg(gv);
    if (l2 != 0) gv = f32x4.add(gv, f32x4.mul(lv, pv));
    const mv = f32x4.add(f32x4.mul(v128.load(m + o), b1), f32x4.mul(gv, c1));
    const vv = f32x4.add(f32x4.mul(v128.load(v + o), b2), f32x4.mul(f32x4.mul(gv, gv), c2));
    v128.store(m + o, mv);
    v128.store(v + o, vv);
    let den = vv;
    if (amsgrad) {
      den = f32x4.max(v128.load(vmax + o), vv);
      v128.store(vmax + o, den);
    }
    const q = f32x4.div(mv, f32x4.add(f32x4.div(f32x4.sqrt(den), bv), ev));
    v128.store(p + o, f32x4.sub(f32x4.mul(pv, dv), f32x4.mul(sv, q)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pp = load<f32>(p + o);
    let gg = load<f32>(g + o);
    if (maximize) gg = -gg;
    if (l2 != 0) gg += l2 * pp;
    const mm = load<f32>(m + o) * beta1 + gg * om1;
    const vv = load<f32>(v + o) * beta2 + gg * gg * om2;
    store<f32>(m + o, mm);
    store<f32>(v + o, vv);
    let den = vv;
    if (amsgrad) {
      den = max(load<f32>(vmax + o), vv);
      store<f32>(vmax + o, den);
    }
    store<f32>(p + o, pp * decay - stepSize * (mm / (Mathf.sqrt(den) / bc2Sqrt + eps)));
  }
}

export function adam_f64(
  n: i32, p: usize, g: usize, m: usize, v: usize, vmax: usize,
  beta1: f64, beta2: f64, eps: f64, l2: f64, decay: f64, stepSize: f64, bc2Sqrt: f64,
  maximize: bool, amsgrad: bool,
): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 3;
    const pp = load<f64>(p + o);
    let gg = load<f64>(g + o);
    if (maximize) gg = -gg;
    if (l2 != 0) gg += l2 * pp;
    const mm = load<f64>(m + o) * beta1 + gg * (1 - beta1);
    const vv = load<f64>(v + o) * beta2 + gg * gg * (1 - beta2);
    store<f64>(m + o, mm);
    store<f64>(v + o, vv);
    let den = vv;
    if (amsgrad) {
      den = max(load<f64>(vmax + o), vv);
      store<f64>(vmax + o, den);
    }
    store<f64>(p + o, pp * decay - stepSize * (mm / (Math.sqrt(den) / bc2Sqrt + eps)));
  }
}

// adam_f32 / adam_f64 with the seven scalars read from memory at `sc` (float64, in the order of
// the arguments) and flags bit 0 = maximize, bit 1 = amsgrad: every argument 32-bit, so worker
// threads can run them on ranges of elements (wasmParallel).
export function adam_f32_at(n: i32, p: usize, g: usize, m: usize, v: usize, vmax: usize, sc: usize, flags: i32): void {
  adam_f32(
    n, p, g, m, v, vmax,
    load<f64>(sc), load<f64>(sc, 8), load<f64>(sc, 16), load<f64>(sc, 24), load<f64>(sc, 32), load<f64>(sc, 40),
    load<f64>(sc, 48), (flags & 1) != 0, (flags & 2) != 0,
  );
}
export function adam_f64_at(n: i32, p: usize, g: usize, m: usize, v: usize, vmax: usize, sc: usize, flags: i32): void {
  adam_f64(
    n, p, g, m, v, vmax,
    load<f64>(sc), load<f64>(sc, 8), load<f64>(sc, 16), load<f64>(sc, 24), load<f64>(sc, 32), load<f64>(sc, 40),
    load<f64>(sc, 48), (flags & 1) != 0, (flags & 2) != 0,
  );
}

// ---- binary add / sub / mul / div ------------------------------------------------------------
// out = a op b over rows×cols, where each operand is either a full contiguous block, one value
// (a scalar broadcast) or one row of cols values repeated for every row (a bias).
// shapes: 0 = full, 1 = scalar, 2 = row.

@inline function opv<T>(op: i32, x: v128, y: v128): v128 {
  if (op == 0) return v128.add<T>(x, y);
  if (op == 1) return v128.sub<T>(x, y);
  if (op == 2) return v128.mul<T>(x, y);
  if (op == 3) return v128.div<T>(x, y);
  // reluBackward: x where y > 0, else 0 (a NaN y gives 0), without a branch per element.
  return v128.bitselect(x, v128.splat<T>(0), v128.gt<T>(y, v128.splat<T>(0)));
}
@inline function op1<T>(op: i32, x: T, y: T): T {
  if (op == 0) return x + y;
  if (op == 1) return x - y;
  if (op == 2) return x * y;
  if (op == 3) return x / y;
  return y > 0 ? x : 0;
}

@inline function binop<T>(op: i32, rows: i32, cols: i32, a: usize, as: i32, b: usize, bs: i32, out: usize): void {
  const E = <usize>sizeof<T>();
  const L = <i32>(16 / E);
  const nv = cols - (cols % L);
  for (let r = 0; r < rows; r++) {
    // A full operand moves on by a row; a single value or a repeated row stays where it is.
    const ar = as == 0 ? a + <usize>(r * cols) * E : a;
    const br = bs == 0 ? b + <usize>(r * cols) * E : b;
    const or = out + <usize>(r * cols) * E;
    let j = 0;
    if (as == 1) {
      const x = v128.splat<T>(load<T>(a));
      for (; j < nv; j += L) v128.store(or + <usize>j * E, opv<T>(op, x, v128.load(br + <usize>j * E)));
      for (; j < cols; j++) store<T>(or + <usize>j * E, op1<T>(op, load<T>(a), load<T>(br + <usize>j * E)));
    } else if (bs == 1) {
      const y = v128.splat<T>(load<T>(b));
      for (; j < nv; j += L) v128.store(or + <usize>j * E, opv<T>(op, v128.load(ar + <usize>j * E), y));
      for (; j < cols; j++) store<T>(or + <usize>j * E, op1<T>(op, load<T>(ar + <usize>j * E), load<T>(b)));
    } else {
      for (; j < nv; j += L) {
        v128.store(or + <usize>j * E, opv<T>(op, v128.load(ar + <usize>j * E), v128.load(br + <usize>j * E)));
      }
      for (; j < cols; j++) {
        store<T>(or + <usize>j * E, op1<T>(op, load<T>(ar + <usize>j * E), load<T>(br + <usize>j * E)));
      }
    }
  }
}

export function add_f32(rows: i32, cols: i32, a: usize, as: i32, b: usize, bs: i32, out: usize): void {
  binop<f32>(0, rows, cols, a, as, b, bs, out);
}
export function sub_f32(rows: i32, cols: i32, a: usize, as: i32, b: usize, bs: i32, out: usize): void {
  binop<f32>(1, rows, cols, a, as, b, bs, out);
}
export function mul_f32(rows: i32, cols: i32, a: usize, as: i32, b: usize, bs: i32, out: usize): void {
  binop<f32>(2, rows, cols, a, as, b, bs, out);
}
export function div_f32(rows: i32, cols: i32, a: usize, as: i32, b: usize, bs: i32, out: usize): void {
  binop<f32>(3, rows, cols, a, as, b, bs, out);
}
export function add_f64(rows: i32, cols: i32, a: usize, as: i32, b: usize, bs: i32, out: usize): void {
  binop<f64>(0, rows, cols, a, as, b, bs, out);
}
export function sub_f64(rows: i32, cols: i32, a: usize, as: i32, b: usize, bs: i32, out: usize): void {
  binop<f64>(1, rows, cols, a, as, b, bs, out);
}
export function mul_f64(rows: i32, cols: i32, a: usize, as: i32, b: usize, bs: i32, out: usize): void {
  binop<f64>(2, rows, cols, a, as, b, bs, out);
}
export function div_f64(rows: i32, cols: i32, a: usize, as: i32, b: usize, bs: i32, out: usize): void {
  binop<f64>(3, rows, cols, a, as, b, bs, out);
}
/** The gradient of relu: a where b (relu's output) > 0, else 0. */
export function reluBackward_f32(rows: i32, cols: i32, a: usize, as: i32, b: usize, bs: i32, out: usize): void {
  binop<f32>(4, rows, cols, a, as, b, bs, out);
}
export function reluBackward_f64(rows: i32, cols: i32, a: usize, as: i32, b: usize, bs: i32, out: usize): void {
  binop<f64>(4, rows, cols, a, as, b, bs, out);
}

/**
 * Exact GELU's gradient times g, g·(Φ(x) + x·φ(x)) (PyTorch's gelu_backward), over rows×cols
 * contiguous values of both (the binary-kernel signature; only full operands: as = bs = 0).
 */
export function geluBackward_f32(rows: i32, cols: i32, g: usize, as: i32, x: usize, bs: i32, out: usize): void {
  const n = rows * cols;
  let i = 0;
  // Four vectors per iteration, as mapUnary.
  for (; i + 16 <= n; i += 16) {
    const o = <usize>i << 2;
    const x0 = v128.load(x + o);
    const x1 = v128.load(x + o, 16);
    const x2 = v128.load(x + o, 32);
    const x3 = v128.load(x + o, 48);
    v128.store(out + o, geluBackv(v128.load(g + o), x0));
    v128.store(out + o, geluBackv(v128.load(g + o, 16), x1), 16);
    v128.store(out + o, geluBackv(v128.load(g + o, 32), x2), 32);
    v128.store(out + o, geluBackv(v128.load(g + o, 48), x3), 48);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const r = geluBackv(f32x4.splat(load<f32>(g + o)), f32x4.splat(load<f32>(x + o)));
    store<f32>(out + o, f32x4.extract_lane(r, 0));
  }
}

// ---- comparisons (float32) -------------------------------------------------------------------
// out[i] = a[i] op b[i] as a bool byte (1 or 0); `as`/`bs`: 0 = n values, 1 = one value for all.
// op: 0 eq, 1 ne, 2 lt, 3 le, 4 gt, 5 ge. NaN compares false, except ne (true), as in JavaScript.

@inline function cmpv(op: i32, x: v128, y: v128): v128 {
  if (op == 0) return f32x4.eq(x, y);
  if (op == 1) return f32x4.ne(x, y);
  if (op == 2) return f32x4.lt(x, y);
  if (op == 3) return f32x4.le(x, y);
  if (op == 4) return f32x4.gt(x, y);
  return f32x4.ge(x, y);
}

@inline function cmpAt(op: i32, a: usize, as: i32, b: usize, bs: i32, i: i32): v128 {
  const o = <usize>i << 2;
  const x = as == 1 ? v128.load32_splat(a) : v128.load(a + o);
  const y = bs == 1 ? v128.load32_splat(b) : v128.load(b + o);
  return cmpv(op, x, y);
}

export function compare_f32(op: i32, n: i32, a: usize, as: i32, b: usize, bs: i32, out: usize): void {
  const one = i8x16.splat(1);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    // four masks of −1/0 lanes narrowed to sixteen bytes, then −1 → 1
    const lo = i16x8.narrow_i32x4_s(cmpAt(op, a, as, b, bs, i), cmpAt(op, a, as, b, bs, i + 4));
    const hi = i16x8.narrow_i32x4_s(cmpAt(op, a, as, b, bs, i + 8), cmpAt(op, a, as, b, bs, i + 12));
    v128.store(out + <usize>i, v128.and(i8x16.narrow_i16x8_s(lo, hi), one));
  }
  for (; i < n; i++) {
    const x = f32x4.splat(load<f32>(as == 1 ? a : a + (<usize>i << 2)));
    const y = f32x4.splat(load<f32>(bs == 1 ? b : b + (<usize>i << 2)));
    store<u8>(out + <usize>i, <u8>(i32x4.extract_lane(cmpv(op, x, y), 0) & 1));
  }
}

// ---- column sums ----------------------------------------------------------------------------
// acc[j] (float64) = Σ_r x[r·cols + j] over a contiguous rows×cols block, row by row in float64
// as the TypeScript loop does (the same bits): first = 1 starts acc from row 0, else adds to it.
// A bias's gradient is this sum over the batch rows.

export function colsum_f32(rows: i32, cols: i32, x: usize, acc: usize, first: i32): void {
  let r = 0;
  const nv = cols - (cols & 3);
  if (first) {
    let j = 0;
    for (; j < nv; j += 4) {
      const v = v128.load(x + (<usize>j << 2));
      const a = acc + (<usize>j << 3);
      v128.store(a, f64x2.promote_low_f32x4(v));
      v128.store(a, f64x2.promote_low_f32x4(v128.shuffle<i32>(v, v, 2, 3, 0, 1)), 16);
    }
    for (; j < cols; j++) store<f64>(acc + (<usize>j << 3), <f64>load<f32>(x + (<usize>j << 2)));
    r = 1;
  }
  for (; r < rows; r++) {
    const xr = x + (<usize>(r * cols) << 2);
    let j = 0;
    for (; j < nv; j += 4) {
      const v = v128.load(xr + (<usize>j << 2));
      const a = acc + (<usize>j << 3);
      v128.store(a, f64x2.add(v128.load(a), f64x2.promote_low_f32x4(v)));
      v128.store(a, f64x2.add(v128.load(a, 16), f64x2.promote_low_f32x4(v128.shuffle<i32>(v, v, 2, 3, 0, 1))), 16);
    }
    for (; j < cols; j++) {
      const a = acc + (<usize>j << 3);
      store<f64>(a, load<f64>(a) + <f64>load<f32>(xr + (<usize>j << 2)));
    }
  }
}

export function colsum_f64(rows: i32, cols: i32, x: usize, acc: usize, first: i32): void {
  let r = 0;
  const nv = cols - (cols & 1);
  if (first) {
    memory.copy(acc, x, <usize>cols << 3);
    r = 1;
  }
  for (; r < rows; r++) {
    const xr = x + (<usize>(r * cols) << 3);
    let j = 0;
    for (; j < nv; j += 2) {
      const o = <usize>j << 3;
      v128.store(acc + o, f64x2.add(v128.load(acc + o), v128.load(xr + o)));
    }
    if (j < cols) {
      const o = <usize>j << 3;
      store<f64>(acc + o, load<f64>(acc + o) + load<f64>(xr + o));
    }
  }
}

// ---- relu ----------------------------------------------------------------------------------
// out = x < 0 ? 0 : x (NaN and −0 pass through, as the TypeScript loop), branch-free: a random
// sign pattern costs a mispredicted branch per element in the scalar loop.
@inline function reluOf<T>(n: i32, x: usize, out: usize): void {
  const E = <usize>sizeof<T>();
  const L = <i32>(16 / E);
  const zero = v128.splat<T>(0);
  let i = 0;
  for (; i + L <= n; i += L) {
    const v = v128.load(x + <usize>i * E);
    v128.store(out + <usize>i * E, v128.bitselect(zero, v, v128.lt<T>(v, zero)));
  }
  for (; i < n; i++) {
    const v = load<T>(x + <usize>i * E);
    store<T>(out + <usize>i * E, v < 0 ? 0 : v);
  }
}
export function relu_f32(n: i32, x: usize, out: usize): void {
  reluOf<f32>(n, x, out);
}
export function relu_f64(n: i32, x: usize, out: usize): void {
  reluOf<f64>(n, x, out);
}

// ---- erf and exact GELU (float32) ------------------------------------------------------------
// erf(x) = x·P(x²)/Q(x²) for |x| < 3.92 (a rational fit to relative error 2e-9; a few float32 ulps
// as evaluated here), ±1 beyond, where erf rounds to ±1 in float32. NaN stays NaN.
@inline function erfv(x: v128): v128 {
  const ax = f32x4.abs(x);
  const xc = f32x4.pmin(ax, f32x4.splat(3.92)); // a NaN |x| comes through (see expv)
  const t = f32x4.mul(xc, xc);
  let p = f32x4.splat(-1.3060626552485743e-8);
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(4.6601048941906364e-6));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.00037865693589325656));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.0038435000777670646));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.05428494103027532));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.18511390817573156));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(1.1283791693525695));
  let q = f32x4.splat(6.288249532984333e-5);
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(0.001305080241935575));
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(0.015446339198012455));
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(0.11390370314837661));
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(0.49738634283752203));
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(1));
  let y = f32x4.div(f32x4.mul(xc, p), q);
  y = v128.bitselect(f32x4.splat(1), y, f32x4.ge(ax, f32x4.splat(3.92)));
  // NaN: ax ≥ 3.92 is false, and xc = pmin(NaN, 3.92) is NaN, so y is NaN. Copy x's sign.
  return v128.or(y, v128.and(x, i32x4.splat(0x80000000)));
}

export function erf_f32(n: i32, x: usize, out: usize): void {
  mapUnary(U_ERF, n, x, out);
}

/** g·GELU'(x) = g·(Φ(x) + x·φ(x)) with Φ(x) = (1 + erf(x/√2))/2 and φ(x) = exp(−x²/2)/√(2π). */
@inline function geluBackv(g: v128, x: v128): v128 {
  const cdf = f32x4.mul(f32x4.splat(0.5), f32x4.add(f32x4.splat(1), erfv(f32x4.mul(x, f32x4.splat(0.7071067811865476)))));
  const pdf = f32x4.mul(expv(f32x4.mul(f32x4.mul(x, x), f32x4.splat(-0.5))), f32x4.splat(0.3989422804014327));
  return f32x4.mul(g, f32x4.add(cdf, f32x4.mul(x, pdf)));
}

/** GELU: 0.5·x·(1 + erf(x/√2)). */
@inline function geluv(x: v128): v128 {
  const e = erfv(f32x4.mul(x, f32x4.splat(0.7071067811865476)));
  return f32x4.mul(f32x4.mul(f32x4.splat(0.5), x), f32x4.add(f32x4.splat(1), e));
}

export function gelu_f32(n: i32, x: usize, out: usize): void {
  mapUnary(U_GELU, n, x, out);
}

// ---- Philox4x32-10 words (random.ts's generator) ---------------------------------------------
// The words of counters c, c+1, … (c = cLo + cHi·2^32) under key (k0, k1): `words` (1 or 2) of
// the four per counter, stored one after another. JavaScript has no 32×32→64 multiply, so there
// each round's two high products cost a dozen operations; here they are one i64.mul each.
const PHILOX_M0: u64 = 0xd2511f53;
const PHILOX_M1: u64 = 0xcd9e8d57;
const PHILOX_W0: u32 = 0x9e3779b9;
const PHILOX_W1: u32 = 0xbb67ae85;

export function philox_words(n: i32, cLo: u32, cHi: u32, k0: u32, k1: u32, words: i32, out: usize): void {
  let lo = cLo;
  let hi = cHi;
  let p = out;
  let i = 0;
  // Four counters at once, one per lane: the 32×32→64 products are extmul_{low,high}, whose
  // high and low words are then gathered back into lanes by shuffles. The same words as below.
  const m0 = i32x4.splat(<i32>PHILOX_M0);
  const m1 = i32x4.splat(<i32>PHILOX_M1);
  for (; i + 8 <= n; i += 8) {
    // two groups of four lanes, interleaved (the rounds are a chain of dependent steps: two
    // independent chains keep the vector units busy)
    let x0 = i32x4(<i32>lo, <i32>(lo + 1), <i32>(lo + 2), <i32>(lo + 3));
    let x1 = i32x4(<i32>hi, <i32>(lo + 1 < lo ? hi + 1 : hi), <i32>(lo + 2 < lo ? hi + 1 : hi), <i32>(lo + 3 < lo ? hi + 1 : hi));
    let y0 = i32x4(<i32>(lo + 4), <i32>(lo + 5), <i32>(lo + 6), <i32>(lo + 7));
    let y1 = i32x4(
      <i32>(lo + 4 < lo ? hi + 1 : hi), <i32>(lo + 5 < lo ? hi + 1 : hi),
      <i32>(lo + 6 < lo ? hi + 1 : hi), <i32>(lo + 7 < lo ? hi + 1 : hi),
    );
    let x2 = i32x4.splat(0);
    let x3 = i32x4.splat(0);
    let y2 = i32x4.splat(0);
    let y3 = i32x4.splat(0);
    let a = k0;
    let b = k1;
    for (let r = 0; r < 10; r++) {
      const av = i32x4.splat(<i32>a);
      const bv = i32x4.splat(<i32>b);
      const p0l = i64x2.extmul_low_i32x4_u(x0, m0);
      const p0h = i64x2.extmul_high_i32x4_u(x0, m0);
      const q0l = i64x2.extmul_low_i32x4_u(y0, m0);
      const q0h = i64x2.extmul_high_i32x4_u(y0, m0);
      const p1l = i64x2.extmul_low_i32x4_u(x2, m1);
      const p1h = i64x2.extmul_high_i32x4_u(x2, m1);
      const q1l = i64x2.extmul_low_i32x4_u(y2, m1);
      const q1h = i64x2.extmul_high_i32x4_u(y2, m1);
      x0 = v128.xor(v128.xor(v128.shuffle<i32>(p1l, p1h, 1, 3, 5, 7), x1), av);
      y0 = v128.xor(v128.xor(v128.shuffle<i32>(q1l, q1h, 1, 3, 5, 7), y1), av);
      x1 = v128.shuffle<i32>(p1l, p1h, 0, 2, 4, 6);
      y1 = v128.shuffle<i32>(q1l, q1h, 0, 2, 4, 6);
      x2 = v128.xor(v128.xor(v128.shuffle<i32>(p0l, p0h, 1, 3, 5, 7), x3), bv);
      y2 = v128.xor(v128.xor(v128.shuffle<i32>(q0l, q0h, 1, 3, 5, 7), y3), bv);
      x3 = v128.shuffle<i32>(p0l, p0h, 0, 2, 4, 6);
      y3 = v128.shuffle<i32>(q0l, q0h, 0, 2, 4, 6);
      a += PHILOX_W0;
      b += PHILOX_W1;
    }
    if (words == 2) {
      v128.store(p, v128.shuffle<i32>(x0, x1, 0, 4, 1, 5));
      v128.store(p, v128.shuffle<i32>(x0, x1, 2, 6, 3, 7), 16);
      v128.store(p, v128.shuffle<i32>(y0, y1, 0, 4, 1, 5), 32);
      v128.store(p, v128.shuffle<i32>(y0, y1, 2, 6, 3, 7), 48);
      p += 64;
    } else {
      v128.store(p, x0);
      v128.store(p, y0, 16);
      p += 32;
    }
    const next = lo + 8;
    if (next < lo) hi += 1;
    lo = next;
  }
  for (; i < n; i++) {
    let x0 = lo;
    let x1 = hi;
    let x2: u32 = 0;
    let x3: u32 = 0;
    let a = k0;
    let b = k1;
    for (let r = 0; r < 10; r++) {
      const p0 = PHILOX_M0 * <u64>x0;
      const p1 = PHILOX_M1 * <u64>x2;
      x0 = (<u32>(p1 >> 32)) ^ x1 ^ a;
      x1 = <u32>p1;
      x2 = (<u32>(p0 >> 32)) ^ x3 ^ b;
      x3 = <u32>p0;
      a += PHILOX_W0;
      b += PHILOX_W1;
    }
    store<u32>(p, x0);
    if (words == 2) store<u32>(p, x1, 4);
    p += <usize>(words << 2);
    lo += 1;
    if (lo == 0) hi += 1;
  }
}

/**
 * Uniform float32 draws in [a, b) from counters c, c+1, …: a + u·(b − a) with u = (w >>> 8)·2⁻²⁴
 * from each counter's first word, computed in float64 and rounded once to float32 (as random.ts's
 * u01f32 and a Float32Array store do: the same bits).
 */
export function philox_uniform_f32(
  n: i32, cLo: u32, cHi: u32, k0: u32, k1: u32, a: f64, b: f64, out: usize,
): void {
  philox_words(n, cLo, cHi, k0, k1, 1, out);
  const av = f64x2.splat(a);
  const wv = f64x2.splat(b - a);
  const scale = f64x2.splat(5.9604644775390625e-8);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = out + (<usize>i << 2);
    const w = i32x4.shr_u(v128.load(p), 8);
    const lo = f64x2.add(av, f64x2.mul(f64x2.mul(f64x2.convert_low_i32x4_u(w), scale), wv));
    const hi = f64x2.add(
      av,
      f64x2.mul(f64x2.mul(f64x2.convert_low_i32x4_u(v128.shuffle<i32>(w, w, 2, 3, 0, 1)), scale), wv),
    );
    v128.store(p, v128.shuffle<i32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5));
  }
  for (; i < n; i++) {
    const p = out + (<usize>i << 2);
    store<f32>(p, <f32>(a + <f64>(load<u32>(p) >>> 8) * 5.9604644775390625e-8 * (b - a)));
  }
}

/**
 * philox_uniform_f32 with [a, b) read from memory at `ab` (two float64): arguments that are all
 * 32-bit, so worker threads can run it on ranges of counters (wasmParallel).
 */
export function philox_uniform_f32_at(n: i32, cLo: u32, cHi: u32, k0: u32, k1: u32, ab: usize, out: usize): void {
  philox_uniform_f32(n, cLo, cHi, k0, k1, load<f64>(ab), load<f64>(ab, 8), out);
}

// ---- where(cond, a, b) on contiguous operands -------------------------------------------------
// out[i] = c[i] ? a[i·as] : b[i·bs] with c one byte per element (bool), as and bs 0 (a scalar) or
// 1: a lane mask from the bytes selects bitwise, without a branch per element.

export function where_f32(n: i32, c: usize, a: usize, as: i32, b: usize, bs: i32, out: usize): void {
  const sa = v128.load32_splat(a);
  const sb = v128.load32_splat(b);
  const zero = i32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const m = i32x4.ne(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(c + <usize>i))), zero);
    const va = as != 0 ? v128.load(a + o) : sa;
    const vb = bs != 0 ? v128.load(b + o) : sb;
    v128.store(out + o, v128.bitselect(va, vb, m));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<u8>(c + <usize>i) != 0 ? load<f32>(a + (as != 0 ? o : 0)) : load<f32>(b + (bs != 0 ? o : 0));
    store<f32>(out + o, v);
  }
}

export function where_f64(n: i32, c: usize, a: usize, as: i32, b: usize, bs: i32, out: usize): void {
  const sa = v128.load64_splat(a);
  const sb = v128.load64_splat(b);
  const zero = i64x2.splat(0);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    const bytes = i16x8.extend_low_i8x16_u(v128.load16_splat(c + <usize>i));
    const m = i64x2.ne(i64x2.extend_low_i32x4_u(i32x4.extend_low_i16x8_u(bytes)), zero);
    const va = as != 0 ? v128.load(a + o) : sa;
    const vb = bs != 0 ? v128.load(b + o) : sb;
    v128.store(out + o, v128.bitselect(va, vb, m));
  }
  for (; i < n; i++) {
    const o = <usize>i << 3;
    const v = load<u8>(c + <usize>i) != 0 ? load<f64>(a + (as != 0 ? o : 0)) : load<f64>(b + (bs != 0 ? o : 0));
    store<f64>(out + o, v);
  }
}

// ---- layer normalization over rows (F.layer_norm over the trailing dims) ---------------------
// Forward: per row of `cols` values, mean and biased variance in two passes (float32 lanes), then
// y = ((x − mean)·rstd)·w + b with rstd = 1/sqrt(var + eps); mean and rstd are kept for backward.
// Backward: with x̂ = (x − mean)·rstd and ĝ = g·w, dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)); dw and
// db add g·x̂ and g over the rows, in float64 (`dw`, `db` hold cols float64 each, accumulated).

@inline function hsum4(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

export function layernorm_f32(
  rows: i32, cols: i32, x: usize, w: usize, b: usize, eps: f32, y: usize, mean: usize, rstd: usize,
): void {
  const cv = cols & ~3;
  const inv = <f32>1 / <f32>cols;
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>(r * cols) << 2);
    const yr = y + (<usize>(r * cols) << 2);
    let s = f32x4.splat(0);
    let j = 0;
    for (; j < cv; j += 4) s = f32x4.add(s, v128.load(xr + (<usize>j << 2)));
    let sum = hsum4(s);
    for (; j < cols; j++) sum += load<f32>(xr + (<usize>j << 2));
    const mu = sum * inv;
    const mv = f32x4.splat(mu);
    let q = f32x4.splat(0);
    j = 0;
    for (; j < cv; j += 4) {
      const d = f32x4.sub(v128.load(xr + (<usize>j << 2)), mv);
      q = f32x4.add(q, f32x4.mul(d, d));
    }
    let sq = hsum4(q);
    for (; j < cols; j++) {
      const d = load<f32>(xr + (<usize>j << 2)) - mu;
      sq += d * d;
    }
    const rs = <f32>1 / Mathf.sqrt(sq * inv + eps);
    store<f32>(mean + (<usize>r << 2), mu);
    store<f32>(rstd + (<usize>r << 2), rs);
    const rv = f32x4.splat(rs);
    j = 0;
    for (; j < cv; j += 4) {
      const o = <usize>j << 2;
      let v = f32x4.mul(f32x4.sub(v128.load(xr + o), mv), rv);
      if (w) v = f32x4.mul(v, v128.load(w + o));
      if (b) v = f32x4.add(v, v128.load(b + o));
      v128.store(yr + o, v);
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      let v = (load<f32>(xr + o) - mu) * rs;
      if (w) v *= load<f32>(w + o);
      if (b) v += load<f32>(b + o);
      store<f32>(yr + o, v);
    }
  }
}

export function layernorm_backward_f32(
  rows: i32, cols: i32, g: usize, x: usize, mean: usize, rstd: usize, w: usize,
  dx: usize, dw: usize, db: usize,
): void {
  const cv = cols & ~3;
  const inv = <f32>1 / <f32>cols;
  for (let r = 0; r < rows; r++) {
    const o0 = <usize>(r * cols) << 2;
    const gr = g + o0;
    const xr = x + o0;
    const mu = f32x4.splat(load<f32>(mean + (<usize>r << 2)));
    const rs = load<f32>(rstd + (<usize>r << 2));
    const rv = f32x4.splat(rs);
    // mean(ĝ) and mean(ĝ·x̂)
    let sa = f32x4.splat(0);
    let sc = f32x4.splat(0);
    let j = 0;
    for (; j < cv; j += 4) {
      const o = <usize>j << 2;
      const xh = f32x4.mul(f32x4.sub(v128.load(xr + o), mu), rv);
      let gh = v128.load(gr + o);
      if (w) gh = f32x4.mul(gh, v128.load(w + o));
      sa = f32x4.add(sa, gh);
      sc = f32x4.add(sc, f32x4.mul(gh, xh));
    }
    let a = hsum4(sa);
    let c = hsum4(sc);
    const m0 = f32x4.extract_lane(mu, 0);
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      const xh = (load<f32>(xr + o) - m0) * rs;
      let gh = load<f32>(gr + o);
      if (w) gh *= load<f32>(w + o);
      a += gh;
      c += gh * xh;
    }
    a *= inv;
    c *= inv;
    const av = f32x4.splat(a);
    const cvv = f32x4.splat(c);
    j = 0;
    for (; j < cv; j += 4) {
      const o = <usize>j << 2;
      const gv = v128.load(gr + o);
      const xh = f32x4.mul(f32x4.sub(v128.load(xr + o), mu), rv);
      let gh = gv;
      if (w) gh = f32x4.mul(gh, v128.load(w + o));
      if (dx) v128.store(dx + o0 + o, f32x4.mul(rv, f32x4.sub(f32x4.sub(gh, av), f32x4.mul(xh, cvv))));
      if (dw) {
        const p = dw + (<usize>j << 3);
        const gx = f32x4.mul(gv, xh);
        v128.store(p, f64x2.add(v128.load(p), f64x2.promote_low_f32x4(gx)));
        v128.store(p, f64x2.add(v128.load(p, 16), f64x2.promote_low_f32x4(v128.shuffle<i32>(gx, gx, 2, 3, 0, 1))), 16);
      }
      if (db) {
        const p = db + (<usize>j << 3);
        v128.store(p, f64x2.add(v128.load(p), f64x2.promote_low_f32x4(gv)));
        v128.store(p, f64x2.add(v128.load(p, 16), f64x2.promote_low_f32x4(v128.shuffle<i32>(gv, gv, 2, 3, 0, 1))), 16);
      }
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      const gj = load<f32>(gr + o);
      const xh = (load<f32>(xr + o) - m0) * rs;
      const gh = w ? gj * load<f32>(w + o) : gj;
      if (dx) store<f32>(dx + o0 + o, rs * (gh - a - xh * c));
      if (dw) {
        const p = dw + (<usize>j << 3);
        store<f64>(p, load<f64>(p) + <f64>(gj * xh));
      }
      if (db) {
        const p = db + (<usize>j << 3);
        store<f64>(p, load<f64>(p) + <f64>gj);
      }
    }
  }
}

// ---- cross-entropy over rows with class-index targets (log-softmax + NLL in one pass) --------
// loss[r] = −log softmax(x_r)[t_r] = −((x[t] − m) − log Σ e^(x − m)), computed exactly as
// softmax_f32's log branch computes log-softmax (so the same bits), 0 where t_r == ignore; m and
// log Σ are kept per row (stats: 2 floats per row) for the backward pass, which writes
// dx = g_r·(e^((x − m) − log Σ) − [c == t_r]) (0 rows where ignored) without a rows×cols log-softmax.

export function xent_f32(rows: i32, cols: i32, x: usize, target: usize, ignore: i32, loss: usize, stats: usize): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>(r * cols) << 2);
    const m = rowMax(xr, cols);
    const s = rowExpSum(xr, 0, cols, m, false);
    const ls = <f32>Math.log(<f64>s);
    store<f32>(stats + (<usize>(2 * r) << 2), m);
    store<f32>(stats + (<usize>(2 * r + 1) << 2), ls);
    const t = load<i32>(target + (<usize>r << 2));
    store<f32>(loss + (<usize>r << 2), t == ignore ? 0 : -(load<f32>(xr + (<usize>t << 2)) - m - ls));
  }
}

export function xent_backward_f32(
  rows: i32, cols: i32, x: usize, target: usize, ignore: i32, stats: usize, g: usize, dx: usize,
): void {
  const nv = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>(r * cols) << 2);
    const dr = dx + (<usize>(r * cols) << 2);
    const t = load<i32>(target + (<usize>r << 2));
    if (t == ignore) {
      memory.fill(dr, 0, <usize>cols << 2);
      continue;
    }
    const m = load<f32>(stats + (<usize>(2 * r) << 2));
    const ls = load<f32>(stats + (<usize>(2 * r + 1) << 2));
    const gi = load<f32>(g + (<usize>r << 2));
    const ms = f32x4.splat(m);
    const lv = f32x4.splat(ls);
    const gv = f32x4.splat(gi);
    let j = 0;
    for (; j + 16 <= nv; j += 16) {
      const p = xr + (<usize>j << 2);
      const q = dr + (<usize>j << 2);
      const x0 = v128.load(p);
      const x1 = v128.load(p, 16);
      const x2 = v128.load(p, 32);
      const x3 = v128.load(p, 48);
      v128.store(q, f32x4.mul(gv, expv(f32x4.sub(f32x4.sub(x0, ms), lv))));
      v128.store(q, f32x4.mul(gv, expv(f32x4.sub(f32x4.sub(x1, ms), lv))), 16);
      v128.store(q, f32x4.mul(gv, expv(f32x4.sub(f32x4.sub(x2, ms), lv))), 32);
      v128.store(q, f32x4.mul(gv, expv(f32x4.sub(f32x4.sub(x3, ms), lv))), 48);
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(dr + o, gi * exp1(load<f32>(xr + o) - m - ls));
    }
    const pt = dr + (<usize>t << 2);
    store<f32>(pt, load<f32>(pt) - gi);
  }
}
