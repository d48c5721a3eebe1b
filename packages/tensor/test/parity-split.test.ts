/**
 * The whole webgpu parity suite again with storage bindings limited to 4 KiB, so that its random
 * shapes (up to 5,000 elements) run the paths that split work larger than one binding: matmul
 * halves (along K too, accumulating), gather/scatter windows, chunked fills and random draws,
 * reductions combined from halves, softmax by rows, attention's composite fallback. On a real
 * adapter the limit is 128 MiB or more: a GPT-2 embedding (154 MB) takes these paths.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Tensor } from '../src/index.ts';

process.env.LUMEN_WEBGPU_MAX_BINDING = '4096';
process.env.LUMEN_PARITY_RUNS ??= '10';
const { hasWebGPU } = await import('./helpers.ts');
await import('./parity.test.ts');
const L = await import('../src/index.ts');
const { currentWebGPUBackend } = await import('../src/backends/webgpu/init.ts');

describe.skipIf(!hasWebGPU)('bindings of at most 4 KiB', () => {
  it('the lowered limit is in force, and a large product really runs in parts', async () => {
    const rt = currentWebGPUBackend()!.rt;
    expect(rt.limits.maxBinding).toBe(4096);
    const a = L.arange(0, 96 * 80)
      .reshape([96, 80])
      .mul(0.001);
    const b = L.arange(0, 80 * 70)
      .reshape([80, 70])
      .mul(-0.002);
    const spy = vi.spyOn(rt, 'dispatch');
    const gpu = a.to('webgpu').matmul(b.to('webgpu'));
    const calls = spy.mock.calls.filter(([spec]) => spec.name.startsWith('matmul')).length;
    spy.mockRestore();
    expect(calls).toBeGreaterThan(4);
    const want = a.matmul(b).dataSync();
    const got = await gpu.data();
    // Both sides accumulate 80 products in float32 (as PyTorch does): a few ulps of a value near 2000.
    for (let i = 0; i < want.length; i++) {
      expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(
        2e-6 * Math.sqrt(80) * (1 + Math.abs(want[i]!)),
      );
    }
  });

  it('an embedding table larger than a binding is gathered in parts', async () => {
    const table = L.randn([300, 16]); // 19,200 bytes
    const ids = L.tensor([0, 299, 150, 7, 151, 299, 0], { dtype: 'int32' });
    const want = table.indexSelect(0, ids).dataSync();
    const got = await table.to('webgpu').indexSelect(0, ids.to('webgpu')).data();
    expect(Array.from(got)).toEqual(Array.from(want));
  });

  it('gradients into an embedding table larger than a binding are added in parts', async () => {
    // The backward of an embedding: scatterAdd into a 300 x 16 table (19,200 bytes).
    const ids = [0, 299, 150, 7, 151, 299, 0, 200];
    const index = L.tensor(Int32Array.from(ids.flatMap((i) => Array(16).fill(i))), { shape: [8, 16] });
    const src = L.randn([8, 16]);
    const want = L.zeros([300, 16]).scatterAdd(0, index, src).dataSync();
    const got = await L.zeros([300, 16], { device: 'webgpu' })
      .scatterAdd(0, index.to('webgpu'), src.to('webgpu'))
      .data();
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 5);
  });

  it('an AdamW step on a parameter larger than a binding updates every element', async () => {
    const run = async (device: 'cpu' | 'webgpu') => {
      L.manualSeed(3);
      const [param, grad] = [L.randn([3000]), L.randn([3000])].map((t) => t.to(device)) as [Tensor, Tensor];
      const [m, v] = [L.zeros([3000], { device }), L.zeros([3000], { device })];
      for (let step = 1; step <= 2; step++) {
        L.adamStep(param, grad, m, v, {
          lr: 0.1,
          beta1: 0.9,
          beta2: 0.999,
          eps: 1e-8,
          weightDecay: 0.01,
          decoupled: true,
          step,
        });
      }
      return Array.from(await param.data(), Number);
    };
    const want = await run('cpu');
    const got = await run('webgpu');
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 4);
  });

  it('what cannot be split says so, naming the op and the limit', () => {
    const row = L.randn([1, 2000]).to('webgpu'); // one 8,000-byte row
    expect(() => row.softmax(-1)).toThrow(/softmax.*maxStorageBufferBindingSize \(4096 bytes\)/);
  });
});
