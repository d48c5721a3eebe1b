import { describe, expect, it } from 'vitest';
import { copy_, fromBuffer, tensor } from '../src/index.js';

// torch.from_numpy: a tensor over the caller's array, no copy (used by @lumen/data's toTensor).

describe('fromBuffer', () => {
  it('shares memory both ways, for every dtype', () => {
    const f64 = Float64Array.of(1, 2, 3, 4, 5, 6);
    const t = fromBuffer(f64, { shape: [2, 3] });
    expect([t.dtype, t.shape]).toEqual(['float64', [2, 3]]);
    f64[4] = 50; // the array → the tensor
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3, 4, 50, 6]);
    copy_(
      t,
      tensor(
        [
          [7, 8, 9],
          [10, 11, 12],
        ],
        { dtype: 'float64' },
      ),
    ); // the tensor → the array
    expect(Array.from(f64)).toEqual([7, 8, 9, 10, 11, 12]);
    expect(fromBuffer(new Float32Array(2)).dtype).toBe('float32');
    const i32 = Int32Array.of(3, 4);
    copy_(fromBuffer(i32), 9);
    expect(Array.from(i32)).toEqual([9, 9]);
    const b = fromBuffer(Uint8Array.of(1, 0, 1));
    expect(b.dtype).toBe('bool');
    expect(b.arraySync()).toEqual([true, false, true]);
  });

  it('ops read it like any tensor, and dispose() leaves the array alone (not recycled into the pool)', () => {
    const big = new Float64Array(1 << 16).fill(2);
    const t = fromBuffer(big);
    expect(t.sum().itemSync()).toBe(2 * (1 << 16));
    t.dispose();
    // a pooled array would be handed to the next allocation of its size and overwritten
    const other = tensor(new Float64Array(1 << 16).fill(5));
    expect(other.sum().itemSync()).toBe(5 * (1 << 16));
    expect(big.every((v) => v === 2)).toBe(true);
  });

  it('names what it needs', () => {
    expect(() => fromBuffer([1, 2] as never)).toThrow(
      'fromBuffer: data must be a Float32Array, Float64Array, Int32Array or Uint8Array (bool), got array(length 2)',
    );
    expect(() => fromBuffer(new Int16Array(2) as never)).toThrow(/got Int16Array/);
    expect(() => fromBuffer(new Float64Array(2), { dtype: 'float32' })).toThrow(
      'fromBuffer: a Float64Array holds float64, not "float32"; a tensor of another dtype needs a copy: use tensor(data, { dtype })',
    );
    expect(() => fromBuffer(new Float64Array(6), { shape: [4, 2] })).toThrow(
      'fromBuffer: shape [4, 2] holds 8 elements but the data has 6',
    );
    expect(() => fromBuffer(new Float64Array(2), { shap: [2] } as never)).toThrow(/did you mean `shape`/);
  });
});
