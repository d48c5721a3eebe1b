import { decompress as zstdDecompress } from 'fzstd';
import type { ColumnMetaData, PageHeader, SchemaElement } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { deltaBinaryUnpack } from 'hyparquet/src/delta.js';
import { byteStreamSplit } from 'hyparquet/src/encoding.js';
import { type ColumnDType, INT32_MAX, INT32_MIN } from '../column/dtype.js';
import { snappyDecompress } from './snappy.js';

/**
 * A decoder for flat (not nested) numeric Parquet columns straight into the typed arrays of our
 * columns: pages are decompressed into one reused buffer, definition levels read as bytes, values
 * copied (or looked up in the dictionary) without a JS value per cell. hyparquet still parses the
 * footer and page headers, and reads every column this decoder does not take (strings, booleans,
 * timestamps, decimals, unsigned 32/64-bit). Its general reader builds a JS array per optional
 * column through its list assembler, which was 47% of a full read of the bench's fraud table.
 */

/** Column dtypes this decoder writes. */
export type FlatDType = 'float64' | 'int32' | 'Int32';

const ENCODINGS = new Set([
  'PLAIN',
  'PLAIN_DICTIONARY',
  'RLE_DICTIONARY',
  'RLE', // the levels' encoding
  'BYTE_STREAM_SPLIT',
  'DELTA_BINARY_PACKED',
]);
const CODECS = new Set(['UNCOMPRESSED', 'SNAPPY', 'ZSTD']);
const INT_TYPES = new Set([undefined, 'INT_8', 'INT_16', 'INT_32', 'INT_64', 'UINT_8', 'UINT_16']);

/** Whether decodeFlatChunk can read this column chunk into a column of this dtype. */
export function flatDecodable(
  e: SchemaElement,
  meta: ColumnMetaData | undefined,
  dtype: ColumnDType,
): dtype is FlatDType {
  if (meta === undefined || (e.num_children ?? 0) > 0 || e.repetition_type === 'REPEATED') return false;
  if (meta.path_in_schema.length !== 1) return false;
  if (!CODECS.has(meta.codec) || !meta.encodings.every((x) => ENCODINGS.has(x))) return false;
  const ltype = e.logical_type;
  if (ltype !== undefined && !(ltype.type === 'INTEGER' && (ltype.isSigned || ltype.bitWidth <= 16)))
    return false;
  if (!INT_TYPES.has(e.converted_type)) return false;
  switch (e.type) {
    case 'DOUBLE':
    case 'FLOAT':
      return dtype === 'float64' && e.converted_type === undefined;
    case 'INT32':
      return dtype === 'int32' || dtype === 'Int32';
    case 'INT64':
      return dtype === 'int32' || dtype === 'Int32' || dtype === 'float64';
    default:
      return false;
  }
}

/** Where the decoded rows go: rows [at, at + rows) of values (and valid, for Int32). */
export interface FlatTarget {
  dtype: FlatDType;
  values: Float64Array | Int32Array;
  valid: Uint8Array | null;
  at: number;
  rows: number;
  /** The file row of the chunk's first row (for messages). */
  firstRow: number;
}

/** What a decoding error names: thrown as `${where}: ${what}`. */
export class FlatChunkError extends Error {}

type Dense = Float64Array | Float32Array | Int32Array | BigInt64Array;

const WIDTH: Record<string, number> = { DOUBLE: 8, FLOAT: 4, INT32: 4, INT64: 8 };

/** A typed array of n values of type at bytes[off…], a view where aligned, else a copy. */
function plainValues(type: string, bytes: Uint8Array, off: number, n: number): Dense {
  const w = WIDTH[type]!;
  if (off + n * w > bytes.length)
    throw new FlatChunkError(`${n} ${type} values need ${n * w} bytes, the page has ${bytes.length - off}`);
  let buf = bytes.buffer;
  let start = bytes.byteOffset + off;
  if (start % w !== 0) {
    buf = bytes.slice(off, off + n * w).buffer;
    start = 0;
  }
  switch (type) {
    case 'DOUBLE':
      return new Float64Array(buf, start, n);
    case 'FLOAT':
      return new Float32Array(buf, start, n);
    case 'INT32':
      return new Int32Array(buf, start, n);
    default:
      return new BigInt64Array(buf, start, n);
  }
}

function readVarint(bytes: Uint8Array, pos: number, end: number): [number, number] {
  let v = 0;
  let scale = 1;
  for (let k = 0; k < 5; k++) {
    if (pos >= end) throw new FlatChunkError('a run header runs past the end of its levels');
    const c = bytes[pos++]!;
    v += (c & 0x7f) * scale;
    if (c < 0x80) return [v, pos];
    scale *= 128;
  }
  throw new FlatChunkError('a run header is longer than 5 bytes');
}

/**
 * Parquet's RLE/bit-packed hybrid: count values of `width` bits from bytes[pos, end) into out.
 * Returns the position after the last run read.
 */
export function readHybrid(
  bytes: Uint8Array,
  pos: number,
  end: number,
  width: number,
  out: Uint8Array | Int32Array,
  count: number,
): number {
  if (width > 32) throw new FlatChunkError(`bit width ${width} is over 32`);
  let seen = 0;
  const valueBytes = (width + 7) >> 3;
  while (seen < count) {
    let header: number;
    [header, pos] = readVarint(bytes, pos, end);
    if (header & 1) {
      const groups = Math.floor(header / 2);
      const take = Math.min(groups * 8, count - seen);
      const need = Math.ceil((take * width) / 8);
      if (pos + need > end)
        throw new FlatChunkError(`a bit-packed run of ${take} values needs ${need} bytes, ${end - pos} left`);
      let p = pos;
      if (width <= 24) {
        const mask = (1 << width) - 1;
        let acc = 0;
        let bits = 0;
        for (let k = 0; k < take; k++) {
          while (bits < width) {
            acc |= bytes[p++]! << bits;
            bits += 8;
          }
          out[seen + k] = acc & mask;
          acc >>>= width;
          bits -= width;
        }
      } else {
        const top = 2 ** width;
        let acc = 0;
        let scale = 1;
        for (let k = 0; k < take; k++) {
          while (scale < top) {
            acc += bytes[p++]! * scale;
            scale *= 256;
          }
          out[seen + k] = acc % top;
          acc = Math.floor(acc / top);
          scale /= top;
        }
      }
      pos = Math.min(pos + groups * width, end);
      seen += take;
    } else {
      const run = Math.floor(header / 2);
      if (pos + valueBytes > end) throw new FlatChunkError('an RLE run has no value');
      let v = 0;
      for (let k = 0; k < valueBytes; k++) v += bytes[pos + k]! * 2 ** (8 * k);
      pos += valueBytes;
      const take = Math.min(run, count - seen);
      out.fill(v, seen, seen + take);
      seen += take;
    }
  }
  return pos;
}

const bitWidth = (max: number) => (max === 0 ? 0 : 32 - Math.clz32(max));

/** Buffers that grow on demand, reused page after page and chunk after chunk of one read. */
export class Scratch {
  bytes = new Uint8Array(0);
  defs = new Uint8Array(0);
  ints = new Int32Array(0);
  raw = new Uint8Array(0);
  saved = new Uint8Array(0);
  /** The compressed bytes of a row group's column chunks (readParquet reads them into it). */
  chunks(n: number): Uint8Array {
    if (this.raw.length < n) this.raw = new Uint8Array(n);
    return this.raw.subarray(0, n);
  }
  /** Room for the few target bytes a page decompressed in place overwrites (see snappyInPlace). */
  hold(n: number): Uint8Array {
    if (this.saved.length < n) this.saved = new Uint8Array(Math.max(n, 64));
    return this.saved.subarray(0, n);
  }
  take(n: number): Uint8Array {
    if (this.bytes.length < n) this.bytes = new Uint8Array(Math.max(n, this.bytes.length * 2));
    return this.bytes.subarray(0, n);
  }
  levels(n: number): Uint8Array {
    if (this.defs.length < n) this.defs = new Uint8Array(Math.max(n, this.defs.length * 2));
    return this.defs.subarray(0, n);
  }
  indices(n: number): Int32Array {
    if (this.ints.length < n) this.ints = new Int32Array(Math.max(n, this.ints.length * 2));
    return this.ints.subarray(0, n);
  }
}

function decompress(codec: string, input: Uint8Array, size: number, scratch: Scratch): Uint8Array {
  if (codec === 'UNCOMPRESSED') {
    if (input.length !== size)
      throw new FlatChunkError(`an uncompressed page of ${input.length} bytes says it holds ${size}`);
    return input;
  }
  if (codec === 'SNAPPY') {
    const out = scratch.take(size);
    snappyDecompress(input, out);
    return out;
  }
  const out = zstdDecompress(input, scratch.take(size));
  if (out.length !== size) throw new FlatChunkError(`a zstd page gave ${out.length} bytes, not ${size}`);
  return out;
}

/** Values of one data page (dense: nulls left out), decoded by its encoding. */
function pageValues(
  type: string,
  encoding: string,
  bytes: Uint8Array,
  off: number,
  n: number,
  dictionary: Dense | undefined,
  scratch: Scratch,
): Dense {
  switch (encoding) {
    case 'PLAIN':
      return plainValues(type, bytes, off, n);
    case 'PLAIN_DICTIONARY':
    case 'RLE_DICTIONARY': {
      if (dictionary === undefined) throw new FlatChunkError('a dictionary-encoded page has no dictionary');
      if (off >= bytes.length && n > 0)
        throw new FlatChunkError('a dictionary-encoded page has no bit width');
      const width = n > 0 ? bytes[off]! : 0;
      const idx = scratch.indices(n);
      if (n > 0) readHybrid(bytes, off + 1, bytes.length, width, idx, n);
      const dense = new (dictionary.constructor as new (n: number) => Dense)(n);
      const size = dictionary.length;
      for (let k = 0; k < n; k++) {
        const j = idx[k]!;
        if (j >= size || j < 0)
          throw new FlatChunkError(`dictionary index ${j} at value ${k}; the dictionary has ${size}`);
        dense[k] = dictionary[j]!;
      }
      return dense;
    }
    case 'BYTE_STREAM_SPLIT': {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (off + n * WIDTH[type]! > bytes.length)
        throw new FlatChunkError(`${n} split ${type} values run past the page`);
      return byteStreamSplit({ view, offset: off }, n, type as 'DOUBLE', undefined) as Dense;
    }
    case 'DELTA_BINARY_PACKED': {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const out = type === 'INT32' ? new Int32Array(n) : new BigInt64Array(n);
      deltaBinaryUnpack({ view, offset: off }, n, out);
      return out;
    }
  }
  throw new FlatChunkError(`encoding ${encoding} is not one a ${type} page can have`);
}

/**
 * Writes page values to the target's rows [row, row + levels.length) (levels null: no nulls):
 * converted to the target dtype, nulls as NaN (float64) or invalid (Int32).
 */
function scatter(
  t: FlatTarget,
  row: number,
  num: number,
  dense: Dense,
  levels: Uint8Array | null,
  maxDef: number,
  name: string,
): void {
  const out = t.values;
  const at = t.at + row;
  if (levels === null) {
    if (dense instanceof BigInt64Array) {
      for (let k = 0; k < num; k++) out[at + k] = int64To(t, dense[k]!, t.firstRow + row + k, name);
    } else if (t.dtype === 'float64' || (dense instanceof Int32Array && out instanceof Int32Array)) {
      out.set(dense as Float64Array, at);
    } else {
      throw new FlatChunkError(`no conversion from ${dense.constructor.name} to ${t.dtype}`);
    }
    if (t.valid !== null) t.valid.fill(1, at, at + num);
    return;
  }
  let k = 0;
  for (let i = 0; i < num; i++) {
    if (levels[i] === maxDef) {
      const v = dense[k++]!;
      out[at + i] = typeof v === 'bigint' ? int64To(t, v, t.firstRow + row + i, name) : v;
      if (t.valid !== null) t.valid[at + i] = 1;
    } else if (t.dtype === 'float64') {
      out[at + i] = Number.NaN;
    } else if (t.valid === null) {
      throw new FlatChunkError(
        `column ${JSON.stringify(name)} has a null at row ${t.firstRow + row + i} although its statistics count none`,
      );
    } else {
      out[at + i] = 0;
    }
  }
}

/**
 * A PLAIN page without nulls whose values are the target's own type (DOUBLE into float64, INT32
 * into int32/Int32): its bytes are copied straight into the target's rows (one copy, whatever
 * their alignment in the page). False when the page is not such a page.
 */
function copyPlain(
  t: FlatTarget,
  row: number,
  num: number,
  type: string,
  encoding: string,
  page: Uint8Array,
  off: number,
): boolean {
  if (encoding !== 'PLAIN') return false;
  if (!(type === 'DOUBLE' && t.dtype === 'float64') && !(type === 'INT32' && t.dtype !== 'float64'))
    return false;
  const width = type === 'DOUBLE' ? 8 : 4;
  if (off + num * width > page.length)
    throw new FlatChunkError(
      `${num} ${type} values need ${num * width} bytes, the page has ${page.length - off}`,
    );
  const at = t.at + row;
  const out = t.values;
  new Uint8Array(out.buffer, out.byteOffset + at * width, num * width).set(
    page.subarray(off, off + num * width),
  );
  if (t.valid !== null) t.valid.fill(1, at, at + num);
  return true;
}

/**
 * The bytes of t's rows [row, row + num) when a PLAIN page of `type` can land there as it is
 * (DOUBLE into float64, INT32 into int32/Int32); null otherwise.
 */
function plainTarget(t: FlatTarget, row: number, num: number, type: string, encoding: string) {
  if (encoding !== 'PLAIN') return null;
  if (!(type === 'DOUBLE' && t.dtype === 'float64') && !(type === 'INT32' && t.dtype !== 'float64'))
    return null;
  const width = type === 'DOUBLE' ? 8 : 4;
  const out = t.values;
  const at = (t.at + row) * width;
  if (at + num * width > out.byteLength) return null;
  return new Uint8Array(out.buffer, out.byteOffset + at, num * width);
}

/**
 * A snappy v1 data page decompressed straight into t's rows, saving the copy from a scratch page:
 * when the page can be PLAIN values of the target's type without nulls, its `full - num × width`
 * leading bytes (the definition levels: 4-byte length and one RLE run) are let fall on the rows
 * before `row`, which are put back afterwards. True when the page was such a page and is done;
 * otherwise the decompressed page (moved to scratch, the rows before put back), or false when the
 * page cannot go in place (then nothing was decompressed).
 */
function snappyInPlace(
  t: FlatTarget,
  row: number,
  num: number,
  type: string,
  encoding: string,
  raw: Uint8Array,
  full: number,
  maxDef: number,
  scratch: Scratch,
): Uint8Array | boolean {
  const into = plainTarget(t, row, num, type, encoding);
  if (into === null) return false;
  const lead = full - into.length;
  const out = t.values;
  const at = into.byteOffset - out.byteOffset;
  if (lead < 0 || lead > at || (maxDef === 0 ? lead !== 0 : lead < 5)) return false;
  const all = new Uint8Array(out.buffer, into.byteOffset - lead, full);
  const saved = scratch.hold(lead);
  saved.set(all.subarray(0, lead));
  snappyDecompress(raw, all);
  if (
    lead === 0 ||
    (new DataView(all.buffer, all.byteOffset, 4).getUint32(0, true) === lead - 4 &&
      allDefined(all, 4, lead, maxDef, num))
  ) {
    all.set(saved);
    if (t.valid !== null) t.valid.fill(1, t.at + row, t.at + row + num);
    return true;
  }
  const page = scratch.take(full);
  page.set(all);
  all.set(saved);
  return page;
}

function int64To(t: FlatTarget, v: bigint, row: number, name: string): number {
  const x = Number(v);
  if (t.dtype !== 'float64' && (x < INT32_MIN || x > INT32_MAX))
    throw new RangeError(
      `column ${JSON.stringify(name)} row ${row} is ${String(v)}, outside int32's range; pass { int64: 'float64' } to read such columns as float64`,
    );
  return x;
}

/**
 * Decodes one column chunk (its bytes, from its first page to its end) into t's rows. Throws
 * FlatChunkError (corrupt data, with the byte offset in the chunk) or RangeError (an int64 value
 * outside int32's range, with its row in the file).
 */
export function decodeFlatChunk(
  chunk: Uint8Array,
  e: SchemaElement,
  meta: ColumnMetaData,
  t: FlatTarget,
  name: string,
  scratch: Scratch = new Scratch(),
): void {
  const type = e.type!;
  const maxDef = e.repetition_type === 'REQUIRED' ? 0 : 1;
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  const reader = { view, offset: 0 };
  const limit = Number(meta.total_uncompressed_size);
  let dictionary: Dense | undefined;
  let row = 0;
  while (row < t.rows) {
    const pageAt = reader.offset;
    if (pageAt >= chunk.length)
      throw new FlatChunkError(`the chunk ends at byte ${pageAt} after ${row} of ${t.rows} rows`);
    let header: PageHeader;
    try {
      header = parquetHeader(reader);
    } catch (err) {
      throw new FlatChunkError(`unreadable page header at byte ${pageAt}: ${(err as Error).message}`);
    }
    const size = header.compressed_page_size;
    const full = header.uncompressed_page_size;
    const body = reader.offset;
    if (!(size >= 0 && body + size <= chunk.length))
      throw new FlatChunkError(
        `the page at byte ${pageAt} says ${size} bytes; the chunk has ${chunk.length - body} left`,
      );
    if (!(full >= 0 && full <= limit))
      throw new FlatChunkError(
        `the page at byte ${pageAt} says ${full} bytes uncompressed, more than its column chunk's ${limit}`,
      );
    reader.offset = body + size;
    const raw = chunk.subarray(body, body + size);
    try {
      if (header.type === 'DICTIONARY_PAGE') {
        const n = header.dictionary_page_header?.num_values ?? 0;
        const page = decompress(meta.codec, raw, full, scratch);
        dictionary = plainValues(type, page, 0, n).slice();
      } else if (header.type === 'DATA_PAGE') {
        const h = header.data_page_header!;
        const num = h.num_values;
        if (!(num >= 0 && row + num <= t.rows))
          throw new FlatChunkError(`a page of ${num} values after ${row} of the chunk's ${t.rows} rows`);
        const inPlace =
          meta.codec === 'SNAPPY'
            ? snappyInPlace(t, row, num, type, h.encoding, raw, full, maxDef, scratch)
            : false;
        if (inPlace === true) {
          row += num;
          continue;
        }
        const page = inPlace === false ? decompress(meta.codec, raw, full, scratch) : inPlace;
        let off = 0;
        let levels: Uint8Array | null = null;
        let nonNull = num;
        if (maxDef > 0) {
          if (h.definition_level_encoding !== 'RLE')
            throw new FlatChunkError(`definition levels in ${h.definition_level_encoding} encoding`);
          if (page.length < 4) throw new FlatChunkError('the page has no definition levels');
          const len = new DataView(page.buffer, page.byteOffset, 4).getUint32(0, true);
          if (4 + len > page.length)
            throw new FlatChunkError(`definition levels of ${len} bytes in a page of ${page.length}`);
          off = 4 + len;
          if (!allDefined(page, 4, 4 + len, maxDef, num)) {
            levels = scratch.levels(num);
            readHybrid(page, 4, 4 + len, bitWidth(maxDef), levels, num);
            nonNull = countDefined(levels, maxDef);
            if (nonNull === num) levels = null;
          }
        }
        if (levels !== null || !copyPlain(t, row, num, type, h.encoding, page, off)) {
          const dense = pageValues(type, h.encoding, page, off, nonNull, dictionary, scratch);
          scatter(t, row, num, dense, levels, maxDef, name);
        }
        row += num;
      } else if (header.type === 'DATA_PAGE_V2') {
        const h = header.data_page_header_v2!;
        const num = h.num_values;
        if (!(num >= 0 && h.num_rows === num && row + num <= t.rows))
          throw new FlatChunkError(`a page of ${num} values after ${row} of the chunk's ${t.rows} rows`);
        const repLen = h.repetition_levels_byte_length;
        const defLen = h.definition_levels_byte_length;
        if (!(repLen >= 0 && defLen >= 0 && repLen + defLen <= raw.length))
          throw new FlatChunkError(`levels of ${repLen}+${defLen} bytes in a page of ${raw.length}`);
        let levels: Uint8Array | null = null;
        let nonNull = num;
        if (maxDef > 0 && h.num_nulls > 0) {
          levels = scratch.levels(num);
          readHybrid(raw, repLen, repLen + defLen, bitWidth(maxDef), levels, num);
          nonNull = countDefined(levels, maxDef);
          if (nonNull !== num - h.num_nulls)
            throw new FlatChunkError(`${num - nonNull} nulls in a page that says ${h.num_nulls}`);
        }
        const rest = raw.subarray(repLen + defLen);
        if (levels === null && h.is_compressed !== false && meta.codec === 'SNAPPY') {
          const into = plainTarget(t, row, num, type, h.encoding);
          if (into !== null && into.length === full - repLen - defLen) {
            snappyDecompress(rest, into);
            if (t.valid !== null) t.valid.fill(1, t.at + row, t.at + row + num);
            row += num;
            continue;
          }
        }
        const page =
          h.is_compressed === false ? rest : decompress(meta.codec, rest, full - repLen - defLen, scratch);
        if (levels !== null || !copyPlain(t, row, num, type, h.encoding, page, 0)) {
          const dense = pageValues(type, h.encoding, page, 0, nonNull, dictionary, scratch);
          scatter(t, row, num, dense, levels, maxDef, name);
        }
        row += num;
      }
      // index pages and unknown page types are skipped, as the format allows
    } catch (err) {
      if (err instanceof RangeError && /outside int32's range/.test(err.message)) throw err;
      throw new FlatChunkError(`page at byte ${pageAt}: ${(err as Error).message}`);
    }
  }
}

/** Whether the levels are one RLE run of maxDef over all num values (a page without nulls). */
function allDefined(bytes: Uint8Array, pos: number, end: number, maxDef: number, num: number): boolean {
  if (pos >= end || (bytes[pos]! & 1) === 1 || maxDef > 255) return false;
  const [header, at] = readVarint(bytes, pos, end);
  return header / 2 >= num && at < end && bytes[at] === maxDef;
}

function countDefined(levels: Uint8Array, maxDef: number): number {
  let n = 0;
  for (let i = 0; i < levels.length; i++) {
    const d = levels[i]!;
    if (d === maxDef) n++;
    else if (d > maxDef)
      throw new FlatChunkError(`definition level ${d} at value ${i}; the most is ${maxDef}`);
  }
  return n;
}
