import { decompress as zstdDecompress } from 'fzstd';
import {
  type ColumnChunk,
  type DecodedArray,
  type FileMetaData,
  type ParquetParsers,
  parquetMetadataAsync,
  parquetScan,
  type SchemaElement,
} from 'hyparquet';
import { pandasDTypes } from '../arrow/fromArrow.js';
import { Column } from '../column/column.js';
import { type ColumnDType, INT32_MAX, INT32_MIN } from '../column/dtype.js';
import { describe, fail, listNames } from '../errors.js';
import { DataFrame } from '../frame/dataFrame.js';
import { Index } from '../frame/rowIndex.js';
import { type BinarySource, openRandomAccess, type RandomAccessFile } from '../io/files.js';
import { checkOptions } from '../options.js';

/** One condition on a column, as pandas' read_parquet(filters=[("a", ">", 3)]). */
export type ParquetFilter = readonly [
  column: string,
  op: '==' | '=' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in',
  value: number | string | boolean | readonly (number | string | boolean)[],
];

export interface ReadParquetOptions {
  /** Only these columns, in this order (only their bytes are read). */
  columns?: readonly string[];
  /** Only these row groups (0-based positions in the file). */
  rowGroups?: readonly number[];
  /**
   * Conditions that must all hold (pandas/pyarrow's `filters` as a list of tuples). Row groups
   * whose min/max statistics rule a condition out are skipped without being read; the rows of
   * the groups read are then filtered too.
   */
  filters?: readonly ParquetFilter[];
  /** With a batch size, readParquet returns an async iterator of frames of at most this many rows. */
  batchSize?: number;
  /** INT64/UINT32/UINT64 columns: 'int32' (default; fails on a value outside int32) or 'float64'. */
  int64?: 'int32' | 'float64';
  /** @internal called with the open file (tests count the bytes read through it). */
  onFile?: (file: RandomAccessFile) => void;
}

const OPTION_KEYS: readonly (keyof ReadParquetOptions)[] = [
  'columns',
  'rowGroups',
  'filters',
  'batchSize',
  'int64',
  'onFile',
];

const FILTER_OPS = new Set(['==', '=', '!=', '<', '<=', '>', '>=', 'in', 'not in']);

const PARSERS: Partial<ParquetParsers> = {
  // no datetime dtype yet: milliseconds since the epoch, as JS Dates hold them
  timestampFromMilliseconds: (v: bigint) => Number(v),
  timestampFromMicroseconds: (v: bigint) => Number(v) / 1e3,
  timestampFromNanoseconds: (v: bigint) => Number(v) / 1e6,
  dateFromDays: (d: number) => d * 86400000,
} as Partial<ParquetParsers>;

const COMPRESSORS = {
  ZSTD: (input: Uint8Array, outputLength: number) => zstdDecompress(input, new Uint8Array(outputLength)),
};

interface Plan {
  op: string;
  file: RandomAccessFile;
  metadata: FileMetaData;
  names: string[];
  dtypes: ColumnDType[];
  /** [start row, end row) of each row group to read. */
  groups: { index: number; start: number; end: number }[];
  filters: readonly ParquetFilter[];
  int64: 'int32' | 'float64';
}

function sourceName(source: BinarySource): string {
  return typeof source === 'string'
    ? JSON.stringify(source)
    : source instanceof URL
      ? source.href
      : describe(source);
}

async function plan(op: string, source: BinarySource, opts: ReadParquetOptions): Promise<Plan> {
  checkOptions(op, opts, OPTION_KEYS);
  if (opts.int64 !== undefined && opts.int64 !== 'int32' && opts.int64 !== 'float64')
    fail(op, `int64 must be 'int32' or 'float64', got ${describe(opts.int64)}`);
  if (opts.batchSize !== undefined && !(Number.isInteger(opts.batchSize) && opts.batchSize > 0))
    fail(op, `batchSize must be a positive integer, got ${describe(opts.batchSize)}`);
  const file = await openRandomAccess(op, source);
  opts.onFile?.(file);
  const name = sourceName(source);
  let metadata: FileMetaData;
  try {
    metadata = await readFooter(op, name, file);
  } catch (e) {
    await file.close();
    throw e;
  }
  const top = topLevel(metadata.schema);
  const all = top.map((e) => e.name);
  const names = opts.columns === undefined ? all : [...opts.columns];
  if (!Array.isArray(names))
    fail(op, `columns must be an array of column names, got ${describe(opts.columns)}`);
  for (const n of names)
    if (!all.includes(n)) {
      await file.close();
      fail(op, `no column named ${JSON.stringify(n)} in ${name}; its columns are ${listNames(all)}`);
    }
  const filters = opts.filters ?? [];
  checkFilters(op, filters, all);
  // row groups: the ones asked for, less those the statistics rule out
  let start = 0;
  const bounds = metadata.row_groups.map((g, index) => {
    const b = { index, start, end: start + Number(g.num_rows) };
    start = b.end;
    return b;
  });
  if (opts.rowGroups !== undefined) {
    for (const g of opts.rowGroups)
      if (!Number.isInteger(g) || g < 0 || g >= bounds.length)
        fail(
          op,
          `rowGroups has ${describe(g)}, but ${name} has ${bounds.length} row groups (0 to ${bounds.length - 1})`,
        );
  }
  const wanted = opts.rowGroups === undefined ? bounds : opts.rowGroups.map((g) => bounds[g]!);
  const groups = wanted.filter((b) => groupMayMatch(metadata, b.index, filters));
  const pandas = pandasDTypes(
    metadata.key_value_metadata?.find((kv) => kv.key === 'pandas')?.value ?? undefined,
  );
  const dtypes = names.map((n) =>
    columnDType(op, top.find((e) => e.name === n)!, metadata, n, opts.int64 ?? 'int32', pandas.get(n)),
  );
  return { op, file, metadata, names, dtypes, groups, filters, int64: opts.int64 ?? 'int32' };
}

async function readFooter(op: string, name: string, file: RandomAccessFile): Promise<FileMetaData> {
  const size = file.byteLength;
  if (size < 12) fail(op, `${name} has ${size} bytes, too few for a Parquet file (at least 12)`);
  const head = new Uint8Array(await file.slice(0, 4));
  const tail = new Uint8Array(await file.slice(size - 8, size));
  const par1 = (b: Uint8Array, at: number) =>
    b[at] === 0x50 && b[at + 1] === 0x41 && b[at + 2] === 0x52 && b[at + 3] === 0x31;
  if (!par1(head, 0)) fail(op, `${name} is not a Parquet file: no "PAR1" magic at byte 0`);
  if (!par1(tail, 4))
    fail(op, `${name} is truncated or not a Parquet file: no closing "PAR1" magic at byte ${size - 4}`);
  const footerLength = new DataView(tail.buffer).getUint32(0, true);
  if (footerLength + 8 > size - 4)
    fail(op, `${name} has a footer of ${footerLength} bytes at byte ${size - 8}, more than the file holds`);
  try {
    // fetch exactly the footer (hyparquet's default first read is the last 512 kB)
    return await parquetMetadataAsync(file, { initialFetchSize: footerLength + 8 });
  } catch (e) {
    return fail(
      op,
      `${name} has a corrupt footer (bytes ${size - 8 - footerLength} to ${size - 8}): ${(e as Error).message}`,
    );
  }
}

function topLevel(schema: readonly SchemaElement[]): SchemaElement[] {
  // schema[0] is the root; its children follow in depth-first order
  const out: SchemaElement[] = [];
  let i = 1;
  const skip = (): void => {
    const e = schema[i++]!;
    for (let k = 0; k < (e.num_children ?? 0); k++) skip();
  };
  while (i < schema.length) {
    out.push(schema[i]!);
    skip();
  }
  return out;
}

function chunkOf(metadata: FileMetaData, group: number, name: string): ColumnChunk | undefined {
  return metadata.row_groups[group]?.columns.find((c) => c.meta_data?.path_in_schema.join('.') === name);
}

function columnDType(
  op: string,
  e: SchemaElement,
  metadata: FileMetaData,
  name: string,
  int64: 'int32' | 'float64',
  pandasType: string | undefined,
): ColumnDType {
  const optional = e.repetition_type !== 'REQUIRED';
  // nullable when a row group's statistics count a null (or have no count) in an optional column
  const mayHaveNulls =
    optional &&
    metadata.row_groups.some((_, g) => {
      const n = chunkOf(metadata, g, name)?.meta_data?.statistics?.null_count;
      return n === undefined || n > 0n;
    });
  const ctype = e.converted_type;
  const ltype = e.logical_type;
  if ((e.num_children ?? 0) > 0 || e.repetition_type === 'REPEATED')
    fail(
      op,
      `column ${JSON.stringify(name)} is nested (a list, map or struct), which @lumen/data cannot hold`,
    );
  switch (e.type) {
    case 'BOOLEAN':
      return mayHaveNulls || pandasType === 'boolean' ? 'boolean' : 'bool';
    case 'FLOAT':
    case 'DOUBLE':
    case 'INT96':
      return 'float64';
    case 'INT32':
    case 'INT64': {
      if (
        ctype === 'DECIMAL' ||
        ctype === 'DATE' ||
        ltype?.type === 'TIMESTAMP' ||
        ctype?.startsWith('TIMESTAMP')
      )
        return 'float64';
      if (ltype?.type === 'DATE' || ltype?.type === 'TIME' || ctype?.startsWith('TIME')) return 'float64';
      const wide = e.type === 'INT64' || ctype === 'UINT_32';
      if (wide && int64 === 'float64') return 'float64';
      return mayHaveNulls || (pandasType !== undefined && /^U?Int\d+$/.test(pandasType)) ? 'Int32' : 'int32';
    }
    case 'BYTE_ARRAY':
    case 'FIXED_LEN_BYTE_ARRAY':
      if (ctype === 'DECIMAL' || ltype?.type === 'DECIMAL') return 'float64';
      if (ctype === 'UTF8' || ltype?.type === 'STRING' || ctype === 'ENUM' || e.type === 'BYTE_ARRAY')
        return 'string';
  }
  return fail(
    op,
    `column ${JSON.stringify(name)} has Parquet type ${e.type}${ctype ? ` (${ctype})` : ''}, which has no @lumen/data dtype`,
  );
}

function checkFilters(op: string, filters: readonly ParquetFilter[], all: readonly string[]): void {
  if (!Array.isArray(filters))
    fail(op, `filters must be a list of [column, op, value], got ${describe(filters)}`);
  filters.forEach((f, i) => {
    if (!Array.isArray(f) || f.length !== 3)
      fail(op, `filters[${i}] must be [column, op, value] like ["a", ">", 3], got ${describe(f)}`);
    if (!all.includes(f[0]))
      fail(op, `filters[${i}] names no column: ${JSON.stringify(f[0])}; the columns are ${listNames(all)}`);
    if (!FILTER_OPS.has(f[1]))
      fail(op, `filters[${i}] has op ${describe(f[1])}; expected one of ==, !=, <, <=, >, >=, in, not in`);
    if ((f[1] === 'in' || f[1] === 'not in') !== Array.isArray(f[2]))
      fail(
        op,
        `filters[${i}]: ${f[1]} needs ${f[1].includes('in') ? 'a list of values' : 'one value'}, got ${describe(f[2])}`,
      );
  });
}

type Cmp = number | string | boolean | bigint;

function num(v: unknown): Cmp | undefined {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.getTime();
  return v as Cmp | undefined;
}

/** False only when the row group's min/max prove no row can satisfy every filter. */
function groupMayMatch(metadata: FileMetaData, group: number, filters: readonly ParquetFilter[]): boolean {
  for (const [column, op, value] of filters) {
    const stats = chunkOf(metadata, group, column)?.meta_data?.statistics;
    const min = num(stats?.min_value ?? stats?.min);
    const max = num(stats?.max_value ?? stats?.max);
    if (min === undefined || max === undefined || min === null || max === null) continue;
    if (typeof min !== typeof value && !(op === 'in' || op === 'not in')) continue;
    switch (op) {
      case '==':
      case '=':
        if (value < min || value > max) return false;
        break;
      case '<':
        if (!(min < (value as Cmp))) return false;
        break;
      case '<=':
        if (!(min <= (value as Cmp))) return false;
        break;
      case '>':
        if (!(max > (value as Cmp))) return false;
        break;
      case '>=':
        if (!(max >= (value as Cmp))) return false;
        break;
      case 'in':
        if (!(value as readonly Cmp[]).some((v) => typeof v === typeof min && v >= min && v <= max))
          return false;
        break;
    }
  }
  return true;
}

function rowMatches(v: unknown, op: ParquetFilter[1], value: ParquetFilter[2]): boolean {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)))
    return op === '!=' || op === 'not in';
  switch (op) {
    case '==':
    case '=':
      return v === value;
    case '!=':
      return v !== value;
    case '<':
      return (v as Cmp) < (value as Cmp);
    case '<=':
      return (v as Cmp) <= (value as Cmp);
    case '>':
      return (v as Cmp) > (value as Cmp);
    case '>=':
      return (v as Cmp) >= (value as Cmp);
    case 'in':
      return (value as readonly unknown[]).includes(v);
    case 'not in':
      return !(value as readonly unknown[]).includes(v);
  }
}

/** Decoded Parquet values (typed arrays, or JS arrays with null for missing) as a Column. */
function toColumnOf(
  op: string,
  name: string,
  data: DecodedArray,
  dtype: ColumnDType,
  rowOffset: number,
): Column {
  const n = data.length;
  if (dtype === 'float64') {
    if (data instanceof Float64Array) return new Column('float64', data);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = data[i];
      out[i] = v === null || v === undefined ? Number.NaN : Number(v);
    }
    return new Column('float64', out);
  }
  if (dtype === 'string') {
    const out = new Array<string | null>(n);
    for (let i = 0; i < n; i++) {
      const v = data[i];
      out[i] =
        v === null || v === undefined
          ? null
          : typeof v === 'string'
            ? v
            : new TextDecoder().decode(v as Uint8Array);
    }
    return new Column('string', out);
  }
  if (dtype === 'bool' || dtype === 'boolean') {
    const out = new Uint8Array(n);
    const valid = dtype === 'boolean' ? new Uint8Array(n) : null;
    for (let i = 0; i < n; i++) {
      const v = data[i];
      if (v === null || v === undefined) {
        if (valid === null)
          fail(
            op,
            `column ${JSON.stringify(name)} has a null at row ${rowOffset + i} although its statistics count none`,
          );
        continue;
      }
      out[i] = v ? 1 : 0;
      if (valid !== null) valid[i] = 1;
    }
    return new Column(dtype, out, valid);
  }
  if (data instanceof Int32Array && dtype === 'int32') return new Column('int32', data);
  const out = new Int32Array(n);
  const valid = dtype === 'Int32' ? new Uint8Array(n) : null;
  for (let i = 0; i < n; i++) {
    const v = data[i];
    if (v === null || v === undefined) {
      if (valid === null)
        fail(
          op,
          `column ${JSON.stringify(name)} has a null at row ${rowOffset + i} although its statistics count none`,
        );
      continue;
    }
    const x = Number(v);
    if (x < INT32_MIN || x > INT32_MAX)
      fail(
        op,
        `column ${JSON.stringify(name)} row ${rowOffset + i} is ${String(v)}, outside int32's range; pass { int64: 'float64' } to read such columns as float64`,
      );
    out[i] = x;
    if (valid !== null) valid[i] = 1;
  }
  return new Column(dtype, out, valid);
}

/** Reads rows [start, end) of the planned columns (within one row group). */
async function readRange(
  p: Plan,
  group: number,
  start: number,
  end: number,
  scan: Awaited<ReturnType<typeof parquetScan>>,
): Promise<DataFrame> {
  const need = [...new Set([...p.names, ...p.filters.map((f) => f[0])])];
  const cols = new Map<string, Column>();
  const raws = new Map<string, DecodedArray>();
  for (const name of need) {
    let data: DecodedArray;
    try {
      data = await scan.readColumn({ column: name, rowStart: start, rowEnd: end });
    } catch (e) {
      return fail(
        p.op,
        `row group ${group}, column ${JSON.stringify(name)} (rows ${start} to ${end}) is corrupt: ${(e as Error).message}`,
      );
    }
    if (data.length !== end - start)
      fail(
        p.op,
        `row group ${group}, column ${JSON.stringify(name)} decoded ${data.length} values for ${end - start} rows`,
      );
    raws.set(name, data);
    const j = p.names.indexOf(name);
    if (j >= 0) cols.set(name, toColumnOf(p.op, name, data, p.dtypes[j]!, start));
  }
  let df = DataFrame.of(
    p.names,
    p.names.map((n) => cols.get(n)!),
    Index.range(end - start),
  );
  if (p.filters.length > 0) {
    const keep = new Uint8Array(end - start).fill(1);
    for (const [column, op, value] of p.filters) {
      const raw = raws.get(column)!;
      for (let i = 0; i < keep.length; i++) {
        if (keep[i] === 0) continue;
        const v = num(raw[i]);
        if (!rowMatches(v, op, value)) keep[i] = 0;
      }
    }
    df = df.filter(keep);
  }
  return df;
}

async function* batches(p: Plan, batchSize: number): AsyncGenerator<DataFrame> {
  try {
    const columns = [...new Set([...p.names, ...p.filters.map((f) => f[0])])];
    for (const g of p.groups) {
      // one scan per row group: hyparquet fetches the planned byte ranges up front, so this keeps
      // both the bytes read and the memory held to one row group of the chosen columns
      const scan = await parquetScan({
        file: p.file,
        metadata: p.metadata,
        columns,
        rowStart: g.start,
        rowEnd: g.end,
        parsers: PARSERS,
        compressors: COMPRESSORS,
      });
      for (let s = g.start; s < g.end; s += batchSize) {
        yield await readRange(p, g.index, s, Math.min(g.end, s + batchSize), scan);
      }
    }
  } finally {
    await p.file.close();
  }
}

/**
 * pandas' read_parquet: a Parquet file from a path (Node), URL (HTTP range requests), bytes, Blob
 * or fetch Response. Only the footer and the column chunks of the columns and row groups asked
 * for are read. With `batchSize`, an async iterator of frames of at most that many rows (each row
 * group is decoded one column at a time, so memory stays near one row group's columns).
 * Dtypes: BOOLEAN → bool, INT8–INT32 → int32, INT64 → int32 when in range (see `int64`), FLOAT and
 * DOUBLE and DECIMAL → float64, strings → string, timestamps and dates → float64 milliseconds; a
 * column that can hold nulls gets the nullable dtype (Int32, boolean).
 */
export function readParquet(
  source: BinarySource,
  opts: ReadParquetOptions & { batchSize: number },
): AsyncIterable<DataFrame>;
export function readParquet(
  source: BinarySource,
  opts?: ReadParquetOptions & { batchSize?: undefined },
): Promise<DataFrame>;
export function readParquet(
  source: BinarySource,
  opts: ReadParquetOptions = {},
): Promise<DataFrame> | AsyncIterable<DataFrame> {
  const op = 'readParquet';
  if (opts !== null && typeof opts === 'object' && opts.batchSize !== undefined) {
    const size = opts.batchSize;
    return {
      async *[Symbol.asyncIterator]() {
        const p = await plan(op, source, opts);
        yield* batches(p, size);
      },
    };
  }
  return (async () => {
    const p = await plan(op, source, opts);
    const parts: DataFrame[] = [];
    for await (const df of batches(p, Number.POSITIVE_INFINITY)) parts.push(df);
    return concatFrames(p.names, p.dtypes, parts);
  })();
}

export function concatFrames(
  names: readonly string[],
  dtypes: readonly ColumnDType[],
  parts: readonly DataFrame[],
): DataFrame {
  if (parts.length === 1) return parts[0]!;
  const rows = parts.reduce((s, p) => s + p.shape[0], 0);
  const cols = names.map((n, j) =>
    parts.length === 0 ? Column.empty(dtypes[j]!) : Column.concat(parts.map((p) => p.columnData(n))),
  );
  return DataFrame.of(names, cols, Index.range(rows));
}
