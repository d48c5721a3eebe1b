import { describe, expect, it } from 'vitest';
import {
  CountVectorizer,
  CsrMatrix,
  IsolationForest,
  TfidfVectorizer,
  TSNE,
  trustworthiness,
} from '../src/index.js';
import { knnSelf, knnSelfCsr } from '../src/neighbors/knn.js';
import { expectClose, fixture } from './helpers.js';

// IsolationForest and TSNE on sparse text matrices (KJV verses, the text fixture of
// scripts/gen-fixtures.py): a CsrMatrix is read in place and gives what its dense copy gives.
const fx = fixture<{ docs: string[]; lr_tfidf: { options: { minDf: number } } }>('text');
const tfidf = new TfidfVectorizer(fx.lr_tfidf.options).fitTransform(fx.docs); // 204 x 219, float64
const counts = new CountVectorizer(fx.lr_tfidf.options).fitTransform(fx.docs); // integer counts

/** The same matrix with each row's entries reversed and its first stored value split over two entries. */
function scrambled(X: CsrMatrix): CsrMatrix {
  const data: number[] = [];
  const indices: number[] = [];
  const indptr = [0];
  for (let i = 0; i < X.shape[0]; i++) {
    const a = X.indptr[i]!;
    const b = X.indptr[i + 1]!;
    for (let p = b - 1; p >= a; p--) {
      const split = p === a;
      data.push(split ? X.data[p]! / 2 : X.data[p]!);
      indices.push(X.indices[p]!);
    }
    if (b > a) {
      data.push(X.data[a]! / 2);
      indices.push(X.indices[a]!);
    }
    indptr.push(data.length);
  }
  return new CsrMatrix(data, indices, indptr, [X.shape[0], X.shape[1]]);
}

const values = (t: { dataSync(): ArrayLike<number> }) => Array.from(t.dataSync());

describe('IsolationForest on a CsrMatrix', () => {
  const dense = tfidf.toDense();
  const options = [
    { randomState: 0 },
    { randomState: 3, contamination: 0.05, maxSamples: 100 },
    { randomState: 7, maxFeatures: 20, bootstrap: true, nEstimators: 50 },
  ];

  it('grows the same trees as on the dense copy: identical scores, decisions, predictions and offset', () => {
    for (const o of options) {
      const s = new IsolationForest(o).fit(tfidf);
      const d = new IsolationForest(o).fit(dense);
      expect(s.offset_).toBe(d.offset_);
      expect(values(s.scoreSamples(tfidf))).toEqual(values(d.scoreSamples(dense)));
      expect(values(s.decisionFunction(tfidf))).toEqual(values(d.decisionFunction(dense)));
      expect(values(s.predict(tfidf))).toEqual(values(d.predict(dense)));
      expect(values(s.fitPredict(tfidf))).toEqual(values(d.fitPredict(dense)));
      // a forest fitted on one form scores the other form identically
      expect(values(s.scoreSamples(dense))).toEqual(values(d.scoreSamples(tfidf)));
    }
    // the scores are informative, not constant
    expect(
      new Set(values(new IsolationForest({ randomState: 0 }).fit(tfidf).scoreSamples(tfidf))).size,
    ).toBeGreaterThan(50);
  });

  it('takes unsorted, repeated indices and float32 values; checks the feature count', () => {
    const messy = scrambled(tfidf); // halves add back exactly: the same matrix as tfidf
    const s = new IsolationForest({ randomState: 1, contamination: 0.1 }).fit(messy);
    const d = new IsolationForest({ randomState: 1, contamination: 0.1 }).fit(tfidf.toDense());
    expect(s.offset_).toBe(d.offset_);
    expect(values(s.scoreSamples(messy))).toEqual(values(d.scoreSamples(tfidf.toDense())));
    expect(values(s.predict(tfidf))).toEqual(values(d.predict(messy)));
    const f32 = tfidf.astype('float32');
    expect(values(new IsolationForest({ randomState: 2 }).fit(f32).scoreSamples(f32))).toEqual(
      values(new IsolationForest({ randomState: 2 }).fit(f32.toDense()).scoreSamples(f32.toDense())),
    );
    expect(() => s.predict(CsrMatrix.fromDense([[1, 2]]))).toThrow(
      new RegExp(`X has 2 features, but IsolationForest was fitted with ${tfidf.shape[1]} features`),
    );
    expect(() => new IsolationForest().fit(new CsrMatrix([], [], [0], [0, 3]))).toThrow(
      /X must have at least one sample and one feature, got shape \[0, 3\]/,
    );
  });
});

describe('TSNE on a CsrMatrix', () => {
  it('the nearest neighbours and squared distances of the affinities equal the dense ones to 1e-12', () => {
    const d = tfidf.toDense();
    const a = knnSelfCsr(tfidf, 10);
    const b = knnSelf(Float64Array.from(d.dataSync()), tfidf.shape[0], tfidf.shape[1], 10);
    expectClose(a.sqDistances, Array.from(b.sqDistances), 1e-12);
    const c = knnSelfCsr(counts, 10);
    const e = knnSelf(Float64Array.from(counts.toDense().dataSync()), counts.shape[0], counts.shape[1], 10);
    expect(Array.from(c.sqDistances)).toEqual(Array.from(e.sqDistances));
    expect(Array.from(c.indices)).toEqual(Array.from(e.indices));
  });

  // On integer counts every dot product and norm is exact in float64 whatever the order of the
  // additions, so the sparse and the dense distances are the same numbers and the whole
  // optimization repeats bit for bit: tolerance 0.
  for (const method of ['barnes_hut', 'exact'] as const) {
    it(`${method}: the embedding on integer counts equals the dense copy's exactly (also for unsorted, repeated indices)`, () => {
      const X = method === 'exact' ? counts.sliceRows(0, 120) : counts;
      const opts = { init: 'random' as const, method, maxIter: 300, randomState: 0, perplexity: 20 };
      const s = new TSNE(opts);
      const emb = values(s.fitTransform(X));
      const d = new TSNE(opts);
      expect(emb).toEqual(values(d.fitTransform(X.toDense())));
      expect(s.klDivergence_).toBe(d.klDivergence_);
      expect(values(new TSNE(opts).fitTransform(scrambled(X)))).toEqual(emb);
      expect(values(new TSNE(opts).fitTransform(X.astype('float32')))).toEqual(emb);
    }, 60_000);
  }

  // On TF-IDF values the sparse products add in another order than the dense GEMM, so distances
  // differ in the last bits (1e-16 relative; exactly 2 vs 2 ± ulp for rows sharing no term, which
  // also reorders tied neighbours) and t-SNE's gain updates amplify that within ~50 iterations, as
  // between scikit-learn's own dense and sparse runs. The affinities' input is checked to 1e-12
  // above; here the result must be as good an embedding as the dense one.
  it('on TF-IDF values: as faithful an embedding as the dense copy gives (trustworthiness within 0.02, KL within 10%)', () => {
    const opts = { init: 'random' as const, randomState: 0 };
    const s = new TSNE(opts);
    const d = new TSNE(opts);
    const es = s.fitTransform(tfidf);
    const dense = tfidf.toDense();
    const ed = d.fitTransform(dense);
    expect(Math.abs(trustworthiness(dense, es) - trustworthiness(dense, ed))).toBeLessThanOrEqual(0.02);
    expect(Math.abs(s.klDivergence_ - d.klDivergence_)).toBeLessThanOrEqual(0.1 * d.klDivergence_);
  }, 60_000);

  it("refuses init 'pca' (the default) on sparse input, as scikit-learn does, naming init: 'random'", () => {
    expect(() => new TSNE({ randomState: 0 }).fit(tfidf)).toThrow(
      /TSNE\.fit: init 'pca' is not supported with a sparse CsrMatrix X .*use init: 'random' instead/,
    );
    expect(() => new TSNE({ init: 'pca' }).fitTransform(tfidf)).toThrow(/init 'pca'/);
    // given coordinates are fine
    const init = Array.from({ length: 120 }, (_, i) => [Math.cos(i) * 1e-4, Math.sin(i) * 1e-4]);
    const X = counts.sliceRows(0, 120);
    const opts = { init, maxIter: 250, randomState: 0, perplexity: 10 };
    expect(values(new TSNE(opts).fitTransform(X))).toEqual(values(new TSNE(opts).fitTransform(X.toDense())));
  });
});
