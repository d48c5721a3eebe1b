import { manualSeed, ones, tensor, zeros } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { Dropout, Embedding, GELU, init, LayerNorm, Linear, Sigmoid, Softmax, Tanh } from '../src/index.js';
import { expectClose, type FixtureTensor, fixture, toTensor } from './helpers.js';

interface LayersFixture {
  layerNorm: Record<'x' | 'weight' | 'bias' | 'w' | 'out', FixtureTensor> &
    Record<'gradX' | 'gradWeight' | 'gradBias', number[]>;
  embedding: { weight: FixtureTensor; idx: FixtureTensor; w: FixtureTensor; grad: number[] };
}

const f = fixture<LayersFixture>('layers.json');

function stats(values: ArrayLike<number>): { mean: number; std: number; min: number; max: number } {
  let s = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    s += values[i]!;
    min = Math.min(min, values[i]!);
    max = Math.max(max, values[i]!);
  }
  const mean = s / values.length;
  let v = 0;
  for (let i = 0; i < values.length; i++) v += (values[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(v / values.length), min, max };
}

describe('layers', () => {
  it('LayerNorm matches PyTorch (output and all gradients)', () => {
    const ln = new LayerNorm(6);
    ln.loadStateDict({ weight: toTensor(f.layerNorm.weight), bias: toTensor(f.layerNorm.bias) });
    const x = toTensor(f.layerNorm.x, { requiresGrad: true });
    const y = ln.forward(x);
    expectClose(y.dataSync(), f.layerNorm.out.data as number[], 1e-5, 1e-5, 'out');
    y.mul(toTensor(f.layerNorm.w)).sum().backward();
    expectClose(x.grad!.dataSync(), f.layerNorm.gradX, 1e-4, 1e-5, 'grad x');
    expectClose(ln.weight!.grad!.dataSync(), f.layerNorm.gradWeight, 1e-5, 1e-5, 'grad weight');
    expectClose(ln.bias!.grad!.dataSync(), f.layerNorm.gradBias, 1e-5, 1e-5, 'grad bias');
  });

  it('Embedding: repeated indices accumulate and the padding row gets no gradient, as PyTorch', () => {
    const emb = new Embedding(5, 3, { paddingIdx: 1 });
    emb.loadStateDict({ weight: toTensor(f.embedding.weight) });
    const out = emb.forward(toTensor(f.embedding.idx));
    expect(out.shape).toEqual([2, 3, 3]);
    out.mul(toTensor(f.embedding.w)).sum().backward();
    expectClose(emb.weight.grad!.dataSync(), f.embedding.grad, 1e-6, 1e-6, 'grad');
    expect(() => emb.forward(tensor([5], { dtype: 'int32' }))).toThrow(
      /index 5 at position 0 is out of range for an embedding of 5 rows/,
    );
  });

  it('Embedding: a batch without the padding index skips the gradient mask (cpu), with the same gradients', () => {
    const emb = new Embedding(5, 3, { paddingIdx: 1 });
    emb.loadStateDict({ weight: toTensor(f.embedding.weight) });
    const idx = tensor(
      [
        [0, 2, 2],
        [4, 3, 0],
      ],
      { dtype: 'int32' },
    );
    const out = emb.forward(idx);
    expect(out.gradFn!.name).toBe('ViewBackward0'); // no WhereBackward0: nothing to mask
    out.sum().backward();
    // d sum / d weight[r] = (times r is picked) for every column
    const counts = [2, 0, 2, 1, 1];
    expect(Array.from(emb.weight.grad!.dataSync())).toEqual(counts.flatMap((c) => [c, c, c]));
    const withPad = emb.forward(tensor([[1, 2]], { dtype: 'int32' }));
    expect(withPad.gradFn!.name).toBe('WhereBackward0');
  });

  it('default initialisations follow PyTorch', () => {
    manualSeed(1);
    const lin = new Linear(256, 128);
    const w = stats(lin.weight.dataSync());
    const bound = 1 / 16;
    expect(w.min).toBeGreaterThanOrEqual(-bound);
    expect(w.max).toBeLessThan(bound);
    expect(w.std).toBeCloseTo(bound / Math.sqrt(3), 3); // uniform(-b, b) has std b/√3
    const emb = new Embedding(400, 50, { paddingIdx: 3 });
    const e = stats(emb.weight.dataSync());
    expect(e.mean).toBeCloseTo(0, 1);
    expect(e.std).toBeCloseTo(1, 1);
    expect(Array.from(emb.weight.select(0, 3).dataSync())).toEqual(new Array(50).fill(0));
    const ln = new LayerNorm([2, 3]);
    expect(Array.from(ln.weight!.dataSync())).toEqual([1, 1, 1, 1, 1, 1]);
    expect(Array.from(ln.bias!.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('init helpers write in place with the documented scales', () => {
    manualSeed(2);
    const t = zeros([300, 200]);
    const same = init.xavierUniform_(t);
    expect(same).toBe(t);
    const a = Math.sqrt(6 / 500);
    const s = stats(t.dataSync());
    expect(s.max).toBeLessThan(a);
    expect(s.std).toBeCloseTo(a / Math.sqrt(3), 3);
    init.kaimingNormal_(t, { nonlinearity: 'relu' });
    expect(stats(t.dataSync()).std).toBeCloseTo(Math.sqrt(2 / 200), 2);
    init.kaimingUniform_(t, { mode: 'fanOut', nonlinearity: 'relu' });
    expect(stats(t.dataSync()).max).toBeLessThan(Math.sqrt(6 / 300));
    init.normal_(t, 2, 0.5);
    expect(stats(t.dataSync()).mean).toBeCloseTo(2, 2);
    init.zeros_(t);
    expect(stats(t.dataSync()).max).toBe(0);
    init.constant_(t, 3);
    expect(stats(t.dataSync()).min).toBe(3);
    expect(init.calculateGain('tanh')).toBeCloseTo(5 / 3);
    expect(() => init.xavierUniform_(zeros([3]))).toThrow(/at least 2 dims/);
  });

  it('Dropout is seeded, scales kept values by 1/(1-p), and is the identity in eval mode', () => {
    const x = ones([1000]);
    const d = new Dropout(0.3);
    manualSeed(7);
    const a = d.forward(x).dataSync();
    manualSeed(7);
    const b = d.forward(x).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    const kept = Array.from(a).filter((v) => v !== 0);
    expect(kept.every((v) => Math.abs(v - 1 / 0.7) < 1e-6)).toBe(true);
    expect(kept.length / 1000).toBeGreaterThan(0.62);
    expect(kept.length / 1000).toBeLessThan(0.78);
    d.eval();
    expect(d.forward(x)).toBe(x);
    expect(() => new Dropout(1.5)).toThrow(/p must be a probability in \[0, 1\], got 1.5/);
  });

  it('activations', () => {
    const x = tensor([-1, 0, 2]);
    expect(new GELU().forward(x).dataSync()[2]).toBeCloseTo(1.9544997, 5);
    expect(new GELU({ approximate: 'tanh' }).forward(x).dataSync()[2]).toBeCloseTo(1.9545977, 5);
    expect(() => new GELU({ approximate: 'fast' as 'tanh' })).toThrow(/approximate must be 'none' or 'tanh'/);
    expect(new Tanh().forward(x).dataSync()[0]).toBeCloseTo(Math.tanh(-1), 6);
    expect(new Sigmoid().forward(x).dataSync()[1]).toBe(0.5);
    const s = new Softmax(-1).forward(x).dataSync();
    expect(s[0]! + s[1]! + s[2]!).toBeCloseTo(1, 6);
  });

  it('Linear rejects inputs of the wrong width, naming the shapes', () => {
    expect(() => new Linear(3, 2).forward(ones([4, 2]))).toThrow(/in_features 3.*\[4, 2\]/);
    expect(() => new Linear(0, 2)).toThrow(/inFeatures must be a positive integer, got 0/);
  });
});
