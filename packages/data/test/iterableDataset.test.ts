import { Generator, Tensor } from '@lumen/tensor';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Column } from '../src/column/column.js';
import { DataFrame, DataLoader, IterableDataset, readCsv, readParquet, writeParquet } from '../src/index.js';

// PyTorch's IterableDataset through the DataLoader: chunks of rows (readCsv/readParquet) shuffled
// inside a bounded buffer, batched as frames; a DataFrame as a map-style dataset without per-row objects.

afterEach(() => {
  vi.restoreAllMocks();
});

const N = 1000;
const csv = `id,x,name\n${Array.from({ length: N }, (_, i) => `${i},${i / 4},n${i}`).join('\n')}\n`;

/** Row labels of every batch of one pass, and the batch sizes. */
async function pass(
  loader: DataLoader<DataFrame>,
  labelled = true,
): Promise<{ labels: number[]; sizes: number[] }> {
  const labels: number[] = [];
  const sizes: number[] = [];
  for await (const b of loader) {
    expect(b).toBeInstanceOf(DataFrame);
    sizes.push(b.shape[0]);
    const ids = b.col('id').toArray() as number[];
    // the row's cells travel together: x and name belong to the same id
    expect(b.col('x').toArray()).toEqual(ids.map((i) => i / 4));
    expect(b.col('name').toArray()).toEqual(ids.map((i) => `n${i}`));
    if (labelled) expect(b.index.toArray()).toEqual(ids); // readCsv's chunks keep their row labels
    labels.push(...ids);
  }
  return { labels, sizes };
}

const everyRowOnce = (labels: number[]): void => {
  expect(labels.length).toBe(N);
  expect([...labels].sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i));
};

describe('DataLoader over an IterableDataset of chunks', () => {
  const chunks = IterableDataset.from(() => readCsv(csv, { chunkSize: 64 }));

  it('in order without shuffle: batches of batchSize, the last one short unless dropLast', async () => {
    const { labels, sizes } = await pass(new DataLoader(chunks, { batchSize: 30 }));
    expect(labels).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(sizes).toEqual([...Array(33).fill(30), 10]);
    const dropped = await pass(new DataLoader(chunks, { batchSize: 30, dropLast: true }));
    expect(dropped.sizes).toEqual(Array(33).fill(30));
  });

  it('shuffled: every row exactly once per epoch, a new order each epoch', async () => {
    const loader = new DataLoader(chunks, {
      batchSize: 32,
      shuffle: true,
      bufferSize: 100,
      generator: new Generator(7),
    });
    const a = await pass(loader);
    const b = await pass(loader);
    everyRowOnce(a.labels);
    everyRowOnce(b.labels);
    expect(a.sizes).toEqual([...Array(31).fill(32), 8]);
    expect(a.labels).not.toEqual(b.labels); // the generator's stream goes on
  });

  it('the order follows the seed', async () => {
    const order = async (seed: number) =>
      (
        await pass(
          new DataLoader(chunks, {
            batchSize: 50,
            shuffle: true,
            bufferSize: 200,
            generator: new Generator(seed),
          }),
        )
      ).labels;
    const [one, again, two] = [await order(1), await order(1), await order(2)];
    expect(one).toEqual(again);
    expect(one).not.toEqual(two);
    everyRowOnce(two);
  });

  it('the buffer is bounded: a row leaves at most bufferSize places early, and at most a buffer, a chunk and a batch are held', async () => {
    const bufferSize = 100;
    const chunkSize = 64;
    const batchSize = 16;
    let pulled = 0;
    const ds = IterableDataset.from(async function* () {
      for await (const c of readCsv(csv, { chunkSize })) {
        pulled += c.shape[0];
        yield c;
      }
    });
    let out = 0;
    let maxHeld = 0;
    const labels: number[] = [];
    for await (const b of new DataLoader(ds, {
      batchSize,
      shuffle: true,
      bufferSize,
      generator: new Generator(3),
    })) {
      out += b.shape[0];
      maxHeld = Math.max(maxHeld, pulled - out);
      labels.push(...(b.col('id').toArray() as number[]));
    }
    everyRowOnce(labels);
    expect(maxHeld).toBeLessThanOrEqual(bufferSize + chunkSize + batchSize);
    // the row at output position p was read among the first p + bufferSize + 1 rows
    labels.forEach((id, p) => {
      expect(id).toBeLessThanOrEqual(p + bufferSize);
    });
    // and it does shuffle across chunk boundaries
    expect(labels.slice(0, 200).some((id, p) => Math.abs(id - p) > chunkSize)).toBe(true);
  });

  it('over readParquet batches too', async () => {
    const df = await readCsv(csv);
    const bytes = (await writeParquet(df, undefined, { rowGroupSize: 300 }))!;
    const ds = IterableDataset.from(() => readParquet(bytes, { batchSize: 128 }));
    // readParquet labels each batch from 0 (as pyarrow's iter_batches → to_pandas), so only the ids are checked
    const loader = new DataLoader(ds, {
      batchSize: 64,
      shuffle: true,
      bufferSize: 256,
      generator: new Generator(0),
    });
    const { labels } = await pass(loader, false);
    everyRowOnce(labels);
  });

  it('a bare iterator reads once; the second pass says how to reopen it', async () => {
    const loader = new DataLoader(readCsv(csv, { chunkSize: 100 }), { batchSize: 500 });
    expect((await pass(loader)).sizes).toEqual([500, 500]);
    await expect(pass(loader)).rejects.toThrow(
      'DataLoader: the dataset is an iterator that the last pass used up; pass IterableDataset.from(() => readCsv(path, { chunkSize })) (a function that opens the source) to read it again each pass',
    );
  });
});

describe('DataLoader over an IterableDataset of samples', () => {
  class Counter extends IterableDataset<number> {
    *[Symbol.iterator](): IterableIterator<number> {
      for (let i = 0; i < 100; i++) yield i;
    }
    async *[Symbol.asyncIterator](): AsyncIterator<number> {
      yield* this[Symbol.iterator]();
    }
  }

  it('batches collate as torch does; shuffle keeps every sample once; sync loops work for sync sources', () => {
    const batches = [
      ...new DataLoader(new Counter(), {
        batchSize: 8,
        shuffle: true,
        bufferSize: 10,
        generator: new Generator(5),
      }),
    ];
    expect(batches[0]).toBeInstanceOf(Tensor);
    const all = batches.flatMap((b) => Array.from(b.dataSync()));
    expect(all.length).toBe(100);
    expect([...all].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(all).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    all.forEach((v, p) => {
      expect(v).toBeLessThanOrEqual(p + 10);
    });
    const lens = [
      ...new DataLoader(
        IterableDataset.from(() => [1, 2, 3, 4, 5]),
        { batchSize: 2, collateFn: (xs) => xs.length },
      ),
    ];
    expect(lens).toEqual([2, 2, 1]);
  });

  it('an async source needs for await', () => {
    const ds = IterableDataset.from(() => readCsv(csv, { chunkSize: 10 }));
    expect(() => [...new DataLoader(ds)]).toThrow(
      'DataLoader: the dataset is asynchronous; iterate with `for await (const batch of loader)`',
    );
  });
});

describe('DataLoader over a DataFrame', () => {
  it('batches are frames taken column by column: no object per row or cell', () => {
    const df = new DataFrame({
      a: Float64Array.from({ length: 103 }, (_, i) => i),
      b: Array.from({ length: 103 }, (_, i) => `s${i}`),
    });
    const get = vi.spyOn(Column.prototype, 'get');
    const iloc = vi.spyOn(DataFrame.prototype, 'iloc');
    const batches = [...new DataLoader(df, { batchSize: 10, shuffle: true, generator: new Generator(1) })];
    expect(get).not.toHaveBeenCalled();
    expect(iloc).not.toHaveBeenCalled();
    vi.restoreAllMocks();
    expect(batches.map((b) => b.shape[0])).toEqual([...Array(10).fill(10), 3]);
    const a = batches.flatMap((b) => b.col('a').toArray() as number[]);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 103 }, (_, i) => i));
    expect(batches[0]!.col('b').toArray()).toEqual(
      (batches[0]!.col('a').toArray() as number[]).map((i) => `s${i}`),
    );
  });
});

describe('DataLoader option checks for iterable datasets', () => {
  const ds = IterableDataset.from(() => [1, 2, 3]);
  const df = new DataFrame({ a: [1, 2] });
  it('names the option, what was expected and what came', () => {
    expect(() => new DataLoader(ds, { bufferSize: 10 })).toThrow(
      'DataLoader: bufferSize only applies with shuffle: true',
    );
    expect(() => new DataLoader(ds, { shuffle: true, bufferSize: 0 })).toThrow(
      'DataLoader: bufferSize must be a positive integer, got number 0',
    );
    expect(() => new DataLoader(df, { shuffle: true, bufferSize: 10 })).toThrow(
      'DataLoader: bufferSize applies to an IterableDataset; a map-style dataset (or DataFrame) is shuffled whole by its sampler',
    );
    expect(() => new DataLoader(ds, { sampler: [0, 1] })).toThrow(
      /an IterableDataset has no positions to sample/,
    );
    expect(() => new DataLoader(df, { collateFn: (x) => x })).toThrow(
      /a DataFrame gives each batch as a DataFrame/,
    );
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(
      'DataLoader: batchSize should be a positive integer value, but got batchSize=number 0',
    );
    expect(() => new DataLoader(ds).length).toThrow(/DataLoader.length: an IterableDataset has no length/);
    expect(() => new DataLoader(42 as never)).toThrow(
      /DataLoader: dataset must be a Dataset .* got number 42/,
    );
    expect(() => new DataLoader(ds, { buffer_size: 3 } as never)).toThrow(/did you mean `bufferSize`/);
    expect(() => IterableDataset.from([1, 2] as never)).toThrow(
      'IterableDataset.from: open must be a function that returns a fresh iterable each pass, got array(length 2)',
    );
  });

  it('a stream that mixes frames and samples is an error', async () => {
    const mixed = IterableDataset.from<unknown>(() => [df, 1]);
    await expect(async () => {
      for await (const _ of new DataLoader(mixed)) {
        // drain
      }
    }).rejects.toThrow(
      'DataLoader: the dataset yielded DataFrames and then number 1; a stream is either DataFrames (chunks of rows) or samples',
    );
  });
});
