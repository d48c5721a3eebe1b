export interface LearnBpeOptions {
  vocabSize: number;
  /** Pairs seen fewer times than this are never merged. */
  minFrequency: number;
  /** Placed first in the vocabulary (ids 0, 1, ...). */
  specialTokens: readonly string[];
  /** Characters always in the vocabulary (byte-level BPE passes all 256 byte characters). */
  initialAlphabet?: readonly string[];
  /** Keep only this many of the most frequent characters (others become unknown). */
  limitAlphabet?: number;
  /** WordPiece-style marker on every symbol that continues a word ('##'). */
  continuingSubwordPrefix?: string;
}

/**
 * Learns BPE merges from word counts, as Hugging Face's BpeTrainer does: start from characters,
 * repeatedly merge the most frequent adjacent pair (ties: the smaller pair of ids), until the
 * vocabulary is full or no pair is frequent enough.
 */
export function learnBpe(
  words: ReadonlyMap<string, number>,
  opts: LearnBpeOptions,
): { vocab: Map<string, number>; merges: [string, string][] } {
  const prefix = opts.continuingSubwordPrefix ?? '';
  const vocab = new Map<string, number>();
  const tokens: string[] = [];
  const add = (t: string) => {
    let id = vocab.get(t);
    if (id === undefined) {
      id = tokens.length;
      vocab.set(t, id);
      tokens.push(t);
    }
    return id;
  };
  for (const t of opts.specialTokens) add(t);

  // The alphabet: the given characters plus the most frequent ones seen, in code point order.
  const charCounts = new Map<string, number>();
  for (const [word, count] of words)
    for (const c of word) charCounts.set(c, (charCounts.get(c) ?? 0) + count);
  for (const c of opts.initialAlphabet ?? []) charCounts.set(c, Number.POSITIVE_INFINITY);
  let alphabet = [...charCounts.keys()];
  if (opts.limitAlphabet !== undefined && alphabet.length > opts.limitAlphabet) {
    alphabet = [...charCounts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, Math.max(opts.limitAlphabet, opts.initialAlphabet?.length ?? 0))
      .map(([c]) => c);
  }
  alphabet.sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
  for (const c of alphabet) add(c);

  // Each distinct word as symbol ids; characters outside the alphabet split the word (they stay unknown).
  const wordSymbols: number[][] = [];
  const wordCounts: number[] = [];
  for (const [word, count] of words) {
    const symbols: number[] = [];
    let i = 0;
    for (const c of word) {
      if (vocab.has(c)) symbols.push(add(i > 0 && prefix ? prefix + c : c));
      else symbols.push(-1);
      i++;
    }
    wordSymbols.push(symbols);
    wordCounts.push(count);
  }

  // Pair statistics: count, and which words contain the pair.
  const stride = 1 << 21;
  const key = (a: number, b: number) => a * stride + b;
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addPairs = (w: number, sign: number) => {
    const s = wordSymbols[w]!;
    for (let i = 0; i + 1 < s.length; i++) {
      if (s[i]! < 0 || s[i + 1]! < 0) continue;
      const k = key(s[i]!, s[i + 1]!);
      pairCount.set(k, (pairCount.get(k) ?? 0) + sign * wordCounts[w]!);
      if (sign > 0) {
        let set = pairWords.get(k);
        if (!set) pairWords.set(k, (set = new Set()));
        set.add(w);
      }
    }
  };
  for (let w = 0; w < wordSymbols.length; w++) addPairs(w, 1);

  const heap = new MaxHeap();
  for (const [k, c] of pairCount) heap.push(c, k);
  const merges: [string, string][] = [];
  while (tokens.length < opts.vocabSize && heap.size > 0) {
    const top = heap.pop();
    const current = pairCount.get(top.key) ?? 0;
    if (current !== top.count) {
      // Stale entry: requeue with today's count.
      if (current > 0) heap.push(current, top.key);
      continue;
    }
    if (current < opts.minFrequency || current <= 0) break;
    const a = Math.floor(top.key / stride);
    const b = top.key % stride;
    const right = tokens[b]!;
    const merged = add(
      tokens[a]! + (prefix && right.startsWith(prefix) ? right.slice(prefix.length) : right),
    );
    merges.push([tokens[a]!, right]);
    const touched = pairWords.get(top.key) ?? new Set<number>();
    for (const w of touched) {
      const s = wordSymbols[w]!;
      let has = false;
      for (let i = 0; i + 1 < s.length; i++) if (s[i] === a && s[i + 1] === b) has = true;
      if (!has) continue;
      addPairs(w, -1);
      const next: number[] = [];
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === a && s[i + 1] === b) {
          next.push(merged);
          i++;
        } else next.push(s[i]!);
      }
      wordSymbols[w] = next;
      addPairs(w, 1);
      for (let i = 0; i + 1 < next.length; i++) {
        if (next[i] === merged || next[i + 1] === merged) {
          if (next[i]! >= 0 && next[i + 1]! >= 0) {
            const k = key(next[i]!, next[i + 1]!);
            heap.push(pairCount.get(k)!, k);
          }
        }
      }
    }
    pairCount.delete(top.key);
  }
  return { vocab, merges };
}

/** Max-heap of (count, pair key); ties go to the smaller key (the smaller pair of ids), as in Hugging Face. */
class MaxHeap {
  private counts: number[] = [];
  private keys: number[] = [];
  get size(): number {
    return this.counts.length;
  }
  private better(i: number, j: number): boolean {
    return (
      this.counts[i]! > this.counts[j]! ||
      (this.counts[i] === this.counts[j] && this.keys[i]! < this.keys[j]!)
    );
  }
  private swap(i: number, j: number): void {
    [this.counts[i], this.counts[j]] = [this.counts[j]!, this.counts[i]!];
    [this.keys[i], this.keys[j]] = [this.keys[j]!, this.keys[i]!];
  }
  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let i = this.counts.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.better(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  pop(): { count: number; key: number } {
    const top = { count: this.counts[0]!, key: this.keys[0]! };
    this.swap(0, this.counts.length - 1);
    this.counts.pop();
    this.keys.pop();
    const n = this.counts.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.better(l, m)) m = l;
      if (r < n && this.better(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }
}
