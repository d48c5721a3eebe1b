import { describe, expect, it } from 'vitest';
import { type DataFrame, parseCsv, type Scalar } from '../src/index.js';
import { expectClose, expectFrame, type FrameFixture, fixture, pyFloat } from './helpers.js';

interface Counts {
  index: (string | number | boolean | null)[];
  values: (number | string)[];
}

interface StatsCase {
  csv: string;
  describe: FrameFixture;
  describe_repr: string;
  corr_pearson: FrameFixture;
  corr_spearman: FrameFixture;
  corr_exact: Record<string, string>;
  value_counts: Record<
    string,
    {
      counts: Counts;
      normalize: Counts;
      dropna_false: Counts;
      nunique: number;
      unique: (string | number | boolean | null)[];
    }
  >;
  dropna_any: number[];
  dropna_all: number[];
  dropna_subset: { subset: string[]; index: number[] };
  dropna_thresh: number[];
  series: Record<string, Record<string, string | number>>;
}

const cases = fixture<Record<string, StatsCase>>('stats.json');

/** A fixture label or key back to Lumen's value: float columns' keys come as repr strings. */
function key(v: string | number | boolean | null, dtype: string): Scalar {
  if (v === null) return dtype === 'float64' ? Number.NaN : null;
  return dtype === 'float64' ? pyFloat(String(v)) : v;
}

for (const [name, c] of Object.entries(cases)) {
  describe(`statistics match pandas: ${name}`, () => {
    const df: DataFrame = parseCsv(c.csv);

    it('describe() (count, mean, std ddof=1, min, quartiles, max) to 1e-12', () => {
      expectFrame(df.describe(), c.describe, 1e-12);
    });

    it('corr() pearson and spearman to 1e-12', () => {
      const corr = df.corr();
      expect(corr.columns).toEqual(c.corr_pearson.columns);
      // against pandas to 1e-12, and against the exact value: where pandas' running (Welford)
      // sums lose more than that (a column with a large offset), ours must be the closer one
      c.corr_pearson.columns.forEach((x, i) => {
        c.corr_pearson.columns.forEach((y, j) => {
          const ours = corr.col(y).get(i) as number;
          const exact = pyFloat(c.corr_exact[`${x}|${y}`]!);
          const pandas = pyFloat(c.corr_pearson.data[j]![i] as string);
          expectClose(ours, exact, 1e-12, `corr ${x},${y} vs exact`);
          if (Number.isNaN(exact)) expect(pandas, `corr ${x},${y}`).toBeNaN();
          else if (Math.abs(pandas - exact) <= 1e-12 * Math.abs(exact))
            expectClose(ours, pandas, 1e-12, `corr ${x},${y} vs pandas`);
          else expect(Math.abs(ours - exact)).toBeLessThan(Math.abs(pandas - exact));
        });
      });
      expectFrame(df.corr({ method: 'spearman' }), c.corr_spearman, 1e-12);
    });

    it('valueCounts (order, normalize, dropna: false), unique, nunique', () => {
      for (const [col, vc] of Object.entries(c.value_counts)) {
        const s = df.col(col);
        const dt = s.dtype;
        const check = (got: ReturnType<typeof s.valueCounts>, want: Counts, floats: boolean): void => {
          expect(got.index.toArray(), col).toEqual(want.index.map((v) => key(v, dt)));
          if (floats)
            want.values.forEach((w, i) => {
              expectClose(got.get(i) as number, pyFloat(String(w)), 1e-12, `${col} normalize`);
            });
          else expect(got.toArray(), col).toEqual(want.values);
        };
        check(s.valueCounts(), vc.counts, false);
        check(s.valueCounts({ normalize: true }), vc.normalize, true);
        check(s.valueCounts({ dropna: false }), vc.dropna_false, false);
        expect(s.nunique()).toBe(vc.nunique);
        expect(s.unique()).toEqual(vc.unique.map((v) => key(v, dt)));
      }
    });

    it('dropna (any, all, subset, thresh) keeps the same rows', () => {
      expect(df.dropna().index.toArray()).toEqual(c.dropna_any);
      expect(df.dropna({ how: 'all' }).index.toArray()).toEqual(c.dropna_all);
      expect(df.dropna({ subset: c.dropna_subset.subset }).index.toArray()).toEqual(c.dropna_subset.index);
      expect(df.dropna({ thresh: df.shape[1] - 1 }).index.toArray()).toEqual(c.dropna_thresh);
    });

    it('Series sum, mean, std, var, min, max, median, quantile, count', () => {
      for (const [col, st] of Object.entries(c.series)) {
        const s = df.col(col);
        for (const k of ['sum', 'mean', 'std', 'var', 'min', 'max', 'median'] as const) {
          expectClose(s[k]() as number, pyFloat(st[k] as string), 1e-12, `${col}.${k}`);
        }
        expectClose(s.quantile(0.1), pyFloat(st['quantile_0.1'] as string), 1e-12, `${col}.quantile`);
        expect(s.count()).toBe(st.count);
      }
    });

    it('describe() prints as pandas prints it', () => {
      expect(df.describe().toString()).toBe(c.describe_repr);
    });
  });
}
