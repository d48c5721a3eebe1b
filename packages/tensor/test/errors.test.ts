import { describe, expect, it } from 'vitest';
import * as L from '../src/index.ts';
import { describeDevices, hasWebGPU } from './helpers.ts';

/** Every error names the op, the argument, what was expected and what came. */
describeDevices('errors on %s', (device) => {
  const t = (x: L.NestedArray, dtype?: L.DType) => L.tensor(x, { device, dtype });

  it('shape mismatch in broadcasting names both shapes and the dim', () => {
    expect(() => t([[1, 2, 3]]).add(t([[1, 2]]))).toThrow(
      'add: shapes [1, 3] and [1, 2] cannot be broadcast (dim -1: 3 vs 2)',
    );
  });

  it('matmul shape mismatch', () => {
    expect(() => L.ones([2, 3], { device }).matmul(L.ones([4, 5], { device }))).toThrow(
      'matmul: shapes [2, 3] and [4, 5] cannot be multiplied (2x3 and 4x5)',
    );
  });

  it('dtype mismatch in matmul', () => {
    expect(() => L.ones([2, 2], { device }).matmul(L.ones([2, 2], { device, dtype: 'int32' }))).toThrow(
      'matmul: expected both operands to have the same dtype, got float32 and int32',
    );
  });

  it('index dtype must be int32', () => {
    expect(() => L.ones([3], { device }).indexSelect(0, L.tensor([0, 1], { device }))).toThrow(
      "indexSelect: index must be an int32 tensor, got float32 (create it with { dtype: 'int32' } or call .int())",
    );
  });

  it('out-of-range dims', () => {
    expect(() => L.ones([2, 3], { device }).sum(2)).toThrow(
      'sum: dim out of range: expected to be in [-2, 1] for a 2-d tensor, got 2',
    );
    expect(() => L.ones([2, 3], { device }).transpose(0, -3)).toThrow('transpose: dim1 out of range');
    expect(() => L.ones([2, 3], { device }).softmax(5)).toThrow('softmax: dim out of range');
  });

  it('reshape to an incompatible size', () => {
    expect(() => L.ones([2, 3], { device }).reshape(4, -1)).toThrow(
      'reshape: shape [4, -1] is invalid for input of shape [2, 3] (6 elements)',
    );
  });

  it('view of a non-viewable layout points to reshape', () => {
    expect(() => L.ones([2, 3], { device }).T.view(6)).toThrow('use reshape() instead');
  });

  it('reading a disposed tensor', async () => {
    const x = L.ones([2], { device });
    x.dispose();
    await expect(x.data()).rejects.toThrow(
      `data: the tensor [2] (float32, ${device}) was disposed and cannot be used`,
    );
    expect(() => x.add(1)).toThrow(`add: the tensor [2] (float32, ${device}) was disposed`);
  });

  it('reducing an empty dim without identity', () => {
    expect(() => L.zeros([2, 0], { device }).max(1)).toThrow('max: cannot reduce over a zero-size dimension');
  });

  it('where needs a bool condition', () => {
    expect(() => L.where(L.ones([2], { device }), 1, 2)).toThrow(
      'where: condition must have dtype bool, got float32',
    );
  });

  it('expand of a non-singleton dim', () => {
    expect(() => L.ones([2, 3], { device }).expand(4, 3)).toThrow(
      'expand: cannot expand size 2 to 4 at dim 0',
    );
  });

  it('cat with mismatched shapes', () => {
    expect(() => L.cat([L.ones([2, 3], { device }), L.ones([2, 4], { device })], 0)).toThrow(
      'cat: sizes must match except in dim 0: tensors[0] is [2, 3], tensors[1] is [2, 4]',
    );
  });

  it('gather with an index larger than the input', () => {
    expect(() => L.ones([2, 2], { device }).gather(1, L.zeros([3, 2], { device, dtype: 'int32' }))).toThrow(
      'gather: index [3, 2] is larger than input [2, 2] at dim 0',
    );
  });

  it('requiresGrad on an int tensor', () => {
    expect(() => L.tensor([1], { device, dtype: 'int32', requiresGrad: true })).toThrow(
      'requiresGrad: only floating-point tensors can require gradients, got int32',
    );
  });
});

describe('errors that do not depend on the device', () => {
  it('ragged nested arrays name the path', () => {
    expect(() => L.tensor([[1, 2], [3]])).toThrow(
      'tensor: ragged nested array: data[1] has length 1, expected 2',
    );
  });
  it('non-numbers name the position', () => {
    expect(() => L.tensor([1, 'a' as unknown as number])).toThrow(
      'tensor: expected numbers or booleans, got "a" at data[1]',
    );
  });
  it('int32 data must be integers', () => {
    expect(() => L.tensor([1.5], { dtype: 'int32' })).toThrow(
      'tensor: dtype int32 needs integers in [-2^31, 2^31), got 1.5 at element 0',
    );
  });
  it('unknown dtype and device', () => {
    expect(() => L.zeros([2], { dtype: 'float16' as L.DType })).toThrow(
      'full: dtype must be one of float32, float64, int32, bool; got "float16"',
    );
    expect(() => L.zeros([2], { device: 'cuda' as L.Device })).toThrow(
      "full: device must be 'cpu' or 'webgpu', got \"cuda\"",
    );
  });
  it('bad shapes', () => {
    expect(() => L.zeros([2, -1])).toThrow(
      'full: shape must be an array of non-negative integers, got [2,-1]',
    );
  });
  it('out-of-range gather index on cpu', () => {
    expect(() => L.ones([2, 2]).gather(1, L.tensor([[0, 2]], { dtype: 'int32' }))).toThrow(
      'gather: index 2 is out of bounds for dim 1 with size 2',
    );
  });
  it('typed arrays without a natural dtype need one', () => {
    expect(() => L.tensor(new Int16Array(2))).toThrow('tensor: a Int16Array needs an explicit dtype option');
  });
});

describe.skipIf(!hasWebGPU)('webgpu-only errors', () => {
  it('float64 on webgpu is a clear error', () => {
    expect(() => L.zeros([2], { device: 'webgpu', dtype: 'float64' })).toThrow(
      'webgpu: float64 is not supported (WGSL has no f64)',
    );
    expect(() => L.ones([2], { device: 'webgpu' }).double()).toThrow('float64 is not supported');
  });
  it('dataSync on webgpu says what to use instead', () => {
    expect(() => L.ones([2], { device: 'webgpu' }).dataSync()).toThrow(
      'dataSync: cannot read a webgpu tensor synchronously; use `await t.data()` (or `await t.toArray()`)',
    );
  });
  it('device mismatch', () => {
    expect(() => L.ones([2], { device: 'webgpu' }).add(L.ones([2]))).toThrow(
      'add: expected all tensors on the same device, got webgpu (argument 0) and cpu (argument 1)',
    );
  });
  it('to("cpu") from webgpu explains the async path', () => {
    expect(() => L.ones([2], { device: 'webgpu' }).to('cpu')).toThrow("use `await t.toAsync('cpu')`");
  });
});
