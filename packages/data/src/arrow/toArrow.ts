import { FileFormatError, LumenError } from '@lumen/tensor';
import {
  Bool,
  type Data,
  Field,
  Float64,
  Int32,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableFromIPC,
  tableToIPC,
  Utf8,
} from 'apache-arrow';
import type { Column } from '../column/column.js';
import { describe, fail, listNames } from '../errors.js';
import { DataFrame } from '../frame/dataFrame.js';
import { Index } from '../frame/rowIndex.js';
import { type BinarySource, readAllBytes, writeFileAtomic } from '../io/files.js';
import { checkOptions } from '../options.js';
import { arrowToColumns, type FromArrowOptions, pandasMetadata } from './fromArrow.js';
import { checkFraming } from './ipcFraming.js';
import { projectIpc, projectIpcFile } from './project.js';

const encoder = new TextEncoder();

/** A validity bitmap (1 = present) from a predicate, or null when every value is present. */
function bitmap(n: number, present: (i: number) => boolean): { bits: Uint8Array; nulls: number } | null {
  let bits: Uint8Array | null = null;
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (present(i)) continue;
    if (bits === null) {
      bits = new Uint8Array((n + 7) >> 3).fill(0xff);
    }
    bits[i >> 3]! &= ~(1 << (i & 7));
    nulls++;
  }
  return bits === null ? null : { bits, nulls };
}

function packBits(v: Uint8Array): Uint8Array {
  const out = new Uint8Array((v.length + 7) >> 3);
  for (let i = 0; i < v.length; i++) if (v[i]) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

/** One column as Arrow Data: float64 and int32 values are shared with Arrow, not copied. */
function columnToData(col: Column): { data: Data; nullable: boolean } {
  const n = col.length;
  switch (col.dtype) {
    case 'float64': {
      const v = col.values as Float64Array;
      // pandas (pyarrow's from_pandas) writes NaN as null
      const nb = bitmap(n, (i) => v[i] === v[i]);
      return {
        data: makeData({
          type: new Float64(),
          length: n,
          nullCount: nb?.nulls ?? 0,
          nullBitmap: nb?.bits ?? null,
          data: v,
        }),
        nullable: true,
      };
    }
    case 'int32':
    case 'Int32': {
      const valid = col.valid;
      const nb = valid === null ? null : bitmap(n, (i) => valid[i] === 1);
      return {
        data: makeData({
          type: new Int32(),
          length: n,
          nullCount: nb?.nulls ?? 0,
          nullBitmap: nb?.bits ?? null,
          data: col.values as Int32Array,
        }),
        nullable: col.dtype === 'Int32',
      };
    }
    case 'bool':
    case 'boolean': {
      const valid = col.valid;
      const nb = valid === null ? null : bitmap(n, (i) => valid[i] === 1);
      return {
        data: makeData({
          type: new Bool(),
          length: n,
          nullCount: nb?.nulls ?? 0,
          nullBitmap: nb?.bits ?? null,
          data: packBits(col.values as Uint8Array),
        }),
        nullable: col.dtype === 'boolean',
      };
    }
    case 'string': {
      const v = col.values as (string | null)[];
      const parts: Uint8Array[] = new Array(n);
      const offsets = new Int32Array(n + 1);
      let total = 0;
      for (let i = 0; i < n; i++) {
        const s = v[i];
        const b = s === null || s === undefined ? new Uint8Array(0) : encoder.encode(s);
        parts[i] = b;
        total += b.length;
        if (total > 0x7fffffff)
          fail('toArrow', 'a string column over 2 GiB of UTF-8 needs large_utf8, which is not written yet');
        offsets[i + 1] = total;
      }
      const bytes = new Uint8Array(total);
      for (let i = 0; i < n; i++) bytes.set(parts[i]!, offsets[i]!);
      const nb = bitmap(n, (i) => v[i] !== null);
      return {
        data: makeData({
          type: new Utf8(),
          length: n,
          nullCount: nb?.nulls ?? 0,
          nullBitmap: nb?.bits ?? null,
          valueOffsets: offsets,
          data: bytes,
        }),
        nullable: true,
      };
    }
  }
}

/**
 * The frame as an apache-arrow Table (pandas' pa.Table.from_pandas(df, preserve_index=False)):
 * float64 → Float64 (NaN written as null, as pyarrow does), int32/Int32 → Int32, bool/boolean →
 * Bool, string → Utf8. float64 and int32 columns share their memory with the Table. The index is
 * not written.
 */
export function toArrow(df: DataFrame): Table {
  if (!(df instanceof DataFrame)) fail('toArrow', `df must be a DataFrame, got ${describe(df)}`);
  const names = df.columns;
  const fields: Field[] = [];
  const children: Data[] = [];
  for (const name of names) {
    const { data, nullable } = columnToData(df.columnData(name));
    fields.push(new Field(name, data.type, nullable));
    children.push(data);
  }
  const schema = new Schema(fields, new Map([['pandas', pandasMetadata(df)]]));
  const rows = df.shape[0];
  const struct = makeData({ type: new Struct(fields), length: rows, nullCount: 0, children });
  return new Table(schema, [new RecordBatch(schema, struct)]);
}

/** A DataFrame from an apache-arrow Table (same as DataFrame.fromArrow). */
export function fromArrow(table: Table, opts: FromArrowOptions = {}): DataFrame {
  return DataFrame.fromArrow(table, opts);
}

export interface WriteArrowOptions {
  /** 'file' (default: the random-access IPC file format, Feather v2, `.arrow`/`.feather`) or 'stream' (`.arrows`). */
  format?: 'file' | 'stream';
}

/**
 * Writes the frame in the Arrow IPC format (pandas' df.to_feather / pyarrow's ipc writers). With a
 * path (Node), the file is written atomically and nothing is returned; without one, the bytes are.
 */
export function writeArrow(df: DataFrame, path: string, opts?: WriteArrowOptions): void;
export function writeArrow(df: DataFrame, path?: undefined, opts?: WriteArrowOptions): Uint8Array;
export function writeArrow(
  df: DataFrame,
  path?: string,
  opts: WriteArrowOptions = {},
): Uint8Array | undefined {
  checkOptions('writeArrow', opts, ['format']);
  const format = opts.format ?? 'file';
  if (format !== 'file' && format !== 'stream')
    fail('writeArrow', `format must be 'file' or 'stream', got ${describe(format)}`);
  const bytes = tableToIPC(toArrow(df), format);
  if (path === undefined) return bytes;
  writeFileAtomic('writeArrow', path, bytes);
  return undefined;
}

export interface ReadArrowOptions extends FromArrowOptions {
  /**
   * Only these columns, in this order (pandas' `read_feather(columns=)`). From an IPC file, only
   * the footer, each batch's header and those columns' buffers (and dictionaries) are read; a
   * stream is read whole and the other columns' buffers left out before apache-arrow decodes it.
   */
  columns?: readonly string[];
}

/**
 * Reads an Arrow IPC file or stream (Feather v2; pandas' read_feather) from a path, URL, bytes,
 * Blob or fetch Response. Dtypes as DataFrame.fromArrow. With `columns`, only those columns are
 * decoded, and only their bytes read from an IPC file (not from a stream).
 */
export async function readArrow(source: BinarySource, opts: ReadArrowOptions = {}): Promise<DataFrame> {
  const op = 'readArrow';
  checkOptions(op, opts, ['int64', 'columns']);
  const { columns, ...fromOpts } = opts;
  if (columns !== undefined) {
    if (!Array.isArray(columns) || columns.some((c) => typeof c !== 'string'))
      fail(op, `columns must be an array of column names, got ${describe(columns)}`);
    const twice = columns.find((c, i) => columns.indexOf(c) !== i);
    if (twice !== undefined) fail(op, `columns names ${JSON.stringify(twice)} twice`);
  }
  const name = typeof source === 'string' ? JSON.stringify(source) : describe(source);
  const checkNames = (all: readonly string[]): void => {
    const missing = columns!.filter((c) => !all.includes(c));
    if (missing.length > 0)
      fail(
        op,
        `no column${missing.length > 1 ? 's' : ''} named ${missing.map((c) => JSON.stringify(c)).join(', ')} in ${name}; its columns are ${listNames(all)}`,
      );
  };
  // an IPC file with `columns`: the footer, the batches' headers and the chosen buffers only
  const pieces =
    columns === undefined
      ? null
      : await projectIpcFile(op, name, source, new Set(columns), checkNames).catch((e: Error) => {
          if (e instanceof LumenError) throw e;
          return fail(op, `${name} is not valid Arrow IPC: ${e.message}`, FileFormatError);
        });
  const bytes = pieces ?? (await readAllBytes(op, source));
  if (pieces === null) checkFraming(op, name, bytes);
  let table: Table;
  try {
    if (columns === undefined) table = tableFromIPC(bytes);
    else if (pieces !== null) table = tableFromIPC(pieces).select(columns as string[]);
    else {
      const projected = projectIpc(bytes, new Set(columns), checkNames);
      table = tableFromIPC(projected ?? bytes);
      if (projected === null) checkNames(table.schema.fields.map((f) => f.name));
      table = table.select(columns as string[]);
    }
    const { names, cols, rows } = arrowToColumns(op, table, fromOpts);
    return DataFrame.of(names, cols, Index.range(rows));
  } catch (e) {
    if (e instanceof LumenError) throw e;
    return fail(
      op,
      `${name} (${pieces === null ? `${bytes.length} bytes` : `${bytes.length} bytes of its chosen columns`}) is not valid Arrow IPC: ${(e as Error).message}`,
      FileFormatError,
    );
  }
}
