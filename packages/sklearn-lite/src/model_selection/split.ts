import { type SplitInput, type SplitOptions, trainTestSplit as splitSamples } from '@lumen/data';
import { CsrMatrix } from '../sparse/csr.js';

/** What trainTestSplit splits along the first dimension: @lumen/data's inputs and CsrMatrix. */
export type TrainTestSplitInput = SplitInput | CsrMatrix;

/**
 * scikit-learn's train_test_split (the one implementation, @lumen/data's, re-exported where
 * Python users look for it): `[aTrain, aTest, bTrain, bTest, …]` for Tensors, DataFrames, Series,
 * arrays and CsrMatrix rows. A CsrMatrix is split by splitting its row positions and selecting
 * those rows, so it gets exactly the rows the other arrays get.
 */
export function trainTestSplit<A extends TrainTestSplitInput>(a: A, opts?: SplitOptions): [A, A];
export function trainTestSplit<A extends TrainTestSplitInput, B extends TrainTestSplitInput>(
  a: A,
  b: B,
  opts?: SplitOptions,
): [A, A, B, B];
export function trainTestSplit<
  A extends TrainTestSplitInput,
  B extends TrainTestSplitInput,
  C extends TrainTestSplitInput,
>(a: A, b: B, c: C, opts?: SplitOptions): [A, A, B, B, C, C];
export function trainTestSplit(...args: (TrainTestSplitInput | SplitOptions)[]): TrainTestSplitInput[];
export function trainTestSplit(
  ...args: (TrainTestSplitInput | SplitOptions | undefined)[]
): TrainTestSplitInput[] {
  const mapped = args.map((a) =>
    a instanceof CsrMatrix ? Int32Array.from({ length: a.shape[0] }, (_, i) => i) : a,
  );
  const parts = splitSamples(...(mapped as (SplitInput | SplitOptions)[]));
  return parts.map((part, k) => {
    const source = args[k >> 1];
    return source instanceof CsrMatrix ? source.selectRows(part as Int32Array) : part;
  });
}
