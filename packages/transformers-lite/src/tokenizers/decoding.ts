import { checkOptions, type Tensor } from '@lumen/tensor';
import { describe, fail } from './config.js';
import { cleanUpTokenization } from './decoders/index.js';
import type { Tokenizer } from './tokenizer.js';

export interface DecodeOptions {
  skipSpecialTokens?: boolean;
  /** Remove spaces before punctuation and in contractions (default: the tokenizer's setting). */
  cleanUpTokenizationSpaces?: boolean;
}

const DECODE_KEYS = ['skipSpecialTokens', 'cleanUpTokenizationSpaces'];

/** Ids (an array or a 1-D int Tensor) back to text; `cleanUp` is the tokenizer's default. */
export function decodeIds(
  backend: Tokenizer,
  cleanUp: boolean,
  ids: readonly number[] | Tensor,
  opts: DecodeOptions,
): string {
  checkOptions('decode', opts, DECODE_KEYS);
  const list = idList(ids, 'decode');
  const text = backend.decode(list, opts.skipSpecialTokens ?? false);
  return (opts.cleanUpTokenizationSpaces ?? cleanUp) ? cleanUpTokenization(text) : text;
}

/** Each row (arrays, or a 2-D Tensor such as generate()'s output) back to text. */
export function batchDecodeIds(
  backend: Tokenizer,
  cleanUp: boolean,
  sequences: readonly (readonly number[])[] | Tensor,
  opts: DecodeOptions,
): string[] {
  checkOptions('batchDecode', opts, DECODE_KEYS);
  if (Array.isArray(sequences)) return sequences.map((s) => decodeIds(backend, cleanUp, s, opts));
  const t = sequences as Tensor;
  if (!t || typeof t !== 'object' || !('shape' in t) || t.shape.length !== 2) {
    fail('batchDecode', `expected an array of id arrays or a 2-D Tensor, got ${describe(sequences)}`);
  }
  const data = Array.from(readIds(t, 'batchDecode'));
  const [rows, cols] = t.shape as [number, number];
  return Array.from({ length: rows }, (_, i) =>
    decodeIds(backend, cleanUp, data.slice(i * cols, (i + 1) * cols), opts),
  );
}

/** Ids to tokens (one id, or an array without the special ones when `skipSpecialTokens`). */
export function idsToTokens(
  backend: Tokenizer,
  ids: number | readonly number[],
  opts: { skipSpecialTokens?: boolean },
): string | string[] {
  const one = (id: unknown): string => {
    const t = typeof id === 'number' ? backend.idToToken(id) : undefined;
    if (t === undefined)
      fail('convertIdsToTokens', `id ${describe(id)} is not in the vocabulary (size ${backend.vocabSize})`);
    return t;
  };
  checkOptions('convertIdsToTokens', opts, ['skipSpecialTokens']);
  if (typeof ids === 'number') return one(ids);
  if (!Array.isArray(ids))
    fail('convertIdsToTokens', `expected a number or an array of numbers, got ${describe(ids)}`);
  const keep = opts.skipSpecialTokens ? ids.filter((id) => !backend.isSpecialId(id)) : ids;
  return keep.map(one);
}

function readIds(t: Tensor, op: string): ArrayLike<number> {
  if (t.dtype !== 'int32') fail(op, `ids tensor must be int32, got ${t.dtype}`);
  return t.dataSync() as Int32Array;
}

function idList(ids: unknown, op: string): number[] {
  if (Array.isArray(ids)) {
    for (const id of ids) if (!Number.isInteger(id)) fail(op, `ids must be integers, got ${describe(id)}`);
    return ids as number[];
  }
  if (ids && typeof ids === 'object' && 'shape' in ids && 'dtype' in ids) {
    const t = ids as Tensor;
    if (t.shape.length !== 1)
      fail(op, `expected a 1-D ids tensor, got shape [${t.shape.join(', ')}] (use batchDecode for 2-D)`);
    return Array.from(readIds(t, op));
  }
  fail(op, `ids must be an array of integers or a 1-D int32 Tensor, got ${describe(ids)}`);
}
