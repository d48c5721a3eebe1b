import { checkOptions, ones, type Tensor, zeros } from '@lumen/tensor';
import { fail } from '../errors.js';
import { layerNorm } from '../functional/layers.js';
import { Module } from '../module/module.js';
import { Parameter } from '../module/parameter.js';
import type { LayerOptions } from './linear.js';

/** nn.LayerNorm over the trailing `normalizedShape` dims; weight starts at 1 and bias at 0. */
export class LayerNorm extends Module {
  weight: Tensor | null;
  bias: Tensor | null;
  readonly normalizedShape: readonly number[];
  readonly eps: number;

  constructor(
    normalizedShape: number | readonly number[],
    options: Omit<LayerOptions, 'generator'> & {
      eps?: number;
      elementwiseAffine?: boolean;
      bias?: boolean;
    } = {},
  ) {
    super();
    checkOptions('LayerNorm', options, ['eps', 'elementwiseAffine', 'bias', 'dtype', 'device']);
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
      fail(
        'LayerNorm',
        `normalizedShape must be a positive integer or a non-empty list of them, got ${JSON.stringify(normalizedShape)}`,
      );
    }
    this.normalizedShape = shape;
    this.eps = options.eps ?? 1e-5;
    const affine = options.elementwiseAffine ?? true;
    const opts = { dtype: options.dtype, device: options.device };
    this.weight = affine ? Parameter(ones(shape, opts)) : null;
    this.bias = affine && (options.bias ?? true) ? Parameter(zeros(shape, opts)) : null;
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `(${this.normalizedShape.join(', ')},), eps=${this.eps}, elementwise_affine=${this.weight ? 'True' : 'False'}`;
  }
}
