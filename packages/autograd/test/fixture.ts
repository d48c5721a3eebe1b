import { readFileSync } from 'node:fs';
import { type DType, type Tensor, tensor } from '@lumen/tensor';

export interface FixtureTensor {
  dtype: DType;
  shape: number[];
  data: (number | boolean)[];
  requiresGrad?: boolean;
}

export interface GradCase {
  name: string;
  inputs: FixtureTensor[];
  output: FixtureTensor;
  weight: FixtureTensor;
  grads: (number[] | null)[];
}

export function loadCases(): GradCase[] {
  const url = new URL('./fixtures/torch-grads.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { cases: GradCase[] }).cases;
}

export function toTensor(f: FixtureTensor, data = f.data, requiresGrad = f.requiresGrad ?? false): Tensor {
  const values = f.dtype === 'bool' ? data.map((v) => v === true || v === 1) : data.map(Number);
  return tensor(values as number[], { dtype: f.dtype, shape: f.shape, requiresGrad });
}

/** Largest |a - b| / (atol + rtol·|b|); <= 1 means close. */
export function closeness(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol: number,
  atol: number,
): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    worst = Math.max(worst, Math.abs(a - e) / (atol + rtol * Math.abs(e)));
  }
  return worst;
}
