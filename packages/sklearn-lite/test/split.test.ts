import { tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { CsrMatrix, trainTestSplit } from '../src/index.js';

describe('trainTestSplit (re-exported from @lumen/data, with CsrMatrix)', () => {
  it('splits a CsrMatrix and its labels into the same rows', () => {
    const n = 20;
    const dense = Array.from({ length: n }, (_, i) => [i, 0, i % 3 === 0 ? 1 : 0]);
    const X = CsrMatrix.fromDense(dense);
    const y = Array.from({ length: n }, (_, i) => `c${i % 2}`);
    const [Xtr, Xte, ytr, yte] = trainTestSplit(X, y, { testSize: 0.25, randomState: 0, stratify: y });
    expect(Xtr).toBeInstanceOf(CsrMatrix);
    expect(Xtr.shape).toEqual([15, 3]);
    expect(Xte.shape).toEqual([5, 3]);
    // row i of X holds i in column 0: the labels must follow the rows
    const rowIds = (m: CsrMatrix) => (m.toArray() as number[][]).map((r) => r[0]!);
    expect(rowIds(Xtr).map((i) => `c${i % 2}`)).toEqual(ytr);
    expect(rowIds(Xte).map((i) => `c${i % 2}`)).toEqual(yte);
    expect(new Set([...rowIds(Xtr), ...rowIds(Xte)]).size).toBe(n);
  });

  it('gives the same rows as for a dense tensor with the same seed', () => {
    const dense = Array.from({ length: 12 }, (_, i) => [i, i * 2]);
    const [a] = trainTestSplit(CsrMatrix.fromDense(dense), { randomState: 3 });
    const [b] = trainTestSplit(tensor(dense, { dtype: 'float64' }), { randomState: 3 });
    expect(a.toArray()).toEqual(b.arraySync());
  });

  it('refuses inconsistent lengths naming them', () => {
    expect(() => trainTestSplit(CsrMatrix.fromDense([[1], [2], [3]]), [1, 2])).toThrow(
      /inconsistent numbers of samples: \[3, 2\]/,
    );
  });
});
