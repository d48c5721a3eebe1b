import { Column } from '../column/column.js';
import { describe as describeValue, fail } from '../errors.js';
import { compareCells, factorize } from './algorithms.js';
import type { DataFrame } from './dataFrame.js';
import { Index } from './rowIndex.js';
import { Series } from './series.js';

export type AggName = 'mean' | 'sum' | 'count' | 'min' | 'max';
const AGGS: readonly AggName[] = ['mean', 'sum', 'count', 'min', 'max'];

interface Groups {
  /** Group number per row, -1 where a key is missing. */
  codes: Int32Array;
  /** One label column per key column: the groups' keys, in group order. */
  keys: Column[];
  count: number;
}

/**
 * pandas' DataFrame.groupby(col) or groupby([col1, col2, …]): groups in sorted key order
 * (lexicographic over the keys for several), rows with a missing key left out (sort=True,
 * dropna=True). With several keys the results have a MultiIndex, printed as pandas prints it.
 * Sums and means use Kahan summation, as pandas' group_sum/group_mean do.
 */
export class GroupBy {
  private readonly df: DataFrame;
  private readonly by: readonly string[];
  private cached: Groups | null = null;

  /** @internal Use df.groupBy(col) or df.groupBy([col1, col2]). */
  constructor(df: DataFrame, by: readonly string[]) {
    this.df = df;
    this.by = by;
  }

  private groups(): Groups {
    if (this.cached) return this.cached;
    const keyCols = this.by.map((b) => this.df.columnData(b));
    // per key: codes in first-appearance order, then each code's rank in sorted label order
    const levels = keyCols.map((col) => {
      const { codes, first, count } = factorize(col);
      const order = Array.from({ length: count }, (_, i) => i).sort((a, b) =>
        compareCells(col.get(first[a]!), col.get(first[b]!)),
      );
      const rank = new Int32Array(count);
      order.forEach((g, r) => {
        rank[g] = r;
      });
      return { codes, rank };
    });
    const n = this.df.shape[0];
    const codes = new Int32Array(n);
    const firstRow: number[] = [];
    const tuples: Int32Array[] = [];
    const ids = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const tuple = new Int32Array(levels.length);
      let missing = false;
      levels.forEach((l, k) => {
        const c = l.codes[i]!;
        if (c < 0) missing = true;
        else tuple[k] = l.rank[c]!;
      });
      if (missing) {
        codes[i] = -1;
        continue;
      }
      const key = tuple.join(',');
      let g = ids.get(key);
      if (g === undefined) {
        g = firstRow.length;
        ids.set(key, g);
        firstRow.push(i);
        tuples.push(tuple);
      }
      codes[i] = g;
    }
    const count = firstRow.length;
    const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => {
      const ta = tuples[a]!;
      const tb = tuples[b]!;
      for (let k = 0; k < ta.length; k++) if (ta[k] !== tb[k]) return ta[k]! - tb[k]!;
      return 0;
    });
    const rank = new Int32Array(count);
    order.forEach((g, r) => {
      rank[g] = r;
    });
    for (let i = 0; i < n; i++) if (codes[i]! >= 0) codes[i] = rank[codes[i]!]!;
    const keys = keyCols.map((col) => {
      const k = col.take(order.map((g) => firstRow[g]!));
      // nullable keys have no missing values left: plain int32/bool, as pandas' index
      return k.valid ? new Column(k.dtype === 'Int32' ? 'int32' : 'bool', k.values as Int32Array, null) : k;
    });
    this.cached = { codes, keys, count };
    return this.cached;
  }

  private index(): Index {
    return Index.multi(this.groups().keys, this.by);
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
    return Series.of(new Column('int32', out), this.index(), null);
  }

  private all(fn: AggName, numericOnly: boolean): DataFrame {
    const names = this.df.columns.filter(
      (n) => !this.by.includes(n) && !(numericOnly && this.df.columnData(n).dtype === 'string'),
    );
    return this.frame(
      names,
      names.map((n) => this.aggregate(n, this.df.columnData(n), fn)),
    );
  }

  private frame(names: string[], cols: Column[]): DataFrame {
    const ctor = this.df.constructor as typeof DataFrame;
    return ctor.of(names, cols, this.index());
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
