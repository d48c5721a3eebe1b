import { type JsonObject, readBool } from '../config.js';
import { toByteLevel } from '../unicode.js';
import type { PreTokenizer } from './preTokenizer.js';

/** GPT-2's split: contractions, letter runs, digit runs, other runs, each with one leading space. */
export const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/**
 * GPT-2's pre-tokenizer: optional leading space, the GPT-2 regex split, then each word's UTF-8
 * bytes written as printable characters, so that the BPE vocabulary covers every input.
 */
export class ByteLevelPreTokenizer implements PreTokenizer {
  // Words repeat a lot in real text: remembering their byte-level spelling saves most of the work.
  private readonly cache = new Map<string, string>();

  constructor(
    readonly addPrefixSpace = false,
    readonly useRegex = true,
    readonly trimOffsets = true,
  ) {}

  static fromJSON(cfg: JsonObject): ByteLevelPreTokenizer {
    const w = 'ByteLevel pre-tokenizer';
    return new ByteLevelPreTokenizer(
      readBool(cfg, 'add_prefix_space', w, false),
      readBool(cfg, 'use_regex', w, true),
      readBool(cfg, 'trim_offsets', w, true),
    );
  }

  preTokenize(text: string): string[] {
    const words = this.splitWords(text);
    for (let i = 0; i < words.length; i++) words[i] = this.rewriteWord(words[i]!);
    return words;
  }

  splitWords(text: string): string[] {
    if (this.addPrefixSpace && !text.startsWith(' ')) text = ` ${text}`;
    return this.useRegex ? (text.match(GPT2_PATTERN) ?? []) : [text];
  }

  rewriteWord(word: string): string {
    let mapped = this.cache.get(word);
    if (mapped === undefined) {
      mapped = toByteLevel(word);
      if (this.cache.size >= 100_000) this.cache.clear();
      this.cache.set(word, mapped);
    }
    return mapped;
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
