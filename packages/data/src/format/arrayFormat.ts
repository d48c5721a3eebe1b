import type { Column } from '../column/column.js';
import { pyExp, pyFixed } from './pyNumber.js';

/** pandas' display options that matter for to_string(). */
export interface DisplayOptions {
  /** display.precision */
  precision: number;
  /** display.max_colwidth */
  maxColWidth: number;
}

/** Python's len(): code points, not UTF-16 units. */
export function strLen(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export function padLeft(s: string, width: number): string {
  const n = strLen(s);
  return n >= width ? s : ' '.repeat(width - n) + s;
}

export function padRight(s: string, width: number): string {
  const n = strLen(s);
  return n >= width ? s : s + ' '.repeat(width - n);
}

/** Python's str.center (pads the right first on an odd remainder, as CPython does). */
export function center(s: string, width: number): string {
  const n = strLen(s);
  if (n >= width) return s;
  const marg = width - n;
  const left = Math.floor(marg / 2) + (marg & width & 1);
  return ' '.repeat(left) + s + ' '.repeat(marg - left);
}

/** pprint_thing with escape_chars=('\t', '\r', '\n'). */
export function escapeText(s: string): string {
  return s.replace(/\t/g, '\\t').replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

/** pandas' _make_fixed_width: pad to the widest (at least `minimum`), cutting cells past max_colwidth with '...'. */
export function makeFixedWidth(
  strings: string[],
  justify: 'left' | 'right',
  opts: DisplayOptions,
  minimum = 0,
): string[] {
  if (strings.length === 0) return strings;
  let maxLen = Math.max(minimum, ...strings.map(strLen));
  const conf = opts.maxColWidth;
  if (maxLen > conf) maxLen = conf;
  return strings.map((x) => {
    let s = x;
    if (conf > 3 && strLen(s) > maxLen) s = `${[...s].slice(0, maxLen - 3).join('')}...`;
    return justify === 'left' ? padRight(s, maxLen) : padLeft(s, maxLen);
  });
}

/** pandas' trim_front: removes leading spaces common to every string. */
export function trimFront(strings: string[]): string[] {
  let out = strings;
  while (out.length > 0 && out.every((s) => s.startsWith(' '))) out = out.map((s) => s.slice(1));
  return out;
}

const DECIMAL = /^\s*[+-]?[0-9]+\.[0-9]*$/;

/** pandas' _trim_zeros_float: trailing zeros cut equally from every decimal number, keeping one digit. */
function trimZerosFloat(strs: string[]): string[] {
  let out = strs;
  const shouldTrim = (vals: string[]): boolean => {
    const nums = vals.filter((x) => DECIMAL.test(x));
    return nums.length > 0 && nums.every((x) => x.endsWith('0'));
  };
  while (shouldTrim(out)) out = out.map((x) => (DECIMAL.test(x) ? x.slice(0, -1) : x));
  return out.map((x) => (DECIMAL.test(x) && x.endsWith('.') ? `${x}0` : x));
}

/**
 * pandas' FloatArrayFormatter (fixed width): '% .6f' trimmed of common trailing zeros, or
 * '% .6e' when some value would print as 0 or large values make it too wide.
 */
export function formatFloats(
  values: ArrayLike<number>,
  leadingSpace: boolean,
  opts: DisplayOptions,
): string[] {
  const digits = opts.precision;
  const fmt = (f: (x: number, d: number, s: boolean) => string): string[] =>
    trimZerosFloat(Array.from(values, (v) => (v !== v ? 'NaN' : f(v, digits, leadingSpace))));
  let out = fmt(pyFixed);
  const maxLen = out.reduce((m, s) => Math.max(m, s.length), 0);
  const tooLong = maxLen > digits + 6;
  let large = false;
  let small = false;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]!);
    if (a > 1e6) large = true;
    if (a < 10 ** -digits && a > 0) small = true;
  }
  if (small || (tooLong && large)) out = fmt(pyExp);
  return out;
}

/** pandas' format_array for one column's cells (before the final fixed-width padding). */
export function formatCells(col: Column, leadingSpace: boolean, opts: DisplayOptions): string[] {
  const n = col.length;
  const sp = leadingSpace ? ' ' : '';
  switch (col.dtype) {
    case 'float64':
      return formatFloats(col.values as Float64Array, leadingSpace, opts);
    case 'int32': {
      const v = col.values as Int32Array;
      return Array.from(v, (x) => (x < 0 ? String(x) : sp + String(x)));
    }
    case 'Int32':
      return Array.from({ length: n }, (_, i) => (col.isNa(i) ? `${sp}<NA>` : sp + String(col.get(i))));
    case 'bool':
      return Array.from(col.values as Uint8Array, (x) => `${sp}${x ? 'True' : 'False'}`);
    case 'boolean':
      return Array.from({ length: n }, (_, i) =>
        col.isNa(i) ? `${sp}<NA>` : `${sp}${col.get(i) ? 'True' : 'False'}`,
      );
    case 'string':
      return (col.values as (string | null)[]).map((s) => `${sp}${s === null ? 'NaN' : escapeText(s)}`);
  }
}

/** Index labels as pandas' Index.format() prints them (before left-justification). */
export function formatLabels(col: Column, opts: DisplayOptions): string[] {
  if (col.dtype === 'float64')
    return trimFront(makeFixedWidth(formatFloats(col.values as Float64Array, true, opts), 'left', opts));
  if (col.dtype === 'int32' || col.dtype === 'Int32') {
    return trimFront(makeFixedWidth(formatCells(col, true, opts), 'left', opts));
  }
  return Array.from({ length: col.length }, (_, i) => {
    const v = col.get(i);
    if (v === null) return 'NaN';
    if (typeof v === 'boolean') return v ? 'True' : 'False';
    return escapeText(String(v));
  });
}

/**
 * pandas' MultiIndex.format(sparsify=True, names=…, adjoin=False): each level's labels (formatted
 * as a one-level index's), with the level name on top when `names`, and a label left blank where
 * it and every level before it repeat the row above (pandas' sparsify_labels).
 */
export function formatMultiLabels(
  levels: readonly Column[],
  levelNames: readonly (string | null)[],
  names: boolean,
  opts: DisplayOptions,
): string[][] {
  const formatted = levels.map((l, k) => {
    const labels = formatLabels(l, opts);
    return names ? [escapeText(levelNames[k] ?? ''), ...labels] : labels;
  });
  const out = formatted.map((l) => [...l]);
  const last = formatted.length - 1;
  const start = names ? 1 : 0;
  for (let r = start + 1; r < (formatted[0]?.length ?? 0); r++) {
    for (let i = 0; i < last; i++) {
      if (formatted[i]![r] !== formatted[i]![r - 1]) break;
      out[i]![r] = '';
    }
  }
  return out;
}
