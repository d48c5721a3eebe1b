import type { JsonObject } from '../config.ts';

/** What the model makes of one pre-tokenized word: ids and the matching token strings. */
export interface WordPieces {
  readonly ids: readonly number[];
  readonly tokens: readonly string[];
}

/** Stage 3: turns one word into vocabulary ids (WordPiece, BPE or Unigram). */
export interface TokenizerModel {
  readonly type: 'WordPiece' | 'BPE' | 'Unigram';
  tokenize(word: string): WordPieces;
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
  /** Number of ids the model knows (the largest id + 1). */
  readonly vocabSize: number;
  readonly unkToken: string | null;
  /** The vocabulary as token -> id. */
  getVocab(): Map<string, number>;
  toJSON(): JsonObject;
}

/** Remembers each word's pieces: real text repeats words, and a Map lookup beats re-tokenizing. */
export class WordCache {
  private readonly map = new Map<string, WordPieces>();
  constructor(private readonly capacity = 100_000) {}
  get(word: string): WordPieces | undefined {
    return this.map.get(word);
  }
  set(word: string, pieces: WordPieces): void {
    if (this.map.size >= this.capacity) this.map.clear();
    this.map.set(word, pieces);
  }
}

/** The id -> token table of a vocabulary (ids may have gaps; those stay undefined). */
export function idsToTokens(vocab: Map<string, number>): string[] {
  const tokens: string[] = [];
  for (const [token, id] of vocab) tokens[id] = token;
  return tokens;
}
