import { describe, expect, it } from 'vitest';
import { type AggName, DataFrame, parseCsv } from '../src/index.js';
import { expectFrame, type FrameFixture, fixture } from './helpers.js';

interface GroupCase {
  by: string;
  /** [column, function] pairs (JSON objects would lose their key order), or 'mean' for g.mean(). */
  spec: [string, AggName][] | 'mean';
  expected: FrameFixture;
  repr: string;
  dropnaS?: boolean;
}

const fx = fixture<{ csv: string; cases: GroupCase[] }>('groupby.json');
const df = parseCsv(fx.csv);

describe('groupBy().agg matches pandas', () => {
  for (const c of fx.cases) {
    it(`${c.by}: ${JSON.stringify(c.spec)}`, () => {
      const g = (c.dropnaS ? df.dropna({ subset: ['s'] }) : df).groupBy(c.by);
      const out = c.spec === 'mean' ? g.mean() : g.agg(Object.fromEntries(c.spec));
      expectFrame(out, c.expected, 1e-12);
      expect(out.toString()).toBe(c.repr.replace(/dtype: int64/g, 'dtype: int32'));
    });
  }

  it('an infinity in a group gives ±inf (pandas 2 behaviour; 1.5.3 gives NaN, GH#50367)', () => {
    const f = new DataFrame({ k: [1, 1, 2], v: [Number.POSITIVE_INFINITY, 1, 2] });
    expect(f.groupBy('k').mean().col('v').toArray()).toEqual([Number.POSITIVE_INFINITY, 2]);
    expect(f.groupBy('k').sum().col('v').toArray()).toEqual([Number.POSITIVE_INFINITY, 2]);
  });

  it('size, count and errors', () => {
    const sizes = df.groupBy('k').size();
    expect(sizes.toArray().reduce((a, b) => (a as number) + (b as number), 0)).toBe(df.shape[0]);
    expect(() => df.groupBy('nope')).toThrow(
      /no column named "nope"; the columns are \["k", "f", "g", "s"\]/,
    );
    expect(() => df.groupBy('k').agg({ s: 'mean' })).toThrow('GroupBy.mean: column "s" holds strings');
    expect(() => df.groupBy('k').agg({ f: 'median' as AggName })).toThrow(
      /unknown aggregation "median" for "f"/,
    );
  });
});
