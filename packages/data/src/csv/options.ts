import type { ColumnDType } from '../column/dtype.js';

export interface ReadCsvOptions {
  /** Field separator, one character (default ','). */
  sep?: string;
  /**
   * Which line holds the column names: 'infer' (default: the first line, unless `names` is
   * given), a 0-based line number (lines above it are skipped), or null for no header (columns
   * are named '0', '1', … or by `names`).
   */
  header?: 'infer' | number | null;
  /** Column names to use (with header: null, or replacing the header line). */
  names?: readonly string[];
  /** One dtype for all columns or one per column name; others are inferred as pandas infers them. */
  dtype?: ColumnDType | Readonly<Record<string, ColumnDType>>;
  /** Extra strings read as missing, added to pandas' defaults unless keepDefaultNa is false. */
  naValues?: readonly string[];
  keepDefaultNa?: boolean;
  /** Only these columns (names or 0-based positions); they keep the file's order, as in pandas. */
  usecols?: readonly (string | number)[];
  /** Read at most this many data rows. */
  nrows?: number;
  /** Skip empty lines (default true, as pandas). */
  skipBlankLines?: boolean;
  /**
   * A row with fewer fields than the header: 'error' (default: fails with its line) or 'fill'
   * (the missing trailing fields are missing values, as pandas does). More fields is always an error.
   */
  shortRows?: 'error' | 'fill';
  /**
   * Bytes that are not valid UTF-8: 'strict' (default, as pandas' encoding_errors) fails with a
   * CsvError that names the byte offset, line and column of the first invalid sequence; 'replace'
   * reads each invalid sequence as U+FFFD.
   */
  encodingErrors?: 'strict' | 'replace';
}

/** readCsv's options for reading in chunks. */
export interface ReadCsvChunkOptions extends ReadCsvOptions {
  /**
   * Read the input in frames of at most this many rows (pandas' chunksize): `readCsv` then
   * returns an async iterator of DataFrames instead of a Promise of one, and memory stays near
   * one chunk. The first chunk's dtypes hold for every later chunk (see the README).
   */
  chunkSize: number;
  /**
   * Reuse each chunk's number arrays for the next chunk (default false). A frame's float64
   * columns may then be overwritten once the next frame is asked for, so a loop must copy what
   * it keeps (`chunk.copy()`), and the chunks cannot be collected into a list or shuffled across
   * by a DataLoader. What it buys: memory stays near one chunk, where fresh arrays per chunk
   * leave V8 up to ~64 MiB of dropped chunks to collect first (see the README).
   */
  reuseMemory?: boolean;
}

/** Every option name, to refuse a misspelt one. */
export const READ_CSV_OPTION_KEYS: readonly (keyof ReadCsvOptions)[] = [
  'sep',
  'header',
  'names',
  'dtype',
  'naValues',
  'keepDefaultNa',
  'usecols',
  'nrows',
  'skipBlankLines',
  'shortRows',
  'encodingErrors',
];

/** pandas' default na_values (pandas/_libs/parsers.pyx, STR_NA_VALUES). */
export const DEFAULT_NA_VALUES: readonly string[] = [
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'n/a',
  'nan',
  'null',
];
