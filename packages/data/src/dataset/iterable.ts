import { defaultGenerator, Generator as Gen, type Generator } from '@lumen/tensor';
import { Column } from '../column/column.js';
import { describe, fail } from '../errors.js';
import { DataFrame } from '../frame/dataFrame.js';
import { Index } from '../frame/rowIndex.js';

/**
 * torch.utils.data.IterableDataset: a stream of samples read in order, with no length and no
 * random access (a file read in chunks, a socket, a generator). Subclass it with an
 * `[Symbol.asyncIterator]` (or `[Symbol.iterator]`) method, or make one with
 * `IterableDataset.from(() => source)`. A stream that yields DataFrames is a stream of chunks whose
 * rows are the samples: the DataLoader re-batches their rows into frames of `batchSize`.
 */
export abstract class IterableDataset<T> implements AsyncIterable<T> {
  abstract [Symbol.asyncIterator](): AsyncIterator<T>;

  /**
   * An iterable dataset over what `open()` returns, called once per pass, so every epoch reads
   * the source afresh: `IterableDataset.from(() => readCsv(path, { chunkSize: 10_000 }))`.
   */
  static from<T>(open: () => AsyncIterable<T> | Iterable<T>): IterableDataset<T> {
    if (typeof open !== 'function')
      fail(
        'IterableDataset.from',
        `open must be a function that returns a fresh iterable each pass, got ${describe(open)}`,
      );
    return new Reopened(open);
  }
}

class Reopened<T> extends IterableDataset<T> {
  constructor(private readonly opener: () => AsyncIterable<T> | Iterable<T>) {
    super();
  }
  /** This pass's source (a sync iterable can be read by a sync loop). */
  open(): AsyncIterable<T> | Iterable<T> {
    const src = this.opener();
    if (src === null || typeof src !== 'object' || !(Symbol.asyncIterator in src || Symbol.iterator in src)) {
      fail('IterableDataset.from', `open() must return an iterable or async iterable, got ${describe(src)}`);
    }
    return src;
  }
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    yield* this.open() as AsyncIterable<T>;
  }
}

/** The stream for one pass over an iterable dataset (IterableDataset.from opens its source afresh). */
export function openPass<T>(ds: AsyncIterable<T> | Iterable<T>): AsyncIterable<T> | Iterable<T> {
  return ds instanceof Reopened ? (ds as Reopened<T>).open() : ds;
}

/** A fresh generator for a pass: the caller's (continuing its stream) or one seeded from the default generator. */
export function passGenerator(gen: Generator | undefined): Generator {
  return gen ?? new Gen(defaultGenerator.nextUint32());
}

/** Rows of several frames with the same columns, one after another (labels kept). */
export function concatRows(parts: readonly DataFrame[]): DataFrame {
  const nonEmpty = parts.filter((p) => p.shape[0] > 0);
  if (nonEmpty.length === 1) return nonEmpty[0]!;
  if (nonEmpty.length === 0) return parts[0]!;
  const first = nonEmpty[0]!;
  const names = first.columns;
  const cols = names.map((n) => Column.concat(nonEmpty.map((p) => p.columnData(n))));
  const idx = nonEmpty.map((p) => p.index);
  let contiguous = idx.every((x) => x.isRange);
  for (let k = 1; k < idx.length && contiguous; k++)
    contiguous = idx[k]!.start === idx[k - 1]!.start + idx[k - 1]!.length;
  const rows = cols[0]?.length ?? idx.reduce((s, x) => s + x.length, 0);
  const index = contiguous
    ? Index.range(rows, idx[0]!.start)
    : Index.multi(
        idx[0]!.levels.map((_, l) => Column.concat(idx.map((x) => x.levels[l]!))),
        idx[0]!.names,
      );
  return DataFrame.of(names, cols, index);
}

/**
 * A shuffle buffer over rows of frames (torchdata's shuffle(buffer_size) without a JS object per
 * row): it holds at most `size` rows; each incoming row swaps with a random held row, which goes
 * out. Works a chunk at a time with index arrays: only the buffer and one chunk are in memory.
 */
export class FrameShuffleBuffer {
  private buffer: DataFrame | null = null;

  constructor(
    private readonly size: number,
    private readonly gen: Generator,
  ) {}

  /** Rows held now. */
  get held(): number {
    return this.buffer?.shape[0] ?? 0;
  }

  /** Takes a chunk in; returns the rows it pushes out, in the order they leave. */
  push(chunk: DataFrame): DataFrame {
    const b = this.held;
    const n = chunk.shape[0];
    const all = this.buffer === null ? chunk : concatRows([this.buffer, chunk]);
    const cap = this.size;
    const slots = new Int32Array(Math.min(cap, b + n));
    for (let i = 0; i < b; i++) slots[i] = i;
    let fill = b;
    const out = new Int32Array(Math.max(0, b + n - cap));
    let o = 0;
    for (let r = 0; r < n; r++) {
      const pos = b + r;
      if (fill < cap) slots[fill++] = pos;
      else {
        const j = this.gen.randint(0, cap);
        out[o++] = slots[j]!;
        slots[j] = pos;
      }
    }
    this.buffer = all.take(slots);
    return all.take(out);
  }

  /** The rows still held, in random order (the end of the stream). */
  flush(): DataFrame | null {
    const buf = this.buffer;
    this.buffer = null;
    if (buf === null || buf.shape[0] === 0) return null;
    return buf.take(this.gen.permutation(buf.shape[0]));
  }
}

/** The same for any items: an array of at most `size` items. */
export class ShuffleBuffer<T> {
  private readonly items: T[] = [];

  constructor(
    private readonly size: number,
    private readonly gen: Generator,
  ) {}

  get held(): number {
    return this.items.length;
  }

  /** Takes an item in; returns the one it pushes out, or `none` while the buffer fills. */
  push<N>(item: T, none: N): T | N {
    if (this.items.length < this.size) {
      this.items.push(item);
      return none;
    }
    const j = this.gen.randint(0, this.size);
    const out = this.items[j]!;
    this.items[j] = item;
    return out;
  }

  /** The items still held, in random order. */
  flush(): T[] {
    const perm = this.gen.permutation(this.items.length);
    const out = Array.from(perm, (p) => this.items[p]!);
    this.items.length = 0;
    return out;
  }
}

/** Cuts a stream of frames into frames of exactly `size` rows (the last may be short). */
export class FrameBatcher {
  private carry: DataFrame | null = null;

  constructor(private readonly size: number) {}

  /** Whole batches that `rows` completes. */
  push(rows: DataFrame): DataFrame[] {
    if (rows.shape[0] === 0) return [];
    const all = this.carry === null ? rows : concatRows([this.carry, rows]);
    const n = all.shape[0];
    const out: DataFrame[] = [];
    let at = 0;
    for (; at + this.size <= n; at += this.size) out.push(all.slice(at, at + this.size));
    this.carry = at < n ? all.slice(at, n) : null;
    return out;
  }

  /** The short batch left at the end, if any. */
  flush(): DataFrame | null {
    const c = this.carry;
    this.carry = null;
    return c;
  }
}
