import { tensor, zeros } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { Adam, AdamW, clipGradNorm, Linear, linearWarmupSchedule, SGD, StepLR } from '../src/index.js';
import { expectClose, type FixtureTensor, fixture, toTensor } from './helpers.js';

interface LayersFixture {
  clip: {
    grads: FixtureTensor[];
    maxNorm: number;
    results: Record<string, { total: number; grads: number[][] }>;
  };
  stepLR: number[];
}
const f = fixture<LayersFixture>('layers.json');

describe('schedulers', () => {
  it('StepLR follows PyTorch', () => {
    const opt = new SGD([zeros([1], { requiresGrad: true })], { lr: 0.4 });
    const s = new StepLR(opt, { stepSize: 3, gamma: 0.5 });
    const lrs: number[] = [];
    for (let i = 0; i < 10; i++) {
      lrs.push(s.getLastLr()[0]!);
      opt.step();
      s.step();
    }
    expectClose(lrs, f.stepLR, 1e-12, 0, 'lrs');
    expect(opt.paramGroups[0]!.lr).toBeCloseTo(0.4 * 0.5 ** 3, 12);
  });

  it('linearWarmupSchedule rises to the base lr, then decays to 0 (transformers formula)', () => {
    const opt = new AdamW([zeros([1], { requiresGrad: true })], { lr: 1 });
    const s = linearWarmupSchedule(opt, { warmupSteps: 2, totalSteps: 6 });
    const lrs = [s.getLastLr()[0]];
    for (let i = 0; i < 7; i++) {
      s.step();
      lrs.push(opt.paramGroups[0]!.lr);
    }
    expect(lrs).toEqual([0, 0.5, 1, 0.75, 0.5, 0.25, 0, 0]);
    expect(() => linearWarmupSchedule(opt, { warmupSteps: 5, totalSteps: 2 })).toThrow(
      /totalSteps must be an integer >= warmupSteps/,
    );
  });
});

describe('clipGradNorm', () => {
  for (const [normType, expected] of Object.entries(f.clip.results)) {
    it(`matches PyTorch for normType ${normType}`, () => {
      const ps = f.clip.grads.map((g) => zeros(g.shape, { requiresGrad: true }));
      ps.forEach((p, i) => {
        p.grad = toTensor(f.clip.grads[i]!);
      });
      const total = clipGradNorm(ps, f.clip.maxNorm, {
        normType: normType === 'inf' ? Infinity : Number(normType),
      });
      expect(total.itemSync()).toBeCloseTo(expected.total, 5);
      ps.forEach((p, i) => {
        expectClose(p.grad!.dataSync(), expected.grads[i]!, 1e-5, 1e-6, `grad ${i}`);
      });
    });
  }
  it('returns 0 when no parameter has a gradient', () => {
    expect(clipGradNorm([zeros([2], { requiresGrad: true })], 1).itemSync()).toBe(0);
  });
});

describe('optimizer validation and semantics', () => {
  it('names the bad hyperparameter', () => {
    const p = () => [zeros([1], { requiresGrad: true })];
    expect(() => new SGD(p(), { lr: -1 })).toThrow(
      /SGD: invalid learning rate lr in paramGroups\[0\]: got -1/,
    );
    expect(() => new SGD(p(), { lr: 0.1, nesterov: true })).toThrow(
      /nesterov momentum requires a momentum > 0/,
    );
    expect(() => new Adam(p(), { betas: [0.9, 1] })).toThrow(/beta2/);
    expect(() => new Adam([])).toThrow(/empty parameter list/);
    const x = zeros([1], { requiresGrad: true });
    expect(() => new Adam([x.mul(2)])).toThrow(/not a leaf tensor/);
  });

  it('updates parameters in place and skips those without gradients', () => {
    const lin = new Linear(2, 1);
    const w = lin.weight;
    const before = Array.from(w.dataSync());
    const biasBefore = Array.from(lin.bias!.dataSync());
    const opt = new SGD([{ params: [lin.weight], lr: 0.5 }, { params: [lin.bias!] }], { lr: 0.1 });
    lin.weight.grad = tensor([[1, -2]]);
    opt.step();
    expect(lin.weight).toBe(w);
    expectClose(w.dataSync(), [before[0]! - 0.5, before[1]! + 1], 1e-6, 1e-6, 'weight');
    expect(Array.from(lin.bias!.dataSync())).toEqual(biasBefore);
    expect(opt.paramGroups[1]!.lr).toBe(0.1);
  });
});
