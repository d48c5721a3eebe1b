import {
  bceWithLogits,
  checkOptions,
  crossEntropyRows,
  DtypeError,
  isFloat,
  ShapeError,
  sub,
  type Tensor,
  where,
} from '@lumen/tensor';
import { fail, fmtShape } from '../errors.js';

export type Reduction = 'mean' | 'sum' | 'none';

function reduce(op: string, loss: Tensor, reduction: Reduction | undefined): Tensor {
  const r = reduction ?? 'mean';
  if (r === 'mean') return loss.mean();
  if (r === 'sum') return loss.sum();
  if (r === 'none') return loss;
  fail(op, `reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(r)}`);
}

function sameShape(op: string, input: Tensor, target: Tensor): void {
  if (input.shape.length !== target.shape.length || input.shape.some((d, i) => d !== target.shape[i])) {
    fail(
      op,
      `target shape ${fmtShape(target.shape)} must equal input shape ${fmtShape(input.shape)}`,
      ShapeError,
    );
  }
}

function checkProbabilities(op: string, input: Tensor): void {
  if (input.device !== 'cpu') return;
  const d = input.dataSync();
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (!(v >= 0 && v <= 1))
      fail(op, `all elements of input must be probabilities in [0, 1], got ${v} at position ${i}`);
  }
}

/** The valid option keys of each loss (the modules check theirs when constructed). */
export const LOSS_KEYS = ['reduction'];
export const BCE_KEYS = ['weight', 'reduction'];
export const BCE_LOGITS_KEYS = ['weight', 'posWeight', 'reduction'];
export const NLL_KEYS = ['weight', 'ignoreIndex', 'reduction'];
export const CROSS_ENTROPY_KEYS = ['weight', 'ignoreIndex', 'reduction', 'labelSmoothing'];

export interface LossOptions {
  reduction?: Reduction;
}

/** F.mse_loss. */
export function mseLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkOptions('mseLoss', options, LOSS_KEYS);
  sameShape('mseLoss', input, target);
  return reduce('mseLoss', input.sub(target).square(), options.reduction);
}

/** F.l1_loss. */
export function l1Loss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkOptions('l1Loss', options, LOSS_KEYS);
  sameShape('l1Loss', input, target);
  return reduce('l1Loss', input.sub(target).abs(), options.reduction);
}

export interface BCEOptions extends LossOptions {
  /** Rescaling weight per element (broadcast against the input). */
  weight?: Tensor | null;
}

/** F.binary_cross_entropy on probabilities; each log is clamped at -100, as PyTorch does. */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: BCEOptions = {}): Tensor {
  checkOptions('binaryCrossEntropy', options, BCE_KEYS);
  sameShape('binaryCrossEntropy', input, target);
  checkProbabilities('binaryCrossEntropy', input);
  const logP = input.log().clamp(-100);
  const log1mP = sub(1, input).log().clamp(-100);
  let loss = target.mul(logP).add(sub(1, target).mul(log1mP)).neg();
  if (options.weight) loss = loss.mul(options.weight);
  return reduce('binaryCrossEntropy', loss, options.reduction);
}

export interface BCEWithLogitsOptions extends BCEOptions {
  /** Weight of positive examples, per class (broadcast against the input's last dim). */
  posWeight?: Tensor | null;
}

/**
 * F.binary_cross_entropy_with_logits, in the stable form (1 − t)·x + softplus(−x): finite for any
 * logit.
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  options: BCEWithLogitsOptions = {},
): Tensor {
  checkOptions('binaryCrossEntropyWithLogits', options, BCE_LOGITS_KEYS);
  sameShape('binaryCrossEntropyWithLogits', input, target);
  let loss: Tensor;
  if (options.posWeight) {
    // softplus(−x) = log(1 + e^−x), computed stably (and with the right gradient at x = 0).
    const softTerm = input.neg().softplus();
    const logWeight = options.posWeight.sub(1).mul(target).add(1);
    loss = sub(1, target).mul(input).add(logWeight.mul(softTerm));
  } else if (isFloat(input.dtype) && input.dtype === target.dtype && input.device === target.device) {
    loss = bceWithLogits(input, target); // one fused op where the backend has it (cpu)
  } else {
    loss = sub(1, target).mul(input).add(input.neg().softplus());
  }
  if (options.weight) loss = loss.mul(options.weight);
  return reduce('binaryCrossEntropyWithLogits', loss, options.reduction);
}

export interface CrossEntropyOptions extends LossOptions {
  /** Weight per class, shape [C]. */
  weight?: Tensor | null;
  /** Targets equal to this contribute nothing (default -100, as PyTorch). */
  ignoreIndex?: number;
  /** Mixes the one-hot target with the uniform distribution: (1 − ε)·onehot + ε/C. */
  labelSmoothing?: number;
}

/** Input [N, C, d1…] → [M, C] rows with the class dim last; target [N, d1…] → [M]. */
function flattenClasses(
  op: string,
  input: Tensor,
  target: Tensor,
): { logits: Tensor; flatTarget: Tensor | null } {
  if (input.ndim < 1) fail(op, `input must have a class dim, got shape ${fmtShape(input.shape)}`, ShapeError);
  const classDim = input.ndim === 1 ? 0 : 1;
  // (N, C, d1…) → (N, d1…, C)
  const order = [0, ...Array.from({ length: input.ndim - 2 }, (_, i) => i + 2), 1];
  const moved = input.ndim <= 2 ? input : input.permute(order);
  const C = input.shape[classDim]!;
  const logits = input.ndim === 1 ? moved.unsqueeze(0) : moved.reshape([-1, C]);
  if (target.dtype === 'float32' || target.dtype === 'float64') return { logits, flatTarget: null };
  return { logits, flatTarget: target.reshape([-1]) };
}

function checkTarget(op: string, input: Tensor, target: Tensor, C: number, ignoreIndex: number): void {
  const expected = input.ndim === 1 ? [] : [input.shape[0]!, ...input.shape.slice(2)];
  if (target.dtype !== 'int32') {
    // PyTorch: a float target of the input's shape is class probabilities (crossEntropy only);
    // any other target holds class indices, which must be integers ("expected scalar type Long").
    const probs =
      op === 'crossEntropy'
        ? ` (class probabilities instead are a float target of the input's shape ${fmtShape(input.shape)})`
        : '';
    fail(
      op,
      `class indices must be an integer tensor (int32 here, int64 in PyTorch: .long()), got target of dtype ${target.dtype} and shape ${fmtShape(target.shape)}; ` +
        `convert with target.int(), or create it with tensor(values, { dtype: 'int32' })${probs}`,
      DtypeError,
    );
  }
  if (target.shape.length !== expected.length || target.shape.some((d, i) => d !== expected[i])) {
    fail(
      op,
      `target shape ${fmtShape(target.shape)} does not fit input shape ${fmtShape(input.shape)} (expected ${fmtShape(expected)})`,
      ShapeError,
    );
  }
  if (target.device !== 'cpu') return;
  const d = target.dataSync();
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v !== ignoreIndex && (v < 0 || v >= C))
      fail(op, `target ${v} at position ${i} is out of bounds for ${C} classes`);
  }
}

/**
 * F.nll_loss on log-probabilities [N, C, d1…] with class-index targets [N, d1…]; `mean` divides by
 * the total weight of the non-ignored targets.
 */
export function nllLoss(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  checkOptions('nllLoss', options, NLL_KEYS);
  const ignoreIndex = options.ignoreIndex ?? -100;
  const C = input.shape[input.ndim === 1 ? 0 : 1]!;
  checkTarget('nllLoss', input, target, C, ignoreIndex);
  const { logits: logp, flatTarget } = flattenClasses('nllLoss', input, target);
  const t = flatTarget!;
  return nllFromFlat('nllLoss', logp, t, target.shape, options);
}

function nllFromFlat(
  op: string,
  logp: Tensor,
  t: Tensor,
  targetShape: readonly number[],
  options: CrossEntropyOptions,
): Tensor {
  const ignoreIndex = options.ignoreIndex ?? -100;
  const valid = t.ne(ignoreIndex);
  const safe = where(valid, t, 0);
  const picked = logp.gather(1, safe.unsqueeze(1)).squeeze(1);
  const w = options.weight
    ? where(valid, options.weight.indexSelect(0, safe), 0)
    : where(valid, 1, 0).cast(logp.dtype);
  return reduceNll(op, picked.neg().mul(w), w, targetShape, options.reduction ?? 'mean');
}

/** The reduction of per-sample losses already multiplied by their weights `w` (PyTorch's nll_loss). */
function reduceNll(op: string, losses: Tensor, w: Tensor, shape: readonly number[], r: string): Tensor {
  if (r === 'none') return losses.reshape([...shape]);
  if (r === 'sum') return losses.sum();
  if (r === 'mean') return losses.sum().div(w.sum());
  fail(op, `reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(r)}`);
}

/** The shape of per-sample losses: the input's without its class dim. */
function outShape(input: Tensor): number[] {
  return input.ndim === 1 ? [] : [input.shape[0]!, ...input.shape.slice(2)];
}

/**
 * F.cross_entropy: logSoftmax over the class dim, then the negative log-likelihood. Targets are
 * class indices (int32, with ignoreIndex) or class probabilities (float, input's shape).
 * Label smoothing follows PyTorch's formula: (1 − ε)·nll + ε/C·(−Σ_c w_c·log p_c), with `mean`
 * dividing by the (weighted) count of non-ignored targets.
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const op = 'crossEntropy';
  checkOptions(op, options, CROSS_ENTROPY_KEYS);
  const eps = options.labelSmoothing ?? 0;
  if (typeof eps !== 'number' || !(eps >= 0 && eps <= 1))
    fail(op, `labelSmoothing must be in [0, 1], got ${eps}`);
  const reduction = options.reduction ?? 'mean';
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    fail(op, `reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(reduction)}`);
  }
  const ignoreIndex = options.ignoreIndex ?? -100;
  const C = input.shape[input.ndim === 1 ? 0 : 1]!;
  // PyTorch's rule: a float target with the input's shape holds class probabilities; any other
  // target holds class indices (and must be an integer tensor).
  const isProb =
    (target.dtype === 'float32' || target.dtype === 'float64') &&
    target.ndim === input.ndim &&
    target.shape.every((d, i) => d === input.shape[i]);
  if (!isProb) checkTarget(op, input, target, C, ignoreIndex);
  const { logits, flatTarget } = flattenClasses(op, input, target);
  if (!isProb && eps === 0) {
    // class indices without smoothing: one fused op over the logits (no N×C log-softmax kept)
    const t = flatTarget!;
    const valid = t.ne(ignoreIndex);
    const w = options.weight
      ? where(valid, options.weight.indexSelect(0, where(valid, t, 0)), 0)
      : where(valid, 1, 0).cast(logits.dtype);
    return reduceNll(op, crossEntropyRows(logits, t, ignoreIndex).mul(w), w, outShape(input), reduction);
  }
  const logp = logits.logSoftmax(1);
  const classWeight = options.weight ? options.weight.reshape([1, C]) : null;
  const shapeOut = outShape(input);

  if (isProb) {
    const { logits: probs } = flattenClasses(op, target, target);
    const smoothed = eps > 0 ? probs.mul(1 - eps).add(eps / C) : probs;
    let terms = logp.mul(smoothed);
    if (classWeight) terms = terms.mul(classWeight);
    const losses = terms.sum(1).neg();
    if (reduction === 'none') return losses.reshape(shapeOut);
    if (reduction === 'sum') return losses.sum();
    return losses.sum().div(losses.shape[0]!);
  }

  const t = flatTarget!;
  const nll = nllFromFlat(op, logp, t, shapeOut, options);
  if (eps === 0) return nll;
  const valid = t.ne(ignoreIndex);
  const smoothTerms = classWeight ? logp.mul(classWeight) : logp;
  const smooth = where(valid, smoothTerms.sum(1).neg(), 0);
  let smoothReduced: Tensor;
  if (reduction === 'none') smoothReduced = smooth.reshape(shapeOut);
  else if (reduction === 'sum') smoothReduced = smooth.sum();
  else if (options.weight) {
    const w = where(valid, options.weight.indexSelect(0, where(valid, t, 0)), 0);
    smoothReduced = smooth.sum().div(w.sum());
  } else smoothReduced = smooth.sum().div(where(valid, 1, 0).sum());
  return nll.mul(1 - eps).add(smoothReduced.mul(eps / C));
}
