import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { luPermutedLowerRows } from '../src/linalg/lu.js';
import { transpose } from '../src/linalg/rows.js';

interface LuCase {
  m: number;
  k: number;
  y: number[];
  pl: number[];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/linalg.json', import.meta.url), 'utf8')) as {
  lu: LuCase[];
};

describe("scipy's lu(Y, permute_l=True) (the randomized range finder's normalizer)", () => {
  for (const c of fixture.lu) {
    it(`${c.m} x ${c.k}`, () => {
      // given and returned transposed: one column of Y per row
      const yt = transpose(Float64Array.from(c.y), c.m, c.k);
      const pl = transpose(luPermutedLowerRows(yt, c.m, c.k), c.k, c.m);
      let worst = 0;
      for (let i = 0; i < pl.length; i++) worst = Math.max(worst, Math.abs(pl[i]! - c.pl[i]!));
      expect(worst).toBeLessThan(1e-6); // the nearly dependent column amplifies rounding by ~1e9
      let worstElsewhere = 0;
      for (let i = 0; i < pl.length; i++)
        if (i % c.k !== 1 || c.m < 40) worstElsewhere = Math.max(worstElsewhere, Math.abs(pl[i]! - c.pl[i]!));
      expect(worstElsewhere).toBeLessThan(1e-12);
    });
  }

  it('keeps the unit diagonal where nothing is left to pivot on, as LAPACK does', () => {
    // Y = [[1, 2], [2, 4]]: the second column is twice the first; scipy gives [[0.5, 1], [1, 0]]
    const yt = Float64Array.from([1, 2, 2, 4]);
    luPermutedLowerRows(yt, 2, 2);
    expect(Array.from(yt)).toEqual([0.5, 1, 1, 0]);
  });
});
