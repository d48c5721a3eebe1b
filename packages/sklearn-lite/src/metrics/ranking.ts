import { checkOptions, type Tensor, tensor, warn } from '@lumen/tensor';
import { fail } from '../base/errors.js';
import { checkOneOf, optionKeys } from '../base/estimator.js';
import {
  checkSameLength,
  type LabelsLike,
  toLabels,
  toMatrix,
  toVector,
  uniqueLabels,
  type VectorLike,
} from '../base/input.js';
import type { Label } from './labels.js';

/** scikit-learn's _binary_clf_curve: false/true positive counts at each distinct score, descending. */
function binaryClfCurve(
  isPos: Uint8Array,
  score: Float64Array,
): { fps: Float64Array; tps: Float64Array; thresholds: Float64Array } {
  const n = score.length;
  // numpy: argsort(kind='mergesort')[::-1]; ties are grouped below, so their order does not matter.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[b]! - score[a]! || b - a);
  const fps: number[] = [];
  const tps: number[] = [];
  const thr: number[] = [];
  let tp = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    tp += isPos[i]!;
    const last = k === n - 1 || score[order[k + 1]!] !== score[i];
    if (last) {
      tps.push(tp);
      fps.push(1 + k - tp);
      thr.push(score[i]!);
    }
  }
  return { fps: Float64Array.from(fps), tps: Float64Array.from(tps), thresholds: Float64Array.from(thr) };
}

function positiveMask(op: string, yTrue: Label[], posLabel: Label | undefined): Uint8Array {
  const classes = uniqueLabels(yTrue as number[]) as Label[];
  let pos = posLabel;
  if (pos === undefined) {
    const ok =
      classes.every((c) => c === 0 || c === 1 || c === -1) && !(classes.includes(0) && classes.includes(-1));
    if (!ok) {
      fail(
        op,
        `yTrue takes value in {${classes.map((c) => JSON.stringify(c)).join(', ')}} and posLabel is not specified: either make yTrue take value in {0, 1} or {-1, 1} or pass posLabel explicitly`,
      );
    }
    pos = 1;
  }
  return Uint8Array.from(yTrue, (v) => (v === pos ? 1 : 0));
}

export interface RocCurve {
  fpr: Tensor;
  tpr: Tensor;
  thresholds: Tensor;
}

function rocPoints(isPos: Uint8Array, score: Float64Array, dropIntermediate: boolean) {
  let { fps, tps, thresholds } = binaryClfCurve(isPos, score);
  if (dropIntermediate && fps.length > 2) {
    const keep: number[] = [0];
    for (let i = 1; i < fps.length - 1; i++) {
      const d2f = fps[i + 1]! - 2 * fps[i]! + fps[i - 1]!;
      const d2t = tps[i + 1]! - 2 * tps[i]! + tps[i - 1]!;
      if (d2f !== 0 || d2t !== 0) keep.push(i);
    }
    keep.push(fps.length - 1);
    fps = Float64Array.from(keep, (i) => fps[i]!);
    tps = Float64Array.from(keep, (i) => tps[i]!);
    thresholds = Float64Array.from(keep, (i) => thresholds[i]!);
  }
  const m = fps.length + 1;
  const fpr = new Float64Array(m);
  const tpr = new Float64Array(m);
  const thr = new Float64Array(m);
  // scikit-learn 1.2 starts the curve at threshold max(score) + 1 (1.3 changed it to inf).
  thr[0] = thresholds[0]! + 1;
  const fpsLast = fps[fps.length - 1]!;
  const tpsLast = tps[tps.length - 1]!;
  for (let i = 1; i < m; i++) {
    fpr[i] = fpsLast <= 0 ? Number.NaN : fps[i - 1]! / fpsLast;
    tpr[i] = tpsLast <= 0 ? Number.NaN : tps[i - 1]! / tpsLast;
    thr[i] = thresholds[i - 1]!;
  }
  if (fpsLast <= 0) fpr[0] = Number.NaN;
  if (tpsLast <= 0) tpr[0] = Number.NaN;
  return { fpr, tpr, thr };
}

/** Receiver operating characteristic for a binary problem, as scikit-learn's roc_curve. */
export function rocCurve(
  yTrue: LabelsLike,
  yScore: VectorLike,
  opts: { posLabel?: Label; dropIntermediate?: boolean } = {},
): RocCurve {
  const op = 'rocCurve';
  checkOptions(op, opts, optionKeys<typeof opts>({ posLabel: true, dropIntermediate: true }));
  const t = toLabels(op, 'yTrue', yTrue);
  const s = toVector(op, 'yScore', yScore);
  checkSameLength(op, ['yTrue', 'yScore'], t, s);
  if (t.length === 0) fail(op, 'yTrue is empty');
  const classes = uniqueLabels(t);
  if (classes.length > 2 && opts.posLabel === undefined)
    fail(op, `multiclass format is not supported: yTrue has ${classes.length} classes; pass posLabel`);
  const { fpr, tpr, thr } = rocPoints(positiveMask(op, t, opts.posLabel), s, opts.dropIntermediate ?? true);
  if (Number.isNaN(fpr[fpr.length - 1]!))
    warn(
      'UndefinedMetricWarning',
      `${op}: no negative samples in yTrue, false positive value should be meaningless`,
    );
  if (Number.isNaN(tpr[tpr.length - 1]!))
    warn(
      'UndefinedMetricWarning',
      `${op}: no positive samples in yTrue, true positive value should be meaningless`,
    );
  const f64 = (a: Float64Array) => tensor(a, { dtype: 'float64', device: 'cpu' });
  return { fpr: f64(fpr), tpr: f64(tpr), thresholds: f64(thr) };
}

/** Area under a curve by the trapezoidal rule (x monotonic). */
export function auc(x: Float64Array, y: Float64Array): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i]! - x[i - 1]!) * (y[i]! + y[i - 1]!)) / 2;
  let dir = 1;
  for (let i = 1; i < x.length; i++) {
    if (x[i]! < x[i - 1]!) dir = -1;
  }
  return dir * area;
}

function binaryAuc(op: string, isPos: Uint8Array, score: Float64Array): number {
  let nPos = 0;
  for (const v of isPos) nPos += v;
  if (nPos === 0 || nPos === isPos.length)
    fail(op, 'only one class present in yTrue; ROC AUC score is not defined in that case');
  const { fpr, tpr } = rocPoints(isPos, score, true);
  return auc(fpr, tpr);
}

/**
 * Area under the ROC curve. Binary: yScore is the score of the greater label (1-d). Multiclass:
 * yScore is (n, classes) probabilities and `multiClass: 'ovr'` averages one-vs-rest AUCs
 * ('macro' or 'weighted').
 */
export function rocAucScore(
  yTrue: LabelsLike,
  yScore: VectorLike | readonly (readonly number[])[],
  opts: { multiClass?: 'raise' | 'ovr'; average?: 'macro' | 'weighted' } = {},
): number {
  const op = 'rocAucScore';
  checkOptions(op, opts, optionKeys<typeof opts>({ multiClass: true, average: true }));
  const t = toLabels(op, 'yTrue', yTrue);
  const classes = uniqueLabels(t) as Label[];
  const multiClass = checkOneOf(op, 'multiClass', opts.multiClass ?? 'raise', ['raise', 'ovr'] as const);
  if (classes.length <= 2) {
    const s = toVector(op, 'yScore', yScore);
    checkSameLength(op, ['yTrue', 'yScore'], t, s);
    if (classes.length < 2)
      fail(op, 'only one class present in yTrue; ROC AUC score is not defined in that case');
    // label_binarize: the positive class is the greater label.
    return binaryAuc(
      op,
      Uint8Array.from(t as Label[], (v) => (v === classes[1] ? 1 : 0)),
      s,
    );
  }
  if (multiClass === 'raise') fail(op, "multiclass yTrue needs multiClass: 'ovr' (one-vs-rest)");
  const average = checkOneOf(op, 'average', opts.average ?? 'macro', ['macro', 'weighted'] as const);
  const S = toMatrix(op, 'yScore', yScore);
  checkSameLength(op, ['yTrue', 'yScore'], t, { length: S.rows });
  if (S.cols !== classes.length)
    fail(op, `yScore must have one column per class (${classes.length}), got ${S.cols}`);
  let total = 0;
  let wsum = 0;
  for (let c = 0; c < classes.length; c++) {
    const isPos = Uint8Array.from(t as Label[], (v) => (v === classes[c] ? 1 : 0));
    const col = Float64Array.from({ length: S.rows }, (_, i) => S.data[i * S.cols + c]!);
    const w = average === 'weighted' ? isPos.reduce((a, b) => a + b, 0) : 1;
    total += w * binaryAuc(op, isPos, col);
    wsum += w;
  }
  return total / wsum;
}
