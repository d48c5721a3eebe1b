import { describe, expect, it } from 'vitest';
import * as L from '../src/index.ts';
import { describeDevices, hasWebGPU } from './helpers.ts';

const live = (d: L.Device) => L.memory().byDevice[d];

describeDevices('memory on %s', (device) => {
  it('dispose() frees bytes; a view keeps its storage alive until it goes too', () => {
    const before = live(device);
    const x = L.ones([1000], { device });
    expect(live(device).bytes - before.bytes).toBe(4000);
    const v = x.reshape(10, 100);
    expect(v.storage).toBe(x.storage);
    x.dispose();
    expect(live(device).bytes - before.bytes).toBe(4000);
    expect(x.isDisposed).toBe(true);
    v.dispose();
    expect(live(device).bytes - before.bytes).toBe(0);
    expect(live(device).tensors).toBe(before.tensors);
  });

  it('tidy() disposes intermediates and keeps what it returns', () => {
    const x = L.ones([4, 4], { device });
    const before = live(device).tensors;
    let inner: L.Tensor | undefined;
    const out = L.tidy(() => {
      inner = x.mul(2);
      const y = inner.add(1).relu();
      return { y, list: [y.sum()] };
    });
    expect(inner!.isDisposed).toBe(true);
    expect(out.y.isDisposed).toBe(false);
    expect(out.list[0]!.isDisposed).toBe(false);
    expect(live(device).tensors - before).toBe(2);
    expect(x.isDisposed).toBe(false);
  });

  it('nested tidy() hands kept tensors to the outer scope, keep() exempts from all', () => {
    let a: L.Tensor | undefined;
    let kept: L.Tensor | undefined;
    L.tidy(() => {
      a = L.tidy(() => L.ones([2], { device }).add(1));
      kept = L.keep(L.zeros([2], { device }));
      expect(a.isDisposed).toBe(false);
    });
    expect(a!.isDisposed).toBe(true);
    expect(kept!.isDisposed).toBe(false);
  });

  it('tidy() spans await, and concurrent async scopes do not mix', async () => {
    const tmps: L.Tensor[] = [];
    const work = (k: number) =>
      L.tidy(async () => {
        const t = L.full([3], k, { device });
        tmps.push(t);
        await new Promise((r) => setTimeout(r, 5 * k));
        const u = t.add(k);
        tmps.push(u);
        await u.data();
        return u.mul(2);
      });
    const [r1, r2] = await Promise.all([work(1), work(2)]);
    expect(Array.from(await r1.data())).toEqual([4, 4, 4]);
    expect(Array.from(await r2.data())).toEqual([8, 8, 8]);
    expect(tmps.every((t) => t.isDisposed)).toBe(true);
    expect(r1.isDisposed || r2.isDisposed).toBe(false);
  });

  it('tidy() disposes on error too', () => {
    let t: L.Tensor | undefined;
    expect(() =>
      L.tidy(() => {
        t = L.ones([2], { device });
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(t!.isDisposed).toBe(true);
  });
});

describe('garbage collection without dispose()', () => {
  it('cpu: a synchronous loop of large temporaries stays flat (dead arrays are freed by the GC)', () => {
    const x = L.randn([512, 512]);
    let peak = 0;
    // 400 steps × 4 MB of temporaries: ~1.6 GB if nothing were collected before the loop ends.
    for (let i = 0; i < 400; i++) {
      x.add(1).relu().mul(0.5).exp();
      if (i % 10 === 0) peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }
    expect(peak).toBeLessThan(600 * 1024 * 1024);
  });

  it.skipIf(!hasWebGPU)(
    'webgpu: 10,000 steps of an op-heavy loop run at flat GPU memory',
    async () => {
      const dev = { device: 'webgpu' as const };
      const x = L.randn([16, 32], dev);
      const w = L.randn([32, 32], dev);
      const perStep = 6 * 16 * 32 * 4;
      let firstHalf = 0;
      let secondHalf = 0;
      for (let step = 1; step <= 10000; step++) {
        const y = x.matmul(w).relu().add(1).mul(0.5).softmax(-1).sum();
        // A training loop reads its loss now and then; that await is where dead tensors are released.
        if (step % 10 === 0) await y.item();
        const alloc = L.webgpuPoolStats()!.allocatedBytes;
        if (step > 500 && step <= 5000) firstHalf = Math.max(firstHalf, alloc);
        if (step > 5000) secondHalf = Math.max(secondHalf, alloc);
      }
      // Flat: the pool stops growing after warm-up. How high it gets depends on when the engine
      // collects (the pool asks for a collection after 32 MiB of fresh buffers), so the trend check
      // allows one collection cycle of slack; 10,000 leaked steps would hold ~120 MB.
      expect(secondHalf).toBeLessThanOrEqual(firstHalf * 2 + 16 * 1024 * 1024);
      expect(secondHalf).toBeLessThan((10000 * perStep) / 2);
      expect(live('webgpu').bytes).toBeLessThan(secondHalf);
    },
    300_000,
  );
});

describe('the cpu array pool', () => {
  const bufferOf = (t: L.Tensor) => (t.storage as unknown as { data: Float32Array }).data.buffer;

  it('hands a disposed result of 1 KB and up to the next result of its size; smaller ones are made fresh', () => {
    for (const n of [256, 4096, 20000]) {
      const mine = L.randn([n]);
      const back = bufferOf(mine);
      mine.dispose();
      expect(bufferOf(L.zeros([n])), `${n} floats`).toBe(back);
    }
    const tiny = L.randn([100]);
    const tb = bufferOf(tiny);
    tiny.dispose();
    expect(bufferOf(L.zeros([100]))).not.toBe(tb);
  });
});
