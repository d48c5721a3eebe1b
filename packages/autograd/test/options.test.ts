import { tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { grad } from '../src/index.js';

describe('autograd option bags are checked', () => {
  it('backward and grad name the valid keys', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() =>
      x
        .mul(2)
        .sum()
        .backward(undefined, { retain_graph: true } as never),
    ).toThrow(
      'backward: unknown option "retain_graph" (did you mean `retainGraph`?); the options are retainGraph, createGraph',
    );
    expect(() => grad(x.mul(2).sum(), x, { allow_unused: true } as never)).toThrow(
      'grad: unknown option "allow_unused" (did you mean `allowUnused`?)',
    );
  });

  it('a leaf’s .grad never aliases the gradient passed to backward()', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const g = tensor([3, 4]);
    x.backward(g);
    expect(x.grad).not.toBe(g);
    expect(x.grad!.storage).not.toBe(g.storage);
    expect(x.grad!.arraySync()).toEqual([3, 4]);
    const y = tensor([[1, 2]], { requiresGrad: true });
    const gy = tensor([3, 4]);
    y.reshape([2]).backward(gy); // through a view: still a copy of its own
    expect(y.grad!.storage).not.toBe(gy.storage);
  });
});
