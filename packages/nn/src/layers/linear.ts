import { checkOptions, type Device, type DType, type Generator, type Tensor, uniform } from '@lumen/tensor';
import { fail } from '../errors.js';
import { linear } from '../functional/layers.js';
import { Module } from '../module/module.js';
import { Parameter } from '../module/parameter.js';

export interface LayerOptions {
  dtype?: DType;
  device?: Device;
  /** Generator for the initial weights (default: the one manualSeed seeds). */
  generator?: Generator;
}

function checkSize(op: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0) fail(op, `${name} must be a positive integer, got ${v}`);
}

/**
 * nn.Linear: y = x Wᵀ + b, W of shape [outFeatures, inFeatures]. PyTorch's initialisation: W and b
 * uniform in ±1/sqrt(inFeatures) (kaiming_uniform with a = sqrt(5)).
 */
export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;
  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(inFeatures: number, outFeatures: number, options: LayerOptions & { bias?: boolean } = {}) {
    super();
    checkOptions('Linear', options, ['bias', 'dtype', 'device', 'generator']);
    checkSize('Linear', 'inFeatures', inFeatures);
    checkSize('Linear', 'outFeatures', outFeatures);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const bound = 1 / Math.sqrt(inFeatures);
    const opts = { dtype: options.dtype, device: options.device, generator: options.generator };
    this.weight = Parameter(uniform([outFeatures, inFeatures], -bound, bound, opts));
    this.bias = options.bias === false ? null : Parameter(uniform([outFeatures], -bound, bound, opts));
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias !== null ? 'True' : 'False'}`;
  }
}
