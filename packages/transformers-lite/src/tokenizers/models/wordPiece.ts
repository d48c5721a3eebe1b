import { fail, isObject, type JsonObject, readInt, readObject, readString } from '../config.ts';
import { idsToTokens, type TokenizerModel, WordCache, type WordPieces } from './model.ts';

/**
 * BERT's WordPiece: each word becomes the longest vocabulary prefix, then the longest
 * `##`-prefixed continuation, and so on; a word with any unmatched rest becomes one [UNK].
 */
export class WordPiece implements TokenizerModel {
  readonly type = 'WordPiece';
  private readonly tokens: string[];
  private readonly cache = new WordCache();
  private readonly unk: WordPieces;

  constructor(
    private readonly vocab: Map<string, number>,
    readonly unkToken = '[UNK]',
    readonly continuingSubwordPrefix = '##',
    readonly maxInputCharsPerWord = 100,
  ) {
    this.tokens = idsToTokens(vocab);
    const unkId = vocab.get(unkToken);
    if (unkId === undefined)
      fail('WordPiece', `unk_token ${JSON.stringify(unkToken)} is not in the vocabulary`);
    this.unk = { ids: [unkId], tokens: [unkToken] };
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

  private split(word: string): WordPieces {
    // Work on code points so a piece never ends inside a surrogate pair.
    const chars = /[\uD800-\uDFFF]/.test(word) ? Array.from(word) : null;
    const n = chars ? chars.length : word.length;
    if (n > this.maxInputCharsPerWord) return this.unk;
    const sub = (a: number, b: number) => (chars ? chars.slice(a, b).join('') : word.slice(a, b));
    const ids: number[] = [];
    const tokens: string[] = [];
    let start = 0;
    while (start < n) {
      let end = n;
      let found: number | undefined;
      let piece = '';
      while (start < end) {
        piece = start > 0 ? this.continuingSubwordPrefix + sub(start, end) : sub(start, end);
        found = this.vocab.get(piece);
        if (found !== undefined) break;
        end--;
      }
      if (found === undefined) return this.unk;
      ids.push(found);
      tokens.push(piece);
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
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      fail(
        where,
        `vocab entry ${JSON.stringify(token)} must map to a non-negative integer id, got ${JSON.stringify(id)}`,
      );
    }
    map.set(token, id);
  }
  return map;
}
