import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { DataFrame, Scalar } from '../src/index.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;
}

/** A frame as the generator writes it (floats as Python repr strings). */
export interface FrameFixture {
  columns: string[];
  dtypes: string[];
  index: (string | number | boolean | null)[];
  data: (string | number | boolean | null)[][];
}

/** Python's repr of a float back to a number. */
export function pyFloat(s: string | null): number {
  if (s === null || s === 'nan') return Number.NaN;
  if (s === 'inf') return Number.POSITIVE_INFINITY;
  if (s === '-inf') return Number.NEGATIVE_INFINITY;
  return Number(s);
}

/** |a - e| <= rel·|e| (NaN matches NaN, infinities match exactly). */
export function expectClose(actual: number, expected: number, rel = 1e-12, what = ''): void {
  if (Number.isNaN(expected)) {
    expect(actual, what).toBeNaN();
    return;
  }
  if (!Number.isFinite(expected)) {
    expect(actual, what).toBe(expected);
    return;
  }
  const tol = rel * Math.abs(expected) + 1e-300;
  if (!(Math.abs(actual - expected) <= tol)) {
    throw new Error(
      `${what}: expected ${expected} ± ${tol}, got ${actual} (relative error ${Math.abs(actual - expected) / Math.abs(expected)})`,
    );
  }
}

/** Cells of a fixture column as Lumen returns them (float64 cells as numbers, NaN for missing). */
export function expectedCells(values: (string | number | boolean | null)[], dtype: string): Scalar[] {
  if (dtype === 'float64') return values.map((v) => (v === null ? Number.NaN : pyFloat(String(v))));
  return values as Scalar[];
}

/** Checks a frame against a fixture: names, dtypes, labels, and cells (floats to `rel`). */
export function expectFrame(df: DataFrame, fx: FrameFixture, rel = 0): void {
  expect(df.columns).toEqual(fx.columns);
  expect(Object.values(df.dtypes)).toEqual(fx.dtypes);
  const labels = df.index.toArray().map((v) => (typeof v === 'number' && !Number.isInteger(v) ? v : v));
  const isFloatText = (v: string): boolean => !Number.isNaN(Number(v)) || v === 'inf' || v === '-inf';
  expect(labels.map(String)).toEqual(
    fx.index.map((v) => (typeof v === 'string' && isFloatText(v) ? String(pyFloat(v)) : String(v))),
  );
  fx.columns.forEach((name, j) => {
    const got = df.col(name).toArray();
    const want = expectedCells(fx.data[j]!, fx.dtypes[j]!);
    if (fx.dtypes[j] === 'float64') {
      want.forEach((w, i) => {
        expectClose(got[i] as number, w as number, rel, `${name}[${i}]`);
      });
    } else expect(got, name).toEqual(want);
  });
}
