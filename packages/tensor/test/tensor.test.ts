import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as L from '../src/index.ts';
import { type ArrayDesc, describeDevices, fromDesc } from './helpers.ts';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/ops.json', import.meta.url), 'utf8')) as {
  prints: { name: string; input: ArrayDesc; expected: string }[];
};

describe('printing matches PyTorch', () => {
  for (const p of fixture.prints) {
    it(p.name, () => {
      expect(fromDesc(p.input, 'cpu').toString()).toBe(p.expected);
    });
  }
  it('non-default dtypes, devices and grad state are suffixed', () => {
    expect(L.tensor([1, 2], { dtype: 'float64' }).toString()).toBe('tensor([1., 2.], dtype=float64)');
    expect(L.tensor([1.5], { requiresGrad: true }).toString()).toBe('tensor([1.5000], requiresGrad=true)');
  });
});

describe('creation', () => {
  it('infers float32 for numbers, bool for booleans, and keeps typed array types', () => {
    expect(L.tensor([1, 2]).dtype).toBe('float32');
    expect(L.tensor([true]).dtype).toBe('bool');
    expect(L.tensor(new Int32Array([1])).dtype).toBe('int32');
    expect(L.tensor(new Float64Array([1])).dtype).toBe('float64');
    expect(L.tensor(3).shape).toEqual([]);
    expect(L.tensor([]).shape).toEqual([0]);
    expect(L.tensor([[], []]).shape).toEqual([2, 0]);
  });
  it('copies its input (mutating the source does not change the tensor)', () => {
    const src = new Float32Array([1, 2, 3]);
    const t = L.tensor(src);
    src[0] = 99;
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3]);
    const d = t.dataSync();
    d[1] = 42;
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3]);
  });
  it('dataSync(out) writes into a given array (contiguous or strided views), checking its kind and length', () => {
    const t = L.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]).double();
    const out = new Float64Array(8).fill(-1);
    expect(t.dataSync(out)).toBe(out);
    expect(Array.from(out)).toEqual([1, 2, 3, 4, 5, 6, -1, -1]);
    expect(Array.from(t.transpose(0, 1).dataSync(out).subarray(0, 6))).toEqual([1, 4, 2, 5, 3, 6]);
    const k = L.kernelArray(6, Float64Array);
    try {
      t.dataSync(k);
      expect(Array.from(k)).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      L.releaseKernelArray(k);
    }
    expect(() => t.dataSync(new Float32Array(6))).toThrow(
      /dataSync: out must be a Float64Array for a float64 tensor, got Float32Array/,
    );
    expect(() => t.dataSync(new Float64Array(5))).toThrow(
      /dataSync: out must hold at least 6 elements, got 5/,
    );
    expect(() => t.float().dataSync([0, 0, 0, 0, 0, 0] as never)).toThrow(/out must be a Float32Array/);
  });
  it('arange gives int32 for integer arguments and float32 otherwise', () => {
    expect(L.arange(5).dtype).toBe('int32');
    expect(L.arange(0, 1, 0.25).arraySync()).toEqual([0, 0.25, 0.5, 0.75]);
  });
  it('requiresGrad is only a flag without @lumen/autograd, and backward() says what to import', () => {
    const x = L.ones([2], { requiresGrad: true });
    expect(x.requiresGrad).toBe(true);
    expect(x.isLeaf).toBe(true);
    expect(() => x.sum().backward()).toThrow(
      "backward: autograd is not loaded: add `import '@lumen/autograd'`",
    );
  });
  it('manualSeed makes random tensors reproducible, and a Generator is independent of it', () => {
    L.manualSeed(7);
    const a = L.randn([5]).arraySync();
    L.manualSeed(7);
    expect(L.randn([5]).arraySync()).toEqual(a);
    const g = new L.Generator(7);
    expect(L.randn([5], { generator: g }).arraySync()).toEqual(a);
    expect(
      L.randint(0, 3, [1000], { generator: g })
        .dataSync()
        .every((v) => v >= 0 && v < 3),
    ).toBe(true);
  });
  it('rand is uniform on [0, 1) and randn has mean 0, std 1', () => {
    L.manualSeed(1);
    const u = L.rand([20000]);
    expect(u.min().itemSync()).toBeGreaterThanOrEqual(0);
    expect(u.max().itemSync()).toBeLessThan(1);
    expect(Math.abs((u.mean().itemSync() as number) - 0.5)).toBeLessThan(0.01);
    const z = L.randn([20000]);
    expect(Math.abs(z.mean().itemSync() as number)).toBeLessThan(0.02);
    expect(Math.abs((z.std().itemSync() as number) - 1)).toBeLessThan(0.02);
  });
});

describeDevices('views on %s share memory instead of copying', (device) => {
  it('reshape, transpose, slice, expand, squeeze, flip and select are views', () => {
    const x = L.arange(24, undefined, 1, { device, dtype: 'float32' }).reshape(2, 3, 4);
    for (const v of [
      x.reshape(6, 4),
      x.transpose(0, 2),
      x.slice(2, 1, 3),
      x.slice(0, 0, 1).expand(5, 3, 4),
      x.unsqueeze(0).squeeze(0),
      x.flip(1),
      x.select(1, 2),
      x.T,
    ]) {
      expect(v.storage).toBe(x.storage);
    }
    expect(x.transpose(0, 1).isContiguous()).toBe(false);
  });
  it('reshape of a non-viewable layout copies (and contiguous() of a contiguous tensor does not)', async () => {
    const x = L.arange(6, undefined, 1, { device, dtype: 'float32' }).reshape(2, 3);
    expect(x.contiguous()).toBe(x);
    const r = x.T.reshape(6);
    expect(r.storage).not.toBe(x.storage);
    expect(Array.from(await r.data())).toEqual([0, 3, 1, 4, 2, 5]);
  });
  it('scatterAdd onto fresh zeros skips the add, and sees values written into them in place', () => {
    const index = L.tensor([[0, 2, 0]], { dtype: 'int32' });
    const src = L.tensor([[1, 2, 3]]);
    expect(L.zeros([3, 3]).scatterAdd(0, index, src).arraySync()).toEqual([
      [1, 0, 3],
      [0, 0, 0],
      [0, 2, 0],
    ]);
    // A zeros tensor written in place (copy_) is no longer all zeros: its values are added.
    const z = L.zeros([3, 3]);
    z.copy_(L.ones([3, 3]));
    expect(z.scatterAdd(0, index, src).arraySync()).toEqual([
      [2, 1, 4],
      [1, 1, 1],
      [1, 3, 1],
    ]);
    expect((L.full([3, 3], 2).scatterAdd(0, index, src).arraySync() as number[][])[0]).toEqual([3, 2, 5]);
  });
  it('row-indexed gather and scatterAdd (indexSelect, embedding gradients) equal the general path', () => {
    L.manualSeed(5);
    const table = L.randn([50, 40]);
    const ids = L.tensor([3, 0, 49, 3, 7], { dtype: 'int32' });
    const rowIndex = ids.reshape([5, 1]).expand([5, 40]); // one index per row: the row path
    const dense = rowIndex.contiguous(); // the same index with real strides: the general path
    expect(Array.from(table.gather(0, rowIndex).dataSync())).toEqual(
      Array.from(table.gather(0, dense).dataSync()),
    );
    expect(table.indexSelect(0, ids).arraySync()).toEqual(
      [3, 0, 49, 3, 7].map((r) => (table.arraySync() as number[][])[r]),
    );
    const g = L.randn([5, 40]);
    const a = L.zeros([50, 40]).scatterAdd(0, rowIndex, g).dataSync();
    const b = L.zeros([50, 40]).scatterAdd(0, dense, g).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    // Row 3 got two rows added.
    const row3 = (L.zeros([50, 40]).scatterAdd(0, rowIndex, g).arraySync() as number[][])[3]!;
    const gs = g.arraySync() as number[][];
    for (const [c, v] of row3.entries()) expect(v).toBeCloseTo(gs[0]![c]! + gs[3]![c]!, 6);
    // Narrow rows (under 32 columns) and out-of-range indices.
    const narrow = L.randn([4, 3]);
    const idx = L.tensor([2, 2, 0], { dtype: 'int32' }).reshape([3, 1]).expand([3, 3]);
    expect(Array.from(narrow.gather(0, idx).dataSync())).toEqual(
      Array.from(narrow.gather(0, idx.contiguous()).dataSync()),
    );
    const bad = L.tensor([4], { dtype: 'int32' }).reshape([1, 1]).expand([1, 3]);
    expect(() => narrow.gather(0, bad)).toThrow(/gather: index 4 is out of bounds for dim 0 with size 4/);
    expect(() => L.zeros([4, 3]).scatterAdd(0, bad, L.ones([1, 3]))).toThrow(
      /scatterAdd: index 4 is out of bounds for dim 0 with size 4/,
    );
  });
  it('to() moves between devices and back', async () => {
    const x = L.tensor([
      [1, 2],
      [3, 4],
    ]);
    const y = x.to(device);
    expect(y.device).toBe(device);
    const back = await y.mul(2).toAsync('cpu');
    expect(back.arraySync()).toEqual([
      [2, 4],
      [6, 8],
    ]);
  });
});

describe('generated code is up to date', () => {
  it('elementwise.generated.ts matches the op table', () => {
    const script = fileURLToPath(new URL('../scripts/gen-cpu-kernels.mjs', import.meta.url));
    expect(() => execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' })).not.toThrow();
  });
  it('wasm/modules.generated.ts is the AssemblyScript build of asm/*.ts', () => {
    const script = fileURLToPath(new URL('../scripts/build-wasm.mjs', import.meta.url));
    expect(() => execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});

describe('small API conveniences', () => {
  it('arange accepts options in place of end or step, as PyTorch keywords', () => {
    expect(L.arange(3, { dtype: 'float32' }).dtype).toBe('float32');
    expect(L.arange(1, 4, { dtype: 'float64' }).arraySync()).toEqual([1, 2, 3]);
    expect(L.arange(1, 4, { dtype: 'float64' }).dtype).toBe('float64');
  });
  it('webgpuAdapterInfo says what the backend runs on', () => {
    const info = L.webgpuAdapterInfo();
    if (L.webgpuAvailable()) {
      expect(typeof info!.emulated).toBe('boolean');
      expect(info!.maxBindingBytes).toBeGreaterThan(0);
      expect(info!.maxBufferBytes).toBeGreaterThanOrEqual(info!.maxBindingBytes);
    } else expect(info).toBeNull();
  });
});
