import {
  fail,
  isObject,
  type JsonObject,
  MAX_TOKEN_ID,
  preview,
  readInt,
  readObject,
  readString,
} from '../config.js';
import { idsToTokens, PrefixTrie, type TokenizerModel, WordCache, type WordPieces } from './model.js';

/**
 * BERT's WordPiece: each word becomes the longest vocabulary prefix, then the longest
 * `##`-prefixed continuation, and so on; a word with any unmatched rest becomes one [UNK].
 */
export class WordPiece implements TokenizerModel {
  readonly type = 'WordPiece';
  private readonly tokens: string[];
  private readonly cache = new WordCache();
  private readonly unk: WordPieces;
  /** Every token (a word's first piece), and the continuation tokens without their prefix. */
  private readonly starts = new PrefixTrie();
  private readonly continuations = new PrefixTrie();

  constructor(
    private readonly vocab: Map<string, number>,
    readonly unkToken = '[UNK]',
    readonly continuingSubwordPrefix = '##',
    readonly maxInputCharsPerWord = 100,
  ) {
    this.tokens = idsToTokens(vocab);
    const unkId = vocab.get(unkToken);
    if (unkId === undefined) fail('WordPiece', `unk_token ${preview(unkToken)} is not in the vocabulary`);
    this.unk = { ids: [unkId], tokens: [unkToken] };
    for (const [token, id] of vocab) {
      this.starts.insert(token, id);
      if (token.startsWith(continuingSubwordPrefix))
        this.continuations.insert(token.slice(continuingSubwordPrefix.length), id);
    }
  }

  static fromJSON(cfg: JsonObject): WordPiece {
    const w = 'WordPiece model';
    return new WordPiece(
      vocabFromJSON(readObject(cfg, 'vocab', w), w),
      readString(cfg, 'unk_token', w, '[UNK]'),
      readString(cfg, 'continuing_subword_prefix', w, '##'),
      readInt(cfg, 'max_input_chars_per_word', w, 100),
    );
  }

  /** From vocab.txt: one token per line, the line number is the id. */
  static fromVocabTxt(text: string, unkToken = '[UNK]'): WordPiece {
    const lines = text.split(/\r?\n/);
    if (lines.at(-1) === '') lines.pop();
    return new WordPiece(new Map(lines.map((t, i) => [t, i])), unkToken);
  }

  get vocabSize(): number {
    return this.tokens.length;
  }

  tokenize(word: string): WordPieces {
    const hit = this.cache.get(word);
    if (hit) return hit;
    const pieces = this.split(word);
    this.cache.set(word, pieces);
    return pieces;
  }

  /** Longest vocabulary prefix, then longest continuation, and so on (a trie walk per piece). */
  private split(word: string): WordPieces {
    if (this.maxInputCharsPerWord < word.length && this.maxInputCharsPerWord < codePointCount(word))
      return this.unk;
    const ids: number[] = [];
    const tokens: string[] = [];
    for (let start = 0; start < word.length; ) {
      let end = -1;
      let id = -1;
      // A piece never ends inside a surrogate pair.
      (start === 0 ? this.starts : this.continuations).prefixes(word, start, word.length, (e, i) => {
        if (!isLowSurrogate(word.charCodeAt(e)) || !isHighSurrogate(word.charCodeAt(e - 1))) {
          end = e;
          id = i;
        }
      });
      if (end < 0) return this.unk;
      ids.push(id);
      tokens.push(start > 0 ? this.continuingSubwordPrefix + word.slice(start, end) : word.slice(start, end));
      start = end;
    }
    return { ids, tokens };
  }

  tokenToId(token: string): number | undefined {
    return this.vocab.get(token);
  }
  idToToken(id: number): string | undefined {
    return this.tokens[id];
  }
  getVocab(): Map<string, number> {
    return new Map(this.vocab);
  }

  toJSON(): JsonObject {
    return {
      type: 'WordPiece',
      unk_token: this.unkToken,
      continuing_subword_prefix: this.continuingSubwordPrefix,
      max_input_chars_per_word: this.maxInputCharsPerWord,
      vocab: Object.fromEntries(this.tokens.map((t, i) => [t, i])),
    };
  }
}

/** A `{ token: id }` object as a Map, checking every id is a non-negative integer. */
export function vocabFromJSON(vocab: unknown, where: string): Map<string, number> {
  if (!isObject(vocab)) fail(where, `"vocab" must be an object of token -> id`);
  const map = new Map<string, number>();
  for (const [token, id] of Object.entries(vocab)) {
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0 || id > MAX_TOKEN_ID) {
      fail(
        where,
        `vocab entry ${preview(token)} must map to a non-negative integer id (at most ${MAX_TOKEN_ID}), got ${preview(id)}`,
      );
    }
    map.set(token, id);
  }
  return map;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}
function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
function codePointCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++)
    if (!(isLowSurrogate(s.charCodeAt(i)) && isHighSurrogate(s.charCodeAt(i - 1)))) n++;
  return n;
}
