import { Generator } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { quantileSorted, quantiles, sortedValid } from '../src/stats/quantile.js';

// quantileSorted (a full sort) is the form checked against pandas in stats.test.ts; the selection
// algorithm used by describe() must give the very same numbers on any input
describe('quantiles by selection equal quantiles of the sorted values', () => {
  it('on random data with ties, NaN and tiny sizes', () => {
    const gen = new Generator(11);
    for (let trial = 0; trial < 300; trial++) {
      const n = trial < 10 ? trial : gen.randint(1, 400);
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const r = gen.random();
        a[i] = r < 0.1 ? Number.NaN : r < 0.4 ? gen.randint(0, 5) : gen.normal();
      }
      const qs = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999, 1];
      const want = qs.map((q) => quantileSorted(sortedValid(a), q));
      expect(quantiles(a, qs)).toEqual(want);
    }
  });
});
