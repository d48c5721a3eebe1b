import { tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { CsrMatrix } from '../src/index.js';
import { expectClose } from './helpers.js';

const dense = [
  [1, 0, 2, 0],
  [0, 0, 0, 0],
  [0, 3, 0, -4],
];

describe('CsrMatrix', () => {
  it('builds from (data, indices, indptr, shape) as scipy does', () => {
    const X = new CsrMatrix([1, 2, 3, -4], [0, 2, 1, 3], [0, 2, 2, 4], [3, 4]);
    expect(X.nnz).toBe(4);
    expect(X.shape).toEqual([3, 4]);
    expect(X.dtype).toBe('float64');
    expect(X.toArray()).toEqual(dense);
    expect(X.toString()).toBe('CsrMatrix(shape [3, 4], nnz 4, float64)');
  });

  it('builds from dense rows and tensors, float64 or float32', () => {
    const X = CsrMatrix.fromDense(dense);
    expect(Array.from(X.indptr)).toEqual([0, 2, 2, 4]);
    expect(Array.from(X.indices)).toEqual([0, 2, 1, 3]);
    const F = CsrMatrix.fromDense(tensor(dense, { dtype: 'float64' }), { dtype: 'float32' });
    expect(F.data).toBeInstanceOf(Float32Array);
    expect(F.toDense().dtype).toBe('float32');
    expect(F.toArray()).toEqual(dense);
  });

  it('sums duplicate COO triplets (and keeps a sum of 0) as scipy does', () => {
    const X = CsrMatrix.fromCoo([2, 0, 2, 0, 0], [1, 2, 1, 0, 2], [1, 2, 2, 1, -2], [3, 3]);
    expect(Array.from(X.indptr)).toEqual([0, 2, 2, 3]);
    expect(Array.from(X.indices)).toEqual([0, 2, 1]);
    expect(Array.from(X.data)).toEqual([1, 0, 3]);
    expect(X.nnz).toBe(3);
  });

  it('selects and slices rows', () => {
    const X = CsrMatrix.fromDense(dense);
    expect(X.selectRows([2, 0, 2, -2]).toArray()).toEqual([dense[2], dense[0], dense[2], dense[1]]);
    expect(X.sliceRows(1).toArray()).toEqual(dense.slice(1));
    expect(X.sliceRows(-2, -1).toArray()).toEqual([dense[1]]);
    expect(X.transpose().toArray()).toEqual(dense[0]!.map((_, j) => dense.map((r) => r[j])));
  });

  it('multiplies by dense matrices and vectors, also transposed', () => {
    const X = CsrMatrix.fromDense(dense);
    const B = [
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 8],
    ];
    expect(X.dot(B).arraySync()).toEqual([
      [11, 14],
      [0, 0],
      [-19, -20],
    ]);
    expect(X.dot([1, 1, 1, 1]).arraySync()).toEqual([3, 0, -1]);
    expect(X.transposeDot([[1], [5], [2]]).arraySync()).toEqual([[1], [6], [2], [-8]]);
    expect(X.transposeDot(tensor([1, 5, 2], { dtype: 'float64' })).arraySync()).toEqual([1, 6, 2, -8]);
  });

  it('sums and means like scipy', () => {
    const X = CsrMatrix.fromDense(dense);
    expect(X.sum()).toBe(2);
    expectClose(X.sum(0) as never, [1, 3, 2, -4]);
    expectClose(X.sum(1) as never, [3, 0, -1]);
    expectClose(X.mean(0) as never, [1 / 3, 1, 2 / 3, -4 / 3]);
    expect(X.mean()).toBe(2 / 12);
  });

  it('refuses malformed input, naming the argument, what was expected and what came', () => {
    expect(() => new CsrMatrix([1], [0], [0, 1], [2, 2])).toThrow(
      /indptr must have rows \+ 1 = 3 entries for shape \[2, 2\], got 2/,
    );
    expect(() => new CsrMatrix([1], [5], [0, 1], [1, 2])).toThrow(
      /indices\[0\] = 5 is out of range for 2 columns/,
    );
    expect(() => new CsrMatrix([1, 2], [0], [0, 1], [1, 2])).toThrow(
      /indices and data must have the same length, got 1 and 2/,
    );
    expect(() => new CsrMatrix([1], [0], [0, 2], [1, 2])).toThrow(
      /indptr\[1\] \(the last entry\) must equal the number of stored values 1, got 2/,
    );
    expect(() => new CsrMatrix([1, 1], [0, 1], [0, 2, 1], [2, 2])).toThrow(/indptr must not decrease/);
    expect(() => new CsrMatrix([Number.NaN], [0], [0, 1], [1, 1])).toThrow(
      /data must contain only finite numbers, got NaN at data\[0\]/,
    );
    expect(() => new CsrMatrix([1], [-1], [0, 1], [1, 1])).toThrow(
      /indices\[0\] must be a non-negative integer, got number -1/,
    );
    expect(() => new CsrMatrix([1], [0], [0, 1], [1] as never)).toThrow(/shape must be \[rows, columns\]/);
    expect(() => CsrMatrix.fromCoo([0, 3], [0, 0], [1, 1], [3, 1])).toThrow(
      /row\[1\] = 3 is out of range for 3 rows/,
    );
    expect(() => CsrMatrix.fromDense(dense, { dtype: 'int32' as 'float64' })).toThrow(
      /dtype must be 'float64' or 'float32', got "int32"/,
    );
    expect(() => CsrMatrix.fromDense(dense, { dtyp: 'float32' } as never)).toThrow(/unknown option "dtyp"/);
    expect(() => CsrMatrix.fromDense(dense).dot([[1, 2]])).toThrow(
      /B must have 4 rows \(the matrix's columns\), got 1/,
    );
    expect(() => CsrMatrix.fromDense(dense).selectRows([3])).toThrow(
      /rows\[0\] must be an integer in \[-3, 2\], got number 3/,
    );
  });
});
