import type { JsonObject } from '../config.js';

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

/**
 * Vocabulary strings in a trie (UTF-16 code units; one Map of edges keyed by node and unit), for
 * longest-match and all-prefix searches that cost the length of the match, not of the longest
 * token: a file with one very long token cannot make every lookup slow.
 */
export class PrefixTrie {
  private readonly edges = new Map<number, number>();
  private readonly ids: number[] = [-1];

  /** Adds `key` with `id`; a key already present keeps its first id. */
  insert(key: string, id: number): void {
    let node = 0;
    for (let i = 0; i < key.length; i++) {
      const edge = node * 65536 + key.charCodeAt(i);
      let next = this.edges.get(edge);
      if (next === undefined) {
        next = this.ids.length;
        this.ids.push(-1);
        this.edges.set(edge, next);
      }
      node = next;
    }
    if (this.ids[node]! < 0) this.ids[node] = id;
  }

  /** Calls `found(end, id)` for each key that equals text[start, end), end <= limit, shortest first. */
  prefixes(text: string, start: number, limit: number, found: (end: number, id: number) => void): void {
    let node = 0;
    for (let i = start; i < limit; i++) {
      const next = this.edges.get(node * 65536 + text.charCodeAt(i));
      if (next === undefined) return;
      node = next;
      const id = this.ids[node]!;
      if (id >= 0) found(i + 1, id);
    }
  }
}
