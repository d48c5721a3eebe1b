import { noGrad } from '@lumen/autograd';
import { type Device, initWebGPU, manualSeed, randn, type Tensor, tensor, tidy } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { describeDevices, webgpuReady } from '../../../test-support/webgpu.ts';
import { Adam, AdamW, init, Linear, type Optimizer, ReLU, Sequential, SGD } from '../src/index.js';
import { expectClose } from './helpers.js';

/**
 * Parameters are written in place (tensor's copy_, adamStep, sgdStep) on every device: they keep
 * their identity across optimizer steps, loadStateDict and init helpers, and their version counts
 * the writes, as PyTorch's _version does.
 */
const ready = await webgpuReady('nn/test/inPlace.test.ts', initWebGPU);

const OPTIMIZERS: Record<string, (p: Tensor[]) => Optimizer<object, object>> = {
  adam: (p) => new Adam(p, { lr: 0.01 }),
  adamAmsgradL2Maximize: (p) =>
    new Adam(p, { lr: 0.02, betas: [0.8, 0.99], weightDecay: 0.1, amsgrad: true, maximize: true }),
  adamw: (p) => new AdamW(p, { lr: 0.01, weightDecay: 0.05 }),
  sgd: (p) => new SGD(p, { lr: 0.1 }),
  sgdMomentumDampening: (p) => new SGD(p, { lr: 0.1, momentum: 0.9, dampening: 0.2, weightDecay: 0.01 }),
  sgdNesterovMaximize: (p) =>
    new SGD(p, { lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.001, maximize: true }),
};

const values = async (t: Tensor) => Array.from(await t.data());

/** Three steps of `make` on a fresh [3, 4] parameter with seeded gradients; returns what it saw. */
async function threeSteps(device: Device, make: (p: Tensor[]) => Optimizer<object, object>) {
  manualSeed(7);
  const p = randn([3, 4]).to(device);
  p.requiresGrad = true;
  const grads = [0, 1, 2].map(() => randn([3, 4]).to(device));
  const opt = make([p]);
  const versions = [p.version];
  let firstState: unknown[] = [];
  for (const [i, g] of grads.entries()) {
    p.grad = g;
    opt.step();
    versions.push(p.version);
    const tensors = Object.values(opt.state.get(p)!).filter((v) => typeof v === 'object' && v !== null);
    if (i === 0) firstState = tensors;
    else
      tensors.forEach((t, k) => {
        expect(t, `state tensor ${k} keeps its identity`).toBe(firstState[k]);
      });
  }
  expect(opt.paramGroups[0]!.params[0]).toBe(p);
  return { p, versions, values: await values(p) };
}

describeDevices(ready, 'optimizers update parameters in place on %s', (device) => {
  for (const [name, make] of Object.entries(OPTIMIZERS)) {
    it(`${name}: the same tensor, one version per step, state kept${device === 'cpu' ? '' : ', values equal cpu'}`, async () => {
      const r = await threeSteps(device, make);
      expect(r.versions.slice(1).map((v, i) => v - r.versions[i]!)).toEqual([1, 1, 1]);
      if (device !== 'cpu') expectClose(r.values, (await threeSteps('cpu', make)).values, 1e-5, 1e-6, name);
    });
  }

  it('a model keeps its parameter objects through training steps', async () => {
    manualSeed(1);
    const model = new Sequential(new Linear(2, 4), new ReLU(), new Linear(4, 1)).to(device);
    const before = model.parameters();
    const opt = new Adam(model.parameters(), { lr: 0.1 });
    const x = randn([8, 2]).to(device);
    const start = await values(before[0]!);
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      model.forward(x).square().mean().backward();
      opt.step();
    }
    const after = model.parameters();
    after.forEach((p, i) => {
      expect(p).toBe(before[i]);
      expect(p.version).toBe(3);
    });
    expect(await values(after[0]!)).not.toEqual(start);
  });

  it('step() inside a caller tidy() keeps the optimizer state alive', async () => {
    const p = randn([5]).to(device);
    p.requiresGrad = true;
    const opt = new Adam([p], { lr: 0.1, amsgrad: true });
    for (let i = 0; i < 2; i++) {
      tidy(() => {
        p.grad = p.mul(2).detach();
        opt.step();
      });
    }
    const s = opt.state.get(p)!;
    expect(s.step).toBe(2);
    for (const t of [s.expAvg, s.expAvgSq, s.maxExpAvgSq!]) expect(t.isDisposed).toBe(false);
  });

  it('reads a gradient set by hand in another dtype or a transposed layout', async () => {
    const p = tensor([[1, 2, 3]]).to(device);
    p.requiresGrad = true;
    const opt = new SGD([p], { lr: 0.5 });
    p.grad = tensor([[2], [4], [6]]).to(device).T;
    opt.step();
    expect(await values(p)).toEqual([0, 0, 0]);
    if (device === 'cpu') {
      p.grad = tensor([[2, 2, 2]], { dtype: 'float64' });
      opt.step();
      expect(await values(p)).toEqual([-1, -1, -1]);
    }
  });

  it('loadStateDict copies into the existing parameters (optimizers made before keep working)', async () => {
    manualSeed(2);
    const model = new Linear(3, 2).to(device);
    const w = model.weight;
    const opt = new SGD(model.parameters(), { lr: 1 });
    const source = new Linear(3, 2, { dtype: 'float64' });
    model.loadStateDict(source.stateDict());
    expect(model.weight).toBe(w);
    expect(w.version).toBe(1);
    expect(w.dtype).toBe('float32');
    expectClose(await values(w), source.weight.dataSync(), 1e-6, 1e-7, 'loaded weight');
    w.grad = tensor([
      [1, 1, 1],
      [1, 1, 1],
    ]).to(device);
    opt.step();
    expectClose(
      await values(model.weight),
      Array.from(source.weight.dataSync(), (v) => v - 1),
      1e-6,
      1e-6,
      'stepped weight',
    );
  });

  it('init helpers write in place and draw the same values as on cpu', async () => {
    const t = randn([4, 6]).to(device);
    const version = t.version;
    expect(init.constant_(t, 0.5)).toBe(t);
    expect(await values(t)).toEqual(new Array(24).fill(0.5));
    const ref = randn([4, 6]);
    manualSeed(11);
    init.kaimingUniform_(t, { nonlinearity: 'relu' });
    manualSeed(11);
    init.kaimingUniform_(ref, { nonlinearity: 'relu' });
    expectClose(await values(t), ref.dataSync(), 1e-6, 1e-7, 'kaimingUniform_');
    init.zeros_(t);
    expect(await values(t)).toEqual(new Array(24).fill(0));
    expect(t.version).toBe(version + 3);
  });

  it('init helpers work on parameters in grad mode (they write under noGrad); a bare copy_ does not', () => {
    const lin = new Linear(2, 2).to(device);
    expect(() => init.ones_(lin.weight)).not.toThrow();
    expect(() => noGrad(() => lin.weight.copy_(0))).not.toThrow();
    expect(() => lin.weight.copy_(0)).toThrow(/requires grad and grad mode is on/);
  });
});

describe('an optimizer step between forward and backward', () => {
  it("makes backward throw PyTorch's in-place error instead of giving wrong gradients", () => {
    manualSeed(0);
    const model = new Sequential(new Linear(2, 3), new ReLU(), new Linear(3, 1));
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    const x = randn([4, 2]);
    model.forward(x).sum().backward();
    const loss = model.forward(x).sum();
    opt.step();
    expect(() => loss.backward()).toThrow(
      /one of the variables needed for gradient computation has been modified by an inplace operation: \[float32 \[3, 1\]\] \(input 2 of AddmmBackward0\) is at version 1; expected version 0/,
    );
  });
});
