import { describe, expect, it } from 'vitest';
import { DataLoader, parseCsv, TensorDataset, trainTestSplit } from '../src/index.js';

// the README's example, with its comments turned into assertions
describe('README example', () => {
  it('runs and prints what the comments say', () => {
    const df = parseCsv(
      'Time,V1,Amount,Class\n0,-1.36,149.62,"0"\n0,1.19,2.69,"0"\n1,-1.36,378.66,"1"\n1,-0.97,123.5,"0"\n',
    );
    expect(df.shape).toEqual([4, 4]);
    expect(df.dtypes).toEqual({ Time: 'int32', V1: 'float64', Amount: 'float64', Class: 'int32' });
    expect(df.describe().toString()).toContain('count  4.00000  4.000000    4.000000   4.00');
    expect(df.col('Class').valueCounts().toString()).toBe('0    3\n1    1\nName: Class, dtype: int32');
    const X = df.drop({ columns: ['Class'] }).toTensor();
    const y = df.col('Class').toTensor();
    expect([X.dtype, X.shape, y.dtype, y.shape]).toEqual(['float32', [4, 3], 'int32', [4]]);
    const [Xtrain, , ytrain] = trainTestSplit(X, y, { testSize: 0.5, randomState: 0 });
    const shapes = [
      ...new DataLoader(new TensorDataset(Xtrain, ytrain), { batchSize: 2, shuffle: true }),
    ].map(([xb, yb]) => [xb!.shape, yb!.shape]);
    expect(shapes).toEqual([[[2, 3], [2]]]);
  });
});
