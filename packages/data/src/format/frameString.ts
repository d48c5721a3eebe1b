import type { Column } from '../column/column.js';
import { isBoolDType, isNumericDType } from '../column/dtype.js';
import type { DataFrame } from '../frame/dataFrame.js';
import type { Index } from '../frame/rowIndex.js';
import {
  type DisplayOptions,
  escapeText,
  formatCells,
  formatLabels,
  formatMultiLabels,
  makeFixedWidth,
  padLeft,
  padRight,
  strLen,
} from './arrayFormat.js';
import { adjoin, binify, pyRound } from './layout.js';
import { type FormatOptions, type ResolvedFormat, resolveFormat, truncateRows } from './options.js';

export type { FormatOptions } from './options.js';

interface Truncation {
  rows: number[];
  cols: number[];
  rowNum: number | null;
  colNum: number | null;
}

/**
 * DataFrame.toString() as pandas' repr prints it (pandas/io/formats/format.py, 1.5): right-aligned
 * columns, numeric headers with a leading space, left-aligned index, middle rows replaced by
 * '...' past max_rows, middle columns dropped to fit the width, `[N rows x M columns]` when cut.
 */
export function formatFrame(df: DataFrame, options: FormatOptions): string {
  const o = resolveFormat(options);
  const [n, m] = df.shape;
  const names = df.columns;
  if (n === 0 || m === 0) {
    const labels = df.index.toArray().map((v) => String(v));
    return `Empty DataFrame\nColumns: [${names.join(', ')}]\nIndex: [${labels.join(', ')}]`;
  }
  const cols = names.map((name) => df.columnData(name));
  const { positions: rows, rowNum } = truncateRows(n, o.maxRows, o.minRows);
  let maxColsFitted: number | null = o.maxColumns;
  if (o.maxColumns === 0) maxColsFitted = o.width !== null && m > o.width ? o.width : 0;
  const truncate = (maxCols: number | null): Truncation => {
    if (maxCols && m > maxCols) {
      const half = Math.floor(maxCols / 2);
      const colsShown = half >= 1 ? [...range(0, half), ...range(m - half, m)] : range(0, maxCols);
      return { rows, cols: colsShown, rowNum, colNum: half >= 1 ? half : maxCols };
    }
    return { rows, cols: range(0, m), rowNum, colNum: null };
  };
  const ctx: Ctx = { names, cols, index: df.index, o };
  let tr = truncate(maxColsFitted);
  let strcols = strColumns(ctx, tr);
  let text: string;
  if (o.width === null) text = adjoin(1, strcols);
  else if (o.maxColumns === null || o.maxColumns > 0) text = joinMultiline(strcols, o.width, tr, n);
  else {
    // pandas' _fit_strcols_to_terminal_width: drop middle columns until the lines are narrower than the width
    const lines = adjoin(1, strcols).split('\n');
    let adjDif = Math.max(...lines.map(strLen)) - o.width + 1;
    const colLens = strcols.map((c) => Math.max(...c.map(strLen)));
    while (adjDif > 0 && colLens.length > 1) {
      const mid = pyRound(colLens.length / 2);
      adjDif -= colLens[mid]! + 1;
      colLens.splice(mid, 1);
    }
    maxColsFitted = Math.max(colLens.length - 1, 2);
    tr = truncate(maxColsFitted);
    strcols = strColumns(ctx, tr);
    text = adjoin(1, strcols);
  }
  const truncated = tr.rowNum !== null || tr.colNum !== null;
  if (o.showDimensions === true || (o.showDimensions === 'truncate' && truncated))
    text += `\n\n[${n} rows x ${m} columns]`;
  return text;
}

interface Ctx {
  names: string[];
  cols: Column[];
  index: Index;
  o: ResolvedFormat;
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}

function display(o: ResolvedFormat): DisplayOptions {
  return { precision: o.precision, maxColWidth: o.maxColWidth };
}

/** The index column: header rows, then labels, left-justified. */
export function indexStrings(index: Index, rows: number[], o: ResolvedFormat, named: boolean): string[] {
  const d = display(o);
  if (index.nlevels > 1) {
    const levels = formatMultiLabels(
      index.levels.map((l) => l.take(rows)),
      index.names,
      named,
      d,
    ).map((l) => makeFixedWidth(l, 'left', d));
    return adjoin(1, levels).split('\n');
  }
  let labels: string[];
  if (index.labels === null) labels = rows.map((r) => String(index.start + r));
  else labels = formatLabels(index.labels.take(rows), d);
  const withName = named ? [escapeText(index.name ?? ''), ...labels] : labels;
  return makeFixedWidth(withName, 'left', d);
}

function strColumns(ctx: Ctx, tr: Truncation): string[][] {
  const { names, cols, index, o } = ctx;
  const d = display(o);
  const named = index.names.some((name) => name !== null);
  const strcols: string[][] = tr.cols.map((j, k) => {
    // pandas pairs the shown names with the dtypes of the first columns of the whole frame
    // (a quirk when columns are cut); reproduced so the headers line up the same way
    const leadDType = cols[k]!.dtype;
    const needLead = isNumericDType(leadDType) || isBoolDType(leadDType);
    const header = [`${needLead ? ' ' : ''}${escapeText(names[j]!)}`];
    if (named) header.push('');
    const headerWidth = Math.max(...header.map(strLen));
    let cells = makeFixedWidth(formatCells(cols[j]!.take(tr.rows), true, d), 'right', d);
    cells = makeFixedWidth(cells, 'right', d, headerWidth);
    const maxLen = Math.max(headerWidth, ...cells.map(strLen));
    return [...header.map((h) => padLeft(h, maxLen)), ...cells];
  });
  const strIndex = ['', ...indexStrings(index, tr.rows, o, named)];
  strcols.unshift(strIndex);
  const indexLength = strIndex.length;
  const dotCol = tr.colNum === null ? -1 : tr.colNum + 1;
  if (tr.colNum !== null) strcols.splice(dotCol, 0, new Array(indexLength).fill(' ...'));
  if (tr.rowNum !== null) {
    const headerRows = indexLength - tr.rows.length;
    strcols.forEach((col, ix) => {
      let width = strLen(col[tr.rowNum!]!);
      const isDotCol = ix === dotCol;
      const dots = width > 3 || isDotCol ? '...' : '..';
      let s: string;
      if (ix === 0) s = padRight(dots, width);
      else {
        if (isDotCol) width = 4;
        s = padLeft(dots, width);
      }
      col.splice(tr.rowNum! + headerRows, 0, s);
    });
  }
  return strcols;
}

/** pandas' _join_multiline: blocks of columns that fit the width, with ' \' continuation marks. */
function joinMultiline(strcolsIn: string[][], width: number, tr: Truncation, n: number): string {
  const strcols = [...strcolsIn];
  const idx = strcols.shift()!;
  const lwidth = width - (Math.max(...idx.map(strLen)) + 1);
  const widths = strcols.map((c) => (c.length > 0 ? Math.max(...c.map(strLen)) : 0));
  const bins = binify(widths, lwidth);
  const nrows = tr.rowNum !== null ? tr.rows.length + 1 : n;
  const blocks: string[] = [];
  let start = 0;
  bins.forEach((end, i) => {
    const row = [idx, ...strcols.slice(start, end)];
    if (bins.length > 1) {
      if (end <= strcols.length && i < bins.length - 1) row.push([' \\', ...new Array(nrows - 1).fill('  ')]);
      else row.push(new Array(nrows).fill(' '));
    }
    blocks.push(adjoin(1, row));
    start = end;
  });
  return blocks.join('\n\n');
}
