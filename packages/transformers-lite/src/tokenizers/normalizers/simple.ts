import { type JsonObject, readBool, readPattern, readString } from '../config.js';
import { lowercase } from '../unicode.js';
import type { Normalizer } from './normalizer.js';

export class Lowercase implements Normalizer {
  normalize(text: string): string {
    return lowercase(text);
  }
  toJSON(): JsonObject {
    return { type: 'Lowercase' };
  }
}

/** NFC, NFD, NFKC or NFKD. */
export class UnicodeNormalizer implements Normalizer {
  constructor(readonly form: 'NFC' | 'NFD' | 'NFKC' | 'NFKD') {}
  normalize(text: string): string {
    return text.normalize(this.form);
  }
  toJSON(): JsonObject {
    return { type: this.form };
  }
}

/** Drops combining marks (Unicode M*: Mn, Mc, Me). Like Hugging Face's, it expects text already in NFD/NFKD form. */
export class StripAccents implements Normalizer {
  normalize(text: string): string {
    return text.replace(/\p{M}/gu, '');
  }
  toJSON(): JsonObject {
    return { type: 'StripAccents' };
  }
}

export class Strip implements Normalizer {
  constructor(
    readonly left = true,
    readonly right = true,
  ) {}
  static fromJSON(cfg: JsonObject): Strip {
    return new Strip(readBool(cfg, 'strip_left', 'Strip', true), readBool(cfg, 'strip_right', 'Strip', true));
  }
  normalize(text: string): string {
    if (this.left) text = text.replace(/^\p{White_Space}+/u, '');
    if (this.right) text = text.replace(/\p{White_Space}+$/u, '');
    return text;
  }
  toJSON(): JsonObject {
    return { type: 'Strip', strip_left: this.left, strip_right: this.right };
  }
}

/** Replaces every match of a string or regex pattern. */
export class Replace implements Normalizer {
  private constructor(
    private readonly regex: RegExp,
    private readonly pattern: JsonObject,
    readonly content: string,
  ) {}
  static fromJSON(cfg: JsonObject): Replace {
    const { regex, json } = readPattern(cfg, 'Replace');
    return new Replace(regex, json, readString(cfg, 'content', 'Replace'));
  }
  normalize(text: string): string {
    // A function replacement keeps `$` in `content` literal, as in Rust.
    return text.replace(this.regex, () => this.content);
  }
  toJSON(): JsonObject {
    return { type: 'Replace', pattern: this.pattern, content: this.content };
  }
}

export class Prepend implements Normalizer {
  constructor(readonly prepend: string) {}
  normalize(text: string): string {
    return text.length === 0 ? text : this.prepend + text;
  }
  toJSON(): JsonObject {
    return { type: 'Prepend', prepend: this.prepend };
  }
}

export class NormalizerSequence implements Normalizer {
  constructor(readonly normalizers: readonly Normalizer[]) {}
  normalize(text: string): string {
    for (const n of this.normalizers) text = n.normalize(text);
    return text;
  }
  toJSON(): JsonObject {
    return { type: 'Sequence', normalizers: this.normalizers.map((n) => n.toJSON()) };
  }
}
