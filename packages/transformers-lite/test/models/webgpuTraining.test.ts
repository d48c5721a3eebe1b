import { AdamW, clipGradNorm } from '@lumen/nn';
import { randint, type Tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { settledMemory, tinyGPT2, webgpuReady } from './webgpuHelpers.ts';

/**
 * Fine-tuning at flat GPU memory, in a file of its own so no other test's garbage is collected
 * (and its pooled buffers reused) in the middle of the measurement. 150 steps by default,
 * 1,000 with LUMEN_LONG_TESTS=1 (lavapipe takes ~0.1 s a step).
 */
const ready = await webgpuReady('webgpuTraining.test.ts');

describe.skipIf(!ready)('flat GPU memory while fine-tuning on webgpu', () => {
  it('fine-tuning steps (forward, backward, clipping, AdamW) run at flat GPU memory', {
    timeout: 900_000,
  }, async () => {
    const steps = process.env.LUMEN_LONG_TESTS === '1' ? 1000 : 150;
    const model = tinyGPT2(32).train().to('webgpu');
    await settledMemory();
    const opt = new AdamW(model.parameters(), { lr: 1e-3 });
    const ids: Tensor = randint(0, 99, [4, 32], { dtype: 'int32', device: 'webgpu' });
    const readings: { live: number; pool: number }[] = [];
    let first = Number.NaN;
    let last = Number.NaN;
    for (let step = 0; step < steps; step++) {
      opt.zeroGrad();
      const { loss } = model.forward({ inputIds: ids, labels: ids });
      loss!.backward();
      clipGradNorm(model.parameters(), 1.0);
      opt.step();
      if (step % 10 === 9) {
        const value = (await loss!.item()) as number;
        if (Number.isNaN(first)) first = value;
        last = value;
        readings.push(await settledMemory());
      }
    }
    expect(last).toBeLessThan(first); // it learns (memorises the batch)
    // Reachable tensors and the pool stay exactly where they were after the first steps.
    for (const r of readings.slice(2)) expect(r).toEqual(readings[1]);
  });
});
