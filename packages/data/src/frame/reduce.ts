import { Column } from '../column/column.js';
import { INT32_MAX, INT32_MIN } from '../column/dtype.js';
import { describe as describeValue, fail } from '../errors.js';
import { checkOptions } from '../options.js';
import { nanMax, nanMean, nanMin, nanStd, nanSum, nanVar } from '../stats/sum.js';
import type { DataFrame } from './dataFrame.js';
import { Index } from './rowIndex.js';
import { Series } from './series.js';

export interface ReduceOptions {
  /**
   * Which columns take part. `true`: only number and boolean columns. Not given: string columns
   * are an error that says to pass `numericOnly: true` — pandas 2 raises for mean/std of
   * strings; pandas 1.5 dropped them with a FutureWarning (mean/std) or returned an object
   * Series mixing strings and numbers (sum concatenates, min/max compare), which has no Lumen
   * dtype. Use `df.col(name).min()` for the smallest string of one column.
   */
  numericOnly?: boolean;
  /** Delta degrees of freedom for std and var (default 1, as pandas). */
  ddof?: number;
}

type ReduceName = 'sum' | 'mean' | 'std' | 'var' | 'min' | 'max';

/** One number per column, missing values skipped (pandas' skipna=True), as a Series indexed by column name. */
export function reduceColumns(df: DataFrame, fn: ReduceName, opts: ReduceOptions): Series {
  const op = `DataFrame.${fn}`;
  const keys = fn === 'std' || fn === 'var' ? ['numericOnly', 'ddof'] : ['numericOnly'];
  checkOptions(op, opts, keys);
  const ddof = opts.ddof ?? 1;
  if (!Number.isInteger(ddof) || ddof < 0)
    fail(op, `ddof must be an integer >= 0, got ${describeValue(ddof)}`);
  if (opts.numericOnly !== undefined && typeof opts.numericOnly !== 'boolean')
    fail(op, `numericOnly must be a boolean, got ${describeValue(opts.numericOnly)}`);
  const names: string[] = [];
  const cols: Column[] = [];
  for (const name of df.columns) {
    const c = df.columnData(name);
    if (c.dtype === 'string') {
      if (opts.numericOnly) continue;
      fail(
        op,
        `column ${JSON.stringify(name)} holds strings; pass { numericOnly: true } to reduce only the number and boolean columns`,
      );
    }
    names.push(name);
    cols.push(c);
  }
  const out = new Float64Array(cols.length);
  cols.forEach((c, j) => {
    const a = c.toFloat64();
    if (fn === 'sum') out[j] = nanSum(a);
    else if (fn === 'mean') out[j] = nanMean(a);
    else if (fn === 'std') out[j] = nanStd(a, ddof);
    else if (fn === 'var') out[j] = nanVar(a, ddof);
    else if (fn === 'min') out[j] = nanMin(a);
    else out[j] = nanMax(a);
  });
  const index = Index.from([...names]);
  // pandas keeps integer results integer when no column is float (int64 there, int32 here)
  const integral =
    (fn === 'sum' || fn === 'min' || fn === 'max') &&
    cols.length > 0 &&
    cols.every((c) => c.dtype === 'int32' || c.dtype === 'bool') &&
    out.every((v) => v >= INT32_MIN && v <= INT32_MAX);
  if (integral) return Series.of(new Column('int32', Int32Array.from(out)), index, null);
  return Series.of(new Column('float64', out), index, null);
}
