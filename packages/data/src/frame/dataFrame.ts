import type { Tensor, TypedArray } from '@lumen/tensor';
import { type ArrowTableLike, arrowToColumns, type FromArrowOptions } from '../arrow/fromArrow.js';
import { Column, type Positions } from '../column/column.js';
import type { ColumnDType, Scalar } from '../column/dtype.js';
import { type ColumnInput, castColumn, toColumn } from '../column/fromValues.js';
import { type CsvFileOptions, type CsvWriteOptions, frameToCsv, writeCsv } from '../csv/writeCsv.js';
import { describe as describeValue, fail, listNames } from '../errors.js';
import { type FormatOptions, formatFrame } from '../format/frameString.js';
import { checkOptions } from '../options.js';
import { pearsonMatrix, spearmanMatrix } from '../stats/corr.js';
import { columnsToTensor, type FrameToTensorOptions, tensorToColumns } from '../tensor/convert.js';
import { argsort } from './algorithms.js';
import { type DescribeOptions, describeFrame } from './describe.js';
import { GroupBy } from './groupBy.js';
import { frameInfo, type InfoOptions } from './info.js';
import { type MaskInput, maskPositions, toMask } from './mask.js';
import { type ReduceOptions, reduceColumns } from './reduce.js';
import { Index } from './rowIndex.js';
import { checkPositions, fillColumn, type SampleOptions, Series, samplePositions } from './series.js';

export interface FrameOptions {
  index?: Index | ColumnInput;
  /** Column order (and selection) when building from an object. */
  columns?: readonly string[];
  /** One dtype for every column, or one per column name. */
  dtype?: ColumnDType | Readonly<Record<string, ColumnDType>>;
}

export type ColumnValuesInput = ColumnInput | Series;

/** A row as a plain object, column name → cell. */
export type Row = Record<string, Scalar>;

/**
 * A table of named, typed columns sharing one row Index, as pandas' DataFrame. Columns are
 * typed arrays (see ColumnDType), so a 285k × 31 float table takes ~70 MB. Immutable: every
 * method returns a new frame that shares the columns it did not change.
 */
export class DataFrame {
  readonly index: Index;
  private readonly names: readonly string[];
  private readonly cols: readonly Column[];

  /** From an object of columns: `new DataFrame({ a: [1, 2], b: Float64Array.of(0.5, 1) })`. */
  constructor(data: Readonly<Record<string, ColumnValuesInput>> = {}, opts: FrameOptions = {}) {
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      fail(
        'DataFrame',
        `data must be an object of columns like { a: [1, 2] }, got ${describeValue(data)}; use DataFrame.fromRecords for an array of rows`,
      );
    }
    checkOptions('DataFrame', opts, ['index', 'columns', 'dtype']);
    const names = opts.columns ? [...opts.columns] : Object.keys(data);
    const cols = names.map((name) => {
      if (!(name in data))
        fail(
          'DataFrame',
          `column ${JSON.stringify(name)} is not in data; data has ${listNames(Object.keys(data))}`,
        );
      const v = data[name]!;
      const dtype = typeof opts.dtype === 'string' ? opts.dtype : opts.dtype?.[name];
      return toColumn(
        'DataFrame',
        `column ${JSON.stringify(name)}`,
        v instanceof Series ? v.column : v,
        dtype,
      );
    });
    const rows = cols[0]?.length ?? (opts.index === undefined ? 0 : Index.from(opts.index).length);
    cols.forEach((c, j) => {
      if (c.length !== rows) {
        fail(
          'DataFrame',
          `all columns must have the same length: ${JSON.stringify(names[0])} has ${rows}, ${JSON.stringify(names[j])} has ${c.length}`,
        );
      }
    });
    checkUnique('DataFrame', names);
    const index = opts.index === undefined ? Index.range(rows) : Index.from(opts.index);
    if (index.length !== rows)
      fail('DataFrame', `index has length ${index.length} but the columns have ${rows} rows`);
    this.names = names;
    this.cols = cols;
    this.index = index;
  }

  /** @internal A frame over existing columns (no checks). */
  static of(names: readonly string[], cols: readonly Column[], index: Index): DataFrame {
    const df = Object.create(DataFrame.prototype) as {
      names: readonly string[];
      cols: readonly Column[];
      index: Index;
    };
    df.names = names;
    df.cols = cols;
    df.index = index;
    return df as unknown as DataFrame;
  }

  /** From an object of columns (same as the constructor). */
  static fromColumns(data: Readonly<Record<string, ColumnValuesInput>>, opts: FrameOptions = {}): DataFrame {
    return new DataFrame(data, opts);
  }

  /**
   * From an array of row objects (pandas' DataFrame.from_records / DataFrame(list of dicts)):
   * columns in order of first appearance unless `columns` is given; a key missing from a row is
   * a missing value.
   */
  static fromRecords(
    records: readonly Readonly<Record<string, unknown>>[],
    opts: FrameOptions = {},
  ): DataFrame {
    if (!Array.isArray(records))
      fail('DataFrame.fromRecords', `records must be an array of objects, got ${describeValue(records)}`);
    const names: string[] = opts.columns ? [...opts.columns] : [];
    const known = new Set(names);
    records.forEach((r, i) => {
      if (r === null || typeof r !== 'object' || Array.isArray(r)) {
        fail('DataFrame.fromRecords', `records[${i}] must be an object, got ${describeValue(r)}`);
      }
      if (!opts.columns) {
        for (const k of Object.keys(r)) {
          if (!known.has(k)) {
            known.add(k);
            names.push(k);
          }
        }
      }
    });
    const data: Record<string, ColumnInput> = {};
    for (const name of names) data[name] = records.map((r) => (r[name] ?? null) as Scalar);
    return new DataFrame(data, { ...opts, columns: names });
  }

  /**
   * From an apache-arrow Table (pandas' Table.to_pandas()): Float32/Float64 → float64, Int8–Int32
   * and UInt8/UInt16 → int32 (Int32 with nulls), Int64/UInt32/UInt64 → int32 when in range (or
   * float64 with `{ int64: 'float64' }`), Bool → bool (boolean with nulls), Utf8, LargeUtf8 and
   * dictionary-encoded strings → string, Timestamp and Date → float64 milliseconds since the epoch
   * (what JS Dates hold; @lumen/data has no datetime dtype yet). Nulls become NaN in float64.
   * Float64 and Int32 columns in one chunk without nulls share Arrow's memory (no copy).
   */
  static fromArrow(table: ArrowTableLike, opts: FromArrowOptions = {}): DataFrame {
    const { names, cols, rows } = arrowToColumns('DataFrame.fromArrow', table, opts);
    return DataFrame.of(names, cols, Index.range(rows));
  }

  /**
   * From a cpu tensor of shape [rows, columns] (or [rows]); columns named '0', '1', … unless given.
   * The values are copied (float32 widened to float64): a tensor's memory belongs to
   * @lumen/tensor, which recycles it after `dispose()` and may move it into its kernels' memory, so
   * a column cannot safely share it. (The other way, `toTensor`, can: see there.)
   */
  static fromTensor(
    t: Tensor,
    opts: { columns?: readonly string[]; index?: Index | ColumnInput } = {},
  ): DataFrame {
    return DataFrame.fromTensorData(t, undefined, opts);
  }

  /** fromTensor for a tensor on any device: waits for its data. */
  static async fromTensorAsync(
    t: Tensor,
    opts: { columns?: readonly string[]; index?: Index | ColumnInput } = {},
  ): Promise<DataFrame> {
    return DataFrame.fromTensorData(t, await t.data(), opts);
  }

  private static fromTensorData(
    t: Tensor,
    data: TypedArray | undefined,
    opts: { columns?: readonly string[]; index?: Index | ColumnInput },
  ): DataFrame {
    const cols = tensorToColumns('DataFrame.fromTensor', t, data);
    const names = opts.columns ? [...opts.columns] : cols.map((_, j) => String(j));
    if (names.length !== cols.length)
      fail('DataFrame.fromTensor', `got ${names.length} column names for ${cols.length} columns`);
    checkUnique('DataFrame.fromTensor', names);
    const rows = t.shape[0]!;
    const index = opts.index === undefined ? Index.range(rows) : Index.from(opts.index);
    if (index.length !== rows)
      fail('DataFrame.fromTensor', `index has length ${index.length} but the tensor has ${rows} rows`);
    return DataFrame.of(names, cols, index);
  }

  // ---- shape ------------------------------------------------------------------------------------

  get shape(): [number, number] {
    return [this.index.length, this.names.length];
  }
  get columns(): string[] {
    return [...this.names];
  }
  get dtypes(): Record<string, ColumnDType> {
    const out: Record<string, ColumnDType> = {};
    this.names.forEach((n, j) => {
      out[n] = this.cols[j]!.dtype;
    });
    return out;
  }

  // ---- columns ----------------------------------------------------------------------------------

  /** One column as a Series (pandas' df["name"]). */
  col(name: string): Series {
    const j = this.position('DataFrame.col', name);
    return Series.of(this.cols[j]!, this.index, name);
  }

  /** @internal The Column of a name, for this package's other modules. */
  columnData(name: string): Column {
    return this.cols[this.position('DataFrame.columnData', name)]!;
  }

  /** Only the named columns, in the order given (pandas' df[["a", "b"]]). */
  select(names: readonly string[]): DataFrame {
    if (!Array.isArray(names))
      fail('DataFrame.select', `names must be an array of column names, got ${describeValue(names)}`);
    const pos = names.map((n) => this.position('DataFrame.select', n));
    checkUnique('DataFrame.select', names);
    return DataFrame.of(
      [...names],
      pos.map((j) => this.cols[j]!),
      this.index,
    );
  }

  /**
   * A new frame with column `name` set (replaced in place, or appended): values of the frame's
   * length, a Series (positions, not labels, are matched), or one number/string/boolean for all rows.
   */
  set(name: string, values: ColumnValuesInput | number | string | boolean): DataFrame {
    if (typeof name !== 'string') fail('DataFrame.set', `name must be a string, got ${describeValue(name)}`);
    const rows = this.shape[0];
    let col: Column;
    if (typeof values === 'number' || typeof values === 'string' || typeof values === 'boolean') {
      col = toColumn('DataFrame.set', JSON.stringify(name), new Array(rows).fill(values));
    } else {
      col = toColumn(
        'DataFrame.set',
        JSON.stringify(name),
        values instanceof Series ? values.column : values,
      );
      if (col.length !== rows)
        fail(
          'DataFrame.set',
          `values for ${JSON.stringify(name)} have length ${col.length} but the frame has ${rows} rows`,
        );
    }
    const j = this.names.indexOf(name);
    if (j >= 0)
      return DataFrame.of(
        this.names,
        this.cols.map((c, k) => (k === j ? col : c)),
        this.index,
      );
    return DataFrame.of([...this.names, name], [...this.cols, col], this.index);
  }

  /** Without the given columns and/or index labels (pandas' drop(columns=…, index=…)). */
  drop(opts: { columns?: string | readonly string[]; index?: Scalar | readonly Scalar[] }): DataFrame {
    if (opts === null || typeof opts !== 'object')
      fail('DataFrame.drop', `expected { columns } or { index }, got ${describeValue(opts)}`);
    checkOptions('DataFrame.drop', opts, ['columns', 'index']);
    let out: DataFrame = this;
    if (opts.columns !== undefined) {
      const drop = typeof opts.columns === 'string' ? [opts.columns] : opts.columns;
      for (const n of drop) this.position('DataFrame.drop', n);
      const keep = this.names.map((n, j) => [n, j] as const).filter(([n]) => !drop.includes(n));
      out = DataFrame.of(
        keep.map(([n]) => n),
        keep.map(([, j]) => this.cols[j]!),
        this.index,
      );
    }
    if (opts.index !== undefined) {
      const labels = Array.isArray(opts.index) ? (opts.index as readonly Scalar[]) : [opts.index as Scalar];
      const gone = new Set(out.index.positionsOf('DataFrame.drop', labels));
      const keep: number[] = [];
      for (let i = 0; i < out.shape[0]; i++) if (!gone.has(i)) keep.push(i);
      out = out.take(Int32Array.from(keep));
    }
    return out;
  }

  rename(mapping: Readonly<Record<string, string>>): DataFrame {
    const names = this.names.map((n) => mapping[n] ?? n);
    checkUnique('DataFrame.rename', names);
    return DataFrame.of(names, this.cols, this.index);
  }

  /** Columns converted to other dtypes (pandas' astype({col: dtype})). */
  astype(dtypes: ColumnDType | Readonly<Record<string, ColumnDType>>): DataFrame {
    if (typeof dtypes === 'object') for (const n of Object.keys(dtypes)) this.position('DataFrame.astype', n);
    const cols = this.cols.map((c, j) => {
      const d = typeof dtypes === 'string' ? dtypes : dtypes[this.names[j]!];
      return d === undefined ? c : castColumn('DataFrame.astype', JSON.stringify(this.names[j]), c, d);
    });
    return DataFrame.of(this.names, cols, this.index);
  }

  copy(): DataFrame {
    return DataFrame.of(
      [...this.names],
      this.cols.map((c) => c.slice(0, c.length)),
      this.index,
    );
  }

  /**
   * The index replaced by 0..n-1; unless `drop`, the old labels become the first column ("index"),
   * or the first columns for a MultiIndex (named after its levels, `level_0`… where unnamed).
   */
  resetIndex(opts: { drop?: boolean } = {}): DataFrame {
    checkOptions('DataFrame.resetIndex', opts, ['drop']);
    const index = Index.range(this.shape[0]);
    if (opts.drop) return DataFrame.of(this.names, this.cols, index);
    const multi = this.index.nlevels > 1;
    const names = this.index.names.map((n, i) => n ?? (multi ? `level_${i}` : 'index'));
    return DataFrame.of([...names, ...this.names], [...this.index.levels, ...this.cols], index);
  }

  // ---- rows -------------------------------------------------------------------------------------

  head(n = 5): DataFrame {
    const rows = this.shape[0];
    const end = n >= 0 ? Math.min(n, rows) : Math.max(0, rows + n);
    return this.sliceRows(0, end);
  }

  tail(n = 5): DataFrame {
    const rows = this.shape[0];
    const start = n >= 0 ? Math.max(0, rows - n) : Math.min(rows, -n);
    return this.sliceRows(start, rows);
  }

  /** Rows by position: one position gives the row as an object, a list gives a frame (pandas' iloc). */
  iloc(position: number): Row;
  iloc(positions: Positions): DataFrame;
  iloc(sel: number | Positions): Row | DataFrame {
    const rows = this.shape[0];
    if (typeof sel === 'number') {
      const [p] = checkPositions('DataFrame.iloc', [sel], rows);
      const row: Row = {};
      this.names.forEach((n, j) => {
        row[n] = this.cols[j]!.get(p!);
      });
      return row;
    }
    return this.take(checkPositions('DataFrame.iloc', sel, rows));
  }

  /** Rows [start, end) by position (pandas' iloc[start:end]). */
  slice(start = 0, end = this.shape[0]): DataFrame {
    const rows = this.shape[0];
    const s = Math.max(0, Math.min(rows, start < 0 ? rows + start : start));
    const e = Math.max(s, Math.min(rows, end < 0 ? rows + end : end));
    return this.sliceRows(s, e);
  }

  /** Rows where the mask is true (pandas' df[mask]). */
  filter(mask: MaskInput): DataFrame {
    return this.take(maskPositions(toMask('DataFrame.filter', mask, this.shape[0])));
  }

  /** Rows sorted by one or more columns (stable; missing values last unless naPosition: 'first'). */
  sortValues(
    by: string | readonly string[],
    opts: { ascending?: boolean | readonly boolean[]; naPosition?: 'last' | 'first' } = {},
  ): DataFrame {
    checkOptions('DataFrame.sortValues', opts, ['ascending', 'naPosition']);
    const keys = typeof by === 'string' ? [by] : [...by];
    if (keys.length === 0) fail('DataFrame.sortValues', 'by must name at least one column');
    const asc = opts.ascending ?? true;
    if (Array.isArray(asc) && asc.length !== keys.length) {
      fail('DataFrame.sortValues', `ascending has ${asc.length} entries for ${keys.length} sort columns`);
    }
    const sortKeys = keys.map((k, i) => ({
      col: this.cols[this.position('DataFrame.sortValues', k)]!,
      ascending: Array.isArray(asc) ? (asc[i] as boolean) : (asc as boolean),
    }));
    return this.take(argsort(sortKeys, opts.naPosition ?? 'last', this.shape[0]));
  }

  /** Random rows: `n` (default 1) or `frac`, `replace`, seeded by `randomState`. */
  sample(opts: SampleOptions = {}): DataFrame {
    return this.take(samplePositions('DataFrame.sample', this.shape[0], opts));
  }

  // ---- missing values ---------------------------------------------------------------------------

  isna(): DataFrame {
    return DataFrame.of(
      this.names,
      this.cols.map((c) => new Column('bool', c.naMask())),
      this.index,
    );
  }

  notna(): DataFrame {
    return DataFrame.of(
      this.names,
      this.cols.map(
        (c) =>
          new Column(
            'bool',
            c.naMask().map((v) => 1 - v),
          ),
      ),
      this.index,
    );
  }

  /** Alias of isna(), as pandas. */
  isnull(): DataFrame {
    return this.isna();
  }

  /** Alias of notna(), as pandas. */
  notnull(): DataFrame {
    return this.notna();
  }

  /**
   * Rows without missing values: `how: 'any'` (default) drops a row with any missing cell,
   * `'all'` only rows missing everywhere; `subset` limits which columns are looked at; `thresh`
   * keeps rows with at least that many present cells.
   */
  dropna(opts: { how?: 'any' | 'all'; subset?: readonly string[]; thresh?: number } = {}): DataFrame {
    checkOptions('DataFrame.dropna', opts, ['how', 'subset', 'thresh']);
    const how = opts.how ?? 'any';
    if (how !== 'any' && how !== 'all')
      fail('DataFrame.dropna', `how must be 'any' or 'all', got ${describeValue(how)}`);
    if (opts.thresh !== undefined && opts.how !== undefined)
      fail('DataFrame.dropna', 'give either how or thresh, not both');
    const names = opts.subset ?? this.names;
    const cols = names.map((n) => this.cols[this.position('DataFrame.dropna', n)]!);
    const rows = this.shape[0];
    const present = new Int32Array(rows);
    for (const c of cols) {
      const m = c.naMask();
      for (let i = 0; i < rows; i++) present[i]! += 1 - m[i]!;
    }
    const need = opts.thresh ?? (how === 'any' ? cols.length : Math.min(1, cols.length));
    const keep = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) keep[i] = present[i]! >= need ? 1 : 0;
    return this.take(maskPositions(keep));
  }

  /** Missing cells filled: one value for every column (of matching kind), or one per column. */
  fillna(value: number | string | boolean | Readonly<Record<string, number | string | boolean>>): DataFrame {
    if (typeof value === 'object' && value !== null) {
      for (const n of Object.keys(value)) this.position('DataFrame.fillna', n);
      const cols = this.cols.map((c, j) => {
        const v = value[this.names[j]!];
        return v === undefined
          ? c
          : fillColumn('DataFrame.fillna', `column ${JSON.stringify(this.names[j])}`, c, v);
      });
      return DataFrame.of(this.names, cols, this.index);
    }
    const cols = this.cols.map((c, j) =>
      c.naCount() === 0
        ? c
        : fillColumn('DataFrame.fillna', `column ${JSON.stringify(this.names[j])}`, c, value),
    );
    return DataFrame.of(this.names, cols, this.index);
  }

  // ---- statistics -------------------------------------------------------------------------------

  /**
   * pandas' describe(): by default the numeric columns' count, mean, std (ddof=1), min, 25/50/75%
   * (linear interpolation) and max, in pandas' row order (a frame with no numeric column gets
   * count/unique/top/freq per column instead); `include: 'all'` describes every column, `include`
   * / `exclude` lists of dtypes ('number', 'object', 'bool', …) choose them, as in pandas.
   */
  describe(opts: DescribeOptions = {}): DataFrame {
    return describeFrame(this, opts);
  }

  /** Pairwise correlation of the numeric and boolean columns ('pearson' or 'spearman'), as pandas' corr(). */
  corr(opts: { method?: 'pearson' | 'spearman'; minPeriods?: number } = {}): DataFrame {
    checkOptions('DataFrame.corr', opts, ['method', 'minPeriods']);
    const method = opts.method ?? 'pearson';
    if (method !== 'pearson' && method !== 'spearman')
      fail('DataFrame.corr', `method must be 'pearson' or 'spearman', got ${describeValue(method)}`);
    const names = this.names.filter((_, j) => this.cols[j]!.dtype !== 'string');
    const data = names.map((n) => this.columnData(n).toFloat64());
    const m = (method === 'pearson' ? pearsonMatrix : spearmanMatrix)(data, opts.minPeriods ?? 1);
    const K = names.length;
    const cols = names.map(
      (_, j) =>
        new Column(
          'float64',
          Float64Array.from({ length: K }, (_, i) => m[i * K + j]!),
        ),
    );
    return DataFrame.of(names, cols, Index.from([...names]));
  }

  /** Number of distinct values per column (missing values not counted unless `dropna: false`). */
  nunique(opts: { dropna?: boolean } = {}): Series {
    checkOptions('DataFrame.nunique', opts, ['dropna']);
    const counts = this.names.map((n) => this.col(n).nunique(opts));
    return Series.of(new Column('int32', Int32Array.from(counts)), Index.from([...this.names]), null);
  }

  /** Non-missing cells per column (pandas' count()). */
  count(): Series {
    const counts = this.cols.map((c) => c.length - c.naCount());
    return Series.of(new Column('int32', Int32Array.from(counts)), Index.from([...this.names]), null);
  }

  /** Column sums, missing values skipped (see ReduceOptions for string columns). */
  sum(opts: ReduceOptions = {}): Series {
    return reduceColumns(this, 'sum', opts);
  }
  /** Column means, missing values skipped. */
  mean(opts: ReduceOptions = {}): Series {
    return reduceColumns(this, 'mean', opts);
  }
  /** Column sample standard deviations (ddof 1 unless given), missing values skipped. */
  std(opts: ReduceOptions & { ddof?: number } = {}): Series {
    return reduceColumns(this, 'std', opts);
  }
  /** Column variances (ddof 1 unless given), missing values skipped. */
  var(opts: ReduceOptions & { ddof?: number } = {}): Series {
    return reduceColumns(this, 'var', opts);
  }
  min(opts: ReduceOptions = {}): Series {
    return reduceColumns(this, 'min', opts);
  }
  max(opts: ReduceOptions = {}): Series {
    return reduceColumns(this, 'max', opts);
  }

  /**
   * pandas' df.info() as text (returned, not printed: `console.log(df.info())`): class line,
   * index summary, one row per column with its non-null count and dtype, the dtype counts and
   * pandas' shallow memory usage (see frameInfo for how that number is computed).
   */
  info(opts: InfoOptions = {}): string {
    return frameInfo(this, opts);
  }

  /**
   * Groups rows by the values of one column, or of several (`groupBy(['a', 'b'])`: a MultiIndex
   * on the results), as pandas' groupby: sorted keys, rows with a missing key dropped.
   */
  groupBy(by: string | readonly string[]): GroupBy {
    const op = 'DataFrame.groupBy';
    const keys = typeof by === 'string' ? [by] : by;
    if (!Array.isArray(keys) || keys.length === 0)
      fail(op, `by must be a column name or a non-empty array of them, got ${describeValue(by)}`);
    for (const k of keys) this.position(op, k);
    if (new Set(keys).size !== keys.length)
      fail(op, `by names a column more than once: ${JSON.stringify(keys)}`);
    return new GroupBy(this, [...keys]);
  }

  // ---- conversion -------------------------------------------------------------------------------

  /**
   * A [rows, columns] tensor, row-major (`columns` picks and orders them). Default dtype: int32 if
   * every column is integer, bool if every column is boolean, otherwise float32; missing values
   * become NaN (float dtypes only). One column whose array already holds the dtype (float64 as
   * float64, int32 as int32, bool as bool, nullable ones without missing values) on the cpu is a
   * view of the column, shape [rows, 1]: no copy, and writes through either show in the other
   * (and in every frame sharing that column; `clone()` the tensor to detach it). Otherwise — other
   * dtypes (float64 → the default float32), several columns (interleaved row by row), missing
   * values in nullable columns, webgpu — the values are copied.
   */
  toTensor(opts: FrameToTensorOptions = {}): Tensor {
    return columnsToTensor('DataFrame.toTensor', this.names, this.cols, this.shape[0], opts);
  }

  /** Rows as objects. */
  toRecords(): Row[] {
    const out: Row[] = [];
    for (let i = 0; i < this.shape[0]; i++) out.push(this.iloc(i));
    return out;
  }

  /**
   * A JSON-ready object (what JSON.stringify(df) writes). `orient` as pandas' to_json:
   * 'columns' (default) {col: {index: value}}, 'records' [{col: value}], 'split'
   * {columns, index, data}, 'list' {col: [values]}. NaN becomes null.
   */
  toJSON(opts: { orient?: 'columns' | 'records' | 'split' | 'list' } | string = {}): unknown {
    // JSON.stringify calls toJSON(key) with a string: that is the default orient
    if (typeof opts !== 'string') checkOptions('DataFrame.toJSON', opts, ['orient']);
    const orient = typeof opts === 'string' ? 'columns' : (opts.orient ?? 'columns');
    const cell = (v: Scalar): Scalar => (typeof v === 'number' && !Number.isFinite(v) ? null : v);
    const rows = this.shape[0];
    switch (orient) {
      case 'records':
        return Array.from({ length: rows }, (_, i) =>
          Object.fromEntries(this.names.map((n, j) => [n, cell(this.cols[j]!.get(i))])),
        );
      case 'split':
        return {
          columns: [...this.names],
          index: this.index.toArray(),
          data: Array.from({ length: rows }, (_, i) => this.cols.map((c) => cell(c.get(i)))),
        };
      case 'list':
        return Object.fromEntries(this.names.map((n, j) => [n, this.cols[j]!.toArray().map(cell)]));
      case 'columns':
        return Object.fromEntries(
          this.names.map((n, j) => [
            n,
            Object.fromEntries(
              Array.from({ length: rows }, (_, i) => [String(this.index.get(i)), cell(this.cols[j]!.get(i))]),
            ),
          ]),
        );
      default:
        return fail(
          'DataFrame.toJSON',
          `orient must be 'columns', 'records', 'split' or 'list', got ${describeValue(orient)}`,
        );
    }
  }

  /**
   * pandas' to_csv: without a path the CSV text; with a path (Node) the file, written as
   * `writeCsv(df, path, opts)` writes it (atomically, or appended with `mode: 'a'`).
   */
  toCsv(opts?: CsvWriteOptions): string;
  toCsv(path: string, opts?: CsvFileOptions): Promise<void>;
  toCsv(pathOrOpts?: string | CsvWriteOptions, opts: CsvFileOptions = {}): string | Promise<void> {
    if (typeof pathOrOpts === 'string') return writeCsv(this, pathOrOpts, opts);
    return frameToCsv(this, pathOrOpts ?? {});
  }

  /** Printed as pandas prints a frame (see FormatOptions for the truncation limits). */
  toString(opts: FormatOptions = {}): string {
    return formatFrame(this, opts);
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private position(op: string, name: string): number {
    const j = this.names.indexOf(name);
    if (j < 0) fail(op, `no column named ${JSON.stringify(name)}; the columns are ${listNames(this.names)}`);
    return j;
  }

  /** @internal Rows at positions (already validated). */
  take(positions: Int32Array): DataFrame {
    return DataFrame.of(
      this.names,
      this.cols.map((c) => c.take(positions)),
      this.index.take(positions),
    );
  }

  private sliceRows(start: number, end: number): DataFrame {
    return DataFrame.of(
      this.names,
      this.cols.map((c) => c.slice(start, end)),
      this.index.slice(start, end),
    );
  }
}

function checkUnique(op: string, names: readonly string[]): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (typeof n !== 'string') fail(op, `column names must be strings, got ${describeValue(n)}`);
    if (seen.has(n)) fail(op, `duplicate column name ${JSON.stringify(n)}`);
    seen.add(n);
  }
}
