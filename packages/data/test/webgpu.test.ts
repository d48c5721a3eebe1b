import { initWebGPU, randn, tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { webgpuReady } from '../../../test-support/webgpu.ts';
import { DataFrame, DataLoader, defaultCollate, TensorDataset, trainTestSplit } from '../src/index.js';

/**
 * The same frame → tensor → loader path with tensors on webgpu, under the shared WebGPU test policy
 * (test-support/webgpu.ts): skipped with one printed line where there is no adapter, a failure
 * under CI or LUMEN_REQUIRE_WEBGPU=1.
 */
const ready = await webgpuReady('packages/data/test/webgpu.test.ts', initWebGPU);

describe.skipIf(!ready)('@lumen/data on webgpu', () => {
  const df = new DataFrame({
    a: [1, 2, 3, 4, 5, 6],
    b: [0.5, Number.NaN, 1.5, 2, 2.5, 3],
    label: [0, 1, 0, 1, 0, 1],
  });

  it('toTensor puts frames and series on the device', async () => {
    const X = df.select(['a', 'b']).toTensor({ device: 'webgpu' });
    expect(X.device).toBe('webgpu');
    expect(Array.from(await X.data())).toEqual(Array.from(df.select(['a', 'b']).toTensor().dataSync()));
    const y = df.col('label').toTensor({ device: 'webgpu' });
    expect([y.device, y.dtype]).toEqual(['webgpu', 'int32']);
    expect(() => df.toTensor({ device: 'webgpu', dtype: 'float64' })).toThrow(/float64/);
  });

  it('fromTensorAsync reads a webgpu tensor; fromTensor says to use it', async () => {
    const t = tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { device: 'webgpu' },
    );
    expect((await DataFrame.fromTensorAsync(t, { columns: ['x', 'y'] })).toRecords()).toEqual([
      { x: 1, y: 2 },
      { x: 3, y: 4 },
    ]);
    expect(() => DataFrame.fromTensor(t)).toThrow(
      'DataFrame.fromTensor: the tensor is on webgpu; use `await DataFrame.fromTensorAsync(t)` to wait for the GPU',
    );
  });

  it('DataLoader batches stay on the device, for..of and for await', async () => {
    const X = randn([10, 3], { device: 'webgpu' });
    const y = tensor(
      Int32Array.from({ length: 10 }, (_, i) => i),
      { dtype: 'int32', device: 'webgpu' },
    );
    const dl = new DataLoader(new TensorDataset(X, y), { batchSize: 4, shuffle: true });
    const seen: number[] = [];
    for (const [xb, yb] of dl) {
      expect([xb!.device, yb!.device]).toEqual(['webgpu', 'webgpu']);
      seen.push(...Array.from(await yb!.data()));
    }
    expect(seen.sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const xs = Array.from(await X.data());
    for await (const [xb, yb] of dl) {
      const rows = Array.from(await yb!.data());
      const got = Array.from(await xb!.data());
      rows.forEach((r, k) => {
        expect(got.slice(k * 3, k * 3 + 3)).toEqual(xs.slice(r * 3, r * 3 + 3));
      });
    }
    const stacked = defaultCollate([X.select(0, 1), X.select(0, 2)]);
    expect(stacked.device).toBe('webgpu');
  });

  it('trainTestSplit keeps tensors on the device', async () => {
    const X = randn([20, 2], { device: 'webgpu' });
    const [Xtr, Xte] = trainTestSplit(X, { testSize: 0.25, randomState: 0 });
    expect([Xtr.device, Xtr.shape, Xte.shape]).toEqual(['webgpu', [15, 2], [5, 2]]);
  });
});
