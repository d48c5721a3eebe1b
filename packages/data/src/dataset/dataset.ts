import { Tensor, tensor } from '@lumen/tensor';
import { describe, fail } from '../errors.js';

/**
 * torch.utils.data.Dataset: something with a length whose items can be read by position. `get`
 * may return a Promise (files, network); such a dataset is read with `for await`. A dataset may
 * also offer `getBatch(indices)` to read a whole batch at once (TensorDataset does, with one
 * indexSelect per tensor instead of a stack of views).
 */
export interface Dataset<T> {
  readonly length: number;
  get(index: number): T | Promise<T>;
  getBatch?(indices: readonly number[]): T;
}

/** torch.utils.data.TensorDataset: item i is the i-th row of every tensor. */
export class TensorDataset implements Dataset<Tensor[]> {
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) fail('TensorDataset', 'expected at least one tensor');
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) fail('TensorDataset', `argument ${i} must be a Tensor, got ${describe(t)}`);
      if (t.ndim === 0)
        fail(
          'TensorDataset',
          `argument ${i} is a 0-d tensor; every tensor needs a first dimension of samples`,
        );
    });
    const n = tensors[0]!.shape[0]!;
    tensors.forEach((t, i) => {
      if (t.shape[0] !== n) {
        fail(
          'TensorDataset',
          `size mismatch between tensors: tensor 0 has ${n} samples (shape [${tensors[0]!.shape.join(', ')}]), tensor ${i} has ${t.shape[0]} (shape [${t.shape.join(', ')}])`,
        );
      }
    });
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }

  get(index: number): Tensor[] {
    if (!Number.isInteger(index) || index < -this.length || index >= this.length) {
      fail('TensorDataset.get', `index ${describe(index)} is out of range for ${this.length} samples`);
    }
    return this.tensors.map((t) => t.select(0, index));
  }

  getBatch(indices: readonly number[]): Tensor[] {
    return this.tensors.map((t) =>
      t.indexSelect(0, tensor(Int32Array.from(indices), { dtype: 'int32', device: t.device })),
    );
  }
}
