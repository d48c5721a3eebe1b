import {
  escapeRegExp,
  fail,
  type JsonObject,
  preview,
  readBool,
  readPattern,
  readString,
} from '../config.js';
import { PUNCTUATION, WHITESPACE } from '../unicode.js';
import { type PreTokenizer, readBehavior, type SplitBehavior, splitBy } from './preTokenizer.js';

const SPACE_CHAR = new RegExp(`^[${WHITESPACE}]$`, 'u');
const PUNCTUATION_ONE = new RegExp(`^[${PUNCTUATION}]$`, 'u');
const WORD_CLASS = 0;
const SPACE_CLASS = 1;
const PUNCT_CLASS = 2;
/** Class of each ASCII code; other characters are classified once and remembered. */
const ASCII_CLASS = Uint8Array.from({ length: 128 }, (_, c) => {
  const ch = String.fromCharCode(c);
  return SPACE_CHAR.test(ch) ? SPACE_CLASS : PUNCTUATION_ONE.test(ch) ? PUNCT_CLASS : WORD_CLASS;
});
const otherClass = new Map<number, number>();
function classOf(codePoint: number): number {
  let k = otherClass.get(codePoint);
  if (k === undefined) {
    const ch = String.fromCodePoint(codePoint);
    k = SPACE_CHAR.test(ch) ? SPACE_CLASS : PUNCTUATION_ONE.test(ch) ? PUNCT_CLASS : WORD_CLASS;
    otherClass.set(codePoint, k);
  }
  return k;
}

/** BERT's: split on whitespace (dropped) and put every punctuation character on its own. */
export class BertPreTokenizer implements PreTokenizer {
  // A hand-written scan: the equivalent regex is several times slower in V8.
  preTokenize(text: string): string[] {
    const out: string[] = [];
    let start = -1;
    for (let i = 0; i < text.length; ) {
      const c = text.charCodeAt(i);
      let kind: number;
      let width = 1;
      if (c < 128) kind = ASCII_CLASS[c]!;
      else {
        const cp = text.codePointAt(i)!;
        if (cp > 0xffff) width = 2;
        kind = classOf(cp);
      }
      if (kind === WORD_CLASS) {
        if (start < 0) start = i;
      } else {
        if (start >= 0) {
          out.push(text.slice(start, i));
          start = -1;
        }
        if (kind === PUNCT_CLASS) out.push(text.slice(i, i + width));
      }
      i += width;
    }
    if (start >= 0) out.push(text.slice(start));
    return out;
  }
  toJSON(): JsonObject {
    return { type: 'BertPreTokenizer' };
  }
}

// Rust's regex `\w` in Unicode mode.
const WORD = '\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}';
const WHITESPACE_WORDS = new RegExp(`[${WORD}]+|[^${WORD}${WHITESPACE}]+`, 'gu');

/** `\w+|[^\w\s]+`: word runs and runs of other non-space characters. */
export class Whitespace implements PreTokenizer {
  preTokenize(text: string): string[] {
    return text.match(WHITESPACE_WORDS) ?? [];
  }
  toJSON(): JsonObject {
    return { type: 'Whitespace' };
  }
}

const NON_SPACE_RUN = new RegExp(`[^${WHITESPACE}]+`, 'gu');
export class WhitespaceSplit implements PreTokenizer {
  preTokenize(text: string): string[] {
    return text.match(NON_SPACE_RUN) ?? [];
  }
  toJSON(): JsonObject {
    return { type: 'WhitespaceSplit' };
  }
}

const PUNCTUATION_CHAR = new RegExp(`[${PUNCTUATION}]`, 'gu');
export class Punctuation implements PreTokenizer {
  constructor(readonly behavior: SplitBehavior = 'Isolated') {}
  preTokenize(text: string): string[] {
    return splitBy(text, PUNCTUATION_CHAR, this.behavior);
  }
  toJSON(): JsonObject {
    return { type: 'Punctuation', behavior: this.behavior };
  }
}

export class Digits implements PreTokenizer {
  constructor(readonly individualDigits = false) {}
  preTokenize(text: string): string[] {
    return splitBy(text, /[0-9]/g, this.individualDigits ? 'Isolated' : 'Contiguous');
  }
  toJSON(): JsonObject {
    return { type: 'Digits', individual_digits: this.individualDigits };
  }
}

/** Splits on a string or regex pattern with a delimiter behavior (and optionally inverted). */
export class Split implements PreTokenizer {
  private constructor(
    private readonly regex: RegExp,
    private readonly pattern: JsonObject,
    readonly behavior: SplitBehavior,
    readonly invert: boolean,
  ) {}
  static fromJSON(cfg: JsonObject): Split {
    const { regex, json } = readPattern(cfg, 'Split');
    return new Split(
      regex,
      json,
      readBehavior(cfg, 'Split', 'Isolated'),
      readBool(cfg, 'invert', 'Split', false),
    );
  }
  preTokenize(text: string): string[] {
    return splitBy(text, this.regex, this.behavior, this.invert);
  }
  toJSON(): JsonObject {
    return { type: 'Split', pattern: this.pattern, behavior: this.behavior, invert: this.invert };
  }
}

export type PrependScheme = 'always' | 'first' | 'never';

/** SentencePiece's: spaces become '▁', a '▁' is prepended, and words start at each '▁'. */
export class Metaspace implements PreTokenizer {
  private readonly splitAt: RegExp;
  constructor(
    readonly replacement = '▁',
    readonly prependScheme: PrependScheme = 'always',
    readonly split = true,
  ) {
    this.splitAt = new RegExp(escapeRegExp(replacement), 'gu');
  }
  static fromJSON(cfg: JsonObject): Metaspace {
    const w = 'Metaspace';
    let scheme: PrependScheme;
    if (cfg.prepend_scheme !== undefined && cfg.prepend_scheme !== null) {
      const s = cfg.prepend_scheme;
      if (s !== 'always' && s !== 'first' && s !== 'never') {
        fail(w, `"prepend_scheme" must be "always", "first" or "never", got ${preview(s)}`);
      }
      scheme = s;
    } else {
      // Files from before `prepend_scheme` existed carry `add_prefix_space` instead.
      scheme = readBool(cfg, 'add_prefix_space', w, true) ? 'always' : 'never';
    }
    return new Metaspace(readString(cfg, 'replacement', w, '▁'), scheme, readBool(cfg, 'split', w, true));
  }
  preTokenize(text: string, first: boolean): string[] {
    text = text.replaceAll(' ', this.replacement);
    const prepend = this.prependScheme === 'always' || (this.prependScheme === 'first' && first);
    if (prepend && !text.startsWith(this.replacement)) text = this.replacement + text;
    return this.split ? splitBy(text, this.splitAt, 'MergedWithNext') : [text];
  }
  toJSON(): JsonObject {
    return {
      type: 'Metaspace',
      replacement: this.replacement,
      prepend_scheme: this.prependScheme,
      split: this.split,
    };
  }
}

export class PreTokenizerSequence implements PreTokenizer {
  constructor(readonly preTokenizers: readonly PreTokenizer[]) {}
  preTokenize(text: string, first: boolean): string[] {
    let words = [text];
    for (const p of this.preTokenizers) {
      const next: string[] = [];
      words.forEach((w, i) => {
        for (const piece of p.preTokenize(w, first && i === 0)) next.push(piece);
      });
      words = next;
    }
    return words;
  }
  toJSON(): JsonObject {
    return { type: 'Sequence', pretokenizers: this.preTokenizers.map((p) => p.toJSON()) };
  }
}
