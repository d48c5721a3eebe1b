import { checkOptions, type Generator, type Tensor } from '@lumen/tensor';
import { fail } from '../errors.js';
import { dropout } from '../functional/layers.js';
import { Module } from '../module/module.js';

/**
 * nn.Dropout: in training, zeroes elements with probability p and scales the rest by 1/(1−p);
 * identity in eval mode. Masks come from the default generator (seeded by manualSeed) or `generator`.
 */
export class Dropout extends Module {
  readonly p: number;
  private readonly generator: Generator | undefined;
  constructor(p = 0.5, options: { generator?: Generator } = {}) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p <= 1))
      fail('Dropout', `p must be a probability in [0, 1], got ${p}`);
    this.p = p;
    checkOptions('Dropout', options, ['generator']);
    this.generator = options.generator;
  }
  forward(x: Tensor): Tensor {
    return dropout(x, { p: this.p, training: this.training, generator: this.generator });
  }
  override extraRepr(): string {
    return `p=${this.p}, inplace=False`;
  }
}
