import { fail, isObject, type JsonObject, preview, readIdValue } from './config.js';

/** A token matched in the text before the model runs ([CLS], <|endoftext|>, user-added words). */
export interface AddedToken {
  id: number;
  content: string;
  /** Only match as a whole word. */
  singleWord: boolean;
  /** Swallow the whitespace on the left / right. */
  lstrip: boolean;
  rstrip: boolean;
  /** Match against normalized text (true) or the raw input (false). */
  normalized: boolean;
  special: boolean;
}

export function addedTokenFromJSON(x: unknown, where: string): AddedToken {
  if (!isObject(x) || typeof x.content !== 'string') {
    fail(where, `expected { id: number, content: string, ... }, got ${preview(x)}`);
  }
  const id = readIdValue(x.id, where, 'id');
  const special = x.special === true;
  return {
    id,
    content: x.content,
    singleWord: x.single_word === true,
    lstrip: x.lstrip === true,
    rstrip: x.rstrip === true,
    normalized: typeof x.normalized === 'boolean' ? x.normalized : !special,
    special,
  };
}

export function addedTokenToJSON(t: AddedToken): JsonObject {
  return {
    id: t.id,
    content: t.content,
    single_word: t.singleWord,
    lstrip: t.lstrip,
    rstrip: t.rstrip,
    normalized: t.normalized,
    special: t.special,
  };
}

/** A piece of input: plain text for the pipeline, or an added token already decided. */
export type Segment = { text: string; token?: AddedToken };

const WORD_CHAR = /[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]/u;
const WHITE_SPACE = /\p{White_Space}/u;

/** One node of the content trie (UTF-16 code units); `ends` lists the tokens whose content ends here. */
interface TrieNode {
  next: Map<number, TrieNode>;
  ends: number[];
}

/**
 * Finds added tokens in text as Hugging Face's matcher does: at each position the longest token
 * wins (ties: the earlier token), honouring lstrip/rstrip/single_word. A trie walked from each
 * position, not one big regex: V8 refuses a regex over ~50k characters ("too large") or with ~50k
 * capture groups, and compiles one over 10k tokens for seconds; the trie has neither limit.
 */
export class AddedTokenMatcher {
  private readonly root: TrieNode = { next: new Map(), ends: [] };
  /** Tokens by priority (longest normalized content first), with that content's length. */
  private readonly tokens: AddedToken[] = [];
  private readonly lengths: number[] = [];
  private readonly anyLstrip: boolean;

  constructor(tokens: readonly AddedToken[], normalize: (s: string) => string = (s) => s) {
    const alternatives = tokens
      .map((t) => ({ t, content: normalize(t.content) }))
      .filter((a) => a.content.length > 0)
      .sort((a, b) => b.content.length - a.content.length);
    for (const { t, content } of alternatives) {
      let node = this.root;
      for (let i = 0; i < content.length; i++) {
        const c = content.charCodeAt(i);
        let child = node.next.get(c);
        if (!child) {
          child = { next: new Map(), ends: [] };
          node.next.set(c, child);
        }
        node = child;
      }
      node.ends.push(this.tokens.length);
      this.tokens.push(t);
      this.lengths.push(content.length);
    }
    this.anyLstrip = this.tokens.some((t) => t.lstrip);
  }

  get empty(): boolean {
    return this.tokens.length === 0;
  }

  split(text: string): Segment[] {
    if (this.empty) return [{ text }];
    const out: Segment[] = [];
    let last = 0;
    // The lstrip candidates of the whitespace run being scanned (computed once per run).
    let run: { start: number; end: number; best: Int32Array; at: Int32Array } | null = null;
    for (let i = 0; i < text.length; ) {
      let best = this.root.next.has(text.charCodeAt(i)) ? this.bestAt(text, i, false) : -1;
      let contentStart = i;
      if (this.anyLstrip && isWhiteSpaceAt(text, i)) {
        if (!run || i < run.start || i >= run.end) run = this.lstripRun(text, i);
        const k = run.best[i - run.start]!;
        // `<=`: the same lstrip token later in the run wins (the regex's whitespace is greedy).
        if (k >= 0 && (best < 0 || k <= best)) {
          best = k;
          contentStart = run.at[i - run.start]!;
        }
      }
      if (best < 0) {
        i += codePointWidth(text, i);
        continue;
      }
      const t = this.tokens[best]!;
      let end = contentStart + this.lengths[best]!;
      if (t.rstrip) while (end < text.length && isWhiteSpaceAt(text, end)) end += codePointWidth(text, end);
      if (i > last) out.push({ text: text.slice(last, i) });
      out.push({ text: text.slice(i, end), token: t });
      last = i = end;
    }
    if (last < text.length) out.push({ text: text.slice(last) });
    return out;
  }

  /** The best token (by priority; -1 if none) whose content starts at `at` and whose word bounds hold. */
  private bestAt(text: string, at: number, lstripOnly: boolean): number {
    let best = -1;
    let node: TrieNode | undefined = this.root;
    for (let j = at; j < text.length; j++) {
      node = node.next.get(text.charCodeAt(j));
      if (!node) break;
      for (const k of node.ends) {
        if (best >= 0 && k >= best) break;
        const t = this.tokens[k]!;
        if (lstripOnly && !t.lstrip) continue;
        if (t.singleWord && (isWordCharBefore(text, at) || isWordCharAt(text, j + 1))) continue;
        best = k;
      }
    }
    return best;
  }

  /**
   * For each position p of the whitespace run starting at `start`: the best lstrip token whose
   * content starts at some q >= p within the run or right after it (the regex `\s*content` at p),
   * and where its content starts (the last such q: the whitespace is greedy).
   */
  private lstripRun(text: string, start: number) {
    let end = start;
    while (end < text.length && isWhiteSpaceAt(text, end)) end += codePointWidth(text, end);
    const n = end - start;
    const best = new Int32Array(n).fill(-1);
    const at = new Int32Array(n);
    let bestHere = -1;
    let atHere = 0;
    for (let q = end; q >= start; q--) {
      if (q > start && q < end && isLowSurrogate(text.charCodeAt(q))) continue;
      const k = this.bestAt(text, q, true);
      if (k >= 0 && (bestHere < 0 || k < bestHere)) {
        bestHere = k;
        atHere = q;
      }
      if (q < end) {
        best[q - start] = bestHere;
        at[q - start] = atHere;
      }
    }
    return { start, end, best, at };
  }
}

function codePointWidth(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1)) ? 2 : 1;
}
function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
function isWhiteSpaceAt(text: string, i: number): boolean {
  // Every White_Space character is in the BMP.
  return WHITE_SPACE.test(text[i]!);
}
function isWordCharAt(text: string, i: number): boolean {
  if (i >= text.length) return false;
  return WORD_CHAR.test(String.fromCodePoint(text.codePointAt(i)!));
}
function isWordCharBefore(text: string, i: number): boolean {
  if (i === 0) return false;
  const back =
    i >= 2 && isLowSurrogate(text.charCodeAt(i - 1)) && !isLowSurrogate(text.charCodeAt(i - 2)) ? 2 : 1;
  return WORD_CHAR.test(String.fromCodePoint(text.codePointAt(i - back)!));
}
