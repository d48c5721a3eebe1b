import { Module, Parameter } from '@lumen/nn';
import { addmm, normal, type Tensor, zeros } from '@lumen/tensor';
import { randomInitSkipped } from './construction.js';
import { fail, fmtShape } from './errors.js';

/**
 * transformers' Conv1D (GPT-2's linear layers): y = x·W + b with W stored as [in, out], the
 * transpose of nn.Linear's. Keeping the checkpoint's layout means GPT-2 weights load and save
 * with no transposes at all.
 */
export class Conv1D extends Module {
  weight: Tensor;
  bias: Tensor;
  readonly nf: number;

  /** nf = output features, nx = input features (transformers' argument order). */
  constructor(nf: number, nx: number, initializerRange = 0.02) {
    super();
    for (const [name, v] of [
      ['nf', nf],
      ['nx', nx],
    ] as const) {
      if (!Number.isInteger(v) || v <= 0) fail('Conv1D', `${name} must be a positive integer, got ${v}`);
    }
    this.nf = nf;
    this.weight = Parameter(randomInitSkipped() ? zeros([nx, nf]) : normal([nx, nf], 0, initializerRange));
    this.bias = Parameter(zeros([nf]));
  }

  forward(x: Tensor): Tensor {
    const nx = this.weight.shape[0]!;
    if (x.shape[x.ndim - 1] !== nx)
      fail('Conv1D', `the input's last dim must be ${nx}, got input shape ${fmtShape(x.shape)}`);
    // transformers' Conv1D: addmm(bias, x.view(-1, nx), weight), one op
    if (x.ndim < 2) return x.matmul(this.weight).add(this.bias);
    const lead = x.shape.slice(0, -1);
    const rows = lead.reduce((a, b) => a * b, 1);
    return addmm(this.bias, x.reshape([rows, nx]), this.weight).reshape([...lead, this.nf]);
  }

  override extraRepr(): string {
    return `nf=${this.nf}, nx=${this.weight.shape[0]}`;
  }
}
