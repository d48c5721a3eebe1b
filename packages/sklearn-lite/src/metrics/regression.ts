import { checkOptions } from '@lumen/tensor';
import { fail } from '../base/errors.js';
import { optionKeys } from '../base/estimator.js';
import { checkSameLength, toVector, type VectorLike } from '../base/input.js';

function pair(op: string, yTrue: VectorLike, yPred: VectorLike): [Float64Array, Float64Array] {
  const t = toVector(op, 'yTrue', yTrue);
  const p = toVector(op, 'yPred', yPred);
  checkSameLength(op, ['yTrue', 'yPred'], t, p);
  if (t.length === 0) fail(op, 'yTrue and yPred are empty');
  return [t, p];
}

/** Mean of squared errors; `squared: false` gives its square root (RMSE), as scikit-learn 1.2. */
export function meanSquaredError(
  yTrue: VectorLike,
  yPred: VectorLike,
  opts: { squared?: boolean } = {},
): number {
  checkOptions('meanSquaredError', opts, optionKeys<typeof opts>({ squared: true }));
  const [t, p] = pair('meanSquaredError', yTrue, yPred);
  let s = 0;
  for (let i = 0; i < t.length; i++) s += (t[i]! - p[i]!) ** 2;
  const mse = s / t.length;
  return opts.squared === false ? Math.sqrt(mse) : mse;
}

export function meanAbsoluteError(yTrue: VectorLike, yPred: VectorLike): number {
  const [t, p] = pair('meanAbsoluteError', yTrue, yPred);
  let s = 0;
  for (let i = 0; i < t.length; i++) s += Math.abs(t[i]! - p[i]!);
  return s / t.length;
}

/** Coefficient of determination 1 - SS_res / SS_tot (1 for a perfect fit of constant data, else 0 there). */
export function r2Score(yTrue: VectorLike, yPred: VectorLike): number {
  const [t, p] = pair('r2Score', yTrue, yPred);
  if (t.length < 2) fail('r2Score', `R^2 is not well-defined with less than two samples, got ${t.length}`);
  let mean = 0;
  for (const v of t) mean += v;
  mean /= t.length;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < t.length; i++) {
    ssRes += (t[i]! - p[i]!) ** 2;
    ssTot += (t[i]! - mean) ** 2;
  }
  if (ssTot === 0) return ssRes === 0 ? 1 : 0;
  return 1 - ssRes / ssTot;
}
