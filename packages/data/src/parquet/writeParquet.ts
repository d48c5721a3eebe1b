import { ByteWriter, type ColumnSource, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import { pandasMetadata } from '../arrow/fromArrow.js';
import type { Column } from '../column/column.js';
import { describe, fail } from '../errors.js';
import { DataFrame } from '../frame/dataFrame.js';
import { AtomicFile } from '../io/files.js';
import { checkOptions } from '../options.js';

export interface WriteParquetOptions {
  /** 'snappy' (default, as pandas), 'zstd' (needs the optional package @bokuweb/zstd-wasm) or 'none'. */
  compression?: 'snappy' | 'zstd' | 'none';
  /** Rows per row group (default 100,000). Each frame written starts a new row group. */
  rowGroupSize?: number;
  /** zstd level (default 3). */
  compressionLevel?: number;
}

const OPTION_KEYS: readonly (keyof WriteParquetOptions)[] = [
  'compression',
  'rowGroupSize',
  'compressionLevel',
];

type Compress = (input: Uint8Array) => Uint8Array;

// the specifier is not a literal, so bundlers do not try to resolve this optional peer
const ZSTD_PACKAGE = ['@bokuweb', 'zstd-wasm'].join('/');

type ZstdModule = { init(): Promise<void>; compress(b: Uint8Array, level: number): Uint8Array };
let zstdModule: Promise<ZstdModule> | null = null;

async function zstdCompressor(op: string, level: number): Promise<Compress> {
  let mod: ZstdModule;
  try {
    // loaded and initialized once: init() again re-creates the module under earlier compressors
    zstdModule ??= (async () => {
      const m = (await import(/* @vite-ignore */ ZSTD_PACKAGE)) as ZstdModule & { default?: ZstdModule };
      const z = typeof m.compress === 'function' ? m : m.default!;
      await z.init();
      return z;
    })();
    mod = await zstdModule;
  } catch (e) {
    zstdModule = null;
    return fail(
      op,
      `compression 'zstd' needs the optional package @bokuweb/zstd-wasm (npm install @bokuweb/zstd-wasm), which could not be loaded: ${(e as Error).message}; or use compression 'snappy'`,
    );
  }
  // copies both ways: the package reads its input from offset 0 of the input's buffer, and its
  // result is a view of the module's memory, which the next call overwrites
  return (b) => mod.compress(b.slice(), level).slice();
}

function columnSource(name: string, col: Column): ColumnSource {
  const n = col.length;
  switch (col.dtype) {
    case 'float64': {
      const v = col.values as Float64Array;
      let nan = false;
      for (let i = 0; i < n && !nan; i++) nan = v[i] !== v[i];
      if (!nan) return { name, data: v, type: 'DOUBLE', nullable: true };
      // pandas writes NaN as null
      return { name, data: Array.from(v, (x) => (x === x ? x : null)), type: 'DOUBLE', nullable: true };
    }
    case 'int32':
      return { name, data: col.values as Int32Array, type: 'INT32', nullable: false };
    case 'Int32': {
      const v = col.values as Int32Array;
      const valid = col.valid!;
      return { name, data: Array.from(v, (x, i) => (valid[i] ? x : null)), type: 'INT32', nullable: true };
    }
    case 'bool':
    case 'boolean': {
      const v = col.values as Uint8Array;
      const valid = col.valid;
      return {
        name,
        data: Array.from(v, (x, i) => (valid !== null && valid[i] === 0 ? null : x === 1)),
        type: 'BOOLEAN',
        nullable: col.dtype === 'boolean',
      };
    }
    case 'string':
      return { name, data: col.values as (string | null)[], type: 'STRING', nullable: true };
  }
}

/**
 * An open Parquet file that frames are appended to, one or more row groups each, then closed:
 * for writing data larger than memory chunk by chunk (`for await (const chunk of readCsv(path,
 * { chunkSize })) w.write(chunk)`). Every frame must have the first frame's columns and dtypes.
 * With a path, nothing appears at the path until close() (the file is written beside it and
 * renamed); abort() discards it.
 */
export class ParquetFileWriter {
  private writer: ParquetWriter | null = null;
  private readonly bytes: ByteWriter;
  private readonly file: AtomicFile | null;
  private names: string[] | null = null;
  private dtypes: string[] = [];
  private closed = false;

  private constructor(
    private readonly op: string,
    path: string | undefined,
    private readonly opts: WriteParquetOptions,
    private readonly compress: Compress | null,
  ) {
    this.file = path === undefined ? null : new AtomicFile(op, path);
    this.bytes = new ByteWriter();
    if (this.file !== null) {
      const file = this.file;
      const w = this.bytes as ByteWriter & { index: number; flush?: () => void };
      // hand full buffers to the file as the writer goes, so memory stays near one row group
      w.flush = () => {
        file.write(new Uint8Array(w.buffer, 0, w.index).slice());
        w.index = 0;
      };
    }
  }

  /** Opens a writer; `path` undefined keeps the bytes in memory (see `close()`). */
  static async open(
    path: string | undefined,
    opts: WriteParquetOptions = {},
    op = 'ParquetFileWriter',
  ): Promise<ParquetFileWriter> {
    checkOptions(op, opts, OPTION_KEYS);
    const compression = opts.compression ?? 'snappy';
    if (compression !== 'snappy' && compression !== 'zstd' && compression !== 'none')
      fail(op, `compression must be 'snappy', 'zstd' or 'none', got ${describe(compression)}`);
    if (opts.rowGroupSize !== undefined && !(Number.isInteger(opts.rowGroupSize) && opts.rowGroupSize > 0))
      fail(op, `rowGroupSize must be a positive integer, got ${describe(opts.rowGroupSize)}`);
    const level = opts.compressionLevel ?? 3;
    if (!Number.isInteger(level) || level < 1 || level > 22)
      fail(op, `compressionLevel must be an integer from 1 to 22, got ${describe(opts.compressionLevel)}`);
    const compress = compression === 'zstd' ? await zstdCompressor(op, level) : null;
    return new ParquetFileWriter(op, path, { ...opts, compression }, compress);
  }

  /** Appends the frame's rows. */
  write(df: DataFrame): void {
    if (this.closed) fail(this.op, 'write() after close()');
    if (!(df instanceof DataFrame)) fail(this.op, `expected a DataFrame, got ${describe(df)}`);
    const names = df.columns;
    const dtypes = names.map((n) => df.columnData(n).dtype);
    if (this.names === null) {
      this.names = names;
      this.dtypes = dtypes;
    } else if (names.join('\u0000') !== this.names.join('\u0000') || dtypes.join() !== this.dtypes.join()) {
      this.abort();
      fail(
        this.op,
        `every frame must have the first frame's columns and dtypes: ${JSON.stringify(Object.fromEntries(this.names.map((n, j) => [n, this.dtypes[j]])))}, got ${JSON.stringify(df.dtypes)}`,
      );
    }
    const columnData = names.map((n) => columnSource(n, df.columnData(n)));
    try {
      if (this.writer === null) {
        const schema = schemaFromColumnData({ columnData });
        this.writer = new ParquetWriter({
          writer: this.bytes,
          schema,
          codec:
            this.opts.compression === 'zstd'
              ? 'ZSTD'
              : this.opts.compression === 'none'
                ? 'UNCOMPRESSED'
                : 'SNAPPY',
          compressors: this.compress === null ? undefined : { ZSTD: this.compress },
          kvMetadata: [{ key: 'pandas', value: pandasMetadata(df) }],
          createdBy: 'lumen (hyparquet-writer)',
        });
      }
      if (df.shape[0] > 0 || this.writtenRows === 0)
        this.writer.write({ columnData, rowGroupSize: this.opts.rowGroupSize ?? 100_000 });
      this.writtenRows += df.shape[0];
    } catch (e) {
      this.abort();
      throw e;
    }
  }

  private writtenRows = 0;

  /** Finishes the file: renames it into place, or returns its bytes when opened without a path. */
  close(): Uint8Array | undefined {
    if (this.closed) fail(this.op, 'close() called twice');
    if (this.writer === null) {
      this.abort();
      fail(this.op, 'nothing was written: write at least one frame (it may have no rows) before close()');
    }
    this.closed = true;
    try {
      this.writer.finish();
      if (this.file === null) return new Uint8Array(this.bytes.getBuffer());
      const w = this.bytes as ByteWriter & { flush: () => void };
      w.flush();
      this.file.commit();
      return undefined;
    } catch (e) {
      this.file?.abort();
      throw e;
    }
  }

  /** Discards what was written; the path is left as it was. */
  abort(): void {
    this.closed = true;
    this.file?.abort();
  }
}

/**
 * pandas' to_parquet: writes one frame, or every frame of an (async) iterable — the chunks of
 * readCsv(path, { chunkSize }) for instance — to `path` (atomically), or returns the bytes when
 * `path` is undefined.
 */
export async function writeParquet(
  frames: DataFrame | Iterable<DataFrame> | AsyncIterable<DataFrame>,
  path: string | undefined,
  opts: WriteParquetOptions = {},
): Promise<Uint8Array | undefined> {
  const w = await ParquetFileWriter.open(path, opts, 'writeParquet');
  try {
    if (frames instanceof DataFrame) w.write(frames);
    else if (
      frames !== null &&
      typeof frames === 'object' &&
      (Symbol.asyncIterator in frames || Symbol.iterator in frames)
    ) {
      for await (const df of frames as AsyncIterable<DataFrame>) w.write(df);
    } else
      fail(
        'writeParquet',
        `frames must be a DataFrame or an iterable of DataFrames, got ${describe(frames)}`,
      );
  } catch (e) {
    w.abort();
    throw e;
  }
  return w.close();
}
