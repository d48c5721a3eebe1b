import { describe, expect, it } from 'vitest';
import {
  CountVectorizer,
  CsrMatrix,
  cosineSimilarity,
  euclideanDistances,
  linearKernel,
  MaxAbsScaler,
  StandardScaler,
  TfidfVectorizer,
} from '../src/index.js';
import { expectClose, fixture } from './helpers.js';

// Scalers and pairwise metrics on sparse text matrices (KJV verses), against scikit-learn 1.2.1:
// scripts/gen-fixtures.py text.
interface CsrJson {
  shape: [number, number];
  indptr: number[];
  indices: number[];
  data: number[];
}
const fx = fixture<{
  small: string[];
  docs: string[];
  lr_tfidf: { options: { minDf: number } };
  scalers: {
    max_abs: number[];
    maxabs_head: CsrJson;
    mean: number[];
    var: number[];
    scale: number[];
    standard_head: CsrJson;
  };
  pairwise: {
    cosine: number[][];
    cosine_self: number[][];
    euclidean: number[][];
    euclidean_squared: number[][];
  };
}>('text');

const C = new CountVectorizer().fitTransform(fx.small.slice(0, 12));
const X = new TfidfVectorizer(fx.lr_tfidf.options).fitTransform(fx.docs);

function expectCsrClose(a: CsrMatrix, e: CsrJson, tol: number) {
  expect([...a.shape]).toEqual(e.shape);
  expect(Array.from(a.indptr)).toEqual(e.indptr);
  expect(Array.from(a.indices)).toEqual(e.indices);
  expectClose(Array.from(a.data), e.data, tol);
}

describe('scalers on a CsrMatrix', () => {
  it('MaxAbsScaler', () => {
    const s = new MaxAbsScaler().fit(C);
    expectClose(s.maxAbs_, fx.scalers.max_abs, 0);
    expectCsrClose(s.transform(C.sliceRows(0, 3)), fx.scalers.maxabs_head, 1e-15);
    // dense input gives the same numbers, as a Tensor
    expectClose(
      new MaxAbsScaler().fit(C.toDense()).transform(C.toDense()),
      Array.from(s.transform(C).toDense().dataSync()),
      1e-15,
    );
    expectClose(s.inverseTransform(s.transform(C)).toDense(), Array.from(C.toDense().dataSync()), 1e-12);
  });

  it('StandardScaler({ withMean: false })', () => {
    const s = new StandardScaler({ withMean: false }).fit(C);
    expectClose(s.mean_, fx.scalers.mean, 1e-15);
    expectClose(s.var_, fx.scalers.var, 1e-14);
    expectClose(s.scale_, fx.scalers.scale, 1e-14);
    expectCsrClose(s.transform(C.sliceRows(0, 3)), fx.scalers.standard_head, 1e-13);
    const dense = new StandardScaler({ withMean: false }).fit(C.toDense());
    expectClose(dense.var_, fx.scalers.var, 1e-14);
  });

  it('refuses to center a sparse matrix', () => {
    expect(() => new StandardScaler().fit(C)).toThrow(
      /cannot center a sparse CsrMatrix .*pass withMean: false/,
    );
    expect(() => new MaxAbsScaler({ copy: true } as never)).toThrow(/unknown option "copy"/);
  });
});

describe('pairwise metrics on a CsrMatrix', () => {
  const A = X.sliceRows(0, 6);
  const B = X.sliceRows(6, 14);
  it('cosineSimilarity, sparse and dense in any mix', () => {
    expectClose(cosineSimilarity(A, B), fx.pairwise.cosine, 1e-14);
    expectClose(cosineSimilarity(A.toDense(), B), fx.pairwise.cosine, 1e-14);
    expectClose(cosineSimilarity(A, B.toDense()), fx.pairwise.cosine, 1e-14);
    expectClose(cosineSimilarity(A.toDense(), B.toDense()), fx.pairwise.cosine, 1e-14);
    expectClose(cosineSimilarity(X.sliceRows(0, 5)), fx.pairwise.cosine_self, 1e-14);
  });
  it('euclideanDistances and linearKernel', () => {
    expectClose(euclideanDistances(A, B), fx.pairwise.euclidean, 1e-7);
    expectClose(euclideanDistances(A, B, { squared: true }), fx.pairwise.euclidean_squared, 1e-14);
    const self = euclideanDistances(A).arraySync() as number[][];
    self.forEach((row, i) => {
      expect(row[i]).toBe(0);
    });
    expectClose(linearKernel(A, B), (A.dot(B.transpose().toDense()).arraySync() as number[][]).flat(), 1e-15);
    expect(() => euclideanDistances(A, CsrMatrix.fromDense([[1]]))).toThrow(
      /X and Y must have the same number of features, got \d+ and 1/,
    );
  });
});
