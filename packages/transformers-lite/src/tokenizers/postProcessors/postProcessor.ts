import type { JsonObject } from '../config.js';

/** One tokenized sequence (or a finished pair) on its way through the pipeline. */
export interface Encoding {
  ids: number[];
  tokens: string[];
  typeIds: number[];
  /** 1 where the post-processor inserted a special token. */
  specialTokensMask: number[];
}

/** Stage 4: adds the model's special tokens ([CLS] A [SEP] B [SEP], <s> A </s>, ...) and type ids. */
export interface PostProcessor {
  /** How many special tokens `process` adds (truncation leaves room for them). */
  addedTokens(isPair: boolean): number;
  process(a: Encoding, b: Encoding | null, addSpecialTokens: boolean): Encoding;
  /** The ids it inserts (checked against the vocabulary when a tokenizer.json loads). */
  specialIds?(): number[];
  toJSON(): JsonObject;
}

/**
 * The parts one after another. Element by element, not `push(...xs)`: a spread passes every
 * element as an argument, and past ~120k of them V8 overflows the stack (long texts do that).
 */
export function concatEncodings(parts: readonly Encoding[]): Encoding {
  const out: Encoding = { ids: [], tokens: [], typeIds: [], specialTokensMask: [] };
  for (const p of parts) {
    appendAll(out.ids, p.ids);
    appendAll(out.tokens, p.tokens);
    appendAll(out.typeIds, p.typeIds);
    appendAll(out.specialTokensMask, p.specialTokensMask);
  }
  return out;
}

/** `to.push(...from)` without the spread (any length). */
export function appendAll<T>(to: T[], from: readonly T[]): void {
  for (let i = 0; i < from.length; i++) to.push(from[i]!);
}

export function specialEncoding(token: string, id: number, typeId: number): Encoding {
  return { ids: [id], tokens: [token], typeIds: [typeId], specialTokensMask: [1] };
}

export function withTypeId(e: Encoding, typeId: number): Encoding {
  return { ...e, typeIds: new Array(e.ids.length).fill(typeId) };
}
