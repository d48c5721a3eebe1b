import { arange, checkOptions, normal, type Tensor, tidy, where } from '@lumen/tensor';
import { fail } from '../errors.js';
import { embedding } from '../functional/layers.js';
import { Module } from '../module/module.js';
import { Parameter } from '../module/parameter.js';
import type { LayerOptions } from './linear.js';

/** nn.Embedding: weight ~ N(0, 1); the paddingIdx row starts at zero and never gets a gradient. */
export class Embedding extends Module {
  weight: Tensor;
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;

  constructor(
    numEmbeddings: number,
    embeddingDim: number,
    options: LayerOptions & { paddingIdx?: number | null } = {},
  ) {
    super();
    checkOptions('Embedding', options, ['paddingIdx', 'dtype', 'device', 'generator']);
    for (const [name, v] of [
      ['numEmbeddings', numEmbeddings],
      ['embeddingDim', embeddingDim],
    ] as const) {
      if (!Number.isInteger(v) || v <= 0) fail('Embedding', `${name} must be a positive integer, got ${v}`);
    }
    let pad = options.paddingIdx ?? null;
    if (pad !== null) {
      if (!Number.isInteger(pad) || pad >= numEmbeddings || pad < -numEmbeddings) {
        fail(
          'Embedding',
          `paddingIdx must be an integer in [-${numEmbeddings}, ${numEmbeddings}), got ${pad}`,
        );
      }
      if (pad < 0) pad += numEmbeddings;
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = pad;
    // tidy: the draw and the padding mask go back at once, not when the collector gets to them
    // (memory() would count them until then)
    const w = tidy(() => {
      const drawn = normal([numEmbeddings, embeddingDim], 0, 1, {
        dtype: options.dtype,
        device: options.device,
        generator: options.generator,
      });
      if (pad === null) return drawn;
      const isPad = arange(0, numEmbeddings, 1, { dtype: 'int32', device: drawn.device })
        .reshape([numEmbeddings, 1])
        .eq(pad);
      return where(isPad, 0, drawn);
    });
    this.weight = Parameter(w);
  }

  forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight, this.paddingIdx);
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, padding_idx=${this.paddingIdx}` : ''}`;
  }
}
