import type { Tensor } from '@lumen/tensor';
import { fail } from './errors.js';

/**
 * transformers' ACT2FN for the names BERT and GPT-2 configs use. 'gelu' is the exact erf form;
 * 'gelu_new' (GPT-2), 'gelu_pytorch_tanh' and 'gelu_fast' are all the tanh approximation.
 */
export function activation(name: string): (x: Tensor) => Tensor {
  switch (name) {
    case 'gelu':
      return (x) => x.gelu();
    case 'gelu_new':
    case 'gelu_pytorch_tanh':
    case 'gelu_fast':
      return (x) => x.gelu({ approximate: 'tanh' });
    case 'relu':
      return (x) => x.relu();
    case 'tanh':
      return (x) => x.tanh();
    case 'silu':
    case 'swish':
      return (x) => x.silu();
    default:
      fail('activation', `unknown activation ${JSON.stringify(name)}`);
  }
}
