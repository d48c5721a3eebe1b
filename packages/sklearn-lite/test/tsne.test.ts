import { loadDigits, TSNE, trustworthiness } from '@lumen/sklearn-lite';
import { describe, expect, it } from 'vitest';
import { fixture } from './helpers.js';

const fx = fixture('tsne');
const digits = loadDigits().data;

describe('trustworthiness matches scikit-learn 1.2.1', () => {
  it('to 1e-12 for 5 and 10 neighbours', () => {
    expect(Math.abs(trustworthiness(fx.trust.X, fx.trust.E) - fx.trust.t5)).toBeLessThanOrEqual(1e-12);
    expect(
      Math.abs(trustworthiness(fx.trust.X, fx.trust.E, { nNeighbors: 10 }) - fx.trust.t10),
    ).toBeLessThanOrEqual(1e-12);
    expect(() => trustworthiness(fx.trust.X, fx.trust.E, { nNeighbors: 80 })).toThrow(
      /nNeighbors \(80\) should be less than nSamples \/ 2 \(75\)/,
    );
  });
});

describe('TSNE reaches scikit-learn 1.2.1 quality on digits', () => {
  for (const [name, ref] of Object.entries<{
    n: number;
    method: 'exact' | 'barnes_hut';
    trustworthiness: number;
    kl: number;
  }>(fx.runs)) {
    it(`${name}: trustworthiness within 0.02, KL divergence close`, () => {
      const X = digits.slice(0, 0, ref.n);
      const t = new TSNE({ method: ref.method, randomState: 0 });
      const emb = t.fitTransform(X);
      expect(emb.shape).toEqual([ref.n, 2]);
      expect(Math.abs(trustworthiness(X, emb) - ref.trustworthiness)).toBeLessThanOrEqual(0.02);
      expect(t.klDivergence_).toBeLessThanOrEqual(ref.kl * 1.15);
      expect(t.nIter_).toBe(999);
    }, 240_000);
  }
});

describe('TSNE options', () => {
  const X = digits.slice(0, 0, 200);
  it('onIteration reports every step, with KL every 50 and the phases; returning false stops', () => {
    const seen: { iteration: number; phase: string; kl: number | null }[] = [];
    const t = new TSNE({
      maxIter: 300,
      randomState: 1,
      onIteration: (p) => void seen.push({ iteration: p.iteration, phase: p.phase, kl: p.klDivergence }),
    }).fit(X);
    expect(seen.length).toBe(300);
    expect(seen[249]!.phase).toBe('exaggeration');
    expect(seen[250]!.phase).toBe('main');
    expect(seen.filter((s) => s.kl !== null).map((s) => s.iteration)).toEqual([49, 99, 149, 199, 249, 299]);
    expect(t.klDivergence_).toBe(seen[299]!.kl);
    let calls = 0;
    const early = new TSNE({
      randomState: 1,
      onIteration: (p) => {
        calls++;
        return p.iteration < 9;
      },
    }).fit(X);
    expect(calls).toBe(10);
    expect(early.nIter_).toBe(9);
  });
  it("is deterministic under randomState; 'random' init and learningRate 'auto'", () => {
    const a = new TSNE({ maxIter: 250, randomState: 5, init: 'random' }).fitTransform(X).arraySync();
    const b = new TSNE({ maxIter: 250, randomState: 5, init: 'random' }).fitTransform(X).arraySync();
    expect(a).toEqual(b);
    expect(new TSNE({ maxIter: 250, randomState: 5 }).fit(X).learningRate_).toBe(50);
  });
  it('validates options', () => {
    expect(() => new TSNE({ perplexity: 500 }).fit(X)).toThrow(
      /perplexity \(500\) must be less than nSamples \(200\)/,
    );
    expect(() => new TSNE({ maxIter: 100 }).fit(X)).toThrow(/maxIter must be an integer >= 250/);
    expect(() => new TSNE({ nComponents: 4 }).fit(X)).toThrow(
      /nComponents should be inferior to 4 for the barnes_hut algorithm/,
    );
  });
});
