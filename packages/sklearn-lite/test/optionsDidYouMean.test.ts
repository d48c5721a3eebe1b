import { describe, expect, it } from 'vitest';
import {
  accuracyScore,
  CsrMatrix,
  classificationReport,
  confusionMatrix,
  euclideanDistances,
  f1Score,
  fbetaScore,
  homogeneityCompletenessVMeasure,
  KMeans,
  LogisticRegression,
  loadDigits,
  makeBlobs,
  makeClassification,
  makeMoons,
  makeRegression,
  meanSquaredError,
  normalizedMutualInfoScore,
  PCA,
  precisionRecallFscoreSupport,
  precisionScore,
  recallScore,
  rocAucScore,
  rocCurve,
  trustworthiness,
  vMeasureScore,
} from '../src/index.js';

// Every estimator checks its options with @lumen/tensor's shared checkOptions, as every Lumen package does.
describe('estimator options: snake_case keys get "did you mean"', () => {
  it('names the camelCase key and the valid ones', () => {
    expect(() => new KMeans({ n_clusters: 3 } as never)).toThrow(
      /^KMeans: unknown option "n_clusters" \(did you mean `nClusters`\?\); the options are /,
    );
    expect(() => new PCA({ n_components: 2 } as never)).toThrow('did you mean `nComponents`?');
    expect(() => new LogisticRegression().setParams({ max_iter: 10 } as never)).toThrow(
      'LogisticRegression.setParams: unknown option "max_iter" (did you mean `maxIter`?)',
    );
  });
});

// The functions that take an option bag (metrics, CsrMatrix factories, datasets) check it with the
// same helper: an unknown key names the valid ones, a Python spelling gets "did you mean".
const y = [0, 1, 1, 0, 1, 0];
const p = [0, 1, 0, 0, 1, 1];
const X = [
  [0, 1],
  [1, 0],
  [2, 2],
  [3, 1],
  [0, 3],
  [1, 1],
  [2, 0],
];
type Call = (opts: never) => unknown;
const cases: [name: string, call: Call, python: string, camel: string, valid: string][] = [
  ['accuracyScore', (o) => accuracyScore(y, p, o), 'normalise', 'normalize', 'normalize'],
  [
    'precisionRecallFscoreSupport',
    (o) => precisionRecallFscoreSupport(y, p, o),
    'zero_division',
    'zeroDivision',
    'average, labels, posLabel, zeroDivision, beta',
  ],
  [
    'precisionScore',
    (o) => precisionScore(y, p, o),
    'pos_label',
    'posLabel',
    'average, labels, posLabel, zeroDivision',
  ],
  [
    'recallScore',
    (o) => recallScore(y, p, o),
    'average_',
    'average',
    'average, labels, posLabel, zeroDivision',
  ],
  [
    'f1Score',
    (o) => f1Score(y, p, o),
    'zero_division',
    'zeroDivision',
    'average, labels, posLabel, zeroDivision',
  ],
  [
    'fbetaScore',
    (o) => fbetaScore(y, p, o === null ? o : { beta: 2, ...(o as object) }),
    'pos_label',
    'posLabel',
    'average, labels, posLabel, zeroDivision, beta',
  ],
  ['confusionMatrix', (o) => confusionMatrix(y, p, o), 'normalise', 'normalize', 'labels, normalize'],
  [
    'classificationReport',
    (o) => classificationReport(y, p, o),
    'target_names',
    'targetNames',
    'labels, targetNames, digits, zeroDivision, outputDict',
  ],
  [
    'rocCurve',
    (o) => rocCurve(y, p, o),
    'drop_intermediate',
    'dropIntermediate',
    'posLabel, dropIntermediate',
  ],
  ['rocAucScore', (o) => rocAucScore(y, p, o), 'multi_class', 'multiClass', 'multiClass, average'],
  ['meanSquaredError', (o) => meanSquaredError(y, p, o), 'Squared', 'squared', 'squared'],
  ['homogeneityCompletenessVMeasure', (o) => homogeneityCompletenessVMeasure(y, p, o), 'bета', '', 'beta'],
  ['vMeasureScore', (o) => vMeasureScore(y, p, o), 'Beta', 'beta', 'beta'],
  [
    'normalizedMutualInfoScore',
    (o) => normalizedMutualInfoScore(y, p, o),
    'average_method',
    'averageMethod',
    'averageMethod',
  ],
  ['euclideanDistances', (o) => euclideanDistances(X, X, o), 'squard', 'squared', 'squared'],
  ['trustworthiness', (o) => trustworthiness(X, X, o), 'n_neighbors', 'nNeighbors', 'nNeighbors'],
  ['CsrMatrix.fromDense', (o) => CsrMatrix.fromDense(X, o), 'd_type', 'dtype', 'dtype'],
  ['CsrMatrix.fromCoo', (o) => CsrMatrix.fromCoo([0], [1], [2], [2, 2], o), 'Dtype', 'dtype', 'dtype'],
  [
    'makeBlobs',
    (o) => makeBlobs(o),
    'n_samples',
    'nSamples',
    'nSamples, nFeatures, centers, clusterStd, centerBox, shuffle, randomState',
  ],
  [
    'makeClassification',
    (o) => makeClassification(o),
    'flip_y',
    'flipY',
    'nSamples, nFeatures, nInformative, nRedundant, nRepeated, nClasses, nClustersPerClass, weights, flipY, classSep, hypercube, shift, scale, shuffle, randomState',
  ],
  [
    'makeRegression',
    (o) => makeRegression(o),
    'n_informative',
    'nInformative',
    'nSamples, nFeatures, nInformative, bias, noise, shuffle, randomState',
  ],
  ['makeMoons', (o) => makeMoons(o), 'random_state', 'randomState', 'nSamples, shuffle, noise, randomState'],
  ['loadDigits', (o) => loadDigits(o), 'n_class', 'nClass', 'nClass'],
];

describe('function options are checked, never silently ignored', () => {
  for (const [name, call, python, camel, valid] of cases) {
    it(name, () => {
      const hint = camel ? ` (did you mean \`${camel}\`?)` : '';
      expect(() => call({ [python]: 1 } as never)).toThrow(
        `${name}: unknown option ${JSON.stringify(python)}${hint}; the options are ${valid}`,
      );
      expect(() => call({ notAnOption: true } as never)).toThrow(
        `${name}: unknown option "notAnOption"; the options are ${valid}`,
      );
      expect(() => call(null as never)).toThrow(`${name}: options must be an object, got null`);
    });
  }

  it('valid options still work, and other errors name the function that was called', () => {
    expect(accuracyScore(y, p, { normalize: false })).toBe(4);
    expect(() => vMeasureScore(y, p, { beta: -1 })).toThrow(/^vMeasureScore: beta must be a number >= 0/);
    expect(() => f1Score(y, p, { average: 'mean' as never })).toThrow(/^f1Score: average must be one of/);
    expect(() => classificationReport(y, p, { zeroDivision: 2 as never })).toThrow(
      /^classificationReport: zeroDivision/,
    );
  });
});
