import type { Tensor } from '@lumen/tensor';
import { describe, fail, ShapeError } from '../base/errors.js';
import {
  BaseEstimator,
  checkBool,
  checkInt,
  checkOneOf,
  type RandomState,
  resolveRandomState,
} from '../base/estimator.js';
import {
  type Matrix,
  type MatrixLike,
  matrix,
  matrixToTensor,
  releaseMatrix,
  toMatrix,
  vectorToTensor,
} from '../base/input.js';
import { matmul, matmulABt } from '../linalg/products.js';
import { randomizedSvd } from '../linalg/randomizedSvd.js';
import { centerColumnsInPlace, subtractRow, sumOfSquares } from '../linalg/rows.js';
import { svd, svdFlip } from '../linalg/svd.js';

export interface PCAOptions {
  /** Components to keep: an integer, a fraction of variance in (0, 1) (full solver), or null for all. */
  nComponents: number | null;
  whiten: boolean;
  /** 'auto' picks as scikit-learn 1.2: full when max(shape) <= 500, randomized when nComponents < 0.8·min(shape). */
  svdSolver: 'auto' | 'full' | 'randomized';
  /** Power iterations of the randomized solver ('auto' = 7 when nComponents < 0.1·min(shape), else 4). */
  iteratedPower: number | 'auto';
  nOversamples: number;
  randomState: RandomState;
}

interface PCAState {
  mean: Float64Array;
  components: Float64Array; // k x d
  explainedVariance: Float64Array;
  explainedVarianceRatio: Float64Array;
  singularValues: Float64Array;
  noiseVariance: number;
  k: number;
  d: number;
  nSamples: number;
  /** U·S (or U·sqrt(n-1) when whitening) from the last fit, for fitTransform. */
  fitScores: Float64Array;
  solver: 'full' | 'randomized';
}

/** Principal component analysis by SVD of the centred data, with scikit-learn's numbers and sign convention. */
export class PCA extends BaseEstimator<PCAOptions> {
  private state: PCAState | null = null;

  constructor(opts?: Partial<PCAOptions>) {
    super(
      {
        nComponents: null,
        whiten: false,
        svdSolver: 'auto',
        iteratedPower: 'auto',
        nOversamples: 10,
        randomState: null,
      },
      opts,
    );
  }

  fit(X: MatrixLike, _y?: unknown): this {
    this.fitFrom('PCA.fit', X);
    return this;
  }

  fitTransform(X: MatrixLike, _y?: unknown): Tensor {
    const s = this.fitFrom('PCA.fitTransform', X);
    return matrixToTensor(matrix(s.nSamples, s.k, s.fitScores));
  }

  private fitFrom(op: string, X: MatrixLike): PCAState {
    // In the cpu kernels' memory: the power iterations' products read it in place.
    const A = toMatrix(op, 'X', X, { kernel: true });
    try {
      return this.fitMatrix(A);
    } finally {
      releaseMatrix(A);
    }
  }

  private fitMatrix(A: Matrix): PCAState {
    const op = 'PCA.fit';
    const p = this.params;
    const { rows: n, cols: d } = A;
    const minDim = Math.min(n, d);
    checkBool(op, 'whiten', p.whiten);
    let solver = checkOneOf(op, 'svdSolver', p.svdSolver, ['auto', 'full', 'randomized'] as const);
    const nc = p.nComponents;
    if (nc !== null) {
      if (typeof nc !== 'number' || !Number.isFinite(nc) || nc <= 0)
        fail(op, `nComponents must be null, an integer >= 1 or a fraction in (0, 1), got ${describe(nc)}`);
      if (nc >= 1 || Number.isInteger(nc)) checkInt(op, 'nComponents', nc, 1, minDim);
    }
    if (solver === 'auto') {
      if (Math.max(n, d) <= 500) solver = 'full';
      else if (nc !== null && nc >= 1 && nc < 0.8 * minDim) solver = 'randomized';
      else solver = 'full';
    }
    const Xc = A.data; // A is our own copy: centre in place
    const mean = centerColumnsInPlace(Xc, n, d);
    let state: PCAState;
    if (solver === 'full') {
      const f = svd(Xc, n, d);
      svdFlip(f.u, f.vt, n, f.k, d, true);
      const ev = f.s.map((s) => (s * s) / (n - 1));
      const total = ev.reduce((a, b) => a + b, 0);
      const ratio = ev.map((v) => v / total);
      let k: number;
      if (nc === null) k = minDim;
      else if (nc < 1) {
        // scikit-learn: searchsorted(cumsum(ratio), nc, side='right') + 1
        let cum = 0;
        k = 0;
        while (k < ratio.length && cum + ratio[k]! <= nc) cum += ratio[k++]!;
        k = Math.min(k + 1, ratio.length);
      } else k = nc;
      let noise = 0;
      if (k < minDim) {
        for (let i = k; i < ev.length; i++) noise += ev[i]!;
        noise /= ev.length - k;
      }
      state = this.finish(f.u, f.k, f.s, f.vt, ev, ratio, k, n, d, mean, noise, 'full');
    } else {
      if (nc === null || nc < 1)
        fail(op, `svdSolver 'randomized' needs an integer nComponents, got ${describe(nc)}`);
      const iters =
        p.iteratedPower === 'auto' ? undefined : checkInt(op, 'iteratedPower', p.iteratedPower, 0);
      const nOversamples = checkInt(op, 'nOversamples', p.nOversamples, 0);
      const generator = resolveRandomState(op, p.randomState);
      // Total variance (ddof 1) of the centred data, for the ratio.
      const totalVar = sumOfSquares(Xc) / (n - 1);
      const r = randomizedSvd(Xc, n, d, {
        nComponents: nc,
        nOversamples,
        nIter: iters,
        generator,
        flipSign: true,
      });
      const ev = r.s.map((s) => (s * s) / (n - 1));
      const ratio = ev.map((v) => v / totalVar);
      const evSum = ev.reduce((a, b) => a + b, 0);
      const noise = nc < minDim ? (totalVar - evSum) / (minDim - nc) : 0;
      state = this.finish(r.u, r.k, r.s, r.vt, ev, ratio, nc, n, d, mean, noise, 'randomized');
    }
    this.state = state;
    return state;
  }

  private finish(
    u: Float64Array,
    uCols: number,
    s: Float64Array,
    vt: Float64Array,
    ev: Float64Array,
    ratio: Float64Array,
    k: number,
    n: number,
    d: number,
    mean: Float64Array,
    noiseVariance: number,
    solver: 'full' | 'randomized',
  ): PCAState {
    const scores = new Float64Array(n * k);
    const whitenScale = Math.sqrt(n - 1);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < k; j++)
        scores[i * k + j] = u[i * uCols + j]! * (this.params.whiten ? whitenScale : s[j]!);
    }
    return {
      mean,
      components: vt.slice(0, k * d),
      explainedVariance: ev.slice(0, k),
      explainedVarianceRatio: ratio.slice(0, k),
      singularValues: s.slice(0, k),
      noiseVariance,
      k,
      d,
      nSamples: n,
      fitScores: scores,
      solver,
    };
  }

  /** (X - mean_) · components_ᵀ, divided by sqrt(explainedVariance_) when whitening. */
  transform(X: MatrixLike): Tensor {
    const s = this.fitted(this.state, 'transform');
    const A = toMatrix('PCA.transform', 'X', X);
    if (A.cols !== s.d)
      fail('PCA.transform', `X has ${A.cols} features, but PCA was fitted with ${s.d} features`, ShapeError);
    subtractRow(A.data, A.rows, A.cols, s.mean);
    const out = matmulABt(A.data, s.components, A.rows, s.d, s.k);
    if (this.params.whiten) {
      for (let i = 0; i < A.rows; i++)
        for (let j = 0; j < s.k; j++) out[i * s.k + j]! /= Math.sqrt(s.explainedVariance[j]!);
    }
    return matrixToTensor(matrix(A.rows, s.k, out));
  }

  /** Back to the original space: X · components_ + mean_ (undoing the whitening first). */
  inverseTransform(X: MatrixLike): Tensor {
    const s = this.fitted(this.state, 'inverseTransform');
    const A = toMatrix('PCA.inverseTransform', 'X', X);
    if (A.cols !== s.k)
      fail('PCA.inverseTransform', `X has ${A.cols} columns, but PCA has ${s.k} components`);
    const comps = s.components.slice();
    if (this.params.whiten) {
      for (let j = 0; j < s.k; j++) {
        const f = Math.sqrt(s.explainedVariance[j]!);
        for (let c = 0; c < s.d; c++) comps[j * s.d + c]! *= f;
      }
    }
    const out = matmul(A.data, comps, A.rows, s.k, s.d);
    for (let i = 0; i < A.rows; i++) for (let c = 0; c < s.d; c++) out[i * s.d + c]! += s.mean[c]!;
    return matrixToTensor(matrix(A.rows, s.d, out));
  }

  /** Principal axes (nComponents x nFeatures), signs as scikit-learn's svd_flip. */
  get components_(): Tensor {
    const s = this.fitted(this.state, 'components_');
    return matrixToTensor(matrix(s.k, s.d, s.components.slice()));
  }
  get explainedVariance_(): Tensor {
    return vectorToTensor(this.fitted(this.state, 'explainedVariance_').explainedVariance.slice());
  }
  get explainedVarianceRatio_(): Tensor {
    return vectorToTensor(this.fitted(this.state, 'explainedVarianceRatio_').explainedVarianceRatio.slice());
  }
  get singularValues_(): Tensor {
    return vectorToTensor(this.fitted(this.state, 'singularValues_').singularValues.slice());
  }
  get mean_(): Tensor {
    return vectorToTensor(this.fitted(this.state, 'mean_').mean.slice());
  }
  get noiseVariance_(): number {
    return this.fitted(this.state, 'noiseVariance_').noiseVariance;
  }
  get nComponents_(): number {
    return this.fitted(this.state, 'nComponents_').k;
  }
  get nFeaturesIn_(): number {
    return this.fitted(this.state, 'nFeaturesIn_').d;
  }
  get nSamples_(): number {
    return this.fitted(this.state, 'nSamples_').nSamples;
  }
}
