import { Column } from '../column/column.js';
import { type ColumnDType, isNumericDType } from '../column/dtype.js';
import { describe as describeValue, fail } from '../errors.js';
import { checkOptions } from '../options.js';
import type { DataFrame } from './dataFrame.js';
import { Index } from './rowIndex.js';
import type { Series } from './series.js';

/** A dtype selector as pandas' describe/select_dtypes take it: a Lumen dtype or a family. */
export type DTypeSelector = 'number' | 'object' | ColumnDType;

export interface DescribeOptions {
  /** The percentiles to show (default [0.25, 0.5, 0.75]; the median is always added). */
  percentiles?: readonly number[];
  /**
   * Which columns: 'all' (every column; numeric and non-numeric rows together), or dtypes such
   * as ['number'], ['object'] (pandas' name for string columns; 'string' works too), ['bool'].
   * Default: the numeric columns, or every column when there is none.
   */
  include?: 'all' | DTypeSelector | readonly DTypeSelector[];
  /** dtypes to leave out (not with include: 'all'). */
  exclude?: DTypeSelector | readonly DTypeSelector[];
}

const FAMILIES: Record<string, readonly ColumnDType[]> = {
  number: ['float64', 'int32', 'Int32'],
  object: ['string'],
  string: ['string'],
  O: ['string'],
  bool: ['bool'],
  boolean: ['boolean'],
  float64: ['float64'],
  int32: ['int32'],
  Int32: ['Int32'],
};

function selected(op: string, name: string, sel: unknown): Set<ColumnDType> | null {
  if (sel === undefined) return null;
  const list = typeof sel === 'string' ? [sel] : sel;
  if (!Array.isArray(list))
    fail(op, `${name} must be a dtype name or an array of them, got ${describeValue(sel)}`);
  const out = new Set<ColumnDType>();
  for (const s of list) {
    const dtypes = typeof s === 'string' ? FAMILIES[s] : undefined;
    if (!dtypes)
      fail(
        op,
        `${name} has an unknown dtype ${describeValue(s)}; expected ${name === 'include' ? "'all' or " : ''}${Object.keys(FAMILIES).join(', ')}`,
      );
    for (const d of dtypes) out.add(d);
  }
  return out;
}

/**
 * pandas' DataFrame.describe(percentiles, include, exclude): each chosen column described on its
 * own (numbers: count, mean, std, min, percentiles, max; strings and booleans: count, unique, top,
 * freq), then put side by side on the union of their rows, shortest description first (so 'all'
 * gives count, unique, top, freq, mean, std, …), missing cells NaN.
 */
export function describeFrame(df: DataFrame, opts: DescribeOptions): DataFrame {
  const op = 'DataFrame.describe';
  checkOptions(op, opts, ['percentiles', 'include', 'exclude']);
  const names = df.columns;
  const dtypes = names.map((n) => df.columnData(n).dtype);
  let chosen: string[];
  if (opts.include === 'all') {
    if (opts.exclude !== undefined) fail(op, "exclude must be left out when include is 'all'");
    chosen = names;
  } else if (opts.include === undefined && opts.exclude === undefined) {
    const numeric = names.filter((_, j) => isNumericDType(dtypes[j]!));
    chosen = numeric.length > 0 ? numeric : names;
  } else {
    const inc = selected(op, 'include', opts.include);
    const exc = selected(op, 'exclude', opts.exclude);
    chosen = names.filter((_, j) => (!inc || inc.has(dtypes[j]!)) && !exc?.has(dtypes[j]!));
  }
  if (chosen.length === 0)
    fail(
      op,
      names.length === 0
        ? 'cannot describe a frame with no columns'
        : `no column is left to describe (include ${JSON.stringify(opts.include ?? null)}, exclude ${JSON.stringify(opts.exclude ?? null)}; the frame's dtypes are ${[...new Set(dtypes)].join(', ')})`,
    );
  const parts: Series[] = chosen.map((n) => df.col(n).describe({ percentiles: opts.percentiles }));
  // pandas: the row names of the shortest description first, then the new ones of longer ones
  const rows: string[] = [];
  for (const p of [...parts].sort((a, b) => a.length - b.length))
    for (const label of p.index.toArray() as string[]) if (!rows.includes(label)) rows.push(label);
  const cols = parts.map((p) => {
    const labels = p.index.toArray() as string[];
    if (labels.length === rows.length && labels.every((l, i) => l === rows[i])) return p.column;
    const at = rows.map((r) => labels.indexOf(r));
    if (p.column.dtype === 'float64') {
      const v = p.column.values as Float64Array;
      return new Column(
        'float64',
        Float64Array.from(at, (i) => (i < 0 ? Number.NaN : v[i]!)),
      );
    }
    const v = p.column.values as (string | null)[];
    return new Column(
      'string',
      at.map((i) => (i < 0 ? null : v[i]!)),
    );
  });
  const ctor = df.constructor as typeof DataFrame;
  return ctor.of(chosen, cols, Index.from(rows));
}
