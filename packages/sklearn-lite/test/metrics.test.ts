import {
  accuracyScore,
  classificationReport,
  confusionMatrix,
  f1Score,
  loadIris,
  meanAbsoluteError,
  meanSquaredError,
  precisionRecallFscoreSupport,
  precisionScore,
  r2Score,
  recallScore,
  rocAucScore,
  rocCurve,
  silhouetteScore,
} from '@lumen/sklearn-lite';
import { tensor } from '@lumen/tensor';
import { describe, expect, it, vi } from 'vitest';
import { formatFixed } from '../src/metrics/pyFormat.js';
import { expectClose, fixture } from './helpers.js';

const fx = fixture('metrics');

describe('classification metrics match scikit-learn 1.2.1', () => {
  for (const c of fx.cases) {
    describe(c.name, () => {
      it('accuracy and confusion matrix', () => {
        expect(accuracyScore(c.y_true, c.y_pred)).toBe(c.accuracy);
        expect(accuracyScore(c.y_true, c.y_pred, { normalize: false })).toBe(c.accuracy_count);
        const cm = confusionMatrix(c.y_true, c.y_pred);
        expect(cm.dtype).toBe('int32');
        expect(cm.arraySync()).toEqual(c.confusion_matrix);
        for (const norm of ['true', 'pred', 'all'] as const) {
          expectClose(
            confusionMatrix(c.y_true, c.y_pred, { normalize: norm }),
            c[`confusion_matrix_${norm}`],
            1e-15,
          );
        }
      });
      it('precision, recall, F1 for every average and zeroDivision', () => {
        const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
        for (const r of c.prf) {
          const opts = { average: r.average, zeroDivision: r.zero_division };
          const got = precisionRecallFscoreSupport(c.y_true, c.y_pred, opts);
          for (const [key, want] of [
            ['precision', r.precision],
            ['recall', r.recall],
            ['fScore', r.f1],
          ] as const) {
            const v = got[key];
            if (typeof want === 'number') expect(Math.abs((v as number) - want)).toBeLessThanOrEqual(1e-12);
            else expectClose(v as Float64Array, want, 1e-12);
          }
          const p = precisionScore(c.y_true, c.y_pred, opts);
          const rc = recallScore(c.y_true, c.y_pred, opts);
          const f = f1Score(c.y_true, c.y_pred, opts);
          if (typeof r.precision === 'number') {
            expect(Math.abs((p as number) - r.precision)).toBeLessThanOrEqual(1e-12);
            expect(Math.abs((rc as number) - r.recall)).toBeLessThanOrEqual(1e-12);
            expect(Math.abs((f as number) - r.f1)).toBeLessThanOrEqual(1e-12);
          } else {
            expectClose(f as never, r.f1, 1e-12);
          }
        }
        warn.mockRestore();
      });
      it('classificationReport text is byte-identical, and outputDict matches', () => {
        const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
        expect(classificationReport(c.y_true, c.y_pred)).toBe(c.report2);
        expect(classificationReport(c.y_true, c.y_pred, { digits: 4 })).toBe(c.report4);
        const dict = classificationReport(c.y_true, c.y_pred, { outputDict: true });
        expect(Object.keys(dict)).toEqual(Object.keys(c.report_dict));
        for (const [k, v] of Object.entries(c.report_dict)) {
          if (typeof v === 'number') expect(Math.abs((dict[k] as number) - v)).toBeLessThanOrEqual(1e-12);
          else
            for (const [m, x] of Object.entries(v as Record<string, number>))
              expect(Math.abs((dict[k] as unknown as Record<string, number>)[m]! - x)).toBeLessThanOrEqual(
                1e-12,
              );
        }
        if (c.report_names)
          expect(
            classificationReport(c.y_true, c.y_pred, { targetNames: ['A', 'B', 'a much longer class name'] }),
          ).toBe(c.report_names);
        if (c.report_labels)
          expect(classificationReport(c.y_true, c.y_pred, { labels: [0, 1, 2, 3] })).toBe(c.report_labels);
        if (c.report_zd1)
          expect(classificationReport(c.y_true, c.y_pred, { zeroDivision: 1, digits: 3 })).toBe(c.report_zd1);
        warn.mockRestore();
      });
    });
  }

  it('accepts Tensors as labels', () => {
    const c = fx.cases[1];
    expect(
      classificationReport(tensor(c.y_true, { dtype: 'int32' }), tensor(c.y_pred, { dtype: 'float64' })),
    ).toBe(c.report2);
  });

  it('rejects bad input with messages that name the argument', () => {
    expect(() => accuracyScore([1, 2], [1])).toThrow(
      /yTrue and yPred must have the same number of samples, got 2 and 1/,
    );
    expect(() => f1Score([0, 1, 2], [0, 1, 2])).toThrow(/multiclass but average='binary'/);
    expect(() => f1Score([0, 1], [0, 1], { average: 'mean' as never })).toThrow(/average must be one of/);
    expect(() => precisionScore([0, 1], ['a', 'b'])).toThrow(/both hold numbers or both hold strings/);
    expect(() => classificationReport([0, 1], [0, 1], { targetNames: ['a'] })).toThrow(
      /number of classes, 2, does not match size of targetNames, 1/,
    );
  });
});

describe('Python float formatting', () => {
  it('rounds exact ties to even like format(x, ".2f")', () => {
    expect(formatFixed(0.125, 2)).toBe('0.12');
    expect(formatFixed(0.375, 2)).toBe('0.38');
    expect(formatFixed(0.625, 2)).toBe('0.62');
    expect(formatFixed(0.875, 2)).toBe('0.88');
    expect(formatFixed(0.3125, 3)).toBe('0.312');
    expect(formatFixed(2.675, 2)).toBe('2.67'); // 2.675 is really 2.67499999…
    expect(formatFixed(0.5, 0)).toBe('0');
    expect(formatFixed(1.5, 0)).toBe('2');
    expect(formatFixed(1 / 3, 4)).toBe('0.3333');
  });
});

describe('ranking metrics', () => {
  const r = fx.ranking;
  it('rocCurve matches roc_curve (with and without dropIntermediate)', () => {
    const c = rocCurve(r.y_true, r.score);
    expectClose(c.fpr, r.fpr, 1e-15);
    expectClose(c.tpr, r.tpr, 1e-15);
    expectClose(c.thresholds, r.thresholds, 1e-15);
    const all = rocCurve(r.y_true, r.score, { dropIntermediate: false });
    expectClose(all.fpr, r.fpr_all, 1e-15);
    expectClose(all.thresholds, r.thresholds_all, 1e-15);
  });
  it('rocAucScore matches binary and one-vs-rest', () => {
    expect(Math.abs(rocAucScore(r.y_true, r.score) - r.auc)).toBeLessThanOrEqual(1e-12);
    expect(
      Math.abs(
        rocAucScore(
          r.y_true.map((v: number) => 2 * v - 1),
          r.score,
        ) - r.auc_pm1,
      ),
    ).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(rocAucScore(r.y3, r.proba, { multiClass: 'ovr' }) - r.auc_ovr_macro)).toBeLessThanOrEqual(
      1e-12,
    );
    expect(
      Math.abs(rocAucScore(r.y3, r.proba, { multiClass: 'ovr', average: 'weighted' }) - r.auc_ovr_weighted),
    ).toBeLessThanOrEqual(1e-12);
    expect(() => rocAucScore([1, 1, 1], [0.1, 0.2, 0.3])).toThrow(/only one class present/);
    expect(() => rocAucScore(r.y3, r.proba)).toThrow(/multiClass: 'ovr'/);
  });
});

describe('regression and clustering metrics', () => {
  it('match scikit-learn to 1e-12', () => {
    const g = fx.regression;
    expect(Math.abs(meanSquaredError(g.y_true, g.y_pred) - g.mse)).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(meanSquaredError(g.y_true, g.y_pred, { squared: false }) - g.rmse)).toBeLessThanOrEqual(
      1e-12,
    );
    expect(Math.abs(meanAbsoluteError(g.y_true, g.y_pred) - g.mae)).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(r2Score(g.y_true, g.y_pred) - g.r2)).toBeLessThanOrEqual(1e-12);
    expect(r2Score([1, 1], [1, 1])).toBe(1);
    const iris = loadIris();
    expect(Math.abs(silhouetteScore(iris.data, iris.target) - fx.silhouette.iris)).toBeLessThanOrEqual(1e-12);
    const names = Array.from(iris.target.dataSync(), (t) => iris.targetNames[t]!);
    expect(Math.abs(silhouetteScore(iris.data, names) - fx.silhouette.iris_strings)).toBeLessThanOrEqual(
      1e-12,
    );
  });
});
