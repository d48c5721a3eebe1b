import { describe, expect, it } from 'vitest';
import { KMeans, LogisticRegression, PCA } from '../src/index.js';

// Every estimator checks its options with @lumen/tensor's shared checkOptions, as every Lumen package does.
describe('estimator options: snake_case keys get "did you mean"', () => {
  it('names the camelCase key and the valid ones', () => {
    expect(() => new KMeans({ n_clusters: 3 } as never)).toThrow(
      /^KMeans: unknown option "n_clusters" \(did you mean `nClusters`\?\); the options are /,
    );
    expect(() => new PCA({ n_components: 2 } as never)).toThrow('did you mean `nComponents`?');
    expect(() => new LogisticRegression().setParams({ max_iter: 10 } as never)).toThrow(
      'LogisticRegression.setParams: unknown option "max_iter" (did you mean `maxIter`?)',
    );
  });
});
