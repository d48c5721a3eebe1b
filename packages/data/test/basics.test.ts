import { describe, expect, it } from 'vitest';
import { DataFrame, parseCsv, Series } from '../src/index.js';
import { expectClose, fixture, pyFloat } from './helpers.js';

interface FrameCase {
  csv: string;
  info: string;
  isna_sum: string;
  count: string;
  nunique: string;
  reductions: Record<string, { repr: string; values: string[]; index: string[] }>;
  string_columns: string[];
}
type Cell = string | number | boolean | null | (string | null)[];
interface StrCase {
  values: (string | null)[];
  results: Record<string, { dtype: string; values: Cell[] }>;
  split_expand: { columns: string[]; data: (string | null)[][] };
}
const fx = fixture<{ datum: FrameCase; s57: FrameCase; str: Record<string, StrCase> }>('basics.json');

/** pandas' dtype names as Lumen prints them (same widths, so layouts are unchanged). */
const lumenText = (s: string): string => s.replace(/\bint64\b/g, 'int32').replace(/\bobject\b/g, 'string');

const frames: [string, FrameCase][] = [
  ['gdal gt_datum.csv', fx.datum],
  ['gdal s57attributes.csv', fx.s57],
];

describe('pandas basics on gdal-data CSVs match pandas 1.5.3', () => {
  for (const [name, c] of frames) {
    const df = parseCsv(c.csv, { shortRows: 'fill' });

    it(`${name}: info()`, () => {
      expect(df.info()).toBe(lumenText(c.info));
    });

    it(`${name}: isna().sum(), isnull(), notna(), count(), nunique()`, () => {
      expect(df.isna().sum().toString()).toBe(lumenText(c.isna_sum));
      expect(df.isnull().sum().toString()).toBe(lumenText(c.isna_sum));
      const present = df.notnull().sum().toArray();
      const missing = df.isna().sum().toArray();
      present.forEach((p, j) => {
        expect((p as number) + (missing[j] as number)).toBe(df.shape[0]);
      });
      expect(df.count().toString()).toBe(lumenText(c.count));
      expect(df.nunique().toString()).toBe(lumenText(c.nunique));
    });

    for (const fn of ['sum', 'mean', 'std', 'min', 'max'] as const) {
      it(`${name}: ${fn}({ numericOnly: true })`, () => {
        const r = df[fn]({ numericOnly: true });
        const want = c.reductions[fn]!;
        expect(r.index.toArray()).toEqual(want.index);
        r.toArray().forEach((v, i) => {
          expectClose(v as number, pyFloat(want.values[i]!), 1e-12, `${fn}[${want.index[i]}]`);
        });
        expect(r.toString()).toBe(lumenText(want.repr));
      });
    }

    it(`${name}: string columns need numericOnly (pandas 2 raises; 1.5 gave object results)`, () => {
      expect(df.columns.filter((n) => df.dtypes[n] === 'string')).toEqual(c.string_columns);
      expect(() => df.mean()).toThrow(
        /DataFrame.mean: column ".*" holds strings; pass \{ numericOnly: true \}/,
      );
    });
  }

  it('bool and int columns: sums stay integer, means are float, as pandas', () => {
    const df = new DataFrame({ b: [true, false, true], i: [1, 2, 4], f: [0.5, Number.NaN, 1] });
    expect(df.select(['b', 'i']).sum().dtype).toBe('int32');
    expect(df.sum().toArray()).toEqual([2, 7, 1.5]);
    expect(df.mean().toArray()).toEqual([2 / 3, 7 / 3, 0.75]);
    expect(df.count().toArray()).toEqual([3, 3, 2]);
    expect(df.std({ ddof: 0 }).get(1)).toBeCloseTo(Math.sqrt(14 / 9), 14);
  });
});

describe('.str accessor matches pandas', () => {
  for (const [name, c] of Object.entries(fx.str)) {
    const s = new Series(c.values, { name, dtype: 'string' });
    const calls: Record<string, () => Series | (string[] | null)[]> = {
      len: () => s.str.len(),
      lower: () => s.str.lower(),
      upper: () => s.str.upper(),
      strip: () => s.str.strip(),
      strip_chars: () => s.str.strip('aeiouAE'),
      contains_regex: () => s.str.contains('[Dd]atum|\\(', { regex: true }),
      contains_literal_nocase: () =>
        name === 'NAME'
          ? s.str.contains('(', { regex: false })
          : s.str.contains('SHAPE', { case: false, regex: false }),
      contains_na_false: () => s.str.contains('e', { na: false }),
      startswith: () => s.str.startswith('S'),
      endswith: () => s.str.endswith('e'),
      replace_literal: () => s.str.replace(' ', '_', { regex: false }),
      replace_regex: () => s.str.replace('(\\w+) (\\w+)', '\\2 \\1', { regex: true }),
      split: () => s.str.split(),
      split_n: () => s.str.split(' ', { n: 1 }),
    };
    for (const [call, run] of Object.entries(calls)) {
      it(`${name}: ${call}`, () => {
        const want = c.results[call]!;
        const got = run();
        const values = got instanceof Series ? got.toArray() : got;
        const expected = want.values.map((v) =>
          want.dtype === 'float64' ? (v === null ? Number.NaN : pyFloat(v as string)) : v,
        );
        expect(values).toEqual(expected);
        if (got instanceof Series && want.dtype === 'int64') expect(got.dtype).toBe('int32');
        if (got instanceof Series && want.dtype === 'bool') expect(got.dtype).toBe('bool');
      });
    }
    it(`${name}: split(' ', { expand: true })`, () => {
      const df = s.str.split(' ', { expand: true });
      expect(df.columns).toEqual(c.split_expand.columns);
      c.split_expand.columns.forEach((col, j) => {
        expect(df.col(col).toArray()).toEqual(c.split_expand.data[j]);
      });
    });
  }

  it('refuses non-string Series and bad patterns', () => {
    expect(() => new Series([1, 2]).str).toThrow(/can only use .str with string values/);
    expect(() => new Series(['a']).str.contains('(')).toThrow(/is not a valid regular expression/);
  });
});
