import { expect, it, describe as suite } from 'vitest';
import {
  ArgumentError,
  DESCRIBE_MAX,
  DeviceError,
  DtypeError,
  describe,
  FileFormatError,
  fail,
  gemm,
  LumenError,
  NotFittedError,
  ones,
  ShapeError,
  setNumThreads,
  tensor,
  zeros,
} from '../src/index.ts';

/** What a caller does: run the call, catch, and keep the error to check its class and message. */
function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to throw');
}

suite('error categories: callers catch by class, messages unchanged', () => {
  it('ShapeError: matmul of shapes that cannot be multiplied', () => {
    const e = caught(() => ones([2, 3]).matmul(ones([4, 5])));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e).toBeInstanceOf(LumenError);
    expect(e.name).toBe('ShapeError');
    expect(e.message).toBe('matmul: shapes [2, 3] and [4, 5] cannot be multiplied (2x3 and 4x5)');
    // broadcasting and reshape are shape errors too
    expect(() => ones([1, 3]).add(ones([1, 2]))).toThrow(ShapeError);
    expect(() => ones([2, 3]).reshape(4, -1)).toThrow(ShapeError);
  });

  it('DtypeError: matmul of float32 and int32', () => {
    const e = caught(() => ones([2, 2]).matmul(ones([2, 2], { dtype: 'int32' })));
    expect(e).toBeInstanceOf(DtypeError);
    expect(e).toBeInstanceOf(LumenError);
    expect(e).not.toBeInstanceOf(ShapeError);
    expect(e.message).toBe(
      'matmul: expected both operands to have the same dtype, got float32 and int32; convert one with .cast()',
    );
  });

  it('DeviceError: a device that does not exist', () => {
    const e = caught(() => zeros([2], { device: 'tpu' as 'cpu' }));
    expect(e).toBeInstanceOf(DeviceError);
    expect(e).toBeInstanceOf(LumenError);
    expect(e.message).toMatch(/must be 'cpu' or 'webgpu', got "tpu"$/);
  });

  it('ArgumentError: an unknown option', () => {
    const e = caught(() => ones([2, 3]).sum(0, { keep_dim: true } as never));
    expect(e).toBeInstanceOf(ArgumentError);
    expect(e).toBeInstanceOf(LumenError);
    expect(e.message).toMatch(/^sum: unknown option "keep_dim"/);
  });

  it('the other categories (thrown by the packages above) are LumenErrors with their own name', () => {
    for (const [Kind, name] of [
      [NotFittedError, 'NotFittedError'],
      [FileFormatError, 'FileFormatError'],
    ] as const) {
      const e = caught(() => fail('op', 'message', Kind));
      expect(e).toBeInstanceOf(Kind);
      expect(e).toBeInstanceOf(LumenError);
      expect(e.name).toBe(name);
      expect(e.message).toBe('op: message');
    }
    // without a category, fail throws the plain LumenError
    const plain = caught(() => fail('op', 'message'));
    expect(plain.constructor).toBe(LumenError);
    expect(String(plain)).toBe('LumenError: op: message');
  });
});

suite('error categories of the backends and the low-level entry', () => {
  it('gemm/syrk: a wrong typed array is a DtypeError, a short one a ShapeError, a bad layout an ArgumentError', () => {
    const c = new Float64Array(4);
    const e = caught(() =>
      gemm(2, 2, 2, new Float32Array(4), { rowStride: 2 }, new Float64Array(4), { rowStride: 2 }, c),
    );
    expect(e).toBeInstanceOf(DtypeError);
    expect(e.message).toBe('gemm: a must be a Float64Array like c, got Float32Array(length 4)');
    expect(() =>
      gemm(
        2,
        2,
        2,
        new Float64Array(4),
        { rowStride: 2 },
        new Float64Array(4),
        { rowStride: 2 },
        new Float64Array(3),
      ),
    ).toThrow(ShapeError);
    expect(() =>
      gemm(
        2,
        2,
        2,
        new Float64Array(4),
        { rowStride: 2, step: 1 } as never,
        new Float64Array(4),
        { rowStride: 2 },
        c,
      ),
    ).toThrow(ArgumentError);
  });

  it('an index out of bounds (gather, scatterAdd) and a bad thread count are ArgumentErrors', () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    const e = caught(() => x.gather(1, tensor([[0, 2]], { dtype: 'int32' })));
    expect(e).toBeInstanceOf(ArgumentError);
    expect(e.message).toBe('gather: index 2 is out of bounds for dim 1 with size 2');
    expect(() => zeros([2, 2]).scatterAdd(0, tensor([[5, 0]], { dtype: 'int32' }), ones([1, 2]))).toThrow(
      ArgumentError,
    );
    expect(() => setNumThreads(0)).toThrow(ArgumentError);
  });
});

suite('describe (the one value summary of every package)', () => {
  it('cuts every string at the same length', () => {
    expect(describe('a'.repeat(DESCRIBE_MAX))).toBe(JSON.stringify('a'.repeat(DESCRIBE_MAX)));
    const long = describe('b'.repeat(DESCRIBE_MAX + 1));
    expect(long).toBe(JSON.stringify(`${'b'.repeat(DESCRIBE_MAX - 3)}...`));
    expect(JSON.parse(long)).toHaveLength(DESCRIBE_MAX);
    expect(JSON.parse(describe('x'.repeat(50_000)))).toHaveLength(DESCRIBE_MAX);
  });

  it('names arrays, typed arrays, tensors, functions and objects without printing their contents', () => {
    expect(describe(null)).toBe('null');
    expect(describe(undefined)).toBe('undefined');
    expect(describe(3)).toBe('number 3');
    expect(describe(true)).toBe('boolean true');
    expect(describe([1, 2, 3])).toBe('array(length 3)');
    expect(describe(new Float32Array(4))).toBe('Float32Array(length 4)');
    expect(describe(tensor([[1, 2, 3]]))).toBe('Tensor [1, 3] (float32)');
    expect(describe(() => 'a body that should not be printed')).toBe('a function');
    expect(describe(new Map())).toBe('Map');
    expect(describe(Object.create(null))).toBe('object');
  });

  it('is what the errors show', () => {
    expect(() => ones([2]).sum(0, 'x'.repeat(100) as never)).toThrow(
      `sum: options must be an object, got ${describe('x'.repeat(100))}`,
    );
  });
});
