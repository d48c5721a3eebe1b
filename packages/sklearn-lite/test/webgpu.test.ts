import { KMeans, loadIris, makeBlobs } from '@lumen/sklearn-lite';
import { initWebGPU, tensor } from '@lumen/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from './helpers.js';

/**
 * KMeans.fitAsync on a webgpu tensor: the distance and update steps run on the GPU. Skips,
 * printing why, when this machine has no adapter — unless CI=true or LUMEN_REQUIRE_WEBGPU=1,
 * where that is a failure.
 */
let ready = false;
beforeAll(async () => {
  let reason = '';
  try {
    if (!(await initWebGPU()))
      reason = 'no WebGPU adapter (in Node on Linux install Mesa lavapipe >= 25, see .ci/system-deps.sh)';
  } catch (e) {
    reason = `initWebGPU failed: ${(e as Error).message.split('\n')[0]}`;
  }
  if (reason && (process.env.LUMEN_REQUIRE_WEBGPU === '1' || process.env.CI === 'true'))
    throw new Error(`webgpu required here but ${reason}`);
  if (reason) console.log(`skipped webgpu tests in packages/sklearn-lite/test/webgpu.test.ts: ${reason}`);
  ready = reason === '';
});

describe('KMeans on webgpu', () => {
  it('fitAsync from fixed centers gives the cpu clustering (float32 on the GPU)', async (ctx) => {
    if (!ready) return ctx.skip();
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

  it('k-means++ with nInit on the device finds the blobs', async (ctx) => {
    if (!ready) return ctx.skip();
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
