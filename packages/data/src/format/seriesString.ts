import type { Series } from '../frame/series.js';
import {
  center,
  escapeText,
  formatCells,
  formatLabels,
  formatMultiLabels,
  makeFixedWidth,
  strLen,
} from './arrayFormat.js';
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
  let header: string | null = index.name === null ? null : escapeText(index.name);
  if (index.nlevels > 1) {
    // pandas' MultiIndex.format(names=True): levels adjoined 2 apart, the names row on top
    const levels = formatMultiLabels(
      index.levels.map((l) => l.take(positions)),
      index.names,
      true,
      d,
    );
    const lines = adjoin(2, levels).split('\n');
    header = index.names.some((name) => name !== null) ? lines[0]! : null;
    labels = lines.slice(1);
  } else if (index.labels === null) {
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
  if (header !== null) text = `${header}\n${text}`;
  return `${text}\n${footer}`;
}
