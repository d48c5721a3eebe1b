/**
 * The choice between the kernel variants for real GPUs and for CPU-emulated adapters
 * (backends/webgpu/policy.ts): the adapter's kind, LUMEN_WEBGPU_KERNELS, or its older name
 * LUMEN_MATMUL. What each variant computes is checked by parity.test.ts, which runs both.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { kernelPolicy, policyFor } from '../src/backends/webgpu/policy.ts';

const saved = { kernels: process.env.LUMEN_WEBGPU_KERNELS, matmul: process.env.LUMEN_MATMUL };
afterEach(() => {
  for (const [name, value] of [
    ['LUMEN_WEBGPU_KERNELS', saved.kernels],
    ['LUMEN_MATMUL', saved.matmul],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('webgpu kernel policy', () => {
  it("follows the adapter's kind when nothing is set", () => {
    delete process.env.LUMEN_WEBGPU_KERNELS;
    delete process.env.LUMEN_MATMUL;
    expect(policyFor(true)).toMatchObject({ name: 'emulated', matmul: 'direct', trees: false });
    expect(policyFor(false)).toMatchObject({ name: 'gpu', matmul: 'tiled', trees: true });
  });

  it('LUMEN_WEBGPU_KERNELS picks the variants for every kernel family', () => {
    process.env.LUMEN_WEBGPU_KERNELS = 'gpu';
    expect(policyFor(true)).toBe(kernelPolicy('gpu'));
    process.env.LUMEN_WEBGPU_KERNELS = 'emulated';
    expect(policyFor(false)).toBe(kernelPolicy('emulated'));
    expect(kernelPolicy('emulated').twoPassMin).toBeLessThan(kernelPolicy('gpu').twoPassMin);
  });

  it('LUMEN_MATMUL=tiled|direct still works, and LUMEN_WEBGPU_KERNELS wins over it', () => {
    delete process.env.LUMEN_WEBGPU_KERNELS;
    process.env.LUMEN_MATMUL = 'direct';
    expect(policyFor(false).name).toBe('emulated');
    process.env.LUMEN_MATMUL = 'tiled';
    expect(policyFor(true).name).toBe('gpu');
    process.env.LUMEN_WEBGPU_KERNELS = 'emulated';
    expect(policyFor(true).name).toBe('emulated');
  });

  it('an unknown value is an error naming the variable, the choices and the value', () => {
    process.env.LUMEN_WEBGPU_KERNELS = 'tiled';
    expect(() => policyFor(false)).toThrow("LUMEN_WEBGPU_KERNELS must be 'gpu' or 'emulated'; got 'tiled'");
  });
});
