import type { Tensor } from '@lumen/tensor';
import { ShapeError, warn } from '@lumen/tensor';
import { describe, fail } from '../base/errors.js';
import {
  BaseEstimator,
  checkBool,
  checkInt,
  checkNumber,
  type RandomState,
  resolveRandomState,
} from '../base/estimator.js';
import { type MatrixLike, toMatrix, vectorToTensor } from '../base/input.js';
import { csr64 } from '../cluster/kmeansSparse.js';
import { CsrMatrix } from '../sparse/csr.js';
import {
  addPathLengths,
  addPathLengthsCsr,
  averagePathLength,
  csrColumns,
  denseColumns,
  type GatherColumn,
  growTree,
  type IsolationTree,
} from './isolationTree.js';

export interface IsolationForestOptions {
  nEstimators: number;
  /** 'auto' = min(256, nSamples), an integer count, or a fraction of nSamples in (0, 1]. */
  maxSamples: 'auto' | number;
  /** 'auto' puts the threshold at score -0.5 (the original paper); a number in (0, 0.5] makes that fraction of the training data outliers. */
  contamination: 'auto' | number;
  /** Features per tree: an integer count or a fraction in (0, 1]. */
  maxFeatures: number;
  /** Draw each tree's samples with replacement. */
  bootstrap: boolean;
  randomState: RandomState;
}

interface ForestState {
  trees: { tree: IsolationTree; features: Int32Array }[];
  maxSamples: number;
  offset: number;
  d: number;
}

/** X as the trees read it: dense rows, or a canonical float64 CsrMatrix read in place (never densified). */
interface Samples {
  n: number;
  d: number;
  gather: () => GatherColumn;
  addPaths: (tree: IsolationTree, out: Float64Array) => void;
}

function samples(op: string, X: MatrixLike | CsrMatrix): Samples {
  if (X instanceof CsrMatrix) {
    const C = csr64(X); // sorted, unique indices (repeats summed), as scikit-learn's check_array leaves them
    const [n, d] = C.shape;
    if (n === 0 || d === 0)
      fail(op, `X must have at least one sample and one feature, got shape [${n}, ${d}]`);
    return { n, d, gather: () => csrColumns(C), addPaths: (tree, out) => addPathLengthsCsr(tree, C, out) };
  }
  const { rows: n, cols: d, data } = toMatrix(op, 'X', X);
  return {
    n,
    d,
    gather: () => denseColumns(data, d),
    addPaths: (tree, out) => addPathLengths(tree, data, n, d, out),
  };
}

/** numpy.percentile with linear interpolation. */
function percentile(values: Float64Array, q: number): number {
  const v = Float64Array.from(values).sort();
  const pos = (q / 100) * (v.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, v.length - 1);
  return v[lo]! + (v[hi]! - v[lo]!) * (pos - lo);
}

/**
 * Isolation forest (Liu, Ting & Zhou) as scikit-learn implements it: anomalies are isolated by
 * fewer random splits. scoreSamples is -2^(-E[h(x)] / c(maxSamples)) (lower = more abnormal).
 * X may be a CsrMatrix (read in place, with the same trees and scores as its dense copy).
 */
export class IsolationForest extends BaseEstimator<IsolationForestOptions> {
  private state: ForestState | null = null;

  constructor(opts?: Partial<IsolationForestOptions>) {
    super(
      {
        nEstimators: 100,
        maxSamples: 'auto',
        contamination: 'auto',
        maxFeatures: 1,
        bootstrap: false,
        randomState: null,
      },
      opts,
    );
  }

  fit(X: MatrixLike | CsrMatrix, _y?: unknown): this {
    const op = 'IsolationForest.fit';
    const p = this.params;
    const nEstimators = checkInt(op, 'nEstimators', p.nEstimators, 1);
    const bootstrap = checkBool(op, 'bootstrap', p.bootstrap);
    const A = samples(op, X);
    const { n, d } = A;
    let maxSamples: number;
    if (p.maxSamples === 'auto') maxSamples = Math.min(256, n);
    else if (typeof p.maxSamples === 'number' && Number.isInteger(p.maxSamples) && p.maxSamples >= 1) {
      maxSamples = p.maxSamples;
      if (maxSamples > n) {
        warn(
          'UserWarning',
          `${op}: maxSamples (${maxSamples}) is greater than the total number of samples (${n}); maxSamples will be set to nSamples for estimation`,
        );
        maxSamples = n;
      }
    } else if (typeof p.maxSamples === 'number' && p.maxSamples > 0 && p.maxSamples <= 1)
      maxSamples = Math.floor(p.maxSamples * n);
    else
      fail(
        op,
        `maxSamples must be 'auto', an integer >= 1 or a fraction in (0, 1], got ${describe(p.maxSamples)}`,
      );
    maxSamples = Math.max(1, maxSamples);
    let nFeatures: number;
    const mf = p.maxFeatures;
    if (typeof mf === 'number' && Number.isInteger(mf) && mf > 1)
      nFeatures = checkInt(op, 'maxFeatures', mf, 1, d);
    else
      nFeatures = Math.max(
        1,
        Math.floor(checkNumber(op, 'maxFeatures', mf, { min: 0, minExclusive: true, max: 1 }) * d),
      );
    const contamination = p.contamination;
    if (contamination !== 'auto')
      checkNumber(op, 'contamination', contamination, { min: 0, minExclusive: true, max: 0.5 });
    const g = resolveRandomState(op, p.randomState);
    const maxDepth = Math.ceil(Math.log2(Math.max(maxSamples, 2)));
    const trees: ForestState['trees'] = [];
    const gather = A.gather();
    for (let t = 0; t < nEstimators; t++) {
      const features =
        nFeatures === d ? Int32Array.from({ length: d }, (_, j) => j) : g.permutation(d).slice(0, nFeatures);
      const rows = bootstrap
        ? Int32Array.from({ length: maxSamples }, () => g.randint(0, n))
        : g.permutation(n).slice(0, maxSamples);
      trees.push({ tree: growTree(gather, rows, features, maxDepth, g), features });
    }
    this.state = { trees, maxSamples, offset: -0.5, d };
    if (contamination !== 'auto') this.state.offset = percentile(this.rawScores(A), 100 * contamination);
    return this;
  }

  private rawScores(A: Samples): Float64Array {
    const s = this.state!;
    const n = A.n;
    const depths = new Float64Array(n);
    for (const { tree } of s.trees) A.addPaths(tree, depths);
    const denom = s.trees.length * averagePathLength(s.maxSamples);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = -(2 ** (-depths[i]! / (denom === 0 ? 1 : denom)));
    return out;
  }

  private input(op: string, X: MatrixLike | CsrMatrix): Samples {
    const s = this.fitted(this.state, op);
    const A = samples(`IsolationForest.${op}`, X);
    if (A.d !== s.d)
      fail(
        `IsolationForest.${op}`,
        `X has ${A.d} features, but IsolationForest was fitted with ${s.d} features`,
        ShapeError,
      );
    return A;
  }

  /** The opposite of the anomaly score of the paper: lower is more abnormal, in [-1, 0]. */
  scoreSamples(X: MatrixLike | CsrMatrix): Tensor {
    const A = this.input('scoreSamples', X);
    return vectorToTensor(this.rawScores(A));
  }

  /** scoreSamples - offset_: negative for outliers. */
  decisionFunction(X: MatrixLike | CsrMatrix): Tensor {
    const A = this.input('decisionFunction', X);
    const s = this.rawScores(A);
    for (let i = 0; i < s.length; i++) s[i]! -= this.state!.offset;
    return vectorToTensor(s);
  }

  /** 1 for inliers, -1 for outliers (int32). */
  predict(X: MatrixLike | CsrMatrix): Tensor {
    const A = this.input('predict', X);
    const s = this.rawScores(A);
    const out = new Int32Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s[i]! - this.state!.offset < 0 ? -1 : 1;
    return vectorToTensor(out, 'int32');
  }

  fitPredict(X: MatrixLike | CsrMatrix, _y?: unknown): Tensor {
    return this.fit(X).predict(X);
  }

  /** The threshold on scoreSamples: -0.5 for contamination 'auto', else that percentile of the training scores. */
  get offset_(): number {
    return this.fitted(this.state, 'offset_').offset;
  }
  get maxSamples_(): number {
    return this.fitted(this.state, 'maxSamples_').maxSamples;
  }
  get nFeaturesIn_(): number {
    return this.fitted(this.state, 'nFeaturesIn_').d;
  }
  /** Number of fitted trees. */
  get estimatorsCount_(): number {
    return this.fitted(this.state, 'estimatorsCount_').trees.length;
  }
}
