import type { Device, DType, Tensor } from '@lumen/tensor';
import { Column, type ColumnValues, type Positions } from '../column/column.js';
import { type ColumnDType, isNumericDType, type Scalar } from '../column/dtype.js';
import { type ColumnInput, castColumn, toColumn } from '../column/fromValues.js';
import { describe as describeValue, fail } from '../errors.js';
import { type FormatOptions, formatSeries } from '../format/seriesString.js';
import { checkOptions } from '../options.js';
import { choiceWithoutReplacement, type RandomState, resolveRandomState } from '../random.js';
import { quantiles } from '../stats/quantile.js';
import { countValid, nanMax, nanMean, nanMin, nanStd, nanSum, nanVar } from '../stats/sum.js';
import { columnToTensor } from '../tensor/convert.js';
import { argsort, compareCells, factorize } from './algorithms.js';
import { type MaskInput, maskPositions, toMask } from './mask.js';
import { formatPercentiles, refinePercentiles } from './percentiles.js';
import { Index } from './rowIndex.js';
import { StringMethods } from './strings.js';

export interface SeriesOptions {
  name?: string | null;
  index?: Index | ColumnInput;
  dtype?: ColumnDType;
}

type Comparable = number | string | boolean | Series;

/**
 * A labelled column, as pandas' Series: values in a typed array, an Index of row labels and a
 * name. Immutable: every method returns a new Series (or a scalar).
 */
export class Series {
  readonly column: Column;
  readonly index: Index;
  readonly name: string | null;

  constructor(values: ColumnInput, opts: SeriesOptions = {}) {
    checkOptions('Series', opts, ['name', 'index', 'dtype']);
    this.column = toColumn('Series', 'values', values, opts.dtype);
    const index = opts.index === undefined ? Index.range(this.column.length) : Index.from(opts.index);
    if (index.length !== this.column.length) {
      fail('Series', `index has length ${index.length} but there are ${this.column.length} values`);
    }
    this.index = index;
    this.name = opts.name ?? null;
  }

  /** @internal A Series over an existing column and index (no checks). */
  static of(column: Column, index: Index, name: string | null): Series {
    const s = Object.create(Series.prototype) as { column: Column; index: Index; name: string | null };
    s.column = column;
    s.index = index;
    s.name = name;
    return s as unknown as Series;
  }

  get length(): number {
    return this.column.length;
  }
  get dtype(): ColumnDType {
    return this.column.dtype;
  }
  /** The backing array (Float64Array, Int32Array, Uint8Array for booleans, or (string | null)[]); do not write into it. */
  get values(): ColumnValues {
    return this.column.values;
  }

  /** The value at position i (pandas' s.iloc[i]). */
  get(i: number): Scalar {
    if (!Number.isInteger(i) || i < -this.length || i >= this.length) {
      fail(
        'Series.get',
        `position must be an integer in [${-this.length}, ${this.length}), got ${describeValue(i)}`,
      );
    }
    return this.column.get(i < 0 ? i + this.length : i);
  }

  toArray(): Scalar[] {
    return this.column.toArray();
  }

  rename(name: string | null): Series {
    return Series.of(this.column, this.index, name);
  }

  astype(dtype: ColumnDType): Series {
    return Series.of(
      castColumn('Series.astype', this.name ?? 'values', this.column, dtype),
      this.index,
      this.name,
    );
  }

  copy(): Series {
    return Series.of(this.column.slice(0, this.length), this.index, this.name);
  }

  // ---- selection --------------------------------------------------------------------------------

  /** Rows at the given positions (pandas' s.iloc[[...]]); negative positions count from the end. */
  iloc(positions: Positions): Series {
    const p = checkPositions('Series.iloc', positions, this.length);
    return Series.of(this.column.take(p), this.index.take(p), this.name);
  }

  head(n = 5): Series {
    const end = n >= 0 ? Math.min(n, this.length) : Math.max(0, this.length + n);
    return Series.of(this.column.slice(0, end), this.index.slice(0, end), this.name);
  }

  tail(n = 5): Series {
    const start = n >= 0 ? Math.max(0, this.length - n) : Math.min(this.length, -n);
    return Series.of(this.column.slice(start, this.length), this.index.slice(start, this.length), this.name);
  }

  /** Rows where the mask is true. */
  filter(mask: MaskInput): Series {
    return this.iloc(maskPositions(toMask('Series.filter', mask, this.length)));
  }

  sortValues(opts: { ascending?: boolean; naPosition?: 'last' | 'first' } = {}): Series {
    checkOptions('Series.sortValues', opts, ['ascending', 'naPosition']);
    const order = argsort(
      [{ col: this.column, ascending: opts.ascending ?? true }],
      opts.naPosition ?? 'last',
      this.length,
    );
    return Series.of(this.column.take(order), this.index.take(order), this.name);
  }

  sample(opts: SampleOptions = {}): Series {
    const p = samplePositions('Series.sample', this.length, opts);
    return Series.of(this.column.take(p), this.index.take(p), this.name);
  }

  // ---- missing values ---------------------------------------------------------------------------

  isna(): Series {
    return Series.of(new Column('bool', this.column.naMask()), this.index, this.name);
  }

  notna(): Series {
    const m = this.column.naMask();
    for (let i = 0; i < m.length; i++) m[i] = 1 - m[i]!;
    return Series.of(new Column('bool', m), this.index, this.name);
  }

  /** Alias of isna(), as pandas. */
  isnull(): Series {
    return this.isna();
  }

  /** Alias of notna(), as pandas. */
  notnull(): Series {
    return this.notna();
  }

  /** pandas' Series.str: string methods for a string Series (an error for other dtypes). */
  get str(): StringMethods {
    return new StringMethods(this);
  }

  dropna(): Series {
    const m = this.column.naMask();
    for (let i = 0; i < m.length; i++) m[i] = 1 - m[i]!;
    return this.iloc(maskPositions(m));
  }

  /** Missing values replaced by `value`, which must fit the dtype (a number for numbers, …). */
  fillna(value: number | string | boolean): Series {
    return Series.of(
      fillColumn('Series.fillna', this.name ?? 'values', this.column, value),
      this.index,
      this.name,
    );
  }

  count(): number {
    return this.length - this.column.naCount();
  }

  // ---- distinct values --------------------------------------------------------------------------

  /** Distinct values in order of first appearance (missing included once, as pandas' unique()). */
  unique(): Scalar[] {
    const { first } = factorize(this.column);
    const out = Array.from(first, (i) => this.column.get(i));
    for (let i = 0; i < this.length; i++) {
      if (this.column.isNa(i)) {
        const at = out.findIndex((_, k) => first[k]! > i);
        out.splice(at < 0 ? out.length : at, 0, this.column.get(i));
        break;
      }
    }
    return out;
  }

  /** Number of distinct non-missing values (pandas' nunique(dropna=True)). */
  nunique(opts: { dropna?: boolean } = {}): number {
    const { count } = factorize(this.column);
    return count + (opts.dropna === false && this.column.naCount() > 0 ? 1 : 0);
  }

  /**
   * Counts of each distinct value, most frequent first; ties keep the order of first appearance.
   * `normalize` gives fractions of the counted rows; `dropna: false` counts missing values too.
   */
  valueCounts(
    opts: { normalize?: boolean; sort?: boolean; ascending?: boolean; dropna?: boolean } = {},
  ): Series {
    checkOptions('Series.valueCounts', opts, ['normalize', 'sort', 'ascending', 'dropna']);
    const { codes, first, count } = factorize(this.column);
    const counts = new Float64Array(count);
    let naCount = 0;
    let naFirst = -1;
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i]!;
      if (c >= 0) counts[c]!++;
      else {
        naCount++;
        if (naFirst < 0) naFirst = i;
      }
    }
    let keyPos = Array.from(first);
    let keyCounts = Array.from(counts);
    if (opts.dropna === false && naCount > 0) {
      const at = keyPos.findIndex((p) => p > naFirst);
      const k = at < 0 ? keyPos.length : at;
      keyPos.splice(k, 0, naFirst);
      keyCounts.splice(k, 0, naCount);
    }
    if (opts.sort ?? true) {
      const asc = opts.ascending ?? false;
      const order = keyCounts
        .map((_, i) => i)
        .sort((a, b) => (asc ? keyCounts[a]! - keyCounts[b]! : keyCounts[b]! - keyCounts[a]!) || a - b);
      keyPos = order.map((i) => keyPos[i]!);
      keyCounts = order.map((i) => keyCounts[i]!);
    }
    const index = Index.from(this.column.take(keyPos));
    if (opts.normalize) {
      const total = keyCounts.reduce((s, c) => s + c, 0);
      return Series.of(
        new Column(
          'float64',
          Float64Array.from(keyCounts, (c) => c / total),
        ),
        index,
        this.name,
      );
    }
    return Series.of(new Column('int32', Int32Array.from(keyCounts)), index, this.name);
  }

  // ---- statistics (missing values skipped, as pandas' skipna=True) -------------------------------

  sum(): number {
    return nanSum(this.numeric('sum'));
  }
  mean(): number {
    return nanMean(this.numeric('mean'));
  }
  /** Sample variance (ddof=1 unless given), as pandas. */
  var(opts: { ddof?: number } = {}): number {
    return nanVar(this.numeric('var'), opts.ddof ?? 1);
  }
  std(opts: { ddof?: number } = {}): number {
    return nanStd(this.numeric('std'), opts.ddof ?? 1);
  }
  min(): Scalar {
    if (this.dtype === 'string') return this.extremeString(-1);
    return nanMin(this.numeric('min'));
  }
  max(): Scalar {
    if (this.dtype === 'string') return this.extremeString(1);
    return nanMax(this.numeric('max'));
  }
  median(): number {
    return quantiles(this.numeric('median'), [0.5])[0]!;
  }
  /** Linear-interpolation quantile (NumPy's default method), q in [0, 1]. */
  quantile(q = 0.5): number {
    if (typeof q !== 'number' || !(q >= 0 && q <= 1))
      fail('Series.quantile', `q must be a number in [0, 1], got ${describeValue(q)}`);
    return quantiles(this.numeric('quantile'), [q])[0]!;
  }

  /**
   * pandas' describe(): for numbers count, mean, std (ddof=1), min, the percentiles (linear
   * interpolation) and max; for strings and booleans count, unique, top and freq.
   */
  describe(opts: { percentiles?: readonly number[] } = {}): Series {
    checkOptions('Series.describe', opts, ['percentiles']);
    if (isNumericDType(this.dtype)) {
      const ps = refinePercentiles(opts.percentiles);
      const a = this.column.toFloat64();
      const stats = [countValid(a), nanMean(a), nanStd(a, 1), nanMin(a), ...quantiles(a, ps), nanMax(a)];
      const labels = ['count', 'mean', 'std', 'min', ...formatPercentiles(ps), 'max'];
      return Series.of(new Column('float64', Float64Array.from(stats)), Index.from(labels), this.name);
    }
    const counts = this.valueCounts();
    const unique = counts.length;
    const cells: (string | null)[] = [String(this.count()), String(unique)];
    if (unique > 0) cells.push(formatCell(counts.index.get(0)), String(counts.get(0)));
    else cells.push(null, null);
    return Series.of(new Column('string', cells), Index.from(['count', 'unique', 'top', 'freq']), this.name);
  }

  // ---- comparisons, for masks -------------------------------------------------------------------

  eq(other: Comparable): Series {
    return this.compare('eq', other, (c) => c === 0);
  }
  ne(other: Comparable): Series {
    return this.compare('ne', other, (c) => c !== 0, true);
  }
  lt(other: Comparable): Series {
    return this.compare('lt', other, (c) => c < 0);
  }
  le(other: Comparable): Series {
    return this.compare('le', other, (c) => c <= 0);
  }
  gt(other: Comparable): Series {
    return this.compare('gt', other, (c) => c > 0);
  }
  ge(other: Comparable): Series {
    return this.compare('ge', other, (c) => c >= 0);
  }

  /** Element-wise and/or of boolean Series (missing counts as false, as pandas' `&`/`|` on bool). */
  and(other: Series | MaskInput): Series {
    const a = toMask('Series.and', this, this.length);
    const b = toMask('Series.and', other, this.length);
    return Series.of(
      new Column(
        'bool',
        a.map((v, i) => v & b[i]!),
      ),
      this.index,
      this.name,
    );
  }
  or(other: Series | MaskInput): Series {
    const a = toMask('Series.or', this, this.length);
    const b = toMask('Series.or', other, this.length);
    return Series.of(
      new Column(
        'bool',
        a.map((v, i) => v | b[i]!),
      ),
      this.index,
      this.name,
    );
  }
  not(): Series {
    const a = toMask('Series.not', this, this.length);
    return Series.of(
      new Column(
        'bool',
        a.map((v) => 1 - v),
      ),
      this.index,
      this.name,
    );
  }

  /** A new Series from fn applied to each value (the result kind is inferred, as toColumn does). */
  map(fn: (value: Scalar, i: number) => number | string | boolean | null): Series {
    const out = new Array<number | string | boolean | null>(this.length);
    for (let i = 0; i < out.length; i++) out[i] = fn(this.column.get(i), i);
    return new Series(out, { index: this.index, name: this.name });
  }

  // ---- conversion -------------------------------------------------------------------------------

  /**
   * A 1-d tensor: float64 → float32, int32 → int32, bool → bool unless `dtype` says otherwise. On
   * the cpu, when the values already are that dtype (`{ dtype: 'float64' }` for a float64 Series,
   * int32, bool, or a nullable one without missing values) the tensor is a view of them: no copy,
   * and writes through either show in the other. Otherwise the values are copied.
   */
  toTensor(opts: { dtype?: DType; device?: Device } = {}): Tensor {
    return columnToTensor('Series.toTensor', this.name ?? 'values', this.column, opts);
  }

  toString(opts: FormatOptions = {}): string {
    return formatSeries(this, opts);
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private numeric(op: string): Float64Array {
    if (this.dtype === 'string')
      fail(`Series.${op}`, `needs a numeric or boolean Series, ${JSON.stringify(this.name)} holds strings`);
    return this.column.toFloat64();
  }

  private extremeString(sign: number): string | null {
    const v = this.column.values as (string | null)[];
    let best: string | null = null;
    for (const s of v) if (s !== null && (best === null || compareCells(s, best) * sign > 0)) best = s;
    return best;
  }

  private compare(op: string, other: Comparable, test: (c: number) => boolean, naResult = false): Series {
    const n = this.length;
    const out = new Uint8Array(n);
    const col = this.column;
    if (other instanceof Series) {
      if (other.length !== n)
        fail(`Series.${op}`, `other has length ${other.length} but this Series has ${n}`);
      for (let i = 0; i < n; i++) {
        if (col.isNa(i) || other.column.isNa(i)) out[i] = naResult ? 1 : 0;
        else out[i] = test(compareValues(`Series.${op}`, col.get(i), other.column.get(i))) ? 1 : 0;
      }
    } else {
      for (let i = 0; i < n; i++) {
        if (col.isNa(i)) out[i] = naResult ? 1 : 0;
        else out[i] = test(compareValues(`Series.${op}`, col.get(i), other)) ? 1 : 0;
      }
    }
    return Series.of(new Column('bool', out), this.index, this.name);
  }
}

function compareValues(op: string, a: Scalar, b: Scalar): number {
  if (typeof a === 'string' ? typeof b !== 'string' : typeof b === 'string') {
    fail(op, `cannot compare ${describeValue(a)} with ${describeValue(b)}`);
  }
  return compareCells(a, b);
}

/** How pandas prints a label inside a string cell: True/False for booleans. */
function formatCell(v: Scalar): string | null {
  if (v === null) return null;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return String(v);
}

export interface SampleOptions {
  /** Number of rows (default 1 when frac is not given). */
  n?: number;
  /** Fraction of the rows (may exceed 1 with replace). */
  frac?: number;
  replace?: boolean;
  randomState?: RandomState;
}

/** Row positions for sample(): without replacement a partial shuffle, with replacement uniform draws. */
export function samplePositions(op: string, rows: number, opts: SampleOptions): Int32Array {
  checkOptions(op, opts, ['n', 'frac', 'replace', 'randomState']);
  if (opts.n !== undefined && opts.frac !== undefined) fail(op, 'give either n or frac, not both');
  let n: number;
  if (opts.frac !== undefined) {
    if (typeof opts.frac !== 'number' || !(opts.frac >= 0))
      fail(op, `frac must be a number >= 0, got ${describeValue(opts.frac)}`);
    if (opts.frac > 1 && !opts.replace) fail(op, `frac ${opts.frac} > 1 needs replace: true`);
    n = Math.round(opts.frac * rows);
  } else {
    n = opts.n ?? 1;
    if (!Number.isInteger(n) || n < 0)
      fail(op, `n must be a non-negative integer, got ${describeValue(opts.n)}`);
  }
  if (!opts.replace && n > rows) {
    fail(op, `cannot take a sample of ${n} from ${rows} rows without replacement; pass replace: true`);
  }
  const gen = resolveRandomState(op, opts.randomState);
  if (!opts.replace) return choiceWithoutReplacement(gen, rows, n);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = gen.randint(0, rows);
  return out;
}

/** Validates positions (negative ones count from the end) and returns them non-negative. */
export function checkPositions(op: string, positions: Positions, length: number): Int32Array {
  if (!(positions instanceof Int32Array) && !Array.isArray(positions)) {
    fail(op, `positions must be an array of integers or an Int32Array, got ${describeValue(positions)}`);
  }
  const out = new Int32Array(positions.length);
  for (let i = 0; i < positions.length; i++) {
    const p = positions[i]!;
    if (!Number.isInteger(p) || p < -length || p >= length) {
      fail(op, `positions[${i}] = ${describeValue(p)} is out of range for ${length} rows`);
    }
    out[i] = p < 0 ? p + length : p;
  }
  return out;
}

/** Fills missing cells with a value of the column's kind; anything else is an error, not a coercion. */
export function fillColumn(op: string, what: string, col: Column, value: number | string | boolean): Column {
  if (col.dtype === 'int32' || col.dtype === 'bool') return col;
  const kind = col.dtype === 'string' ? 'string' : col.dtype === 'boolean' ? 'boolean' : 'number';
  if (typeof value !== kind)
    fail(op, `${what} has dtype ${col.dtype}: the fill value must be a ${kind}, got ${describeValue(value)}`);
  if (col.dtype === 'Int32' && !Number.isInteger(value)) {
    fail(op, `${what} has dtype Int32: the fill value must be an integer, got ${describeValue(value)}`);
  }
  const n = col.length;
  if (col.dtype === 'float64') {
    const v = (col.values as Float64Array).slice();
    for (let i = 0; i < n; i++) if (v[i] !== v[i]) v[i] = value as number;
    return new Column('float64', v);
  }
  if (col.dtype === 'string') {
    return new Column(
      'string',
      (col.values as (string | null)[]).map((s) => (s === null ? (value as string) : s)),
    );
  }
  const v = (col.values as Int32Array | Uint8Array).slice();
  for (let i = 0; i < n; i++) if (col.valid![i] === 0) v[i] = Number(value);
  // pandas keeps the nullable dtype after fillna; the mask is simply all-present now
  return new Column(col.dtype, v, new Uint8Array(n).fill(1));
}
