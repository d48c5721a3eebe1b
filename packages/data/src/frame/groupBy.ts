import { Column } from '../column/column.js';
import { describe as describeValue, fail } from '../errors.js';
import { compareCells, factorize } from './algorithms.js';
import type { DataFrame } from './dataFrame.js';
import { Index } from './rowIndex.js';
import { Series } from './series.js';

export type AggName = 'mean' | 'sum' | 'count' | 'min' | 'max';
const AGGS: readonly AggName[] = ['mean', 'sum', 'count', 'min', 'max'];

interface Groups {
  /** Group number per row, -1 for a missing key. */
  codes: Int32Array;
  keys: Column;
  count: number;
}

/**
 * pandas' DataFrame.groupby(col) for one key column: groups in sorted key order, rows with a
 * missing key left out (sort=True, dropna=True). Sums and means use Kahan summation, as pandas'
 * group_sum/group_mean do.
 */
export class GroupBy {
  private readonly df: DataFrame;
  private readonly by: string;
  private cached: Groups | null = null;

  /** @internal Use df.groupBy(col). */
  constructor(df: DataFrame, by: string) {
    this.df = df;
    this.by = by;
  }

  private groups(): Groups {
    if (this.cached) return this.cached;
    const keyCol = this.df.columnData(this.by);
    const { codes, first, count } = factorize(keyCol);
    const order = Array.from({ length: count }, (_, i) => i).sort((a, b) =>
      compareCells(keyCol.get(first[a]!), keyCol.get(first[b]!)),
    );
    const rank = new Int32Array(count);
    order.forEach((g, r) => {
      rank[g] = r;
    });
    for (let i = 0; i < codes.length; i++) if (codes[i]! >= 0) codes[i] = rank[codes[i]!]!;
    const keys = keyCol.take(order.map((g) => first[g]!));
    this.cached = {
      codes,
      keys: keys.valid
        ? new Column(keys.dtype === 'Int32' ? 'int32' : 'bool', keys.values as Int32Array, null)
        : keys,
      count,
    };
    return this.cached;
  }

  /**
   * Aggregates columns: `{ Amount: 'mean', V1: ['min', 'max'] }`. One function keeps the column
   * name; a list gives one column per function named `<column>_<function>` (pandas would make a
   * two-level header).
   */
  agg(spec: Readonly<Record<string, AggName | readonly AggName[]>>): DataFrame {
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
      fail('GroupBy.agg', `expected an object like { column: 'mean' }, got ${describeValue(spec)}`);
    }
    const names: string[] = [];
    const cols: Column[] = [];
    for (const [col, fns] of Object.entries(spec)) {
      const data = this.df.columnData(col);
      const list = typeof fns === 'string' ? [fns] : [...fns];
      for (const fn of list) {
        if (!AGGS.includes(fn))
          fail(
            'GroupBy.agg',
            `unknown aggregation ${describeValue(fn)} for ${JSON.stringify(col)}; expected one of ${AGGS.join(', ')}`,
          );
        names.push(typeof fns === 'string' ? col : `${col}_${fn}`);
        cols.push(this.aggregate(col, data, fn));
      }
    }
    return this.frame(names, cols);
  }

  mean(): DataFrame {
    return this.all('mean', true);
  }
  sum(): DataFrame {
    return this.all('sum', true);
  }
  count(): DataFrame {
    return this.all('count', false);
  }
  min(): DataFrame {
    return this.all('min', false);
  }
  max(): DataFrame {
    return this.all('max', false);
  }

  /** Rows per group. */
  size(): Series {
    const g = this.groups();
    const out = new Int32Array(g.count);
    for (let i = 0; i < g.codes.length; i++) if (g.codes[i]! >= 0) out[g.codes[i]!]!++;
    return Series.of(new Column('int32', out), Index.from(g.keys, this.by), null);
  }

  private all(fn: AggName, numericOnly: boolean): DataFrame {
    const names = this.df.columns.filter(
      (n) => n !== this.by && !(numericOnly && this.df.columnData(n).dtype === 'string'),
    );
    return this.frame(
      names,
      names.map((n) => this.aggregate(n, this.df.columnData(n), fn)),
    );
  }

  private frame(names: string[], cols: Column[]): DataFrame {
    const g = this.groups();
    const ctor = this.df.constructor as typeof DataFrame;
    return ctor.of(names, cols, Index.from(g.keys, this.by));
  }

  private aggregate(name: string, col: Column, fn: AggName): Column {
    const g = this.groups();
    const G = g.count;
    const codes = g.codes;
    const n = codes.length;
    const nobs = new Float64Array(G);
    for (let i = 0; i < n; i++) if (codes[i]! >= 0 && !col.isNa(i)) nobs[codes[i]!]!++;
    if (fn === 'count') return new Column('int32', Int32Array.from(nobs));
    if (col.dtype === 'string') {
      if (fn === 'mean' || fn === 'sum')
        fail(`GroupBy.${fn}`, `column ${JSON.stringify(name)} holds strings`);
      const best = new Array<string | null>(G).fill(null);
      const v = col.values as (string | null)[];
      const sign = fn === 'min' ? -1 : 1;
      for (let i = 0; i < n; i++) {
        const c = codes[i]!;
        const s = v[i]!;
        if (c >= 0 && s !== null && (best[c] === null || compareCells(s, best[c]!) * sign > 0)) best[c] = s;
      }
      return new Column('string', best);
    }
    const x = col.toFloat64();
    if (fn === 'sum' || fn === 'mean') {
      const sum = new Float64Array(G);
      const comp = new Float64Array(G);
      for (let i = 0; i < n; i++) {
        const c = codes[i]!;
        const v = x[i]!;
        if (c < 0 || v !== v) continue;
        const y = v - comp[c]!;
        const t = sum[c]! + y;
        comp[c] = t - sum[c]! - y;
        if (comp[c] !== comp[c]) comp[c] = 0; // an infinity would otherwise turn the sum into NaN
        sum[c] = t;
      }
      if (fn === 'mean')
        return new Column(
          'float64',
          sum.map((s, k) => (nobs[k] === 0 ? Number.NaN : s / nobs[k]!)),
        );
      if (col.dtype === 'float64') return new Column('float64', sum);
      // integer and boolean sums stay integers (pandas' int64) when they fit int32
      return sum.every((s) => s >= -2147483648 && s <= 2147483647)
        ? new Column('int32', Int32Array.from(sum))
        : new Column('float64', sum);
    }
    const best = new Float64Array(G).fill(Number.NaN);
    const sign = fn === 'min' ? -1 : 1;
    for (let i = 0; i < n; i++) {
      const c = codes[i]!;
      const v = x[i]!;
      if (c < 0 || v !== v) continue;
      const b = best[c]!;
      if (b !== b || (v - b) * sign > 0) best[c] = v;
    }
    if (col.dtype === 'float64') return new Column('float64', best);
    const valid = best.map((b) => (b === b ? 1 : 0));
    const whole = Int32Array.from(best, (b) => (b === b ? b : 0));
    if (col.dtype === 'int32') return new Column('int32', whole);
    if (col.dtype === 'Int32') return new Column('Int32', whole, Uint8Array.from(valid));
    if (col.dtype === 'bool') return new Column('bool', Uint8Array.from(whole));
    return new Column('boolean', Uint8Array.from(whole), Uint8Array.from(valid));
  }
}
