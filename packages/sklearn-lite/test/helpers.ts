import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Tensor } from '@lumen/tensor';
import { expect } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

/** A fixture written by scripts/gen-fixtures.py. */
// biome-ignore lint/suspicious/noExplicitAny: fixtures are untyped JSON
export function fixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(join(here, 'fixtures', `${name}.json`), 'utf8')) as T;
}

export function flat(x: Tensor | number[] | number[][] | Float64Array): number[] {
  if (Array.isArray(x)) return (x as unknown[]).flat(3) as number[];
  if (x instanceof Float64Array) return Array.from(x);
  return Array.from(x.dataSync());
}

/** Every element within atol + rtol·|expected|; reports the worst index. */
export function expectClose(
  actual: Tensor | number[] | number[][] | Float64Array,
  expected: number[] | number[][],
  atol = 1e-12,
  rtol = 0,
): void {
  const a = flat(actual);
  const e = flat(expected as number[]);
  expect(a.length).toBe(e.length);
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i]! - e[i]!) - rtol * Math.abs(e[i]!);
    if (!(err <= atol) && (worst < 0 || err > worstErr)) {
      worst = i;
      worstErr = err;
    }
  }
  if (worst >= 0)
    expect.fail(`index ${worst}: got ${a[worst]}, expected ${e[worst]} (tolerance ${atol} + ${rtol}·|e|)`);
}

/** Rows of `actual` equal rows of `expected` up to a sign per row (PCA components). */
export function expectRowsCloseUpToSign(actual: Tensor, expected: number[][], atol: number): void {
  const a = actual.arraySync() as number[][];
  expect(a.length).toBe(expected.length);
  a.forEach((row, i) => {
    const e = expected[i]!;
    const dot = row.reduce((s, v, j) => s + v * e[j]!, 0);
    const sign = dot < 0 ? -1 : 1;
    expectClose(
      row.map((v) => v * sign),
      e,
      atol,
    );
  });
}
