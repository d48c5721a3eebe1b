import { checkOptions, type Tensor, tensor } from '@lumen/tensor';
import { fail } from '../base/errors.js';
import { optionKeys } from '../base/estimator.js';
import { DIGITS_PIXELS, DIGITS_TARGET } from './data/digits.generated.js';
import { IRIS_DATA, IRIS_TARGET } from './data/iris.generated.js';

/** A bundled data set, shaped like scikit-learn's Bunch. */
export interface Dataset {
  /** (nSamples, nFeatures) float64. */
  data: Tensor;
  /** (nSamples,) int32 class indices. */
  target: Tensor;
  featureNames: string[];
  targetNames: string[];
  /** Where the data come from and under which licence. */
  description: string;
}

/** Fisher's iris: 150 flowers, 4 measurements in cm, 3 species (UCI, CC BY 4.0; scikit-learn's copy). */
export function loadIris(): Dataset {
  const rows = IRIS_DATA.split(' ');
  const data = new Float64Array(rows.length * 4);
  rows.forEach((r, i) => {
    r.split(',').forEach((v, j) => {
      data[i * 4 + j] = Number(v);
    });
  });
  return {
    data: tensor(data, { shape: [rows.length, 4], dtype: 'float64', device: 'cpu' }),
    target: tensor(Int32Array.from(IRIS_TARGET, Number), { dtype: 'int32', device: 'cpu' }),
    featureNames: ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)'],
    targetNames: ['setosa', 'versicolor', 'virginica'],
    description:
      'Iris plants data set (R. A. Fisher, 1936), UCI Machine Learning Repository, CC BY 4.0; as bundled with scikit-learn (BSD-3-Clause).',
  };
}

/**
 * The 1,797 8x8 handwritten digits (pixels 0..16) that scikit-learn bundles (UCI Optical
 * Recognition of Handwritten Digits, test set, CC BY 4.0). `nClass` keeps digits 0..nClass-1.
 */
export function loadDigits(opts: { nClass?: number } = {}): Dataset & { images: Tensor } {
  checkOptions('loadDigits', opts, optionKeys<typeof opts>({ nClass: true }));
  const nClass = opts.nClass ?? 10;
  if (!Number.isInteger(nClass) || nClass < 1 || nClass > 10)
    fail('loadDigits', `nClass must be an integer in [1, 10], got ${nClass}`);
  const keep: number[] = [];
  for (let i = 0; i < DIGITS_TARGET.length; i++) if (Number(DIGITS_TARGET[i]) < nClass) keep.push(i);
  const n = keep.length;
  const data = new Float64Array(n * 64);
  keep.forEach((src, i) => {
    for (let j = 0; j < 64; j++) data[i * 64 + j] = Number.parseInt(DIGITS_PIXELS[src * 64 + j]!, 17);
  });
  const featureNames: string[] = [];
  for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) featureNames.push(`pixel_${r}_${c}`);
  return {
    data: tensor(data, { shape: [n, 64], dtype: 'float64', device: 'cpu' }),
    images: tensor(data, { shape: [n, 8, 8], dtype: 'float64', device: 'cpu' }),
    target: tensor(
      Int32Array.from(keep, (i) => Number(DIGITS_TARGET[i])),
      { dtype: 'int32', device: 'cpu' },
    ),
    featureNames,
    targetNames: Array.from({ length: nClass }, (_, i) => String(i)),
    description:
      'Optical Recognition of Handwritten Digits (E. Alpaydin, C. Kaynak), UCI Machine Learning Repository, CC BY 4.0; as bundled with scikit-learn (BSD-3-Clause).',
  };
}
