import { KMeans, loadDigits, loadIris, makeBlobs } from '@lumen/sklearn-lite';
import { tensor } from '@lumen/tensor';
import { describe, expect, it, vi } from 'vitest';
import { expectClose, fixture } from './helpers.js';

const fx = fixture('kmeans');
const data = { iris: loadIris().data, digits: loadDigits().data };

describe('KMeans matches scikit-learn 1.2.1', () => {
  for (const [name, ref] of Object.entries<{
    init: number[][];
    algorithm: 'lloyd' | 'elkan';
    tol: number;
    labels: number[];
    centers: number[][];
    inertia: number;
    n_iter: number;
    transform_head: number[][];
    dataset: 'iris' | 'digits';
  }>(fx.fixed)) {
    // digits are integers and these starts are rows of the data, so some samples are exactly as far
    // from two centers; scikit-learn's Lloyd step breaks such ties by BLAS rounding order (on
    // centred data), which no other summation order reproduces. Elkan's exact distances do match.
    const tieBroken = name.startsWith('digits_spread_lloyd');
    it(`from fixed centers: ${name} (${tieBroken ? 'same clustering up to exact ties' : 'labels, centers, inertia and nIter identical'})`, () => {
      const km = new KMeans({
        nClusters: ref.init.length,
        init: ref.init,
        nInit: 1,
        algorithm: ref.algorithm,
        tol: ref.tol,
      }).fit(data[ref.dataset]);
      if (tieBroken) {
        const labels = km.labels_.dataSync();
        const differ = ref.labels.filter((l, i) => l !== labels[i]).length;
        expect(differ).toBeLessThanOrEqual(5);
        expect(Math.abs(km.inertia_ - ref.inertia)).toBeLessThanOrEqual(1e-4 * ref.inertia);
        return;
      }
      expect(Array.from(km.labels_.dataSync())).toEqual(ref.labels);
      expectClose(km.clusterCenters_, ref.centers, 1e-9);
      expect(Math.abs(km.inertia_ - ref.inertia)).toBeLessThanOrEqual(1e-9 * ref.inertia);
      expect(km.nIter_).toBe(ref.n_iter);
      expectClose(km.transform(data[ref.dataset].slice(0, 0, 3)), ref.transform_head, 1e-9);
    });
  }

  for (const [name, ref] of Object.entries<{ k: number; inertia: number }>(fx.best)) {
    it(`k-means++ with nInit 10: ${name} inertia within 1% of scikit-learn's best`, () => {
      const [set, algorithm] = name.split('_') as ['iris' | 'digits', 'lloyd' | 'elkan'];
      const km = new KMeans({ nClusters: ref.k, nInit: 10, algorithm, randomState: 0 }).fit(data[set]);
      expect(km.inertia_).toBeLessThanOrEqual(ref.inertia * 1.01);
      expect(new Set(km.labels_.dataSync()).size).toBe(ref.k);
    });
  }
});

describe('KMeans behaviour', () => {
  const { X, y } = makeBlobs({ nSamples: 300, centers: 4, nFeatures: 5, clusterStd: 0.5, randomState: 3 });
  it('recovers well separated blobs; predict agrees with labels_; score is -inertia', () => {
    const km = new KMeans({ nClusters: 4, randomState: 1 }).fit(X);
    expect(Array.from(km.predict(X).dataSync())).toEqual(Array.from(km.labels_.dataSync()));
    expect(km.score(X)).toBeCloseTo(-km.inertia_, 8);
    // each true blob maps to exactly one cluster
    const pairs = new Set(Array.from(y.dataSync(), (t, i) => `${t}-${km.labels_.dataSync()[i]}`));
    expect(pairs.size).toBe(4);
  });
  it("'random' init and nInit 'auto' work; Elkan gives Lloyd's result", () => {
    const a = new KMeans({ nClusters: 4, init: 'random', nInit: 'auto', randomState: 2 }).fit(X);
    expect(a.inertia_).toBeGreaterThan(0);
    const l = new KMeans({ nClusters: 6, randomState: 5, nInit: 3 }).fit(X);
    const e = new KMeans({ nClusters: 6, randomState: 5, nInit: 3, algorithm: 'elkan' }).fit(X);
    expect(Array.from(e.labels_.dataSync())).toEqual(Array.from(l.labels_.dataSync()));
    expect(e.nIter_).toBe(l.nIter_);
  });
  it('warns when fewer distinct clusters than asked and validates options', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    new KMeans({ nClusters: 3, nInit: 1, randomState: 0 }).fit([
      [1, 1],
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/number of distinct clusters \(1\) found smaller than nClusters \(3\)/),
    );
    warn.mockRestore();
    expect(() => new KMeans({ nClusters: 5 }).fit([[1], [2]])).toThrow(/nSamples=2 should be >= nClusters=5/);
    expect(() =>
      new KMeans({ nClusters: 2, init: [[0, 0]] }).fit([
        [1, 1],
        [2, 2],
      ]),
    ).toThrow(/init must have shape \[2, 2\]/);
    expect(() => new KMeans({ algorithm: 'full' as never }).fit(X)).toThrow(
      /algorithm must be one of 'lloyd', 'elkan'/,
    );
  });
});

describe('KMeans tensor-op path (the one webgpu runs), checked on cpu tensors', () => {
  it('gives the host result from the same fixed start', async () => {
    const ref = fx.fixed['digits_first10_lloyd_0.0'];
    const host = new KMeans({ nClusters: 10, init: ref.init, nInit: 1, tol: 0 }).fit(data.digits);
    const dev = await new KMeans({ nClusters: 10, init: ref.init, nInit: 1, tol: 0 }).fitOnDevice(
      data.digits,
    );
    expect(Array.from(dev.labels_.dataSync())).toEqual(ref.labels);
    expect(dev.nIter_).toBe(host.nIter_);
    expect(Math.abs(dev.inertia_ - ref.inertia)).toBeLessThanOrEqual(1e-8 * ref.inertia);
    expectClose(dev.clusterCenters_, ref.centers, 1e-8);
  });
  it('relocates empty clusters like the host path', async () => {
    const ref = fx.fixed['iris_duplicate_lloyd_0.0'];
    const dev = await new KMeans({ nClusters: 3, init: ref.init, nInit: 1, tol: 0 }).fitOnDevice(data.iris);
    expect(Array.from(dev.labels_.dataSync())).toEqual(ref.labels);
    expectClose(dev.clusterCenters_, ref.centers, 1e-9);
  });
  it('k-means++ on the device path reaches the same quality, float32 included', async () => {
    const best = fx.best.digits_lloyd.inertia;
    const dev = await new KMeans({ nClusters: 10, nInit: 10, randomState: 0 }).fitOnDevice(data.digits);
    expect(dev.inertia_).toBeLessThanOrEqual(best * 1.01);
    const dev32 = await new KMeans({ nClusters: 10, nInit: 3, randomState: 0 }).fitOnDevice(
      data.digits.float(),
    );
    expect(dev32.inertia_).toBeLessThanOrEqual(best * 1.02);
    expect(dev32.clusterCenters_.dtype).toBe('float32');
    // fitAsync on a cpu tensor is plain fit
    const a = await new KMeans({ nClusters: 3, randomState: 4 }).fitAsync(data.iris);
    expect(a.inertia_).toBe(new KMeans({ nClusters: 3, randomState: 4 }).fit(data.iris).inertia_);
    expect(tensor([1]).device).toBe('cpu');
  });
});
