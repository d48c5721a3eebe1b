import type { Series } from '../frame/series.js';
import { center, escapeText, formatCells, formatLabels, makeFixedWidth, strLen } from './arrayFormat.js';
import { adjoin } from './layout.js';
import { type FormatOptions, resolveFormat, truncateRows } from './options.js';

export type { FormatOptions } from './options.js';

/**
 * Series.toString() as pandas' repr prints it: left-aligned labels, three spaces, right-aligned
 * values, middle rows cut past max_rows, and the `Name: …, Length: …, dtype: …` footer.
 */
export function formatSeries(s: Series, options: FormatOptions): string {
  const o = resolveFormat(options);
  const d = { precision: o.precision, maxColWidth: o.maxColWidth };
  const n = s.length;
  const { positions, rowNum } = truncateRows(n, o.maxRows, o.minRows);
  const parts: string[] = [];
  if (s.name !== null) parts.push(`Name: ${escapeText(s.name)}`);
  if (rowNum !== null || o.showDimensions === true) parts.push(`Length: ${n}`);
  parts.push(`dtype: ${s.dtype}`);
  const footer = parts.join(', ');
  if (n === 0) return `Series([], ${footer})`;
  const index = s.index;
  let labels: string[];
  if (index.labels === null) {
    const width = Math.max(String(index.start).length, String(index.start + n - 1).length);
    labels = positions.map((r) => String(index.start + r).padEnd(width));
  } else labels = formatLabels(index.labels.take(positions), d);
  const values = makeFixedWidth(formatCells(s.column.take(positions), true, d), 'right', d);
  if (rowNum !== null) {
    const width = strLen(values[rowNum - 1]!);
    values.splice(rowNum, 0, center(width > 3 ? '...' : '..', width));
    labels.splice(rowNum, 0, '');
  }
  let text = adjoin(3, [labels, values]);
  if (index.name !== null) text = `${escapeText(index.name)}\n${text}`;
  return `${text}\n${footer}`;
}
