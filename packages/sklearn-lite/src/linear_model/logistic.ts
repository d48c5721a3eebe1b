import { ShapeError, type Tensor, tensor, warn } from '@lumen/tensor';
import { describe, fail } from '../base/errors.js';
import { BaseEstimator, checkBool, checkInt, checkNumber, checkOneOf } from '../base/estimator.js';
import {
  checkSameLength,
  type Matrix,
  type MatrixLike,
  matrix,
  matrixToTensor,
  toLabels,
  toMatrix,
  toVector,
  uniqueLabels,
  type VectorLike,
  vectorToTensor,
} from '../base/input.js';
import { matmulABt, matmulAtB } from '../linalg/products.js';
import { accuracyScore } from '../metrics/classification.js';
import { type LineObjective, lbfgs } from '../optimize/lbfgs.js';
import { type TronProblem, tron } from '../optimize/tron.js';
import { CsrMatrix, gatherRows, isCanonical, scatterRowsDistinct } from '../sparse/csr.js';

/** Class labels as scikit-learn takes them: numbers or strings. */
export type ClassLabel = number | string;

export interface LogisticRegressionOptions {
  /** 'l2' or null (no penalty). */
  penalty: 'l2' | null;
  /** Inverse regularization strength: minimizes Σ sᵢ·lossᵢ + ‖W‖² / (2C). */
  C: number;
  fitIntercept: boolean;
  /** L-BFGS stops when max |gradient| <= tol. */
  tol: number;
  maxIter: number;
  /** 'auto': a binary problem is fitted as one logistic model, more classes as one multinomial (softmax) model. */
  multiClass: 'auto' | 'multinomial' | 'ovr';
  /**
   * 'lbfgs' (default; any multiClass), or 'liblinear': LIBLINEAR's trust-region Newton method on
   * its own objective, which penalizes the intercept too (one-vs-rest only).
   */
  solver: 'lbfgs' | 'liblinear';
  /** liblinear: the intercept is a synthetic feature of this value (its weight is penalized). */
  interceptScaling: number;
  /**
   * Weights of the classes: null (all 1), 'balanced' (n / (classes · count of the class), on the
   * one-vs-rest problem for ovr as scikit-learn does) or label → weight (an object or a Map; labels
   * not named weigh 1).
   */
  classWeight: 'balanced' | Readonly<Record<string, number>> | ReadonlyMap<ClassLabel, number> | null;
}

/** What LogisticRegression predicts: a Tensor for number labels, the labels themselves for string labels. */
export type Predicted<L extends ClassLabel> = L extends string ? string[] : Tensor;

interface LogisticState {
  classes: ClassLabel[];
  stringClasses: boolean;
  integerClasses: boolean;
  /** (rows x d): 1 row for binary, K rows otherwise. */
  coef: Float64Array;
  intercept: Float64Array;
  rows: number;
  d: number;
  multinomial: boolean;
  nIter: number[];
}

/**
 * The products the objectives need, over a dense matrix or a CsrMatrix: Z (n x K) = X·Wᵀ for
 * W (K x d), and G (K x d) = Rᵀ·X for R (n x K).
 */
export interface Design {
  n: number;
  d: number;
  mul(W: Float64Array, K: number, out: Float64Array): void;
  tmul(R: Float64Array, K: number, out: Float64Array): void;
}

/**
 * Designs are classes, not object literals of closures: a fit's products then call the same
 * methods as the last fit's, so the optimized code of the solvers that call them stays valid
 * across fits (fresh closures per fit deoptimized tron and its Hessian products on every fit).
 */
class DenseDesign implements Design {
  readonly n: number;
  readonly d: number;
  private readonly data: Float64Array;
  constructor(A: Matrix) {
    this.n = A.rows;
    this.d = A.cols;
    this.data = A.data;
  }
  mul(W: Float64Array, K: number, out: Float64Array): void {
    matmulABt(this.data, W, this.n, this.d, K, out);
  }
  tmul(R: Float64Array, K: number, out: Float64Array): void {
    matmulAtB(R, this.data, this.n, K, this.d, out);
  }
}

export function denseDesign(A: Matrix): Design {
  return new DenseDesign(A);
}

/**
 * Xᵀ·r (one column) scatters X's rows four values at a time when each row's indices are distinct
 * (scatterRowsDistinct); otherwise, and for several columns, it gathers from R over Xᵀ as CSR,
 * built on the first such product (one more copy of X).
 */
class SparseDesign implements Design {
  readonly n: number;
  readonly d: number;
  private readonly X: CsrMatrix;
  private readonly indptr: Int32Array;
  private readonly indices: Int32Array;
  // float32 values read as float64 once: the products' loads then see one array type
  private readonly data: Float64Array;
  private readonly distinct: boolean;
  private tIndptr: Int32Array | null = null;
  private tIndices: Int32Array = new Int32Array(0);
  private tData: Float64Array = new Float64Array(0);
  constructor(X: CsrMatrix) {
    this.X = X;
    [this.n, this.d] = X.shape;
    this.indptr = X.indptr;
    this.indices = X.indices;
    this.data = X.data instanceof Float64Array ? X.data : Float64Array.from(X.data);
    this.distinct = isCanonical(X);
  }
  mul(W: Float64Array, K: number, out: Float64Array): void {
    const { n, d, indptr, indices, data } = this;
    if (K === 1) {
      gatherRows(n, indptr, indices, data, W, out);
      return;
    }
    for (let i = 0; i < n; i++) {
      const p0 = indptr[i]!;
      const p1 = indptr[i + 1]!;
      for (let c = 0; c < K; c++) {
        const w = c * d;
        let s = 0;
        for (let p = p0; p < p1; p++) s += data[p]! * W[w + indices[p]!]!;
        out[i * K + c] = s;
      }
    }
  }
  tmul(R: Float64Array, K: number, out: Float64Array): void {
    if (K === 1 && this.distinct) {
      scatterRowsDistinct(this.n, this.indptr, this.indices, this.data, R, out);
      return;
    }
    if (this.tIndptr === null) {
      const xt = this.X.transpose();
      this.tIndptr = xt.indptr;
      this.tIndices = xt.indices;
      this.tData = xt.data instanceof Float64Array ? xt.data : Float64Array.from(xt.data);
    }
    const { d } = this;
    const tp = this.tIndptr;
    const ti = this.tIndices;
    const td = this.tData;
    if (K === 1) {
      gatherRows(d, tp, ti, td, R, out);
      return;
    }
    for (let j = 0; j < d; j++) {
      const q0 = tp[j]!;
      const q1 = tp[j + 1]!;
      for (let c = 0; c < K; c++) {
        let s = 0;
        for (let q = q0; q < q1; q++) s += td[q]! * R[ti[q]! * K + c]!;
        out[c * d + j] = s;
      }
    }
  }
}

export function sparseDesign(X: CsrMatrix): Design {
  return new SparseDesign(X);
}

function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** The residual sᵢ(σ(u) − yᵢ) of the last logLoss call (a second return value, without an allocation). */
let residual = 0;

/** sᵢ[log(1 + e^u) − yᵢu]; one exp for both the log-loss and the sigmoid: e = exp(−|u|). */
function logLoss(u: number, y: number, s: number): number {
  const e = Math.exp(-Math.abs(u));
  residual = s * ((u >= 0 ? 1 / (1 + e) : e / (1 + e)) - y);
  return s * (Math.max(u, 0) + Math.log1p(e) - y * u);
}

/** Accepted steps between exact recomputations of the scores X·w (each step updates them by t·X·d). */
const REFRESH = 32;

/**
 * The state and loops of binaryObjective. A class (as SparseDesign): its methods keep their
 * optimized code from one fit to the next, where closures made per fit were compiled again in
 * every fit (six compilations a fit for the binary objective alone).
 */
class BinaryLogistic {
  private readonly n: number;
  private readonly d: number;
  private readonly z: Float64Array; // X·w + b at the current point
  private readonly zd: Float64Array; // X·dw + db along the line
  private readonly r: Float64Array;
  private readonly sw: Float64Array;
  private x0: Float64Array = new Float64Array(0);
  private dir: Float64Array = new Float64Array(0);
  private xd = 0; // w·dw
  private dd = 0; // dw·dw
  private xx = 0; // w·w
  private accepted = 0;
  private tried = Number.NaN; // the step whose residuals r holds
  constructor(
    private readonly X: Design,
    private readonly y01: Float64Array,
    private readonly l2: number,
    private readonly fitIntercept: boolean,
    sw: Float64Array | null,
  ) {
    this.n = X.n;
    this.d = X.d;
    this.z = new Float64Array(this.n);
    this.zd = new Float64Array(this.n);
    this.r = new Float64Array(this.n);
    this.sw = sw ?? new Float64Array(this.n).fill(1);
  }
  /** Σ of the log-losses at the scores z, residuals into r. */
  private losses(): number {
    const { n, z, y01, sw, r } = this;
    let loss = 0;
    for (let i = 0; i < n; i++) {
      loss += logLoss(z[i]!, y01[i]!, sw[i]!);
      r[i] = residual;
    }
    return loss;
  }
  /** The gradient (Xᵀr + l2·w, Σr) at the point x + t·dv (dv null: x) whose residuals r holds. */
  private gradient(x: Float64Array, t: number, dv: Float64Array | null, grad: Float64Array): void {
    const { n, d, r, l2 } = this;
    let gb = 0;
    for (let i = 0; i < n; i++) gb += r[i]!;
    this.X.tmul(r, 1, grad); // Xᵀ·r into grad[0..d)
    if (this.fitIntercept) grad[d] = gb;
    this.xx = dv === null ? addScaledNorm(x, l2, grad, d) : addScaledNormAlong(x, t, dv, l2, grad, d);
  }
  private scores(x: Float64Array): void {
    const { n, d, z } = this;
    this.X.mul(x, 1, z);
    const b = this.fitIntercept ? x[d]! : 0;
    for (let i = 0; i < n; i++) z[i]! += b;
  }
  value(x: Float64Array, grad: Float64Array): number {
    this.scores(x);
    const loss = this.losses();
    this.gradient(x, 0, null, grad);
    this.tried = Number.NaN;
    return loss + 0.5 * this.l2 * this.xx;
  }
  along(x: Float64Array, dv: Float64Array): void {
    const { n, d, zd } = this;
    this.x0 = x;
    this.dir = dv;
    this.tried = Number.NaN;
    this.X.mul(dv, 1, zd);
    const db = this.fitIntercept ? dv[d]! : 0;
    for (let i = 0; i < n; i++) zd[i]! += db;
    let xd = 0;
    let dd = 0;
    for (let j = 0; j < d; j++) {
      xd += x[j]! * dv[j]!;
      dd += dv[j]! * dv[j]!;
    }
    this.xd = xd;
    this.dd = dd;
  }
  at(t: number): { f: number; dg: number } {
    const { n, z, zd, y01, sw, r, l2, xd, dd } = this;
    let loss = 0;
    let slope = 0;
    for (let i = 0; i < n; i++) {
      loss += logLoss(z[i]! + t * zd[i]!, y01[i]!, sw[i]!);
      r[i] = residual;
      slope += residual * zd[i]!;
    }
    this.tried = t; // the step taken is most often the last one tried: accept reuses r
    const w2 = this.xx + t * (2 * xd + t * dd);
    return { f: loss + 0.5 * l2 * w2, dg: slope + l2 * (xd + t * dd) };
  }
  accept(t: number, grad: Float64Array): void {
    const { n, z, zd } = this;
    const x = this.x0;
    const dv = this.dir;
    const refresh = ++this.accepted % REFRESH === 0;
    if (refresh) this.scores(Float64Array.from(x, (v, j) => v + t * dv[j]!));
    else for (let i = 0; i < n; i++) z[i]! += t * zd[i]!;
    if (refresh || t !== this.tried) this.losses();
    this.gradient(x, t, dv, grad);
    this.tried = Number.NaN;
  }
}

/** grad[j] += l2·x[j] for j < d; returns Σ x[j]². */
function addScaledNorm(x: Float64Array, l2: number, grad: Float64Array, d: number): number {
  let w2 = 0;
  for (let j = 0; j < d; j++) {
    const v = x[j]!;
    w2 += v * v;
    grad[j]! += l2 * v;
  }
  return w2;
}

/** The same at x + t·dv. */
function addScaledNormAlong(
  x: Float64Array,
  t: number,
  dv: Float64Array,
  l2: number,
  grad: Float64Array,
  d: number,
): number {
  let w2 = 0;
  for (let j = 0; j < d; j++) {
    const v = x[j]! + t * dv[j]!;
    w2 += v * v;
    grad[j]! += l2 * v;
  }
  return w2;
}

/**
 * Σ_i s_i [log(1 + e^{z_i}) - y_i z_i] + l2/2 ‖w‖² and its gradient; x = [w (d), b]. A
 * LineObjective: along a direction d the scores are z + t·(X·d), so a line-search trial costs
 * O(n) and only the step taken costs the product Xᵀ·r.
 */
export function binaryObjective(
  X: Design,
  y01: Float64Array,
  l2: number,
  fitIntercept: boolean,
  sw: Float64Array | null = null,
): LineObjective {
  const o = new BinaryLogistic(X, y01, l2, fitIntercept, sw);
  return Object.assign((x: Float64Array, grad: Float64Array) => o.value(x, grad), {
    along: (x: Float64Array, dv: Float64Array) => o.along(x, dv),
    at: (t: number) => o.at(t),
    accept: (t: number, grad: Float64Array) => o.accept(t, grad),
  });
}

/**
 * Σ_i s_i [logsumexp(z_i) - z_{i,y_i}] + l2/2 ‖W‖² and its gradient; x = [W (K x d) row-major,
 * b (K)]. A LineObjective, as binaryObjective.
 */
export function multinomialObjective(
  X: Design,
  yIdx: Int32Array,
  K: number,
  l2: number,
  fitIntercept: boolean,
  sw: Float64Array | null = null,
): LineObjective {
  const { n, d } = X;
  const z = new Float64Array(n * K); // X·Wᵀ + b at the current point
  const zd = new Float64Array(n * K);
  const r = new Float64Array(n * K);
  const u = new Float64Array(K);
  let x0: Float64Array = new Float64Array(0);
  let dir: Float64Array = new Float64Array(0);
  let xd = 0;
  let dd = 0;
  let xx = 0;
  let accepted = 0;
  const scoresOf = (x: Float64Array, out: Float64Array) => {
    X.mul(x, K, out);
    if (!fitIntercept) return;
    for (let i = 0; i < n; i++) for (let c = 0; c < K; c++) out[i * K + c]! += x[K * d + c]!;
  };
  /** f and its gradient at the point x + t·dv (dv null: x) whose scores z holds. */
  const gradient = (x: Float64Array, t: number, dv: Float64Array | null, grad: Float64Array): number => {
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const o = i * K;
      let m = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < K; c++) if (z[o + c]! > m) m = z[o + c]!;
      let s = 0;
      for (let c = 0; c < K; c++) s += Math.exp(z[o + c]! - m);
      const lse = m + Math.log(s);
      const wi = sw === null ? 1 : sw[i]!;
      loss += wi * (lse - z[o + yIdx[i]!]!);
      for (let c = 0; c < K; c++) r[o + c] = wi * (Math.exp(z[o + c]! - lse) - (c === yIdx[i] ? 1 : 0));
    }
    X.tmul(r, K, grad); // (P - Y)ᵀ X, K x d, into grad[0..Kd)
    if (fitIntercept) {
      for (let c = 0; c < K; c++) grad[K * d + c] = 0;
      for (let i = 0; i < n; i++) for (let c = 0; c < K; c++) grad[K * d + c]! += r[i * K + c]!;
    }
    let w2 = 0;
    for (let j = 0; j < K * d; j++) {
      const v = dv === null ? x[j]! : x[j]! + t * dv[j]!;
      w2 += v * v;
      grad[j]! += l2 * v;
    }
    xx = w2;
    return loss + 0.5 * l2 * w2;
  };
  const fg = (x: Float64Array, grad: Float64Array): number => {
    scoresOf(x, z);
    return gradient(x, 0, null, grad);
  };
  return Object.assign(fg, {
    along: (x: Float64Array, dv: Float64Array) => {
      x0 = x;
      dir = dv;
      scoresOf(dv, zd);
      xd = 0;
      dd = 0;
      for (let j = 0; j < K * d; j++) {
        xd += x[j]! * dv[j]!;
        dd += dv[j]! * dv[j]!;
      }
    },
    at: (t: number) => {
      let loss = 0;
      let slope = 0;
      for (let i = 0; i < n; i++) {
        const o = i * K;
        let m = Number.NEGATIVE_INFINITY;
        for (let c = 0; c < K; c++) {
          const v = z[o + c]! + t * zd[o + c]!;
          u[c] = v;
          if (v > m) m = v;
        }
        let s = 0;
        for (let c = 0; c < K; c++) s += Math.exp(u[c]! - m);
        const lse = m + Math.log(s);
        const wi = sw === null ? 1 : sw[i]!;
        const y = yIdx[i]!;
        loss += wi * (lse - u[y]!);
        for (let c = 0; c < K; c++) slope += wi * (Math.exp(u[c]! - lse) - (c === y ? 1 : 0)) * zd[o + c]!;
      }
      const w2 = xx + t * (2 * xd + t * dd);
      return { f: loss + 0.5 * l2 * w2, dg: slope + l2 * (xd + t * dd) };
    },
    accept: (t: number, grad: Float64Array) => {
      const x = x0;
      const dv = dir;
      if (++accepted % REFRESH === 0)
        scoresOf(
          Float64Array.from(x, (v, j) => v + t * dv[j]!),
          z,
        );
      else for (let i = 0; i < n * K; i++) z[i]! += t * zd[i]!;
      gradient(x, t, dv, grad);
    },
  });
}

/**
 * LIBLINEAR's L2-regularized logistic regression (solver 0, primal) for one binary problem:
 * min ½‖w‖² + Σ Cᵢ log(1 + e^{−yᵢ wᵀxᵢ}) with yᵢ = ±1, Cᵢ = C·sampleWeightᵢ, and (when bias > 0)
 * a constant feature `bias` whose weight, penalized like the others, gives the intercept. A class
 * (see SparseDesign for why).
 */
class LiblinearLogistic implements TronProblem {
  private readonly n: number;
  private readonly d: number;
  private readonly nw: number;
  private readonly y: Float64Array;
  private readonly Ci: Float64Array;
  private readonly z: Float64Array;
  private readonly D: Float64Array;
  private readonly tmp: Float64Array;
  private readonly gx: Float64Array;
  constructor(
    private readonly X: Design,
    pos: Int32Array,
    C: number,
    private readonly bias: number,
    sw: Float64Array | null,
  ) {
    const { n, d } = X;
    this.n = n;
    this.d = d;
    this.nw = d + (bias > 0 ? 1 : 0);
    this.y = Float64Array.from(pos, (v) => (v === 1 ? 1 : -1));
    this.Ci = Float64Array.from({ length: n }, (_, i) => C * (sw === null ? 1 : sw[i]!));
    this.z = new Float64Array(n);
    this.D = new Float64Array(n);
    this.tmp = new Float64Array(n);
    this.gx = new Float64Array(d);
  }
  private Xw(w: Float64Array, out: Float64Array): void {
    this.X.mul(w, 1, out);
    const { n, d, bias } = this;
    if (bias > 0) for (let i = 0; i < n; i++) out[i]! += bias * w[d]!;
  }
  private XTv(v: Float64Array, out: Float64Array): void {
    const { n, d, bias, gx } = this;
    this.X.tmul(v, 1, gx);
    out.set(gx, 0);
    if (bias > 0) {
      let s = 0;
      for (let i = 0; i < n; i++) s += v[i]!;
      out[d] = bias * s;
    }
  }
  fun(w: Float64Array): number {
    const { n, nw, z, y, Ci } = this;
    this.Xw(w, z);
    let f = 0;
    for (let j = 0; j < nw; j++) f += w[j]! * w[j]!;
    f /= 2;
    for (let i = 0; i < n; i++) f += Ci[i]! * softplus(-y[i]! * z[i]!);
    return f;
  }
  grad(w: Float64Array, g: Float64Array): void {
    const { n, nw, z, y, Ci, D, tmp } = this;
    for (let i = 0; i < n; i++) {
      const s = sigmoid(y[i]! * z[i]!);
      D[i] = Ci[i]! * s * (1 - s);
      tmp[i] = Ci[i]! * (s - 1) * y[i]!;
    }
    this.XTv(tmp, g);
    for (let j = 0; j < nw; j++) g[j]! += w[j]!;
  }
  hessVec(v: Float64Array, out: Float64Array): void {
    const { n, nw, D, tmp } = this;
    this.Xw(v, tmp);
    for (let i = 0; i < n; i++) tmp[i]! *= D[i]!;
    this.XTv(tmp, out);
    for (let j = 0; j < nw; j++) out[j]! += v[j]!;
  }
}

function liblinearBinary(
  X: Design,
  pos: Int32Array,
  C: number,
  bias: number,
  sw: Float64Array | null,
  tol: number,
  maxIter: number,
): { w: Float64Array; nIter: number; converged: boolean } {
  const { n, d } = X;
  const nw = d + (bias > 0 ? 1 : 0);
  let positives = 0;
  for (const v of pos) positives += v;
  const eps = (tol * Math.max(Math.min(positives, n - positives), 1)) / n;
  return tron(new LiblinearLogistic(X, pos, C, bias, sw), new Float64Array(nw), { eps, maxIter });
}

/** scikit-learn's compute_class_weight for the classes present: 'balanced' or a label → weight map. */
function classWeights(
  op: string,
  cw: LogisticRegressionOptions['classWeight'],
  classes: ClassLabel[],
  yIdx: Int32Array,
): Float64Array {
  const K = classes.length;
  const w = new Float64Array(K).fill(1);
  if (cw === null) return w;
  if (cw === 'balanced') {
    const counts = new Float64Array(K);
    for (const c of yIdx) counts[c]!++;
    for (let c = 0; c < K; c++) w[c] = yIdx.length / (K * counts[c]!);
    return w;
  }
  if (typeof cw !== 'object' || Array.isArray(cw))
    fail(
      op,
      `classWeight must be 'balanced', an object or Map of label → weight, or null, got ${describe(cw)}`,
    );
  const entries: [string, unknown][] =
    cw instanceof Map
      ? [...(cw as ReadonlyMap<ClassLabel, number>).entries()].map(([k, v]) => [String(k), v])
      : Object.entries(cw);
  const given = new Map(entries);
  let named = 0;
  const missing: ClassLabel[] = [];
  classes.forEach((c, k) => {
    const v = given.get(String(c));
    if (v === undefined) missing.push(c);
    else {
      w[k] = checkNumber(op, `classWeight[${JSON.stringify(String(c))}]`, v, { min: 0 });
      named++;
    }
  });
  if (missing.length > 0 && named !== given.size) {
    const unknown = [...given.keys()].filter((k) => !classes.some((c) => String(c) === k));
    fail(
      op,
      `classWeight names labels that are not in y: ${unknown.map((k) => JSON.stringify(k)).join(', ')}; the classes are ${classes.map((c) => JSON.stringify(c)).join(', ')}`,
    );
  }
  return w;
}

/**
 * Logistic regression (binary, one-vs-rest or multinomial) fitted by L-BFGS, as scikit-learn's
 * lbfgs solver. X may be dense or a CsrMatrix (the gradient is then Xᵀ(p − y) by sparse
 * products); y holds numbers or strings, and predict returns the labels as they came.
 */
export class LogisticRegression<
  L extends ClassLabel = number,
> extends BaseEstimator<LogisticRegressionOptions> {
  private state: LogisticState | null = null;

  constructor(opts?: Partial<LogisticRegressionOptions>) {
    super(
      {
        penalty: 'l2',
        C: 1,
        fitIntercept: true,
        tol: 1e-4,
        maxIter: 100,
        multiClass: 'auto',
        solver: 'lbfgs',
        interceptScaling: 1,
        classWeight: null,
      },
      opts,
    );
  }

  /** Fits on X (dense or CsrMatrix) and labels y; sampleWeight multiplies each sample's loss. */
  fit(X: MatrixLike | CsrMatrix, y: readonly string[], sampleWeight?: VectorLike): LogisticRegression<string>;
  fit(X: MatrixLike | CsrMatrix, y: VectorLike, sampleWeight?: VectorLike): LogisticRegression<number>;
  fit(X: MatrixLike | CsrMatrix, y: VectorLike | readonly string[], sampleWeight?: VectorLike): this;
  fit(
    X: MatrixLike | CsrMatrix,
    y: VectorLike | readonly string[],
    sampleWeight?: VectorLike,
  ): LogisticRegression<ClassLabel> {
    const op = 'LogisticRegression.fit';
    const p = this.params;
    if (p.penalty !== null) checkOneOf(op, 'penalty', p.penalty, ['l2'] as const);
    const C = checkNumber(op, 'C', p.C, { min: 0, minExclusive: true });
    const fitIntercept = checkBool(op, 'fitIntercept', p.fitIntercept);
    const tol = checkNumber(op, 'tol', p.tol, { min: 0 });
    const maxIter = checkInt(op, 'maxIter', p.maxIter, 1);
    const multiClass = checkOneOf(op, 'multiClass', p.multiClass, ['auto', 'multinomial', 'ovr'] as const);
    const solver = checkOneOf(op, 'solver', p.solver, ['lbfgs', 'liblinear'] as const);
    const interceptScaling = checkNumber(op, 'interceptScaling', p.interceptScaling, {
      min: 0,
      minExclusive: true,
    });
    if (solver === 'liblinear') {
      if (multiClass === 'multinomial')
        fail(
          op,
          "solver 'liblinear' does not fit a multinomial model; use multiClass 'ovr' or solver 'lbfgs'",
        );
    }
    const design = X instanceof CsrMatrix ? sparseDesign(X) : denseDesign(toMatrix(op, 'X', X));
    const labels = toLabels(op, 'y', y);
    checkSameLength(op, ['X', 'y'], { length: design.n }, labels);
    let sw: Float64Array | null = null;
    if (sampleWeight !== undefined) {
      sw = toVector(op, 'sampleWeight', sampleWeight);
      checkSameLength(op, ['X', 'sampleWeight'], { length: design.n }, sw);
      sw.forEach((v, i) => {
        if (v < 0) fail(op, `sampleWeight must be non-negative, got ${v} at sampleWeight[${i}]`);
      });
    }
    const classes = uniqueLabels(labels) as ClassLabel[];
    const K = classes.length;
    if (K < 2)
      fail(
        op,
        `this solver needs samples of at least 2 classes in the data, but the data contains only one class: ${JSON.stringify(classes[0])}`,
      );
    const index = new Map<ClassLabel, number>(classes.map((c, i) => [c, i]));
    const yIdx = Int32Array.from(labels as ClassLabel[], (v) => index.get(v)!);
    const d = design.d;
    const l2 = p.penalty === 'l2' ? 1 / C : 0;
    const multinomial =
      solver === 'lbfgs' && (multiClass === 'multinomial' || (multiClass === 'auto' && K > 2));
    const nParams = d + (fitIntercept ? 1 : 0);
    const warnIfStopped = (converged: boolean, message: string) => {
      if (!converged)
        warn(
          'ConvergenceWarning',
          `${op}: lbfgs failed to converge (${message}); increase maxIter or scale the data`,
        );
    };
    const weightsFrom = (perSample: (i: number) => number): Float64Array | null => {
      if (sw === null && p.classWeight === null) return null;
      return Float64Array.from({ length: design.n }, (_, i) => (sw === null ? 1 : sw[i]!) * perSample(i));
    };
    // A label → weight map weighs the original labels, for every solver and multi-class mode;
    // 'balanced' counts the classes of the problem being fitted (the one-vs-rest one for ovr).
    const userWeights = p.classWeight !== null && p.classWeight !== 'balanced';
    const cwFull = userWeights || multinomial ? classWeights(op, p.classWeight, classes, yIdx) : null;
    let coef: Float64Array;
    let intercept: Float64Array;
    const nIter: number[] = [];
    if (multinomial) {
      const w = weightsFrom((i) => cwFull![yIdx[i]!]!);
      const fg = multinomialObjective(design, yIdx, K, l2, fitIntercept, w);
      const res = lbfgs(fg, new Float64Array(K * d + (fitIntercept ? K : 0)), { maxIter, gtol: tol });
      warnIfStopped(res.converged, res.message);
      coef = res.x.slice(0, K * d);
      intercept = fitIntercept ? res.x.slice(K * d) : new Float64Array(K);
      nIter.push(res.nIter);
    } else {
      // Binary: one model for classes[1]; ovr: one model per class.
      const targets = K === 2 ? [1] : Array.from({ length: K }, (_, c) => c);
      coef = new Float64Array(targets.length * d);
      intercept = new Float64Array(targets.length);
      targets.forEach((pos, r) => {
        const bin = Int32Array.from(yIdx, (v) => (v === pos ? 1 : 0));
        const y01 = Float64Array.from(bin);
        const cwBin = p.classWeight === 'balanced' ? classWeights(op, 'balanced', [0, 1], bin) : null;
        const w = weightsFrom(
          (i) => (cwFull !== null ? cwFull[yIdx[i]!]! : 1) * (cwBin !== null ? cwBin[bin[i]!]! : 1),
        );
        if (solver === 'liblinear') {
          // LIBLINEAR weighs C per class over the original labels; one-vs-rest weighs only the
          // positive class (its negatives keep C), as LIBLINEAR's train() does.
          const cwLib = p.classWeight === null ? null : classWeights(op, p.classWeight, classes, yIdx);
          const ci =
            cwLib === null && sw === null
              ? null
              : Float64Array.from({ length: design.n }, (_, i) => {
                  const base = sw === null ? 1 : sw[i]!;
                  if (cwLib === null) return base;
                  if (K === 2) return base * cwLib[yIdx[i]!]!;
                  return bin[i] === 1 ? base * cwLib[pos]! : base;
                });
          const res = liblinearBinary(design, bin, C, fitIntercept ? interceptScaling : 0, ci, tol, maxIter);
          if (!res.converged)
            warn(
              'ConvergenceWarning',
              `${op}: liblinear failed to converge; increase maxIter or scale the data`,
            );
          coef.set(res.w.subarray(0, d), r * d);
          intercept[r] = fitIntercept ? interceptScaling * res.w[d]! : 0;
          nIter.push(res.nIter);
          return;
        }
        const res = lbfgs(binaryObjective(design, y01, l2, fitIntercept, w), new Float64Array(nParams), {
          maxIter,
          gtol: tol,
        });
        warnIfStopped(res.converged, res.message);
        coef.set(res.x.subarray(0, d), r * d);
        intercept[r] = fitIntercept ? res.x[d]! : 0;
        nIter.push(res.nIter);
      });
    }
    const stringClasses = typeof classes[0] === 'string';
    this.state = {
      classes,
      stringClasses,
      integerClasses: !stringClasses && (classes as number[]).every((c) => Number.isInteger(c)),
      coef,
      intercept,
      rows: coef.length / d,
      d,
      multinomial,
      nIter,
    };
    return this;
  }

  private scores(op: string, X: MatrixLike | CsrMatrix): { z: Float64Array; n: number; s: LogisticState } {
    const s = this.fitted(this.state, op);
    const name = `LogisticRegression.${op}`;
    const design = X instanceof CsrMatrix ? sparseDesign(X) : denseDesign(toMatrix(name, 'X', X));
    if (design.d !== s.d)
      fail(
        name,
        `X has ${design.d} features, but LogisticRegression was fitted with ${s.d} features`,
        ShapeError,
      );
    const z = new Float64Array(design.n * s.rows);
    design.mul(s.coef, s.rows, z);
    for (let i = 0; i < design.n; i++) for (let r = 0; r < s.rows; r++) z[i * s.rows + r]! += s.intercept[r]!;
    return { z, n: design.n, s };
  }

  /** Raw scores X·coef_ᵀ + intercept_: (n) for a binary problem, (n, classes) otherwise. */
  decisionFunction(X: MatrixLike | CsrMatrix): Tensor {
    const { z, n, s } = this.scores('decisionFunction', X);
    return s.rows === 1 ? vectorToTensor(z) : matrixToTensor(matrix(n, s.rows, z));
  }

  /** Class probabilities (n, classes), columns in classes_ order. */
  predictProba(X: MatrixLike | CsrMatrix): Tensor {
    const { z, n, s } = this.scores('predictProba', X);
    const K = s.classes.length;
    const out = new Float64Array(n * K);
    for (let i = 0; i < n; i++) {
      if (s.rows === 1) {
        const p = sigmoid(z[i]!);
        out[i * 2] = 1 - p;
        out[i * 2 + 1] = p;
      } else if (s.multinomial) {
        let m = Number.NEGATIVE_INFINITY;
        for (let c = 0; c < K; c++) m = Math.max(m, z[i * K + c]!);
        let sum = 0;
        for (let c = 0; c < K; c++) sum += out[i * K + c] = Math.exp(z[i * K + c]! - m);
        for (let c = 0; c < K; c++) out[i * K + c]! /= sum;
      } else {
        let sum = 0;
        for (let c = 0; c < K; c++) sum += out[i * K + c] = sigmoid(z[i * K + c]!);
        for (let c = 0; c < K; c++) out[i * K + c]! /= sum;
      }
    }
    return matrixToTensor(matrix(n, K, out));
  }

  predictLogProba(X: MatrixLike | CsrMatrix): Tensor {
    return this.predictProba(X).log();
  }

  /**
   * The most likely class of each sample: the labels as given to fit — a Tensor for numbers
   * (int32 when they are integers), an array for strings.
   */
  predict(X: MatrixLike | CsrMatrix): Predicted<L> {
    const { z, n, s } = this.scores('predict', X);
    const best = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      if (s.rows === 1) best[i] = z[i]! > 0 ? 1 : 0;
      else {
        let b = 0;
        for (let c = 1; c < s.rows; c++) if (z[i * s.rows + c]! > z[i * s.rows + b]!) b = c;
        best[i] = b;
      }
    }
    return labelsOut(s, best) as Predicted<L>;
  }

  /** Mean accuracy of predict(X) against y. */
  score(X: MatrixLike | CsrMatrix, y: VectorLike | readonly string[]): number {
    const yTrue = toLabels('LogisticRegression.score', 'y', y);
    return accuracyScore(yTrue as number[], this.predict(X) as Tensor);
  }

  /** The classes in scikit-learn's (numpy's sorted) order: a Tensor for numbers, an array for strings. */
  get classes_(): Predicted<L> {
    const s = this.fitted(this.state, 'classes_');
    return labelsOut(
      s,
      Int32Array.from(s.classes, (_, i) => i),
    ) as Predicted<L>;
  }
  /** (1, nFeatures) for a binary problem, (nClasses, nFeatures) otherwise. */
  get coef_(): Tensor {
    const s = this.fitted(this.state, 'coef_');
    return matrixToTensor(matrix(s.rows, s.d, s.coef.slice()));
  }
  get intercept_(): Tensor {
    return vectorToTensor(this.fitted(this.state, 'intercept_').intercept.slice());
  }
  /** L-BFGS iterations per fitted model. */
  get nIter_(): Tensor {
    return tensor(Int32Array.from(this.fitted(this.state, 'nIter_').nIter), {
      dtype: 'int32',
      device: 'cpu',
    });
  }
  get nFeaturesIn_(): number {
    return this.fitted(this.state, 'nFeaturesIn_').d;
  }
}

function labelsOut(s: LogisticState, idx: Int32Array): Tensor | string[] {
  if (s.stringClasses) return Array.from(idx, (k) => s.classes[k] as string);
  const v = Float64Array.from(idx, (k) => s.classes[k] as number);
  return vectorToTensor(v, s.integerClasses ? 'int32' : 'float64');
}
