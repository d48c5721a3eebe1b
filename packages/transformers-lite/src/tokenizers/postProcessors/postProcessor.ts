import type { JsonObject } from '../config.ts';

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
  toJSON(): JsonObject;
}

export function concatEncodings(parts: readonly Encoding[]): Encoding {
  const out: Encoding = { ids: [], tokens: [], typeIds: [], specialTokensMask: [] };
  for (const p of parts) {
    out.ids.push(...p.ids);
    out.tokens.push(...p.tokens);
    out.typeIds.push(...p.typeIds);
    out.specialTokensMask.push(...p.specialTokensMask);
  }
  return out;
}

export function specialEncoding(token: string, id: number, typeId: number): Encoding {
  return { ids: [id], tokens: [token], typeIds: [typeId], specialTokensMask: [1] };
}

export function withTypeId(e: Encoding, typeId: number): Encoding {
  return { ...e, typeIds: new Array(e.ids.length).fill(typeId) };
}
