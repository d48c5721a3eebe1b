import { ArgumentError, LumenError, ShapeError, tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { noGrad } from '../src/index.js';

describe('@lumen/autograd: errors by category', () => {
  it('noGrad without a callback is an ArgumentError (it was a TypeError)', () => {
    let e: unknown;
    try {
      noGrad('not a function' as never);
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(ArgumentError);
    expect(e).toBeInstanceOf(LumenError);
    expect((e as Error).message).toBe('noGrad: fn must be a callback function, got string');
  });

  it('backward from a non-scalar without a gradient is a ShapeError', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow(ShapeError);
  });
});
