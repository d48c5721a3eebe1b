import { Generator } from '@lumen/tensor';
import { describe, fail } from '../errors.js';
import { DataFrame } from '../frame/dataFrame.js';
import { checkOptions } from '../options.js';
import { type Collated, defaultCollate } from './collate.js';
import type { Dataset } from './dataset.js';
import {
  FrameBatcher,
  FrameShuffleBuffer,
  IterableDataset,
  openPass,
  passGenerator,
  ShuffleBuffer,
} from './iterable.js';
import { BatchSampler, RandomSampler, type Sampler, SequentialSampler } from './samplers.js';

/** What a DataLoader yields by default: a DataFrame of the batch's rows for frame sources, else defaultCollate's batch. */
export type Batch<T> = [T] extends [DataFrame] ? DataFrame : Collated<T>;

/** torchdata's default shuffle buffer (buffer_size=10000). */
const DEFAULT_BUFFER_SIZE = 10_000;

export interface DataLoaderOptions<T, B> {
  /** Items per batch (default 1). */
  batchSize?: number;
  /**
   * A fresh random order every pass: a RandomSampler over a map-style dataset; over an
   * IterableDataset a shuffle buffer of `bufferSize` samples (each incoming sample swaps with a
   * random held one, which goes out).
   */
  shuffle?: boolean;
  /** Samples the shuffle buffer of an IterableDataset holds (default 10,000, as torchdata). */
  bufferSize?: number;
  /** Where the positions come from (exclusive with shuffle). */
  sampler?: Sampler<number> | Iterable<number>;
  /** Whole batches of positions (exclusive with batchSize, shuffle, sampler, dropLast). */
  batchSampler?: Sampler<number[]> | Iterable<number[]>;
  /** Drop the last, short batch. */
  dropLast?: boolean;
  /** Turns a list of items into a batch (default: defaultCollate, or the dataset's getBatch). */
  collateFn?: (items: T[]) => B;
  /** Random stream for shuffle (seed it for a repeatable order; passes continue its stream). */
  generator?: Generator;
  /** Batches prepared ahead by `for await` over a map-style dataset (default 1). */
  prefetch?: number;
}

type Stream<T> = AsyncIterable<T> | Iterable<T>;

function isStream(x: unknown): x is Stream<unknown> {
  return x !== null && typeof x === 'object' && (Symbol.asyncIterator in x || Symbol.iterator in x);
}

/** Rows of a frame as a map-style dataset: batches are taken by position, column by column. */
class FrameDataset implements Dataset<DataFrame> {
  constructor(readonly frame: DataFrame) {}
  get length(): number {
    return this.frame.shape[0];
  }
  get(index: number): DataFrame {
    return this.frame.iloc([index]);
  }
  getBatch(indices: readonly number[]): DataFrame {
    return this.frame.take(Int32Array.from(indices));
  }
}

type Scheduler = (fn: () => void) => void;
const schedule: Scheduler =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
    ? (fn) => (globalThis as unknown as { setImmediate: (f: () => void) => void }).setImmediate(fn)
    : (fn) => setTimeout(fn, 0);

/**
 * torch.utils.data.DataLoader: batches of a dataset, as `for (const batch of loader)` or, with
 * prefetch (and for datasets whose `get` is async), `for await (const batch of loader)`. Batches
 * of a TensorDataset are read with one indexSelect per tensor, so they stay on the tensors'
 * device; other items go through `collateFn` (torch's default_collate by default).
 */
export class DataLoader<T = DataFrame, B = Batch<T>> implements Iterable<B>, AsyncIterable<B> {
  readonly dataset: Dataset<T> | IterableDataset<T>;
  readonly batchSize: number | null;
  readonly dropLast: boolean;
  readonly sampler: Sampler<number> | Iterable<number>;
  readonly batchSampler: Sampler<number[]> | Iterable<number[]>;
  readonly prefetch: number;
  private readonly collateFn: ((items: T[]) => B) | undefined;
  /** An iterable dataset's stream, with its shuffle settings (null for a map-style dataset). */
  private readonly stream: {
    source: Stream<T>;
    shuffle: boolean;
    bufferSize: number;
    generator: Generator | undefined;
    /** A bare iterator (not reopened each pass) has been read. */
    used: boolean;
  } | null = null;

  /**
   * `dataset` is a map-style Dataset (a length and `get(i)`), a DataFrame (batches are DataFrames
   * of the batch's rows, taken column by column: no object per row), or an IterableDataset (any
   * iterable or async iterable; one of DataFrames, such as `readCsv(path, { chunkSize })`, gives
   * batches of their rows).
   */
  constructor(
    dataset: Dataset<T> | IterableDataset<T> | Stream<T> | DataFrame,
    opts: DataLoaderOptions<T, B> = {},
  ) {
    checkOptions('DataLoader', opts, [
      'batchSize',
      'shuffle',
      'bufferSize',
      'sampler',
      'batchSampler',
      'dropLast',
      'collateFn',
      'generator',
      'prefetch',
    ]);
    const frame = dataset instanceof DataFrame;
    if (frame) dataset = new FrameDataset(dataset as DataFrame) as unknown as Dataset<T>;
    const mapStyle =
      dataset !== null &&
      typeof dataset === 'object' &&
      typeof (dataset as Dataset<T>).get === 'function' &&
      typeof (dataset as Dataset<T>).length === 'number';
    if (!mapStyle && !(dataset instanceof IterableDataset) && !isStream(dataset)) {
      fail(
        'DataLoader',
        `dataset must be a Dataset (a length and a get(index) method), a DataFrame, or an IterableDataset (an iterable or async iterable of samples); got ${describe(dataset)}`,
      );
    }
    if (opts.shuffle !== undefined && typeof opts.shuffle !== 'boolean')
      fail('DataLoader', `shuffle must be a boolean, got ${describe(opts.shuffle)}`);
    if (opts.generator !== undefined && !(opts.generator instanceof Generator))
      fail('DataLoader', `generator must be a Generator from @lumen/tensor, got ${describe(opts.generator)}`);
    if (opts.bufferSize !== undefined) {
      if (mapStyle)
        fail(
          'DataLoader',
          'bufferSize applies to an IterableDataset; a map-style dataset (or DataFrame) is shuffled whole by its sampler',
        );
      if (!opts.shuffle) fail('DataLoader', 'bufferSize only applies with shuffle: true');
      if (!(Number.isInteger(opts.bufferSize) && opts.bufferSize > 0))
        fail('DataLoader', `bufferSize must be a positive integer, got ${describe(opts.bufferSize)}`);
    }
    if (frame && opts.collateFn !== undefined)
      fail(
        'DataLoader',
        'a DataFrame gives each batch as a DataFrame of its rows (no object per row), so there is nothing to collate: drop collateFn and convert the batch in the loop (batch.toTensor())',
      );
    if (!mapStyle) {
      if (opts.sampler !== undefined || opts.batchSampler !== undefined)
        fail(
          'DataLoader',
          'an IterableDataset has no positions to sample: the sampler and batchSampler options need a map-style dataset (as in PyTorch); use shuffle with bufferSize',
        );
      const batchSize = opts.batchSize ?? 1;
      if (!Number.isInteger(batchSize) || batchSize <= 0)
        fail(
          'DataLoader',
          `batchSize should be a positive integer value, but got batchSize=${describe(opts.batchSize)}`,
        );
      if (opts.dropLast !== undefined && typeof opts.dropLast !== 'boolean')
        fail('DataLoader', `dropLast should be a boolean value, but got dropLast=${describe(opts.dropLast)}`);
      if (opts.collateFn !== undefined && typeof opts.collateFn !== 'function')
        fail('DataLoader', `collateFn must be a function, got ${describe(opts.collateFn)}`);
      this.dataset = dataset as IterableDataset<T>;
      this.batchSize = batchSize;
      this.dropLast = opts.dropLast ?? false;
      this.sampler = [];
      this.batchSampler = [];
      this.collateFn = opts.collateFn;
      this.prefetch = 0;
      this.stream = {
        source: dataset as Stream<T>,
        shuffle: opts.shuffle ?? false,
        bufferSize: opts.bufferSize ?? DEFAULT_BUFFER_SIZE,
        generator: opts.generator,
        used: false,
      };
      return;
    }
    const mapped = dataset as Dataset<T>;
    if (opts.batchSampler !== undefined) {
      if (opts.batchSize !== undefined || opts.shuffle || opts.sampler !== undefined || opts.dropLast) {
        fail(
          'DataLoader',
          'batchSampler option is mutually exclusive with batchSize, shuffle, sampler, and dropLast',
        );
      }
    }
    if (opts.sampler !== undefined && opts.shuffle)
      fail('DataLoader', 'sampler option is mutually exclusive with shuffle');
    if (opts.collateFn !== undefined && typeof opts.collateFn !== 'function')
      fail('DataLoader', `collateFn must be a function, got ${describe(opts.collateFn)}`);
    const prefetch = opts.prefetch ?? 1;
    if (!Number.isInteger(prefetch) || prefetch < 0)
      fail('DataLoader', `prefetch must be an integer >= 0, got ${describe(opts.prefetch)}`);
    this.dataset = mapped;
    this.dropLast = opts.dropLast ?? false;
    this.sampler =
      opts.sampler ??
      (opts.shuffle
        ? new RandomSampler(mapped, { generator: opts.generator })
        : new SequentialSampler(mapped));
    if (opts.batchSampler !== undefined) {
      this.batchSize = null;
      this.batchSampler = opts.batchSampler;
    } else {
      this.batchSize = opts.batchSize ?? 1;
      this.batchSampler = new BatchSampler(this.sampler, this.batchSize, this.dropLast);
    }
    this.collateFn = opts.collateFn;
    this.prefetch = prefetch;
  }

  /** Number of batches per pass. */
  get length(): number {
    if (this.stream !== null)
      fail(
        'DataLoader.length',
        'an IterableDataset has no length: the number of batches is known only at the end of a pass',
      );
    const len = (this.batchSampler as { length?: unknown }).length;
    if (typeof len !== 'number') fail('DataLoader.length', 'the batch sampler has no length');
    return len;
  }

  private batchFrom(indices: number[], items: T[] | null): B {
    if (items === null) return (this.dataset as Dataset<T>).getBatch!(indices) as unknown as B;
    return this.collateFn ? this.collateFn(items) : (defaultCollate(items) as B);
  }

  private useGetBatch(): boolean {
    return this.collateFn === undefined && typeof (this.dataset as Dataset<T>).getBatch === 'function';
  }

  *[Symbol.iterator](): Iterator<B> {
    if (this.stream !== null) {
      const src = this.open();
      if (!(Symbol.iterator in src))
        fail('DataLoader', 'the dataset is asynchronous; iterate with `for await (const batch of loader)`');
      const pipe = this.pipeline();
      for (const item of src as Iterable<T>) yield* pipe.push(item);
      yield* pipe.end();
      return;
    }
    const fast = this.useGetBatch();
    for (const indices of this.batchSampler) {
      if (fast) {
        yield this.batchFrom(indices, null);
        continue;
      }
      const items = indices.map((i) => {
        const item = (this.dataset as Dataset<T>).get(i);
        if (item instanceof Promise)
          fail(
            'DataLoader',
            'the dataset returns Promises; iterate with `for await (const batch of loader)`',
          );
        return item;
      });
      yield this.batchFrom(indices, items);
    }
  }

  /**
   * Batches with the next `prefetch` ones prepared in later macrotasks, so they are built while
   * the loop body awaits (a GPU read, an async dataset).
   */
  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    if (this.stream !== null) {
      const src = this.open();
      const pipe = this.pipeline();
      for await (const item of src as AsyncIterable<T>) yield* pipe.push(item);
      yield* pipe.end();
      return;
    }
    const fast = this.useGetBatch();
    const batches = this.batchSampler[Symbol.iterator]();
    const queue: Promise<B>[] = [];
    const produce = (indices: number[]): Promise<B> =>
      new Promise<B>((resolve, reject) => {
        schedule(() => {
          try {
            if (fast) {
              resolve(this.batchFrom(indices, null));
              return;
            }
            Promise.all(indices.map((i) => (this.dataset as Dataset<T>).get(i)))
              .then((items) => this.batchFrom(indices, items))
              .then(resolve, reject);
          } catch (e) {
            reject(e);
          }
        });
      });
    const fill = (target: number): void => {
      while (queue.length < target) {
        const next = batches.next();
        if (next.done) return;
        const p = produce(next.value);
        p.catch(() => {}); // a rejection surfaces when that batch is awaited
        queue.push(p);
      }
    };
    for (;;) {
      if (queue.length === 0) fill(1);
      if (queue.length === 0) return;
      const batch = await queue.shift()!;
      fill(this.prefetch); // built while the loop body works on `batch`
      yield batch;
    }
  }

  /** The iterable dataset's stream for one pass (a bare iterator can be read once). */
  private open(): Stream<T> {
    const st = this.stream!;
    const src = openPass(st.source);
    if (src === st.source && !(src instanceof IterableDataset)) {
      const it =
        Symbol.asyncIterator in src
          ? (src as AsyncIterable<T>)[Symbol.asyncIterator]()
          : (src as Iterable<T>)[Symbol.iterator]();
      if ((it as unknown) === src) {
        if (st.used)
          fail(
            'DataLoader',
            'the dataset is an iterator that the last pass used up; pass IterableDataset.from(() => readCsv(path, { chunkSize })) (a function that opens the source) to read it again each pass',
          );
        st.used = true;
      }
    }
    return src;
  }

  /**
   * One pass over an iterable dataset: samples (or frames of rows) go through the shuffle
   * buffer, then into batches. Frames stay frames: rows are moved by index arrays, column by column.
   */
  private pipeline(): { push(item: T): B[]; end(): B[] } {
    const st = this.stream!;
    const size = this.batchSize!;
    const gen = st.shuffle ? passGenerator(st.generator) : null;
    let mode: 'frames' | 'items' | null = null;
    const frameBatcher = new FrameBatcher(size);
    const frameShuffle = gen ? new FrameShuffleBuffer(st.bufferSize, gen) : null;
    const itemShuffle = gen ? new ShuffleBuffer<T>(st.bufferSize, gen) : null;
    let items: T[] = [];
    const NONE = Symbol('none');
    const collate = (batch: T[]): B =>
      this.collateFn ? this.collateFn(batch) : (defaultCollate(batch) as B);
    const frames = (df: DataFrame): B[] => frameBatcher.push(df) as unknown as B[];
    const addItem = (x: T, out: B[]): void => {
      items.push(x);
      if (items.length === size) {
        out.push(collate(items));
        items = [];
      }
    };
    return {
      push: (item: T): B[] => {
        const isFrame = item instanceof DataFrame;
        if (mode === null) {
          mode = isFrame ? 'frames' : 'items';
          if (isFrame && this.collateFn !== undefined)
            fail(
              'DataLoader',
              'the dataset yields DataFrames, whose rows are batched as DataFrames (no object per row): drop collateFn and convert the batch in the loop (batch.toTensor())',
            );
        } else if ((mode === 'frames') !== isFrame) {
          fail(
            'DataLoader',
            `the dataset yielded ${mode === 'frames' ? 'DataFrames' : 'samples'} and then ${describe(item)}; a stream is either DataFrames (chunks of rows) or samples`,
          );
        }
        if (mode === 'frames') {
          const df = item as unknown as DataFrame;
          return frames(frameShuffle ? frameShuffle.push(df) : df);
        }
        const out: B[] = [];
        if (itemShuffle) {
          const x = itemShuffle.push(item, NONE);
          if (x !== NONE) addItem(x as T, out);
        } else addItem(item, out);
        return out;
      },
      end: (): B[] => {
        if (mode === 'frames') {
          const rest = frameShuffle?.flush() ?? null;
          const out = rest === null ? [] : frames(rest);
          const last = frameBatcher.flush();
          if (last !== null && !this.dropLast) out.push(last as unknown as B);
          return out;
        }
        const out: B[] = [];
        if (itemShuffle) for (const x of itemShuffle.flush()) addItem(x, out);
        if (items.length > 0 && !this.dropLast) out.push(collate(items));
        items = [];
        return out;
      },
    };
  }
}
