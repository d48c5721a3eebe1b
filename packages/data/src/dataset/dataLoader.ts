import type { Generator } from '@lumen/tensor';
import { describe, fail } from '../errors.js';
import { checkOptions } from '../options.js';
import { type Collated, defaultCollate } from './collate.js';
import type { Dataset } from './dataset.js';
import { BatchSampler, RandomSampler, type Sampler, SequentialSampler } from './samplers.js';

export interface DataLoaderOptions<T, B> {
  /** Items per batch (default 1). */
  batchSize?: number;
  /** A fresh random order every pass (a RandomSampler). */
  shuffle?: boolean;
  /** Where the positions come from (exclusive with shuffle). */
  sampler?: Sampler<number> | Iterable<number>;
  /** Whole batches of positions (exclusive with batchSize, shuffle, sampler, dropLast). */
  batchSampler?: Sampler<number[]> | Iterable<number[]>;
  /** Drop the last, short batch. */
  dropLast?: boolean;
  /** Turns a list of items into a batch (default: defaultCollate, or the dataset's getBatch). */
  collateFn?: (items: T[]) => B;
  /** Random stream for shuffle. */
  generator?: Generator;
  /** Batches prepared ahead by `for await` (default 1). */
  prefetch?: number;
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
export class DataLoader<T, B = Collated<T>> implements Iterable<B>, AsyncIterable<B> {
  readonly dataset: Dataset<T>;
  readonly batchSize: number | null;
  readonly dropLast: boolean;
  readonly sampler: Sampler<number> | Iterable<number>;
  readonly batchSampler: Sampler<number[]> | Iterable<number[]>;
  readonly prefetch: number;
  private readonly collateFn: ((items: T[]) => B) | undefined;

  constructor(dataset: Dataset<T>, opts: DataLoaderOptions<T, B> = {}) {
    if (
      dataset === null ||
      typeof dataset !== 'object' ||
      typeof dataset.get !== 'function' ||
      typeof dataset.length !== 'number'
    ) {
      fail('DataLoader', `dataset must have a length and a get(index) method, got ${describe(dataset)}`);
    }
    checkOptions('DataLoader', opts, [
      'batchSize',
      'shuffle',
      'sampler',
      'batchSampler',
      'dropLast',
      'collateFn',
      'generator',
      'prefetch',
    ]);
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
    this.dataset = dataset;
    this.dropLast = opts.dropLast ?? false;
    this.sampler =
      opts.sampler ??
      (opts.shuffle
        ? new RandomSampler(dataset, { generator: opts.generator })
        : new SequentialSampler(dataset));
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
    const len = (this.batchSampler as { length?: unknown }).length;
    if (typeof len !== 'number') fail('DataLoader.length', 'the batch sampler has no length');
    return len;
  }

  private batchFrom(indices: number[], items: T[] | null): B {
    if (items === null) return this.dataset.getBatch!(indices) as unknown as B;
    return this.collateFn ? this.collateFn(items) : (defaultCollate(items) as B);
  }

  private useGetBatch(): boolean {
    return this.collateFn === undefined && typeof this.dataset.getBatch === 'function';
  }

  *[Symbol.iterator](): Iterator<B> {
    const fast = this.useGetBatch();
    for (const indices of this.batchSampler) {
      if (fast) {
        yield this.batchFrom(indices, null);
        continue;
      }
      const items = indices.map((i) => {
        const item = this.dataset.get(i);
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
            Promise.all(indices.map((i) => this.dataset.get(i)))
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
}
