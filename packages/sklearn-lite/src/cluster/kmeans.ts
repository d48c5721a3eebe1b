import { type Generator, ShapeError, Tensor, tensor, warn } from '@lumen/tensor';
import { fail } from '../base/errors.js';
import {
  BaseEstimator,
  checkInt,
  checkNumber,
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
import { centerColumnsInPlace, columnMeans, rowSquaredNorms, subtractRow } from '../linalg/rows.js';
import { squaredEuclidean } from '../metrics/pairwise.js';
import { CsrMatrix, rowSquaredNormsCsr } from '../sparse/csr.js';
import { assign, kmeansPlusPlusDevice, lloydDevice } from './kmeansDevice.js';
import {
  assignLabels,
  denseElkanSamples,
  denseRows,
  elkan,
  inertiaOf,
  type KMeansRun,
  kmeansPlusPlus,
  lloyd,
  type SampleRows,
  sameClustering,
} from './kmeansHost.js';
import {
  assignLabelsSparse,
  type Csr64,
  csr64,
  distancesSparse,
  inertiaSparse,
  lloydSparse,
  sparseElkanSamples,
  sparseMeanVariance,
  sparseRows,
} from './kmeansSparse.js';

export interface KMeansOptions {
  nClusters: number;
  /** 'k-means++' (greedy, 2 + ln k trials), 'random' (k distinct samples), or the initial centers. */
  init: 'k-means++' | 'random' | readonly (readonly number[])[] | Tensor;
  /** Runs with different seeds; the lowest inertia wins. 'auto' = 1 for k-means++, 10 for random. Default 10 (scikit-learn 1.2). */
  nInit: number | 'auto';
  maxIter: number;
  /** Relative tolerance: runs stop when the squared center shift <= tol · mean feature variance. */
  tol: number;
  algorithm: 'lloyd' | 'elkan';
  randomState: RandomState;
}

interface KMeansState {
  centers: Float64Array; // k x d, host copy
  labels: Int32Array;
  inertia: number;
  nIter: number;
  k: number;
  d: number;
  /** When fitted on a device other than cpu: the device tensors. */
  deviceCenters?: Tensor;
  deviceLabels?: Tensor;
}

/**
 * K-means clustering as scikit-learn's KMeans (k-means++, nInit, Lloyd or Elkan), on dense data or
 * a CsrMatrix (sparse rows are not centred; distances come from x·c over their non-zeros).
 */
export class KMeans extends BaseEstimator<KMeansOptions> {
  private state: KMeansState | null = null;

  constructor(opts?: Partial<KMeansOptions>) {
    super(
      {
        nClusters: 8,
        init: 'k-means++',
        nInit: 10,
        maxIter: 300,
        tol: 1e-4,
        algorithm: 'lloyd',
        randomState: null,
      },
      opts,
    );
  }

  private settings(op: string, n: number, d: number) {
    const p = this.params;
    const k = checkInt(op, 'nClusters', p.nClusters, 1);
    if (n < k) fail(op, `nSamples=${n} should be >= nClusters=${k}`);
    const maxIter = checkInt(op, 'maxIter', p.maxIter, 1);
    const tolRel = checkNumber(op, 'tol', p.tol, { min: 0 });
    const algorithm = checkOneOf(op, 'algorithm', p.algorithm, ['lloyd', 'elkan'] as const);
    let init: 'k-means++' | 'random' | Float64Array;
    if (typeof p.init === 'string') init = checkOneOf(op, 'init', p.init, ['k-means++', 'random'] as const);
    else {
      const m = toMatrix(op, 'init', p.init);
      if (m.rows !== k || m.cols !== d)
        fail(op, `init must have shape [${k}, ${d}] (nClusters x nFeatures), got [${m.rows}, ${m.cols}]`);
      init = m.data;
    }
    let nInit: number;
    if (p.nInit === 'auto') nInit = init === 'k-means++' || typeof init !== 'string' ? 1 : 10;
    else nInit = checkInt(op, 'nInit', p.nInit, 1);
    // Explicit centers make every run identical: scikit-learn also runs them once.
    if (typeof init !== 'string') nInit = 1;
    return { k, maxIter, tolRel, algorithm, init, nInit, generator: resolveRandomState(op, p.randomState) };
  }

  fit(X: MatrixLike | CsrMatrix, _y?: unknown): this {
    const op = 'KMeans.fit';
    if (X instanceof CsrMatrix) {
      this.fitSparse(op, X);
      return this;
    }
    const A = toMatrix(op, 'X', X, { kernel: true });
    try {
      this.fitMatrix(op, A);
    } finally {
      releaseMatrix(A);
    }
    return this;
  }

  private fitMatrix(op: string, A: Matrix): void {
    const { rows: n, cols: d } = A;
    const s = this.settings(op, n, d);
    const data = A.data;
    const mean = centerColumnsInPlace(data, n, d); // scikit-learn centres the data for numerical accuracy
    const tol = meanVariance(data, n, d) * s.tolRel;
    const xNorms = rowSquaredNorms(data, n, d);
    const elkanRows = s.algorithm === 'elkan' && s.k > 1 ? denseElkanSamples(data, n, d) : null;
    let best: KMeansRun | null = null;
    for (let r = 0; r < s.nInit; r++) {
      const init = initialCenters(s.init, denseRows(data, n, d), s.k, xNorms, s.generator, mean);
      const res =
        elkanRows !== null
          ? elkan(elkanRows, init, s.k, s.maxIter, tol)
          : lloyd(data, n, d, init, s.k, s.maxIter, tol);
      if (best === null || (res.inertia < best.inertia && !sameClustering(res.labels, best.labels, s.k)))
        best = res;
    }
    const b = best!;
    warnIfFewClusters(b.labels, s.k);
    const centers = b.centers;
    for (let c = 0; c < s.k; c++) for (let j = 0; j < d; j++) centers[c * d + j]! += mean[j]!;
    this.state = { centers, labels: b.labels, inertia: b.inertia, nIter: b.nIter, k: s.k, d };
  }

  /** scikit-learn's sparse path: the rows stay as they are (no centring). */
  private fitSparse(op: string, X: CsrMatrix): void {
    const [n, d] = X.shape;
    if (n === 0 || d === 0)
      fail(op, `X must have at least one sample and one feature, got shape [${n}, ${d}]`);
    const s = this.settings(op, n, d);
    const A = csr64(X);
    const tol = sparseMeanVariance(A) * s.tolRel;
    const xNorms = rowSquaredNormsCsr(A);
    const rows = sparseRows(A);
    const elkanRows = s.algorithm === 'elkan' && s.k > 1 ? sparseElkanSamples(A) : null;
    let best: KMeansRun | null = null;
    for (let r = 0; r < s.nInit; r++) {
      const init = initialCenters(s.init, rows, s.k, xNorms, s.generator, null);
      const res =
        elkanRows !== null
          ? elkan(elkanRows, init, s.k, s.maxIter, tol)
          : lloydSparse(A, init, s.k, s.maxIter, tol);
      if (best === null || (res.inertia < best.inertia && !sameClustering(res.labels, best.labels, s.k)))
        best = res;
    }
    const b = best!;
    warnIfFewClusters(b.labels, s.k);
    this.state = { centers: b.centers, labels: b.labels, inertia: b.inertia, nIter: b.nIter, k: s.k, d };
  }

  /**
   * fit for data on any device. A webgpu tensor is clustered where it lives: the distance and
   * center-update steps run as tensor ops on the GPU (Lloyd's algorithm, float32), and labels_ and
   * clusterCenters_ stay on that device. Anything else is fitted as `fit` does.
   */
  async fitAsync(X: MatrixLike | CsrMatrix, _y?: unknown): Promise<this> {
    if (!(X instanceof Tensor) || X.device === 'cpu') return this.fit(X);
    const op = 'KMeans.fitAsync';
    if (X.ndim !== 2)
      fail(op, `X must be 2-d (samples x features), got shape [${X.shape.join(', ')}]`, ShapeError);
    if (X.dtype !== 'float32' && X.dtype !== 'float64') fail(op, `X must be a float tensor, got ${X.dtype}`);
    await this.fitOnDevice(X, op);
    return this;
  }

  /** @internal The tensor-op path (also used by the tests on cpu tensors). */
  async fitOnDevice(X: Tensor, op = 'KMeans.fitAsync'): Promise<this> {
    const [n, d] = X.shape as [number, number];
    const s = this.settings(op, n, d);
    const mean = X.mean(0, { keepdim: true });
    const Xc = X.sub(mean);
    const finite = await Xc.isnan().logicalOr(Xc.isinf()).any().item();
    if (finite) fail(op, 'X must contain only finite numbers, got NaN or Infinity');
    const tol = Number(await Xc.var(0, { correction: 0 }).mean().item()) * s.tolRel;
    const xNorms = Xc.square().sum(1);
    let best: { labels: Tensor; centers: Tensor; inertia: number; nIter: number } | null = null;
    let bestLabels: Int32Array | null = null;
    for (let r = 0; r < s.nInit; r++) {
      let init: Tensor;
      if (s.init === 'k-means++') init = await kmeansPlusPlusDevice(Xc, xNorms, s.k, s.generator);
      else if (s.init === 'random')
        init = Xc.indexSelect(
          0,
          tensor(s.generator.permutation(n).slice(0, s.k), { dtype: 'int32', device: X.device }),
        );
      else init = tensor(s.init, { shape: [s.k, d], dtype: X.dtype, device: X.device }).sub(mean);
      const res = await lloydDevice(Xc, init, s.maxIter, tol);
      const labels = Int32Array.from(await res.labels.data());
      if (best === null || (res.inertia < best.inertia && !sameClustering(labels, bestLabels!, s.k))) {
        best = res;
        bestLabels = labels;
      }
    }
    const b = best!;
    warnIfFewClusters(bestLabels!, s.k);
    const centers = b.centers.add(mean);
    const hostCenters = Float64Array.from(await centers.data());
    this.state = {
      centers: hostCenters,
      labels: bestLabels!,
      inertia: b.inertia,
      nIter: b.nIter,
      k: s.k,
      d,
      deviceCenters: centers,
      deviceLabels: b.labels,
    };
    return this;
  }

  private input(op: string, X: MatrixLike | CsrMatrix): Matrix | Csr64 {
    const s = this.fitted(this.state, op.split('.')[1]!);
    const A = X instanceof CsrMatrix ? csr64(X) : toMatrix(op, 'X', X);
    const cols = A instanceof CsrMatrix ? A.shape[1] : A.cols;
    if (cols !== s.d)
      fail(op, `X has ${cols} features, but KMeans was fitted with ${s.d} features`, ShapeError);
    return A;
  }

  private labelsOf(A: Matrix | Csr64): Int32Array {
    const s = this.state!;
    if (A instanceof CsrMatrix) {
      const labels = new Int32Array(A.shape[0]);
      assignLabelsSparse(A, s.centers, s.k, labels);
      return labels;
    }
    const labels = new Int32Array(A.rows);
    assignLabels(A.data, A.rows, A.cols, s.centers, s.k, labels);
    return labels;
  }

  /** Index of the closest center for each sample (int32). */
  predict(X: MatrixLike | CsrMatrix): Tensor {
    return vectorToTensor(this.labelsOf(this.input('KMeans.predict', X)), 'int32');
  }

  /** predict for data on any device; on webgpu the assignment runs there. */
  async predictAsync(X: MatrixLike | CsrMatrix): Promise<Tensor> {
    if (!(X instanceof Tensor) || X.device === 'cpu') return this.predict(X);
    const s = this.fitted(this.state, 'predictAsync');
    const centers =
      s.deviceCenters ?? tensor(s.centers, { shape: [s.k, s.d], dtype: 'float32', device: X.device });
    return assign(X, centers.cast(X.dtype));
  }

  fitPredict(X: MatrixLike | CsrMatrix, _y?: unknown): Tensor {
    return vectorToTensor(this.fit(X).state!.labels, 'int32');
  }

  /** Euclidean distance from each sample to each center (nSamples x nClusters). */
  transform(X: MatrixLike | CsrMatrix): Tensor {
    const A = this.input('KMeans.transform', X);
    const s = this.state!;
    if (A instanceof CsrMatrix)
      return matrixToTensor(matrix(A.shape[0], s.k, distancesSparse(A, s.centers, s.k)));
    const d2 = squaredEuclidean(A.data, A.rows, s.centers, s.k, s.d);
    for (let i = 0; i < d2.length; i++) d2[i] = Math.sqrt(d2[i]!);
    return matrixToTensor(matrix(A.rows, s.k, d2));
  }

  fitTransform(X: MatrixLike | CsrMatrix, _y?: unknown): Tensor {
    return this.fit(X).transform(X);
  }

  /** Opposite of the inertia of X on the fitted centers. */
  score(X: MatrixLike | CsrMatrix, _y?: unknown): number {
    const A = this.input('KMeans.score', X);
    const s = this.state!;
    const labels = this.labelsOf(A);
    if (A instanceof CsrMatrix) return -inertiaSparse(A, s.centers, s.k, labels);
    return -inertiaOf(A.data, A.rows, A.cols, s.centers, labels);
  }

  /** Centers (nClusters x nFeatures); on the data's device after fitAsync on webgpu. */
  get clusterCenters_(): Tensor {
    const s = this.fitted(this.state, 'clusterCenters_');
    return s.deviceCenters ?? matrixToTensor(matrix(s.k, s.d, s.centers.slice()));
  }
  /** Cluster index of each training sample (int32). */
  get labels_(): Tensor {
    const s = this.fitted(this.state, 'labels_');
    return s.deviceLabels ?? vectorToTensor(s.labels, 'int32');
  }
  /** Sum of squared distances of samples to their closest center. */
  get inertia_(): number {
    return this.fitted(this.state, 'inertia_').inertia;
  }
  /** Iterations of the best run. */
  get nIter_(): number {
    return this.fitted(this.state, 'nIter_').nIter;
  }
  get nFeaturesIn_(): number {
    return this.fitted(this.state, 'nFeaturesIn_').d;
  }
}

function meanVariance(data: Float64Array, n: number, d: number): number {
  const mean = columnMeans(data, n, d);
  // Row by row (the data's order in memory), one running sum per column: each column's sum still
  // adds its rows in order.
  const sums = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) sums[j]! += (data[o + j]! - mean[j]!) ** 2;
  }
  let total = 0;
  for (let j = 0; j < d; j++) total += sums[j]! / n;
  return total / d;
}

/** Initial centers in the coordinates the run works in (`mean` subtracted when the data was centred). */
function initialCenters(
  init: 'k-means++' | 'random' | Float64Array,
  X: SampleRows,
  k: number,
  xNorms: Float64Array,
  g: Generator,
  mean: Float64Array | null,
): Float64Array {
  if (init === 'k-means++') return kmeansPlusPlus(X, k, xNorms, g);
  if (init === 'random') {
    const seeds = g.permutation(X.n).slice(0, k);
    const c = new Float64Array(k * X.d);
    seeds.forEach((s, i) => {
      X.copyRow(s, c, i * X.d);
    });
    return c;
  }
  const c = init.slice();
  if (mean !== null) subtractRow(c, k, X.d, mean);
  return c;
}

function warnIfFewClusters(labels: Int32Array, k: number): void {
  const distinct = new Set(labels).size;
  if (distinct < k) {
    warn(
      'ConvergenceWarning',
      `KMeans: number of distinct clusters (${distinct}) found smaller than nClusters (${k}); possibly due to duplicate points in X`,
    );
  }
}
