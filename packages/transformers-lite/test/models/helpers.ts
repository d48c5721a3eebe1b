import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { type Device, memory, type Tensor, tensor } from '@lumen/tensor';
import { expect } from 'vitest';

/** A full garbage collection, so live-memory readings count reachable tensors only. */
export const collectGarbage: () => void = (() => {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
})();

/**
 * Collects until memory() on `device` stops changing: FinalizationRegistry callbacks run on later
 * turns of the event loop, and one quiet round is not enough (a collection's callbacks can land
 * after the 5 ms wait), so this stops only after three rounds in a row freed nothing. For tests
 * that compare readings: earlier tests' garbage is then not collected in the middle of them.
 */
export async function settleMemory(device: Device): Promise<number> {
  let before = Number.NaN;
  for (let i = 0, quiet = 0; i < 40 && quiet < 3; i++) {
    const now = memory().byDevice[device].bytes;
    quiet = now === before ? quiet + 1 : 0;
    before = now;
    collectGarbage();
    await new Promise((r) => setTimeout(r, 5));
  }
  return memory().byDevice[device].bytes;
}

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
