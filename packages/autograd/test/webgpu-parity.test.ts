import { initWebGPU, type Tensor, tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { webgpuReady } from '../../../test-support/webgpu.ts';
import { CASES } from './cases.js';
import { closeness, loadCases } from './fixture.js';

/** Cases that need float64, which WGSL does not have (an explicit list, not a silent skip). */
const CPU_ONLY = new Set(['castRoundTrip']);

const ready = await webgpuReady('autograd/test/webgpu-parity.test.ts', initWebGPU);

describe.skipIf(!ready)('gradients on webgpu match PyTorch (float32)', () => {
  for (const c of loadCases().filter((c) => !CPU_ONLY.has(c.name))) {
    it(c.name, async () => {
      const xs = c.inputs.map((f) => {
        const dtype = f.dtype === 'float64' ? 'float32' : f.dtype;
        const values = f.dtype === 'bool' ? f.data.map((v) => v === true) : f.data.map(Number);
        return tensor(values as number[], {
          dtype,
          shape: f.shape,
          device: 'webgpu',
          requiresGrad: f.requiresGrad ?? false,
        });
      });
      const y = CASES[c.name]!(...xs);
      const w = tensor(c.weight.data as number[], { shape: c.weight.shape, device: 'webgpu' });
      y.mul(w).sum().backward();
      expect(closeness(await y.data(), c.output.data as number[], 1e-4, 1e-5)).toBeLessThanOrEqual(1);
      for (const [i, expected] of c.grads.entries()) {
        const x = xs[i] as Tensor;
        if (expected === null) continue;
        expect(x.grad!.device).toBe('webgpu');
        const got = await x.grad!.data();
        expect(
          closeness(got, expected, 2e-4, 2e-5),
          `grad of input ${i}: ${got} vs ${expected}`,
        ).toBeLessThanOrEqual(1);
      }
    });
  }
});
