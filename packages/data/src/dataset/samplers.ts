import { defaultGenerator, Generator } from '@lumen/tensor';
import { describe, fail } from '../errors.js';
import { checkOptions } from '../options.js';

/** Anything with a length: a dataset or a plain count. */
export type Sized = { readonly length: number } | number;

function sizeOf(op: string, source: Sized): number {
  const n = typeof source === 'number' ? source : source?.length;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
    fail(op, `dataSource must be a dataset (with a length) or a count, got ${describe(source)}`);
  return n;
}

/** torch's Sampler: an iterable of dataset positions with a length. */
export interface Sampler<T = number> extends Iterable<T> {
  readonly length: number;
}

/** Positions 0, 1, …, n-1 in order. */
export class SequentialSampler implements Sampler<number> {
  private readonly source: Sized;
  constructor(dataSource: Sized) {
    sizeOf('SequentialSampler', dataSource);
    this.source = dataSource;
  }
  get length(): number {
    return sizeOf('SequentialSampler', this.source);
  }
  *[Symbol.iterator](): Iterator<number> {
    const n = this.length;
    for (let i = 0; i < n; i++) yield i;
  }
}

export interface RandomSamplerOptions {
  /** Draw with replacement (then numSamples may be anything). */
  replacement?: boolean;
  /** Positions per pass (default: the dataset's length). */
  numSamples?: number;
  /** The random stream; by default each pass draws a fresh seed from @lumen/tensor's default generator (so manualSeed makes it repeatable). */
  generator?: Generator;
}

/**
 * torch's RandomSampler: each pass a fresh permutation (numSamples beyond the length chains
 * several), or with replacement numSamples uniform draws.
 */
export class RandomSampler implements Sampler<number> {
  private readonly source: Sized;
  readonly replacement: boolean;
  private readonly numSamplesOpt: number | undefined;
  readonly generator: Generator | undefined;

  constructor(dataSource: Sized, opts: RandomSamplerOptions = {}) {
    sizeOf('RandomSampler', dataSource);
    checkOptions('RandomSampler', opts, ['replacement', 'numSamples', 'generator']);
    if (opts.replacement !== undefined && typeof opts.replacement !== 'boolean') {
      fail('RandomSampler', `replacement must be a boolean, got ${describe(opts.replacement)}`);
    }
    if (opts.numSamples !== undefined && !(Number.isInteger(opts.numSamples) && opts.numSamples > 0)) {
      fail(
        'RandomSampler',
        `numSamples should be a positive integer value, but got numSamples=${describe(opts.numSamples)}`,
      );
    }
    if (opts.generator !== undefined && !(opts.generator instanceof Generator)) {
      fail(
        'RandomSampler',
        `generator must be a Generator from @lumen/tensor, got ${describe(opts.generator)}`,
      );
    }
    this.source = dataSource;
    this.replacement = opts.replacement ?? false;
    this.numSamplesOpt = opts.numSamples;
    this.generator = opts.generator;
  }

  get numSamples(): number {
    return this.numSamplesOpt ?? sizeOf('RandomSampler', this.source);
  }

  get length(): number {
    return this.numSamples;
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = sizeOf('RandomSampler', this.source);
    const total = this.numSamples;
    if (n === 0) return;
    const gen = this.generator ?? new Generator(defaultGenerator.nextUint32());
    if (this.replacement) {
      for (let i = 0; i < total; i++) yield gen.randint(0, n);
      return;
    }
    let left = total;
    while (left > 0) {
      const perm = gen.permutation(n);
      const take = Math.min(left, n);
      for (let i = 0; i < take; i++) yield perm[i]!;
      left -= take;
    }
  }
}

/** Groups a sampler's positions into lists of batchSize (the last may be short unless dropLast). */
export class BatchSampler implements Sampler<number[]> {
  readonly sampler: Sampler<number> | Iterable<number>;
  readonly batchSize: number;
  readonly dropLast: boolean;

  constructor(sampler: Sampler<number> | Iterable<number>, batchSize: number, dropLast = false) {
    if (sampler === null || typeof sampler !== 'object' || !(Symbol.iterator in sampler)) {
      fail('BatchSampler', `sampler must be an iterable of positions, got ${describe(sampler)}`);
    }
    if (!Number.isInteger(batchSize) || batchSize <= 0) {
      fail(
        'BatchSampler',
        `batchSize should be a positive integer value, but got batchSize=${describe(batchSize)}`,
      );
    }
    if (typeof dropLast !== 'boolean')
      fail('BatchSampler', `dropLast should be a boolean value, but got dropLast=${describe(dropLast)}`);
    this.sampler = sampler;
    this.batchSize = batchSize;
    this.dropLast = dropLast;
  }

  get length(): number {
    const len = (this.sampler as { length?: unknown }).length;
    if (typeof len !== 'number') fail('BatchSampler.length', 'the sampler has no length');
    return this.dropLast ? Math.floor(len / this.batchSize) : Math.ceil(len / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.dropLast) yield batch;
  }
}
