import { describe, expect, it } from 'vitest';
import { FRAUD_POSITIVES, FRAUD_ROWS, syntheticFraudTable } from '../src/data/fraud.ts';
import { loadMnist } from '../src/data/mnist.ts';
import { readFixture } from '../src/lib/fixtures.ts';

describe('demo data', () => {
  it('mnist: 10,000 digits interleaved by class, with the counts scikit-learn saw', () => {
    const ref = readFixture<{ n: number; label_counts: number[] }>('mnist-pca.json');
    const { pixels, labels, n } = loadMnist();
    expect(n).toBe(ref.n);
    expect(pixels.length).toBe(n * 784);
    expect([...labels.subarray(0, 12)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    const counts = new Array(10).fill(0);
    for (const d of labels) counts[d]++;
    expect(counts).toEqual(ref.label_counts);
    expect(pixels.reduce((a, b) => Math.min(a, b))).toBe(0);
    expect(pixels.reduce((a, b) => Math.max(a, b))).toBe(1);
  });

  it("fraud: the real table's columns and fraud rate, the same table for the same seed", () => {
    const df = syntheticFraudTable(20_000, 7);
    expect(df.columns).toEqual([
      'Time',
      ...Array.from({ length: 28 }, (_, i) => `V${i + 1}`),
      'Amount',
      'Class',
    ]);
    expect(Number(df.col('Class').sum())).toBe(Math.round((20_000 * FRAUD_POSITIVES) / FRAUD_ROWS)); // 0.17%
    expect(df.col('Time').min()).toBe(0);
    expect(df.col('Time').max()).toBe(172_792);
    expect(Number(df.col('Amount').min())).toBeGreaterThan(0);
    expect(Number(df.col('V1').std())).toBeCloseTo(1.96, 1);
    expect(Number(df.col('V28').std())).toBeCloseTo(0.33, 1);
    expect(syntheticFraudTable(20_000, 7).toCsv()).toBe(df.toCsv());
    expect(syntheticFraudTable(20_000, 8).toCsv()).not.toBe(df.toCsv());
  });
});
