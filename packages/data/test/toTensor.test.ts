import { copy_, fromBuffer, type Tensor, tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { DataFrame, parseCsv, Series } from '../src/index.js';
import { fixture, pyFloat } from './helpers.js';

// Columns to tensors without copies where dtype and layout allow (issue 17), and the values
// against numpy's df.to_numpy(dtype) (scripts/gen-tensor-fixtures.py).

interface ArrayCase {
  shape: number[];
  values: (string | number)[];
}
interface TensorFixture {
  csv: string;
  cb_float32: ArrayCase;
  all_float32: ArrayCase;
  b_float64: ArrayCase;
  a_int: ArrayCase;
  from_float32: { input: number[][]; columns: string[]; data: string[][] };
}
const fx = fixture<TensorFixture>('to_tensor.json');
const df = parseCsv(fx.csv);

function expectArray(t: Tensor, want: ArrayCase): void {
  expect(t.shape).toEqual(want.shape);
  const got = Array.from(t.dataSync());
  want.values.forEach((w, i) => {
    expect(Object.is(got[i], typeof w === 'number' ? w : pyFloat(w)), `element ${i}: ${got[i]} vs ${w}`).toBe(
      true,
    );
  });
}

describe('values as numpy gives them', () => {
  it('df.toTensor: row-major, float32-rounded, NaN for missing, columns picked and ordered', () => {
    expectArray(df.toTensor({ columns: ['c', 'b'] }), fx.cb_float32);
    expectArray(df.toTensor(), fx.all_float32);
    expectArray(df.col('b').toTensor({ dtype: 'float64' }), fx.b_float64);
    expectArray(df.col('a').toTensor(), fx.a_int);
  });

  it('DataFrame.fromTensor widens float32 to float64 as pandas does', () => {
    const f = fx.from_float32;
    const back = DataFrame.fromTensor(tensor(f.input), { columns: f.columns });
    f.columns.forEach((c, j) => {
      expect(back.col(c).toArray()).toEqual(f.data[j]!.map(pyFloat));
    });
  });
});

describe('sharing memory (a view, not a copy)', () => {
  it('a float64 Series as float64: writes through either show in the other', () => {
    const s = new Series(Float64Array.of(1.5, 2.5, Number.NaN, 4.5), { name: 'x' });
    const t = s.toTensor({ dtype: 'float64' });
    expect(t.dtype).toBe('float64');
    (s.values as Float64Array)[0] = 100; // the column → the tensor
    expect(t.dataSync()[0]).toBe(100);
    copy_(t, tensor([7, 8, 9, 10], { dtype: 'float64' })); // the tensor → the column
    expect(s.toArray()).toEqual([7, 8, 9, 10]);
  });

  it('df.toTensor of one column: a [rows, 1] view', () => {
    const frame = new DataFrame({ a: Float64Array.of(1, 2, 3), b: Int32Array.of(4, 5, 6) });
    const t = frame.toTensor({ columns: ['a'], dtype: 'float64' });
    expect(t.shape).toEqual([3, 1]);
    copy_(t, 0);
    expect(frame.col('a').toArray()).toEqual([0, 0, 0]);
    const ints = frame.toTensor({ columns: ['b'] }); // int32 by default: a view
    expect(ints.dtype).toBe('int32');
    (frame.col('b').values as Int32Array)[2] = -1;
    expect(Array.from(ints.dataSync())).toEqual([4, 5, -1]);
  });

  it('int32, bool and nullable columns without missing values are views too', () => {
    const frame = new DataFrame(
      { i: [1, 2], flag: [true, false], I: [3, 4], B: [true, true] },
      { dtype: { i: 'int32', flag: 'bool', I: 'Int32', B: 'boolean' } },
    );
    for (const name of frame.columns) {
      const col = frame.col(name);
      const t = col.toTensor();
      copy_(t, 1);
      expect(col.toArray().map(Number), name).toEqual([1, 1]);
    }
  });

  it('a view costs no copy: a 10M-row float64 column in well under a millisecond a call', () => {
    const big = new Series(new Float64Array(10_000_000));
    big.toTensor({ dtype: 'float64' }); // warm up
    const t0 = performance.now();
    for (let k = 0; k < 100; k++) big.toTensor({ dtype: 'float64' });
    expect((performance.now() - t0) / 100).toBeLessThan(1);
  });
});

describe('copies where documented', () => {
  const frame = new DataFrame(
    { a: Float64Array.of(1, 2), b: Float64Array.of(3, 4), I: [1, null] },
    { dtype: { I: 'Int32' } },
  );
  const writesShow = (t: Tensor, column: string): boolean => {
    copy_(t, 42);
    return frame.col(column).toArray().includes(42);
  };
  it('another dtype (float64 → the default float32), several columns, missing values: copies', () => {
    expect(writesShow(frame.col('a').toTensor(), 'a')).toBe(false);
    expect(writesShow(frame.toTensor({ columns: ['a', 'b'], dtype: 'float64' }), 'a')).toBe(false);
    expect(writesShow(frame.col('I').toTensor({ dtype: 'float64' }), 'I')).toBe(false);
    expect(Array.from(frame.col('I').toTensor({ dtype: 'float32' }).dataSync())).toEqual([1, Number.NaN]);
  });

  it('DataFrame.fromTensor copies: the tensor can be disposed or written after', () => {
    const t = fromBuffer(Float64Array.of(1, 2, 3, 4), { shape: [2, 2] });
    const back = DataFrame.fromTensor(t, { columns: ['p', 'q'] });
    copy_(t, 0);
    t.dispose();
    expect(back.col('p').toArray()).toEqual([1, 3]);
    expect(back.col('q').toArray()).toEqual([2, 4]);
  });
});

describe('bad input names the argument', () => {
  it('columns', () => {
    expect(() => df.toTensor({ columns: ['a', 'zz'] })).toThrow(
      'DataFrame.toTensor: columns names columns that are not in the frame: ["zz"]; the columns are ["a", "b", "c", "flag"]',
    );
    expect(() => df.toTensor({ columns: 'a' as never })).toThrow(
      'DataFrame.toTensor: columns must be an array of column names, got "a"',
    );
    expect(() => df.toTensor({ column: ['a'] } as never)).toThrow(/did you mean `columns`/);
    expect(() => df.col('a').toTensor({ columns: ['a'] } as never)).toThrow(
      /Series.toTensor: unknown option "columns"/,
    );
  });
});
