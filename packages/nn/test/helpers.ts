import { readFileSync } from 'node:fs';
import { type DType, type Tensor, tensor } from '@lumen/tensor';
import { expect } from 'vitest';

export interface FixtureTensor {
  dtype: DType;
  shape: number[];
  data: (number | boolean)[];
}

export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

export function toTensor(f: FixtureTensor, opts: { requiresGrad?: boolean; dtype?: DType } = {}): Tensor {
  const dtype = opts.dtype ?? f.dtype;
  const values = f.dtype === 'bool' ? f.data.map((v) => v === true) : f.data.map(Number);
  return tensor(values as number[], { dtype, shape: f.shape, requiresGrad: opts.requiresGrad ?? false });
}

/** Elementwise |a − e| <= atol + rtol·|e|, with the worst offender in the message. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol: number,
  atol: number,
  what = '',
): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  let worst = -1;
  let worstRatio = 0;
  for (let i = 0; i < expected.length; i++) {
    const r = Math.abs(actual[i]! - expected[i]!) / (atol + rtol * Math.abs(expected[i]!));
    if (!(r <= worstRatio)) {
      worstRatio = r;
      worst = i;
    }
  }
  expect(
    worstRatio,
    `${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]}`,
  ).toBeLessThanOrEqual(1);
}
