import { ShapeError, type Tensor, tensor } from '@lumen/tensor';
import { describe, fail, NotFittedError } from '../base/errors.js';
import { BaseEstimator, checkBool, checkInt, checkNumber, checkOneOf } from '../base/estimator.js';
import { type CsrDtype, CsrMatrix } from '../sparse/csr.js';
import { murmurhash3_32 } from './murmurhash.js';
import { numpyArgsort } from './numpySort.js';
import {
  compareCodePoints,
  defaultTokens,
  PY_SPACE_RUNS_RE,
  PY_SPACES_RE,
  pythonPattern,
} from './pyRegex.js';
import { ENGLISH_STOP_WORDS } from './stopWords.js';

/** scikit-learn's default token pattern: words of two or more word characters. */
export const DEFAULT_TOKEN_PATTERN = '(?u)\\b\\w\\w+\\b';

/** Text documents: an array (or any iterable) of strings, e.g. `df.col('text').toArray()`. */
export type RawDocuments = Iterable<string>;

/** The options shared by CountVectorizer, TfidfVectorizer and HashingVectorizer (scikit-learn's names in camelCase). */
export interface AnalyzerOptions {
  /** 'ascii' (NFKD, then drop what is not ASCII), 'unicode' (NFKD, then drop combining marks), a function, or null. */
  stripAccents: 'ascii' | 'unicode' | ((doc: string) => string) | null;
  lowercase: boolean;
  /** Replaces lowercasing and accent stripping (word and char analyzers). */
  preprocessor: ((doc: string) => string) | null;
  /** Replaces the token pattern (word analyzer). */
  tokenizer: ((doc: string) => string[]) | null;
  /** 'english' (scikit-learn's list), your own list, or null. Word analyzer only. */
  stopWords: 'english' | readonly string[] | null;
  /**
   * A Python regular expression as scikit-learn takes it (`\w`, `\b`, `\d`, `\s` keep Python's
   * Unicode meaning), or a JavaScript RegExp used as it is. With one capturing group, the group is the token.
   */
  tokenPattern: string | RegExp | null;
  /** [minN, maxN]: the n-gram sizes to extract. */
  ngramRange: readonly [number, number];
  /** 'word', 'char' (character n-grams), 'char_wb' (character n-grams inside words, padded with spaces) or a function doc => tokens. */
  analyzer: 'word' | 'char' | 'char_wb' | ((doc: string) => string[]);
  binary: boolean;
  /** The dtype of the output's values. */
  dtype: CsrDtype;
}

export interface CountVectorizerOptions extends AnalyzerOptions {
  /**
   * Ignore terms in more than this many documents: a fraction in [0, 1] or a count (an integer
   * >= 2). Default 1 = all documents (scikit-learn's float 1.0: JavaScript has no separate int 1).
   */
  maxDf: number;
  /** Ignore terms in fewer documents: a count (an integer >= 1, default 1) or a fraction in [0, 1). */
  minDf: number;
  /** Keep only the most frequent terms (by count over the corpus). */
  maxFeatures: number | null;
  /** A fixed vocabulary: the terms (index = position) or a term → index map. */
  vocabulary: readonly string[] | ReadonlyMap<string, number> | Readonly<Record<string, number>> | null;
}

export interface TfidfOptions {
  /** Each row scaled to unit 'l2' or 'l1' norm, or null. */
  norm: 'l2' | 'l1' | null;
  useIdf: boolean;
  smoothIdf: boolean;
  sublinearTf: boolean;
}

export interface TfidfVectorizerOptions extends CountVectorizerOptions, TfidfOptions {}

export interface HashingVectorizerOptions extends AnalyzerOptions {
  nFeatures: number;
  norm: 'l2' | 'l1' | null;
  alternateSign: boolean;
}

const ANALYZER_DEFAULTS: AnalyzerOptions = {
  stripAccents: null,
  lowercase: true,
  preprocessor: null,
  tokenizer: null,
  stopWords: null,
  tokenPattern: DEFAULT_TOKEN_PATTERN,
  ngramRange: [1, 1],
  analyzer: 'word',
  binary: false,
  dtype: 'float64',
};

const COUNT_DEFAULTS: CountVectorizerOptions = {
  ...ANALYZER_DEFAULTS,
  maxDf: 1,
  minDf: 1,
  maxFeatures: null,
  vocabulary: null,
};

const TFIDF_DEFAULTS: TfidfOptions = { norm: 'l2', useIdf: true, smoothIdf: true, sublinearTf: false };

type Analyze = (doc: string, out: string[]) => string[];

function stripAccentsAscii(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the complement of ASCII
  return s.normalize('NFKD').replace(/[^\x00-\x7f]/g, '');
}

function stripAccentsUnicode(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII needs no work
  if (/^[\x00-\x7f]*$/.test(s)) return s;
  return s.normalize('NFKD').replace(/\p{Mn}/gu, '');
}

function checkFunction(op: string, name: string, v: unknown): void {
  if (v !== null && typeof v !== 'function')
    fail(op, `${name} must be a function or null, got ${describe(v)}`);
}

/** Code points of a string (what Python indexes and slices). */
function codePoints(s: string): string[] {
  return /[\ud800-\udfff]/.test(s) ? Array.from(s) : (s.split('') as string[]);
}

/** The analyzer as scikit-learn's build_analyzer chains it: preprocess, tokenize, stop words, n-grams. */
export function buildAnalyzer(op: string, p: AnalyzerOptions): Analyze {
  checkBool(op, 'lowercase', p.lowercase);
  checkBool(op, 'binary', p.binary);
  checkOneOf(op, 'dtype', p.dtype, ['float64', 'float32'] as const);
  checkFunction(op, 'preprocessor', p.preprocessor);
  checkFunction(op, 'tokenizer', p.tokenizer);
  const range = p.ngramRange;
  if (!Array.isArray(range) || range.length !== 2)
    fail(op, `ngramRange must be [minN, maxN], got ${describe(range)}`);
  const minN = checkInt(op, 'ngramRange[0]', range[0], 1);
  const maxN = checkInt(op, 'ngramRange[1]', range[1], 1);
  if (minN > maxN)
    fail(
      op,
      `ngramRange [${minN}, ${maxN}] is invalid: the lower boundary is larger than the upper boundary`,
    );
  if (typeof p.analyzer === 'function') {
    const fn = p.analyzer;
    return (doc, out) => {
      const toks = fn(doc);
      if (!Array.isArray(toks)) fail(op, `analyzer must return an array of strings, got ${describe(toks)}`);
      for (const t of toks) out.push(t);
      return out;
    };
  }
  const analyzer = checkOneOf(op, 'analyzer', p.analyzer, ['word', 'char', 'char_wb'] as const);
  let accents: ((s: string) => string) | null = null;
  if (typeof p.stripAccents === 'function') accents = p.stripAccents;
  else if (p.stripAccents !== null) {
    const kind = checkOneOf(op, 'stripAccents', p.stripAccents, ['ascii', 'unicode'] as const);
    accents = kind === 'ascii' ? stripAccentsAscii : stripAccentsUnicode;
  }
  const lower = p.lowercase;
  const preprocess: (s: string) => string =
    p.preprocessor ??
    (accents === null
      ? lower
        ? (s) => s.toLowerCase()
        : (s) => s
      : lower
        ? (s) => accents(s.toLowerCase())
        : accents);

  if (analyzer === 'char' || analyzer === 'char_wb') {
    return (doc, out) => {
      const text = preprocess(doc).replace(PY_SPACE_RUNS_RE, ' ');
      if (analyzer === 'char') {
        const cps = codePoints(text);
        for (let n = minN; n <= Math.min(maxN, cps.length); n++)
          for (let i = 0; i + n <= cps.length; i++)
            out.push(n === 1 ? cps[i]! : cps.slice(i, i + n).join(''));
        return out;
      }
      for (const word of text.split(PY_SPACES_RE)) {
        if (word === '') continue;
        const w = codePoints(` ${word} `);
        for (let n = minN; n <= maxN; n++) {
          let offset = 0;
          out.push(w.slice(offset, offset + n).join(''));
          while (offset + n < w.length) {
            offset++;
            out.push(w.slice(offset, offset + n).join(''));
          }
          if (offset === 0) break; // a short word counts once
        }
      }
      return out;
    };
  }

  // word analyzer
  let tokenize: (doc: string, out: string[]) => string[];
  if (p.tokenizer !== null) {
    const fn = p.tokenizer;
    tokenize = (doc, out) => {
      const toks = fn(doc);
      if (!Array.isArray(toks)) fail(op, `tokenizer must return an array of strings, got ${describe(toks)}`);
      for (const t of toks) out.push(t);
      return out;
    };
  } else if (p.tokenPattern === DEFAULT_TOKEN_PATTERN) {
    tokenize = defaultTokens;
  } else {
    let re: RegExp;
    let groups: number;
    if (p.tokenPattern instanceof RegExp) {
      const flags = new Set(p.tokenPattern.flags);
      flags.add('g');
      re = new RegExp(p.tokenPattern.source, [...flags].join(''));
      groups = new RegExp(`${p.tokenPattern.source}|`, p.tokenPattern.flags).exec('')!.length - 1;
    } else if (typeof p.tokenPattern === 'string') {
      ({ re, groups } = pythonPattern(op, p.tokenPattern));
    } else {
      return fail(op, `tokenPattern must be a string or a RegExp, got ${describe(p.tokenPattern)}`);
    }
    if (groups > 1)
      fail(op, `tokenPattern has ${groups} capturing groups; only a single group should be captured`);
    tokenize = (doc, out) => {
      re.lastIndex = 0;
      for (let m = re.exec(doc); m !== null; m = re.exec(doc)) {
        out.push(groups === 1 ? (m[1] ?? '') : m[0]);
        if (m[0] === '') re.lastIndex += 1;
      }
      return out;
    };
  }
  let stop: ReadonlySet<string> | null = null;
  if (p.stopWords === 'english') stop = ENGLISH_STOP_WORDS;
  else if (Array.isArray(p.stopWords)) {
    p.stopWords.forEach((w, i) => {
      if (typeof w !== 'string') fail(op, `stopWords[${i}] must be a string, got ${describe(w)}`);
    });
    stop = new Set(p.stopWords);
  } else if (p.stopWords !== null)
    fail(op, `stopWords must be 'english', an array of strings or null, got ${describe(p.stopWords)}`);
  const scratch: string[] = [];
  return (doc, out) => {
    const text = preprocess(doc);
    if (typeof text !== 'string') fail(op, `preprocessor must return a string, got ${describe(text)}`);
    if (minN === 1 && maxN === 1 && stop === null) return tokenize(text, out);
    scratch.length = 0;
    tokenize(text, scratch);
    let toks = scratch;
    if (stop !== null) toks = toks.filter((t) => !stop.has(t));
    const nTok = toks.length;
    let n0 = minN;
    if (minN === 1) {
      for (const t of toks) out.push(t);
      n0 = 2;
    }
    for (let n = n0; n <= Math.min(maxN, nTok); n++)
      for (let i = 0; i + n <= nTok; i++) out.push(toks.slice(i, i + n).join(' '));
    return out;
  };
}

function checkDocuments(op: string, raw: unknown): string[] {
  if (typeof raw === 'string')
    fail(op, 'rawDocuments must be an iterable of text documents (e.g. an array of strings), got one string');
  if (
    raw === null ||
    typeof raw !== 'object' ||
    typeof (raw as Iterable<unknown>)[Symbol.iterator] !== 'function'
  )
    fail(op, `rawDocuments must be an array (or iterable) of strings, got ${describe(raw)}`);
  const docs = Array.isArray(raw) ? (raw as unknown[]) : Array.from(raw as Iterable<unknown>);
  for (let i = 0; i < docs.length; i++)
    if (typeof docs[i] !== 'string')
      fail(op, `rawDocuments[${i}] must be a string, got ${describe(docs[i])}`);
  return docs as string[];
}

/** Growable column-index / value arrays of a CSR matrix under construction. */
class CsrBuilder {
  indices = new Int32Array(4096);
  values = new Float64Array(4096);
  nnz = 0;
  push(j: number, v: number): void {
    if (this.nnz === this.indices.length) {
      const idx = new Int32Array(this.nnz * 2);
      idx.set(this.indices);
      this.indices = idx;
      const val = new Float64Array(this.nnz * 2);
      val.set(this.values);
      this.values = val;
    }
    this.indices[this.nnz] = j;
    this.values[this.nnz++] = v;
  }
}

/** Counts of each document's terms; a new term gets the next index unless the vocabulary is fixed. */
function countVocab(
  op: string,
  docs: string[],
  analyze: Analyze,
  vocab: Map<string, number>,
  fixed: boolean,
): { indptr: Int32Array; indices: Int32Array; values: Float64Array } {
  const n = docs.length;
  const indptr = new Int32Array(n + 1);
  const b = new CsrBuilder();
  let lastDoc = new Int32Array(Math.max(1024, vocab.size)).fill(-1);
  let slot = new Int32Array(lastDoc.length);
  const toks: string[] = [];
  for (let i = 0; i < n; i++) {
    toks.length = 0;
    analyze(docs[i]!, toks);
    for (let t = 0; t < toks.length; t++) {
      const tok = toks[t]!;
      let j = vocab.get(tok);
      if (j === undefined) {
        if (fixed) continue;
        if (typeof tok !== 'string')
          fail(op, `the analyzer produced a token that is not a string: ${describe(tok)}`);
        j = vocab.size;
        vocab.set(tok, j);
        if (j >= lastDoc.length) {
          const ld = new Int32Array(lastDoc.length * 2).fill(-1);
          ld.set(lastDoc);
          lastDoc = ld;
          const sl = new Int32Array(lastDoc.length);
          sl.set(slot);
          slot = sl;
        }
      }
      if (lastDoc[j] === i) b.values[slot[j]!]! += 1;
      else {
        lastDoc[j] = i;
        slot[j] = b.nnz;
        b.push(j, 1);
      }
    }
    indptr[i + 1] = b.nnz;
  }
  return { indptr, indices: b.indices.subarray(0, b.nnz), values: b.values.subarray(0, b.nnz) };
}

/** Rows with column indices sorted (a counting sort by column, then back by row: O(nnz)). */
function sortRows(
  n: number,
  d: number,
  indptr: Int32Array,
  indices: Int32Array,
  values: Float64Array,
): { indices: Int32Array; values: Float64Array } {
  const nnz = indptr[n]!;
  const colPtr = new Int32Array(d + 1);
  for (let p = 0; p < nnz; p++) colPtr[indices[p]! + 1]!++;
  for (let j = 0; j < d; j++) colPtr[j + 1]! += colPtr[j]!;
  const rowOf = new Int32Array(nnz);
  const valT = new Float64Array(nnz);
  const next = colPtr.slice(0, d);
  for (let i = 0; i < n; i++) {
    for (let p = indptr[i]!; p < indptr[i + 1]!; p++) {
      const q = next[indices[p]!]!++;
      rowOf[q] = i;
      valT[q] = values[p]!;
    }
  }
  const outIdx = new Int32Array(nnz);
  const outVal = new Float64Array(nnz);
  const rowNext = indptr.slice(0, n);
  for (let j = 0; j < d; j++) {
    for (let q = colPtr[j]!; q < colPtr[j + 1]!; q++) {
      const p = rowNext[rowOf[q]!]!++;
      outIdx[p] = j;
      outVal[p] = valT[q]!;
    }
  }
  return { indices: outIdx, values: outVal };
}

function toCsr(
  dtype: CsrDtype,
  values: Float64Array,
  indices: Int32Array,
  indptr: Int32Array,
  shape: [number, number],
): CsrMatrix {
  return CsrMatrix.unchecked(
    dtype === 'float32' ? Float32Array.from(values) : values,
    indices,
    indptr,
    shape,
  );
}

function fixedVocabulary(op: string, v: CountVectorizerOptions['vocabulary']): Map<string, number> | null {
  if (v === null) return null;
  const out = new Map<string, number>();
  if (Array.isArray(v)) {
    v.forEach((t, i) => {
      if (typeof t !== 'string') fail(op, `vocabulary[${i}] must be a string, got ${describe(t)}`);
      if (out.has(t))
        fail(op, `vocabulary has the term ${JSON.stringify(t)} twice (positions ${out.get(t)} and ${i})`);
      out.set(t, i);
    });
  } else if (v instanceof Map || (typeof v === 'object' && v !== null)) {
    const entries = v instanceof Map ? [...v.entries()] : Object.entries(v);
    const seen = new Set<number>();
    for (const [t, i] of entries) {
      if (typeof i !== 'number' || !Number.isInteger(i) || i < 0)
        fail(op, `vocabulary[${JSON.stringify(t)}] must be a non-negative integer index, got ${describe(i)}`);
      if (seen.has(i)) fail(op, `vocabulary contains repeated indices: ${i}`);
      seen.add(i);
      out.set(t as string, i);
    }
    for (let i = 0; i < out.size; i++)
      if (!seen.has(i)) fail(op, `vocabulary of size ${out.size} doesn't contain index ${i}`);
  } else
    fail(op, `vocabulary must be an array of terms, a Map or an object of term → index, got ${describe(v)}`);
  if (out.size === 0) fail(op, 'vocabulary is empty');
  return out;
}

interface CountState {
  vocabulary: Map<string, number>;
  featureNames: string[];
  stopWords: Set<string>;
}

/** The fit of CountVectorizer: vocabulary and (canonical, float64) counts. */
function fitCounts(
  op: string,
  p: CountVectorizerOptions,
  raw: RawDocuments,
): { state: CountState; X: { indptr: Int32Array; indices: Int32Array; values: Float64Array; d: number } } {
  const analyze = buildAnalyzer(op, p);
  const fixedVocab = fixedVocabulary(op, p.vocabulary);
  const docs = checkDocuments(op, raw);
  const n = docs.length;
  const maxDf = checkNumber(op, 'maxDf', p.maxDf, { min: 0 });
  const minDf = checkNumber(op, 'minDf', p.minDf, { min: 0 });
  // A count is an integer >= 2 for maxDf (1 is the fraction 1.0) and >= 1 for minDf.
  const maxIsCount = Number.isInteger(maxDf) && maxDf >= 2;
  const minIsCount = Number.isInteger(minDf) && minDf >= 1;
  if (!maxIsCount && maxDf > 1)
    fail(op, `maxDf must be a fraction in [0, 1] or an integer count >= 2, got ${maxDf}`);
  if (!minIsCount && minDf >= 1)
    fail(op, `minDf must be a fraction in [0, 1) or an integer count >= 1, got ${minDf}`);
  const maxFeatures = p.maxFeatures === null ? null : checkInt(op, 'maxFeatures', p.maxFeatures, 1);
  const vocab = fixedVocab ?? new Map<string, number>();
  const counts = countVocab(op, docs, analyze, vocab, fixedVocab !== null);
  let { indptr, indices, values } = counts;
  if (p.binary) values.fill(1);
  let d = vocab.size;
  let featureNames: string[];
  const removed = new Set<string>();
  if (fixedVocab !== null) {
    featureNames = new Array<string>(d);
    for (const [t, i] of vocab) featureNames[i] = t;
  } else {
    if (d === 0) fail(op, 'empty vocabulary; perhaps the documents only contain stop words');
    // Terms in code-point order (Python's sorted()), as scikit-learn's _sort_features.
    const terms = [...vocab.keys()].sort(compareCodePoints);
    const remap = new Int32Array(d);
    terms.forEach((t, k) => {
      remap[vocab.get(t)!] = k;
    });
    for (let q = 0; q < indices.length; q++) indices[q] = remap[indices[q]!]!;
    featureNames = terms;
    const maxDoc = maxIsCount ? maxDf : maxDf * n;
    const minDoc = minIsCount ? minDf : minDf * n;
    if (maxDoc < minDoc) fail(op, `maxDf (${maxDf}) corresponds to fewer documents than minDf (${minDf})`);
    const df = new Float64Array(d);
    const tf = new Float64Array(d);
    for (let q = 0; q < indices.length; q++) {
      df[indices[q]!]!++;
      tf[indices[q]!]! += values[q]!;
    }
    let keep: Uint8Array | null = null;
    if (maxDoc < n || minDoc > 1 || maxFeatures !== null) {
      keep = new Uint8Array(d);
      let kept = 0;
      for (let j = 0; j < d; j++) if (df[j]! <= maxDoc && df[j]! >= minDoc) keep[j] = 1;
      for (let j = 0; j < d; j++) kept += keep[j]!;
      if (maxFeatures !== null && kept > maxFeatures) {
        // numpy's (unstable) argsort of -tf over the kept terms, as scikit-learn's _limit_features.
        const where: number[] = [];
        for (let j = 0; j < d; j++) if (keep[j]) where.push(j);
        const negTf = Float64Array.from(where, (j) => -tf[j]!);
        const order = numpyArgsort(negTf);
        keep.fill(0);
        for (let k = 0; k < maxFeatures; k++) keep[where[order[k]!]!] = 1;
      }
    }
    if (keep !== null) {
      const newIndex = new Int32Array(d);
      const names: string[] = [];
      for (let j = 0; j < d; j++) {
        if (keep[j]) {
          newIndex[j] = names.length;
          names.push(featureNames[j]!);
        } else {
          newIndex[j] = -1;
          removed.add(featureNames[j]!);
        }
      }
      if (names.length === 0) fail(op, 'after pruning, no terms remain; try a lower minDf or a higher maxDf');
      const outIdx = new Int32Array(indices.length);
      const outVal = new Float64Array(indices.length);
      const ptr = new Int32Array(n + 1);
      let nnz = 0;
      for (let i = 0; i < n; i++) {
        for (let q = indptr[i]!; q < indptr[i + 1]!; q++) {
          const j = newIndex[indices[q]!]!;
          if (j >= 0) {
            outIdx[nnz] = j;
            outVal[nnz++] = values[q]!;
          }
        }
        ptr[i + 1] = nnz;
      }
      indptr = ptr;
      indices = outIdx.subarray(0, nnz);
      values = outVal.subarray(0, nnz);
      featureNames = names;
      d = names.length;
    }
    vocab.clear();
    featureNames.forEach((t, k) => {
      vocab.set(t, k);
    });
  }
  const sorted = sortRows(n, d, indptr, indices, values);
  return {
    state: { vocabulary: vocab, featureNames, stopWords: removed },
    X: { indptr, indices: sorted.indices, values: sorted.values, d },
  };
}

/** Counts of the fitted vocabulary's terms in new documents. */
function transformCounts(
  op: string,
  p: AnalyzerOptions,
  s: CountState,
  raw: RawDocuments,
): { indptr: Int32Array; indices: Int32Array; values: Float64Array; n: number; d: number } {
  const analyze = buildAnalyzer(op, p);
  const docs = checkDocuments(op, raw);
  const { indptr, indices, values } = countVocab(op, docs, analyze, s.vocabulary, true);
  if (p.binary) values.fill(1);
  const d = s.featureNames.length;
  const sorted = sortRows(docs.length, d, indptr, indices, values);
  return { indptr, indices: sorted.indices, values: sorted.values, n: docs.length, d };
}

/**
 * scikit-learn's CountVectorizer: a document-term matrix of token counts (a CsrMatrix, float64 by
 * default where scikit-learn counts in int64). Vocabulary, n-grams, stop words and minDf/maxDf/
 * maxFeatures pruning as scikit-learn does them, so `vocabulary_` and the matrix equal scikit-learn's.
 */
export class CountVectorizer extends BaseEstimator<CountVectorizerOptions> {
  private state: CountState | null = null;

  constructor(opts?: Partial<CountVectorizerOptions>) {
    super(COUNT_DEFAULTS, opts);
  }

  fit(rawDocuments: RawDocuments, _y?: unknown): this {
    this.fitTransform(rawDocuments);
    return this;
  }

  fitTransform(rawDocuments: RawDocuments, _y?: unknown): CsrMatrix {
    const { state, X } = fitCounts('CountVectorizer.fitTransform', this.params, rawDocuments);
    this.state = state;
    return toCsr(this.params.dtype, X.values, X.indices, X.indptr, [X.indptr.length - 1, X.d]);
  }

  transform(rawDocuments: RawDocuments): CsrMatrix {
    const s = this.fittedVocabulary('transform');
    const X = transformCounts('CountVectorizer.transform', this.params, s, rawDocuments);
    return toCsr(this.params.dtype, X.values, X.indices, X.indptr, [X.n, X.d]);
  }

  /** The terms of each row's non-zero columns, as scikit-learn's inverse_transform. */
  inverseTransform(X: CsrMatrix): string[][] {
    const s = this.fittedVocabulary('inverseTransform');
    if (!(X instanceof CsrMatrix))
      fail('CountVectorizer.inverseTransform', `X must be a CsrMatrix, got ${describe(X)}`);
    if (X.shape[1] !== s.featureNames.length)
      fail(
        'CountVectorizer.inverseTransform',
        `X has ${X.shape[1]} features, but the vocabulary has ${s.featureNames.length} terms`,
        ShapeError,
      );
    return Array.from({ length: X.shape[0] }, (_, i) => {
      const out: string[] = [];
      for (let p = X.indptr[i]!; p < X.indptr[i + 1]!; p++)
        if (X.data[p] !== 0) out.push(s.featureNames[X.indices[p]!]!);
      return out;
    });
  }

  /** A fixed vocabulary needs no fit, as in scikit-learn. */
  private fittedVocabulary(what: string): CountState {
    if (this.state === null && this.params.vocabulary !== null) {
      const vocab = fixedVocabulary(`${this.constructor.name}.${what}`, this.params.vocabulary)!;
      const featureNames = new Array<string>(vocab.size);
      for (const [t, i] of vocab) featureNames[i] = t;
      this.state = { vocabulary: vocab, featureNames, stopWords: new Set() };
    }
    return this.fitted(this.state, what);
  }

  /** The terms in column order. */
  getFeatureNamesOut(): string[] {
    return this.fittedVocabulary('getFeatureNamesOut').featureNames.slice();
  }
  /** Term → column index. */
  get vocabulary_(): Map<string, number> {
    return new Map(this.fittedVocabulary('vocabulary_').vocabulary);
  }
  /** Terms dropped by minDf, maxDf or maxFeatures. */
  get stopWords_(): Set<string> {
    return new Set(this.fitted(this.state, 'stopWords_').stopWords);
  }
  /** The stop words in effect (scikit-learn's get_stop_words()), or null. */
  getStopWords(): Set<string> | null {
    const sw = this.params.stopWords;
    return sw === 'english' ? new Set(ENGLISH_STOP_WORDS) : sw === null ? null : new Set(sw);
  }
  /** The analyzer as a function doc → tokens (scikit-learn's build_analyzer()). */
  buildAnalyzer(): (doc: string) => string[] {
    const analyze = buildAnalyzer(`${this.constructor.name}.buildAnalyzer`, this.params);
    return (doc) => analyze(doc, []);
  }
}

function checkTfidf(op: string, p: TfidfOptions): void {
  if (p.norm !== null) checkOneOf(op, 'norm', p.norm, ['l2', 'l1'] as const);
  checkBool(op, 'useIdf', p.useIdf);
  checkBool(op, 'smoothIdf', p.smoothIdf);
  checkBool(op, 'sublinearTf', p.sublinearTf);
}

/** idf = ln((n + s) / (df + s)) + 1 with s = 1 when smoothing, as scikit-learn's TfidfTransformer. */
function idfOf(
  n: number,
  d: number,
  indices: Int32Array,
  nnzOf: (q: number) => boolean,
  smooth: boolean,
  dtype: CsrDtype,
): Float64Array {
  const df = new Float64Array(d);
  for (let q = 0; q < indices.length; q++) if (nnzOf(q)) df[indices[q]!]!++;
  const s = smooth ? 1 : 0;
  const idf = new Float64Array(d);
  const round = dtype === 'float32' ? Math.fround : (x: number) => x;
  for (let j = 0; j < d; j++) idf[j] = round(round(Math.log(round((n + s) / (df[j]! + s)))) + 1);
  return idf;
}

/** sublinear tf, idf weighting and row normalization, in place on float64 values. */
function applyTfidf(
  p: TfidfOptions,
  idf: Float64Array | null,
  indptr: Int32Array,
  indices: Int32Array,
  values: Float64Array,
): void {
  if (p.sublinearTf) for (let q = 0; q < values.length; q++) values[q] = Math.log(values[q]!) + 1;
  if (idf !== null) for (let q = 0; q < values.length; q++) values[q]! *= idf[indices[q]!]!;
  normalizeRows(p.norm, indptr, values);
}

function normalizeRows(norm: 'l1' | 'l2' | null, indptr: Int32Array, values: Float64Array): void {
  if (norm === null) return;
  const n = indptr.length - 1;
  for (let i = 0; i < n; i++) {
    let s = 0;
    const p0 = indptr[i]!;
    const p1 = indptr[i + 1]!;
    if (norm === 'l2') {
      for (let q = p0; q < p1; q++) s += values[q]! * values[q]!;
      s = Math.sqrt(s);
    } else for (let q = p0; q < p1; q++) s += Math.abs(values[q]!);
    if (s === 0) continue;
    for (let q = p0; q < p1; q++) values[q]! /= s;
  }
}

/** The CsrMatrix values as a float64 copy (float32 inputs are widened). */
function valuesCopy(X: CsrMatrix): Float64Array {
  return X.data instanceof Float64Array ? X.data.slice() : Float64Array.from(X.data);
}

/** scikit-learn's TfidfTransformer: tf-idf weights from a count matrix (CsrMatrix or dense). */
export class TfidfTransformer extends BaseEstimator<TfidfOptions> {
  private idf: Float64Array | null = null;
  private fittedD: number | null = null;

  constructor(opts?: Partial<TfidfOptions>) {
    super(TFIDF_DEFAULTS, opts);
  }

  private static csr(op: string, X: CsrMatrix | Tensor | readonly (readonly number[])[]): CsrMatrix {
    if (X instanceof CsrMatrix) return X;
    if (Array.isArray(X) || (X !== null && typeof X === 'object' && 'ndim' in X))
      return CsrMatrix.fromDense(X);
    return fail(op, `X must be a CsrMatrix, a Tensor or rows of numbers, got ${describe(X)}`);
  }

  fit(X: CsrMatrix | Tensor | readonly (readonly number[])[], _y?: unknown): this {
    const op = 'TfidfTransformer.fit';
    checkTfidf(op, this.params);
    const A = TfidfTransformer.csr(op, X);
    this.fittedD = A.shape[1];
    this.idf = this.params.useIdf
      ? idfOf(A.shape[0], A.shape[1], A.indices, (q) => A.data[q] !== 0, this.params.smoothIdf, A.dtype)
      : null;
    return this;
  }

  transform(X: CsrMatrix | Tensor | readonly (readonly number[])[]): CsrMatrix {
    const op = 'TfidfTransformer.transform';
    const d = this.fitted(this.fittedD, 'transform');
    const A = TfidfTransformer.csr(op, X);
    if (A.shape[1] !== d)
      fail(
        op,
        `X has ${A.shape[1]} features, but TfidfTransformer was fitted with ${d} features`,
        ShapeError,
      );
    const values = valuesCopy(A);
    applyTfidf(this.params, this.idf, A.indptr, A.indices, values);
    return toCsr(A.dtype, values, A.indices.slice(), A.indptr.slice(), [A.shape[0], d]);
  }

  fitTransform(X: CsrMatrix | Tensor | readonly (readonly number[])[], _y?: unknown): CsrMatrix {
    return this.fit(X).transform(X);
  }

  get idf_(): Tensor {
    this.fitted(this.fittedD, 'idf_');
    if (this.idf === null)
      throw new NotFittedError('TfidfTransformer.idf_: idf_ is only defined when useIdf is true');
    return tensor(this.idf.slice(), { dtype: 'float64', device: 'cpu' });
  }
}

/**
 * scikit-learn's TfidfVectorizer: CountVectorizer followed by TfidfTransformer (idf smoothing,
 * sublinear tf and l2 row normalization by default). `vocabulary_`, `idf_` and the matrix equal
 * scikit-learn's.
 */
export class TfidfVectorizer extends BaseEstimator<TfidfVectorizerOptions> {
  private state: CountState | null = null;
  private idf: Float64Array | null = null;

  constructor(opts?: Partial<TfidfVectorizerOptions>) {
    super({ ...COUNT_DEFAULTS, ...TFIDF_DEFAULTS }, opts);
  }

  fit(rawDocuments: RawDocuments, _y?: unknown): this {
    this.fitTransform(rawDocuments);
    return this;
  }

  fitTransform(rawDocuments: RawDocuments, _y?: unknown): CsrMatrix {
    const op = 'TfidfVectorizer.fitTransform';
    checkTfidf(op, this.params);
    const { state, X } = fitCounts(op, this.params, rawDocuments);
    const n = X.indptr.length - 1;
    const dtype = this.params.dtype;
    const idf = this.params.useIdf
      ? idfOf(n, X.d, X.indices, () => true, this.params.smoothIdf, dtype)
      : null;
    applyTfidf(this.params, idf, X.indptr, X.indices, X.values);
    this.state = state;
    this.idf = idf;
    return toCsr(dtype, X.values, X.indices, X.indptr, [n, X.d]);
  }

  transform(rawDocuments: RawDocuments): CsrMatrix {
    const op = 'TfidfVectorizer.transform';
    const s = this.fitted(this.state, 'transform');
    const X = transformCounts(op, this.params, s, rawDocuments);
    applyTfidf(this.params, this.idf, X.indptr, X.indices, X.values);
    return toCsr(this.params.dtype, X.values, X.indices, X.indptr, [X.n, X.d]);
  }

  getFeatureNamesOut(): string[] {
    return this.fitted(this.state, 'getFeatureNamesOut').featureNames.slice();
  }
  get vocabulary_(): Map<string, number> {
    return new Map(this.fitted(this.state, 'vocabulary_').vocabulary);
  }
  get stopWords_(): Set<string> {
    return new Set(this.fitted(this.state, 'stopWords_').stopWords);
  }
  /** The inverse document frequencies, in column order (only with useIdf). */
  get idf_(): Tensor {
    this.fitted(this.state, 'idf_');
    if (this.idf === null)
      throw new NotFittedError('TfidfVectorizer.idf_: idf_ is only defined when useIdf is true');
    return tensor(this.idf.slice(), { dtype: 'float64', device: 'cpu' });
  }
  buildAnalyzer(): (doc: string) => string[] {
    const analyze = buildAnalyzer('TfidfVectorizer.buildAnalyzer', this.params);
    return (doc) => analyze(doc, []);
  }
}

/**
 * scikit-learn's HashingVectorizer: each token's column is its signed 32-bit MurmurHash3 modulo
 * nFeatures (2**20 by default), with the hash's sign as the value's sign (alternateSign), then
 * l2 row normalization. Stateless: fit only checks the options.
 */
export class HashingVectorizer extends BaseEstimator<HashingVectorizerOptions> {
  constructor(opts?: Partial<HashingVectorizerOptions>) {
    super({ ...ANALYZER_DEFAULTS, nFeatures: 2 ** 20, norm: 'l2', alternateSign: true }, opts);
  }

  fit(rawDocuments?: RawDocuments, _y?: unknown): this {
    const op = 'HashingVectorizer.fit';
    this.check(op);
    if (rawDocuments !== undefined) checkDocuments(op, rawDocuments);
    return this;
  }

  private check(op: string): Analyze {
    checkInt(op, 'nFeatures', this.params.nFeatures, 1, 2 ** 31 - 1);
    if (this.params.norm !== null) checkOneOf(op, 'norm', this.params.norm, ['l2', 'l1'] as const);
    checkBool(op, 'alternateSign', this.params.alternateSign);
    return buildAnalyzer(op, this.params);
  }

  transform(rawDocuments: RawDocuments): CsrMatrix {
    const op = 'HashingVectorizer.transform';
    const analyze = this.check(op);
    const docs = checkDocuments(op, rawDocuments);
    const nFeatures = this.params.nFeatures;
    const alternate = this.params.alternateSign;
    const n = docs.length;
    const indptr = new Int32Array(n + 1);
    const b = new CsrBuilder();
    const toks: string[] = [];
    // One row at a time: hash, then sort and sum repeated columns (scipy's sum_duplicates keeps a sum of 0).
    const rowIdx: number[] = [];
    const rowVal: number[] = [];
    const order: number[] = [];
    for (let i = 0; i < n; i++) {
      toks.length = 0;
      analyze(docs[i]!, toks);
      rowIdx.length = 0;
      rowVal.length = 0;
      for (const tok of toks) {
        const h = murmurhash3_32(tok, 0);
        const j = h === -2147483648 ? (2147483647 - (nFeatures - 1)) % nFeatures : Math.abs(h) % nFeatures;
        rowIdx.push(j);
        rowVal.push(alternate && h < 0 ? -1 : 1);
      }
      order.length = rowIdx.length;
      for (let k = 0; k < order.length; k++) order[k] = k;
      order.sort((a, c) => rowIdx[a]! - rowIdx[c]! || a - c);
      let last = -1;
      for (const k of order) {
        if (rowIdx[k] === last) b.values[b.nnz - 1]! += rowVal[k]!;
        else {
          last = rowIdx[k]!;
          b.push(last, rowVal[k]!);
        }
      }
      indptr[i + 1] = b.nnz;
    }
    const values = b.values.subarray(0, b.nnz);
    const indices = b.indices.slice(0, b.nnz);
    // scikit-learn fills every stored value with 1, the repeats that cancelled to 0 included.
    if (this.params.binary) values.fill(1);
    normalizeRows(this.params.norm, indptr, values);
    return toCsr(this.params.dtype, values.slice(), indices, indptr, [n, nFeatures]);
  }

  fitTransform(rawDocuments: RawDocuments, _y?: unknown): CsrMatrix {
    return this.fit().transform(rawDocuments);
  }

  buildAnalyzer(): (doc: string) => string[] {
    const analyze = buildAnalyzer('HashingVectorizer.buildAnalyzer', this.params);
    return (doc) => analyze(doc, []);
  }
}
