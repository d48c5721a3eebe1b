import { addmm, bceWithLogits, ones, type Tensor, tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { enableGrad, grad, isGradEnabled, noGrad, setGradEnabled } from '../src/index.js';

const leaf = (v: number[] | number[][]) => tensor(v, { dtype: 'float64', requiresGrad: true });
const values = (t: Tensor | null) => Array.from(t!.dataSync());

describe('the tape', () => {
  it('records ops on tensors that require grad, with PyTorch gradFn names', () => {
    const x = leaf([1, 2, 3]);
    const y = x.mul(2);
    expect(x.isLeaf).toBe(true);
    expect(x.gradFn).toBeNull();
    expect(y.isLeaf).toBe(false);
    expect(y.requiresGrad).toBe(true);
    expect(y.gradFn?.name).toBe('MulBackward0');
    expect(y.sum().gradFn?.name).toBe('SumBackward0');
    expect(y.reshape(3, 1).sum(0).gradFn?.name).toBe('SumBackward1');
    expect(x.reshape(3, 1).matmul(x.reshape(1, 3)).gradFn?.name).toBe('MmBackward0');
    expect(x.exp().gradFn?.name).toBe('ExpBackward0');
    expect(x.pow(2).gradFn?.name).toBe('PowBackward0');
    expect(x.softmax(0).gradFn?.name).toBe('SoftmaxBackward0');
    expect(addmm(x, x.reshape(3, 1), x.reshape(1, 3)).gradFn?.name).toBe('AddmmBackward0');
    // fused on cpu: one node, as PyTorch's
    expect(bceWithLogits(x, x.detach().sigmoid()).gradFn?.name).toBe('BinaryCrossEntropyWithLogitsBackward0');
  });

  it('a batch of rows times one matrix is one 2-D product (as torch.matmul folds it), not a Bmm', () => {
    const a = tensor(
      [
        [
          [1, 2],
          [3, 4],
        ],
        [
          [5, 6],
          [7, 8],
        ],
        [
          [9, 10],
          [11, 12],
        ],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    const w = leaf([
      [1, -1, 2],
      [0.5, 3, -2],
    ]);
    const y = a.matmul(w); // [3, 2, 3]
    expect(y.shape).toEqual([3, 2, 3]);
    expect(y.gradFn?.name).toBe('ViewBackward0'); // PyTorch: UnsafeViewBackward0 over MmBackward0
    y.sum().backward();
    // dL/dw = Σ over all six rows of a, as one [2, 6] × [6, 3] product would give it.
    expect(values(w.grad)).toEqual([36, 36, 36, 42, 42, 42]);
    expect(values(a.grad)).toEqual([2, 1.5, 2, 1.5, 2, 1.5, 2, 1.5, 2, 1.5, 2, 1.5]);
  });

  it('does not record ops on tensors that do not require grad', () => {
    const a = tensor([1, 2]);
    const b = a.mul(3);
    expect(b.requiresGrad).toBe(false);
    expect(b.gradFn).toBeNull();
  });

  it('accumulates gradients in .grad across backward calls, as PyTorch', () => {
    const x = leaf([1, 2, 3]);
    x.mul(x).sum().backward();
    expect(values(x.grad)).toEqual([2, 4, 6]);
    x.mul(3).sum().backward();
    expect(values(x.grad)).toEqual([5, 7, 9]);
    x.grad = null;
    x.sum().backward();
    expect(values(x.grad)).toEqual([1, 1, 1]);
  });

  it('sums the gradient of a tensor used on several paths', () => {
    const x = leaf([2]);
    const y = x.mul(x).add(x.mul(3)).add(x.exp());
    y.backward();
    expect(values(x.grad)[0]).toBeCloseTo(2 * 2 + 3 + Math.exp(2), 12);
  });

  it('takes an explicit gradient for non-scalar outputs and rejects a missing one', () => {
    const x = leaf([1, 2, 3]);
    const y = x.mul(2);
    expect(() => y.backward()).toThrow(/only for one-element outputs.*\[3\]/);
    y.backward(tensor([1, 0, 2], { dtype: 'float64' }));
    expect(values(x.grad)).toEqual([2, 0, 4]);
    expect(() => x.mul(2).backward(tensor([1, 2], { dtype: 'float64' }))).toThrow(
      /gradient shape \[2\] does not match.*\[3\]/,
    );
  });

  it('refuses a second backward through a freed graph, and allows it with retainGraph', () => {
    const x = leaf([1, 2]);
    const y = x.exp().sum();
    y.backward();
    expect(() => y.backward()).toThrow(/backward through the graph a second time.*retainGraph: true/);
    const z = x.exp().sum();
    z.backward(undefined, { retainGraph: true });
    z.backward();
    expect(values(x.grad)[0]).toBeCloseTo(Math.E + 2 * Math.E, 12);
  });

  it('says clearly when there is nothing to differentiate', () => {
    expect(() => tensor([1, 2]).sum().backward()).toThrow(/does not require grad/);
  });

  it('detach() cuts the graph and shares values', () => {
    const x = leaf([1, 2]);
    const d = x.mul(2).detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.isLeaf).toBe(true);
    expect(values(d)).toEqual([2, 4]);
    const y = x.mul(d).sum();
    y.backward();
    expect(values(x.grad)).toEqual([2, 4]);
  });

  it('handles a 10,000-op chain without overflowing the stack', () => {
    const x = leaf([1]);
    let y: Tensor = x;
    for (let i = 0; i < 10_000; i++) y = y.add(1);
    y.sum().backward();
    expect(values(x.grad)).toEqual([1]);
  });

  it('gives gradients the leaf dtype and shape under broadcasting', () => {
    const b = tensor([0.5, -1], { requiresGrad: true });
    const x = ones([4, 2]);
    x.add(b).sum().backward();
    expect(b.grad!.dtype).toBe('float32');
    expect(b.grad!.shape).toEqual([2]);
    expect(values(b.grad)).toEqual([4, 4]);
  });

  it("gives a contiguous leaf a contiguous .grad (PyTorch's layout contract), not a transposed or expanded view", () => {
    const w = leaf([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const x = tensor([[1, 0, 2]], { dtype: 'float64' });
    x.matmul(w.T).sum().backward();
    expect(w.grad!.isContiguous()).toBe(true);
    expect(values(w.grad)).toEqual([1, 0, 2, 1, 0, 2]);
    const b = leaf([1, 2]);
    b.sum().backward();
    expect(b.grad!.isContiguous()).toBe(true);
    expect(b.grad!.strides).toEqual([1]);
  });

  it('propagates through float32 → float64 casts back to float32 leaves', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.double().mul(3).sum().backward();
    expect(x.grad!.dtype).toBe('float32');
    expect(values(x.grad)).toEqual([3, 3]);
  });
});

describe('grad mode', () => {
  it('noGrad stops recording and returns the callback value; enableGrad turns it back on', () => {
    const x = leaf([1, 2]);
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(isGradEnabled()).toBe(true);
    const z = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      return enableGrad(() => x.mul(2));
    });
    expect(z.requiresGrad).toBe(true);
  });

  it('restores the mode after an exception and after an async callback', async () => {
    expect(() =>
      noGrad(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
    const p = noGrad(async () => {
      await Promise.resolve();
      return isGradEnabled();
    });
    expect(await p).toBe(false);
    expect(isGradEnabled()).toBe(true);
    setGradEnabled(false);
    expect(leaf([1]).mul(2).requiresGrad).toBe(false);
    setGradEnabled(true);
  });

  it('an async noGrad() that awaits does not switch recording off for another task (issue 13)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const evaluation = noGrad(async () => {
      await gate;
      return leaf([3]).mul(2).requiresGrad;
    });
    // Meanwhile, a training step in another task records and differentiates as usual.
    const training = (async () => {
      await Promise.resolve();
      const w = leaf([1, 2]);
      w.mul(w).sum().backward();
      return values(w.grad!);
    })();
    expect(await training).toEqual([2, 4]);
    release();
    expect(await evaluation).toBe(false);
    expect(isGradEnabled()).toBe(true);
  });

  it('setGradEnabled inside a noGrad/enableGrad callback lasts until the callback ends', () => {
    enableGrad(() => {
      setGradEnabled(false);
      expect(isGradEnabled()).toBe(false);
    });
    expect(isGradEnabled()).toBe(true);
    expect(() => noGrad(42 as unknown as () => void)).toThrow(
      'noGrad: fn must be a callback function, got number',
    );
    expect(() => setGradEnabled(1 as unknown as boolean)).toThrow(
      'setGradEnabled: mode must be a boolean, got number',
    );
  });
});

describe('grad()', () => {
  it('returns gradients without touching .grad', () => {
    const x = leaf([1, 2, 3]);
    const w = leaf([1, 1, 1]);
    const [gx, gw] = grad(x.mul(w).mul(x).sum(), [x, w]);
    expect(values(gx!)).toEqual([2, 4, 6]);
    expect(values(gw!)).toEqual([1, 4, 9]);
    expect(x.grad).toBeNull();
  });

  it('gives gradients of intermediate tensors', () => {
    const x = leaf([1, 2]);
    const h = x.mul(3);
    const [gh] = grad(h.square().sum(), h);
    expect(values(gh!)).toEqual([6, 12]);
  });

  it('rejects unused inputs unless allowUnused', () => {
    const x = leaf([1]);
    const u = leaf([1]);
    expect(() => grad(x.mul(2).sum(), [x, u])).toThrow(/inputs\[1\] was not used/);
    const [, gu] = grad(x.mul(2).sum(), [x, u], { allowUnused: true });
    expect(gu).toBeNull();
  });

  it('supports higher-order gradients with createGraph', () => {
    const x = leaf([2]);
    const y = x.pow(3).sum();
    const [dy] = grad(y, x, { createGraph: true });
    expect(values(dy!)).toEqual([12]);
    expect(dy!.requiresGrad).toBe(true);
    const [d2y] = grad(dy!.sum(), x);
    expect(values(d2y!)).toEqual([12]);
  });
});
