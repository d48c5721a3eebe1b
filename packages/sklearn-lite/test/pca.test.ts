import { loadDigits, loadIris, PCA } from '@lumen/sklearn-lite';
import { describe, expect, it } from 'vitest';
import { expectClose, expectRowsCloseUpToSign, fixture } from './helpers.js';

const fx = fixture('pca');
const iris = loadIris().data;
const digits = loadDigits().data;

function optionsFrom(kw: Record<string, unknown>) {
  return {
    nComponents: (kw.n_components as number | undefined) ?? null,
    whiten: (kw.whiten as boolean | undefined) ?? false,
    svdSolver: ((kw.svd_solver as string | undefined) ?? 'auto') as 'auto' | 'full' | 'randomized',
    randomState: 0,
  };
}

describe('PCA matches scikit-learn 1.2.1', () => {
  // biome-ignore lint/suspicious/noExplicitAny: fixtures are untyped JSON
  for (const [name, ref] of Object.entries<any>(fx)) {
    const X = name.startsWith('iris') ? iris : digits;
    // The randomized solver draws a different Gaussian test matrix than numpy does; after 7 power
    // iterations the leading components agree far below these tolerances.
    const randomized = ref.solver === 'randomized';
    it(`${name} (${ref.solver})`, () => {
      const p = new PCA(optionsFrom(ref.kwargs)).fit(X);
      expect(p.nComponents_).toBe(ref.n_components);
      expectClose(p.explainedVariance_, ref.explained_variance, 0, 1e-8);
      expectClose(p.explainedVarianceRatio_, ref.explained_variance_ratio, 0, 1e-8);
      expectClose(p.singularValues_, ref.singular_values, 0, 1e-8);
      expectClose(p.mean_, ref.mean, 1e-12);
      expect(Math.abs(p.noiseVariance_ - ref.noise_variance)).toBeLessThanOrEqual(
        1e-8 * Math.abs(ref.noise_variance) + 1e-12,
      );
      if (randomized) {
        // scikit-learn's own randomized components are off the exact ones by up to ~1e-5 on the
        // weakest kept component; ours must be at least as close to the exact ones.
        const exact = ref.exact_components as number[][];
        const ours = p.components_.arraySync() as number[][];
        ours.forEach((row, i) => {
          const err = (r: number[]) =>
            Math.max(...r.map((v, j) => Math.abs(Math.abs(v) - Math.abs(exact[i]![j]!))));
          expect(err(row)).toBeLessThanOrEqual(Math.max(1e-7, 3 * err(ref.components[i])));
        });
        expectRowsCloseUpToSign(p.components_, ref.components, 1e-4);
      } else expectRowsCloseUpToSign(p.components_, ref.components, 1e-6);
      if (!randomized) {
        // Same signs as scikit-learn's svd_flip, so transforms agree element by element.
        expectClose(p.components_, ref.components, 1e-6);
        expectClose(p.transform(X.slice(0, 0, 5)), ref.transform_head, 1e-6, 1e-8);
        expectClose(
          new PCA(optionsFrom(ref.kwargs)).fitTransform(X).slice(0, 0, 5),
          ref.fit_transform_head,
          1e-6,
          1e-8,
        );
      }
      const t = p.transform(X.slice(0, 0, 5));
      const back = p.inverseTransform(t);
      const viaRef = p.inverseTransform(ref.transform_head);
      expect(back.shape).toEqual([5, X.shape[1]]);
      if (!randomized) expectClose(viaRef, ref.inverse_head, 1e-6, 1e-8);
    });
  }

  it('keeps the whole data when all components are kept (inverseTransform undoes transform)', () => {
    const p = new PCA({ whiten: true }).fit(iris);
    expectClose(p.inverseTransform(p.transform(iris)), iris.arraySync() as number[][], 1e-10);
  });

  it('is deterministic under randomState and validates options', () => {
    const a = new PCA({ nComponents: 3, svdSolver: 'randomized', randomState: 7 }).fit(digits).components_;
    const b = new PCA({ nComponents: 3, svdSolver: 'randomized', randomState: 7 }).fit(digits).components_;
    expect(a.arraySync()).toEqual(b.arraySync());
    expect(() => new PCA({ nComponents: 5 }).fit(iris)).toThrow(
      /nComponents must be an integer in \[1, 4\], got number 5/,
    );
    expect(() => new PCA({ svdSolver: 'arpack' as never }).fit(iris)).toThrow(
      /svdSolver must be one of 'auto', 'full', 'randomized'/,
    );
    expect(() => new PCA({ nComponents: 2 }).fit(iris).transform([[1, 2, 3]])).toThrow(
      /X has 3 features, but PCA was fitted with 4/,
    );
  });
});
