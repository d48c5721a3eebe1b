import type { Column } from '../column/column.js';
import type { Scalar } from '../column/dtype.js';

/**
 * pandas' factorize: a code per row (-1 for missing) and the distinct values in order of first
 * appearance. 0 and -0 are one value, as in pandas' hash tables.
 */
export function factorize(col: Column): { codes: Int32Array; first: Int32Array; count: number } {
  const n = col.length;
  const codes = new Int32Array(n);
  const first: number[] = [];
  const seen = new Map<Scalar, number>();
  for (let i = 0; i < n; i++) {
    if (col.isNa(i)) {
      codes[i] = -1;
      continue;
    }
    const v = col.get(i);
    let c = seen.get(v);
    if (c === undefined) {
      c = first.length;
      seen.set(v, c);
      first.push(i);
    }
    codes[i] = c;
  }
  return { codes, first: Int32Array.from(first), count: first.length };
}

/** Compares two present cells of one column: numbers and booleans numerically, strings by code unit. */
export function compareCells(a: Scalar, b: Scalar): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  const x = Number(a);
  const y = Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export interface SortKey {
  col: Column;
  ascending: boolean;
}

/**
 * A stable argsort over one or more keys (pandas' lexsort for several keys; for one key pandas
 * uses an unstable quicksort by default, so ties may come out in another order there: pass
 * kind='stable' in pandas to compare). Missing values go last or first as `naPosition` says.
 */
export function argsort(keys: readonly SortKey[], naPosition: 'last' | 'first', n: number): Int32Array {
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const numericKeys = keys.map((k) => (k.col.dtype === 'string' ? null : k.col.toFloat64()));
  const naFirst = naPosition === 'first';
  order.sort((i, j) => {
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      const num = numericKeys[k];
      const aNa = key.col.isNa(i);
      const bNa = key.col.isNa(j);
      if (aNa || bNa) {
        if (aNa && bNa) continue;
        return (aNa ? 1 : -1) * (naFirst ? -1 : 1);
      }
      let c: number;
      if (num) {
        const a = num[i]!;
        const b = num[j]!;
        c = a < b ? -1 : a > b ? 1 : 0;
      } else c = compareCells(key.col.get(i), key.col.get(j));
      if (c !== 0) return key.ascending ? c : -c;
    }
    return i - j;
  });
  return Int32Array.from(order);
}
