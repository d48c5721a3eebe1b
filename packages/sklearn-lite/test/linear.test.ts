import { LinearRegression, LogisticRegression, loadDigits, loadIris, Ridge } from '@lumen/sklearn-lite';
import { kernelArray, releaseKernelArray, resetWarnings, type Tensor, tensor } from '@lumen/tensor';
import { describe, expect, it, vi } from 'vitest';
import { binaryObjective, denseDesign, multinomialObjective } from '../src/linear_model/logistic.js';
import { expectClose, fixture } from './helpers.js';

const fx = fixture('linear');
const sets: Record<string, { X: number[][]; y: number[] }> = {
  diabetes: fx.diabetes,
  dup: { X: fx.dup.X, y: fx.diabetes.y },
  wide: fx.wide,
};

describe('LinearRegression and Ridge match scikit-learn 1.2.1', () => {
  for (const c of fx.cases) {
    const label = `${c.model}${c.alpha !== undefined ? `(alpha=${c.alpha})` : ''} on ${c.data}, fitIntercept=${c.fit_intercept}`;
    it(label, () => {
      const { X, y } = sets[c.data]!;
      const m =
        c.model === 'Ridge'
          ? new Ridge({ alpha: c.alpha, fitIntercept: c.fit_intercept }).fit(X, y)
          : new LinearRegression({ fitIntercept: c.fit_intercept }).fit(X, y);
      const scale = Math.max(...c.coef.map(Math.abs), 1);
      expectClose(m.coef_, c.coef, 1e-8 * scale);
      expect(Math.abs(m.intercept_ - c.intercept)).toBeLessThanOrEqual(
        1e-8 * Math.max(1, Math.abs(c.intercept)),
      );
      expect(Math.abs(m.score(X, y) - c.score)).toBeLessThanOrEqual(1e-10);
      expectClose(
        m.predict(X.slice(0, 5)),
        c.predict_head,
        1e-8 * Math.max(1, ...c.predict_head.map(Math.abs)),
      );
      if (m instanceof LinearRegression) {
        expect(m.rank_).toBe(c.rank);
        expectClose(m.singular_, c.singular, 1e-10 * c.singular[0]);
      }
    });
  }
  it('streams many row blocks (QR over 5,000 rows) to the same answer as one block', () => {
    const n = 5000;
    const X: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < n; i++) {
      const row = [Math.sin(i), Math.cos(i * 0.7), (i % 13) / 13, Math.sqrt(i)];
      X.push(row);
      y.push(3 * row[0]! - 2 * row[1]! + 0.5 * row[2]! + 0.01 * row[3]! + 4 + 0.001 * Math.sin(i * 3.1));
    }
    const m = new LinearRegression().fit(X, y);
    expectClose(m.coef_, [3, -2, 0.5, 0.01], 1e-3);
    expect(m.intercept_).toBeCloseTo(4, 2);
  });
  it('gives back the kernel memory predict holds X in, also when predict refuses X', () => {
    const { X, y } = sets.diabetes!;
    const lr = new LinearRegression().fit(X, y);
    const probe = kernelArray(1, Float64Array);
    const at = probe.byteOffset;
    releaseKernelArray(probe);
    expect(lr.predict(tensor(X, { dtype: 'float64' })).shape).toEqual([X.length]);
    expect(() => lr.predict([[1, 2]])).toThrow(/X has 2 features, but LinearRegression was fitted with 10/);
    const again = kernelArray(1, Float64Array);
    expect(again.byteOffset).toBe(at); // nothing left behind below it
    releaseKernelArray(again);
  });

  it('validates input', () => {
    expect(() => new LinearRegression().fit([[1], [2]], [1])).toThrow(
      /X and y must have the same number of samples, got 2 and 1/,
    );
    expect(() => new Ridge({ alpha: -1 }).fit([[1], [2]], [1, 2])).toThrow(
      /alpha must be a finite number >= 0, got number -1/,
    );
    expect(() => new LinearRegression().fit([[1], [2]], [1, Number.NaN])).toThrow(
      /y must contain only finite numbers, got NaN at index 1/,
    );
  });
});

/** scikit-learn's lbfgs objective Σ loss + ‖W‖²/(2C) at given coefficients. */
function objectiveAt(
  X: Tensor,
  y: Tensor,
  coef: number[][],
  intercept: number[],
  opts: { C: number; multiClass: string; fitIntercept: boolean },
): number {
  const A = denseDesign({ rows: X.shape[0]!, cols: X.shape[1]!, data: Float64Array.from(X.dataSync()) });
  const labels = Array.from(y.dataSync());
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  const yIdx = Int32Array.from(labels, (v) => classes.indexOf(v));
  const K = classes.length;
  const d = A.d;
  const g = new Float64Array(K * d + K);
  if (coef.length === 1) {
    const x = Float64Array.from([...coef[0]!, intercept[0]!]);
    return binaryObjective(A, Float64Array.from(yIdx), 1 / opts.C, opts.fitIntercept)(x, g);
  }
  if (opts.multiClass === 'ovr') {
    let total = 0;
    for (let c = 0; c < K; c++) {
      const x = Float64Array.from([...coef[c]!, intercept[c]!]);
      total += binaryObjective(
        A,
        Float64Array.from(yIdx, (v) => (v === c ? 1 : 0)),
        1 / opts.C,
        opts.fitIntercept,
      )(x, g);
    }
    return total;
  }
  const x = Float64Array.from([...coef.flat(), ...(opts.fitIntercept ? intercept : [])]);
  return multinomialObjective(A, yIdx, K, 1 / opts.C, opts.fitIntercept)(x, g);
}

describe('LogisticRegression (lbfgs) matches scikit-learn 1.2.1', () => {
  const iris = loadIris();
  const digits = loadDigits();
  const digits16 = digits.data.div(16);
  const t = digits.target.dataSync();
  const keep = Array.from(t.keys()).filter((i) => t[i] === 3 || t[i] === 8);
  const idx = tensor(Int32Array.from(keep), { dtype: 'int32' });
  const data: Record<string, [ReturnType<typeof tensor>, ReturnType<typeof tensor>]> = {
    iris: [iris.data, iris.target],
    digits38: [digits16.indexSelect(0, idx), digits.target.indexSelect(0, idx)],
    digits: [digits16, digits.target],
  };
  for (const c of fx.logistic) {
    it(`${c.name}: the optimum (tight tol) and default-settings predictions`, () => {
      const [X, y] = data[c.name.split('_')[0]!]!;
      const opts = {
        C: c.kwargs.C ?? 1,
        multiClass: c.kwargs.multi_class ?? 'auto',
        fitIntercept: c.kwargs.fit_intercept ?? true,
      };
      const m = new LogisticRegression({ ...opts, tol: 1e-10, maxIter: 20000 }).fit(X, y);
      // Both fits stop on scipy's rules (max |gradient| <= tol or a relative decrease of f below
      // factr·eps), so neither is the exact optimum and on flat, badly scaled problems (raw iris,
      // 650 digits parameters) the stopping points differ along near-flat directions: the
      // objectives must agree to 1e-7 (relative) and the coefficients land next to each other.
      const ours = objectiveAt(
        X,
        y,
        m.coef_.arraySync() as number[][],
        Array.from(m.intercept_.dataSync()),
        opts,
      );
      const theirs = objectiveAt(X, y, c.coef, c.intercept, opts);
      expect(ours).toBeLessThanOrEqual(theirs + 1e-7 * Math.abs(theirs));
      const scale = Math.max(1, ...c.coef.flat().map(Math.abs));
      expectClose(m.coef_, c.coef, 1e-2 * scale);
      expectClose(m.intercept_, c.intercept, 1e-2 * scale);
      expectClose(m.predictProba(X.slice(0, 0, 5)), c.proba_head, 1e-3);
      const agreeTight = Array.from(m.predict(X).dataSync()).filter((v, i) => v === c.predict[i]).length;
      expect(agreeTight).toBeGreaterThanOrEqual(c.predict.length - 1);
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const d = new LogisticRegression(opts).fit(X, y);
      warn.mockRestore();
      const agree = Array.from(d.predict(X).dataSync()).filter((v, i) => v === c.default_predict[i]).length;
      expect(agree / c.default_predict.length).toBeGreaterThanOrEqual(0.99);
      expect(Math.abs(d.score(X, y) - c.default_score)).toBeLessThanOrEqual(0.01);
    });
  }
  it('warns when lbfgs stops at maxIter, validates labels', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    // the default filter shows a message once per place, and the fits above gave this one already
    // (pytest.warns resets the registry the same way)
    resetWarnings();
    new LogisticRegression({ maxIter: 2 }).fit(iris.data, iris.target);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/lbfgs failed to converge/));
    // and only once in a loop of fits, as Python's default filter
    for (let i = 0; i < 3; i++) new LogisticRegression({ maxIter: 2 }).fit(iris.data, iris.target);
    expect(warn.mock.calls.filter(([m]) => /lbfgs failed to converge/.test(String(m)))).toHaveLength(1);
    warn.mockRestore();
    expect(() => new LogisticRegression().fit([[1], [2]], [1, 1])).toThrow(
      /at least 2 classes in the data, but the data contains only one class: 1/,
    );
    expect(new LogisticRegression().fit(iris.data, iris.target).classes_.dtype).toBe('int32');
  });
});
