import { expect } from 'vitest';
import { DataFrame, type Scalar } from '../src/index.js';

/**
 * A frame with one column of every dtype (float64, int32, Int32, bool, boolean, string): unicode
 * strings, extreme values, and with `withNulls` a missing value every third row where the dtype
 * can hold one (NaN in float64).
 */
export function allDtypesFrame(n: number, withNulls: boolean): DataFrame {
  const miss = (i: number): boolean => withNulls && i % 3 === 1;
  const words = ['a', 'ünïcødé', '名前', '🐍', '', 'x,y "q"'];
  return new DataFrame(
    {
      f64: Array.from({ length: n }, (_, i) =>
        miss(i) ? null : i === 0 ? -0 : i === 2 ? 1e308 : i === 3 ? Number.POSITIVE_INFINITY : i / 7 - 3,
      ),
      i32: Array.from({ length: n }, (_, i) => (i === 0 ? -2147483648 : i === 2 ? 2147483647 : i * 3 - 10)),
      I32: Array.from({ length: n }, (_, i) => (miss(i) ? null : i - 5)),
      bool: Array.from({ length: n }, (_, i) => i % 2 === 0),
      boolean: Array.from({ length: n }, (_, i) => (miss(i) ? null : i % 4 === 0)),
      s: Array.from({ length: n }, (_, i) => (miss(i) ? null : `${words[i % words.length]}${i}`)),
    },
    { dtype: { f64: 'float64', i32: 'int32', I32: 'Int32', bool: 'bool', boolean: 'boolean', s: 'string' } },
  );
}

/** Same names, dtypes, row count and cells (NaN equals NaN; -0 equals 0 unless `signedZero`). */
export function expectSameFrame(actual: DataFrame, expected: DataFrame): void {
  expect(actual.columns).toEqual(expected.columns);
  expect(actual.dtypes).toEqual(expected.dtypes);
  expect(actual.shape).toEqual(expected.shape);
  for (const name of expected.columns) {
    const a = actual.col(name).toArray();
    const e = expected.col(name).toArray();
    for (let i = 0; i < e.length; i++) {
      if (!Object.is(a[i], e[i]) && !(a[i] === e[i])) {
        throw new Error(
          `column ${JSON.stringify(name)} row ${i}: expected ${String(e[i])}, got ${String(a[i])}`,
        );
      }
    }
  }
}

export type { Scalar };
