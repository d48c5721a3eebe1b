import { expect } from 'vitest';
import {
  DEVICES as ALL_DEVICES,
  describeDevices as describeOnDevices,
  webgpuReady,
} from '../../../test-support/webgpu.ts';
import { type Device, type DType, initWebGPU, type Tensor, tensor } from '../src/index.ts';

/**
 * WebGPU test policy (test-support/webgpu.ts, shared by every package): webgpu suites run where an
 * adapter exists; elsewhere they are registered and reported as skipped with one line saying why,
 * and under CI or LUMEN_REQUIRE_WEBGPU=1 a missing adapter fails the run.
 */
export const hasWebGPU = await webgpuReady('packages/tensor/test', initWebGPU);
export const DEVICES: readonly Device[] = ALL_DEVICES;

/** A suite per device (`%s` in the name); the webgpu one is skipped, not dropped, without an adapter. */
export function describeDevices(name: string, fn: (device: Device) => void): void {
  describeOnDevices(hasWebGPU, name, fn);
}

export interface ArrayDesc {
  data?: (number | boolean | string)[];
  shape: number[];
  dtype: DType;
  permute?: number[];
  formula?: 'mod7919';
}

export function decodeValue(v: number | boolean | string): number {
  if (v === 'nan') return Number.NaN;
  if (v === 'inf') return Number.POSITIVE_INFINITY;
  if (v === '-inf') return Number.NEGATIVE_INFINITY;
  return Number(v);
}

export function fromDesc(d: ArrayDesc, device: Device): Tensor {
  let values: number[];
  if (d.formula === 'mod7919') {
    const n = d.shape.reduce((a, b) => a * b, 1);
    values = Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 100 - 5);
  } else values = d.data!.map(decodeValue);
  const typed =
    d.dtype === 'float32'
      ? Float32Array.from(values)
      : d.dtype === 'float64'
        ? Float64Array.from(values)
        : d.dtype === 'int32'
          ? Int32Array.from(values)
          : Uint8Array.from(values);
  const t = tensor(typed, { shape: d.shape, dtype: d.dtype, device });
  return d.permute ? t.permute(d.permute) : t;
}

export interface Tolerance {
  rtol: number;
  atol: number;
}

export function defaultTol(dtype: DType, device: Device): Tolerance {
  if (dtype === 'float64') return { rtol: 1e-12, atol: 1e-12 };
  if (dtype === 'float32')
    return device === 'webgpu' ? { rtol: 2e-5, atol: 2e-6 } : { rtol: 1e-5, atol: 1e-6 };
  return { rtol: 0, atol: 0 };
}

/** Asserts actual ≈ expected elementwise (NaN matches NaN, infinities must match exactly). */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance,
  label = '',
): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e)) {
      if (!Number.isNaN(a)) expect.fail(`${label}[${i}]: expected NaN, got ${a}`);
      continue;
    }
    if (!Number.isFinite(e)) {
      if (a !== e) expect.fail(`${label}[${i}]: expected ${e}, got ${a}`);
      continue;
    }
    const err = Math.abs(a - e);
    if (!(err <= tol.atol + tol.rtol * Math.abs(e))) {
      expect.fail(
        `${label}[${i}]: expected ${e}, got ${a} (|diff| ${err.toExponential(2)} > atol ${tol.atol} + rtol ${tol.rtol})`,
      );
    }
  }
}

export async function expectTensor(
  t: Tensor,
  expected: ArrayDesc,
  tol?: Tolerance,
  label = '',
): Promise<void> {
  expect(t.shape, `${label} shape`).toEqual(expected.shape);
  expect(t.dtype, `${label} dtype`).toBe(expected.dtype);
  const data = await t.data();
  expectClose(
    Array.from(data),
    expected.data!.map(decodeValue),
    tol ?? defaultTol(expected.dtype, t.device),
    label,
  );
}
