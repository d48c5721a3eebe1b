import { adamStep, keep, type Tensor, zerosLike } from '@lumen/tensor';
import { Optimizer, type ParamGroup, type ParamsInput } from './optimizer.js';

export interface AdamOptions {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

/** One parameter's Adam state; the tensors are updated in place by every step. */
export interface AdamState {
  step: number;
  expAvg: Tensor;
  expAvgSq: Tensor;
  maxExpAvgSq: Tensor | null;
}

/** The optimizer's own zeros (kept out of any tidy() the caller's step() runs in). */
const stateZeros = (p: Tensor) => keep(zerosLike(p));

/**
 * torch.optim.Adam / AdamW (PyTorch 1.13's _single_tensor_adam), one fused in-place step per
 * parameter (@lumen/tensor's adamStep):
 *   AdamW: p = p·(1 − lr·wd);  Adam: g = g + wd·p
 *   m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²  (amsgrad: v̂ = max(v̂, v))
 *   p = p − (lr / (1−β1ᵗ)) · m / (sqrt(v) / sqrt(1−β2ᵗ) + eps)
 */
abstract class AdamBase extends Optimizer<AdamOptions, AdamState> {
  protected abstract readonly decoupled: boolean;

  protected validate(g: ParamGroup<AdamOptions>, i: number): void {
    this.check(g.lr >= 0, i, 'learning rate lr', g.lr);
    this.check(g.eps >= 0, i, 'eps', g.eps);
    this.check(Array.isArray(g.betas) && g.betas.length === 2, i, 'betas (expected [beta1, beta2])', g.betas);
    this.check(g.betas[0] >= 0 && g.betas[0] < 1, i, 'beta1 (expected 0 <= beta1 < 1)', g.betas[0]);
    this.check(g.betas[1] >= 0 && g.betas[1] < 1, i, 'beta2 (expected 0 <= beta2 < 1)', g.betas[1]);
    this.check(g.weightDecay >= 0, i, 'weightDecay', g.weightDecay);
  }

  protected updateParam(
    param: Tensor,
    grad: Tensor,
    state: AdamState | undefined,
    h: ParamGroup<AdamOptions>,
  ): AdamState {
    const s = state ?? {
      step: 0,
      expAvg: stateZeros(param),
      expAvgSq: stateZeros(param),
      maxExpAvgSq: h.amsgrad ? stateZeros(param) : null,
    };
    // amsgrad may be switched on in a group after the first step (PyTorch allocates it lazily too).
    if (h.amsgrad && s.maxExpAvgSq === null) s.maxExpAvgSq = stateZeros(param);
    s.step += 1;
    adamStep(param, grad, s.expAvg, s.expAvgSq, {
      lr: h.lr,
      beta1: h.betas[0],
      beta2: h.betas[1],
      eps: h.eps,
      weightDecay: h.weightDecay,
      decoupled: this.decoupled,
      step: s.step,
      maximize: h.maximize,
      maxExpAvgSq: h.amsgrad ? s.maxExpAvgSq : null,
    });
    return s;
  }
}

/** torch.optim.Adam (weight decay added to the gradient, L2 style). */
export class Adam extends AdamBase {
  protected readonly decoupled = false;
  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(
      'Adam',
      params,
      { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false },
      options,
    );
  }
}

/** torch.optim.AdamW (decoupled weight decay, default 0.01). */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;
  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(
      'AdamW',
      params,
      { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false },
      options,
    );
  }
}
