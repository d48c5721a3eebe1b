import type { Generator, Tensor } from '@lumen/tensor';
import { checkOptions, tensor } from '@lumen/tensor';
import { describe, fail } from '../base/errors.js';
import {
  checkBool,
  checkInt,
  checkNumber,
  optionKeys,
  type RandomState,
  resolveRandomState,
} from '../base/estimator.js';

/** A generated data set: X (nSamples, nFeatures) float64 and y (nSamples,). */
export interface Samples {
  X: Tensor;
  y: Tensor;
}

function out(X: Float64Array, n: number, d: number, y: Float64Array | Int32Array): Samples {
  return {
    X: tensor(X, { shape: [n, d], dtype: 'float64', device: 'cpu' }),
    y:
      y instanceof Int32Array
        ? tensor(y, { dtype: 'int32', device: 'cpu' })
        : tensor(y, { dtype: 'float64', device: 'cpu' }),
  };
}

/** Shuffles the rows of X (n x d) and y together (scikit-learn's utils.shuffle). */
function shuffleRows(
  g: Generator,
  X: Float64Array,
  n: number,
  d: number,
  y: Float64Array | Int32Array,
): void {
  const perm = g.permutation(n);
  const X2 = X.slice();
  const y2 = y.slice();
  for (let i = 0; i < n; i++) {
    const src = perm[i]!;
    X.set(X2.subarray(src * d, src * d + d), i * d);
    y[i] = y2[src]!;
  }
}

/** Permutes the columns of X (n x d) in place; returns the permutation. */
function shuffleColumns(g: Generator, X: Float64Array, n: number, d: number): Int32Array {
  const perm = g.permutation(d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = X[i * d + perm[j]!]!;
    X.set(row, i * d);
  }
  return perm;
}

export interface MakeBlobsOptions {
  nSamples: number | readonly number[];
  nFeatures: number;
  /** Number of centers, or their coordinates (nCenters x nFeatures). Default 3 random centers. */
  centers: number | readonly (readonly number[])[] | null;
  clusterStd: number | readonly number[];
  centerBox: readonly [number, number];
  shuffle: boolean;
  randomState: RandomState;
}

const MAKE_BLOBS_KEYS = optionKeys<MakeBlobsOptions>({
  nSamples: true,
  nFeatures: true,
  centers: true,
  clusterStd: true,
  centerBox: true,
  shuffle: true,
  randomState: true,
});

/** Isotropic Gaussian blobs for clustering, as scikit-learn's make_blobs. */
export function makeBlobs(opts: Partial<MakeBlobsOptions> = {}): Samples & { centers: Tensor } {
  const op = 'makeBlobs';
  checkOptions(op, opts, MAKE_BLOBS_KEYS);
  const nSamplesOpt = opts.nSamples ?? 100;
  let nFeatures = checkInt(op, 'nFeatures', opts.nFeatures ?? 2, 1);
  const box = opts.centerBox ?? [-10, 10];
  const g = resolveRandomState(op, opts.randomState);
  const shuffle = checkBool(op, 'shuffle', opts.shuffle ?? true);
  let centers: number[][];
  let perCenter: number[];
  if (Array.isArray(opts.centers)) {
    centers = (opts.centers as number[][]).map((c, i) => {
      if (!Array.isArray(c)) fail(op, `centers[${i}] must be an array of coordinates, got ${describe(c)}`);
      return c.map((v, j) => checkNumber(op, `centers[${i}][${j}]`, v));
    });
    nFeatures = centers[0]?.length ?? 0;
    if (centers.some((c) => c.length !== nFeatures))
      fail(op, 'centers must all have the same number of coordinates');
  } else {
    const k =
      opts.centers === undefined || opts.centers === null
        ? Array.isArray(nSamplesOpt)
          ? nSamplesOpt.length
          : 3
        : checkInt(op, 'centers', opts.centers, 1);
    centers = Array.from({ length: k }, () =>
      Array.from({ length: nFeatures }, () => box[0] + (box[1] - box[0]) * g.random()),
    );
  }
  const k = centers.length;
  if (Array.isArray(nSamplesOpt)) {
    if (nSamplesOpt.length !== k)
      fail(op, `nSamples has ${nSamplesOpt.length} entries but there are ${k} centers`);
    perCenter = nSamplesOpt.map((v, i) => checkInt(op, `nSamples[${i}]`, v, 0));
  } else {
    const n = checkInt(op, 'nSamples', nSamplesOpt, 1);
    perCenter = Array.from({ length: k }, (_, i) => Math.floor(n / k) + (i < n % k ? 1 : 0));
  }
  const stds = Array.isArray(opts.clusterStd)
    ? opts.clusterStd
    : Array.from({ length: k }, () => (opts.clusterStd as number | undefined) ?? 1);
  if (stds.length !== k) fail(op, `clusterStd has ${stds.length} entries but there are ${k} centers`);
  stds.forEach((s, i) => {
    checkNumber(op, `clusterStd[${i}]`, s, { min: 0 });
  });
  const n = perCenter.reduce((a, b) => a + b, 0);
  const X = new Float64Array(n * nFeatures);
  const y = new Int32Array(n);
  let row = 0;
  for (let c = 0; c < k; c++) {
    for (let s = 0; s < perCenter[c]!; s++, row++) {
      y[row] = c;
      for (let j = 0; j < nFeatures; j++) X[row * nFeatures + j] = centers[c]![j]! + stds[c]! * g.normal();
    }
  }
  if (shuffle) shuffleRows(g, X, n, nFeatures, y);
  return {
    ...out(X, n, nFeatures, y),
    centers: tensor(centers.flat(), { shape: [k, nFeatures], dtype: 'float64', device: 'cpu' }),
  };
}

export interface MakeClassificationOptions {
  nSamples: number;
  nFeatures: number;
  nInformative: number;
  nRedundant: number;
  nRepeated: number;
  nClasses: number;
  nClustersPerClass: number;
  /** Class proportions (nClasses, or nClasses - 1 with the last inferred); null = balanced. */
  weights: readonly number[] | null;
  flipY: number;
  classSep: number;
  hypercube: boolean;
  /** A number, or null for a random shift per feature in [-classSep, classSep]. */
  shift: number | null;
  /** A number, or null for a random scale per feature in [1, 101]. */
  scale: number | null;
  shuffle: boolean;
  randomState: RandomState;
}

const MAKE_CLASSIFICATION_KEYS = optionKeys<MakeClassificationOptions>({
  nSamples: true,
  nFeatures: true,
  nInformative: true,
  nRedundant: true,
  nRepeated: true,
  nClasses: true,
  nClustersPerClass: true,
  weights: true,
  flipY: true,
  classSep: true,
  hypercube: true,
  shift: true,
  scale: true,
  shuffle: true,
  randomState: true,
});

/** distinct random integers in [0, range) (range <= 2^30). */
function sampleWithoutReplacement(g: Generator, range: number, count: number): number[] {
  const chosen = new Set<number>();
  const outList: number[] = [];
  while (outList.length < count) {
    const v = g.randint(0, range);
    if (!chosen.has(v)) {
      chosen.add(v);
      outList.push(v);
    }
  }
  return outList;
}

/**
 * A random n-class problem as scikit-learn's make_classification: Gaussian clusters on the
 * vertices of a hypercube in the informative subspace, redundant linear combinations, repeated
 * and useless features, label noise `flipY`, and `weights` for imbalanced classes.
 */
export function makeClassification(opts: Partial<MakeClassificationOptions> = {}): Samples {
  const op = 'makeClassification';
  checkOptions(op, opts, MAKE_CLASSIFICATION_KEYS);
  const n = checkInt(op, 'nSamples', opts.nSamples ?? 100, 1);
  const d = checkInt(op, 'nFeatures', opts.nFeatures ?? 20, 1);
  const nInf = checkInt(op, 'nInformative', opts.nInformative ?? 2, 1, 30);
  const nRed = checkInt(op, 'nRedundant', opts.nRedundant ?? 2, 0);
  const nRep = checkInt(op, 'nRepeated', opts.nRepeated ?? 0, 0);
  const nClasses = checkInt(op, 'nClasses', opts.nClasses ?? 2, 1);
  const cpc = checkInt(op, 'nClustersPerClass', opts.nClustersPerClass ?? 2, 1);
  const flipY = checkNumber(op, 'flipY', opts.flipY ?? 0.01, { min: 0, max: 1 });
  const classSep = checkNumber(op, 'classSep', opts.classSep ?? 1);
  const hypercube = checkBool(op, 'hypercube', opts.hypercube ?? true);
  const shuffle = checkBool(op, 'shuffle', opts.shuffle ?? true);
  if (nInf + nRed + nRep > d)
    fail(
      op,
      `nFeatures (${d}) must be at least nInformative + nRedundant + nRepeated (${nInf + nRed + nRep})`,
    );
  if (nClasses * cpc > 2 ** nInf)
    fail(
      op,
      `nClasses (${nClasses}) * nClustersPerClass (${cpc}) must be at most 2**nInformative (${2 ** nInf})`,
    );
  let weights: number[];
  if (opts.weights === undefined || opts.weights === null)
    weights = Array.from({ length: nClasses }, () => 1 / nClasses);
  else {
    weights = opts.weights.map((w, i) => checkNumber(op, `weights[${i}]`, w, { min: 0 }));
    if (weights.length === nClasses - 1) weights.push(1 - weights.reduce((a, b) => a + b, 0));
    if (weights.length !== nClasses)
      fail(
        op,
        `weights must have nClasses (${nClasses}) or nClasses - 1 entries, got ${opts.weights.length}`,
      );
  }
  const g = resolveRandomState(op, opts.randomState);
  const nUseless = d - nInf - nRed - nRep;
  const nClusters = nClasses * cpc;
  const perCluster = Array.from({ length: nClusters }, (_, k) =>
    Math.floor((n * weights[k % nClasses]!) / cpc),
  );
  const rest = n - perCluster.reduce((a, b) => a + b, 0);
  for (let i = 0; i < rest; i++) perCluster[i % nClusters]!++;
  const X = new Float64Array(n * d);
  const y = new Int32Array(n);
  // Centroids: distinct hypercube vertices, scaled to ±classSep.
  const vertices = sampleWithoutReplacement(g, 2 ** nInf, nClusters);
  const centroids = vertices.map((v) =>
    Array.from({ length: nInf }, (_, b) => (((v >> (nInf - 1 - b)) & 1) * 2 - 1) * classSep),
  );
  if (!hypercube) {
    const rowScale = centroids.map(() => g.random());
    const colScale = Array.from({ length: nInf }, () => g.random());
    centroids.forEach((c, i) => {
      for (let j = 0; j < c.length; j++) c[j] = c[j]! * rowScale[i]! * colScale[j]!;
    });
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < nInf; j++) X[i * d + j] = g.normal();
  let stop = 0;
  const tmp = new Float64Array(nInf);
  for (let k = 0; k < nClusters; k++) {
    const start = stop;
    stop += perCluster[k]!;
    // A random covariance for this cluster.
    const A = Float64Array.from({ length: nInf * nInf }, () => 2 * g.random() - 1);
    for (let i = start; i < stop; i++) {
      y[i] = k % nClasses;
      tmp.fill(0);
      for (let p = 0; p < nInf; p++) {
        const x = X[i * d + p]!;
        for (let q = 0; q < nInf; q++) tmp[q]! += x * A[p * nInf + q]!;
      }
      for (let q = 0; q < nInf; q++) X[i * d + q] = tmp[q]! + centroids[k]![q]!;
    }
  }
  if (nRed > 0) {
    const B = Float64Array.from({ length: nInf * nRed }, () => 2 * g.random() - 1);
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < nRed; r++) {
        let s = 0;
        for (let p = 0; p < nInf; p++) s += X[i * d + p]! * B[p * nRed + r]!;
        X[i * d + nInf + r] = s;
      }
    }
  }
  if (nRep > 0) {
    const m = nInf + nRed;
    const idx = Array.from({ length: nRep }, () => Math.floor((m - 1) * g.random() + 0.5));
    for (let i = 0; i < n; i++) for (let r = 0; r < nRep; r++) X[i * d + m + r] = X[i * d + idx[r]!]!;
  }
  for (let i = 0; i < n; i++) for (let j = d - nUseless; j < d; j++) X[i * d + j] = g.normal();
  if (flipY > 0) {
    const flip = Array.from({ length: n }, () => g.random() < flipY);
    for (let i = 0; i < n; i++) if (flip[i]) y[i] = g.randint(0, nClasses);
  }
  const shift = opts.shift === null ? Array.from({ length: d }, () => (2 * g.random() - 1) * classSep) : null;
  const scale = opts.scale === null ? Array.from({ length: d }, () => 1 + 100 * g.random()) : null;
  const shiftC = checkNumber(op, 'shift', opts.shift ?? 0);
  const scaleC = checkNumber(op, 'scale', opts.scale ?? 1);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++)
      X[i * d + j] = (X[i * d + j]! + (shift ? shift[j]! : shiftC)) * (scale ? scale[j]! : scaleC);
  }
  if (shuffle) {
    shuffleRows(g, X, n, d, y);
    shuffleColumns(g, X, n, d);
  }
  return out(X, n, d, y);
}

export interface MakeRegressionOptions {
  nSamples: number;
  nFeatures: number;
  nInformative: number;
  bias: number;
  noise: number;
  shuffle: boolean;
  randomState: RandomState;
}

/** A random linear regression problem y = X·w + bias + noise (w nonzero on nInformative features); `coef` is w. */
export function makeRegression(opts: Partial<MakeRegressionOptions> = {}): Samples & { coef: Tensor } {
  const op = 'makeRegression';
  checkOptions(
    op,
    opts,
    optionKeys<MakeRegressionOptions>({
      nSamples: true,
      nFeatures: true,
      nInformative: true,
      bias: true,
      noise: true,
      shuffle: true,
      randomState: true,
    }),
  );
  const n = checkInt(op, 'nSamples', opts.nSamples ?? 100, 1);
  const d = checkInt(op, 'nFeatures', opts.nFeatures ?? 100, 1);
  const nInf = Math.min(d, checkInt(op, 'nInformative', opts.nInformative ?? 10, 0));
  const bias = checkNumber(op, 'bias', opts.bias ?? 0);
  const noise = checkNumber(op, 'noise', opts.noise ?? 0, { min: 0 });
  const shuffle = checkBool(op, 'shuffle', opts.shuffle ?? true);
  const g = resolveRandomState(op, opts.randomState);
  const X = new Float64Array(n * d);
  for (let i = 0; i < X.length; i++) X[i] = g.normal();
  let coef = new Float64Array(d);
  for (let j = 0; j < nInf; j++) coef[j] = 100 * g.random();
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = bias;
    for (let j = 0; j < nInf; j++) s += X[i * d + j]! * coef[j]!;
    y[i] = s;
  }
  if (noise > 0) for (let i = 0; i < n; i++) y[i]! += noise * g.normal();
  if (shuffle) {
    shuffleRows(g, X, n, d, y);
    const perm = shuffleColumns(g, X, n, d);
    coef = Float64Array.from(perm, (p) => coef[p]!);
  }
  return { ...out(X, n, d, y), coef: tensor(coef, { dtype: 'float64', device: 'cpu' }) };
}

/** Two interleaving half circles (scikit-learn's make_moons); `noise` is the Gaussian std added after shuffling. */
export function makeMoons(
  opts: {
    nSamples?: number | readonly [number, number];
    shuffle?: boolean;
    noise?: number | null;
    randomState?: RandomState;
  } = {},
): Samples {
  const op = 'makeMoons';
  checkOptions(
    op,
    opts,
    optionKeys<typeof opts>({ nSamples: true, shuffle: true, noise: true, randomState: true }),
  );
  let nOut: number;
  let nIn: number;
  if (Array.isArray(opts.nSamples)) {
    nOut = checkInt(op, 'nSamples[0]', opts.nSamples[0], 0);
    nIn = checkInt(op, 'nSamples[1]', opts.nSamples[1], 0);
  } else {
    const n = checkInt(op, 'nSamples', opts.nSamples ?? 100, 1);
    nOut = Math.floor(n / 2);
    nIn = n - nOut;
  }
  const shuffle = checkBool(op, 'shuffle', opts.shuffle ?? true);
  const noise =
    opts.noise === undefined || opts.noise === null ? null : checkNumber(op, 'noise', opts.noise, { min: 0 });
  const g = resolveRandomState(op, opts.randomState);
  const n = nOut + nIn;
  const X = new Float64Array(n * 2);
  const y = new Int32Array(n);
  const lin = (k: number, i: number) => (k === 1 ? 0 : (Math.PI * i) / (k - 1));
  for (let i = 0; i < nOut; i++) {
    X[i * 2] = Math.cos(lin(nOut, i));
    X[i * 2 + 1] = Math.sin(lin(nOut, i));
  }
  for (let i = 0; i < nIn; i++) {
    const r = nOut + i;
    X[r * 2] = 1 - Math.cos(lin(nIn, i));
    X[r * 2 + 1] = 1 - Math.sin(lin(nIn, i)) - 0.5;
    y[r] = 1;
  }
  if (shuffle) shuffleRows(g, X, n, 2, y);
  if (noise !== null) for (let i = 0; i < X.length; i++) X[i]! += noise * g.normal();
  return out(X, n, 2, y);
}
