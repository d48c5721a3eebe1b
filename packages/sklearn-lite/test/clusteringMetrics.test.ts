import { tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import {
  adjustedRandScore,
  completenessScore,
  fowlkesMallowsScore,
  homogeneityCompletenessVMeasure,
  homogeneityScore,
  mutualInfoScore,
  normalizedMutualInfoScore,
  randScore,
  vMeasureScore,
} from '../src/index.js';
import { fixture } from './helpers.js';

// scikit-learn 1.2.1: scripts/gen-fixtures.py clustering_metrics
const fx = fixture<{ cases: Record<string, number | (number | string)[] | string>[] }>('clustering_metrics');

describe('clustering metrics match scikit-learn to 1e-12', () => {
  for (const c of fx.cases) {
    it(c.name as string, () => {
      const a = c.a as number[];
      const b = c.b as number[];
      const close = (got: number, want: unknown) =>
        expect(Math.abs(got - (want as number))).toBeLessThanOrEqual(1e-12);
      close(adjustedRandScore(a, b), c.ari);
      close(randScore(a, b), c.rand);
      close(homogeneityScore(a, b), c.homogeneity);
      close(completenessScore(a, b), c.completeness);
      close(vMeasureScore(a, b), c.v_measure);
      close(vMeasureScore(a, b, { beta: 2 }), c.v_measure_beta2);
      close(mutualInfoScore(a, b), c.mutual_info);
      close(fowlkesMallowsScore(a, b), c.fowlkes_mallows);
      close(normalizedMutualInfoScore(a, b), c.nmi_arithmetic);
      for (const m of ['arithmetic', 'geometric', 'min', 'max'] as const)
        close(normalizedMutualInfoScore(a, b, { averageMethod: m }), c[`nmi_${m}`]);
    });
  }

  it('accepts Tensors and relabelled partitions score 1', () => {
    expect(adjustedRandScore(tensor([0, 0, 1, 1]), ['b', 'b', 'a', 'a'] as never)).toBe(1);
    const h = homogeneityCompletenessVMeasure(['x', 'x', 'y'], ['p', 'q', 'q']);
    expect(h.homogeneity).toBeGreaterThan(0);
  });

  it('errors name the argument', () => {
    expect(() => adjustedRandScore([0, 1], [0])).toThrow(
      /labelsTrue and labelsPred must have the same number of samples, got 2 and 1/,
    );
    expect(() => normalizedMutualInfoScore([0], [0], { averageMethod: 'mean' as 'min' })).toThrow(
      /averageMethod must be one of 'arithmetic', 'geometric', 'min', 'max', got "mean"/,
    );
    expect(() => normalizedMutualInfoScore([0], [0], { average_method: 'min' } as never)).toThrow(
      /unknown option "average_method"/,
    );
  });
});
