import { checkOptions, type Tensor, tensor, warn } from '@lumen/tensor';
import { describe, fail } from '../base/errors.js';
import { checkOneOf, optionKeys } from '../base/estimator.js';
import type { LabelsLike } from '../base/input.js';
import { type Label, type LabelPair, labelPair } from './labels.js';

export type Average = 'binary' | 'micro' | 'macro' | 'weighted' | null;
/** scikit-learn's zero_division: 'warn' acts as 0 (and warns once per call), or 0, or 1. */
export type ZeroDivision = 'warn' | 0 | 1;

export interface PrfOptions {
  /** Default 'binary' as in scikit-learn; `null` (Python's None) returns one score per label. */
  average?: Average;
  /** Which labels to score and in which order (default: all present, sorted). */
  labels?: readonly Label[];
  /** The positive class for average 'binary' (default 1). */
  posLabel?: Label;
  zeroDivision?: ZeroDivision;
}

const PRF_KEYS = optionKeys<PrfOptions>({ average: true, labels: true, posLabel: true, zeroDivision: true });
const PRFS_KEYS = [...PRF_KEYS, 'beta'];

export interface Prf {
  precision: number | Float64Array;
  recall: number | Float64Array;
  fScore: number | Float64Array;
  support: Float64Array | null;
}

/** Fraction (or count, with `normalize: false`) of exact matches. */
export function accuracyScore(
  yTrue: LabelsLike,
  yPred: LabelsLike,
  opts: { normalize?: boolean } = {},
): number {
  checkOptions('accuracyScore', opts, optionKeys<typeof opts>({ normalize: true }));
  const { yTrue: t, yPred: p } = labelPair('accuracyScore', yTrue, yPred);
  let correct = 0;
  for (let i = 0; i < t.length; i++) if (t[i] === p[i]) correct++;
  if (opts.normalize === false) return correct;
  if (t.length === 0) fail('accuracyScore', 'yTrue and yPred are empty');
  return correct / t.length;
}

function checkZeroDivision(op: string, z: unknown): ZeroDivision {
  if (z !== 'warn' && z !== 0 && z !== 1) fail(op, `zeroDivision must be 'warn', 0 or 1, got ${describe(z)}`);
  return z;
}

/** Which labels are scored; follows scikit-learn's _check_set_wise_labels. */
function setWiseLabels(
  op: string,
  pair: LabelPair,
  average: Average,
  labels: readonly Label[] | undefined,
  posLabel: Label,
): Label[] {
  const { present } = pair;
  if (average === 'binary') {
    if (present.length > 2) {
      fail(
        op,
        `target is multiclass but average='binary'; choose another average setting, one of null, 'micro', 'macro', 'weighted'`,
      );
    }
    if (!present.includes(posLabel) && present.length >= 2) {
      fail(
        op,
        `posLabel=${JSON.stringify(posLabel)} is not a valid label: it should be one of ${JSON.stringify(present)}`,
      );
    }
    return [posLabel];
  }
  return labels ? [...labels] : present;
}

/** precision, recall, F-beta and support, exactly as scikit-learn's precision_recall_fscore_support. */
export function precisionRecallFscoreSupport(
  yTrue: LabelsLike,
  yPred: LabelsLike,
  opts: PrfOptions & { beta?: number } = {},
): Prf {
  checkOptions('precisionRecallFscoreSupport', opts, PRFS_KEYS);
  return prfs('precisionRecallFscoreSupport', yTrue, yPred, opts);
}

/** precisionRecallFscoreSupport with options already checked; errors name `op`. */
export function prfs(
  op: string,
  yTrue: LabelsLike,
  yPred: LabelsLike,
  opts: PrfOptions & { beta?: number },
): Prf {
  const average = opts.average === undefined ? 'binary' : opts.average;
  if (average !== null) checkOneOf(op, 'average', average, ['binary', 'micro', 'macro', 'weighted'] as const);
  const zeroDivision = checkZeroDivision(op, opts.zeroDivision ?? 'warn');
  const beta = opts.beta ?? 1;
  const pair = labelPair(op, yTrue, yPred);
  const labels = setWiseLabels(op, pair, average, opts.labels, opts.posLabel ?? 1);
  const index = new Map<Label, number>(labels.map((l, i) => [l, i]));
  const L = labels.length;
  let tp = new Float64Array(L);
  let predSum = new Float64Array(L);
  let trueSum = new Float64Array(L);
  for (let i = 0; i < pair.yTrue.length; i++) {
    const ti = index.get(pair.yTrue[i]!);
    const pi = index.get(pair.yPred[i]!);
    if (ti !== undefined) trueSum[ti]!++;
    if (pi !== undefined) predSum[pi]!++;
    if (ti !== undefined && ti === pi) tp[ti]!++;
  }
  const perLabelSupport = trueSum;
  if (average === 'micro') {
    tp = Float64Array.of(sum(tp));
    predSum = Float64Array.of(sum(predSum));
    trueSum = Float64Array.of(sum(trueSum));
  }
  const zd = zeroDivision === 1 ? 1 : 0;
  let warned = false;
  const divide = (num: Float64Array, den: Float64Array, what: string): Float64Array => {
    const out = new Float64Array(num.length);
    for (let i = 0; i < num.length; i++) {
      if (den[i] === 0) {
        out[i] = zd;
        if (zeroDivision === 'warn' && !warned) {
          warned = true;
          warn(
            'UndefinedMetricWarning',
            `${op}: ${what} is ill-defined and being set to 0.0 for labels with no ${what === 'precision' ? 'predicted' : 'true'} samples; use the zeroDivision option to control this behaviour`,
          );
        }
      } else out[i] = num[i]! / den[i]!;
    }
    return out;
  };
  const precision = divide(tp, predSum, 'precision');
  const recall = divide(tp, trueSum, 'recall');
  const beta2 = beta * beta;
  const fScore = new Float64Array(precision.length);
  for (let i = 0; i < fScore.length; i++) {
    if (!Number.isFinite(beta2)) fScore[i] = recall[i]!;
    else {
      const denom = beta2 * precision[i]! + recall[i]!;
      fScore[i] = ((1 + beta2) * precision[i]! * recall[i]!) / (denom === 0 ? 1 : denom);
    }
  }
  if (average === null) return { precision, recall, fScore, support: perLabelSupport };
  let weights: Float64Array | null = null;
  if (average === 'weighted') {
    weights = trueSum;
    if (sum(weights) === 0) {
      const z = zeroDivision === 1 ? 1 : 0;
      if (sum(predSum) === 0) return { precision: z, recall: z, fScore: z, support: null };
      return { precision: 0, recall: z, fScore: 0, support: null };
    }
  }
  return {
    precision: weightedMean(precision, weights),
    recall: weightedMean(recall, weights),
    fScore: weightedMean(fScore, weights),
    support: null,
  };
}

function sum(a: Float64Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s;
}

/** numpy.average: sum(a * w) / sum(w), or the plain mean. */
function weightedMean(a: Float64Array, w: Float64Array | null): number {
  if (!w) return sum(a) / a.length;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * w[i]!;
  return s / sum(w);
}

function scoreOut(v: number | Float64Array): number | Tensor {
  return typeof v === 'number' ? v : tensor(v, { dtype: 'float64', device: 'cpu' });
}

/** Precision tp / (tp + fp); a number, or a Tensor of per-label scores with `average: null`. */
export function precisionScore(yTrue: LabelsLike, yPred: LabelsLike, opts: PrfOptions = {}): number | Tensor {
  checkOptions('precisionScore', opts, PRF_KEYS);
  return scoreOut(prfs('precisionScore', yTrue, yPred, opts).precision);
}

/** Recall tp / (tp + fn); a number, or a Tensor of per-label scores with `average: null`. */
export function recallScore(yTrue: LabelsLike, yPred: LabelsLike, opts: PrfOptions = {}): number | Tensor {
  checkOptions('recallScore', opts, PRF_KEYS);
  return scoreOut(prfs('recallScore', yTrue, yPred, opts).recall);
}

/** F1 = 2PR / (P + R); a number, or a Tensor of per-label scores with `average: null`. */
export function f1Score(yTrue: LabelsLike, yPred: LabelsLike, opts: PrfOptions = {}): number | Tensor {
  checkOptions('f1Score', opts, PRF_KEYS);
  return scoreOut(prfs('f1Score', yTrue, yPred, opts).fScore);
}

/** F-beta; a number, or a Tensor of per-label scores with `average: null`. */
export function fbetaScore(
  yTrue: LabelsLike,
  yPred: LabelsLike,
  opts: PrfOptions & { beta: number },
): number | Tensor {
  checkOptions('fbetaScore', opts, PRFS_KEYS);
  if (typeof opts?.beta !== 'number' || !(opts.beta >= 0))
    fail('fbetaScore', `beta must be a number >= 0, got ${describe(opts?.beta)}`);
  return scoreOut(prfs('fbetaScore', yTrue, yPred, opts).fScore);
}

/**
 * C[i][j] = number of samples of true label i predicted as j (labels sorted, or as given), as an
 * int32 Tensor; with `normalize` the rows ('true'), columns ('pred') or all ('all') sum to 1 (float64).
 */
export function confusionMatrix(
  yTrue: LabelsLike,
  yPred: LabelsLike,
  opts: { labels?: readonly Label[]; normalize?: 'true' | 'pred' | 'all' | null } = {},
): Tensor {
  const op = 'confusionMatrix';
  checkOptions(op, opts, optionKeys<typeof opts>({ labels: true, normalize: true }));
  const pair = labelPair(op, yTrue, yPred);
  const labels = opts.labels ? [...opts.labels] : pair.present;
  if (labels.length === 0) fail(op, '`labels` should contain at least one label');
  const index = new Map<Label, number>(labels.map((l, i) => [l, i]));
  const L = labels.length;
  const cm = new Float64Array(L * L);
  for (let i = 0; i < pair.yTrue.length; i++) {
    const a = index.get(pair.yTrue[i]!);
    const b = index.get(pair.yPred[i]!);
    if (a !== undefined && b !== undefined) cm[a * L + b]!++;
  }
  const normalize = opts.normalize ?? null;
  if (normalize === null)
    return tensor(Int32Array.from(cm), { shape: [L, L], dtype: 'int32', device: 'cpu' });
  checkOneOf(op, 'normalize', normalize, ['true', 'pred', 'all'] as const);
  const out = new Float64Array(L * L);
  const total = cm.reduce((a, b) => a + b, 0);
  for (let i = 0; i < L; i++) {
    for (let j = 0; j < L; j++) {
      let den = total;
      if (normalize === 'true') for (let k = 0, s = 0; k < L; k++) den = s += cm[i * L + k]!;
      if (normalize === 'pred') for (let k = 0, s = 0; k < L; k++) den = s += cm[k * L + j]!;
      // scikit-learn divides with errstate ignored and then replaces NaN by 0.
      out[i * L + j] = den === 0 ? 0 : cm[i * L + j]! / den;
    }
  }
  return tensor(out, { shape: [L, L], dtype: 'float64', device: 'cpu' });
}
