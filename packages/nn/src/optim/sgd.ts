import type { Tensor } from '@lumen/tensor';
import { fail } from '../errors.js';
import { sgdStepHost } from './hostKernels.js';
import { Optimizer, type ParamGroup, type ParamsInput } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

export interface SGDState {
  momentumBuffer: Tensor | null;
}

/**
 * torch.optim.SGD's update for one parameter (PyTorch 1.13's _single_tensor_sgd):
 *   d = g + wd·p;  b = d (first step) or μ·b + (1−τ)·d;  d = d + μ·b (nesterov) or b;  p = p − lr·d
 */
export function sgdUpdate(
  param: Tensor,
  grad: Tensor,
  state: SGDState | undefined,
  h: SGDOptions,
): { param: Tensor; state: SGDState } {
  let d = h.maximize ? grad.neg() : grad;
  if (h.weightDecay !== 0) d = d.add(param.mul(h.weightDecay));
  let buf: Tensor | null = null;
  if (h.momentum !== 0) {
    const prev = state?.momentumBuffer ?? null;
    // A copy on the first step (as PyTorch's clone): the buffer is the optimizer's own tensor.
    buf = prev === null ? d.clone() : prev.mul(h.momentum).add(d.mul(1 - h.dampening));
    d = h.nesterov ? d.add(buf.mul(h.momentum)) : buf;
  }
  return { param: param.sub(d.mul(h.lr)), state: { momentumBuffer: buf } };
}

export class SGD extends Optimizer<SGDOptions, SGDState> {
  constructor(params: ParamsInput<SGDOptions>, options: Partial<SGDOptions> & { lr: number }) {
    if (options === undefined || typeof options.lr !== 'number')
      fail(
        'SGD',
        `options.lr is required (a number >= 0), got ${options === undefined ? 'no options' : JSON.stringify(options.lr)}`,
      );
    super('SGD', params, {
      momentum: 0,
      dampening: 0,
      weightDecay: 0,
      nesterov: false,
      maximize: false,
      ...options,
    });
  }

  protected validate(g: ParamGroup<SGDOptions>, i: number): void {
    this.check(g.lr >= 0, i, 'learning rate lr', g.lr);
    this.check(g.momentum >= 0, i, 'momentum', g.momentum);
    this.check(g.weightDecay >= 0, i, 'weightDecay', g.weightDecay);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0))
      fail('SGD', 'nesterov momentum requires a momentum > 0 and zero dampening');
  }

  protected update(param: Tensor, grad: Tensor, state: SGDState | undefined, group: ParamGroup<SGDOptions>) {
    return sgdUpdate(param, grad, state, group);
  }

  protected override updateInPlace(
    param: Tensor,
    grad: Tensor,
    state: SGDState | undefined,
    group: ParamGroup<SGDOptions>,
  ) {
    return sgdStepHost(param, grad, state, group);
  }
}
