import { noGrad } from '@lumen/autograd';
import { tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { Adam, Linear, Sequential, SGD } from '../src/index.js';

// PyTorch 2.x: zero_grad() sets .grad to None (set_to_none=True); zero_grad(set_to_none=False)
// zeroes each existing .grad in place (same tensor object) and leaves None where there was none.
describe('zeroGrad({ setToNone })', () => {
  const trained = () => {
    const net = new Sequential(new Linear(3, 2), new Linear(2, 1));
    net
      .forward(tensor([[1, 2, 3]]))
      .sum()
      .backward();
    return net;
  };

  it('defaults to null (set_to_none=True), on the module and the optimizer', () => {
    const net = trained();
    net.zeroGrad();
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
    const net2 = trained();
    new SGD(net2.parameters(), { lr: 0.1 }).zeroGrad({ setToNone: true });
    expect(net2.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it('setToNone: false zeroes the gradient tensors in place', () => {
    for (const viaOptimizer of [false, true]) {
      const net = trained();
      const before = net.parameters().map((p) => p.grad);
      const values = before.map((g) => g!.arraySync());
      expect(before.every((g) => g !== null && (g.abs().sum().itemSync() as number) > 0)).toBe(true);
      if (viaOptimizer) new Adam(net.parameters()).zeroGrad({ setToNone: false });
      else net.zeroGrad({ setToNone: false });
      net.parameters().forEach((p, i) => {
        expect(p.grad).toBe(before[i]); // same tensor, as PyTorch's grad.zero_()
        expect(p.grad!.shape).toEqual(p.shape);
        expect(p.grad!.abs().sum().itemSync()).toBe(0);
      });
      // the next backward starts from zero: the same gradient as the first one
      net
        .forward(tensor([[1, 2, 3]]))
        .sum()
        .backward();
      net.parameters().forEach((p, i) => {
        expect(p.grad!.arraySync()).toEqual(values[i]);
      });
    }
  });

  it('setToNone: false leaves missing gradients null and never zeroes the caller’s gradient tensor', () => {
    const lin = new Linear(2, 2);
    lin.zeroGrad({ setToNone: false });
    expect(lin.weight.grad).toBeNull();
    // x.backward(g) on a leaf: .grad must not be g itself, or zeroGrad would wipe the caller's tensor
    const w = lin.weight;
    const g = tensor([
      [1, 2],
      [3, 4],
    ]);
    w.backward(g);
    expect(w.grad).not.toBe(g);
    lin.zeroGrad({ setToNone: false });
    expect(g.arraySync()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(w.grad!.arraySync()).toEqual([
      [0, 0],
      [0, 0],
    ]);
    // and a step after an in-place zero changes nothing (zero gradient) for plain SGD
    const before = noGrad(() => w.clone());
    new SGD([w], { lr: 1 }).step();
    expect(w.arraySync()).toEqual(before.arraySync());
  });
});
