import { cat, initWebGPU, manualSeed, ones, randn, type Tensor, tensor, zeros } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { describeDevices, webgpuReady } from '../../../test-support/webgpu.ts';
import {
  Adam,
  AdamW,
  BCEWithLogitsLoss,
  Linear,
  type Optimizer,
  ReLU,
  Sequential,
  SGD,
} from '../src/index.js';
import { expectClose, type FixtureTensor, fixture, toTensor } from './helpers.js';

interface TrainFixture {
  X: FixtureTensor;
  y: FixtureTensor;
  init: Record<string, FixtureTensor>;
  runs: Record<string, { losses: number[]; state: Record<string, number[]> }>;
}

const OPTIMIZERS: Record<string, (params: Tensor[]) => Optimizer<object, object>> = {
  adam: (p) => new Adam(p, { lr: 0.01 }),
  adamAmsgradWd: (p) =>
    new Adam(p, { lr: 0.02, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1, amsgrad: true }),
  adamw: (p) => new AdamW(p, { lr: 0.01, weightDecay: 0.05 }),
  sgd: (p) => new SGD(p, { lr: 0.1 }),
  sgdMomentum: (p) => new SGD(p, { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }),
  sgdNesterov: (p) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.001 }),
};

function mlp(): Sequential {
  return new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 1));
}

const ready = await webgpuReady('nn/test/train.test.ts', initWebGPU);

describeDevices(
  ready,

  '5 training steps match PyTorch to 1e-5 (blobs MLP, BCEWithLogitsLoss, float32 %s)',
  (device) => {
    const f = fixture<TrainFixture>('train.json');
    it('covers every optimizer configuration of the fixture', () => {
      expect(Object.keys(f.runs).sort()).toEqual(Object.keys(OPTIMIZERS).sort());
    });
    for (const name of Object.keys(f.runs)) {
      it(name, async () => {
        const model = mlp().to(device);
        model.loadStateDict(Object.fromEntries(Object.entries(f.init).map(([k, v]) => [k, toTensor(v)])));
        const X = toTensor(f.X).to(device);
        const y = toTensor(f.y).to(device);
        const opt = OPTIMIZERS[name]!(model.parameters());
        const lossFn = new BCEWithLogitsLoss();
        const losses: Tensor[] = [];
        for (let step = 0; step < 5; step++) {
          opt.zeroGrad();
          const loss = lossFn.forward(model.forward(X), y);
          loss.backward();
          opt.step();
          losses.push(loss);
        }
        const run = f.runs[name]!;
        const values = await Promise.all(losses.map(async (l) => (await l.item()) as number));
        expectClose(values, run.losses, 1e-5, 1e-6, 'losses');
        const state = model.stateDict();
        expect(Object.keys(state)).toEqual(Object.keys(run.state));
        for (const [k, v] of Object.entries(run.state)) expectClose(await state[k]!.data(), v, 1e-5, 1e-5, k);
      });
    }
  },
);

/** Two Gaussian blobs (the notes' example), drawn from Lumen's seeded generator. */
function blobs(nPerClass: number): { X: Tensor; y: Tensor } {
  const a = randn([nPerClass, 2]).add(tensor([1.5, 1.5]));
  const b = randn([nPerClass, 2]).add(tensor([-1.5, -1.5]));
  return { X: cat([a, b], 0), y: cat([ones([nPerClass, 1]), zeros([nPerClass, 1])], 0) };
}

describe('the blobs classifier trains', () => {
  it('reaches >= 97% held-out accuracy on cpu with Adam', () => {
    manualSeed(42);
    const train = blobs(200);
    const test = blobs(100);
    const model = mlp();
    const opt = new Adam(model.parameters(), { lr: 0.01 });
    const lossFn = new BCEWithLogitsLoss();
    let first = 0;
    let last = 0;
    for (let step = 0; step < 150; step++) {
      opt.zeroGrad();
      const loss = lossFn.forward(model.forward(train.X), train.y);
      loss.backward();
      opt.step();
      if (step === 0) first = loss.itemSync() as number;
      last = loss.itemSync() as number;
    }
    expect(last).toBeLessThan(first / 3);
    model.eval();
    const accuracy = model.forward(test.X).gt(0).eq(test.y.gt(0.5)).float().mean().itemSync() as number;
    expect(accuracy).toBeGreaterThanOrEqual(0.97);
  });
});
