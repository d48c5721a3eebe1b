import { fail, type JsonObject, preview, readArray, readBool, readObject, readString } from '../config.js';
import { utf8Bytes } from '../unicode.js';
import { idsToTokens, type TokenizerModel, WordCache, type WordPieces } from './model.js';
import { vocabFromJSON } from './wordPiece.js';

export interface BPEOptions {
  unkToken?: string | null;
  continuingSubwordPrefix?: string;
  endOfWordSuffix?: string;
  fuseUnk?: boolean;
  /** Characters missing from the vocabulary become their UTF-8 bytes as `<0xXX>` tokens. */
  byteFallback?: boolean;
  /** A word that is itself in the vocabulary is taken whole, without applying merges. */
  ignoreMerges?: boolean;
}

// Above this many symbols a word is merged with a heap instead of repeated scans (same result).
const LONG_WORD = 48;

/**
 * Byte-pair encoding: start from single characters and keep applying the lowest-ranked merge
 * (leftmost first on ties) until none applies, exactly as Hugging Face's BPE does.
 */
export class BPE implements TokenizerModel {
  readonly type = 'BPE';
  readonly unkToken: string | null;
  readonly continuingSubwordPrefix: string;
  readonly endOfWordSuffix: string;
  readonly fuseUnk: boolean;
  readonly byteFallback: boolean;
  readonly ignoreMerges: boolean;
  private readonly tokens: string[];
  private readonly stride: number;
  /** pair key (left * stride + right) -> merge rank */
  private readonly ranks = new Map<number, number>();
  /** merge rank -> id of the merged token */
  private readonly mergedId: Int32Array;
  private readonly cache = new WordCache();
  /** No prefix or suffix to add: a character's symbol is the character itself. */
  private readonly simpleChars: boolean;

  constructor(
    private readonly vocab: Map<string, number>,
    readonly merges: readonly (readonly [string, string])[],
    opts: BPEOptions = {},
  ) {
    this.unkToken = opts.unkToken ?? null;
    this.continuingSubwordPrefix = opts.continuingSubwordPrefix ?? '';
    this.endOfWordSuffix = opts.endOfWordSuffix ?? '';
    this.fuseUnk = opts.fuseUnk ?? false;
    this.byteFallback = opts.byteFallback ?? false;
    this.ignoreMerges = opts.ignoreMerges ?? false;
    this.tokens = idsToTokens(vocab);
    this.simpleChars = !this.continuingSubwordPrefix && !this.endOfWordSuffix;
    this.stride = this.tokens.length + 1;
    this.mergedId = new Int32Array(merges.length);
    const prefixLength = this.continuingSubwordPrefix.length;
    merges.forEach(([a, b], rank) => {
      const left = vocab.get(a);
      const right = vocab.get(b);
      const merged = vocab.get(a + b.slice(prefixLength));
      if (left === undefined || right === undefined || merged === undefined) {
        const missing = left === undefined ? a : right === undefined ? b : a + b.slice(prefixLength);
        fail(
          'BPE model',
          `merge ${rank} ${preview(`${a} ${b}`)} uses ${preview(missing)}, which is not in the vocabulary`,
        );
      }
      const key = left * this.stride + right;
      // A repeated merge keeps its first (best) rank.
      if (!this.ranks.has(key)) this.ranks.set(key, rank);
      this.mergedId[rank] = merged;
    });
    if (this.unkToken !== null && !vocab.has(this.unkToken)) {
      fail('BPE model', `unk_token ${preview(this.unkToken)} is not in the vocabulary`);
    }
  }

  static fromJSON(cfg: JsonObject): BPE {
    const w = 'BPE model';
    if (cfg.dropout !== undefined && cfg.dropout !== null && cfg.dropout !== 0) {
      fail(w, `"dropout" is not supported (only deterministic BPE), got ${preview(cfg.dropout)}`);
    }
    const merges = readArray(cfg, 'merges', w).map((m, i) => parseMerge(m, `${w} merges[${i}]`));
    const unk = cfg.unk_token;
    return new BPE(vocabFromJSON(readObject(cfg, 'vocab', w), w), merges, {
      unkToken: unk === undefined || unk === null ? null : readString(cfg, 'unk_token', w),
      continuingSubwordPrefix: readString(cfg, 'continuing_subword_prefix', w, ''),
      endOfWordSuffix: readString(cfg, 'end_of_word_suffix', w, ''),
      fuseUnk: readBool(cfg, 'fuse_unk', w, false),
      byteFallback: readBool(cfg, 'byte_fallback', w, false),
      ignoreMerges: readBool(cfg, 'ignore_merges', w, false),
    });
  }

  get vocabSize(): number {
    return this.tokens.length;
  }

  tokenize(word: string): WordPieces {
    const hit = this.cache.get(word);
    if (hit) return hit;
    const pieces = this.encodeWord(word);
    this.cache.set(word, pieces);
    return pieces;
  }

  private encodeWord(word: string): WordPieces {
    if (this.ignoreMerges) {
      const whole = this.vocab.get(word);
      if (whole !== undefined) return { ids: [whole], tokens: [word] };
    }
    const symbols = this.initialSymbols(word);
    const merged = symbols.length > LONG_WORD ? this.mergeWithHeap(symbols) : this.mergeByScan(symbols);
    return { ids: merged, tokens: merged.map((id) => this.tokens[id]!) };
  }

  /** One symbol per character; unknown characters become bytes (byte fallback) or [UNK]. */
  private initialSymbols(word: string): number[] {
    if (this.simpleChars && !/[\uD800-\uDFFF]/.test(word)) {
      // Byte-level vocabularies cover every character: one lookup per UTF-16 unit.
      const out = new Array<number>(word.length);
      let known = true;
      for (let i = 0; i < word.length && known; i++) {
        const id = this.vocab.get(word[i]!);
        if (id === undefined) known = false;
        else out[i] = id;
      }
      if (known) return out;
    }
    const out: number[] = [];
    const chars = Array.from(word);
    let lastWasUnk = false;
    for (let i = 0; i < chars.length; i++) {
      let s = chars[i]!;
      if (i > 0 && this.continuingSubwordPrefix) s = this.continuingSubwordPrefix + s;
      if (i === chars.length - 1 && this.endOfWordSuffix) s += this.endOfWordSuffix;
      const id = this.vocab.get(s);
      if (id !== undefined) {
        out.push(id);
        lastWasUnk = false;
        continue;
      }
      if (this.byteFallback) {
        const bytes = Array.from(utf8Bytes(chars[i]!), (b) =>
          this.vocab.get(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`),
        );
        if (bytes.every((b) => b !== undefined)) {
          for (const b of bytes as number[]) out.push(b);
          lastWasUnk = false;
          continue;
        }
      }
      if (this.unkToken === null) continue; // Hugging Face drops such characters too.
      if (!(this.fuseUnk && lastWasUnk)) out.push(this.vocab.get(this.unkToken)!);
      lastWasUnk = true;
    }
    return out;
  }

  private mergeByScan(symbols: number[]): number[] {
    const { ranks, stride } = this;
    while (symbols.length > 1) {
      let best = Number.POSITIVE_INFINITY;
      let at = -1;
      for (let i = 0; i < symbols.length - 1; i++) {
        const r = ranks.get(symbols[i]! * stride + symbols[i + 1]!);
        if (r !== undefined && r < best) {
          best = r;
          at = i;
        }
      }
      if (at < 0) break;
      symbols[at] = this.mergedId[best]!;
      symbols.splice(at + 1, 1);
    }
    return symbols;
  }

  /** Same merges as mergeByScan in O(n log n): a linked list of symbols and a (rank, position) heap. */
  private mergeWithHeap(symbols: number[]): number[] {
    const { ranks, stride } = this;
    const n = symbols.length;
    const id = Int32Array.from(symbols);
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    const alive = new Uint8Array(n).fill(1);
    const heap = new PairHeap(3 * n);
    const pushPair = (i: number) => {
      const j = next[i]!;
      if (j < 0) return;
      const r = ranks.get(id[i]! * stride + id[j]!);
      if (r !== undefined) heap.push(r, i, id[i]!, id[j]!);
    };
    for (let i = 0; i < n - 1; i++) pushPair(i);
    while (heap.size > 0) {
      heap.pop();
      const { rank, pos, left, right } = heap;
      const j = next[pos]!;
      // Skip entries made stale by an earlier merge.
      if (!alive[pos] || j < 0 || id[pos] !== left || id[j] !== right) continue;
      id[pos] = this.mergedId[rank]!;
      alive[j] = 0;
      next[pos] = next[j]!;
      if (next[j]! >= 0) prev[next[j]!] = pos;
      if (prev[pos]! >= 0) pushPair(prev[pos]!);
      pushPair(pos);
    }
    const out: number[] = [];
    for (let i = 0; i >= 0; i = next[i]!) out.push(id[i]!);
    return out;
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
    const vocab: JsonObject = {};
    this.tokens.forEach((t, i) => {
      if (t !== undefined) vocab[t] = i;
    });
    return {
      type: 'BPE',
      dropout: null,
      unk_token: this.unkToken,
      continuing_subword_prefix: this.continuingSubwordPrefix,
      end_of_word_suffix: this.endOfWordSuffix,
      fuse_unk: this.fuseUnk,
      byte_fallback: this.byteFallback,
      ignore_merges: this.ignoreMerges,
      vocab,
      merges: this.merges.map(([a, b]) => [a, b]),
    };
  }
}

/** A merge is `"a b"` (older files) or `["a", "b"]` (newer ones, which allow spaces in tokens). */
export function parseMerge(m: unknown, where: string): [string, string] {
  if (typeof m === 'string') {
    const space = m.indexOf(' ', 1);
    if (space < 0) fail(where, `expected "left right", got ${preview(m)}`);
    return [m.slice(0, space), m.slice(space + 1)];
  }
  if (Array.isArray(m) && m.length === 2 && typeof m[0] === 'string' && typeof m[1] === 'string')
    return [m[0], m[1]];
  fail(where, `expected "left right" or ["left", "right"], got ${preview(m)}`);
}

/** Parses merges.txt (an optional `#version` line, then one `left right` per line). */
export function parseMergesTxt(text: string, file = 'merges.txt'): [string, string][] {
  const out: [string, string][] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.length === 0 || (i === 0 && line.startsWith('#version'))) return;
    out.push(parseMerge(line, `${file} line ${i + 1}`));
  });
  return out;
}

/**
 * Min-heap of candidate merges ordered by (rank, position), in four preallocated typed arrays
 * (a word of n symbols pushes at most n - 1 pairs, then two per merge: 3n in all). `pop` leaves the
 * entry it removed in `rank`/`pos`/`left`/`right`: no object per pop, long words pop millions.
 */
class PairHeap {
  private readonly ranks: Int32Array;
  private readonly positions: Int32Array;
  private readonly lefts: Int32Array;
  private readonly rights: Int32Array;
  size = 0;
  rank = 0;
  pos = 0;
  left = 0;
  right = 0;
  constructor(capacity: number) {
    this.ranks = new Int32Array(capacity);
    this.positions = new Int32Array(capacity);
    this.lefts = new Int32Array(capacity);
    this.rights = new Int32Array(capacity);
  }
  private less(a: number, b: number): boolean {
    const ra = this.ranks[a]!;
    const rb = this.ranks[b]!;
    return ra < rb || (ra === rb && this.positions[a]! < this.positions[b]!);
  }
  private swap(a: number, b: number): void {
    const { ranks, positions, lefts, rights } = this;
    let t = ranks[a]!;
    ranks[a] = ranks[b]!;
    ranks[b] = t;
    t = positions[a]!;
    positions[a] = positions[b]!;
    positions[b] = t;
    t = lefts[a]!;
    lefts[a] = lefts[b]!;
    lefts[b] = t;
    t = rights[a]!;
    rights[a] = rights[b]!;
    rights[b] = t;
  }
  push(rank: number, pos: number, left: number, right: number): void {
    let i = this.size++;
    this.ranks[i] = rank;
    this.positions[i] = pos;
    this.lefts[i] = left;
    this.rights[i] = right;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }
  pop(): void {
    this.rank = this.ranks[0]!;
    this.pos = this.positions[0]!;
    this.left = this.lefts[0]!;
    this.right = this.rights[0]!;
    const n = --this.size;
    this.swap(0, n);
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }
}
