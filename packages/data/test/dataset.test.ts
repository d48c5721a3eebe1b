import { Generator, manualSeed, type Tensor, tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import {
  BatchSampler,
  DataLoader,
  type Dataset,
  defaultCollate,
  RandomSampler,
  SequentialSampler,
  TensorDataset,
} from '../src/index.js';

const X = tensor(
  Float32Array.from({ length: 10 * 3 }, (_, i) => i),
  { shape: [10, 3] },
);
const y = tensor(
  Int32Array.from({ length: 10 }, (_, i) => i),
  { dtype: 'int32' },
);

describe('TensorDataset', () => {
  it('items are rows of every tensor', () => {
    const ds = new TensorDataset(X, y);
    expect(ds.length).toBe(10);
    const [x3, y3] = ds.get(3);
    expect(x3!.arraySync()).toEqual([9, 10, 11]);
    expect(y3!.itemSync()).toBe(3);
  });

  it('rejects tensors of different lengths, naming both shapes', () => {
    expect(() => new TensorDataset(X, tensor([1, 2]))).toThrow(
      'TensorDataset: size mismatch between tensors: tensor 0 has 10 samples (shape [10, 3]), tensor 1 has 2 (shape [2])',
    );
    expect(() => new TensorDataset(X).get(10)).toThrow(/index number 10 is out of range for 10 samples/);
  });
});

describe('samplers', () => {
  it('SequentialSampler and BatchSampler (dropLast) as torch', () => {
    expect([...new SequentialSampler(5)]).toEqual([0, 1, 2, 3, 4]);
    const b = new BatchSampler(new SequentialSampler(10), 3, false);
    expect([...b]).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
    expect(b.length).toBe(4);
    const d = new BatchSampler(new SequentialSampler(10), 3, true);
    expect([...d]).toEqual([
      [0, 1, 2],
      [3, 4, 5],
      [6, 7, 8],
    ]);
    expect(d.length).toBe(3);
    expect(() => new BatchSampler(new SequentialSampler(3), 0)).toThrow(
      'BatchSampler: batchSize should be a positive integer value, but got batchSize=number 0',
    );
  });

  it('RandomSampler: a permutation per pass, seeded, numSamples beyond the length chains passes', () => {
    const s = new RandomSampler(10, { generator: new Generator(1) });
    const a = [...s];
    const b = [...s];
    expect([...a].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(a).not.toEqual(b); // the generator moves on between passes
    expect([...new RandomSampler(10, { generator: new Generator(1) })]).toEqual(a);
    const long = [...new RandomSampler(4, { numSamples: 10, generator: new Generator(2) })];
    expect(long.length).toBe(10);
    expect([...long.slice(0, 4)].sort()).toEqual([0, 1, 2, 3]);
    expect([...long.slice(4, 8)].sort()).toEqual([0, 1, 2, 3]);
    const rep = [...new RandomSampler(3, { replacement: true, numSamples: 50, generator: new Generator(3) })];
    expect(rep.length).toBe(50);
    expect(rep.every((v) => v >= 0 && v < 3)).toBe(true);
    expect(() => new RandomSampler(3, { numSamples: 0 })).toThrow(
      /numSamples should be a positive integer value/,
    );
  });

  it('without a generator, manualSeed makes the order repeatable', () => {
    manualSeed(5);
    const a = [...new RandomSampler(20)];
    manualSeed(5);
    expect([...new RandomSampler(20)]).toEqual(a);
  });
});

describe('DataLoader', () => {
  it('batches of a TensorDataset are stacked rows, in order without shuffle', () => {
    const dl = new DataLoader(new TensorDataset(X, y), { batchSize: 4 });
    expect(dl.length).toBe(3);
    const batches = [...dl];
    expect(batches.map(([xb]) => xb!.shape)).toEqual([
      [4, 3],
      [4, 3],
      [2, 3],
    ]);
    expect(Array.from(batches[2]![1]!.dataSync())).toEqual([8, 9]);
    expect(batches[0]![0]!.arraySync()).toEqual(X.slice(0, 0, 4).arraySync() as number[][]);
    expect([...new DataLoader(new TensorDataset(X, y), { batchSize: 4, dropLast: true })].length).toBe(2);
  });

  it('shuffle visits every item once per pass, differently each pass', () => {
    const dl = new DataLoader(new TensorDataset(y), {
      batchSize: 3,
      shuffle: true,
      generator: new Generator(9),
    });
    const pass = (): number[] => [...dl].flatMap(([yb]) => Array.from(yb!.dataSync()));
    const a = pass();
    const b = pass();
    expect([...a].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(a).not.toEqual(b);
  });

  it('default collate: numbers, tuples and objects as torch default_collate', () => {
    const ds: Dataset<{ x: number[]; label: number; name: string }> = {
      length: 4,
      get: (i) => ({ x: [i, i + 0.5], label: i % 2, name: `n${i}` }),
    };
    const [batch] = [...new DataLoader(ds, { batchSize: 4 })];
    expect(batch!.label.dtype).toBe('int32');
    expect(Array.from(batch!.label.dataSync())).toEqual([0, 1, 0, 1]);
    expect(Array.from(batch!.x[1]!.dataSync())).toEqual([0.5, 1.5, 2.5, 3.5]);
    expect(batch!.name).toEqual(['n0', 'n1', 'n2', 'n3']);
    const t = defaultCollate([tensor([1, 2]), tensor([3, 4])]);
    expect(t.arraySync()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(() => defaultCollate([tensor([1, 2]), tensor([3])])).toThrow(/same shape/);
  });

  it('a custom collateFn receives the items', () => {
    const dl = new DataLoader(new TensorDataset(y), { batchSize: 5, collateFn: (items) => items.length });
    expect([...dl]).toEqual([5, 5]);
  });

  it('for await reads async datasets, with the next batch prepared ahead', async () => {
    const calls: number[] = [];
    const ds: Dataset<number> = {
      length: 6,
      get: async (i) => {
        calls.push(i);
        return i;
      },
    };
    const dl = new DataLoader(ds, { batchSize: 2, prefetch: 1 });
    const seen: number[][] = [];
    for await (const b of dl) {
      const before = calls.length;
      await new Promise((r) => setTimeout(r, 5)); // the loop body awaits (a GPU read, say)
      // the next batch's items were requested while we waited
      if (seen.length < 2) expect(calls.length).toBe(before + 2);
      seen.push(Array.from((b as Tensor).dataSync()));
    }
    expect(seen).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(() => [...dl]).toThrow(
      'DataLoader: the dataset returns Promises; iterate with `for await (const batch of loader)`',
    );
  });

  it('for await without prefetch reads lazily; errors surface at the batch', async () => {
    const ds: Dataset<number> = {
      length: 4,
      get: (i) => {
        if (i === 3) throw new Error('bad item 3');
        return i;
      },
    };
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const b of new DataLoader(ds, { batchSize: 2, prefetch: 0 }))
          got.push(...Array.from((b as Tensor).dataSync()));
      })(),
    ).rejects.toThrow('bad item 3');
    expect(got).toEqual([0, 1]);
  });

  it('option conflicts as torch reports them', () => {
    const ds = new TensorDataset(y);
    expect(() => new DataLoader(ds, { shuffle: true, sampler: new SequentialSampler(ds) })).toThrow(
      'DataLoader: sampler option is mutually exclusive with shuffle',
    );
    expect(() => new DataLoader(ds, { batchSize: 2, batchSampler: [[0, 1]] })).toThrow(
      /batchSampler option is mutually exclusive with batchSize, shuffle, sampler, and dropLast/,
    );
    expect(
      [...new DataLoader(ds, { batchSampler: [[0, 1], [5]] })].map(([t]) => Array.from(t!.dataSync())),
    ).toEqual([[0, 1], [5]]);
  });
});
