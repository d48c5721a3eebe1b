import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import * as L from '../src/index.ts';
import { type ArrayDesc, describeDevices, expectTensor, fromDesc } from './helpers.ts';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/ops.json', import.meta.url), 'utf8')) as {
  optim: {
    name: string;
    opts: Record<string, number | boolean | string>;
    param: ArrayDesc;
    grads: ArrayDesc[];
    expected: ArrayDesc;
  }[];
};

describeDevices('in-place writes on %s', (device) => {
  it('copy_ broadcasts and casts into the tensor and its views', async () => {
    const x = L.zeros([2, 3], { device });
    const row = x.select(0, 1);
    x.copy_(L.tensor([1, 2, 3], { device, dtype: 'int32' }));
    expect(await x.toArray()).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    row.copy_(7);
    expect(await x.toArray()).toEqual([
      [1, 2, 3],
      [7, 7, 7],
    ]);
    expect(x.version).toBe(2);
    x.T.slice(0, 0, 1).copy_(L.tensor([[-1, -2]], { device }));
    expect(await x.toArray()).toEqual([
      [-1, 2, 3],
      [-2, 7, 7],
    ]);
  });

  it('copy_ refuses writes autograd may need and shapes that do not broadcast', () => {
    expect(() => L.zeros([2], { device }).copy_(L.zeros([3], { device }))).toThrow(
      "copy_: src of shape [3] cannot be broadcast to self's shape [2]",
    );
  });

  for (const c of fixture.optim) {
    it(`fused ${c.name} step matches torch.optim over 3 steps`, async () => {
      const o = c.opts as Record<string, any>;
      const param = fromDesc(c.param, device);
      const s1 = L.zerosLike(param);
      const s2 = L.zerosLike(param);
      const s3 = L.zerosLike(param);
      c.grads.forEach((g, k) => {
        const grad = fromDesc(g, device);
        if (o.kind === 'adam') {
          L.adamStep(param, grad, s1, s2, {
            lr: o.lr,
            beta1: o.beta1,
            beta2: o.beta2,
            eps: o.eps,
            weightDecay: o.weightDecay,
            decoupled: o.decoupled,
            step: k + 1,
            maximize: o.maximize,
            maxExpAvgSq: o.amsgrad ? s3 : null,
          });
        } else {
          L.sgdStep(param, grad, o.momentum ? s1 : null, { ...o, first: k === 0 } as L.SGDStepOptions);
        }
      });
      await expectTensor(param, c.expected, { rtol: 1e-5, atol: 1e-6 }, c.name);
    });
  }
});
