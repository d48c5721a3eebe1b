import {
  type Device,
  type DType,
  fromBuffer,
  getDefaultDevice,
  Tensor,
  type TypedArray,
  tensor,
} from '@lumen/tensor';
import { Column } from '../column/column.js';
import type { ColumnDType } from '../column/dtype.js';
import { describe, fail, listNames } from '../errors.js';
import { checkOptions } from '../options.js';

export interface ToTensorOptions {
  /** The tensor's dtype (default: float32 for float columns, int32 for integers, bool for booleans). */
  dtype?: DType;
  device?: Device;
}

export interface FrameToTensorOptions extends ToTensorOptions {
  /** Only these columns, in this order (default: all). */
  columns?: readonly string[];
}

/**
 * The column's own array, when a cpu tensor of `dtype` can be a view of it: float64 as float64,
 * int32 (or Int32 without missing values) as int32, bool (or boolean without missing values) as
 * bool. Anything else needs a conversion, so a copy.
 */
function shareable(col: Column, dtype: DType, device: Device): Float64Array | Int32Array | Uint8Array | null {
  if (device !== 'cpu') return null;
  if (col.valid !== null && col.naCount() > 0) return null;
  const d = col.dtype;
  if (dtype === 'float64' && d === 'float64') return col.values as Float64Array;
  if (dtype === 'int32' && (d === 'int32' || d === 'Int32')) return col.values as Int32Array;
  if (dtype === 'bool' && (d === 'bool' || d === 'boolean')) return col.values as Uint8Array;
  return null;
}

const TENSOR_DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

/** The tensor dtype a column turns into by default: floats → float32 (Lumen's default float), ints → int32, booleans → bool. */
export function defaultTensorDType(d: ColumnDType): DType {
  return d === 'float64' ? 'float32' : d === 'int32' || d === 'Int32' ? 'int32' : 'bool';
}

function checkTarget(op: string, opts: ToTensorOptions, keys: readonly string[] = ['dtype', 'device']): void {
  checkOptions(op, opts, keys);
  if (opts.dtype !== undefined && !TENSOR_DTYPES.includes(opts.dtype)) {
    fail(op, `dtype must be one of float32, float64, int32, bool; got ${describe(opts.dtype)}`);
  }
}

function allocate(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'bool':
      return new Uint8Array(n);
  }
}

/**
 * Writes column `col` into `out` at out[offset + i·stride]. Missing values become NaN in a float
 * tensor and are an error otherwise; a float that is not an integer (or not 0/1 for bool) is an
 * error rather than a silent truncation.
 */
function writeColumn(
  op: string,
  what: string,
  col: Column,
  dtype: DType,
  out: TypedArray,
  offset: number,
  stride: number,
): void {
  if (col.dtype === 'string')
    fail(op, `column ${JSON.stringify(what)} holds strings; drop it or encode it as numbers first`);
  const n = col.length;
  const src = col.values as Float64Array | Int32Array | Uint8Array;
  const valid = col.valid;
  const isFloat = dtype === 'float32' || dtype === 'float64';
  for (let i = 0; i < n; i++) {
    let v = src[i]!;
    if (valid !== null && valid[i] === 0) v = Number.NaN;
    if (!isFloat) {
      if (v !== v) {
        fail(
          op,
          `column ${JSON.stringify(what)} has a missing value at row ${i}, which ${dtype} cannot hold; fillna() first or use a float dtype`,
        );
      }
      if (
        dtype === 'int32' ? !Number.isInteger(v) || v < -2147483648 || v > 2147483647 : v !== 0 && v !== 1
      ) {
        fail(
          op,
          `column ${JSON.stringify(what)} row ${i} is ${v}, which is not a ${dtype === 'int32' ? 'int32 integer' : 'bool (0 or 1)'}`,
        );
      }
    }
    out[offset + i * stride] = v;
  }
}

export function columnToTensor(op: string, what: string, col: Column, opts: ToTensorOptions): Tensor {
  checkTarget(op, opts);
  const dtype = opts.dtype ?? defaultTensorDType(col.dtype === 'string' ? 'float64' : col.dtype);
  const shared = shareable(col, dtype, opts.device ?? getDefaultDevice());
  if (shared !== null) return fromBuffer(shared);
  const out = allocate(dtype, col.length);
  writeColumn(op, what, col, dtype, out, 0, 1);
  return tensor(out as Float32Array, { dtype, device: opts.device, shape: [col.length] });
}

/**
 * A [rows, columns] tensor, row-major (as torch.tensor(df.values)). One column that a view can
 * show (see `shareable`) is shared, as [rows, 1]; several columns are interleaved, so copied.
 */
export function columnsToTensor(
  op: string,
  allNames: readonly string[],
  allCols: readonly Column[],
  rows: number,
  opts: FrameToTensorOptions,
): Tensor {
  checkTarget(op, opts, ['columns', 'dtype', 'device']);
  let names = allNames;
  let cols = allCols;
  if (opts.columns !== undefined) {
    if (!Array.isArray(opts.columns) || opts.columns.some((c) => typeof c !== 'string'))
      fail(op, `columns must be an array of column names, got ${describe(opts.columns)}`);
    const missing = opts.columns.filter((c) => !allNames.includes(c));
    if (missing.length > 0)
      fail(
        op,
        `columns names columns that are not in the frame: ${listNames(missing)}; the columns are ${listNames(allNames)}`,
      );
    names = opts.columns;
    cols = names.map((n) => allCols[allNames.indexOf(n)]!);
  }
  let dtype = opts.dtype;
  if (dtype === undefined) {
    const kinds = new Set(
      cols.map((c) => (c.dtype === 'string' ? 'float64' : c.dtype)).map(defaultTensorDType),
    );
    dtype = kinds.size === 1 ? [...kinds][0]! : 'float32';
  }
  const m = cols.length;
  const shared = m === 1 ? shareable(cols[0]!, dtype, opts.device ?? getDefaultDevice()) : null;
  if (shared !== null) return fromBuffer(shared, { shape: [rows, 1] });
  const out = allocate(dtype, rows * m);
  cols.forEach((c, j) => {
    writeColumn(op, names[j]!, c, dtype, out, j, m);
  });
  return tensor(out as Float32Array, { dtype, device: opts.device, shape: [rows, m] });
}

/** Columns from a cpu tensor of shape [rows] or [rows, columns]: float32 widens to float64. */
export function tensorToColumns(op: string, t: Tensor, data?: TypedArray): Column[] {
  if (!(t instanceof Tensor)) fail(op, `expected a Tensor, got ${describe(t)}`);
  if (t.ndim !== 1 && t.ndim !== 2)
    fail(op, `expected a 1-d or 2-d tensor, got shape [${t.shape.join(', ')}]`);
  if (data === undefined && t.device !== 'cpu') {
    fail(op, `the tensor is on ${t.device}; use \`await DataFrame.fromTensorAsync(t)\` to wait for the GPU`);
  }
  const flat = data ?? t.dataSync();
  const rows = t.shape[0]!;
  const m = t.ndim === 2 ? t.shape[1]! : 1;
  const cols: Column[] = [];
  for (let j = 0; j < m; j++) {
    let col: Column;
    if (t.dtype === 'int32') {
      const v = new Int32Array(rows);
      for (let i = 0; i < rows; i++) v[i] = flat[i * m + j]!;
      col = new Column('int32', v);
    } else if (t.dtype === 'bool') {
      const v = new Uint8Array(rows);
      for (let i = 0; i < rows; i++) v[i] = flat[i * m + j]!;
      col = new Column('bool', v);
    } else {
      const v = new Float64Array(rows);
      for (let i = 0; i < rows; i++) v[i] = flat[i * m + j]!;
      col = new Column('float64', v);
    }
    cols.push(col);
  }
  return cols;
}
