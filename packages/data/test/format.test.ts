import { describe, expect, it } from 'vitest';
import { pyExp, pyFixed, pyRepr } from '../src/format/pyNumber.js';
import { DataFrame, parseCsv, Series } from '../src/index.js';
import { fixture } from './helpers.js';

interface NumberCase {
  x: string;
  repr: string;
  f6: string;
  f6s: string;
  e6: string;
  e6s: string;
  f1: string;
}

interface ReprCase {
  name: string;
  csv?: string;
  kind: 'frame' | 'series' | 'built';
  repr: string;
}

/** pandas names int64/object where Lumen has int32/string; the layout must be identical otherwise. */
function lumenDTypes(s: string): string {
  return s.replace(/dtype: int64/g, 'dtype: int32').replace(/dtype: object/g, 'dtype: string');
}

describe('Python float formatting (repr, %.6f, %.6e; ties to even)', () => {
  for (const c of fixture<NumberCase[]>('numbers.json')) {
    it(c.x, () => {
      const x = Number(c.x);
      expect(pyRepr(x)).toBe(c.repr);
      expect(pyFixed(x, 6)).toBe(c.f6);
      expect(pyFixed(x, 6, true)).toBe(c.f6s);
      expect(pyExp(x, 6)).toBe(c.e6);
      expect(pyExp(x, 6, true)).toBe(c.e6s);
      expect(pyFixed(x, 1)).toBe(c.f1);
    });
  }
});

/** The objects the generator builds in code, built the same way here, with the options used there. */
const built: Record<string, () => string> = {
  nullable: () =>
    new DataFrame({ i: [1, null, 3], b: [true, null, false] }, { dtype: { i: 'Int32' } }).toString(),
  series_max_rows_2: () => new Series([1.123456789, 2, 3, 4], { name: 'v' }).toString({ maxRows: 2 }),
  precision_1: () => new DataFrame({ a: [0.5, 0.25] }).toString({ precision: 1, showDimensions: true }),
  empty_frame: () => new DataFrame({ a: [], b: [] }).toString(),
  empty_series: () => new Series([], { name: 'x', dtype: 'float64' }).toString(),
};

describe('toString() prints as pandas repr()', () => {
  for (const c of fixture<ReprCase[]>('repr.json')) {
    it(c.name, () => {
      let text: string;
      if (c.kind === 'built') text = built[c.name]!();
      else {
        const df = parseCsv(c.csv!);
        text = c.kind === 'frame' ? df.toString() : df.col(df.columns[0]!).toString();
      }
      expect(text).toBe(lumenDTypes(c.repr));
    });
  }
});
