import { type Tensor, tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { BCEWithLogitsLoss, CrossEntropyLoss, F } from '../src/index.js';
import { expectClose, type FixtureTensor, fixture, toTensor } from './helpers.js';

interface LossCase {
  name: string;
  inputs: FixtureTensor[];
  output: FixtureTensor;
  weight: FixtureTensor;
  grad: number[];
}

const LOSSES: Record<string, (...xs: Tensor[]) => Tensor> = {
  mse: (x, t) => F.mseLoss(x, t),
  mseSum: (x, t) => F.mseLoss(x, t, { reduction: 'sum' }),
  mseNone: (x, t) => F.mseLoss(x, t, { reduction: 'none' }),
  l1: (x, t) => F.l1Loss(x, t),
  bce: (x, t) => F.binaryCrossEntropy(x, t),
  bceWeighted: (x, t, w) => F.binaryCrossEntropy(x, t, { weight: w, reduction: 'sum' }),
  bceLogits: (x, t) => F.binaryCrossEntropyWithLogits(x, t),
  bceLogitsExtreme: (x, t) => F.binaryCrossEntropyWithLogits(x, t, { reduction: 'none' }),
  bceLogitsPosWeight: (x, t, pw) => F.binaryCrossEntropyWithLogits(x, t, { posWeight: pw }),
  ce: (x, t) => F.crossEntropy(x, t),
  ceSum: (x, t) => F.crossEntropy(x, t, { reduction: 'sum' }),
  ceNone: (x, t) => F.crossEntropy(x, t, { reduction: 'none' }),
  ceIgnore: (x, t) => F.crossEntropy(x, t, { ignoreIndex: 4 }),
  ceWeight: (x, t, w) => F.crossEntropy(x, t, { weight: w }),
  ceSmooth: (x, t) => F.crossEntropy(x, t, { labelSmoothing: 0.1 }),
  ceSmoothWeight: (x, t, w) => F.crossEntropy(x, t, { weight: w, labelSmoothing: 0.2 }),
  ceSmoothSum: (x, t) => F.crossEntropy(x, t, { labelSmoothing: 0.3, reduction: 'sum' }),
  ceSmoothNone: (x, t) => F.crossEntropy(x, t, { labelSmoothing: 0.3, reduction: 'none' }),
  ce3d: (x, t) => F.crossEntropy(x, t),
  ceProbs: (x, t) => F.crossEntropy(x, t, { labelSmoothing: 0.1 }),
  nll: (x, t) => F.nllLoss(x, t),
};

describe('losses match PyTorch (values and input gradients, float32)', () => {
  const { cases } = fixture<{ cases: LossCase[] }>('losses.json');
  it('covers every fixture case', () => {
    expect(cases.map((c) => c.name).sort()).toEqual(Object.keys(LOSSES).sort());
  });
  for (const c of cases) {
    it(c.name, () => {
      const xs = c.inputs.map((f, i) => toTensor(f, { requiresGrad: i === 0 }));
      const out = LOSSES[c.name]!(...xs);
      expect(out.shape).toEqual(c.output.shape);
      expectClose(out.dataSync(), c.output.data as number[], 1e-5, 1e-6, 'loss');
      out.mul(toTensor(c.weight)).sum().backward();
      expectClose(xs[0]!.grad!.dataSync(), c.grad, 1e-5, 1e-6, 'grad');
    });
  }
});

describe('loss edge cases', () => {
  it('BCEWithLogitsLoss stays finite for extreme logits', () => {
    const x = tensor([[-1e4, 1e4, -88, 88]], { requiresGrad: true });
    const t = tensor([[1, 0, 0, 1]]);
    const loss = new BCEWithLogitsLoss({ reduction: 'none' }).forward(x, t);
    const v = Array.from(loss.dataSync());
    expect(v.slice(0, 2)).toEqual([1e4, 1e4]);
    expect(v[2]).toBeCloseTo(0, 30);
    expect(v[3]).toBeCloseTo(0, 30);
    loss.sum().backward();
    const g = Array.from(x.grad!.dataSync());
    expect(g.slice(0, 2)).toEqual([-1, 1]);
    expect(g[2]).toBeCloseTo(0, 30);
    expect(g[3]).toBeCloseTo(0, 30);
  });

  it('CrossEntropyLoss rejects out-of-range classes and bad shapes, naming them', () => {
    const ce = new CrossEntropyLoss();
    const x = tensor([[1, 2, 3]]);
    expect(() => ce.forward(x, tensor([3], { dtype: 'int32' }))).toThrow(
      /target 3 at position 0 is out of bounds for 3 classes/,
    );
    expect(() => ce.forward(x, tensor([0, 1], { dtype: 'int32' }))).toThrow(
      /target shape \[2\] does not fit input shape \[1, 3\]/,
    );
    expect(() => ce.forward(x, tensor([0], { dtype: 'int32' }))).not.toThrow();
    expect(() => F.crossEntropy(x, tensor([0], { dtype: 'int32' }), { reduction: 'avg' as 'mean' })).toThrow(
      /reduction must be/,
    );
  });

  it('an all-ignored batch gives NaN with mean reduction, as PyTorch', () => {
    const loss = F.crossEntropy(tensor([[1, 2]]), tensor([-100], { dtype: 'int32' }));
    expect(Number.isNaN(loss.itemSync())).toBe(true);
  });

  it('BCELoss rejects inputs outside [0, 1]', () => {
    expect(() => F.binaryCrossEntropy(tensor([0.5, 1.5]), tensor([0, 1]))).toThrow(
      /probabilities in \[0, 1\], got 1.5 at position 1/,
    );
  });
});
