import { grad, gradAsync } from '@lumen/autograd';
import { initWebGPU, tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { webgpuReady } from '../../../test-support/webgpu.ts';

/**
 * Gradients across devices through `to()`: cpu → webgpu needs the gradient read back from the GPU
 * (asynchronous), so backward() refuses the graph before touching any .grad and backwardAsync()
 * awaits the read; webgpu → cpu (toAsync) sends the gradient up synchronously. Expected values are
 * d/dx sum(w · x²) = 2·w·x, computed here by hand.
 */
const ready = await webgpuReady('autograd/test/cross-device.test.ts', initWebGPU);

describe.skipIf(!ready)('gradients through to() across devices', () => {
  const xs = [0.5, -1.25, 2, 3.5, -0.75];
  const ws = [1, 2, -1, 0.5, 3];
  const want = xs.map((x, i) => 2 * ws[i]! * x);

  it('cpu leaf moved to webgpu: backward() refuses by name and leaves .grad alone; backwardAsync() fills it', async () => {
    const x = tensor(xs, { requiresGrad: true });
    const w = tensor(ws, { device: 'webgpu' });
    const loss = () => x.to('webgpu').square().mul(w).sum();
    expect(() => loss().backward()).toThrow(/backwardAsync/);
    expect(x.grad).toBeNull();
    await loss().backwardAsync();
    expect(x.grad!.device).toBe('cpu');
    expect(Array.from(x.grad!.dataSync())).toEqual(want.map(Math.fround));
    // a second pass accumulates, as backward() does
    await loss().backwardAsync();
    expect(Array.from(x.grad!.dataSync())).toEqual(want.map((v) => Math.fround(2 * v)));
  });

  it('gradAsync returns it; grad() refuses it', async () => {
    const x = tensor(xs, { requiresGrad: true });
    const y = x.to('webgpu').square().sum();
    expect(() => grad(y, x, { retainGraph: true })).toThrow(/gradAsync/);
    const [g] = await gradAsync(y, x);
    expect(g!.device).toBe('cpu');
    expect(Array.from(g!.dataSync())).toEqual(xs.map((v) => Math.fround(2 * v)));
    expect(x.grad).toBeNull();
  });

  it('webgpu leaf moved to cpu with toAsync: plain backward() sends the gradient up', async () => {
    const x = tensor(xs, { requiresGrad: true, device: 'webgpu' });
    const y = (await x.toAsync('cpu')).square().mul(tensor(ws)).sum();
    y.backward();
    expect(x.grad!.device).toBe('webgpu');
    expect(Array.from(await x.grad!.data())).toEqual(want.map(Math.fround));
  });
});

describe('backwardAsync on one device', () => {
  it('does what backward() does on cpu', async () => {
    const a = tensor([1, 2, 3], { requiresGrad: true });
    await a.mul(a).sum().backwardAsync();
    expect(Array.from(a.grad!.dataSync())).toEqual([2, 4, 6]);
  });
});
