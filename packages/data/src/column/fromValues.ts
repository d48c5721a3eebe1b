import { describe, fail } from '../errors.js';
import { pyRepr } from '../format/pyNumber.js';
import { Column } from './column.js';
import { type ColumnDType, INT32_MAX, INT32_MIN, isColumnDType, isInt32 } from './dtype.js';

/** What a column can be made from: a Column, a typed array, or a JS array of cells. */
export type ColumnInput =
  | Column
  | Float64Array
  | Float32Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint32Array
  | Uint16Array
  | Uint8Array
  | readonly (number | boolean | string | null | undefined)[];

type Cell = number | boolean | string | null | undefined;

function isMissing(v: Cell): boolean {
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
}

/**
 * Builds a column from values. Without `dtype` the type is inferred as pandas infers it from a
 * Python list: integers → int32, numbers with missing values → float64, booleans → bool (with
 * missing → nullable `boolean`), strings → string. Mixed kinds (numbers and strings…) are an
 * error rather than a silent object column. Typed arrays are copied.
 */
export function toColumn(op: string, what: string, input: ColumnInput, dtype?: ColumnDType): Column {
  if (dtype !== undefined && !isColumnDType(dtype)) {
    fail(
      op,
      `dtype for ${what} must be one of float64, int32, bool, string, Int32, boolean; got ${describe(dtype)}`,
    );
  }
  if (input instanceof Column)
    return dtype === undefined || dtype === input.dtype ? input : castColumn(op, what, input, dtype);
  if (ArrayBuffer.isView(input))
    return fromTyped(op, what, input as Exclude<ColumnInput, Column | readonly Cell[]>, dtype);
  if (!Array.isArray(input))
    fail(op, `${what} must be an array, a typed array or a Column, got ${describe(input)}`);
  return fromCells(
    op,
    what,
    input as readonly Cell[],
    dtype ?? inferDType(op, what, input as readonly Cell[]),
  );
}

function fromTyped(
  op: string,
  what: string,
  a: Exclude<ColumnInput, Column | readonly Cell[]>,
  dtype?: ColumnDType,
): Column {
  if (dtype === undefined) {
    if (a instanceof Float64Array || a instanceof Float32Array)
      return new Column('float64', Float64Array.from(a));
    if (a instanceof Uint32Array) {
      for (let i = 0; i < a.length; i++)
        if (a[i]! > INT32_MAX) return new Column('float64', Float64Array.from(a));
    }
    return new Column('int32', Int32Array.from(a as ArrayLike<number>));
  }
  return fromCells(op, what, Array.from(a as ArrayLike<number>), dtype);
}

function inferDType(op: string, what: string, cells: readonly Cell[]): ColumnDType {
  let kind: 'number' | 'boolean' | 'string' | null = null;
  let missing = false;
  let allInt = true;
  for (let i = 0; i < cells.length; i++) {
    const v = cells[i];
    if (isMissing(v)) {
      missing = true;
      continue;
    }
    const k = typeof v;
    if (k !== 'number' && k !== 'boolean' && k !== 'string') {
      fail(op, `${what}[${i}] must be a number, boolean, string or null, got ${describe(v)}`);
    }
    if (kind === null) kind = k as 'number' | 'boolean' | 'string';
    else if (kind !== k) {
      fail(
        op,
        `${what} mixes kinds: ${what}[${i}] is a ${k} after ${kind}s; pass one kind per column (or an explicit dtype)`,
      );
    }
    if (k === 'number' && !isInt32(v as number)) allInt = false;
  }
  if (kind === 'string') return 'string';
  if (kind === 'boolean') return missing ? 'boolean' : 'bool';
  return kind === 'number' && allInt && !missing ? 'int32' : 'float64';
}

function fromCells(op: string, what: string, cells: readonly Cell[], dtype: ColumnDType): Column {
  const n = cells.length;
  const bad = (i: number, expected: string): never =>
    fail(op, `${what}[${i}] must be ${expected} for dtype ${dtype}, got ${describe(cells[i])}`);
  switch (dtype) {
    case 'float64': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = cells[i];
        if (isMissing(v)) out[i] = Number.NaN;
        else if (typeof v === 'number') out[i] = v;
        else bad(i, 'a number or null');
      }
      return new Column(dtype, out);
    }
    case 'int32':
    case 'Int32': {
      const out = new Int32Array(n);
      const valid = dtype === 'Int32' ? new Uint8Array(n) : null;
      for (let i = 0; i < n; i++) {
        const v = cells[i];
        if (isMissing(v)) {
          if (valid === null) bad(i, "an integer (int32 has no missing values: use 'Int32' or 'float64')");
          continue;
        }
        if (typeof v !== 'number' || !isInt32(v)) bad(i, `an integer in [${INT32_MIN}, ${INT32_MAX}]`);
        out[i] = v as number;
        if (valid !== null) valid[i] = 1;
      }
      return new Column(dtype, out, valid);
    }
    case 'bool':
    case 'boolean': {
      const out = new Uint8Array(n);
      const valid = dtype === 'boolean' ? new Uint8Array(n) : null;
      for (let i = 0; i < n; i++) {
        const v = cells[i];
        if (isMissing(v)) {
          if (valid === null) bad(i, "a boolean (bool has no missing values: use 'boolean')");
          continue;
        }
        if (typeof v !== 'boolean') bad(i, 'a boolean');
        out[i] = v ? 1 : 0;
        if (valid !== null) valid[i] = 1;
      }
      return new Column(dtype, out, valid);
    }
    case 'string': {
      const out = new Array<string | null>(n);
      for (let i = 0; i < n; i++) {
        const v = cells[i];
        if (isMissing(v)) out[i] = null;
        else if (typeof v === 'string') out[i] = v;
        else bad(i, 'a string or null');
      }
      return new Column(dtype, out);
    }
  }
}

/**
 * astype: converts between dtypes where no information is lost or invented; anything else
 * (a float that is not an integer into int32, a string into a number…) is an error naming the row.
 */
export function castColumn(op: string, what: string, col: Column, dtype: ColumnDType): Column {
  if (col.dtype === dtype) return col;
  if (dtype === 'string') {
    const out = new Array<string | null>(col.length);
    for (let i = 0; i < col.length; i++) {
      const v = col.get(i);
      // spelled as pandas' astype(str) spells them: Python's str() of floats ('1.0') and booleans
      // ('True'); a missing value stays missing (pandas would write the string 'nan')
      if (col.isNa(i)) out[i] = null;
      else if (typeof v === 'boolean') out[i] = v ? 'True' : 'False';
      else out[i] = col.dtype === 'float64' ? pyRepr(v as number) : String(v);
    }
    return new Column('string', out);
  }
  if (col.dtype === 'string')
    fail(op, `cannot convert the string column ${what} to ${dtype}; parse the strings first`);
  const cells: Cell[] = col.toArray();
  if (dtype === 'float64' || dtype === 'int32' || dtype === 'Int32') {
    for (let i = 0; i < cells.length; i++) if (typeof cells[i] === 'boolean') cells[i] = cells[i] ? 1 : 0;
  }
  return fromCells(op, what, cells, dtype);
}
