import { type Tensor, zerosLike } from '@lumen/tensor';
import { adamStepHost } from './hostKernels.js';
import { Optimizer, type ParamGroup, type ParamsInput } from './optimizer.js';

export interface AdamOptions {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

export interface AdamState {
  step: number;
  expAvg: Tensor;
  expAvgSq: Tensor;
  maxExpAvgSq: Tensor | null;
}

/**
 * torch.optim.Adam / AdamW for one parameter (PyTorch 1.13's _single_tensor_adam(w)):
 *   AdamW: p = p·(1 − lr·wd);  Adam: g = g + wd·p
 *   m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²
 *   p = p − (lr / (1−β1ᵗ)) · m / (sqrt(v) / sqrt(1−β2ᵗ) + eps)
 */
export function adamUpdate(
  param: Tensor,
  grad: Tensor,
  state: AdamState | undefined,
  h: AdamOptions,
  decoupled: boolean,
): { param: Tensor; state: AdamState } {
  const [beta1, beta2] = h.betas;
  const step = (state?.step ?? 0) + 1;
  let g = h.maximize ? grad.neg() : grad;
  let p = param;
  if (h.weightDecay !== 0) {
    if (decoupled) p = p.mul(1 - h.lr * h.weightDecay);
    else g = g.add(param.mul(h.weightDecay));
  }
  const expAvg = (state?.expAvg ?? zerosLike(param)).mul(beta1).add(g.mul(1 - beta1));
  const expAvgSq = (state?.expAvgSq ?? zerosLike(param)).mul(beta2).add(g.mul(g).mul(1 - beta2));
  const biasCorrection1 = 1 - beta1 ** step;
  const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** step);
  const stepSize = h.lr / biasCorrection1;
  let maxExpAvgSq: Tensor | null = null;
  let second = expAvgSq;
  if (h.amsgrad) {
    maxExpAvgSq = state?.maxExpAvgSq ? state.maxExpAvgSq.maximum(expAvgSq) : expAvgSq;
    second = maxExpAvgSq;
  }
  const denom = second.sqrt().div(biasCorrection2Sqrt).add(h.eps);
  return { param: p.sub(expAvg.div(denom).mul(stepSize)), state: { step, expAvg, expAvgSq, maxExpAvgSq } };
}

abstract class AdamBase extends Optimizer<AdamOptions, AdamState> {
  protected validate(g: ParamGroup<AdamOptions>, i: number): void {
    this.check(g.lr >= 0, i, 'learning rate lr', g.lr);
    this.check(g.eps >= 0, i, 'eps', g.eps);
    this.check(Array.isArray(g.betas) && g.betas.length === 2, i, 'betas (expected [beta1, beta2])', g.betas);
    this.check(g.betas[0] >= 0 && g.betas[0] < 1, i, 'beta1 (expected 0 <= beta1 < 1)', g.betas[0]);
    this.check(g.betas[1] >= 0 && g.betas[1] < 1, i, 'beta2 (expected 0 <= beta2 < 1)', g.betas[1]);
    this.check(g.weightDecay >= 0, i, 'weightDecay', g.weightDecay);
  }
}

/** torch.optim.Adam (weight decay added to the gradient, L2 style). */
export class Adam extends AdamBase {
  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('Adam', params, {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
      maximize: false,
      ...options,
    });
  }
  protected update(
    param: Tensor,
    grad: Tensor,
    state: AdamState | undefined,
    group: ParamGroup<AdamOptions>,
  ) {
    return adamUpdate(param, grad, state, group, false);
  }
  protected override updateInPlace(
    param: Tensor,
    grad: Tensor,
    state: AdamState | undefined,
    group: ParamGroup<AdamOptions>,
  ) {
    return adamStepHost(param, grad, state, group, false);
  }
}

/** torch.optim.AdamW (decoupled weight decay, default 0.01). */
export class AdamW extends AdamBase {
  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('AdamW', params, {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 1e-2,
      amsgrad: false,
      maximize: false,
      ...options,
    });
  }
  protected update(
    param: Tensor,
    grad: Tensor,
    state: AdamState | undefined,
    group: ParamGroup<AdamOptions>,
  ) {
    return adamUpdate(param, grad, state, group, true);
  }
  protected override updateInPlace(
    param: Tensor,
    grad: Tensor,
    state: AdamState | undefined,
    group: ParamGroup<AdamOptions>,
  ) {
    return adamStepHost(param, grad, state, group, true);
  }
}
