/**
 * Column element types, named as pandas names them. `float64` marks missing values with NaN;
 * `int32` and `bool` cannot hold missing values (pandas' int64 and bool); `Int32` and `boolean`
 * are the nullable variants (pandas' `Int64`/`boolean` extension types) with a validity mask;
 * `string` holds JS strings with `null` for missing (pandas' object columns of str).
 * int32 stands in for pandas' int64, as it does for torch's int64 in @lumen/tensor.
 */
export type ColumnDType = 'float64' | 'int32' | 'bool' | 'string' | 'Int32' | 'boolean';

export const COLUMN_DTYPES: readonly ColumnDType[] = [
  'float64',
  'int32',
  'bool',
  'string',
  'Int32',
  'boolean',
];

/** One cell: a number (NaN is missing in float64), a boolean, a string, or null (missing). */
export type Scalar = number | boolean | string | null;

export function isColumnDType(x: unknown): x is ColumnDType {
  return typeof x === 'string' && (COLUMN_DTYPES as readonly string[]).includes(x);
}

/** Numeric as pandas' describe() and corr() see it: numbers, not booleans or strings. */
export function isNumericDType(d: ColumnDType): boolean {
  return d === 'float64' || d === 'int32' || d === 'Int32';
}

export function isBoolDType(d: ColumnDType): boolean {
  return d === 'bool' || d === 'boolean';
}

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

export function isInt32(v: number): boolean {
  return Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX;
}
