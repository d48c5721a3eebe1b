import { decompress as zstdDecompress } from 'fzstd';
import {
  type ColumnChunk,
  type ColumnMetaData,
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
import { decodeFlatChunk, FlatChunkError, type FlatDType, flatDecodable, Scratch } from './flatColumn.js';

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

interface GroupBounds {
  index: number;
  start: number;
  end: number;
}

interface Plan {
  op: string;
  file: RandomAccessFile;
  metadata: FileMetaData;
  names: string[];
  dtypes: ColumnDType[];
  /** Columns to decode: names, then the filters' other columns. */
  need: string[];
  needDtypes: ColumnDType[];
  elements: SchemaElement[];
  /** [start row, end row) of each row group to read. */
  groups: GroupBounds[];
  /** The flat decoder's buffers, shared by the chunks of this read. */
  scratch: Scratch;
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
  const need = [...new Set([...names, ...filters.map((f) => f[0])])];
  const elements = need.map((n) => top.find((e) => e.name === n)!);
  const needDtypes = need.map((n, j) =>
    columnDType(op, elements[j]!, metadata, n, opts.int64 ?? 'int32', pandas.get(n)),
  );
  const dtypes = names.map((n) => needDtypes[need.indexOf(n)]!);
  return {
    op,
    file,
    metadata,
    names,
    dtypes,
    need,
    needDtypes,
    elements,
    groups,
    filters,
    int64: opts.int64 ?? 'int32',
    scratch: new Scratch(),
  };
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

/** Where one column chunk lies: from its first page (the dictionary's, if any) to its end. */
function chunkRange(p: Plan, group: number, name: string, meta: ColumnMetaData): [number, number] {
  const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
  const end = start + Number(meta.total_compressed_size);
  if (!(start >= 4 && end > start && end <= p.file.byteLength - 8))
    fail(
      p.op,
      `row group ${group}, column ${JSON.stringify(name)} is corrupt: its chunk is said to span bytes ${start} to ${end} of a ${p.file.byteLength}-byte file`,
    );
  return [start, end];
}

/**
 * The bytes of the chunks the flat decoder takes in one row group (column j → its bytes), read
 * all at once (the reads overlap) into one buffer reused from group to group.
 */
async function readFastChunks(p: Plan, g: GroupBounds): Promise<Map<number, Uint8Array>> {
  const ranges: [number, number, number][] = [];
  let total = 0;
  for (let j = 0; j < p.need.length; j++) {
    const name = p.need[j]!;
    const meta = chunkOf(p.metadata, g.index, name)?.meta_data;
    if (meta === undefined || !flatDecodable(p.elements[j]!, meta, p.needDtypes[j]!)) continue;
    const [start, end] = chunkRange(p, g.index, name, meta);
    ranges.push([j, start, end]);
    total += end - start;
  }
  const buf = p.scratch.chunks(total);
  const out = new Map<number, Uint8Array>();
  let at = 0;
  const reads: Promise<void>[] = [];
  for (const [j, start, end] of ranges) {
    const into = buf.subarray(at, at + end - start);
    at += end - start;
    out.set(j, into);
    const file = p.file;
    reads.push(
      file.readInto
        ? file.readInto(start, into)
        : file.slice(start, end).then((b) => into.set(new Uint8Array(b))),
    );
  }
  await Promise.all(reads);
  return out;
}

/** Where a fast column of the whole read goes (all planned groups' rows, end to end). */
interface Dest {
  values: Float64Array | Int32Array;
  valid: Uint8Array | null;
}

function allocate(dtype: FlatDType, rows: number): Dest {
  return dtype === 'float64'
    ? { values: new Float64Array(rows), valid: null }
    : { values: new Int32Array(rows), valid: dtype === 'Int32' ? new Uint8Array(rows) : null };
}

/**
 * Decodes rows [g.start, g.end) of a numeric column with the flat decoder into dest at `at`;
 * false when the chunk is one the decoder does not take (hyparquet reads it then).
 */
function decodeFast(
  p: Plan,
  g: GroupBounds,
  j: number,
  bytes: Uint8Array | undefined,
  dest: Dest,
  at: number,
): boolean {
  const name = p.need[j]!;
  const dtype = p.needDtypes[j]!;
  const e = p.elements[j]!;
  const meta = chunkOf(p.metadata, g.index, name)?.meta_data;
  if (bytes === undefined || meta === undefined || !flatDecodable(e, meta, dtype)) return false;
  try {
    decodeFlatChunk(
      bytes,
      e,
      meta,
      { dtype, values: dest.values, valid: dest.valid, at, rows: g.end - g.start, firstRow: g.start },
      name,
      p.scratch,
    );
  } catch (err) {
    if (err instanceof FlatChunkError) {
      const from = Number(meta.dictionary_page_offset || meta.data_page_offset);
      fail(
        p.op,
        `row group ${g.index}, column ${JSON.stringify(name)} (rows ${g.start} to ${g.end}, bytes ${from} to ${from + bytes.length}) is corrupt: ${err.message}`,
      );
    }
    fail(p.op, (err as Error).message);
  }
  return true;
}

type Scan = Awaited<ReturnType<typeof parquetScan>>;

/** Rows [start, end) of one column through hyparquet's general reader. */
async function readSlow(p: Plan, g: GroupBounds, j: number, scan: Scan, start: number, end: number) {
  const name = p.need[j]!;
  let data: DecodedArray;
  try {
    data = await scan.readColumn({ column: name, rowStart: start, rowEnd: end });
  } catch (e) {
    return fail(
      p.op,
      `row group ${g.index}, column ${JSON.stringify(name)} (rows ${start} to ${end}) is corrupt: ${(e as Error).message}`,
    );
  }
  if (data.length !== end - start)
    fail(
      p.op,
      `row group ${g.index}, column ${JSON.stringify(name)} decoded ${data.length} values for ${end - start} rows`,
    );
  return toColumnOf(p.op, name, data, p.needDtypes[j]!, start);
}

/** hyparquet's scan of one row group for the columns the flat decoder did not take. */
function scanOf(p: Plan, g: GroupBounds, columns: string[]): Promise<Scan> {
  // hyparquet fetches the planned byte ranges up front, so this keeps both the bytes read and
  // the memory held to one row group of these columns
  return parquetScan({
    file: p.file,
    metadata: p.metadata,
    columns,
    rowStart: g.start,
    rowEnd: g.end,
    parsers: PARSERS,
    compressors: COMPRESSORS,
  });
}

/**
 * One row group as frames of at most batchSize rows, filters applied. Numeric columns the flat
 * decoder takes are decoded once for the group; the others are read batch by batch.
 */
async function* groupFrames(p: Plan, g: GroupBounds, batchSize: number): AsyncGenerator<DataFrame> {
  const rows = g.end - g.start;
  const whole: (Column | undefined)[] = [];
  const slow: number[] = [];
  const chunks = await readFastChunks(p, g);
  for (let j = 0; j < p.need.length; j++) {
    const dtype = p.needDtypes[j]!;
    if ((dtype === 'float64' || dtype === 'int32' || dtype === 'Int32') && chunks.has(j)) {
      const dest = allocate(dtype, rows);
      if (decodeFast(p, g, j, chunks.get(j), dest, 0)) {
        whole[j] = new Column(dtype, dest.values, dest.valid);
        continue;
      }
    }
    slow.push(j);
  }
  const scan =
    slow.length > 0
      ? await scanOf(
          p,
          g,
          slow.map((j) => p.need[j]!),
        )
      : undefined;
  for (let s = g.start; s < g.end; s += batchSize) {
    const e = Math.min(g.end, s + batchSize);
    const cols: Column[] = [];
    for (let j = 0; j < p.need.length; j++) {
      const w = whole[j];
      cols[j] =
        w === undefined
          ? await readSlow(p, g, j, scan!, s, e)
          : s === g.start && e === g.end
            ? w
            : w.slice(s - g.start, e - g.start);
    }
    let df = DataFrame.of(
      p.names,
      p.names.map((n) => cols[p.need.indexOf(n)]!),
      Index.range(e - s),
    );
    if (p.filters.length > 0) {
      const keep = new Uint8Array(e - s).fill(1);
      for (const [column, op, value] of p.filters) {
        const c = cols[p.need.indexOf(column)]!;
        for (let i = 0; i < keep.length; i++) {
          if (keep[i] === 0) continue;
          if (!rowMatches(c.get(i), op, value)) keep[i] = 0;
        }
      }
      df = df.filter(keep);
    }
    yield df;
  }
}

async function* batches(p: Plan, batchSize: number): AsyncGenerator<DataFrame> {
  try {
    for (const g of p.groups) yield* groupFrames(p, g, batchSize);
  } finally {
    await p.file.close();
  }
}

/**
 * The whole read without filters: numeric columns the flat decoder takes are decoded straight
 * into one array each for all row groups (no per-group arrays to concatenate).
 */
async function readWhole(p: Plan): Promise<DataFrame> {
  try {
    const rows = p.groups.reduce((s, g) => s + g.end - g.start, 0);
    const dests: (Dest | undefined)[] = p.needDtypes.map((d) =>
      d === 'float64' || d === 'int32' || d === 'Int32' ? allocate(d, rows) : undefined,
    );
    const parts: Column[][] = p.need.map(() => []);
    let at = 0;
    for (const g of p.groups) {
      const slow: number[] = [];
      const chunks = await readFastChunks(p, g);
      for (let j = 0; j < p.need.length; j++) {
        const dest = dests[j];
        if (dest === undefined || !decodeFast(p, g, j, chunks.get(j), dest, at)) slow.push(j);
      }
      if (slow.length > 0) {
        const scan = await scanOf(
          p,
          g,
          slow.map((j) => p.need[j]!),
        );
        for (const j of slow) {
          const c = await readSlow(p, g, j, scan, g.start, g.end);
          const dest = dests[j];
          if (dest === undefined) parts[j]!.push(c);
          else {
            dest.values.set(c.values as Float64Array, at);
            if (dest.valid !== null) dest.valid.set(c.valid!, at);
          }
        }
      }
      at += g.end - g.start;
    }
    const cols = p.needDtypes.map((dtype, j) => {
      const dest = dests[j];
      if (dest !== undefined) return new Column(dtype, dest.values, dest.valid);
      return parts[j]!.length === 0 ? Column.empty(dtype) : Column.concat(parts[j]!);
    });
    return DataFrame.of(p.names, cols, Index.range(rows));
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
    if (p.filters.length === 0) return readWhole(p);
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
