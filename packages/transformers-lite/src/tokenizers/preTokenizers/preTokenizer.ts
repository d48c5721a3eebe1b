import { fail, type JsonObject, preview } from '../config.js';

/**
 * Stage 2: splits normalized text into words; the model then works on each word alone.
 * `first` tells whether `text` starts the input (Metaspace's `prepend_scheme: "first"` needs it).
 */
export interface PreTokenizer {
  preTokenize(text: string, first: boolean): string[];
  /**
   * Optional fast path, for pre-tokenizers that split and then rewrite each word on its own
   * (ByteLevel): `preTokenize` equals `splitWords` followed by `rewriteWord` on each word. The
   * tokenizer then remembers results by the unrewritten word and skips the rewrite on repeats.
   */
  splitWords?(text: string, first: boolean): string[];
  rewriteWord?(word: string): string;
  toJSON(): JsonObject;
}

export type SplitBehavior = 'Removed' | 'Isolated' | 'MergedWithPrevious' | 'MergedWithNext' | 'Contiguous';
const BEHAVIORS: readonly SplitBehavior[] = [
  'Removed',
  'Isolated',
  'MergedWithPrevious',
  'MergedWithNext',
  'Contiguous',
];

export function readBehavior(cfg: JsonObject, where: string, dflt: SplitBehavior): SplitBehavior {
  const v = cfg.behavior ?? dflt;
  if (typeof v !== 'string' || !BEHAVIORS.includes(v as SplitBehavior)) {
    fail(where, `"behavior" must be one of ${BEHAVIORS.join(', ')}, got ${preview(v)}`);
  }
  return v as SplitBehavior;
}

/**
 * Splits `text` around the (non-empty) matches of `regex`, keeping or merging the matched parts as
 * Hugging Face's `SplitDelimiterBehavior` says; `invert` treats the non-matching parts as delimiters.
 */
export function splitBy(text: string, regex: RegExp, behavior: SplitBehavior, invert = false): string[] {
  const parts: [string, boolean][] = [];
  let last = 0;
  for (const m of text.matchAll(regex)) {
    const start = m.index;
    const end = start + m[0].length;
    if (start === end) continue;
    if (start > last) parts.push([text.slice(last, start), invert]);
    parts.push([m[0], !invert]);
    last = end;
  }
  if (last < text.length) parts.push([text.slice(last), invert]);

  const out: string[] = [];
  switch (behavior) {
    case 'Removed':
      for (const [s, isMatch] of parts) if (!isMatch) out.push(s);
      return out;
    case 'Isolated':
      return parts.map(([s]) => s);
    case 'MergedWithPrevious': {
      let previousMatch = false;
      for (const [s, isMatch] of parts) {
        if (isMatch && !previousMatch && out.length > 0) out[out.length - 1] += s;
        else out.push(s);
        previousMatch = isMatch;
      }
      return out;
    }
    case 'MergedWithNext': {
      let previousMatch = false;
      for (let i = parts.length - 1; i >= 0; i--) {
        const [s, isMatch] = parts[i]!;
        if (isMatch && !previousMatch && out.length > 0) out[out.length - 1] = s + out[out.length - 1];
        else out.push(s);
        previousMatch = isMatch;
      }
      return out.reverse();
    }
    case 'Contiguous': {
      let previous: boolean | null = null;
      for (const [s, isMatch] of parts) {
        if (isMatch === previous && out.length > 0) out[out.length - 1] += s;
        else out.push(s);
        previous = isMatch;
      }
      return out;
    }
  }
}
