import { checkOptions, type Tensor } from '@lumen/tensor';
import { fail } from '../errors.js';
import { Module } from '../module/module.js';

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return x.relu();
  }
}

/** nn.GELU: the exact erf form by default; `{ approximate: 'tanh' }` is GPT-2's gelu_new. */
export class GELU extends Module {
  readonly approximate: 'none' | 'tanh';
  constructor(options: { approximate?: 'none' | 'tanh' } = {}) {
    super();
    checkOptions('GELU', options, ['approximate']);
    const a = options.approximate ?? 'none';
    if (a !== 'none' && a !== 'tanh')
      fail('GELU', `approximate must be 'none' or 'tanh', got ${JSON.stringify(a)}`);
    this.approximate = a;
  }
  forward(x: Tensor): Tensor {
    return x.gelu({ approximate: this.approximate });
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return x.tanh();
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}

export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    return x.silu();
  }
}

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.leakyRelu(this.negativeSlope);
  }
}

/** nn.Softmax(dim): the dim is required (PyTorch's implicit choice is deprecated). */
export class Softmax extends Module {
  readonly dim: number;
  constructor(dim: number) {
    super();
    if (!Number.isInteger(dim)) fail('Softmax', `dim must be an integer, got ${dim}`);
    this.dim = dim;
  }
  forward(x: Tensor): Tensor {
    return x.softmax(this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }
}
