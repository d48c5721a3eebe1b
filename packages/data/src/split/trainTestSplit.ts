import type { Generator } from '@lumen/tensor';
import { Tensor, tensor } from '@lumen/tensor';
import { describe, fail } from '../errors.js';
import { compareCells } from '../frame/algorithms.js';
import { DataFrame } from '../frame/dataFrame.js';
import { Series } from '../frame/series.js';
import { checkOptions } from '../options.js';
import { choiceWithoutReplacement, type RandomState, resolveRandomState } from '../random.js';

type TypedArrayInput =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint8Array
  | Int16Array
  | Int8Array
  | Uint16Array
  | Uint32Array;

/** What trainTestSplit can split along the first dimension. */
export type SplitInput = Tensor | DataFrame | Series | TypedArrayInput | readonly unknown[];

export interface SplitOptions {
  /** A fraction in (0, 1) or a count (an integer >= 1). Default 0.25 when trainSize is not given either. */
  testSize?: number;
  trainSize?: number;
  randomState?: RandomState;
  /** Shuffle before splitting (default true). */
  shuffle?: boolean;
  /** Class labels to keep in the same proportions in both parts. */
  stratify?: Tensor | Series | readonly (number | string | boolean)[] | TypedArrayInput;
}

const OPTION_KEYS = ['testSize', 'trainSize', 'randomState', 'shuffle', 'stratify'];

function isOptions(x: unknown): x is SplitOptions {
  return (
    x !== null &&
    typeof x === 'object' &&
    !Array.isArray(x) &&
    !ArrayBuffer.isView(x) &&
    !(x instanceof Tensor) &&
    !(x instanceof DataFrame) &&
    !(x instanceof Series)
  );
}

function lengthOf(x: SplitInput, i: number): number {
  if (x instanceof Tensor) {
    if (x.ndim === 0)
      fail('trainTestSplit', `arrays[${i}] is a 0-d tensor; it needs a first dimension of samples`);
    return x.shape[0]!;
  }
  if (x instanceof DataFrame) return x.shape[0];
  if (x instanceof Series) return x.length;
  if (Array.isArray(x) || ArrayBuffer.isView(x)) return (x as ArrayLike<unknown>).length;
  return fail(
    'trainTestSplit',
    `arrays[${i}] must be a Tensor, DataFrame, Series, array or typed array, got ${describe(x)}`,
  );
}

function take<T extends SplitInput>(x: T, idx: Int32Array): T {
  if (x instanceof Tensor) return x.indexSelect(0, tensor(idx, { dtype: 'int32', device: x.device })) as T;
  if (x instanceof DataFrame) return x.iloc(idx) as T;
  if (x instanceof Series) return x.iloc(idx) as T;
  if (Array.isArray(x)) return Array.from(idx, (i) => x[i]) as unknown as T;
  const typed = x as TypedArrayInput;
  const out = new (typed.constructor as new (n: number) => TypedArrayInput)(idx.length);
  for (let k = 0; k < idx.length; k++) out[k] = typed[idx[k]!]!;
  return out as T;
}

/** scikit-learn's _validate_shuffle_split: integers are counts, non-integers in (0, 1) fractions. */
function sizes(n: number, testSize: number | undefined, trainSize: number | undefined): [number, number] {
  const check = (name: string, v: number | undefined): void => {
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v))
      fail('trainTestSplit', `${name} must be a number, got ${describe(v)}`);
    if (Number.isInteger(v) ? v >= n || v <= 0 : v <= 0 || v >= 1) {
      fail(
        'trainTestSplit',
        `${name}=${v} should be either positive and smaller than the number of samples ${n} or a float in the (0, 1) range`,
      );
    }
  };
  if (testSize === undefined && trainSize === undefined) testSize = 0.25;
  check('testSize', testSize);
  check('trainSize', trainSize);
  const isFrac = (v: number | undefined): boolean => v !== undefined && !Number.isInteger(v);
  if (isFrac(testSize) && isFrac(trainSize) && testSize! + trainSize! > 1) {
    fail(
      'trainTestSplit',
      `the sum of testSize and trainSize = ${testSize! + trainSize!} should be in the (0, 1) range; reduce testSize and/or trainSize`,
    );
  }
  let nTest = testSize === undefined ? 0 : isFrac(testSize) ? Math.ceil(testSize * n) : testSize;
  let nTrain = trainSize === undefined ? 0 : isFrac(trainSize) ? Math.floor(trainSize * n) : trainSize;
  if (trainSize === undefined) nTrain = n - nTest;
  else if (testSize === undefined) nTest = n - nTrain;
  if (nTrain + nTest > n) {
    fail(
      'trainTestSplit',
      `the sum of train and test sizes = ${nTrain + nTest} should be smaller than the number of samples ${n}; reduce testSize and/or trainSize`,
    );
  }
  if (nTrain === 0) {
    fail(
      'trainTestSplit',
      `with n_samples=${n}, testSize=${testSize} and trainSize=${trainSize}, the resulting train set would be empty; adjust any of these`,
    );
  }
  return [nTrain, nTest];
}

/** Labels as comparable keys (a 2-d label matrix row becomes one space-joined key, as scikit-learn does). */
function labelsOf(y: NonNullable<SplitOptions['stratify']>): (number | string | boolean)[] {
  if (y instanceof Tensor) {
    if (y.ndim === 1)
      return Array.from(y.dataSync() as ArrayLike<number>, (v) => (y.dtype === 'bool' ? v === 1 : v));
    if (y.ndim === 2) return (y.arraySync() as number[][]).map((row) => row.join(' '));
    return fail('trainTestSplit', `stratify must be 1-d or 2-d, got shape [${y.shape.join(', ')}]`);
  }
  if (y instanceof Series) {
    if (y.column.naCount() > 0) fail('trainTestSplit', 'stratify has missing values');
    return y.toArray() as (number | string | boolean)[];
  }
  if (Array.isArray(y) || ArrayBuffer.isView(y)) {
    return Array.from(y as ArrayLike<number | string | boolean>, (v, i) => {
      if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean')
        fail('trainTestSplit', `stratify[${i}] must be a number, string or boolean, got ${describe(v)}`);
      return v;
    });
  }
  return fail('trainTestSplit', `stratify must be a Tensor, Series or array of labels, got ${describe(y)}`);
}

/** scikit-learn's _approximate_mode: class counts for nDraws, remainders handed out largest first, ties broken at random. */
function approximateMode(classCounts: number[], nDraws: number, gen: Generator): number[] {
  const total = classCounts.reduce((s, c) => s + c, 0);
  const continuous = classCounts.map((c) => (c / total) * nDraws);
  const floored = continuous.map(Math.floor);
  let need = nDraws - floored.reduce((s, c) => s + c, 0);
  if (need > 0) {
    const remainder = continuous.map((c, i) => c - floored[i]!);
    const values = [...new Set(remainder)].sort((a, b) => b - a);
    for (const value of values) {
      const inds = remainder.flatMap((r, i) => (r === value ? [i] : []));
      const addNow = Math.min(inds.length, need);
      for (const k of choiceWithoutReplacement(gen, inds.length, addNow)) floored[inds[k]!]!++;
      need -= addNow;
      if (need === 0) break;
    }
  }
  return floored;
}

function stratifiedIndices(
  labels: (number | string | boolean)[],
  nTrain: number,
  nTest: number,
  gen: Generator,
): [Int32Array, Int32Array] {
  if (labels.length !== undefined && labels.length === 0) fail('trainTestSplit', 'stratify is empty');
  const classes = [...new Set(labels)].sort(compareCells);
  const code = new Map(classes.map((c, i) => [c, i]));
  const yIndices = labels.map((l) => code.get(l)!);
  const classCounts = classes.map(() => 0);
  for (const c of yIndices) classCounts[c]!++;
  if (Math.min(...classCounts) < 2) {
    fail(
      'trainTestSplit',
      'the least populated class in stratify has only 1 member, which is too few; every class needs at least 2',
    );
  }
  if (nTrain < classes.length)
    fail(
      'trainTestSplit',
      `the train size ${nTrain} should be greater or equal to the number of classes ${classes.length}`,
    );
  if (nTest < classes.length)
    fail(
      'trainTestSplit',
      `the test size ${nTest} should be greater or equal to the number of classes ${classes.length}`,
    );
  // positions of each class in ascending order (a stable argsort of the class codes)
  const classIndices: number[][] = classes.map(() => []);
  yIndices.forEach((c, i) => {
    classIndices[c]!.push(i);
  });
  const nI = approximateMode(classCounts, nTrain, gen);
  const tI = approximateMode(
    classCounts.map((c, i) => c - nI[i]!),
    nTest,
    gen,
  );
  const train: number[] = [];
  const test: number[] = [];
  classIndices.forEach((members, i) => {
    const perm = gen.permutation(members.length);
    const shuffled = Array.from(perm, (p) => members[p]!);
    train.push(...shuffled.slice(0, nI[i]));
    test.push(...shuffled.slice(nI[i], nI[i]! + tI[i]!));
  });
  const permTrain = gen.permutation(train.length);
  const permTest = gen.permutation(test.length);
  return [Int32Array.from(permTrain, (p) => train[p]!), Int32Array.from(permTest, (p) => test[p]!)];
}

/**
 * scikit-learn's train_test_split: `[aTrain, aTest, bTrain, bTest, …]` for the arrays given
 * (Tensors, DataFrames, Series, arrays). Shuffled as ShuffleSplit does (the first nTest of a
 * permutation are the test rows), or stratified as StratifiedShuffleSplit (class proportions
 * kept, rounding as scikit-learn rounds). Our random stream is not NumPy's, so the rows chosen
 * differ from scikit-learn's for the same seed; the sizes and per-class counts are the same.
 */
export function trainTestSplit<A extends SplitInput>(a: A, opts?: SplitOptions): [A, A];
export function trainTestSplit<A extends SplitInput, B extends SplitInput>(
  a: A,
  b: B,
  opts?: SplitOptions,
): [A, A, B, B];
export function trainTestSplit<A extends SplitInput, B extends SplitInput, C extends SplitInput>(
  a: A,
  b: B,
  c: C,
  opts?: SplitOptions,
): [A, A, B, B, C, C];
export function trainTestSplit(...args: (SplitInput | SplitOptions)[]): SplitInput[];
export function trainTestSplit(...args: (SplitInput | SplitOptions | undefined)[]): SplitInput[] {
  let opts: SplitOptions = {};
  if (args.length > 0 && (args[args.length - 1] === undefined || isOptions(args[args.length - 1])))
    opts = (args.pop() as SplitOptions) ?? {};
  checkOptions('trainTestSplit', opts, OPTION_KEYS);
  const arrays = args as SplitInput[];
  if (arrays.length === 0) fail('trainTestSplit', 'at least one array required as input');
  const lengths = arrays.map(lengthOf);
  if (new Set(lengths).size > 1)
    fail(
      'trainTestSplit',
      `found input variables with inconsistent numbers of samples: [${lengths.join(', ')}]`,
    );
  const n = lengths[0]!;
  const [nTrain, nTest] = sizes(n, opts.testSize, opts.trainSize);
  let train: Int32Array;
  let test: Int32Array;
  if (opts.shuffle === false) {
    if (opts.stratify !== undefined)
      fail('trainTestSplit', 'stratified train/test split is not implemented for shuffle: false');
    train = Int32Array.from({ length: nTrain }, (_, i) => i);
    test = Int32Array.from({ length: nTest }, (_, i) => nTrain + i);
  } else {
    const gen = resolveRandomState('trainTestSplit', opts.randomState);
    if (opts.stratify !== undefined) {
      const labels = labelsOf(opts.stratify);
      if (labels.length !== n)
        fail('trainTestSplit', `stratify has ${labels.length} labels but the arrays have ${n} samples`);
      [train, test] = stratifiedIndices(labels, nTrain, nTest, gen);
    } else {
      const perm = gen.permutation(n);
      test = perm.slice(0, nTest);
      train = perm.slice(nTest, nTest + nTrain);
    }
  }
  return arrays.flatMap((x) => [take(x, train), take(x, test)]);
}
