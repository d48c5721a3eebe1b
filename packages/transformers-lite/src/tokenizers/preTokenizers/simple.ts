import { escapeRegExp, fail, type JsonObject, readBool, readPattern, readString } from '../config.ts';
import { PUNCTUATION, WHITESPACE } from '../unicode.ts';
import { type PreTokenizer, readBehavior, type SplitBehavior, splitBy } from './preTokenizer.ts';

const BERT_WORD = new RegExp(`[^${WHITESPACE}${PUNCTUATION}]+|[${PUNCTUATION}]`, 'gu');

/** BERT's: split on whitespace (dropped) and put every punctuation character on its own. */
export class BertPreTokenizer implements PreTokenizer {
  preTokenize(text: string): string[] {
    return text.match(BERT_WORD) ?? [];
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
        fail(w, `"prepend_scheme" must be "always", "first" or "never", got ${JSON.stringify(s)}`);
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
