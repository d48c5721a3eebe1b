import { type Tensor, tensor } from '@lumen/tensor';
import { fail } from '../base/errors.js';
import { BaseEstimator, checkBool, checkInt, checkNumber, checkOneOf } from '../base/estimator.js';
import {
  checkSameLength,
  type Matrix,
  type MatrixLike,
  matrix,
  matrixToTensor,
  toMatrix,
  toVector,
  type VectorLike,
  vectorToTensor,
} from '../base/input.js';
import { matmulABt, matmulAtB } from '../linalg/products.js';
import { accuracyScore } from '../metrics/classification.js';
import { lbfgs } from '../optimize/lbfgs.js';

export interface LogisticRegressionOptions {
  /** 'l2' or null (no penalty). */
  penalty: 'l2' | null;
  /** Inverse regularization strength: minimizes Σ loss + ‖W‖² / (2C). */
  C: number;
  fitIntercept: boolean;
  /** L-BFGS stops when max |gradient| <= tol. */
  tol: number;
  maxIter: number;
  /** 'auto': a binary problem is fitted as one logistic model, more classes as one multinomial (softmax) model. */
  multiClass: 'auto' | 'multinomial' | 'ovr';
  solver: 'lbfgs';
}

interface LogisticState {
  classes: Float64Array;
  integerClasses: boolean;
  /** (rows x d): 1 row for binary, K rows otherwise. */
  coef: Float64Array;
  intercept: Float64Array;
  rows: number;
  d: number;
  multinomial: boolean;
  nIter: number[];
}

function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Σ_i [log(1 + e^{z_i}) - y_i z_i] + l2/2 ‖w‖² and its gradient; x = [w (d), b]. */
export function binaryObjective(A: Matrix, y01: Float64Array, l2: number, fitIntercept: boolean) {
  const { rows: n, cols: d, data } = A;
  const z = new Float64Array(n);
  const gw = new Float64Array(d);
  return (x: Float64Array, grad: Float64Array): number => {
    const b = fitIntercept ? x[d]! : 0;
    matmulABt(data, x, n, d, 1, z); // X·w
    let loss = 0;
    let gb = 0;
    for (let i = 0; i < n; i++) {
      const zi = z[i]! + b;
      loss += softplus(zi) - y01[i]! * zi;
      const r = sigmoid(zi) - y01[i]!;
      z[i] = r; // z becomes the residual
      gb += r;
    }
    matmulAtB(data, z, n, d, 1, gw); // Xᵀ·r
    grad.fill(0);
    grad.set(gw, 0);
    if (fitIntercept) grad[d] = gb;
    let w2 = 0;
    for (let j = 0; j < d; j++) {
      w2 += x[j]! * x[j]!;
      grad[j]! += l2 * x[j]!;
    }
    return loss + 0.5 * l2 * w2;
  };
}

/** Σ_i [logsumexp(z_i) - z_{i,y_i}] + l2/2 ‖W‖² and its gradient; x = [W (K x d) row-major, b (K)]. */
export function multinomialObjective(
  A: Matrix,
  yIdx: Int32Array,
  K: number,
  l2: number,
  fitIntercept: boolean,
) {
  const { rows: n, cols: d, data } = A;
  const z = new Float64Array(n * K);
  return (x: Float64Array, grad: Float64Array): number => {
    matmulABt(data, x, n, d, K, z);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const o = i * K;
      let m = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < K; c++) {
        const v = z[o + c]! + (fitIntercept ? x[K * d + c]! : 0);
        z[o + c] = v;
        if (v > m) m = v;
      }
      let s = 0;
      for (let c = 0; c < K; c++) s += Math.exp(z[o + c]! - m);
      const lse = m + Math.log(s);
      loss += lse - z[o + yIdx[i]!]!;
      // z becomes the residual P - Y
      for (let c = 0; c < K; c++) z[o + c] = Math.exp(z[o + c]! - lse) - (c === yIdx[i] ? 1 : 0);
    }
    const gW = matmulAtB(z, data, n, K, d); // (P - Y)ᵀ X, K x d
    grad.fill(0);
    grad.set(gW, 0);
    if (fitIntercept) {
      for (let i = 0; i < n; i++) for (let c = 0; c < K; c++) grad[K * d + c]! += z[i * K + c]!;
    }
    let w2 = 0;
    for (let j = 0; j < K * d; j++) {
      w2 += x[j]! * x[j]!;
      grad[j]! += l2 * x[j]!;
    }
    return loss + 0.5 * l2 * w2;
  };
}

/** Logistic regression (binary, one-vs-rest or multinomial) fitted by L-BFGS, as scikit-learn's lbfgs solver. */
export class LogisticRegression extends BaseEstimator<LogisticRegressionOptions> {
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
      },
      opts,
    );
  }

  fit(X: MatrixLike, y: VectorLike): this {
    const op = 'LogisticRegression.fit';
    const p = this.params;
    if (p.penalty !== null) checkOneOf(op, 'penalty', p.penalty, ['l2'] as const);
    const C = checkNumber(op, 'C', p.C, { min: 0, minExclusive: true });
    const fitIntercept = checkBool(op, 'fitIntercept', p.fitIntercept);
    const tol = checkNumber(op, 'tol', p.tol, { min: 0 });
    const maxIter = checkInt(op, 'maxIter', p.maxIter, 1);
    const multiClass = checkOneOf(op, 'multiClass', p.multiClass, ['auto', 'multinomial', 'ovr'] as const);
    checkOneOf(op, 'solver', p.solver, ['lbfgs'] as const);
    const A = toMatrix(op, 'X', X);
    const labels = toVector(op, 'y', y);
    checkSameLength(op, ['X', 'y'], { length: A.rows }, labels);
    const classes = Float64Array.from(new Set(labels)).sort();
    const K = classes.length;
    if (K < 2)
      fail(
        op,
        `this solver needs samples of at least 2 classes in the data, but the data contains only one class: ${classes[0]}`,
      );
    const index = new Map(Array.from(classes, (c, i) => [c, i]));
    const yIdx = Int32Array.from(labels, (v) => index.get(v)!);
    const d = A.cols;
    const l2 = p.penalty === 'l2' ? 1 / C : 0;
    const multinomial = multiClass === 'multinomial' || (multiClass === 'auto' && K > 2);
    const nParams = d + (fitIntercept ? 1 : 0);
    const warnIfStopped = (converged: boolean, message: string) => {
      if (!converged)
        console.warn(`${op}: lbfgs failed to converge (${message}); increase maxIter or scale the data`);
    };
    let coef: Float64Array;
    let intercept: Float64Array;
    const nIter: number[] = [];
    if (multinomial) {
      const fg = multinomialObjective(A, yIdx, K, l2, fitIntercept);
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
        const y01 = Float64Array.from(yIdx, (v) => (v === pos ? 1 : 0));
        const res = lbfgs(binaryObjective(A, y01, l2, fitIntercept), new Float64Array(nParams), {
          maxIter,
          gtol: tol,
        });
        warnIfStopped(res.converged, res.message);
        coef.set(res.x.subarray(0, d), r * d);
        intercept[r] = fitIntercept ? res.x[d]! : 0;
        nIter.push(res.nIter);
      });
    }
    this.state = {
      classes,
      integerClasses: classes.every((c) => Number.isInteger(c)),
      coef,
      intercept,
      rows: coef.length / d,
      d,
      multinomial,
      nIter,
    };
    return this;
  }

  private scores(op: string, X: MatrixLike): { z: Float64Array; n: number; s: LogisticState } {
    const s = this.fitted(this.state, op);
    const A = toMatrix(`LogisticRegression.${op}`, 'X', X);
    if (A.cols !== s.d)
      fail(
        `LogisticRegression.${op}`,
        `X has ${A.cols} features, but LogisticRegression was fitted with ${s.d} features`,
      );
    const z = matmulABt(A.data, s.coef, A.rows, s.d, s.rows);
    for (let i = 0; i < A.rows; i++) for (let r = 0; r < s.rows; r++) z[i * s.rows + r]! += s.intercept[r]!;
    return { z, n: A.rows, s };
  }

  /** Raw scores X·coef_ᵀ + intercept_: (n) for a binary problem, (n, classes) otherwise. */
  decisionFunction(X: MatrixLike): Tensor {
    const { z, n, s } = this.scores('decisionFunction', X);
    return s.rows === 1 ? vectorToTensor(z) : matrixToTensor(matrix(n, s.rows, z));
  }

  /** Class probabilities (n, classes), columns in classes_ order. */
  predictProba(X: MatrixLike): Tensor {
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

  predictLogProba(X: MatrixLike): Tensor {
    return this.predictProba(X).log();
  }

  /** The most likely class of each sample (int32 when the classes are integers). */
  predict(X: MatrixLike): Tensor {
    const { z, n, s } = this.scores('predict', X);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (s.rows === 1) out[i] = s.classes[z[i]! > 0 ? 1 : 0]!;
      else {
        let best = 0;
        for (let c = 1; c < s.rows; c++) if (z[i * s.rows + c]! > z[i * s.rows + best]!) best = c;
        out[i] = s.classes[best]!;
      }
    }
    return vectorToTensor(out, s.integerClasses ? 'int32' : 'float64');
  }

  /** Mean accuracy of predict(X) against y. */
  score(X: MatrixLike, y: VectorLike): number {
    return accuracyScore(toVector('LogisticRegression.score', 'y', y), this.predict(X));
  }

  get classes_(): Tensor {
    const s = this.fitted(this.state, 'classes_');
    return vectorToTensor(s.classes.slice(), s.integerClasses ? 'int32' : 'float64');
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
