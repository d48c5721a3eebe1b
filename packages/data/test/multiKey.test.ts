import { describe, expect, it } from 'vitest';
import { type AggName, DataFrame, parseCsv } from '../src/index.js';
import { expectClose, fixture, pyFloat } from './helpers.js';

interface MultiCase {
  by: string[];
  spec: [string, AggName][] | 'mean' | 'size';
  repr: string;
  levels: (string | number | null)[][];
  values?: number[];
  expected?: { columns: string[]; dtypes: string[]; data: (string | number | null)[][] };
}

const fx = fixture<{ csv: string; multi: MultiCase[] }>('groupby.json');
const df = parseCsv(fx.csv);

describe('groupBy([...keys]) matches pandas (MultiIndex results, printed sparsified)', () => {
  for (const c of fx.multi) {
    it(`${JSON.stringify(c.by)}: ${JSON.stringify(c.spec)}`, () => {
      const g = df.groupBy(c.by);
      if (c.spec === 'size') {
        const s = g.size();
        expect(s.toArray()).toEqual(c.values);
        expect(s.toString()).toBe(c.repr.replace(/dtype: int64/g, 'dtype: int32'));
        expect(s.index.levels.map((l) => l.toArray())).toEqual(c.levels.map((l) => l.map(cellValue)));
        return;
      }
      const out = c.spec === 'mean' ? g.mean() : g.agg(Object.fromEntries(c.spec));
      expect(out.index.nlevels).toBe(c.by.length);
      expect(out.index.names).toEqual(c.by);
      expect(out.index.levels.map((l) => l.toArray())).toEqual(c.levels.map((l) => l.map(cellValue)));
      const e = c.expected!;
      expect(out.columns).toEqual(e.columns);
      expect(Object.values(out.dtypes)).toEqual(e.dtypes);
      e.columns.forEach((name, j) => {
        const got = out.col(name).toArray();
        e.data[j]!.forEach((w, i) => {
          if (e.dtypes[j] === 'float64')
            expectClose(
              got[i] as number,
              w === null ? Number.NaN : pyFloat(w as string),
              1e-12,
              `${name}[${i}]`,
            );
          else expect(got[i]).toEqual(w);
        });
      });
      expect(out.toString()).toBe(c.repr);
    });
  }

  it('keys are checked; one key in an array is the one-key groupBy', () => {
    expect(() => df.groupBy([])).toThrow(
      'DataFrame.groupBy: by must be a column name or a non-empty array of them',
    );
    expect(() => df.groupBy(['k', 'nope'])).toThrow(/no column named "nope"/);
    expect(() => df.groupBy(['k', 'k'])).toThrow('by names a column more than once');
    expect(df.groupBy(['k']).mean().toString()).toBe(df.groupBy('k').mean().toString());
    const small = new DataFrame({ a: ['x', 'y', 'x', null], b: [1, 1, 1, 2], v: [1, 2, 3, 4] });
    // missing keys dropped, sums of the rest; the head of a MultiIndex frame keeps every level
    expect(small.groupBy(['a', 'b']).sum().toString()).toBe('     v\na b   \nx 1  4\ny 1  2');
    expect(small.groupBy(['a', 'b']).sum().head(1).index.getTuple(0)).toEqual(['x', 1]);
    // pandas' reset_index(): the levels become columns again
    expect(small.groupBy(['a', 'b']).sum().resetIndex().toString()).toBe(
      '   a  b  v\n0  x  1  4\n1  y  1  2',
    );
  });

  it('float labels of mixed sign line up as pandas prints them (a space before the positive ones)', () => {
    // pandas 1.5.3: pd.DataFrame({'v': [1, 2, 3]}, index=[-2.1, 1.3, 10.25]) and its ['v']
    const f = new DataFrame({ v: [1, 2, 3] }, { index: [-2.1, 1.3, 10.25] });
    expect(f.toString()).toBe('        v\n-2.10   1\n 1.30   2\n 10.25  3');
    expect(f.col('v').toString()).toBe('-2.10     1\n 1.30     2\n 10.25    3\nName: v, dtype: int32');
  });
});

function cellValue(v: string | number | null): string | number | null {
  return typeof v === 'string' && !Number.isNaN(Number(v)) && /[.e]|inf|nan/.test(v) ? pyFloat(v) : v;
}

describe('the remaining frame and series option bags are checked', () => {
  it('constructors, drop, sortValues, toJSON', () => {
    expect(() => new DataFrame({ a: [1] }, { dtypes: 'float64' } as never)).toThrow(
      'DataFrame: unknown option "dtypes" (did you mean `dtype`?); the options are index, columns, dtype',
    );
    const df = new DataFrame({ a: [2, 1], b: ['x', 'y'] });
    expect(() => df.drop({ column: ['a'] } as never)).toThrow('did you mean `columns`?');
    expect(() => df.col('a').sortValues({ na_position: 'first' } as never)).toThrow(
      'did you mean `naPosition`?',
    );
    expect(() => df.toJSON({ orients: 'records' } as never)).toThrow('did you mean `orient`?');
    expect(JSON.stringify({ df })).toBe('{"df":{"a":{"0":2,"1":1},"b":{"0":"x","1":"y"}}}');
    expect(() => df.resetIndex({ inplace: true } as never)).toThrow(
      'DataFrame.resetIndex: unknown option "inplace"',
    );
  });
});
