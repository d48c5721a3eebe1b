import { describe, expect, it } from 'vitest';
import { murmurhash3_32 } from '../src/feature_extraction/murmurhash.js';
import { numpyArgsort } from '../src/feature_extraction/numpySort.js';
import { compareCodePoints } from '../src/feature_extraction/pyRegex.js';
import {
  CountVectorizer,
  CsrMatrix,
  HashingVectorizer,
  NotFittedError,
  TfidfTransformer,
  TfidfVectorizer,
} from '../src/index.js';
import { expectClose, fixture } from './helpers.js';

// King James Bible verses (Debian's bible-kjv-text, public domain) vectorized by scikit-learn
// 1.2.1: scripts/gen-fixtures.py text. The documents are stored in the fixture.
interface CsrJson {
  shape: [number, number];
  indptr: number[];
  indices: number[];
  data: number[];
}
interface VectorizerCase {
  name: string;
  class: 'CountVectorizer' | 'TfidfVectorizer' | 'HashingVectorizer';
  options: Record<string, unknown>;
  corpus: 'small' | 'head';
  X: CsrJson;
  unseen: CsrJson;
  features?: string[];
  vocabulary_check?: Record<string, number>;
  stop_words_?: string[] | null;
  idf?: number[];
}
const fx = fixture<{
  small: string[];
  unseen: string[];
  vectorizers: VectorizerCase[];
  argsort: { v: number[]; order: number[] }[];
}>('text');

/** Equal structure (shape, indptr, sorted indices) and values within rtol (exact for counts). */
function expectCsr(actual: CsrMatrix, expected: CsrJson, rtol: number): void {
  expect([...actual.shape]).toEqual(expected.shape);
  expect(Array.from(actual.indptr)).toEqual(expected.indptr);
  expect(Array.from(actual.indices)).toEqual(expected.indices);
  if (rtol === 0) expect(Array.from(actual.data)).toEqual(expected.data);
  else expectClose(Array.from(actual.data), expected.data, 0, rtol);
}

function make(c: VectorizerCase): CountVectorizer | TfidfVectorizer | HashingVectorizer {
  if (c.class === 'CountVectorizer') return new CountVectorizer(c.options);
  if (c.class === 'TfidfVectorizer') return new TfidfVectorizer(c.options);
  return new HashingVectorizer(c.options);
}

describe('vectorizers against scikit-learn on KJV verses', () => {
  const head = [...fx.small.slice(0, 6), ...fx.small.slice(-3)];
  for (const c of fx.vectorizers) {
    it(c.name, () => {
      const docs = c.corpus === 'head' ? head : fx.small;
      const unseen = c.corpus === 'head' ? fx.unseen.slice(0, 4) : fx.unseen;
      const v = make(c);
      const X = v.fitTransform(docs);
      const exact = c.class === 'CountVectorizer' || c.options.norm === null;
      const rtol = exact && c.options.useIdf !== true ? 0 : c.options.dtype === 'float32' ? 1e-6 : 1e-13;
      expectCsr(X, c.X, rtol);
      expect(X.dtype).toBe(c.options.dtype ?? 'float64');
      expectCsr(v.transform(unseen), c.unseen, rtol);
      if (!(v instanceof HashingVectorizer)) {
        expect(v.getFeatureNamesOut()).toEqual(c.features);
        const vocab = v.vocabulary_;
        for (const [t, i] of Object.entries(c.vocabulary_check!)) expect(vocab.get(t)).toBe(i);
        expect(vocab.size).toBe(c.features!.length);
        if (c.stop_words_ && !('vocabulary' in c.options))
          expect([...v.stopWords_].sort(compareCodePoints)).toEqual(c.stop_words_);
      }
      if (c.idf)
        expectClose((v as TfidfVectorizer).idf_, c.idf, 0, c.options.dtype === 'float32' ? 1e-6 : 1e-14);
    });
  }

  it('fit then transform equals fitTransform, and fitting twice equals fitting once on the last data', () => {
    const v = new TfidfVectorizer({ ngramRange: [1, 2] });
    const a = v.fitTransform(fx.small);
    const b = new TfidfVectorizer({ ngramRange: [1, 2] }).fit(fx.unseen).fit(fx.small).transform(fx.small);
    expect(Array.from(b.indices)).toEqual(Array.from(a.indices));
    expectClose(Array.from(b.data), Array.from(a.data), 1e-15);
  });

  it('TfidfTransformer on CountVectorizer output equals TfidfVectorizer', () => {
    const counts = new CountVectorizer().fitTransform(fx.small);
    const t = new TfidfTransformer({ sublinearTf: true }).fitTransform(counts);
    const direct = new TfidfVectorizer({ sublinearTf: true }).fitTransform(fx.small);
    expect(Array.from(t.indices)).toEqual(Array.from(direct.indices));
    expectClose(Array.from(t.data), Array.from(direct.data), 1e-15);
  });
});

describe('vectorizer details', () => {
  it('tokenizes like Python: \\w is Unicode, tokens of two or more code points', () => {
    const an = new CountVectorizer().buildAnalyzer();
    expect(an("Ünïcödé x² 𝔘𝔫 a_b l'homme 東京 ÉCOLE")).toEqual([
      'ünïcödé',
      'x²',
      '𝔘𝔫',
      'a_b',
      'homme',
      '東京',
      'école',
    ]);
    expect(
      new CountVectorizer({ ngramRange: [1, 3], stopWords: 'english' }).buildAnalyzer()(
        'the cat sat on the mat',
      ),
    ).toEqual(['cat', 'sat', 'mat', 'cat sat', 'sat mat', 'cat sat mat']);
  });

  it('murmurhash3_32 equals scikit-learn', () => {
    const cases: [string, number][] = [
      ['', 0],
      ['a', 1009084850],
      ['ab', -1681926305],
      ['abc', -1277324294],
      ['abcd', 1139631978],
      ['hello world', 1586663183],
      ['héllo', -1130389400],
      ['日本語', -1515949417],
      ['😀x', 1914495294],
    ];
    for (const [s, h] of cases) expect(murmurhash3_32(s)).toBe(h);
  });

  it("numpy's argsort order on ties", () => {
    for (const { v, order } of fx.argsort)
      expect(Array.from(numpyArgsort(Float64Array.from(v)))).toEqual(order);
  });

  it('errors name the argument, what was expected and what came', () => {
    expect(() => new CountVectorizer().fit('one string' as unknown as string[])).toThrow(
      /rawDocuments must be an iterable of text documents.*got one string/,
    );
    expect(() => new CountVectorizer().fit(['a b', 3 as unknown as string])).toThrow(
      /rawDocuments\[1\] must be a string, got number 3/,
    );
    expect(() => new CountVectorizer({ ngramRange: [2, 1] }).fit(['aa bb'])).toThrow(/ngramRange \[2, 1\]/);
    expect(() => new CountVectorizer({ minDf: 1.5 }).fit(['aa bb'])).toThrow(
      /minDf must be a fraction in \[0, 1\) or an integer count >= 1, got 1.5/,
    );
    expect(() => new CountVectorizer({ minDf: 2 }).fit(['aa bb', 'cc'])).toThrow(
      /after pruning, no terms remain/,
    );
    expect(() => new CountVectorizer({ maxDf: 0.2, minDf: 2 }).fit(['aa bb', 'aa'])).toThrow(
      /maxDf \(0.2\) corresponds to fewer documents than minDf \(2\)/,
    );
    expect(() => new CountVectorizer({ stopWords: 'french' as 'english' }).fit(['aa'])).toThrow(
      /stopWords must be 'english'/,
    );
    expect(() => new CountVectorizer({ tokenPattern: '(a)(b)' }).fit(['ab'])).toThrow(/2 capturing groups/);
    expect(() => new CountVectorizer({ max_df: 0.5 } as never)).toThrow(/unknown option "max_df"/);
    expect(() => new CountVectorizer().fit(['the of and'].map(() => '!!'))).toThrow(/empty vocabulary/);
    expect(() => new TfidfVectorizer().transform(['a'])).toThrow(NotFittedError);
    expect(() => new TfidfVectorizer({ norm: 'l3' as 'l2' }).fit(['aa'])).toThrow(
      /norm must be one of 'l2', 'l1', got "l3"/,
    );
  });

  it('a fixed vocabulary needs no fit', () => {
    const v = new CountVectorizer({ vocabulary: { lord: 1, god: 0 } });
    expect(v.transform(['The LORD God said, Lord']).toArray()).toEqual([[1, 2]]);
    expect(v.getFeatureNamesOut()).toEqual(['god', 'lord']);
  });

  it('a JavaScript RegExp tokenPattern is used as it is', () => {
    const v = new CountVectorizer({ tokenPattern: /[a-z]+/u });
    v.fit(['ab1cd e']);
    expect(v.getFeatureNamesOut()).toEqual(['ab', 'cd', 'e']);
  });

  it('HashingVectorizer is stateless and CsrMatrix-valued', () => {
    const X = new HashingVectorizer({ nFeatures: 8 }).transform(['a b c', '']);
    expect(X).toBeInstanceOf(CsrMatrix);
    expect(X.shape).toEqual([2, 8]);
    expect(X.indptr[2]).toBe(X.indptr[1]);
  });
});
