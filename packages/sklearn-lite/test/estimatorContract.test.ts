/**
 * The one estimator test suite (STYLE.md): every estimator is run through the same checks of
 * scikit-learn's contract — fit returns this, NotFittedError before fit, getParams/setParams/clone,
 * unknown options rejected, determinism under randomState, refit equals fresh fit, and input
 * validation messages — on every accepted input kind (Tensor, DataFrame-like, number[][]).
 */
import * as sk from '@lumen/sklearn-lite';
import { NotFittedError } from '@lumen/sklearn-lite';
import { type Tensor, tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';

interface Estimator {
  fit(X: unknown, y?: unknown): unknown;
  getParams(): object;
  setParams(p: Record<string, unknown>): unknown;
  clone(): Estimator;
}

interface Case {
  name: string;
  make: (opts?: Record<string, unknown>) => Estimator;
  /** Fitted attributes (ending in `_`) and fitted-only methods to probe. */
  attrs: string[];
  methods: string[];
  supervised?: 'regression' | 'classification';
  /** Options that change the result, for setParams. */
  tweak: Record<string, unknown>;
  random?: boolean;
}

const blobs = sk.makeBlobs({ nSamples: 60, nFeatures: 3, centers: 3, randomState: 1 });
const X = blobs.X;
const yClass = blobs.y;
const yReg = tensor(
  Array.from(X.dataSync())
    .filter((_, i) => i % 3 === 0)
    .map((v, i) => v * 2 + i * 0.01),
  { dtype: 'float64' },
);
const X2 = sk.makeBlobs({ nSamples: 60, nFeatures: 3, centers: 2, randomState: 2 }).X;

const CASES: Case[] = [
  {
    name: 'StandardScaler',
    make: (o) => new sk.StandardScaler(o),
    attrs: ['mean_', 'var_', 'scale_'],
    methods: ['transform', 'inverseTransform'],
    tweak: { withMean: false },
  },
  {
    name: 'MaxAbsScaler',
    make: (o) => new sk.MaxAbsScaler(o as Partial<sk.MaxAbsScalerOptions>),
    attrs: ['maxAbs_', 'scale_'],
    methods: ['transform'],
    tweak: {},
  },
  {
    name: 'MinMaxScaler',
    make: (o) => new sk.MinMaxScaler(o),
    attrs: ['dataMin_', 'dataMax_', 'scale_', 'min_'],
    methods: ['transform', 'inverseTransform'],
    tweak: { featureRange: [-1, 1] },
  },
  {
    name: 'OneHotEncoder',
    make: (o) => new sk.OneHotEncoder(o),
    attrs: ['categories_'],
    methods: ['transform'],
    tweak: { drop: 'first' },
  },
  {
    name: 'PCA',
    make: (o) => new sk.PCA(o),
    attrs: ['components_', 'explainedVariance_', 'explainedVarianceRatio_', 'singularValues_', 'mean_'],
    methods: ['transform', 'inverseTransform'],
    tweak: { nComponents: 1 },
  },
  {
    name: 'PCA (randomized)',
    make: (o) => new sk.PCA({ nComponents: 2, svdSolver: 'randomized', ...o }),
    attrs: ['components_'],
    methods: ['transform'],
    tweak: { nComponents: 1 },
    random: true,
  },
  {
    name: 'KMeans',
    make: (o) => new sk.KMeans({ nClusters: 3, nInit: 2, ...o }),
    attrs: ['clusterCenters_', 'labels_', 'inertia_', 'nIter_'],
    methods: ['predict', 'transform'],
    tweak: { nClusters: 2 },
    random: true,
  },
  {
    name: 'KMeans (elkan)',
    make: (o) => new sk.KMeans({ nClusters: 3, nInit: 2, algorithm: 'elkan', ...o }),
    attrs: ['clusterCenters_', 'labels_'],
    methods: ['predict'],
    tweak: { init: 'random' },
    random: true,
  },
  {
    name: 'LinearRegression',
    make: (o) => new sk.LinearRegression(o),
    attrs: ['coef_', 'intercept_', 'rank_', 'singular_'],
    methods: ['predict'],
    supervised: 'regression',
    tweak: { fitIntercept: false },
  },
  {
    name: 'Ridge',
    make: (o) => new sk.Ridge(o),
    attrs: ['coef_', 'intercept_'],
    methods: ['predict'],
    supervised: 'regression',
    tweak: { alpha: 3 },
  },
  {
    name: 'LogisticRegression',
    make: (o) => new sk.LogisticRegression({ maxIter: 500, ...o }),
    attrs: ['coef_', 'intercept_', 'classes_', 'nIter_'],
    methods: ['predict', 'predictProba', 'decisionFunction'],
    supervised: 'classification',
    tweak: { C: 0.5 },
  },
  {
    name: 'LogisticRegression (liblinear)',
    make: (o) => new sk.LogisticRegression({ solver: 'liblinear', maxIter: 500, ...o }),
    attrs: ['coef_', 'intercept_', 'classes_', 'nIter_'],
    methods: ['predict', 'predictProba', 'decisionFunction'],
    supervised: 'classification',
    tweak: { C: 0.5 },
  },
  {
    name: 'TruncatedSVD',
    make: (o) => new sk.TruncatedSVD({ nComponents: 2, ...o }),
    attrs: ['components_', 'singularValues_', 'explainedVariance_', 'explainedVarianceRatio_'],
    methods: ['transform'],
    tweak: { nComponents: 1 },
    random: true,
  },
  {
    name: 'IsolationForest',
    make: (o) => new sk.IsolationForest({ nEstimators: 20, ...o }),
    attrs: ['offset_', 'maxSamples_'],
    methods: ['predict', 'scoreSamples', 'decisionFunction'],
    tweak: { contamination: 0.1 },
    random: true,
  },
  {
    name: 'TSNE',
    make: (o) => new sk.TSNE({ maxIter: 250, perplexity: 10, ...o }),
    attrs: ['embedding_', 'klDivergence_', 'nIter_'],
    methods: [],
    tweak: { perplexity: 5 },
    random: true,
  },
];

function outputs(est: Estimator, c: Case, Xin: unknown): unknown[] {
  const e = est as unknown as Record<string, (x: unknown) => Tensor>;
  const res: unknown[] = [];
  for (const a of c.attrs) {
    const v = (est as unknown as Record<string, unknown>)[a];
    res.push(v && typeof v === 'object' && 'arraySync' in v ? (v as Tensor).arraySync() : v);
  }
  if (c.methods.includes('transform')) res.push(e.transform!(Xin).arraySync());
  if (c.methods.includes('predict')) res.push(e.predict!(Xin).arraySync());
  if (c.methods.includes('predictProba')) res.push(e.predictProba!(Xin).arraySync());
  if (c.methods.includes('scoreSamples')) res.push(e.scoreSamples!(Xin).arraySync());
  return res;
}

function fitArgs(c: Case, Xin: unknown = X): [unknown, unknown?] {
  if (c.supervised === 'regression') return [Xin, yReg];
  if (c.supervised === 'classification') return [Xin, yClass];
  return [Xin];
}

describe.each(CASES)('estimator contract: $name', (c) => {
  it('throws NotFittedError naming the attribute before fit', () => {
    const est = c.make();
    for (const a of c.attrs) {
      expect(() => (est as unknown as Record<string, unknown>)[a]).toThrow(NotFittedError);
      expect(() => (est as unknown as Record<string, unknown>)[a]).toThrow(new RegExp(`${a}.*call fit`));
    }
    for (const m of c.methods)
      expect(() => (est as unknown as Record<string, (x: unknown) => unknown>)[m]!(X)).toThrow(
        NotFittedError,
      );
  });

  it('fit returns this; refitting equals a fresh fit on the last data', () => {
    const est = c.make({ ...(c.random ? { randomState: 0 } : {}) });
    expect(est.fit(...fitArgs(c, X2))).toBe(est);
    est.fit(...fitArgs(c));
    const fresh = c.make({ ...(c.random ? { randomState: 0 } : {}) }).fit(...fitArgs(c)) as Estimator;
    expect(outputs(est, c, X)).toEqual(outputs(fresh, c, X));
  });

  it('getParams, setParams and clone', () => {
    const est = c.make();
    const params = est.getParams();
    expect(Object.keys(params).length).toBeGreaterThanOrEqual(0);
    expect(est.setParams(c.tweak)).toBe(est);
    expect(est.getParams()).toEqual({ ...params, ...c.tweak });
    est.fit(...fitArgs(c));
    const copy = est.clone();
    expect(copy).not.toBe(est);
    expect(copy.getParams()).toEqual(est.getParams());
    expect(() => (copy as unknown as Record<string, unknown>)[c.attrs[0]!]).toThrow(NotFittedError);
    expect(() => c.make({ notAnOption: 1 })).toThrow(/unknown option "notAnOption"/);
    expect(() => est.setParams({ notAnOption: 1 })).toThrow(/unknown option "notAnOption"/);
  });

  it('gives the same result for Tensor, number[][] and DataFrame-like input', () => {
    const rows = X.arraySync() as number[][];
    const frameLike = { columns: ['a', 'b', 'c'], toTensor: () => X };
    const seed = c.random ? { randomState: 3 } : {};
    const a = outputs(c.make(seed).fit(...fitArgs(c, X)) as Estimator, c, X);
    const b = outputs(c.make(seed).fit(...fitArgs(c, rows)) as Estimator, c, rows);
    const d = outputs(c.make(seed).fit(...fitArgs(c, frameLike)) as Estimator, c, frameLike);
    expect(b).toEqual(a);
    expect(d).toEqual(a);
  });

  if (c.random) {
    it('is deterministic under randomState', () => {
      const a = outputs(c.make({ randomState: 11 }).fit(...fitArgs(c)) as Estimator, c, X);
      const b = outputs(c.make({ randomState: 11 }).fit(...fitArgs(c)) as Estimator, c, X);
      expect(b).toEqual(a);
      expect(() => c.make({ randomState: -1 }).fit(...fitArgs(c))).toThrow(
        /randomState must be a non-negative integer seed, a Generator or null/,
      );
    });
  }

  it('leaves its input unchanged (Tensor and rows)', () => {
    const before = X.arraySync();
    const rows = X.arraySync() as number[][];
    const est = c.make(c.random ? { randomState: 0 } : {});
    est.fit(...fitArgs(c, X));
    outputs(est, c, X);
    est.fit(...fitArgs(c, rows));
    expect(X.arraySync()).toEqual(before);
    expect(rows).toEqual(before);
  });

  it('rejects bad X with a message naming the argument', () => {
    const est = c.make();
    const bad = X.arraySync() as number[][];
    bad[2] = [1, Number.NaN, 3];
    expect(() => est.fit(...fitArgs(c, bad))).toThrow(
      /X must contain only finite numbers, got NaN at row 2, column 1/,
    );
    expect(() => est.fit(...fitArgs(c, tensor([1, 2, 3], { dtype: 'float64' })))).toThrow(
      /X must be 2-d .* got shape \[3\]/,
    );
    expect(() => est.fit(...fitArgs(c, 'abc'))).toThrow(
      /X must be a Tensor, a DataFrame or an array of rows, got "abc"/,
    );
  });
});
