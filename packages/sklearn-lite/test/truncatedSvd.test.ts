import { describe, expect, it } from 'vitest';
import { NotFittedError, TfidfVectorizer, TruncatedSVD } from '../src/index.js';
import { expectClose, expectRowsCloseUpToSign, fixture } from './helpers.js';

// TruncatedSVD on the TF-IDF of KJV verses vs scikit-learn 1.2.1 (randomized, nIter 5, and
// algorithm='arpack'): scripts/gen-fixtures.py text.
const fx = fixture<{
  docs: string[];
  lr_tfidf: { options: { minDf: number } };
  svd: {
    singular_values: number[];
    explained_variance: number[];
    explained_variance_ratio: number[];
    components: number[][];
    exact_singular_values: number[];
    transform_head: number[][];
    arpack: {
      singular_values: number[];
      explained_variance: number[];
      explained_variance_ratio: number[];
      components: number[][];
      transform_head: number[][];
    };
    arpack40: { singular_values: number[]; explained_variance_ratio: number[]; components: number[][] };
  };
}>('text');
const X = new TfidfVectorizer(fx.lr_tfidf.options).fitTransform(fx.docs);

describe('TruncatedSVD on a CsrMatrix', () => {
  it('singular values and explained variance as scikit-learn’s randomized solver finds them', () => {
    const svd = new TruncatedSVD({ nComponents: 5, randomState: 0 });
    const Z = svd.fitTransform(X);
    expect(Z.shape).toEqual([X.shape[0], 5]);
    // Ours is within 5e-5 of scikit-learn’s randomized answer, both within 5e-4 of the exact values (ARPACK); the top one to 1e-11.
    expectClose(svd.singularValues_, fx.svd.exact_singular_values, 0, 1e-3);
    expectClose(svd.singularValues_, fx.svd.singular_values, 0, 1e-4);
    expect(Math.abs(svd.singularValues_.dataSync()[0]! / fx.svd.exact_singular_values[0]! - 1)).toBeLessThan(
      1e-9,
    );
    expectClose(svd.explainedVariance_, fx.svd.explained_variance, 0, 1e-3);
    expectClose(svd.explainedVarianceRatio_, fx.svd.explained_variance_ratio, 0, 1e-3);
    expectRowsCloseUpToSign(svd.components_.slice(0, 0, 1), fx.svd.components.slice(0, 1), 1e-5);
    expectRowsCloseUpToSign(svd.components_.slice(0, 0, 2), fx.svd.components.slice(0, 2), 2e-3);
    // transform equals fitTransform's output
    expectClose(svd.transform(X), Array.from(Z.dataSync()), 1e-12);
    expectClose(svd.transform(X.toDense()), Array.from(Z.dataSync()), 1e-12);
  });

  it('dense input gives the same singular values', () => {
    const dense = new TruncatedSVD({ nComponents: 3, randomState: 1 }).fit(X.toDense());
    expectClose(dense.singularValues_, fx.svd.exact_singular_values.slice(0, 3), 0, 1e-3);
  });

  it('errors', () => {
    expect(() => new TruncatedSVD().transform(X)).toThrow(NotFittedError);
    expect(() => new TruncatedSVD({ nComponents: 0 }).fit(X)).toThrow(
      /nComponents must be an integer in \[1, \d+\], got number 0/,
    );
    expect(() => new TruncatedSVD({ n_components: 2 } as never)).toThrow(/unknown option "n_components"/);
  });
});

describe("TruncatedSVD({ algorithm: 'arpack' })", () => {
  it('singular values, explained variance, components (signs by svd_flip) and transform as scikit-learn’s ARPACK', () => {
    const a = fx.svd.arpack;
    for (const seed of [0, 7]) {
      const svd = new TruncatedSVD({ nComponents: 5, algorithm: 'arpack', randomState: seed });
      const Z = svd.fitTransform(X);
      expectClose(svd.singularValues_, a.singular_values, 0, 1e-12);
      expectClose(svd.explainedVariance_, a.explained_variance, 0, 1e-10);
      expectClose(svd.explainedVarianceRatio_, a.explained_variance_ratio, 0, 1e-10);
      // same signs as scikit-learn: svd_flip decides on U, whatever the start vector
      expectClose(svd.components_, a.components, 1e-10);
      expectClose(svd.transform(X.sliceRows(0, 4)), a.transform_head, 1e-10);
      expectClose(Z.slice(0, 0, 4), a.transform_head, 1e-10);
    }
  });

  it('40 components (close singular values in the tail) and dense input', () => {
    const a = fx.svd.arpack40;
    const svd = new TruncatedSVD({ nComponents: 40, algorithm: 'arpack', randomState: 0 }).fit(X);
    expectClose(svd.singularValues_, a.singular_values, 0, 1e-11);
    expectClose(svd.explainedVarianceRatio_, a.explained_variance_ratio, 0, 1e-9);
    expectClose(svd.components_.slice(0, 0, 10), a.components, 1e-8);
    const dense = new TruncatedSVD({ nComponents: 40, algorithm: 'arpack', randomState: 3 }).fit(X.toDense());
    expectClose(dense.singularValues_, a.singular_values, 0, 1e-11);
    expectClose(dense.components_.slice(0, 0, 10), a.components, 1e-8);
  });

  it('a loose tol stops earlier, still close; nComponents must stay below min(rows, cols)', () => {
    const loose = new TruncatedSVD({ nComponents: 5, algorithm: 'arpack', tol: 1e-4, randomState: 0 }).fit(X);
    expectClose(loose.singularValues_, fx.svd.arpack.singular_values, 0, 1e-6);
    const tiny = X.sliceRows(0, 6);
    expect(() => new TruncatedSVD({ nComponents: 6, algorithm: 'arpack' }).fit(tiny)).toThrow(
      /nComponents must be an integer in \[1, 5\], got number 6/,
    );
    expect(() => new TruncatedSVD({ algorithm: 'lanczos' as 'arpack' }).fit(X)).toThrow(
      /algorithm must be one of 'randomized', 'arpack', got "lanczos"/,
    );
    expect(() => new TruncatedSVD({ algorithm: 'arpack', tol: -1 }).fit(X)).toThrow(/tol must be/);
  });
});
