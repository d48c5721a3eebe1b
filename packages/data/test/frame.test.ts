import { tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { DataFrame, parseCsv, Series } from '../src/index.js';
import { expectFrame, type FrameFixture, fixture } from './helpers.js';

interface FrameOps {
  csv: string;
  sort_g: number[];
  sort_g_desc_first: number[];
  sort_k_g: number[];
  sort_s: number[];
  head_tail: { head: number[]; tail: number[]; head_neg: number; tail_neg: number };
  fillna: FrameFixture;
  isna_sum: Record<string, number>;
  json_csv: string;
  json: Record<string, unknown>;
  filter_gt: number[];
  nunique: Record<string, number>;
}

const ops = fixture<FrameOps>('frame_ops.json');
const df = parseCsv(ops.csv);

describe('row operations match pandas', () => {
  it('sortValues (stable; NaN last or first; several keys)', () => {
    expect(df.sortValues('g').index.toArray()).toEqual(ops.sort_g);
    expect(df.sortValues('g', { ascending: false, naPosition: 'first' }).index.toArray()).toEqual(
      ops.sort_g_desc_first,
    );
    expect(df.sortValues(['k', 'g'], { ascending: [true, false] }).index.toArray()).toEqual(ops.sort_k_g);
    expect(df.sortValues('s').index.toArray()).toEqual(ops.sort_s);
  });

  it('head, tail (also negative n)', () => {
    expect(df.head(3).index.toArray()).toEqual(ops.head_tail.head);
    expect(df.tail(3).index.toArray()).toEqual(ops.head_tail.tail);
    expect(df.head(-290).shape[0]).toBe(ops.head_tail.head_neg);
    expect(df.tail(-295).shape[0]).toBe(ops.head_tail.tail_neg);
  });

  it('fillna per column, isna, nunique, filter', () => {
    expectFrame(df.head(12).fillna({ f: 0.5, s: 'none' }), ops.fillna);
    for (const [c, n] of Object.entries(ops.isna_sum)) expect(df.isna().col(c).sum()).toBe(n);
    expect(Object.fromEntries(df.columns.map((c, i) => [c, df.nunique().get(i)]))).toEqual(ops.nunique);
    expect(df.filter(df.col('f').gt(10)).index.toArray()).toEqual(ops.filter_gt);
  });

  it('toJSON like pandas.to_json', () => {
    const small = parseCsv(ops.json_csv);
    for (const orient of ['columns', 'records', 'split'] as const) {
      expect(JSON.parse(JSON.stringify(small.toJSON({ orient })))).toEqual(ops.json[orient]);
    }
    expect(JSON.parse(JSON.stringify(small))).toEqual(ops.json.columns);
  });
});

describe('building frames', () => {
  it('infers dtypes from JS values as pandas does from Python lists', () => {
    const f = new DataFrame({
      i: [1, 2],
      f: [1.5, 2],
      n: [1, null],
      b: [true, false],
      nb: [true, undefined],
      s: ['a', null],
    });
    expect(f.dtypes).toEqual({
      i: 'int32',
      f: 'float64',
      n: 'float64',
      b: 'bool',
      nb: 'boolean',
      s: 'string',
    });
    expect(
      new DataFrame({ x: Float32Array.of(0.5), y: Int16Array.of(3), z: Uint32Array.of(2 ** 32 - 1) }).dtypes,
    ).toEqual({
      x: 'float64',
      y: 'int32',
      z: 'float64',
    });
  });

  it('fromRecords takes columns in order of first appearance; missing keys are missing', () => {
    const f = DataFrame.fromRecords([
      { a: 1, b: 'x' },
      { b: 'y', c: true },
    ]);
    expect(f.columns).toEqual(['a', 'b', 'c']);
    expect(f.toRecords()).toEqual([
      { a: 1, b: 'x', c: null },
      { a: Number.NaN, b: 'y', c: true },
    ]);
    expect(DataFrame.fromColumns({ a: [1, 2] }, { index: ['r1', 'r2'] }).index.toArray()).toEqual([
      'r1',
      'r2',
    ]);
  });

  it('rejects mixed kinds, ragged columns and bad dtypes with what came', () => {
    expect(() => new DataFrame({ a: [1, 'x'] })).toThrow(
      'DataFrame: column "a" mixes kinds: column "a"[1] is a string after numbers; pass one kind per column (or an explicit dtype)',
    );
    expect(() => new DataFrame({ a: [1, 2], b: [1] })).toThrow(
      'DataFrame: all columns must have the same length: "a" has 2, "b" has 1',
    );
    expect(() => new DataFrame({ a: [1.5] }, { dtype: 'int32' })).toThrow(
      /column "a"\[0\] must be an integer in \[-2147483648, 2147483647\] for dtype int32, got number 1.5/,
    );
    expect(() => new DataFrame({ a: [null] }, { dtype: 'int32' })).toThrow(
      /int32 has no missing values: use 'Int32' or 'float64'/,
    );
  });
});

describe('columns', () => {
  const f = new DataFrame({ a: [1, 2, 3], b: [0.5, Number.NaN, 1.5], c: ['x', 'y', 'z'] });

  it('an unknown column name lists the columns that exist', () => {
    expect(() => f.col('Amount')).toThrow(
      'DataFrame.col: no column named "Amount"; the columns are ["a", "b", "c"]',
    );
    expect(() => f.drop({ columns: ['zz'] })).toThrow(
      'DataFrame.drop: no column named "zz"; the columns are ["a", "b", "c"]',
    );
  });

  it('a mask of the wrong length says both lengths', () => {
    expect(() => f.filter([true, false])).toThrow('DataFrame.filter: mask has length 2 but there are 3 rows');
    expect(() => f.filter(f.col('b'))).toThrow(
      'DataFrame.filter: mask must be a boolean Series, got a Series of dtype float64',
    );
  });

  it('set returns a new frame (replace, append, scalar, Series); the old one is unchanged', () => {
    const g = f.set('a', [7, 8, 9]).set('d', true).set('e', f.col('b'));
    expect(g.columns).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(g.col('a').toArray()).toEqual([7, 8, 9]);
    expect(g.col('d').toArray()).toEqual([true, true, true]);
    expect(f.col('a').toArray()).toEqual([1, 2, 3]);
    expect(() => f.set('a', [1])).toThrow(
      'DataFrame.set: values for "a" have length 1 but the frame has 3 rows',
    );
  });

  it('drop, select, rename, astype, copy, resetIndex, iloc', () => {
    expect(f.drop({ columns: 'b' }).columns).toEqual(['a', 'c']);
    expect(f.drop({ index: [1] }).index.toArray()).toEqual([0, 2]);
    expect(f.select(['c', 'a']).columns).toEqual(['c', 'a']);
    expect(f.rename({ a: 'A' }).columns).toEqual(['A', 'b', 'c']);
    expect(f.astype({ a: 'float64' }).dtypes.a).toBe('float64');
    expect(() => f.astype({ b: 'int32' })).toThrow(/must be an integer/);
    expect(f.iloc(-1)).toEqual({ a: 3, b: 1.5, c: 'z' });
    expect(f.iloc([2, 0]).index.toArray()).toEqual([2, 0]);
    expect(f.iloc([2, 0]).resetIndex().toRecords()).toEqual([
      { index: 2, a: 3, b: 1.5, c: 'z' },
      { index: 0, a: 1, b: 0.5, c: 'x' },
    ]);
    expect(() => f.iloc([3])).toThrow('DataFrame.iloc: positions[0] = number 3 is out of range for 3 rows');
    expect(f.slice(1).shape).toEqual([2, 3]);
  });

  it('fillna checks the kind of the value', () => {
    expect(() => f.fillna({ b: 'x' })).toThrow(
      'DataFrame.fillna: column "b" has dtype float64: the fill value must be a number, got "x"',
    );
    expect(f.fillna({ b: 0 }).col('b').toArray()).toEqual([0.5, 0, 1.5]);
  });

  it('sample: sizes, seeds, replacement', () => {
    const big = new DataFrame({ v: Array.from({ length: 100 }, (_, i) => i) });
    const s1 = big.sample({ n: 10, randomState: 42 });
    expect(s1.shape).toEqual([10, 1]);
    expect(new Set(s1.col('v').toArray()).size).toBe(10);
    expect(big.sample({ n: 10, randomState: 42 }).index.toArray()).toEqual(s1.index.toArray());
    expect(big.sample({ frac: 0.25, randomState: 1 }).shape[0]).toBe(25);
    expect(big.sample({ frac: 2, replace: true, randomState: 1 }).shape[0]).toBe(200);
    expect(() => big.sample({ n: 101 })).toThrow(
      /cannot take a sample of 101 from 100 rows without replacement/,
    );
  });

  it('Series comparisons and logic make masks', () => {
    const m = f.col('a').ge(2).and(f.col('b').notna());
    expect(m.toArray()).toEqual([false, false, true]);
    expect(f.col('c').eq('y').or([true, false, false]).toArray()).toEqual([true, true, false]);
    expect(() => f.col('a').lt('x')).toThrow(/cannot compare number 1 with "x"/);
  });
});

describe('tensors', () => {
  it('toTensor: [rows, cols] row-major, float32 by default, NaN kept', () => {
    const f = new DataFrame({ a: [1, 2], b: [0.5, Number.NaN] });
    const t = f.toTensor();
    expect(t.shape).toEqual([2, 2]);
    expect(t.dtype).toBe('float32');
    expect(Array.from(t.dataSync())).toEqual([1, 0.5, 2, Number.NaN]);
    expect(f.col('a').toTensor().dtype).toBe('int32');
    expect(new DataFrame({ a: [1, 2], b: [3, 4] }).toTensor().dtype).toBe('int32');
    expect(f.toTensor({ dtype: 'float64' }).dtype).toBe('float64');
  });

  it('toTensor refuses strings, and missing values in an int tensor', () => {
    expect(() => new DataFrame({ s: ['a'] }).toTensor()).toThrow(
      'DataFrame.toTensor: column "s" holds strings; drop it or encode it as numbers first',
    );
    expect(() => new DataFrame({ b: [Number.NaN] }).toTensor({ dtype: 'int32' })).toThrow(
      /column "b" has a missing value at row 0/,
    );
    expect(() => new DataFrame({ b: [1.5] }).toTensor({ dtype: 'int32' })).toThrow(
      /column "b" row 0 is 1.5, which is not a int32 integer/,
    );
  });

  it('fromTensor round-trips', () => {
    const t = tensor([
      [1, 2],
      [3, 4],
    ]);
    const f = DataFrame.fromTensor(t, { columns: ['x', 'y'] });
    expect(f.dtypes).toEqual({ x: 'float64', y: 'float64' });
    expect(f.toRecords()).toEqual([
      { x: 1, y: 2 },
      { x: 3, y: 4 },
    ]);
    expect(DataFrame.fromTensor(f.toTensor()).columns).toEqual(['0', '1']);
    expect(() => DataFrame.fromTensor(t, { columns: ['x'] })).toThrow(
      'DataFrame.fromTensor: got 1 column names for 2 columns',
    );
  });
});

describe('Series', () => {
  it('describe of strings and booleans is count/unique/top/freq', () => {
    const s = new Series(['a', 'b', 'a', null], { name: 's' });
    expect(s.describe().toArray()).toEqual(['3', '2', 'a', '2']);
    expect(s.describe().index.toArray()).toEqual(['count', 'unique', 'top', 'freq']);
  });

  it('rejects an index of another length', () => {
    expect(() => new Series([1, 2], { index: [0] })).toThrow(
      'Series: index has length 1 but there are 2 values',
    );
  });
});

describe('astype', () => {
  it("to string spells values as pandas' astype(str); missing stays missing", () => {
    const f = new DataFrame(
      { f: [1, 2.5, Number.NaN], b: [true, false, null], i: [1, 2, 3] },
      { dtype: { f: 'float64' } },
    );
    const s = f.astype('string');
    expect(s.col('f').toArray()).toEqual(['1.0', '2.5', null]);
    expect(s.col('b').toArray()).toEqual(['True', 'False', null]);
    expect(s.col('i').toArray()).toEqual(['1', '2', '3']);
  });
});
