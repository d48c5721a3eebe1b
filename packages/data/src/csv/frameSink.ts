import { FileFormatError } from '@lumen/tensor';
import { type ColumnDType, isColumnDType } from '../column/dtype.js';
import { describe, fail, listNames } from '../errors.js';
import { DataFrame } from '../frame/dataFrame.js';
import { Index } from '../frame/rowIndex.js';
import { type BuilderConfig, ColumnBuilder } from './columnBuilder.js';
import { decodeField } from './decode.js';
import { parseNumber } from './numbers.js';
import { DEFAULT_NA_VALUES, type ReadCsvChunkOptions, type ReadCsvOptions } from './options.js';
import type { RecordSink, Tokenizer } from './tokenizer.js';

/** A CSV problem at a place in the file (a FileFormatError): `line` and `column` are 1-based. */
export class CsvError extends FileFormatError {
  override name = 'CsvError';
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

/**
 * Receives records from the tokenizer and builds the frame: header and names, usecols, field
 * counts, and one ColumnBuilder per kept column.
 */
export class FrameSink implements RecordSink {
  tokenizer!: Tokenizer;
  private readonly op: string;
  private readonly opts: ReadCsvOptions;
  private skipBefore: number;
  private headerPending: boolean;
  private names: string[] | null = null;
  /** Header names before mangling: a dtype given for "a" applies to "a.1" too, as in pandas. */
  private originalNames: string[] = [];
  private builders: (ColumnBuilder | null)[] = [];
  private kept: ColumnBuilder[] = [];
  private expected = 0;
  rows = 0;
  private readonly nrows: number;
  private readonly naValues: Set<string>;
  private readonly naBeforeNumbers: boolean;
  // the record being read, for error positions
  private curStarts: Int32Array = new Int32Array(0);
  private curField = 0;
  private readonly failField: (message: string) => never;
  private reserved = false;
  /** Rows per frame when reading in chunks (pandas' chunksize); Infinity reads one frame. */
  private readonly chunkSize: number;
  /** Reading in chunks: a chunk's float64 arrays become the next chunk's (see reuseMemory). */
  private readonly reuseMemory: boolean;
  /** Row label of the current chunk's first row. */
  private chunkStart = 0;
  /** Chunks completed and not yet taken by the reader. */
  readonly ready: DataFrame[] = [];
  /** Per field position: the dtype the first chunk fixed for a column that had none given, for error messages. */
  private pinned: (ColumnDType | null)[] = [];
  private pinnedRows = 0;
  /** The next chunk's builders are empty: size them at its first row (after the last chunk was handed out). */
  private reservePending = false;

  constructor(op: string, opts: ReadCsvOptions) {
    this.op = op;
    this.opts = opts;
    const cs = (opts as Partial<ReadCsvChunkOptions>).chunkSize;
    if (cs !== undefined && !(Number.isInteger(cs) && cs > 0))
      fail(op, `chunkSize must be a positive integer (rows per frame), got ${describe(cs)}`);
    this.chunkSize = cs ?? Number.POSITIVE_INFINITY;
    const reuse = (opts as Partial<ReadCsvChunkOptions>).reuseMemory;
    if (reuse !== undefined && typeof reuse !== 'boolean')
      fail(op, `reuseMemory must be true or false, got ${describe(reuse)}`);
    this.reuseMemory = reuse === true;
    const header = opts.header === undefined ? 'infer' : opts.header;
    if (header !== 'infer' && header !== null && !(Number.isInteger(header) && (header as number) >= 0)) {
      fail(op, `header must be 'infer', a line number >= 0 or null, got ${describe(header)}`);
    }
    const headerLine = header === 'infer' ? (opts.names ? null : 0) : header;
    this.headerPending = headerLine !== null;
    this.skipBefore = headerLine ?? 0;
    if (opts.nrows !== undefined && !(Number.isInteger(opts.nrows) && opts.nrows >= 0)) {
      fail(op, `nrows must be an integer >= 0, got ${describe(opts.nrows)}`);
    }
    this.nrows = opts.nrows ?? Number.POSITIVE_INFINITY;
    if (
      opts.naValues !== undefined &&
      (!Array.isArray(opts.naValues) || opts.naValues.some((v) => typeof v !== 'string'))
    ) {
      fail(op, `naValues must be an array of strings, got ${describe(opts.naValues)}`);
    }
    this.naValues = new Set([
      ...(opts.keepDefaultNa === false ? [] : DEFAULT_NA_VALUES),
      ...(opts.naValues ?? []),
    ]);
    const enc = new TextEncoder();
    this.naBeforeNumbers = [...this.naValues].some((v) => {
      const b = enc.encode(v);
      return parseNumber(b, 0, b.length) !== 0;
    });
    if (opts.shortRows !== undefined && opts.shortRows !== 'error' && opts.shortRows !== 'fill') {
      fail(op, `shortRows must be 'error' or 'fill', got ${describe(opts.shortRows)}`);
    }
    this.failField = (message: string): never => {
      const at = this.tokenizer.locate(this.curStarts[this.curField]!);
      const name = this.names?.[this.curField];
      const pinned = this.pinned[this.curField];
      throw this.error(
        at.line,
        at.column,
        `${message}${name !== undefined ? ` in column ${JSON.stringify(name)}` : ''}${
          pinned && name !== undefined ? pinnedNote(name, pinned, this.pinnedRows) : ''
        }`,
      );
    };
  }

  private error(line: number, column: number, message: string): CsvError {
    return new CsvError(`${this.op}: line ${line}, column ${column}: ${message}`, line, column);
  }

  record(
    buf: Uint8Array,
    starts: Int32Array,
    ends: Int32Array,
    flags: Uint8Array,
    n: number,
    _line: number,
  ): boolean {
    this.curStarts = starts;
    if (this.skipBefore > 0) {
      this.skipBefore--;
      return true;
    }
    if (this.names === null) {
      if (this.headerPending) {
        const header: string[] = [];
        for (let i = 0; i < n; i++) header.push(decodeField(buf, starts[i]!, ends[i]!, flags[i]!));
        this.setup(this.opts.names ? this.checkNames(n) : header);
        this.headerPending = false;
        return true;
      }
      this.setup(this.opts.names ? this.checkNames(n) : Array.from({ length: n }, (_, i) => String(i)));
    }
    if (this.rows >= this.nrows) return false;
    if (this.reservePending) {
      this.reservePending = false;
      const capacity = Math.min(this.chunkSize, this.nrows - this.rows);
      for (const b of this.kept) b.reserve(capacity);
    }
    const expected = this.expected;
    if (n !== expected) {
      if (n > expected) {
        const at = this.tokenizer.locate(starts[expected]!);
        throw this.error(at.line, at.column, `expected ${expected} fields (as in the header), saw ${n}`);
      }
      if (this.opts.shortRows !== 'fill') {
        const at = this.tokenizer.locate(ends[n - 1]!);
        throw this.error(
          at.line,
          at.column,
          `expected ${expected} fields (as in the header), saw ${n} (pass shortRows: 'fill' to read the missing ones as missing values)`,
        );
      }
    }
    const builders = this.builders;
    for (let i = 0; i < expected; i++) {
      const b = builders[i];
      if (b === null || b === undefined) continue;
      this.curField = i;
      if (i < n) b.push(buf, starts[i]!, ends[i]!, flags[i]!, this.failField);
      else b.push(buf, 0, 0, 0, this.failField); // a short row's missing field reads as an empty one
    }
    this.rows++;
    if (this.rows - this.chunkStart === this.chunkSize) this.endChunk();
    return this.rows < this.nrows;
  }

  private checkNames(n: number): string[] {
    const names = this.opts.names!;
    if (!Array.isArray(names) || names.some((x) => typeof x !== 'string'))
      fail(this.op, `names must be an array of strings, got ${describe(names)}`);
    if (names.length !== n)
      fail(this.op, `names has ${names.length} entries but the first row has ${n} fields`);
    return [...names];
  }

  /** Column names (pandas' "Unnamed: i" for blanks, "a.1" for repeats), usecols and dtypes. */
  private setup(raw: string[]): void {
    const names = dedupe(raw);
    this.originalNames = raw;
    this.names = names;
    this.expected = names.length;
    let keep = names.map(() => true);
    const usecols = this.opts.usecols;
    if (usecols !== undefined) {
      if (!Array.isArray(usecols))
        fail(this.op, `usecols must be an array of column names or positions, got ${describe(usecols)}`);
      keep = names.map(() => false);
      const missing: string[] = [];
      for (const u of usecols) {
        if (typeof u === 'number') {
          if (!Number.isInteger(u) || u < 0 || u >= names.length)
            fail(this.op, `usecols position ${u} is out of range for ${names.length} columns`);
          keep[u] = true;
        } else {
          const j = names.indexOf(u);
          if (j < 0) missing.push(u);
          else keep[j] = true;
        }
      }
      if (missing.length > 0)
        fail(
          this.op,
          `usecols names columns that are not in the file: ${listNames(missing)}; the columns are ${listNames(names)}`,
        );
    }
    const dtype = this.opts.dtype;
    if (dtype !== undefined && typeof dtype !== 'string') {
      if (dtype === null || typeof dtype !== 'object')
        fail(this.op, `dtype must be a dtype name or an object of them, got ${describe(dtype)}`);
      const unknown = Object.keys(dtype).filter((k) => !names.includes(k));
      if (unknown.length > 0)
        fail(
          this.op,
          `dtype names columns that are not in the file: ${listNames(unknown)}; the columns are ${listNames(names)}`,
        );
    }
    this.builders = names.map((name, j) => {
      if (!keep[j]) return null;
      const d =
        dtype === undefined
          ? undefined
          : typeof dtype === 'string'
            ? dtype
            : (dtype[name] ?? dtype[this.originalNames[j]!]);
      if (d !== undefined && !isColumnDType(d)) {
        fail(
          this.op,
          `dtype for ${JSON.stringify(name)} must be one of float64, int32, bool, string, Int32, boolean; got ${describe(d)}`,
        );
      }
      const cfg: BuilderConfig = {
        naValues: this.naValues,
        naBeforeNumbers: this.naBeforeNumbers,
        dtype: d as ColumnDType | undefined,
      };
      return new ColumnBuilder(name, cfg, 0);
    });
    this.kept = this.builders.filter((b): b is ColumnBuilder => b !== null);
  }

  /** Sizes the column arrays once from the input size and the bytes per row seen so far. */
  reserveFor(totalBytes: number | undefined): void {
    if (this.reserved || totalBytes === undefined || this.tokenizer.records < 16) return;
    this.reserved = true;
    const perRecord = this.tokenizer.bytesConsumed / this.tokenizer.records;
    const estimate = Math.min(this.nrows, this.chunkSize, Math.ceil((totalBytes / perRecord) * 1.02) + 16);
    for (const b of this.kept) b.reserve(estimate);
  }

  /** The rows read since the last chunk as a frame, labelled from where the chunk starts (as pandas). */
  private takeFrame(): DataFrame {
    const names = this.kept.map((b) => b.name);
    const cols = this.kept.map((b) => b.finish());
    return DataFrame.of(names, cols, Index.range(this.rows - this.chunkStart, this.chunkStart));
  }

  /**
   * Ends a chunk: its frame goes to `ready`, and every column starts afresh with the dtype the
   * first chunk gave it, so all chunks agree (pandas infers each chunk anew, and a column can
   * change dtype between them).
   */
  private endChunk(): void {
    const df = this.takeFrame();
    this.ready.push(df);
    const first = this.chunkStart === 0;
    this.chunkStart = this.rows;
    const dtypes = df.dtypes;
    if (first) {
      this.pinnedRows = this.rows;
      this.pinned = this.builders.map((b) =>
        b !== null && b.explicitDtype === undefined ? dtypes[b.name]! : null,
      );
    }
    this.builders = this.builders.map((b) => {
      if (b === null) return null;
      const next = new ColumnBuilder(b.name, { ...b.config, dtype: b.explicitDtype ?? dtypes[b.name] }, 0);
      // an int32/bool column's number array was scratch (the frame has its own copy): reuse it;
      // a float64 column's is the frame's, reused only when asked to (reuseMemory)
      if (b.spare !== null && (!b.spareShared || this.reuseMemory)) next.adopt(b.spare, this.reuseMemory);
      return next;
    });
    this.kept = this.builders.filter((b): b is ColumnBuilder => b !== null);
    this.reservePending = true;
    this.tokenizer.requestPause(); // the reader hands this chunk out before the next one is read
  }

  private ensureColumns(): void {
    if (this.names === null) {
      if (this.headerPending || this.skipBefore > 0 || this.opts.names === undefined)
        fail(this.op, 'no columns to parse: the input is empty');
      this.setup([...this.opts.names]);
    }
  }

  /** The frame, once the tokenizer has finished. */
  finish(): DataFrame {
    this.ensureColumns();
    return this.takeFrame();
  }

  /** Reading in chunks: the last, short chunk goes to `ready` (an input of no rows gives one empty frame, as pandas). */
  finishChunks(): void {
    this.ensureColumns();
    if (this.rows > this.chunkStart || this.rows === 0) this.ready.push(this.takeFrame());
  }
}

/** The advice added to a chunk's error when the first chunk fixed the column's dtype. */
function pinnedNote(name: string, dtype: ColumnDType, rows: number): string {
  const instead =
    dtype === 'int32'
      ? "'float64'"
      : dtype === 'bool'
        ? "'boolean' or 'string'"
        : dtype === 'Int32'
          ? "'float64' or 'string'"
          : "'string'";
  return ` (reading in chunks, every chunk keeps the dtype the first chunk of ${rows} rows gave the column, ${dtype}; pass dtype: { ${JSON.stringify(name)}: ${instead} } to choose one that holds every value — pandas would change this chunk's dtype instead)`;
}

/**
 * pandas' C-parser header mangling (parsers.pyx, 1.5): blank names become "Unnamed: i"; a
 * repeated name becomes "name.1", "name.2", … skipping names present anywhere in the header;
 * named columns are handled before unnamed ones.
 */
function dedupe(raw: string[]): string[] {
  const header = raw.map((s, i) => (s === '' ? `Unnamed: ${i}` : s));
  // no repeats (and no name that could equal an "Unnamed: i"): nothing to rename, and a wide
  // header of blanks is not hashed name by name
  const named = raw.filter((s) => s !== '');
  if (new Set(named).size === named.length && !named.some((s) => s.startsWith('Unnamed: '))) return header;
  const unnamed = raw.flatMap((s, i) => (s === '' ? [i] : []));
  const order = [...header.keys()].filter((i) => raw[i] !== '').concat(unnamed);
  const counts = new Map<string, number>();
  for (const i of order) {
    const old = header[i]!;
    let col = old;
    let cur = counts.get(col) ?? 0;
    while (cur > 0) {
      counts.set(old, cur + 1);
      col = `${old}.${cur}`;
      if (header.includes(col)) cur++;
      else cur = counts.get(col) ?? 0;
    }
    header[i] = col;
    counts.set(col, cur + 1);
  }
  return header;
}
