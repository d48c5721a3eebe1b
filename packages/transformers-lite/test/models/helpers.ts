import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Device, type Tensor, tensor } from '@lumen/tensor';
import { expect } from 'vitest';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'models');

/** A tensor as the fixture generator writes it. */
export interface TJ {
  dtype: 'float32' | 'int32' | 'bool';
  shape: number[];
  /** null stands for -Infinity (JSON has no infinities). */
  data: number[];
}

export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;
}

export function folder(name: string): string {
  return join(FIXTURES, name);
}

export function t(x: TJ, device: Device = 'cpu'): Tensor {
  const data = x.dtype === 'float32' ? Float32Array.from(x.data) : Int32Array.from(x.data);
  return tensor(data, { shape: x.shape, dtype: x.dtype === 'bool' ? 'bool' : x.dtype, device });
}

/** Largest absolute difference, after checking the shapes agree. */
export async function maxDiff(actual: Tensor, expected: TJ | Tensor): Promise<number> {
  const e = 'data' in expected && Array.isArray(expected.data) ? (expected as TJ) : null;
  const shape = e ? e.shape : (expected as Tensor).shape;
  expect([...actual.shape]).toEqual([...shape]);
  const a = await actual.data();
  const b = e ? e.data : await (expected as Tensor).data();
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  if (Number.isNaN(m) || [...a].some((v) => Number.isNaN(v))) return Number.NaN;
  return m;
}

export async function expectClose(actual: Tensor, expected: TJ | Tensor, atol: number): Promise<void> {
  const d = await maxDiff(actual, expected);
  expect(d).toBeLessThan(atol);
}

/** Collects transformers-lite warnings while fn runs. */
export async function captureWarnings<T>(
  setHandler: (h: (m: string) => void) => (m: string) => void,
  fn: () => Promise<T> | T,
): Promise<{ result: T; warnings: string[] }> {
  const warnings: string[] = [];
  const previous = setHandler((m) => warnings.push(m));
  try {
    return { result: await fn(), warnings };
  } finally {
    setHandler(previous);
  }
}
