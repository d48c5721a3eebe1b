import { fail, type JsonObject, preview, readArray, readBool, readIdValue } from '../config.js';
import { utf8Bytes } from '../unicode.js';
import { PrefixTrie, type TokenizerModel, WordCache, type WordPieces } from './model.js';

// Hugging Face (and SentencePiece) score an unknown character as the worst piece minus this.
const UNK_PENALTY = 10;

/**
 * SentencePiece's Unigram model: the segmentation with the highest total log-probability
 * (Viterbi over the pieces that start at each character). Consecutive unknown characters are
 * fused into one [UNK], as Hugging Face does.
 */
export class Unigram implements TokenizerModel {
  readonly type = 'Unigram';
  private readonly vocab = new Map<string, number>();
  private readonly minScore: number;
  /** The pieces, for the prefix search at each position (its cost is the match, not the longest piece). */
  private readonly trie = new PrefixTrie();
  private readonly cache = new WordCache();

  constructor(
    readonly pieces: readonly (readonly [string, number])[],
    readonly unkId: number | null = null,
    readonly byteFallback = false,
  ) {
    let min = Number.POSITIVE_INFINITY;
    pieces.forEach(([piece, score], id) => {
      if (!this.vocab.has(piece)) {
        this.vocab.set(piece, id);
        this.trie.insert(piece, id);
      }
      min = Math.min(min, score);
    });
    this.minScore = min;
    if (unkId !== null && (unkId < 0 || unkId >= pieces.length)) {
      fail('Unigram model', `unk_id ${unkId} is outside the vocabulary (size ${pieces.length})`);
    }
  }

  static fromJSON(cfg: JsonObject): Unigram {
    const w = 'Unigram model';
    const pieces = readArray(cfg, 'vocab', w).map((entry, i) => {
      if (
        !Array.isArray(entry) ||
        typeof entry[0] !== 'string' ||
        typeof entry[1] !== 'number' ||
        !Number.isFinite(entry[1])
      ) {
        fail(w, `vocab[${i}] must be [piece, finite score], got ${preview(entry)}`);
      }
      return [entry[0], entry[1]] as const;
    });
    const unk = cfg.unk_id;
    return new Unigram(
      pieces,
      unk === undefined || unk === null ? null : readIdValue(unk, w, 'unk_id', pieces.length),
      readBool(cfg, 'byte_fallback', w, false),
    );
  }

  get unkToken(): string | null {
    return this.unkId === null ? null : this.pieces[this.unkId]![0];
  }
  get vocabSize(): number {
    return this.pieces.length;
  }

  tokenize(word: string): WordPieces {
    const hit = this.cache.get(word);
    if (hit) return hit;
    const ids: number[] = [];
    const tokens: string[] = [];
    for (const piece of this.segment(word)) {
      const id = this.vocab.get(piece);
      if (id !== undefined) {
        ids.push(id);
        tokens.push(piece);
        continue;
      }
      if (this.byteFallback) {
        const byteTokens = Array.from(
          utf8Bytes(piece),
          (b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`,
        );
        const byteIds = byteTokens.map((t) => this.vocab.get(t));
        if (byteIds.every((b) => b !== undefined)) {
          for (let k = 0; k < byteIds.length; k++) {
            ids.push(byteIds[k]!);
            tokens.push(byteTokens[k]!);
          }
          continue;
        }
      }
      if (this.unkId === null)
        fail('Unigram model', `${preview(piece)} is not in the vocabulary and there is no unk_id`);
      ids.push(this.unkId);
      tokens.push(piece);
    }
    const out = { ids, tokens };
    this.cache.set(word, out);
    return out;
  }

  /** The best segmentation of `text` into piece strings (fused unknown runs included). */
  private segment(text: string): string[] {
    const n = text.length;
    const score = new Float64Array(n + 1);
    const from = new Int32Array(n + 1).fill(-1);
    const isUnk = new Uint8Array(n + 1);
    from[0] = 0;
    const unkScore = this.minScore - UNK_PENALTY;
    for (let start = 0; start < n; start = nextChar(text, start)) {
      if (from[start]! < 0) continue;
      const base = score[start]!;
      const charEnd = nextChar(text, start);
      let hasSingleChar = false;
      // Shorter pieces first, and only a strictly better score replaces: ties keep the shorter piece.
      this.trie.prefixes(text, start, n, (end, id) => {
        const candidate = base + this.pieces[id]![1];
        if (from[end]! < 0 || candidate > score[end]!) {
          score[end] = candidate;
          from[end] = start;
          isUnk[end] = 0;
        }
        if (end === charEnd) hasSingleChar = true;
      });
      if (!hasSingleChar) {
        const candidate = base + unkScore;
        if (from[charEnd]! < 0 || candidate > score[charEnd]!) {
          if (this.unkId === null)
            fail('Unigram model', `cannot segment ${preview(text)}: unknown character and no unk_id`);
          score[charEnd] = candidate;
          from[charEnd] = start;
          isUnk[charEnd] = 1;
        }
      }
    }
    const out: string[] = [];
    let unkRun = '';
    for (let end = n; end > 0; ) {
      const start = from[end]!;
      const piece = text.slice(start, end);
      // Unknown runs come out as one piece (Hugging Face's fuse_unk, always on for Unigram).
      if (isUnk[end] || (this.unkId !== null && this.vocab.get(piece) === this.unkId))
        unkRun = piece + unkRun;
      else {
        if (unkRun) out.push(unkRun);
        unkRun = '';
        out.push(piece);
      }
      end = start;
    }
    if (unkRun) out.push(unkRun);
    return out.reverse();
  }

  tokenToId(token: string): number | undefined {
    return this.vocab.get(token);
  }
  idToToken(id: number): string | undefined {
    return this.pieces[id]?.[0];
  }
  getVocab(): Map<string, number> {
    return new Map(this.vocab);
  }
  toJSON(): JsonObject {
    return {
      type: 'Unigram',
      unk_id: this.unkId,
      vocab: this.pieces.map(([p, s]) => [p, s]),
      byte_fallback: this.byteFallback,
    };
  }
}

function nextChar(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? i + 2 : i + 1;
}
