import { fail, type JsonObject, preview, readBool, readInt, readPattern, readString } from '../config.js';
import { CHAR_TO_BYTE, decodeUtf8, utf8Bytes } from '../unicode.js';

/** Stage 5: turns tokens back into text. `decodeChain` maps tokens to text pieces; a chain runs them in turn. */
export interface Decoder {
  decodeChain(tokens: string[]): string[];
  toJSON(): JsonObject;
}

export function decodeTokens(decoder: Decoder, tokens: string[]): string {
  return decoder.decodeChain(tokens).join('');
}

/** Hugging Face's clean-up of spaces before punctuation and in English contractions. */
export function cleanUpTokenization(text: string): string {
  return text
    .replaceAll(' .', '.')
    .replaceAll(' ?', '?')
    .replaceAll(' !', '!')
    .replaceAll(' ,', ',')
    .replaceAll(" ' ", "'")
    .replaceAll(" n't", "n't")
    .replaceAll(" 'm", "'m")
    .replaceAll(" 's", "'s")
    .replaceAll(" 've", "'ve")
    .replaceAll(" 're", "'re");
}

/** `##`-continuations are glued on, other tokens get a space before them. */
export class WordPieceDecoder implements Decoder {
  constructor(
    readonly prefix = '##',
    readonly cleanup = true,
  ) {}
  static fromJSON(cfg: JsonObject): WordPieceDecoder {
    return new WordPieceDecoder(
      readString(cfg, 'prefix', 'WordPiece decoder', '##'),
      readBool(cfg, 'cleanup', 'WordPiece decoder', true),
    );
  }
  decodeChain(tokens: string[]): string[] {
    return tokens.map((token, i) => {
      if (i !== 0) token = token.startsWith(this.prefix) ? token.slice(this.prefix.length) : ` ${token}`;
      // Rust's WordPiece decoder also turns " do not" into " don't".
      return this.cleanup ? cleanUpTokenization(token).replaceAll(' do not', " don't") : token;
    });
  }
  toJSON(): JsonObject {
    return { type: 'WordPiece', prefix: this.prefix, cleanup: this.cleanup };
  }
}

/** Maps GPT-2's printable byte characters back to bytes and decodes them as UTF-8. */
export class ByteLevelDecoder implements Decoder {
  constructor(
    readonly addPrefixSpace = true,
    readonly trimOffsets = true,
    readonly useRegex = true,
  ) {}
  static fromJSON(cfg: JsonObject): ByteLevelDecoder {
    const w = 'ByteLevel decoder';
    return new ByteLevelDecoder(
      readBool(cfg, 'add_prefix_space', w, true),
      readBool(cfg, 'trim_offsets', w, true),
      readBool(cfg, 'use_regex', w, true),
    );
  }
  decodeChain(tokens: string[]): string[] {
    const text = tokens.join('');
    const bytes: number[] = [];
    for (const ch of text) {
      const b = CHAR_TO_BYTE.get(ch);
      // A character outside the byte table (an added token's text) passes through as UTF-8.
      if (b === undefined) for (const u of utf8Bytes(ch)) bytes.push(u);
      else bytes.push(b);
    }
    return [decodeUtf8(Uint8Array.from(bytes))];
  }
  toJSON(): JsonObject {
    return {
      type: 'ByteLevel',
      add_prefix_space: this.addPrefixSpace,
      trim_offsets: this.trimOffsets,
      use_regex: this.useRegex,
    };
  }
}

/** SentencePiece's: '▁' becomes a space; the first token loses the space the pre-tokenizer prepended. */
export class MetaspaceDecoder implements Decoder {
  constructor(
    readonly replacement = '▁',
    readonly prependScheme: 'always' | 'first' | 'never' = 'always',
    readonly split = true,
  ) {}
  static fromJSON(cfg: JsonObject): MetaspaceDecoder {
    const w = 'Metaspace decoder';
    const scheme = cfg.prepend_scheme ?? (readBool(cfg, 'add_prefix_space', w, true) ? 'always' : 'never');
    if (scheme !== 'always' && scheme !== 'first' && scheme !== 'never') {
      fail(w, `"prepend_scheme" must be "always", "first" or "never", got ${preview(scheme)}`);
    }
    return new MetaspaceDecoder(
      readString(cfg, 'replacement', w, '▁'),
      scheme,
      readBool(cfg, 'split', w, true),
    );
  }
  decodeChain(tokens: string[]): string[] {
    return tokens.map((token, i) => {
      let out = '';
      for (const c of token) {
        if (c === this.replacement) {
          if (!(i === 0 && this.prependScheme !== 'never')) out += ' ';
        } else out += c;
      }
      return out;
    });
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

/** Classic BPE with an end-of-word suffix (`</w>`): the suffix becomes a space, except at the end. */
export class BPEDecoder implements Decoder {
  constructor(readonly suffix = '</w>') {}
  decodeChain(tokens: string[]): string[] {
    return tokens.map((t, i) => t.replaceAll(this.suffix, i === tokens.length - 1 ? '' : ' '));
  }
  toJSON(): JsonObject {
    return { type: 'BPEDecoder', suffix: this.suffix };
  }
}

/** `<0xXX>` byte tokens (BPE/Unigram byte fallback) back to text; invalid UTF-8 becomes U+FFFD per byte. */
export class ByteFallbackDecoder implements Decoder {
  decodeChain(tokens: string[]): string[] {
    const out: string[] = [];
    let bytes: number[] = [];
    const flush = () => {
      if (bytes.length === 0) return;
      const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(Uint8Array.from(bytes));
      // Hugging Face emits one U+FFFD per byte when the run is not valid UTF-8.
      let valid = true;
      try {
        new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Uint8Array.from(bytes));
      } catch {
        valid = false;
      }
      if (valid) out.push(text);
      else for (let i = 0; i < bytes.length; i++) out.push('\uFFFD');
      bytes = [];
    };
    for (const t of tokens) {
      const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(t);
      if (m) bytes.push(Number.parseInt(m[1]!, 16));
      else {
        flush();
        out.push(t);
      }
    }
    flush();
    return out;
  }
  toJSON(): JsonObject {
    return { type: 'ByteFallback' };
  }
}

export class FuseDecoder implements Decoder {
  decodeChain(tokens: string[]): string[] {
    return [tokens.join('')];
  }
  toJSON(): JsonObject {
    return { type: 'Fuse' };
  }
}

export class StripDecoder implements Decoder {
  constructor(
    readonly content: string,
    readonly start: number,
    readonly stop: number,
  ) {}
  static fromJSON(cfg: JsonObject): StripDecoder {
    const w = 'Strip decoder';
    return new StripDecoder(
      readString(cfg, 'content', w),
      readInt(cfg, 'start', w, 0),
      readInt(cfg, 'stop', w, 0),
    );
  }
  decodeChain(tokens: string[]): string[] {
    return tokens.map((token) => {
      const chars = Array.from(token);
      let a = 0;
      while (a < this.start && chars[a] === this.content) a++;
      let b = chars.length;
      while (chars.length - b < this.stop && b > a && chars[b - 1] === this.content) b--;
      return chars.slice(a, b).join('');
    });
  }
  toJSON(): JsonObject {
    return { type: 'Strip', content: this.content, start: this.start, stop: this.stop };
  }
}

export class ReplaceDecoder implements Decoder {
  private constructor(
    private readonly regex: RegExp,
    private readonly pattern: JsonObject,
    readonly content: string,
  ) {}
  static fromJSON(cfg: JsonObject): ReplaceDecoder {
    const { regex, json } = readPattern(cfg, 'Replace decoder');
    return new ReplaceDecoder(regex, json, readString(cfg, 'content', 'Replace decoder'));
  }
  decodeChain(tokens: string[]): string[] {
    return tokens.map((t) => t.replace(this.regex, () => this.content));
  }
  toJSON(): JsonObject {
    return { type: 'Replace', pattern: this.pattern, content: this.content };
  }
}

export class DecoderSequence implements Decoder {
  constructor(readonly decoders: readonly Decoder[]) {}
  decodeChain(tokens: string[]): string[] {
    for (const d of this.decoders) tokens = d.decodeChain(tokens);
    return tokens;
  }
  toJSON(): JsonObject {
    return { type: 'Sequence', decoders: this.decoders.map((d) => d.toJSON()) };
  }
}
