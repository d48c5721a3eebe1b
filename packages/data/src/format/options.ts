import { checkOptions } from '../options.js';
/**
 * The display options of pandas' repr, with pandas' defaults for a script run in a terminal
 * (display.max_rows 60, min_rows 10, max_columns 0 = fit the width, width 80, precision 6,
 * max_colwidth 50, show_dimensions 'truncate').
 */
export interface FormatOptions {
  /** More rows than this are cut to `minRows` (null: never cut). */
  maxRows?: number | null;
  minRows?: number;
  /** 0: drop middle columns until lines fit `width`; n > 0: show at most n columns and wrap blocks at `width`; null: all. */
  maxColumns?: number | null;
  /** Line width (null: no limit). */
  width?: number | null;
  /** Digits after the decimal point for floats. */
  precision?: number;
  /** Cells wider than this are cut with '...'. */
  maxColWidth?: number;
  /** Print `[N rows x M columns]`: always, never, or only when cut (pandas' default). */
  showDimensions?: boolean | 'truncate';
}

export interface ResolvedFormat {
  maxRows: number | null;
  minRows: number;
  maxColumns: number | null;
  width: number | null;
  precision: number;
  maxColWidth: number;
  showDimensions: boolean | 'truncate';
}

export function resolveFormat(o: FormatOptions): ResolvedFormat {
  checkOptions('toString', o, [
    'maxRows',
    'minRows',
    'maxColumns',
    'width',
    'precision',
    'maxColWidth',
    'showDimensions',
  ]);
  return {
    maxRows: o.maxRows === undefined ? 60 : o.maxRows,
    minRows: o.minRows ?? 10,
    maxColumns: o.maxColumns === undefined ? 0 : o.maxColumns,
    width: o.width === undefined ? 80 : o.width,
    precision: o.precision ?? 6,
    maxColWidth: o.maxColWidth ?? 50,
    showDimensions: o.showDimensions ?? 'truncate',
  };
}

/** Rows shown: all, or the first and last `rowNum` (pandas' tr_row_num). */
export function truncateRows(
  n: number,
  maxRows: number | null,
  minRows: number,
): { positions: number[]; rowNum: number | null } {
  if (!maxRows || n <= maxRows) return { positions: Array.from({ length: n }, (_, i) => i), rowNum: null };
  const shown = minRows ? Math.min(minRows, maxRows) : maxRows;
  if (shown === 1) return { positions: [0], rowNum: 1 };
  const half = Math.floor(shown / 2);
  const positions = [
    ...Array.from({ length: half }, (_, i) => i),
    ...Array.from({ length: half }, (_, i) => n - half + i),
  ];
  return { positions, rowNum: half };
}
