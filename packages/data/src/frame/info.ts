import type { Column } from '../column/column.js';
import type { ColumnDType } from '../column/dtype.js';
import { checkOptions } from '../options.js';
import type { DataFrame } from './dataFrame.js';
import type { Index } from './rowIndex.js';

export interface InfoOptions {
  /** One row per column (default: up to 100 columns, pandas' display.max_info_columns); false: one summary line. */
  verbose?: boolean;
  /** Show the Non-Null Count column (default: up to 1,690,785 rows, pandas' display.max_info_rows). */
  showCounts?: boolean;
}

/**
 * The text of pandas 1.5's DataFrame.info() (pandas/io/formats/info.py). Dtypes are Lumen's
 * names (int32, string), as df.dtypes and Series' repr print them; pandas prints int64 and
 * object there (same widths, so the layout is pandas' to the character).
 *
 * The memory usage line is pandas' own number for the same frame, not Lumen's bytes: pandas
 * counts 8 bytes a cell for int64, float64 and object (a pointer: the strings themselves are
 * not counted, hence the "+"), 1 for bool, 9 for Int64 and 2 for boolean (values + mask), and
 * sys.getsizeof of the range and its three ints for a RangeIndex (8 bytes a label otherwise).
 * Lumen's int32 columns take 4 bytes a cell and its strings are JS strings.
 */
export function frameInfo(df: DataFrame, opts: InfoOptions): string {
  checkOptions('DataFrame.info', opts, ['verbose', 'showCounts']);
  const [rows, ncols] = df.shape;
  const names = df.columns;
  const cols = names.map((n) => df.columnData(n));
  const lines = ["<class 'pandas.core.frame.DataFrame'>", indexSummary(df.index)];
  if (ncols === 0) {
    lines.push(`Empty DataFrame`);
  } else if (opts.verbose ?? ncols <= 100) {
    const showCounts = opts.showCounts ?? rows <= 1690785;
    lines.push(`Data columns (total ${ncols} columns):`);
    const headers = [' # ', 'Column', ...(showCounts ? ['Non-Null Count'] : []), 'Dtype'];
    const body = cols.map((c, j) => [
      ` ${j}`,
      names[j]!,
      ...(showCounts ? [`${c.length - c.naCount()} non-null`] : []),
      c.dtype as string,
    ]);
    const widths = headers.map((h, k) => Math.max(h.length, ...body.map((r) => r[k]!.length)));
    const line = (cells: string[]): string => cells.map((s, k) => s.padEnd(widths[k]!)).join('  ');
    lines.push(line(headers), line(headers.map((h) => '-'.repeat(h.length))), ...body.map(line));
  } else {
    lines.push(`Columns: ${ncols} entries, ${names[0]} to ${names[ncols - 1]}`);
  }
  const counts = new Map<string, number>();
  for (const c of cols) counts.set(c.dtype, (counts.get(c.dtype) ?? 0) + 1);
  const summary = [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  lines.push(`dtypes: ${summary.map(([d, k]) => `${d}(${k})`).join(', ')}`);
  const bytes = indexBytes(df.index) + cols.reduce((s, c) => s + columnBytes(c), 0);
  const deepNeeded = cols.some((c) => c.dtype === 'string') || indexHasStrings(df.index);
  lines.push(`memory usage: ${sizeofFmt(bytes, deepNeeded ? '+' : '')}`);
  return `${lines.join('\n')}\n`;
}

function indexSummary(index: Index): string {
  const n = index.length;
  let kind: string;
  if (index.isRange) kind = 'RangeIndex';
  else {
    const d = index.labels!.dtype;
    kind = d === 'int32' ? 'Int64Index' : d === 'float64' ? 'Float64Index' : 'Index';
  }
  const range = n > 0 ? `, ${labelText(index, 0)} to ${labelText(index, n - 1)}` : '';
  return `${kind}: ${n} entries${range}`;
}

function labelText(index: Index, i: number): string {
  const v = index.get(i);
  if (v === null) return 'nan';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number' && index.labels?.dtype === 'float64' && Number.isInteger(v)) return `${v}.0`;
  return String(v);
}

const CELL_BYTES: Record<ColumnDType, number> = {
  float64: 8,
  int32: 8,
  string: 8,
  bool: 1,
  Int32: 9,
  boolean: 2,
};

function columnBytes(c: Column): number {
  return CELL_BYTES[c.dtype] * c.length;
}

/** Python's sys.getsizeof of a small int (64-bit CPython 3.11): 24 for 0, then 28 per 30-bit digit more. */
function intSize(x: number): number {
  const a = Math.abs(x);
  if (a === 0) return 24;
  let digits = 0;
  for (let v = a; v >= 1; v = Math.floor(v / 2 ** 30)) digits++;
  return 24 + 4 * digits;
}

function indexBytes(index: Index): number {
  if (index.isRange) return 48 + intSize(index.start) + intSize(index.start + index.length) + intSize(1);
  return 8 * index.length;
}

function indexHasStrings(index: Index): boolean {
  return !index.isRange && index.labels!.dtype === 'string';
}

/** pandas' _sizeof_fmt. */
function sizeofFmt(num: number, qualifier: string): string {
  let x = num;
  for (const unit of ['bytes', 'KB', 'MB', 'GB', 'TB']) {
    if (x < 1024) return `${x.toFixed(1)}${qualifier} ${unit}`;
    x /= 1024;
  }
  return `${x.toFixed(1)}${qualifier} PB`;
}
