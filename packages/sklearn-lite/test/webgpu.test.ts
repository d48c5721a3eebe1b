import { KMeans, loadIris, makeBlobs } from '@lumen/sklearn-lite';
import { initWebGPU, tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { webgpuReady } from '../../../test-support/webgpu.ts';
import { expectClose } from './helpers.js';

/**
 * KMeans.fitAsync on a webgpu tensor: the distance and update steps run on the GPU. Under the
 * shared WebGPU test policy (test-support/webgpu.ts): skipped with one printed line where there is
 * no adapter, a failure under CI or LUMEN_REQUIRE_WEBGPU=1.
 */
const ready = await webgpuReady('packages/sklearn-lite/test/webgpu.test.ts', initWebGPU);

describe.skipIf(!ready)('KMeans on webgpu', () => {
  it('fitAsync from fixed centers gives the cpu clustering (float32 on the GPU)', async () => {
    const X = loadIris().data;
    const init = (X.slice(0, 0, 3).arraySync() as number[][]).map((r) => r.slice());
    const cpu = new KMeans({ nClusters: 3, init, nInit: 1 }).fit(X);
    const Xg = X.float().to('webgpu');
    const gpu = await new KMeans({ nClusters: 3, init, nInit: 1 }).fitAsync(Xg);
    expect(gpu.labels_.device).toBe('webgpu');
    expect(gpu.clusterCenters_.device).toBe('webgpu');
    expect(Array.from(await gpu.labels_.data())).toEqual(Array.from(cpu.labels_.dataSync()));
    expectClose(
      Array.from(await gpu.clusterCenters_.data()),
      cpu.clusterCenters_.arraySync() as number[][],
      1e-4,
    );
    expect(Math.abs(gpu.inertia_ - cpu.inertia_)).toBeLessThanOrEqual(1e-4 * cpu.inertia_);
    expect(gpu.nIter_).toBe(cpu.nIter_);
    // predictAsync assigns on the device; predict (host) agrees
    const p = await gpu.predictAsync(Xg);
    expect(Array.from(await p.data())).toEqual(Array.from(gpu.predict(X).dataSync()));
  });

  it('k-means++ with nInit on the device finds the blobs', async () => {
    const { X, y } = makeBlobs({ nSamples: 400, centers: 4, nFeatures: 6, clusterStd: 0.6, randomState: 2 });
    const km = await new KMeans({ nClusters: 4, nInit: 2, randomState: 0 }).fitAsync(X.float().to('webgpu'));
    const labels = await km.labels_.data();
    const pairs = new Set(Array.from(y.dataSync(), (t, i) => `${t}-${labels[i]}`));
    expect(pairs.size).toBe(4);
    expect(() => new KMeans().fit(tensor([[1]], { device: 'webgpu' }))).toThrow(
      /use `await kmeans.fitAsync\(X\)`/,
    );
  });
});
