import { manualSeed, randn, type Tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import {
  type AdamOptions,
  type AdamState,
  adamUpdate,
  type SGDOptions,
  type SGDState,
  sgdUpdate,
} from '../src/index.js';
import { adamStepHost, sgdStepHost } from '../src/optim/hostKernels.js';
import { expectClose } from './helpers.js';

/** The fused cpu loops against the composite update functions they replace, over several steps. */
const ADAM: [string, AdamOptions, boolean][] = [
  [
    'adam',
    { lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false },
    false,
  ],
  [
    'adam amsgrad l2 maximize',
    { lr: 0.05, betas: [0.8, 0.95], eps: 1e-6, weightDecay: 0.1, amsgrad: true, maximize: true },
    false,
  ],
  [
    'adamw',
    { lr: 0.02, betas: [0.9, 0.99], eps: 1e-8, weightDecay: 0.05, amsgrad: false, maximize: false },
    true,
  ],
];
const SGD_CONFIGS: [string, SGDOptions][] = [
  ['plain', { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false }],
  [
    'momentum dampening l2',
    { lr: 0.1, momentum: 0.9, dampening: 0.2, weightDecay: 0.01, nesterov: false, maximize: false },
  ],
  [
    'nesterov maximize',
    { lr: 0.05, momentum: 0.8, dampening: 0, weightDecay: 0.001, nesterov: true, maximize: true },
  ],
];

function grads(seed: number, n: number): Tensor[] {
  manualSeed(seed);
  return Array.from({ length: n }, () => randn([5, 7]));
}

describe('fused cpu optimizer updates equal the composite ones', () => {
  for (const [name, h, decoupled] of ADAM) {
    it(name, () => {
      manualSeed(1);
      const start = randn([5, 7]);
      const fused = start.clone();
      let composite = start.clone();
      let fs: AdamState | undefined;
      let cs: AdamState | undefined;
      for (const g of grads(2, 4)) {
        fs = adamStepHost(fused, g, fs, h, decoupled)!;
        const r = adamUpdate(composite, g, cs, h, decoupled);
        composite = r.param;
        cs = r.state;
      }
      expectClose(fused.dataSync(), composite.dataSync(), 1e-5, 1e-7, 'param');
      expectClose(fs!.expAvgSq.dataSync(), cs!.expAvgSq.dataSync(), 1e-5, 1e-9, 'expAvgSq');
    });
  }
  for (const [name, h] of SGD_CONFIGS) {
    it(`sgd ${name}`, () => {
      manualSeed(1);
      const start = randn([5, 7]);
      const fused = start.clone();
      let composite = start.clone();
      let fs: SGDState | undefined;
      let cs: SGDState | undefined;
      for (const g of grads(3, 4)) {
        fs = sgdStepHost(fused, g, fs, h)!;
        const r = sgdUpdate(composite, g, cs, h);
        composite = r.param;
        cs = r.state;
      }
      expectClose(fused.dataSync(), composite.dataSync(), 1e-5, 1e-7, 'param');
    });
  }
});

describe('optimizers take the fused path on cpu', () => {
  it('Adam, AdamW and SGD keep their state tensors and update them in place', async () => {
    const { Adam, AdamW, SGD } = await import('../src/index.js');
    for (const make of [
      (p: Tensor[]) => new Adam(p),
      (p: Tensor[]) => new AdamW(p),
      (p: Tensor[]) => new SGD(p, { lr: 0.1, momentum: 0.9 }),
    ]) {
      const p = randn([3], { requiresGrad: true });
      const opt = make([p]);
      p.grad = randn([3]);
      opt.step();
      const first = Object.values(opt.state.get(p)!).filter((v) => typeof v === 'object' && v !== null);
      p.grad = randn([3]);
      opt.step();
      const second = Object.values(opt.state.get(p)!).filter((v) => typeof v === 'object' && v !== null);
      expect(second).toEqual(first);
      second.forEach((t, i) => {
        expect(t).toBe(first[i]);
      });
    }
  });
});
