import { tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import {
  CsrMatrix,
  LogisticRegression,
  type LogisticRegressionOptions,
  Ridge,
  TfidfVectorizer,
} from '../src/index.js';
import { binaryObjective, multinomialObjective, sparseDesign } from '../src/linear_model/logistic.js';
import { expectClose, fixture } from './helpers.js';

// LogisticRegression on the sparse TF-IDF of King James Bible verses of three books (string
// labels), against scikit-learn 1.2.1: scripts/gen-fixtures.py text.
interface LrCase {
  name: string;
  options: Omit<Partial<LogisticRegressionOptions>, 'solver'> & { solver?: string };
  rows: number[];
  classes: string[];
  coef: number[][];
  intercept: number[];
  predict: string[];
  proba_head: number[][];
  default_predict: string[];
}
const fx = fixture<{
  docs: string[];
  labels: string[];
  lr_tfidf: {
    options: { minDf: number };
    X: { shape: [number, number]; indptr: number[]; indices: number[]; data: number[] };
    features: string[];
  };
  lr: LrCase[];
}>('text');

/** The objective scikit-learn minimizes (sample weights from classWeight), at the given coefficients. */
function objective(c: LrCase, Xs: CsrMatrix, y: string[], coef: number[][], intercept: number[]): number {
  const K = c.classes.length;
  const yIdx = Int32Array.from(y, (v) => c.classes.indexOf(v));
  const cw = c.options.classWeight;
  const fitIntercept = c.options.fitIntercept !== false;
  const counts = c.classes.map((_, k) => yIdx.filter((v) => v === k).length);
  const weight = (k: number) =>
    cw === 'balanced'
      ? y.length / (K * counts[k]!)
      : cw && typeof cw === 'object'
        ? ((cw as Record<string, number>)[c.classes[k]!] ?? 1)
        : 1;
  const sw = Float64Array.from(yIdx, (k) => weight(k));
  const D = sparseDesign(Xs);
  const x = Float64Array.from([...coef.flat(), ...(fitIntercept ? intercept : [])]);
  const g = new Float64Array(x.length);
  const l2 = 1 / (c.options.C ?? 1);
  if (coef.length === 1) return binaryObjective(D, Float64Array.from(yIdx), l2, fitIntercept, sw)(x, g);
  if (c.options.multiClass === 'ovr') {
    let total = 0;
    coef.forEach((row, k) => {
      const xk = Float64Array.from([...row, intercept[k]!]);
      total += binaryObjective(
        D,
        Float64Array.from(yIdx, (v) => (v === k ? 1 : 0)),
        l2,
        true,
      )(xk, new Float64Array(xk.length));
    });
    return total;
  }
  return multinomialObjective(D, yIdx, K, l2, fitIntercept, sw)(x, g);
}

const tf = new TfidfVectorizer(fx.lr_tfidf.options);
const X = tf.fitTransform(fx.docs);

describe('LogisticRegression on sparse TF-IDF matches scikit-learn', () => {
  it('the TF-IDF matrix is scikit-learn’s', () => {
    expect(tf.getFeatureNamesOut()).toEqual(fx.lr_tfidf.features);
    expect(Array.from(X.indices)).toEqual(fx.lr_tfidf.X.indices);
    expectClose(Array.from(X.data), fx.lr_tfidf.X.data, 1e-15);
  });

  for (const c of fx.lr) {
    if (c.options.solver === 'liblinear') {
      // LIBLINEAR's trust-region Newton method converges tightly: coefficients to 1e-6.
      it(c.name, () => {
        const Xs = X.selectRows(c.rows);
        const y = c.rows.map((i) => fx.labels[i]!);
        const { solver: _s, ...opts } = c.options;
        const m = new LogisticRegression({ ...opts, solver: 'liblinear', tol: 1e-10, maxIter: 10000 }).fit(
          Xs,
          y,
        );
        const scale = Math.max(1, ...c.coef.flat().map(Math.abs));
        expectClose(m.coef_, c.coef, 1e-6 * scale);
        expectClose(m.intercept_, c.intercept, 1e-6 * scale);
        expect(m.predict(Xs)).toEqual(c.predict);
        expect(new LogisticRegression({ ...opts, solver: 'liblinear' }).fit(Xs, y).predict(Xs)).toEqual(
          c.default_predict,
        );
      });
      continue;
    }
    it(c.name, () => {
      const { solver: _solver, ...opts } = c.options;
      const Xs = X.selectRows(c.rows);
      const y = c.rows.map((i) => fx.labels[i]!);
      // scikit-learn's saga converges to the same optimum as lbfgs: compare with our lbfgs.
      const tight = new LogisticRegression({ ...opts, tol: 1e-10, maxIter: 10000 }).fit(Xs, y);
      expect(tight.classes_).toEqual(c.classes);
      // Both lbfgs runs stop on scipy's relative-reduction test (factr·eps ≈ 2e-9) long before
      // a gradient of 1e-10: the objective agrees to ~1e-9, the coefficients to ~1e-4.
      const scale = Math.max(1, ...c.coef.flat().map(Math.abs));
      expectClose(tight.coef_, c.coef, 1e-3 * scale);
      expectClose(tight.intercept_, c.intercept, 1e-3 * scale);
      const ours = objective(
        c,
        Xs,
        y,
        tight.coef_.arraySync() as number[][],
        Array.from(tight.intercept_.dataSync()),
      );
      const theirs = objective(c, Xs, y, c.coef, c.intercept);
      expect(ours).toBeLessThanOrEqual(theirs * (1 + 1e-8));
      expect(tight.predict(Xs)).toEqual(c.predict);
      expectClose(tight.predictProba(Xs.sliceRows(0, 5)), c.proba_head, 1e-4);
      if (c.options.solver === undefined) {
        const d = new LogisticRegression(opts).fit(Xs, y);
        expect(d.predict(Xs)).toEqual(c.default_predict);
      }
      // dense input gives the same model
      const dense = new LogisticRegression({ ...opts, tol: 1e-10, maxIter: 10000 }).fit(Xs.toDense(), y);
      expectClose(dense.coef_, Array.from(tight.coef_.dataSync()), 1e-7 * scale);
    });
  }
});

/** The same matrix with each row's entries reversed and its first value split in two (scipy sums them). */
function messy(A: CsrMatrix): CsrMatrix {
  const data: number[] = [];
  const indices: number[] = [];
  const indptr = [0];
  for (let i = 0; i < A.shape[0]; i++) {
    const p0 = A.indptr[i]!;
    const p1 = A.indptr[i + 1]!;
    for (let p = p1 - 1; p >= p0; p--) {
      indices.push(A.indices[p]!);
      data.push(p === p0 ? A.data[p]! / 2 : A.data[p]!);
    }
    if (p1 > p0) {
      indices.push(A.indices[p0]!);
      data.push(A.data[p0]! / 2);
    }
    indptr.push(indices.length);
  }
  return new CsrMatrix(data, indices, indptr, A.shape);
}

describe('unsorted, repeated column indices (the products gather along Xᵀ instead of scattering)', () => {
  const rows = Array.from({ length: X.shape[0] }, (_, i) => i);
  const Xs = X.selectRows(rows);
  const Xm = messy(Xs);
  const y = rows.map((i) => fx.labels[i]!);
  it('liblinear and lbfgs fit the same model', () => {
    for (const solver of ['liblinear', 'lbfgs'] as const) {
      const a = new LogisticRegression({ solver, tol: 1e-10, maxIter: 10000 }).fit(Xs, y);
      const b = new LogisticRegression({ solver, tol: 1e-10, maxIter: 10000 }).fit(Xm, y);
      const scale = Math.max(1, ...Array.from(a.coef_.dataSync(), Math.abs));
      expectClose(b.coef_, Array.from(a.coef_.dataSync()), 1e-6 * scale);
      expect(b.predict(Xm)).toEqual(a.predict(Xs));
    }
  });
  it('Ridge fits the same model', () => {
    const t = y.map((l) => (l === y[0] ? 1 : 0));
    const a = new Ridge({ tol: 1e-12 }).fit(Xs, t);
    const b = new Ridge({ tol: 1e-12 }).fit(Xm, t);
    expectClose(b.coef_, Array.from(a.coef_.dataSync()), 1e-9);
    expect(Math.abs(b.intercept_ - a.intercept_)).toBeLessThan(1e-9);
  });
});

describe('LogisticRegression labels and weights', () => {
  const Xd = [
    [0, 1],
    [1, 0],
    [2, 1],
    [3, 3],
    [4, 1],
    [5, 4],
  ];
  it('returns string labels as given, classes_ in code-point order', () => {
    const y = ['spam', 'ham', 'spam', 'Éclair', 'ham', 'Éclair'];
    const m = new LogisticRegression().fit(Xd, y);
    expect(m.classes_).toEqual(['ham', 'spam', 'Éclair']);
    const pred = m.predict(Xd);
    expect(pred.every((p) => y.includes(p))).toBe(true);
    expect(m.score(Xd, y)).toBeGreaterThanOrEqual(0.5);
  });

  it('numbers stay numbers (int32 when integers), floats stay floats', () => {
    const m = new LogisticRegression().fit(Xd, [0.5, 0.5, 0.5, 2.5, 2.5, 2.5]);
    expect(m.classes_.dtype).toBe('float64');
    expect(Array.from(m.classes_.dataSync())).toEqual([0.5, 2.5]);
    expect(new LogisticRegression().fit(Xd, tensor([3, 3, 3, 7, 7, 7])).predict(Xd).dtype).toBe('int32');
  });

  it('classWeight as a Map equals the same weights as sampleWeight', () => {
    const y = [0, 0, 0, 1, 1, 0];
    const a = new LogisticRegression({ classWeight: new Map([[1, 3]]) }).fit(Xd, y);
    const b = new LogisticRegression().fit(
      Xd,
      y,
      y.map((v) => (v === 1 ? 3 : 1)),
    );
    expectClose(a.coef_, Array.from(b.coef_.dataSync()), 1e-12);
  });

  it('refuses bad labels and weights with errors naming them', () => {
    expect(() => new LogisticRegression().fit(Xd, ['a', 'b', 'a', 2 as unknown as string, 'a', 'b'])).toThrow(
      /y mixes strings and numbers: y\[3\] is number 2/,
    );
    expect(() =>
      new LogisticRegression({ classWeight: { z: 2 } }).fit(Xd, ['a', 'b', 'a', 'b', 'a', 'b']),
    ).toThrow(/classWeight names labels that are not in y: "z"; the classes are "a", "b"/);
    expect(() =>
      new LogisticRegression({ classWeight: 'even' as 'balanced' }).fit(Xd, [0, 1, 0, 1, 0, 1]),
    ).toThrow(/classWeight must be 'balanced'/);
    expect(() => new LogisticRegression().fit(CsrMatrix.fromDense(Xd), [0, 1])).toThrow(
      /X and y must have the same number of samples, got 6 and 2/,
    );
    expect(() =>
      new LogisticRegression({ solver: 'liblinear', multiClass: 'multinomial' }).fit(Xd, [0, 1, 2, 0, 1, 2]),
    ).toThrow(/solver 'liblinear' does not fit a multinomial model/);
    expect(() => new LogisticRegression({ solver: 'saga' as 'lbfgs' }).fit(Xd, [0, 1, 0, 1, 0, 1])).toThrow(
      /solver must be one of 'lbfgs', 'liblinear', got "saga"/,
    );
    const m = new LogisticRegression().fit(CsrMatrix.fromDense(Xd), [0, 1, 0, 1, 0, 1]);
    expect(() => m.predict(CsrMatrix.fromDense([[1, 2, 3]]))).toThrow(
      /X has 3 features, but LogisticRegression was fitted with 2/,
    );
  });
});
