import { type AddedToken, AddedTokenMatcher, addedTokenFromJSON, addedTokenToJSON } from './addedTokens.js';
import { describe, fail, isObject, type JsonObject } from './config.js';
import { createDecoder, type Decoder, decodeTokens } from './decoders/index.js';
import { createModel, type TokenizerModel, type WordPieces } from './models/index.js';
import { createNormalizer, type Normalizer } from './normalizers/index.js';
import {
  concatEncodings,
  createPostProcessor,
  type Encoding,
  type PostProcessor,
} from './postProcessors/index.js';
import { createPreTokenizer, type PreTokenizer } from './preTokenizers/index.js';

export type TruncationStrategy = 'longest_first' | 'only_first' | 'only_second';
export type TruncationSide = 'right' | 'left';

export interface TokenizerStages {
  normalizer?: Normalizer | null;
  preTokenizer?: PreTokenizer | null;
  model: TokenizerModel;
  postProcessor?: PostProcessor | null;
  decoder?: Decoder | null;
  addedTokens?: readonly AddedToken[];
}

/**
 * The five-stage pipeline of a tokenizer.json (Hugging Face's Rust `Tokenizer`): added tokens are
 * cut out first, the rest is normalized, pre-tokenized into words, and each word goes through the
 * model; the post-processor adds special tokens; the decoder turns tokens back into text.
 */
export class Tokenizer {
  private _normalizer: Normalizer | null;
  private _preTokenizer: PreTokenizer | null;
  readonly model: TokenizerModel;
  readonly postProcessor: PostProcessor | null;
  readonly decoder: Decoder | null;
  private added: AddedToken[] = [];
  private addedById = new Map<number, AddedToken>();
  private addedByContent = new Map<string, AddedToken>();
  private rawMatcher = new AddedTokenMatcher([]);
  private normalizedMatcher = new AddedTokenMatcher([]);
  /** Model output by pre-tokenizer word, for pre-tokenizers with the splitWords/rewriteWord fast path. */
  private readonly wordCache = new Map<string, WordPieces>();

  constructor(stages: TokenizerStages) {
    this._normalizer = stages.normalizer ?? null;
    this._preTokenizer = stages.preTokenizer ?? null;
    this.model = stages.model;
    this.postProcessor = stages.postProcessor ?? null;
    this.decoder = stages.decoder ?? null;
    this.setAddedTokens(stages.addedTokens ?? []);
  }

  /** From the parsed content of a tokenizer.json. */
  static fromJSON(json: unknown): Tokenizer {
    if (!isObject(json)) fail('tokenizer.json', `expected a JSON object, got ${describe(json)}`);
    if (json.model === undefined) fail('tokenizer.json', 'has no "model" entry');
    const optional = <T>(v: unknown, make: (c: unknown) => T): T | null =>
      v === undefined || v === null ? null : make(v);
    const added = json.added_tokens ?? [];
    if (!Array.isArray(added))
      fail('tokenizer.json', `"added_tokens" must be an array, got ${describe(added)}`);
    const tokenizer = new Tokenizer({
      normalizer: optional(json.normalizer, (c) => createNormalizer(c)),
      preTokenizer: optional(json.pre_tokenizer, (c) => createPreTokenizer(c)),
      model: createModel(json.model),
      postProcessor: optional(json.post_processor, (c) => createPostProcessor(c)),
      decoder: optional(json.decoder, (c) => createDecoder(c)),
      addedTokens: added.map((t, i) => addedTokenFromJSON(t, `added_tokens[${i}]`)),
    });
    // The ids the post-processor inserts must decode: within the model's vocabulary or added tokens.
    for (const id of tokenizer.postProcessor?.specialIds?.() ?? []) {
      if (tokenizer.idToToken(id) === undefined)
        fail(
          'post_processor',
          `special token id ${id} is neither in the model's vocabulary nor an added token (vocabulary size ${tokenizer.vocabSize})`,
        );
    }
    return tokenizer;
  }

  get normalizer(): Normalizer | null {
    return this._normalizer;
  }
  /** Replaces the normalizer (as `backend_tokenizer.normalizer = ...` in Python). */
  set normalizer(n: Normalizer | null) {
    this._normalizer = n;
    this.wordCache.clear();
    this.setAddedTokens(this.added);
  }
  get preTokenizer(): PreTokenizer | null {
    return this._preTokenizer;
  }
  set preTokenizer(p: PreTokenizer | null) {
    this._preTokenizer = p;
    this.wordCache.clear();
  }

  toJSON(): JsonObject {
    return {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: [...this.added].sort((a, b) => a.id - b.id).map(addedTokenToJSON),
      normalizer: this.normalizer?.toJSON() ?? null,
      pre_tokenizer: this.preTokenizer?.toJSON() ?? null,
      post_processor: this.postProcessor?.toJSON() ?? null,
      decoder: this.decoder?.toJSON() ?? null,
      model: this.model.toJSON(),
    };
  }

  get addedTokens(): readonly AddedToken[] {
    return this.added;
  }

  /**
   * Adds tokens (new ones get ids after the current vocabulary; tokens already in it keep their id).
   * Returns how many were new.
   */
  addTokens(
    tokens: readonly (string | (Partial<AddedToken> & { content: string }))[],
    special = false,
  ): number {
    let added = 0;
    let nextId = this.vocabSize;
    const next = this.added.map((t) => ({ ...t }));
    for (const spec of tokens) {
      const t = typeof spec === 'string' ? { content: spec } : spec;
      if (typeof t.content !== 'string' || t.content.length === 0)
        fail('addTokens', `each token must be a non-empty string, got ${describe(t.content)}`);
      const existing = next.find((a) => a.content === t.content);
      if (existing) {
        if (special || t.special) existing.special = true;
        continue;
      }
      const isSpecial = t.special ?? special;
      const known = this.model.tokenToId(t.content);
      const id = known ?? nextId++;
      if (known === undefined) added++;
      next.push({
        id,
        content: t.content,
        singleWord: t.singleWord ?? false,
        lstrip: t.lstrip ?? false,
        rstrip: t.rstrip ?? false,
        normalized: t.normalized ?? !isSpecial,
        special: isSpecial,
      });
    }
    this.setAddedTokens(next);
    return added;
  }

  private setAddedTokens(tokens: readonly AddedToken[]): void {
    this.added = tokens.map((t) => ({ ...t }));
    this.addedById = new Map(this.added.map((t) => [t.id, t]));
    this.addedByContent = new Map(this.added.map((t) => [t.content, t]));
    this.rawMatcher = new AddedTokenMatcher(this.added.filter((t) => !t.normalized));
    const norm = this.normalizer;
    this.normalizedMatcher = new AddedTokenMatcher(
      this.added.filter((t) => t.normalized),
      norm ? (s) => norm.normalize(s) : undefined,
    );
  }

  /** Size of the model vocabulary plus added tokens beyond it. */
  get vocabSize(): number {
    let n = this.model.vocabSize;
    for (const t of this.added) n = Math.max(n, t.id + 1);
    return n;
  }

  tokenToId(token: string): number | undefined {
    return this.addedByContent.get(token)?.id ?? this.model.tokenToId(token);
  }

  idToToken(id: number): string | undefined {
    return this.addedById.get(id)?.content ?? this.model.idToToken(id);
  }

  isSpecialId(id: number): boolean {
    return this.addedById.get(id)?.special === true;
  }

  getVocab(): Map<string, number> {
    const v = this.model.getVocab();
    for (const t of this.added) v.set(t.content, t.id);
    return v;
  }

  /** One text through added-token matching, normalizer, pre-tokenizer and model (no special tokens). */
  encodeSequence(text: string, typeId = 0, withTokens = true): Encoding {
    const ids: number[] = [];
    const tokens: string[] = [];
    const emitAdded = (t: AddedToken) => {
      ids.push(t.id);
      if (withTokens) tokens.push(t.content);
    };
    let offset = 0;
    for (const raw of this.rawMatcher.split(text)) {
      const first = offset === 0;
      offset += raw.text.length;
      if (raw.token) {
        emitAdded(raw.token);
        continue;
      }
      const normalized = this.normalizer ? this.normalizer.normalize(raw.text) : raw.text;
      const pieces = this.normalizedMatcher.empty
        ? [{ text: normalized }]
        : this.normalizedMatcher.split(normalized);
      for (let i = 0; i < pieces.length; i++) {
        const piece = pieces[i]!;
        if (piece.token) {
          emitAdded(piece.token);
          continue;
        }
        const pre = this.preTokenizer;
        if (pre?.splitWords && pre.rewriteWord) {
          // Remember pieces by the word before its rewrite: repeats skip the rewrite and one lookup.
          for (const word of pre.splitWords(piece.text, first && i === 0)) {
            let p = this.wordCache.get(word);
            if (p === undefined) {
              p = this.model.tokenize(pre.rewriteWord(word));
              if (this.wordCache.size >= 100_000) this.wordCache.clear();
              this.wordCache.set(word, p);
            }
            for (const id of p.ids) ids.push(id);
            if (withTokens) for (const t of p.tokens) tokens.push(t);
          }
          continue;
        }
        const words = pre ? pre.preTokenize(piece.text, first && i === 0) : [piece.text];
        for (const word of words) {
          const p = this.model.tokenize(word);
          for (const id of p.ids) ids.push(id);
          if (withTokens) for (const t of p.tokens) tokens.push(t);
        }
      }
    }
    return {
      ids,
      tokens,
      typeIds: new Array(ids.length).fill(typeId),
      specialTokensMask: new Array(ids.length).fill(0),
    };
  }

  /**
   * A text or pair, truncated (room is left for the special tokens) and post-processed, as the
   * Rust `Tokenizer::encode` does.
   */
  encode(
    text: string,
    pair: string | null = null,
    opts: {
      addSpecialTokens?: boolean;
      truncation?: { maxLength: number; strategy: TruncationStrategy; side: TruncationSide } | null;
      withTokens?: boolean;
    } = {},
  ): Encoding {
    const addSpecial = opts.addSpecialTokens ?? true;
    const withTokens = opts.withTokens ?? true;
    let a = this.encodeSequence(text, 0, withTokens);
    let b = pair === null ? null : this.encodeSequence(pair, 1, withTokens);
    if (opts.truncation) {
      const room = opts.truncation.maxLength - (addSpecial ? this.numSpecialTokensToAdd(b !== null) : 0);
      if (room < 0) {
        fail(
          'truncation',
          `maxLength ${opts.truncation.maxLength} leaves no room: the special tokens alone take ${opts.truncation.maxLength - room}`,
        );
      }
      [a, b] = truncateEncodings(a, b, room, opts.truncation.strategy, opts.truncation.side);
    }
    if (this.postProcessor) return this.postProcessor.process(a, b, addSpecial);
    return concatEncodings(b ? [a, b] : [a]);
  }

  numSpecialTokensToAdd(isPair: boolean): number {
    return this.postProcessor ? this.postProcessor.addedTokens(isPair) : 0;
  }

  /** Ids back to text: tokens (skipping special ones if asked) through the decoder. */
  decode(ids: readonly number[], skipSpecialTokens = false): string {
    const tokens: string[] = [];
    for (const id of ids) {
      const t = this.idToToken(id);
      if (t === undefined) fail('decode', `id ${id} is not in the vocabulary (size ${this.vocabSize})`);
      if (skipSpecialTokens && this.isSpecialId(id)) continue;
      tokens.push(t);
    }
    return this.decoder ? decodeTokens(this.decoder, tokens) : tokens.join(' ');
  }
}

function truncateEnd(e: Encoding, length: number, side: TruncationSide): Encoding {
  if (e.ids.length <= length) return e;
  const cut = <T>(xs: T[]) => (side === 'right' ? xs.slice(0, length) : xs.slice(xs.length - length));
  return {
    ids: cut(e.ids),
    tokens: cut(e.tokens),
    typeIds: cut(e.typeIds),
    specialTokensMask: cut(e.specialTokensMask),
  };
}

/** Hugging Face's `truncate_encodings` (tokenizers/src/utils/truncation.rs), before special tokens are added. */
export function truncateEncodings(
  a: Encoding,
  b: Encoding | null,
  maxLength: number,
  strategy: TruncationStrategy,
  side: TruncationSide,
): [Encoding, Encoding | null] {
  const total = a.ids.length + (b?.ids.length ?? 0);
  if (total <= maxLength) return [a, b];
  const toRemove = total - maxLength;
  if (strategy === 'longest_first') {
    if (!b) return [truncateEnd(a, maxLength, side), null];
    // The shorter keeps its length if it fits in half; otherwise both get half (the longer one the odd token).
    let n1 = a.ids.length;
    let n2 = b.ids.length;
    const swap = n1 > n2;
    if (swap) [n1, n2] = [n2, n1];
    n2 = n1 > maxLength ? n1 : Math.max(n1, maxLength - n1);
    if (n1 + n2 > maxLength) {
      n1 = Math.floor(maxLength / 2);
      n2 = n1 + (maxLength % 2);
    }
    if (swap) [n1, n2] = [n2, n1];
    return [truncateEnd(a, n1, side), truncateEnd(b, n2, side)];
  }
  const targetIsFirst = strategy === 'only_first';
  if (!targetIsFirst && !b)
    fail('truncation', `strategy 'only_second' needs a pair of texts, got a single text`);
  const target = targetIsFirst ? a : b!;
  if (target.ids.length <= toRemove) {
    fail(
      'truncation',
      `cannot respect maxLength: ${toRemove} tokens must go but the ${targetIsFirst ? 'first' : 'second'} sequence (strategy '${strategy}') has only ${target.ids.length}`,
    );
  }
  const cut = truncateEnd(target, target.ids.length - toRemove, side);
  return targetIsFirst ? [cut, b] : [a, cut];
}
