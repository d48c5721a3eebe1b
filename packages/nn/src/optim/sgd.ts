import { keep, sgdStep, type Tensor, zerosLike } from '@lumen/tensor';
import { fail } from '../errors.js';
import { Optimizer, type ParamGroup, type ParamsInput } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

/** One parameter's SGD state: the momentum buffer (null without momentum), updated in place. */
export interface SGDState {
  momentumBuffer: Tensor | null;
}

/**
 * torch.optim.SGD (PyTorch 1.13's _single_tensor_sgd), one fused in-place step per parameter
 * (@lumen/tensor's sgdStep):
 *   d = g + wd·p;  b = d (first step) or μ·b + (1−τ)·d;  d = d + μ·b (nesterov) or b;  p = p − lr·d
 */
export class SGD extends Optimizer<SGDOptions, SGDState> {
  constructor(params: ParamsInput<SGDOptions>, options: Partial<SGDOptions> & { lr: number }) {
    if (options === undefined || typeof options.lr !== 'number')
      fail(
        'SGD',
        `options.lr is required (a number >= 0), got ${options === undefined ? 'no options' : JSON.stringify(options.lr)}`,
      );
    super(
      'SGD',
      params,
      { lr: options.lr, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
      options,
    );
  }

  protected validate(g: ParamGroup<SGDOptions>, i: number): void {
    this.check(g.lr >= 0, i, 'learning rate lr', g.lr);
    this.check(g.momentum >= 0, i, 'momentum', g.momentum);
    this.check(g.weightDecay >= 0, i, 'weightDecay', g.weightDecay);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0))
      fail('SGD', 'nesterov momentum requires a momentum > 0 and zero dampening');
  }

  protected updateParam(
    param: Tensor,
    grad: Tensor,
    state: SGDState | undefined,
    h: ParamGroup<SGDOptions>,
  ): SGDState {
    const prev = state?.momentumBuffer ?? null;
    // The buffer is created on the first step with momentum; that step sets it to d (PyTorch's clone).
    const buffer = h.momentum !== 0 ? (prev ?? keep(zerosLike(param))) : null;
    sgdStep(param, grad, buffer, {
      lr: h.lr,
      momentum: h.momentum,
      dampening: h.dampening,
      weightDecay: h.weightDecay,
      nesterov: h.nesterov,
      maximize: h.maximize,
      first: buffer !== null && prev === null,
    });
    return { momentumBuffer: buffer ?? prev };
  }
}
