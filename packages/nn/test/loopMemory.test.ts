import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type Device, initWebGPU, LumenError, manualSeed, memory, randn } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { webgpuReady } from '../../../test-support/webgpu.ts';
import { AdamW, Linear, MSELoss, ReLU, Sequential } from '../src/index.js';

/**
 * Issue 13: the loop users write — zeroGrad, forward, backward, step — at flat memory without
 * dispose(), however often it awaits. On cpu an `await loss.item()` is only a microtask (the event
 * loop never turns), so this is what the library's own release points must achieve.
 */
type Mode = 'never' | 'every100' | 'every';

// In the never-awaiting loop RSS is read after a full collection (synchronous: the loop still never
// yields): what the process retains, not garbage the engine has not got round to. The awaiting
// loops are read as they are (a collection there would also run finalizers the library must
// arrange itself).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function rss(mode: Mode): number {
  if (mode === 'never') gc();
  return process.memoryUsage.rss();
}

interface Sample {
  step: number;
  rss: number;
  tensors: number;
  bytes: number;
}

async function train(device: Device, mode: Mode, steps: number): Promise<Sample[]> {
  manualSeed(0);
  const model = new Sequential(new Linear(2, 64), new ReLU(), new Linear(64, 1));
  if (device !== 'cpu') model.to(device);
  const opt = new AdamW(model.parameters(), { lr: 1e-3 });
  const lossFn = new MSELoss();
  const x = randn([32, 2], { device });
  const y = randn([32, 1], { device });
  const samples: Sample[] = [];
  for (let step = 1; step <= steps; step++) {
    opt.zeroGrad();
    const loss = lossFn.forward(model.forward(x), y);
    loss.backward();
    opt.step();
    if (mode === 'every' || (mode === 'every100' && step % 100 === 0)) await loss.item();
    if (step % 250 === 0) {
      const m = memory().byDevice[device];
      samples.push({
        step,
        rss: rss(mode),
        tensors: m.tensors,
        bytes: m.bytes,
      });
    }
  }
  return samples;
}

/** Largest value after warm-up over the largest during it (the drift, ≤ 1.10). */
function drift(samples: Sample[], warmup: number, key: 'rss' | 'tensors' | 'bytes'): number {
  const { before, after } = peaks(samples, warmup, key);
  return after / Math.max(before, 1);
}

function peaks(samples: Sample[], warmup: number, key: 'rss' | 'tensors' | 'bytes') {
  return {
    before: Math.max(...samples.filter((s) => s.step <= warmup).map((s) => s[key])),
    after: Math.max(...samples.filter((s) => s.step > warmup).map((s) => s[key])),
  };
}

/**
 * memory() counts tensors until the engine has collected them, so between collections it includes
 * dead ones: at most ~10,000 on cpu (the README's bound), however long the loop runs. Before the
 * fix it grew by 20 a step (200,000 after 10,000 steps).
 */
function expectCountBounded(samples: Sample[], warmup: number, why: string): void {
  const { before, after } = peaks(samples, warmup, 'tensors');
  expect(after, why).toBeLessThanOrEqual(Math.max(1.1 * before, before + 10_000));
}

describe('a 2→64→1 MLP trained for 10,000 steps on cpu without dispose()', () => {
  for (const mode of ['never', 'every100', 'every'] as const) {
    it(`awaiting ${mode === 'never' ? 'never' : mode === 'every' ? 'every step' : 'every 100 steps'}: RSS and memory() stay flat`, async () => {
      const samples = await train('cpu', mode, 10_000);
      const summary = samples.map(
        (s) => `${s.step}: ${(s.rss / 2 ** 20).toFixed(0)} MB, ${s.tensors} tensors`,
      );
      expect(drift(samples, 3000, 'rss'), summary.join('\n')).toBeLessThanOrEqual(1.1);
      expectCountBounded(samples, 3000, summary.join('\n'));
    }, 120_000);
  }
});

const ready = await webgpuReady('nn/test/loopMemory.test.ts', initWebGPU);

describe.skipIf(!ready)('the same loop on webgpu', () => {
  it('awaiting every 100 steps: RSS and memory() stay flat', async () => {
    const samples = await train('webgpu', 'every100', 1500);
    const summary = samples.map((s) => `${s.step}: ${(s.rss / 2 ** 20).toFixed(0)} MB, ${s.tensors} tensors`);
    expect(drift(samples, 500, 'rss'), summary.join('\n')).toBeLessThanOrEqual(1.1);
    expectCountBounded(samples, 500, summary.join('\n'));
  }, 180_000);

  it('never awaiting: ends with an error naming the limit and the fix, not a signal (it crashed at ~2,500 steps)', async () => {
    const error = await train('webgpu', 'never', 5000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LumenError);
    expect((error as Error).message).toMatch(
      /^webgpu: 20000 kernels \(the last: \w+\) were queued without the event loop turning once\..*await loss\.item\(\)/,
    );
    // After a turn the same process trains on.
    await new Promise((r) => setImmediate(r));
    expect((await train('webgpu', 'every', 20)).length).toBe(0);
  }, 180_000);
});
