import { IsolationForest, loadDigits, makeClassification, rocAucScore } from '@lumen/sklearn-lite';
import { tensor } from '@lumen/tensor';
import { describe, expect, it, vi } from 'vitest';
import { averagePathLength } from '../src/ensemble/isolationTree.js';
import { fixture } from './helpers.js';

const fx = fixture('iforest');

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s / a.length;
}

describe('IsolationForest matches scikit-learn 1.2.1', () => {
  it("c(n), the average path length, is scikit-learn's", () => {
    for (const [n, c] of Object.entries<number>(fx.c))
      expect(Math.abs(averagePathLength(Number(n)) - c)).toBeLessThanOrEqual(1e-12);
  });

  it('ROC-AUC on data with known (overlapping) outliers within 0.03 of scikit-learn; score and offset distributions agree', () => {
    const aucs: number[] = [];
    const means: number[] = [];
    const offsets: number[] = [];
    for (let seed = 0; seed < 5; seed++) {
      const f = new IsolationForest({ randomState: seed }).fit(fx.X);
      const s = f.scoreSamples(fx.X);
      aucs.push(rocAucScore(fx.is_outlier, s.neg()));
      means.push(mean(s.dataSync()));
      offsets.push(new IsolationForest({ contamination: 0.03, randomState: seed }).fit(fx.X).offset_);
    }
    expect(Math.abs(mean(aucs) - fx.auc)).toBeLessThanOrEqual(0.03);
    expect(Math.abs(mean(means) - fx.mean_score)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(mean(offsets) - fx.offset_003)).toBeLessThanOrEqual(0.01);
  });

  it('finds odd digits among zeros as well as scikit-learn does', () => {
    const digits = loadDigits();
    const t = digits.target.dataSync();
    const zeros = Array.from(t.keys()).filter((i) => t[i] === 0);
    const ones = Array.from(t.keys())
      .filter((i) => t[i] === 1)
      .slice(0, 9);
    const X = digits.data.indexSelect(0, tensor(Int32Array.from([...zeros, ...ones]), { dtype: 'int32' }));
    const y = [...zeros.map(() => 0), ...ones.map(() => 1)];
    const aucs = [0, 1, 2, 3, 4].map((s) =>
      rocAucScore(y, new IsolationForest({ randomState: s }).fit(X).scoreSamples(X).neg()),
    );
    expect(Math.abs(mean(aucs) - fx.digits_auc)).toBeLessThanOrEqual(0.03);
  });
});

describe('IsolationForest behaviour', () => {
  it('contamination 0.01 on a fraud-shaped table flags about 1% (fitPredict gives 1 / -1)', () => {
    const { X, y } = makeClassification({
      nSamples: 5000,
      nFeatures: 30,
      nInformative: 6,
      weights: [0.99],
      flipY: 0,
      classSep: 2,
      randomState: 7,
    });
    const f = new IsolationForest({ contamination: 0.01, randomState: 0 });
    const pred = f.fitPredict(X).dataSync();
    expect(new Set(pred)).toEqual(new Set([1, -1]));
    const flagged = Array.from(pred).filter((v) => v === -1).length;
    expect(flagged).toBeGreaterThanOrEqual(45);
    expect(flagged).toBeLessThanOrEqual(55);
    // decisionFunction = scoreSamples - offset_, and its sign is predict
    const dec = f.decisionFunction(X).dataSync();
    const sc = f.scoreSamples(X).dataSync();
    for (let i = 0; i < 50; i++) {
      expect(dec[i]).toBeCloseTo(sc[i]! - f.offset_, 12);
      expect(pred[i]).toBe(dec[i]! < 0 ? -1 : 1);
    }
    expect(y.shape).toEqual([5000]);
  });
  it("'auto' contamination uses offset -0.5; maxSamples options", () => {
    const X = makeClassification({ nSamples: 300, nFeatures: 5, randomState: 1 }).X;
    const f = new IsolationForest({ randomState: 0 }).fit(X);
    expect(f.offset_).toBe(-0.5);
    expect(f.maxSamples_).toBe(256);
    expect(new IsolationForest({ maxSamples: 0.5, randomState: 0 }).fit(X).maxSamples_).toBe(150);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(new IsolationForest({ maxSamples: 1000, randomState: 0 }).fit(X).maxSamples_).toBe(300);
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/maxSamples \(1000\) is greater than the total number of samples \(300\)/),
    );
    warn.mockRestore();
    const s = f.scoreSamples(X).dataSync();
    for (const v of s) {
      expect(v).toBeLessThanOrEqual(0);
      expect(v).toBeGreaterThanOrEqual(-1);
    }
    expect(() => new IsolationForest({ contamination: 0.7 }).fit(X)).toThrow(
      /contamination must be a finite number > 0 and <= 0.5, got number 0.7/,
    );
    expect(() => new IsolationForest({ maxSamples: -3 }).fit(X)).toThrow(
      /maxSamples must be 'auto', an integer >= 1 or a fraction in \(0, 1\], got number -3/,
    );
  });
});
