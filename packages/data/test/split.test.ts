import { tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { DataFrame, Series, trainTestSplit } from '../src/index.js';
import { fixture } from './helpers.js';

interface SplitFixture {
  sizes: {
    n: number;
    testSize: number | null;
    trainSize: number | null;
    nTrain: number;
    nTest: number;
    noShuffleTrain: number[];
    noShuffleTest: number[];
  }[];
  stratified: {
    labels: (number | string)[];
    testSize: number;
    outcomes: { train: Record<string, number>; test: Record<string, number> }[];
  }[];
}

const fx = fixture<SplitFixture>('split.json');

function counts(labels: readonly unknown[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of labels) out[String(l)] = (out[String(l)] ?? 0) + 1;
  return out;
}

describe('trainTestSplit matches scikit-learn', () => {
  for (const c of fx.sizes) {
    it(`sizes: n=${c.n} testSize=${c.testSize} trainSize=${c.trainSize}`, () => {
      const X = Array.from({ length: c.n }, (_, i) => i);
      const opts = { testSize: c.testSize ?? undefined, trainSize: c.trainSize ?? undefined };
      const [tr, te] = trainTestSplit(X, { ...opts, randomState: 0 });
      expect([tr.length, te.length]).toEqual([c.nTrain, c.nTest]);
      expect(new Set([...tr, ...te]).size).toBe(c.nTrain + c.nTest);
      const [a, b] = trainTestSplit(X, { ...opts, shuffle: false });
      expect([a, b]).toEqual([c.noShuffleTrain, c.noShuffleTest]);
    });
  }

  for (const c of fx.stratified) {
    it(`stratified class counts: ${JSON.stringify(counts(c.labels))} testSize=${c.testSize}`, () => {
      for (const seed of [0, 1, 2, 3]) {
        const [ytr, yte] = trainTestSplit(c.labels, {
          testSize: c.testSize,
          stratify: c.labels,
          randomState: seed,
        });
        const got = { train: counts(ytr), test: counts(yte) };
        expect(c.outcomes).toContainEqual(got);
      }
    });
  }
});

describe('trainTestSplit inputs and outputs', () => {
  const n = 20;
  const X = tensor(
    Float32Array.from({ length: n * 2 }, (_, i) => i),
    { shape: [n, 2] },
  );
  const y = tensor(
    Int32Array.from({ length: n }, (_, i) => i % 2),
    { dtype: 'int32' },
  );
  const df = new DataFrame({ a: Array.from({ length: n }, (_, i) => i) });

  it('returns [Xtrain, Xtest, ytrain, ytest, …] with rows kept together', () => {
    const [Xtr, Xte, ytr, yte, dtr, dte] = trainTestSplit(X, y, df, { testSize: 0.25, randomState: 3 });
    expect(Xtr.shape).toEqual([15, 2]);
    expect(Xte.shape).toEqual([5, 2]);
    expect(ytr.shape).toEqual([15]);
    const xs = Xtr.arraySync() as number[][];
    const ys = Array.from(ytr.dataSync());
    const rows = dtr.col('a').toArray() as number[];
    xs.forEach((row, k) => {
      expect(row[0]).toBe(rows[k]! * 2);
      expect(ys[k]).toBe(rows[k]! % 2);
    });
    expect(dtr.index.toArray()).toEqual(rows); // pandas keeps the row labels
    expect(yte.shape).toEqual([5]);
    expect(dte.shape).toEqual([5, 1]);
    expect(Xte.shape[0]).toBe(5);
  });

  it('is repeatable with a seed and different across seeds', () => {
    const a = trainTestSplit(df, { randomState: 7 })[1].index.toArray();
    expect(trainTestSplit(df, { randomState: 7 })[1].index.toArray()).toEqual(a);
    expect(trainTestSplit(df, { randomState: 8 })[1].index.toArray()).not.toEqual(a);
  });

  it('stratify accepts a tensor or a Series', () => {
    const [, , ytr, yte] = trainTestSplit(X, y, { testSize: 0.5, stratify: y, randomState: 1 });
    expect(Array.from(ytr.dataSync()).filter((v) => v === 1).length).toBe(5);
    expect(Array.from(yte.dataSync()).filter((v) => v === 1).length).toBe(5);
    const s = new Series(Array.from({ length: n }, (_, i) => (i < 14 ? 'a' : 'b')));
    const [str, ste] = trainTestSplit(s, { testSize: 0.5, stratify: s, randomState: 1 });
    expect(counts(str.toArray())).toEqual({ a: 7, b: 3 });
    expect(counts(ste.toArray())).toEqual({ a: 7, b: 3 });
  });

  it("errors as scikit-learn's", () => {
    expect(() => trainTestSplit(X, [1, 2], {})).toThrow(
      'trainTestSplit: found input variables with inconsistent numbers of samples: [20, 2]',
    );
    expect(() => trainTestSplit(df, { testSize: 1.5 })).toThrow(
      /testSize=1.5 should be either positive and smaller than the number of samples 20 or a float in the \(0, 1\) range/,
    );
    expect(() => trainTestSplit(df, { testSize: 0.6, trainSize: 0.6 })).toThrow(
      /the sum of testSize and trainSize = 1.2/,
    );
    expect(() => trainTestSplit(df, { stratify: [...Array(19).fill(0), 1] })).toThrow(
      /least populated class in stratify has only 1 member/,
    );
    expect(() => trainTestSplit(df, { shuffle: false, stratify: y })).toThrow(
      /not implemented for shuffle: false/,
    );
    expect(() => trainTestSplit(df, { testsize: 0.2 } as never)).toThrow(/unknown option "testsize"/);
  });
});
