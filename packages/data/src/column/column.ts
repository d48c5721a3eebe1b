import { describe, fail } from '../errors.js';
import type { ColumnDType, Scalar } from './dtype.js';

export type ColumnValues = Float64Array | Int32Array | Uint8Array | (string | null)[];

/** Positions to take: an Int32Array or an array of integers. */
export type Positions = Int32Array | readonly number[];

/**
 * One column of a DataFrame (or the values of a Series): a typed array, plus a validity mask for
 * the nullable dtypes. Immutable by convention: operations return new columns, and the arrays
 * are shared, never written after construction.
 */
export class Column {
  readonly dtype: ColumnDType;
  readonly values: ColumnValues;
  /** For `Int32` and `boolean`: 1 where a value is present, 0 where it is missing. */
  readonly valid: Uint8Array | null;

  constructor(dtype: ColumnDType, values: ColumnValues, valid: Uint8Array | null = null) {
    const expected =
      dtype === 'float64'
        ? values instanceof Float64Array
        : dtype === 'int32' || dtype === 'Int32'
          ? values instanceof Int32Array
          : dtype === 'bool' || dtype === 'boolean'
            ? values instanceof Uint8Array
            : Array.isArray(values);
    if (!expected) fail('Column', `dtype ${dtype} cannot be stored in ${describe(values)}`);
    const nullable = dtype === 'Int32' || dtype === 'boolean';
    if (nullable && (valid === null || valid.length !== values.length)) {
      fail('Column', `dtype ${dtype} needs a validity mask of length ${values.length}`);
    }
    if (!nullable && valid !== null) fail('Column', `dtype ${dtype} has no validity mask`);
    this.dtype = dtype;
    this.values = values;
    this.valid = valid;
  }

  get length(): number {
    return this.values.length;
  }

  /** The cell at row i: NaN for a missing float64, null for other missing values. */
  get(i: number): Scalar {
    const v = this.values;
    if (this.valid !== null && this.valid[i] === 0) return null;
    if (v instanceof Uint8Array) return v[i] === 1;
    return v[i]!;
  }

  isNa(i: number): boolean {
    const v = this.values;
    if (this.valid !== null) return this.valid[i] === 0;
    if (v instanceof Float64Array) return Number.isNaN(v[i]!);
    if (Array.isArray(v)) return v[i] === null;
    return false;
  }

  /** A 0/1 mask of missing cells. */
  naMask(): Uint8Array {
    const n = this.length;
    const out = new Uint8Array(n);
    const v = this.values;
    if (this.valid !== null) for (let i = 0; i < n; i++) out[i] = 1 - this.valid[i]!;
    else if (v instanceof Float64Array) for (let i = 0; i < n; i++) out[i] = v[i] !== v[i] ? 1 : 0;
    else if (Array.isArray(v)) for (let i = 0; i < n; i++) out[i] = v[i] === null ? 1 : 0;
    return out;
  }

  naCount(): number {
    if (this.dtype === 'int32' || this.dtype === 'bool') return 0;
    const m = this.naMask();
    let c = 0;
    for (let i = 0; i < m.length; i++) c += m[i]!;
    return c;
  }

  /** The rows at the given positions (which must be in range). */
  take(positions: Positions): Column {
    const n = positions.length;
    const v = this.values;
    const valid = this.valid === null ? null : new Uint8Array(n);
    if (valid !== null) for (let i = 0; i < n; i++) valid[i] = this.valid![positions[i]!]!;
    if (Array.isArray(v)) {
      const out = new Array<string | null>(n);
      for (let i = 0; i < n; i++) out[i] = v[positions[i]!]!;
      return new Column(this.dtype, out, valid);
    }
    const out = new (v.constructor as new (n: number) => Float64Array | Int32Array | Uint8Array)(n);
    for (let i = 0; i < n; i++) out[i] = v[positions[i]!]!;
    return new Column(this.dtype, out, valid);
  }

  /** Rows [start, end) as a copy. */
  slice(start: number, end: number): Column {
    const v = this.values;
    return new Column(this.dtype, v.slice(start, end), this.valid?.slice(start, end) ?? null);
  }

  /**
   * The values as float64 with NaN for missing (booleans as 0/1), for statistics. Shares the
   * array when the column already is float64, so callers must not write into it.
   */
  toFloat64(): Float64Array {
    const v = this.values;
    if (this.dtype === 'float64') return v as Float64Array;
    if (this.dtype === 'string') fail('toFloat64', 'a string column has no numeric values');
    const n = this.length;
    const out = new Float64Array(n);
    const typed = v as Int32Array | Uint8Array;
    for (let i = 0; i < n; i++) out[i] = this.valid !== null && this.valid[i] === 0 ? Number.NaN : typed[i]!;
    return out;
  }

  /** All cells as JS values (NaN for missing float64, null for other missing). */
  toArray(): Scalar[] {
    const out = new Array<Scalar>(this.length);
    for (let i = 0; i < out.length; i++) out[i] = this.get(i);
    return out;
  }

  /** A column of no rows of `dtype` (with an empty validity mask for the nullable dtypes). */
  static empty(dtype: ColumnDType): Column {
    switch (dtype) {
      case 'float64':
        return new Column(dtype, new Float64Array(0));
      case 'int32':
        return new Column(dtype, new Int32Array(0));
      case 'Int32':
        return new Column(dtype, new Int32Array(0), new Uint8Array(0));
      case 'bool':
        return new Column(dtype, new Uint8Array(0));
      case 'boolean':
        return new Column(dtype, new Uint8Array(0), new Uint8Array(0));
      case 'string':
        return new Column(dtype, []);
    }
  }

  /** Concatenation of columns of the same dtype. */
  static concat(parts: readonly Column[]): Column {
    const first = parts[0];
    if (first === undefined) fail('Column.concat', 'expected at least one column');
    const n = parts.reduce((s, p) => s + p.length, 0);
    const valid = first.valid === null ? null : new Uint8Array(n);
    let values: ColumnValues;
    if (Array.isArray(first.values)) {
      values = parts.flatMap((p) => p.values as (string | null)[]);
    } else {
      const out = new (first.values.constructor as new (n: number) => Float64Array | Int32Array | Uint8Array)(
        n,
      );
      let at = 0;
      for (const p of parts) {
        out.set(p.values as ArrayLike<number>, at);
        at += p.length;
      }
      values = out;
    }
    if (valid !== null) {
      let at = 0;
      for (const p of parts) {
        valid.set(p.valid!, at);
        at += p.length;
      }
    }
    return new Column(first.dtype, values, valid);
  }
}
