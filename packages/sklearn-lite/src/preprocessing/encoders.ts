import { ShapeError, Tensor, tensor } from '@lumen/tensor';
import { describe, fail } from '../base/errors.js';
import { BaseEstimator, checkOneOf } from '../base/estimator.js';
import { type LabelsLike, type MatrixLike, toLabels, toMatrix, uniqueLabels } from '../base/input.js';

type Label = number | string;

/** Encodes labels as integers 0..nClasses-1 in sorted label order. */
export class LabelEncoder extends BaseEstimator<Record<string, never>> {
  private classes: Label[] | null = null;

  constructor(opts?: Partial<Record<string, never>>) {
    super({}, opts);
  }

  fit(y: LabelsLike): this {
    this.classes = uniqueLabels(toLabels('LabelEncoder.fit', 'y', y)) as Label[];
    return this;
  }

  /** The class index of each label, as an int32 Tensor. */
  transform(y: LabelsLike): Tensor {
    const classes = this.fitted(this.classes, 'transform');
    const labels = toLabels('LabelEncoder.transform', 'y', y) as Label[];
    const index = new Map(classes.map((c, i) => [c, i]));
    const unseen = [...new Set(labels.filter((l) => !index.has(l)))];
    if (unseen.length > 0)
      fail('LabelEncoder.transform', `y contains previously unseen labels: ${JSON.stringify(unseen)}`);
    return tensor(
      Int32Array.from(labels, (l) => index.get(l)!),
      { dtype: 'int32', device: 'cpu' },
    );
  }

  fitTransform(y: LabelsLike): Tensor {
    return this.fit(y).transform(y);
  }

  /** The labels of class indices (numbers or strings, as fitted). */
  inverseTransform(indices: LabelsLike): Label[] {
    const classes = this.fitted(this.classes, 'inverseTransform');
    const idx = toLabels('LabelEncoder.inverseTransform', 'indices', indices);
    return (idx as Label[]).map((i, k) => {
      if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= classes.length) {
        fail(
          'LabelEncoder.inverseTransform',
          `indices[${k}] must be an integer in [0, ${classes.length}), got ${describe(i)}`,
        );
      }
      return classes[i]!;
    });
  }

  /** The sorted distinct labels seen in fit. */
  get classes_(): Label[] {
    return [...this.fitted(this.classes, 'classes_')];
  }
}

/** Rows of categories: numbers or strings per cell. */
export type CategoricalLike = MatrixLike | readonly (readonly Label[])[];

function toCategoryColumns(op: string, X: CategoricalLike): Label[][] {
  if (
    Array.isArray(X) &&
    X.some((row) => Array.isArray(row) && row.some((v: unknown) => typeof v === 'string'))
  ) {
    const rows = X as readonly (readonly Label[])[];
    const d = rows[0]?.length ?? 0;
    if (rows.length === 0 || d === 0) fail(op, 'X must have at least one sample and one feature');
    const cols: Label[][] = Array.from({ length: d }, () => new Array(rows.length));
    rows.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== d)
        fail(op, `X is ragged: row ${i} has ${describe(row)}, row 0 has ${d} values`);
      row.forEach((v, j) => {
        if (typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v)))
          fail(op, `X[${i}][${j}] must be a string or a finite number, got ${describe(v)}`);
        cols[j]![i] = v;
      });
    });
    for (let j = 0; j < d; j++) {
      const kinds = new Set(cols[j]!.map((v) => typeof v));
      if (kinds.size > 1) fail(op, `column ${j} mixes strings and numbers; encode one kind per column`);
    }
    return cols;
  }
  const A = toMatrix(op, 'X', X instanceof Tensor ? X : (X as MatrixLike));
  return Array.from({ length: A.cols }, (_, j) =>
    Array.from({ length: A.rows }, (_, i) => A.data[i * A.cols + j]!),
  );
}

export interface OneHotEncoderOptions {
  handleUnknown: 'error' | 'ignore';
  /** Drop no category (null), the first of each feature, or the first of binary features. */
  drop: 'first' | 'if_binary' | null;
}

/** One column per (feature, category); dense float64 output. */
export class OneHotEncoder extends BaseEstimator<OneHotEncoderOptions> {
  private categories: Label[][] | null = null;

  constructor(opts?: Partial<OneHotEncoderOptions>) {
    super({ handleUnknown: 'error', drop: null }, opts);
  }

  fit(X: CategoricalLike, _y?: unknown): this {
    const op = 'OneHotEncoder.fit';
    checkOneOf(op, 'handleUnknown', this.params.handleUnknown, ['error', 'ignore'] as const);
    if (this.params.drop !== null) checkOneOf(op, 'drop', this.params.drop, ['first', 'if_binary'] as const);
    this.categories = toCategoryColumns(op, X).map((c) => uniqueLabels(c as number[]) as Label[]);
    return this;
  }

  private dropped(j: number): number {
    const cats = this.categories![j]!;
    if (this.params.drop === 'first' || (this.params.drop === 'if_binary' && cats.length === 2)) return 0;
    return -1;
  }

  transform(X: CategoricalLike): Tensor {
    const op = 'OneHotEncoder.transform';
    const categories = this.fitted(this.categories, 'transform');
    const cols = toCategoryColumns(op, X);
    if (cols.length !== categories.length)
      fail(
        op,
        `X has ${cols.length} features, but OneHotEncoder was fitted with ${categories.length}`,
        ShapeError,
      );
    const n = cols[0]!.length;
    const offsets: number[] = [];
    let width = 0;
    categories.forEach((c, j) => {
      offsets.push(width);
      width += c.length - (this.dropped(j) >= 0 ? 1 : 0);
    });
    const out = new Float64Array(n * width);
    cols.forEach((col, j) => {
      const index = new Map(categories[j]!.map((c, k) => [c, k]));
      const drop = this.dropped(j);
      col.forEach((v, i) => {
        const k = index.get(v);
        if (k === undefined) {
          if (this.params.handleUnknown === 'error')
            fail(op, `found unknown categories [${JSON.stringify(v)}] in column ${j} during transform`);
          return;
        }
        if (k === drop) return;
        out[i * width + offsets[j]! + (drop >= 0 && k > drop ? k - 1 : k)] = 1;
      });
    });
    return tensor(out, { shape: [n, width], dtype: 'float64', device: 'cpu' });
  }

  fitTransform(X: CategoricalLike, _y?: unknown): Tensor {
    return this.fit(X).transform(X);
  }

  /** Output column names like scikit-learn's get_feature_names_out: `x0_a`, `x1_3`. */
  getFeatureNamesOut(inputFeatures?: readonly string[]): string[] {
    const categories = this.fitted(this.categories, 'getFeatureNamesOut');
    const names: string[] = [];
    categories.forEach((cats, j) => {
      const drop = this.dropped(j);
      cats.forEach((c, k) => {
        if (k !== drop) names.push(`${inputFeatures?.[j] ?? `x${j}`}_${String(c)}`);
      });
    });
    return names;
  }

  /** The sorted categories of each feature. */
  get categories_(): Label[][] {
    return this.fitted(this.categories, 'categories_').map((c) => [...c]);
  }
}
