import { LumenError, ShapeError, NotFittedError as TensorNotFittedError, tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { NotFittedError, PCA } from '../src/index.js';

describe('@lumen/sklearn-lite: errors by category', () => {
  it('NotFittedError is @lumen/tensor’s, a LumenError, thrown by transform before fit', () => {
    expect(NotFittedError).toBe(TensorNotFittedError);
    let e: unknown;
    try {
      new PCA().transform(tensor([[1, 2]]));
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(NotFittedError);
    expect(e).toBeInstanceOf(LumenError);
    expect((e as Error).name).toBe('NotFittedError');
  });

  it('transform with another number of features than fit is a ShapeError', () => {
    const pca = new PCA({ nComponents: 1 }).fit(
      tensor([
        [1, 2],
        [3, 5],
        [4, 4],
      ]),
    );
    expect(() => pca.transform(tensor([[1, 2, 3]]))).toThrow(ShapeError);
    expect(() => pca.transform(tensor([[1, 2, 3]]))).toThrow(
      'PCA.transform: X has 3 features, but PCA was fitted with 2 features',
    );
  });
});
