import {
  LabelEncoder,
  loadDigits,
  loadIris,
  MinMaxScaler,
  OneHotEncoder,
  StandardScaler,
} from '@lumen/sklearn-lite';
import { describe, expect, it } from 'vitest';
import { expectClose, fixture } from './helpers.js';

const fx = fixture('preprocessing');

describe('scalers match scikit-learn 1.2.1', () => {
  for (const [name, X] of [
    ['iris', loadIris().data],
    ['digits', loadDigits().data],
  ] as const) {
    it(`StandardScaler and MinMaxScaler on ${name}`, () => {
      const ref = fx[name];
      const s = new StandardScaler().fit(X);
      expectClose(s.mean_, ref.mean, 1e-12, 1e-14);
      expectClose(s.var_, ref.var, 1e-12, 1e-12);
      expectClose(s.scale_, ref.scale, 1e-12, 1e-12);
      expectClose(s.transform(X.slice(0, 0, 5)), ref.transformed_head, 1e-12, 1e-12);
      expectClose(s.inverseTransform(s.transform(X)), X.arraySync() as number[][], 1e-12, 1e-12);
      const m = new MinMaxScaler({ featureRange: [-1, 2] }).fit(X);
      expectClose(m.scale_, ref.minmax_scale, 1e-12);
      expectClose(m.min_, ref.minmax_min, 1e-12);
      expectClose(m.transform(X.slice(0, 0, 5)), ref.minmax_head, 1e-12);
      expectClose(m.inverseTransform(m.transform(X)), X.arraySync() as number[][], 1e-12);
    });
  }
  it('MinMaxScaler clips and validates its range', () => {
    const m = new MinMaxScaler({ clip: true }).fit([[0], [10]]);
    expect(m.transform([[20], [-5], [5]]).arraySync()).toEqual([[1], [0], [0.5]]);
    expect(() => new MinMaxScaler({ featureRange: [1, 0] }).fit([[0], [1]])).toThrow(
      /minimum of desired feature range must be smaller than maximum/,
    );
  });
});

describe('encoders', () => {
  it('OneHotEncoder matches scikit-learn on string categories', () => {
    const ref = fx.onehot;
    const enc = new OneHotEncoder().fit(ref.X);
    expect(enc.categories_).toEqual(ref.categories);
    expect(enc.transform(ref.X).arraySync()).toEqual(ref.dense);
    expect(enc.getFeatureNamesOut()).toEqual(ref.names);
    expect(new OneHotEncoder({ drop: 'first' }).fitTransform(ref.X).arraySync()).toEqual(
      ref.dense_drop_first,
    );
    expect(() => enc.transform([['purple', 'S']])).toThrow(
      /found unknown categories \["purple"\] in column 0/,
    );
    expect(
      new OneHotEncoder({ handleUnknown: 'ignore' })
        .fit(ref.X)
        .transform([['purple', 'S']])
        .arraySync(),
    ).toEqual([[0, 0, 0, 0, 0, 1, 0]]);
  });
  it('LabelEncoder round-trips strings and numbers', () => {
    const le = new LabelEncoder().fit(['b', 'a', 'c', 'a']);
    expect(le.classes_).toEqual(['a', 'b', 'c']);
    expect(Array.from(le.transform(['c', 'a']).dataSync())).toEqual([2, 0]);
    expect(le.inverseTransform([2, 0, 1])).toEqual(['c', 'a', 'b']);
    expect(() => le.transform(['d'])).toThrow(/previously unseen labels: \["d"\]/);
    expect(Array.from(new LabelEncoder().fitTransform([10, 3, 3, 7]).dataSync())).toEqual([2, 0, 0, 1]);
  });
});
