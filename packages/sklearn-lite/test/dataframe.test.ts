import { DataFrame } from '@lumen/data';
import {
  KMeans,
  LinearRegression,
  LogisticRegression,
  loadIris,
  PCA,
  StandardScaler,
} from '@lumen/sklearn-lite';
import { describe, expect, it } from 'vitest';

describe('@lumen/data DataFrame and Series as inputs', () => {
  const iris = loadIris();
  const rows = iris.data.arraySync() as number[][];
  const columns: Record<string, number[]> = {};
  iris.featureNames.forEach((name, j) => {
    columns[name] = rows.map((r) => r[j]!);
  });
  columns.target = Array.from(iris.target.dataSync());
  const df = new DataFrame(columns);
  const X = df.drop({ columns: ['target'] });
  const y = df.col('target');

  it('estimators give the same numbers for a DataFrame as for the Tensor', () => {
    expect(new StandardScaler().fitTransform(X).arraySync()).toEqual(
      new StandardScaler().fitTransform(iris.data).arraySync(),
    );
    expect(new PCA({ nComponents: 2 }).fit(X).components_.arraySync()).toEqual(
      new PCA({ nComponents: 2 }).fit(iris.data).components_.arraySync(),
    );
    expect(new KMeans({ nClusters: 3, randomState: 0 }).fit(X).inertia_).toBe(
      new KMeans({ nClusters: 3, randomState: 0 }).fit(iris.data).inertia_,
    );
    const petalWidth = df.col('petal width (cm)');
    const lr = new LinearRegression().fit(df.drop({ columns: ['target', 'petal width (cm)'] }), petalWidth);
    expect(lr.score(df.drop({ columns: ['target', 'petal width (cm)'] }), petalWidth)).toBeGreaterThan(0.9);
    const clf = new LogisticRegression({ maxIter: 1000 }).fit(X, y);
    expect(clf.score(X, y)).toBeGreaterThan(0.95);
  });

  it('a frame with a text column fails with a message that names it', () => {
    const bad = new DataFrame({ a: [1, 2, 3], b: ['x', 'y', 'z'] });
    expect(() => new StandardScaler().fit(bad)).toThrow(/column "b" holds strings/);
  });
});
