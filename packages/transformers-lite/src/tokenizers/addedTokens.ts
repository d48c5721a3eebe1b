import { escapeRegExp, fail, isObject, type JsonObject } from './config.ts';

/** A token matched in the text before the model runs ([CLS], <|endoftext|>, user-added words). */
export interface AddedToken {
  id: number;
  content: string;
  /** Only match as a whole word. */
  singleWord: boolean;
  /** Swallow the whitespace on the left / right. */
  lstrip: boolean;
  rstrip: boolean;
  /** Match against normalized text (true) or the raw input (false). */
  normalized: boolean;
  special: boolean;
}

export function addedTokenFromJSON(x: unknown, where: string): AddedToken {
  if (!isObject(x) || typeof x.content !== 'string' || typeof x.id !== 'number') {
    fail(where, `expected { id: number, content: string, ... }, got ${JSON.stringify(x)}`);
  }
  const special = x.special === true;
  return {
    id: x.id,
    content: x.content,
    singleWord: x.single_word === true,
    lstrip: x.lstrip === true,
    rstrip: x.rstrip === true,
    normalized: typeof x.normalized === 'boolean' ? x.normalized : !special,
    special,
  };
}

export function addedTokenToJSON(t: AddedToken): JsonObject {
  return {
    id: t.id,
    content: t.content,
    single_word: t.singleWord,
    lstrip: t.lstrip,
    rstrip: t.rstrip,
    normalized: t.normalized,
    special: t.special,
  };
}

/** A piece of input: plain text for the pipeline, or an added token already decided. */
export type Segment = { text: string; token?: AddedToken };

const WORD_CHAR = '[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}]';

/**
 * Finds added tokens in text, longest first at each position (as Hugging Face's leftmost-longest
 * matcher does), honouring lstrip/rstrip/single_word.
 */
export class AddedTokenMatcher {
  private readonly regex: RegExp | null;
  /** Token of each alternative, in the order of the regex's capture groups. */
  private readonly groups: AddedToken[] = [];

  constructor(tokens: readonly AddedToken[], normalize: (s: string) => string = (s) => s) {
    const alternatives = tokens
      .map((t) => ({ t, content: normalize(t.content) }))
      .filter((a) => a.content.length > 0)
      .sort((a, b) => b.content.length - a.content.length);
    const patterns = alternatives.map(({ t, content }) => {
      this.groups.push(t);
      let p = `(${escapeRegExp(content)})`;
      if (t.singleWord) p = `(?<!${WORD_CHAR})${p}(?!${WORD_CHAR})`;
      if (t.lstrip) p = `\\p{White_Space}*${p}`;
      if (t.rstrip) p = `${p}\\p{White_Space}*`;
      return p;
    });
    this.regex = patterns.length ? new RegExp(patterns.join('|'), 'gu') : null;
  }

  get empty(): boolean {
    return this.regex === null;
  }

  split(text: string): Segment[] {
    if (!this.regex) return [{ text }];
    const out: Segment[] = [];
    let last = 0;
    for (const m of text.matchAll(this.regex)) {
      if (m[0].length === 0) continue;
      if (m.index > last) out.push({ text: text.slice(last, m.index) });
      let g = 1;
      while (m[g] === undefined) g++;
      out.push({ text: m[0], token: this.groups[g - 1]! });
      last = m.index + m[0].length;
    }
    if (last < text.length) out.push({ text: text.slice(last) });
    return out;
  }
}
