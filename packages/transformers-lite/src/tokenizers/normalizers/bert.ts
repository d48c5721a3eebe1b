import { type JsonObject, readBool } from '../config.js';
import { CJK, lowercase, WHITESPACE } from '../unicode.js';
import type { Normalizer } from './normalizer.js';

// Control characters (Unicode C*, except \t \n \r which count as whitespace), NUL and U+FFFD are dropped.
const CONTROL = /(?![\t\n\r])[\p{C}\uFFFD]/gu;
const SPACE = new RegExp(`[${WHITESPACE}]`, 'gu');
const CHINESE = new RegExp(`[${CJK}]`, 'gu');
const MARK = /\p{Mn}/gu;
// Printable ASCII needs none of the Unicode passes: no controls, CJK, accents or odd spaces.
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/;

/** BERT's normalizer: clean control characters, space out CJK ideographs, strip accents, lowercase. */
export class BertNormalizer implements Normalizer {
  constructor(
    readonly cleanText = true,
    readonly handleChineseChars = true,
    /** null: strip accents exactly when lowercasing (as the original BERT did). */
    readonly stripAccents: boolean | null = null,
    readonly lowercase = true,
  ) {}

  static fromJSON(cfg: JsonObject): BertNormalizer {
    const w = 'BertNormalizer';
    const strip = cfg.strip_accents;
    return new BertNormalizer(
      readBool(cfg, 'clean_text', w, true),
      readBool(cfg, 'handle_chinese_chars', w, true),
      strip === undefined || strip === null ? null : readBool(cfg, 'strip_accents', w),
      readBool(cfg, 'lowercase', w, true),
    );
  }

  normalize(text: string): string {
    if (!NOT_PRINTABLE_ASCII.test(text)) return this.lowercase ? text.toLowerCase() : text;
    if (this.cleanText) text = text.replace(CONTROL, '').replace(SPACE, ' ');
    if (this.handleChineseChars) text = text.replace(CHINESE, ' $& ');
    if (this.stripAccents ?? this.lowercase) text = text.normalize('NFD').replace(MARK, '');
    if (this.lowercase) text = lowercase(text);
    return text;
  }

  toJSON(): JsonObject {
    return {
      type: 'BertNormalizer',
      clean_text: this.cleanText,
      handle_chinese_chars: this.handleChineseChars,
      strip_accents: this.stripAccents,
      lowercase: this.lowercase,
    };
  }
}
