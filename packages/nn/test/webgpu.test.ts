import v8 from 'node:v8';
import vm from 'node:vm';
import {
  cat,
  manualSeed,
  memory,
  ones,
  randn,
  syncWebGPU,
  type Tensor,
  tensor,
  webgpuPoolStats,
  zeros,
} from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { Adam, BCEWithLogitsLoss, Linear, ReLU, Sequential } from '../src/index.js';
import { webgpuReady } from './webgpu.js';

const ready = await webgpuReady('nn/test/webgpu.test.ts');

/**
 * Bytes held by live webgpu tensors once unreachable ones are collected: a full GC (exposed for
 * this measurement only), then a turn of the event loop so FinalizationRegistry callbacks run.
 */
v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('gc') as () => void;
async function liveWebgpuBytes(): Promise<number> {
  await syncWebGPU();
  for (let i = 0; i < 2; i++) {
    collect();
    await new Promise((r) => setTimeout(r, 0));
  }
  return memory().byDevice.webgpu.bytes;
}

function blobs(nPerClass: number): { X: Tensor; y: Tensor } {
  const a = randn([nPerClass, 2]).add(tensor([1.5, 1.5]));
  const b = randn([nPerClass, 2]).add(tensor([-1.5, -1.5]));
  return { X: cat([a, b], 0), y: cat([ones([nPerClass, 1]), zeros([nPerClass, 1])], 0) };
}

/** The same initial weights for both devices: built on cpu from one seed. */
function mlpFrom(state: Record<string, Tensor> | null): Sequential {
  const m = new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 1));
  if (state) m.loadStateDict(state);
  return m;
}

describe.skipIf(!ready)('training on webgpu', () => {
  it('matches the cpu loss curve to 1e-3 for 50 steps and reaches >= 97% held-out accuracy', async () => {
    manualSeed(42);
    const train = blobs(200);
    const test = blobs(100);
    const init = mlpFrom(null).stateDict();
    const run = async (device: 'cpu' | 'webgpu', steps: number) => {
      const model = mlpFrom(init).to(device);
      const opt = new Adam(model.parameters(), { lr: 0.01 });
      const lossFn = new BCEWithLogitsLoss();
      const X = train.X.to(device);
      const y = train.y.to(device);
      const losses: Tensor[] = [];
      for (let step = 0; step < steps; step++) {
        opt.zeroGrad();
        const loss = lossFn.forward(model.forward(X), y);
        loss.backward();
        opt.step();
        losses.push(loss);
      }
      const values = await Promise.all(losses.map(async (l) => (await l.item()) as number));
      const correct = model.forward(test.X.to(device)).gt(0).eq(test.y.to(device).gt(0.5)).float().mean();
      return { values, accuracy: (await correct.item()) as number };
    };
    const cpu = await run('cpu', 150);
    const gpu = await run('webgpu', 150);
    for (let i = 0; i < 50; i++)
      expect(Math.abs(gpu.values[i]! - cpu.values[i]!), `step ${i}`).toBeLessThanOrEqual(1e-3);
    expect(gpu.accuracy).toBeGreaterThanOrEqual(0.97);
    expect(cpu.accuracy).toBeGreaterThanOrEqual(0.97);
  });

  it('keeps live GPU memory flat over many steps with no dispose() in the loop', async () => {
    // 10,000 steps take minutes on a software adapter; LUMEN_LONG_TESTS=1 runs the full count.
    const steps = process.env.LUMEN_LONG_TESTS === '1' ? 10_000 : 2_000;
    manualSeed(3);
    const { X, y } = blobs(32);
    const Xg = X.to('webgpu');
    const yg = y.to('webgpu');
    const model = mlpFrom(null).to('webgpu');
    const opt = new Adam(model.parameters(), { lr: 0.01 });
    const lossFn = new BCEWithLogitsLoss();
    const live: number[] = [];
    for (let step = 1; step <= steps; step++) {
      opt.zeroGrad();
      lossFn.forward(model.forward(Xg), yg).backward();
      opt.step();
      if (step % 500 === 0) live.push(await liveWebgpuBytes());
    }
    console.log(
      `webgpu live bytes every 500 of ${steps} steps: ${live.join(' ')}; pool high-water ${webgpuPoolStats()!.allocatedBytes} B`,
    );
    // Everything a step leaves behind is collectable: what is live after a collection does not grow.
    expect(Math.max(...live)).toBeLessThanOrEqual(live[0]! * 1.05);
  }, 600_000);
});
