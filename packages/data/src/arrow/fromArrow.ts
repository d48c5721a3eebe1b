import { Column } from '../column/column.js';
import { type ColumnDType, INT32_MAX, INT32_MIN } from '../column/dtype.js';
import { describe, fail } from '../errors.js';
import type { DataFrame } from '../frame/dataFrame.js';
import { checkOptions } from '../options.js';

/**
 * The parts of an apache-arrow Table this module reads. Typed structurally, so @lumen/data
 * needs no import of apache-arrow (an optional peer) to take a Table in: any version whose
 * `Data` keeps `values`, `nullBitmap`, `offset`, `valueOffsets` and `dictionary` works (≥ 9).
 */
export interface ArrowTableLike {
  readonly numRows: number;
  readonly schema: {
    readonly fields: readonly { readonly name: string; readonly type: ArrowTypeLike }[];
    readonly metadata?: ReadonlyMap<string, string>;
  };
  getChildAt(i: number): { readonly data: readonly ArrowDataLike[] } | null;
}

export interface ArrowTypeLike {
  readonly typeId: number;
  readonly bitWidth?: number;
  readonly isSigned?: boolean;
  readonly precision?: number;
  readonly unit?: number;
  readonly dictionary?: ArrowTypeLike;
  toString(): string;
}

export interface ArrowDataLike {
  readonly type: ArrowTypeLike;
  readonly length: number;
  readonly offset: number;
  readonly nullCount: number;
  // typed loosely: apache-arrow's own types for these vary with the column type
  readonly nullBitmap?: unknown;
  readonly values: unknown;
  readonly valueOffsets?: unknown;
  readonly dictionary?: unknown;
}

type Values = ArrayLike<number | bigint>;

export interface FromArrowOptions {
  /**
   * Arrow int64/uint64/uint32 columns become int32 (the integer dtype that stands in for pandas'
   * int64, as in @lumen/tensor), which fails on a value outside int32's range; 'float64' reads
   * them as float64 instead (exact up to 2^53).
   */
  int64?: 'int32' | 'float64';
}

// apache-arrow's Type enum (stable across versions)
const T = {
  Null: 1,
  Int: 2,
  Float: 3,
  Utf8: 5,
  Bool: 6,
  Date: 8,
  Timestamp: 10,
  LargeUtf8: 20,
  Dictionary: -1,
} as const;

/** pandas' nullable extension dtypes, as its "pandas" schema metadata names them (numpy_type). */
const NULLABLE_INTS = new Set(['Int8', 'Int16', 'Int32', 'Int64', 'UInt8', 'UInt16', 'UInt32', 'UInt64']);

/**
 * Column name → pandas dtype from the "pandas" key of the schema metadata, which pandas (and
 * toArrow) write so that a nullable column without nulls comes back nullable.
 */
export function pandasDTypes(metadata: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (metadata === undefined) return out;
  try {
    const meta = JSON.parse(metadata) as { columns?: { name?: unknown; numpy_type?: unknown }[] };
    for (const c of meta.columns ?? [])
      if (typeof c.name === 'string' && typeof c.numpy_type === 'string') out.set(c.name, c.numpy_type);
  } catch {
    // metadata of another tool: ignored, the Arrow types alone decide
  }
  return out;
}

/** Milliseconds per unit of Arrow's TimeUnit (SECOND, MILLISECOND, MICROSECOND, NANOSECOND). */
const MS_PER_UNIT = [1000, 1, 1e-3, 1e-6];

function isValid(bitmap: Uint8Array | null | undefined, at: number): boolean {
  return bitmap === null || bitmap === undefined || ((bitmap[at >> 3]! >> (at & 7)) & 1) === 1;
}

/** The column dtype an Arrow field becomes (nullable dtypes when a chunk holds a null). */
function targetDType(
  op: string,
  name: string,
  type: ArrowTypeLike,
  hasNulls: boolean,
  opts: FromArrowOptions,
  pandasType: string | undefined,
): ColumnDType {
  switch (type.typeId) {
    case T.Float:
    case T.Timestamp:
    case T.Date:
    case T.Null:
      return 'float64';
    case T.Int: {
      const wide = type.bitWidth === 64 || (type.bitWidth === 32 && type.isSigned === false);
      if (wide && opts.int64 === 'float64') return 'float64';
      return hasNulls || NULLABLE_INTS.has(pandasType ?? '') ? 'Int32' : 'int32';
    }
    case T.Bool:
      return hasNulls || pandasType === 'boolean' ? 'boolean' : 'bool';
    case T.Utf8:
    case T.LargeUtf8:
      return 'string';
    case T.Dictionary:
      if (type.dictionary?.typeId === T.Utf8 || type.dictionary?.typeId === T.LargeUtf8) return 'string';
  }
  return fail(
    op,
    `column ${JSON.stringify(name)} has Arrow type ${String(type)}, which has no @lumen/data dtype (float64, int32, bool, string and their nullable forms; timestamps and dates become float64 milliseconds)`,
  );
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

const decoder = new TextDecoder();

function decodeStrings(d: ArrowDataLike): (string | null)[] {
  const n = d.length;
  const out = new Array<string | null>(n);
  const offsets = d.valueOffsets as Int32Array | BigInt64Array;
  const bytes = d.values as Uint8Array;
  const bitmap = d.nullCount > 0 ? (d.nullBitmap as Uint8Array | null) : null;
  for (let i = 0; i < n; i++) {
    if (!isValid(bitmap, d.offset + i)) {
      out[i] = null;
      continue;
    }
    const a = Number(offsets[i]!);
    const b = Number(offsets[i + 1]!);
    let ascii = b - a <= 64;
    for (let k = a; ascii && k < b; k++) if (bytes[k]! > 127) ascii = false;
    out[i] = ascii
      ? String.fromCharCode.apply(null, bytes.subarray(a, b) as unknown as number[])
      : decoder.decode(bytes.subarray(a, b));
  }
  return out;
}

/** One Arrow chunk as a Column of dtype `dtype`; numeric chunks without nulls share Arrow's buffer. */
function chunkToColumn(op: string, name: string, d: ArrowDataLike, dtype: ColumnDType): Column {
  const n = d.length;
  const type = d.type;
  const bitmap = d.nullCount > 0 ? (d.nullBitmap as Uint8Array | null) : null;
  const v = d.values as Values;
  if (dtype === 'string') {
    if (type.typeId === T.Dictionary) {
      const dict = Array.from((d.dictionary as { toArray(): ArrayLike<unknown> }).toArray(), (s) =>
        s === null ? null : String(s),
      );
      const out = new Array<string | null>(n);
      for (let i = 0; i < n; i++) out[i] = isValid(bitmap, d.offset + i) ? dict[Number(v[i]!)]! : null;
      return new Column('string', out);
    }
    return new Column('string', decodeStrings(d));
  }
  if (dtype === 'bool' || dtype === 'boolean') {
    const out = new Uint8Array(n);
    const valid = dtype === 'boolean' ? new Uint8Array(n) : null;
    const bits = v as unknown as Uint8Array;
    for (let i = 0; i < n; i++) {
      const at = d.offset + i;
      out[i] = (bits[at >> 3]! >> (at & 7)) & 1;
      if (valid !== null) valid[i] = isValid(bitmap, at) ? 1 : 0;
    }
    if (valid !== null) for (let i = 0; i < n; i++) if (valid[i] === 0) out[i] = 0;
    return new Column(dtype, out, valid);
  }
  if (dtype === 'float64') {
    if (type.typeId === T.Null) return new Column('float64', new Float64Array(n).fill(Number.NaN));
    // shared, no copy: the first n values (an IPC body pads its buffers past the last row)
    if (v instanceof Float64Array && bitmap === null)
      return new Column('float64', v.length === n ? v : v.subarray(0, n));
    const out = new Float64Array(n);
    if (type.typeId === T.Timestamp || type.typeId === T.Date) {
      // Date: unit 0 is DAY (int32 days), 1 is MILLISECOND (int64)
      const scale =
        type.typeId === T.Date ? (type.unit === 0 ? 86400000 : 1) : (MS_PER_UNIT[type.unit ?? 1] ?? 1);
      for (let i = 0; i < n; i++) out[i] = Number(v[i]!) * scale;
    } else if (type.typeId === T.Float && type.precision === 0) {
      for (let i = 0; i < n; i++) out[i] = halfToFloat(v[i] as number);
    } else {
      for (let i = 0; i < n; i++) out[i] = Number(v[i]!);
    }
    if (bitmap !== null) for (let i = 0; i < n; i++) if (!isValid(bitmap, d.offset + i)) out[i] = Number.NaN;
    return new Column('float64', out);
  }
  // int32 / Int32
  const valid = dtype === 'Int32' ? new Uint8Array(n) : null;
  // shared, no copy: the first n values (an IPC body pads its buffers to 8 bytes: one more int32 for an odd n)
  if (v instanceof Int32Array && valid === null)
    return new Column('int32', v.length === n ? v : v.subarray(0, n));
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const ok = isValid(bitmap, d.offset + i);
    if (valid !== null) valid[i] = ok ? 1 : 0;
    if (!ok) continue;
    const x = typeof v[i] === 'bigint' ? Number(v[i]) : (v[i] as number);
    if (x < INT32_MIN || x > INT32_MAX) {
      fail(
        op,
        `column ${JSON.stringify(name)} (Arrow ${String(type)}) row ${i} is ${String(v[i])}, outside int32's range; pass { int64: 'float64' } to read such columns as float64`,
      );
    }
    out[i] = x;
  }
  return new Column(dtype, out, valid);
}

/** The columns of an Arrow Table (see DataFrame.fromArrow for the dtype mapping). */
export function arrowToColumns(
  op: string,
  table: ArrowTableLike,
  opts: FromArrowOptions = {},
): { names: string[]; cols: Column[]; rows: number } {
  checkOptions(op, opts, ['int64']);
  if (opts.int64 !== undefined && opts.int64 !== 'int32' && opts.int64 !== 'float64')
    fail(op, `int64 must be 'int32' or 'float64', got ${describe(opts.int64)}`);
  if (
    table === null ||
    typeof table !== 'object' ||
    typeof table.getChildAt !== 'function' ||
    !Array.isArray(table.schema?.fields)
  ) {
    fail(op, `table must be an apache-arrow Table, got ${describe(table)}`);
  }
  const rows = table.numRows;
  const pandas = pandasDTypes(table.schema.metadata?.get('pandas'));
  const names: string[] = [];
  const cols: Column[] = [];
  table.schema.fields.forEach((field, j) => {
    const chunks = table.getChildAt(j)?.data ?? [];
    const hasNulls = chunks.some((c) => c.nullCount > 0);
    const dtype = targetDType(op, field.name, field.type, hasNulls, opts, pandas.get(field.name));
    const parts = chunks.map((c) => chunkToColumn(op, field.name, c, dtype));
    names.push(field.name);
    cols.push(
      parts.length === 1 ? parts[0]! : parts.length === 0 ? Column.empty(dtype) : Column.concat(parts),
    );
  });
  return { names, cols, rows };
}

/**
 * The "pandas" schema metadata pandas writes (to_feather, to_parquet) for a frame without an index
 * column, so pandas reads our nullable columns back as its Int32/boolean, and we do too.
 */
export function pandasMetadata(df: DataFrame): string {
  const TYPES: Record<string, [string, string]> = {
    float64: ['float64', 'float64'],
    int32: ['int32', 'int32'],
    Int32: ['int32', 'Int32'],
    bool: ['bool', 'bool'],
    boolean: ['bool', 'boolean'],
    string: ['unicode', 'object'],
  };
  const columns = df.columns.map((name) => {
    const [pandasType, numpyType] = TYPES[df.columnData(name).dtype]!;
    return { name, field_name: name, pandas_type: pandasType, numpy_type: numpyType, metadata: null };
  });
  return JSON.stringify({
    index_columns: [{ kind: 'range', name: null, start: 0, stop: df.shape[0], step: 1 }],
    column_indexes: [],
    columns,
    creator: { library: 'lumen' },
    pandas_version: '1.5.3',
  });
}
