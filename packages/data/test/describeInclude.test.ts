import { describe, expect, it } from 'vitest';
import { DataFrame, type DescribeOptions, parseCsv } from '../src/index.js';
import { fixture } from './helpers.js';

interface IncludeCase {
  kw: DescribeOptions;
  repr: string;
  columns: string[];
  index: string[];
}

const cases =
  fixture<Record<string, { csv: string; describe_include: Record<string, IncludeCase> }>>('stats.json');

for (const [name, c] of Object.entries(cases)) {
  describe(`describe({ include / exclude }) prints as pandas: ${name}`, () => {
    const df = parseCsv(c.csv);
    for (const [key, ic] of Object.entries(c.describe_include)) {
      it(`${key}: ${JSON.stringify(ic.kw)}`, () => {
        const out = df.describe(ic.kw);
        expect(out.columns).toEqual(ic.columns);
        expect(out.index.toArray()).toEqual(ic.index);
        expect(out.toString()).toBe(ic.repr);
      });
    }
  });
}

describe('describe() selections that pandas refuses', () => {
  const df = new DataFrame({ a: [1, 2], s: ['x', 'y'] });
  it('names what is wrong', () => {
    expect(() => df.describe({ include: 'all', exclude: ['number'] })).toThrow(
      "DataFrame.describe: exclude must be left out when include is 'all'",
    );
    expect(() => df.describe({ include: ['bool'] })).toThrow(
      `DataFrame.describe: no column is left to describe (include ["bool"], exclude null; the frame's dtypes are int32, string)`,
    );
    expect(() => df.describe({ include: ['numeric' as never] })).toThrow(
      /include has an unknown dtype "numeric"; expected 'all' or number, object/,
    );
    expect(() => df.describe({ includes: 'all' } as never)).toThrow(
      'DataFrame.describe: unknown option "includes" (did you mean `include`?); the options are percentiles, include, exclude',
    );
  });
});
