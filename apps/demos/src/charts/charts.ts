import type { TopLevelSpec } from 'vega-lite';

/**
 * Vega-Lite specs for every plot the demos draw. The same spec is rendered to SVG/PNG files in
 * Node (src/lib/plot.ts) and into the page in the browser demo, so both show the same chart.
 */

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const CONFIG = { font: 'sans-serif', view: { stroke: null } } as const;

export interface Point {
  x: number;
  y: number;
  /** The category that colours the point (a class, a digit, a cluster). */
  label: string;
}

/** One or more named series over x, e.g. train and test loss per step. */
export function lineChart(opts: {
  title: string;
  rows: { x: number; y: number; series: string }[];
  xTitle: string;
  yTitle: string;
  logY?: boolean;
  /** x counts whole things (epochs): no 1.5 ticks. */
  integerX?: boolean;
  width?: number;
  height?: number;
}): TopLevelSpec {
  return {
    $schema: SCHEMA,
    config: CONFIG,
    title: opts.title,
    width: opts.width ?? 420,
    height: opts.height ?? 260,
    data: { values: opts.rows },
    mark: { type: 'line', point: opts.rows.length <= 60 },
    encoding: {
      x: {
        field: 'x',
        type: 'quantitative',
        title: opts.xTitle,
        ...(opts.integerX ? { axis: { tickMinStep: 1, format: 'd' } } : {}),
      },
      y: {
        field: 'y',
        type: 'quantitative',
        title: opts.yTitle,
        scale: opts.logY ? { type: 'log' } : { zero: false },
      },
      color: { field: 'series', type: 'nominal', title: null },
    },
  };
}

/** Points coloured by category: a PCA or t-SNE map, or features with an outlier flag. */
export function scatter(opts: {
  title: string;
  points: Point[];
  xTitle: string;
  yTitle: string;
  colorTitle: string;
  /** Categories in legend order; the palette follows it. */
  domain?: string[];
  colors?: string[];
  size?: number;
  width?: number;
  height?: number;
}): TopLevelSpec {
  return {
    $schema: SCHEMA,
    config: CONFIG,
    title: opts.title,
    width: opts.width ?? 420,
    height: opts.height ?? 360,
    data: { values: opts.points },
    mark: { type: 'circle', size: opts.size ?? 12, opacity: 0.7 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: opts.xTitle, scale: { zero: false } },
      y: { field: 'y', type: 'quantitative', title: opts.yTitle, scale: { zero: false } },
      color: {
        field: 'label',
        type: 'nominal',
        title: opts.colorTitle,
        scale: {
          ...(opts.domain ? { domain: opts.domain } : {}),
          ...(opts.colors ? { range: opts.colors } : { scheme: 'category10' }),
        },
      },
    },
  };
}

/**
 * A classifier's probability over a grid (the shaded background, 0.5 is the boundary) with the
 * data drawn on top.
 */
export function decisionBoundary(opts: {
  title: string;
  grid: { x: number; y: number; p: number }[];
  /** Grid spacing, so each cell is drawn as a rectangle of that size. */
  step: number;
  points: Point[];
  width?: number;
  height?: number;
}): TopLevelSpec {
  const h = opts.step / 2;
  const cells = opts.grid.map((c) => ({ x0: c.x - h, x1: c.x + h, y0: c.y - h, y1: c.y + h, p: c.p }));
  return {
    $schema: SCHEMA,
    config: CONFIG,
    title: opts.title,
    width: opts.width ?? 380,
    height: opts.height ?? 380,
    layer: [
      {
        data: { values: cells },
        mark: { type: 'rect', opacity: 0.55 },
        encoding: {
          x: {
            field: 'x0',
            type: 'quantitative',
            title: 'x₁',
            scale: { zero: false, nice: false },
            axis: { grid: false },
          },
          x2: { field: 'x1' },
          y: {
            field: 'y0',
            type: 'quantitative',
            title: 'x₂',
            scale: { zero: false, nice: false },
            axis: { grid: false },
          },
          y2: { field: 'y1' },
          color: {
            field: 'p',
            type: 'quantitative',
            title: 'P(class 1)',
            scale: { scheme: 'blueorange', domain: [0, 1] },
          },
        },
      },
      {
        data: { values: opts.points },
        mark: { type: 'point', filled: true, size: 18, stroke: 'black', strokeWidth: 0.4 },
        encoding: {
          x: { field: 'x', type: 'quantitative' },
          y: { field: 'y', type: 'quantitative' },
          shape: { field: 'label', type: 'nominal', title: 'class' },
          fill: {
            field: 'label',
            type: 'nominal',
            legend: null,
            scale: { domain: ['0', '1'], range: ['#1f4e9c', '#e8590c'] },
          },
        },
      },
    ],
  };
}

/** A matrix of numbers as coloured cells with the value written in each (confusion, correlation). */
export function heatmap(opts: {
  title: string;
  cells: { row: string; col: string; value: number }[];
  rowTitle: string;
  colTitle: string;
  /** Row/column order (default: order of first appearance). */
  order?: string[];
  /** A diverging scale centred on 0 (for correlations) instead of a sequential one. */
  diverging?: boolean;
  showValues?: boolean;
  format?: string;
  cellSize?: number;
}): TopLevelSpec {
  const sort = opts.order ?? null;
  const n = new Set(opts.cells.map((c) => c.col)).size;
  const size = opts.cellSize ?? Math.max(10, Math.min(36, Math.floor(520 / n)));
  const axis = (field: 'row' | 'col', title: string) => ({
    field,
    type: 'ordinal' as const,
    title,
    ...(sort ? { sort } : { sort: null }),
    // Short labels read better upright; long lists need the vertical ones.
    ...(field === 'col' && n <= 12 ? { axis: { labelAngle: 0 } } : {}),
  });
  const max = Math.max(...opts.cells.map((c) => Math.abs(c.value)));
  return {
    $schema: SCHEMA,
    config: CONFIG,
    title: opts.title,
    data: { values: opts.cells },
    width: size * n,
    height: size * new Set(opts.cells.map((c) => c.row)).size,
    encoding: { x: axis('col', opts.colTitle), y: axis('row', opts.rowTitle) },
    layer: [
      {
        mark: 'rect',
        encoding: {
          color: {
            field: 'value',
            type: 'quantitative',
            title: null,
            scale: opts.diverging
              ? { scheme: 'redblue', domain: [-1, 1], reverse: true }
              : { scheme: 'blues' },
          },
        },
      },
      ...(opts.showValues
        ? [
            {
              mark: { type: 'text' as const, fontSize: 10 },
              encoding: {
                text: { field: 'value', type: 'quantitative' as const, format: opts.format ?? 'd' },
                color: {
                  condition: { test: `abs(datum.value) > ${max / 2}`, value: 'white' },
                  value: 'black',
                },
              },
            },
          ]
        : []),
    ],
  };
}

/** Counts per category, e.g. the class balance of a table (log scale for rare classes). */
export function barChart(opts: {
  title: string;
  bars: { label: string; value: number }[];
  xTitle: string;
  yTitle: string;
  logY?: boolean;
}): TopLevelSpec {
  return {
    $schema: SCHEMA,
    config: CONFIG,
    title: opts.title,
    width: 60 * opts.bars.length + 60,
    height: 260,
    data: { values: opts.bars },
    encoding: {
      x: { field: 'label', type: 'nominal', title: opts.xTitle, sort: null, axis: { labelAngle: 0 } },
      y: {
        field: 'value',
        type: 'quantitative',
        title: opts.yTitle,
        ...(opts.logY ? { scale: { type: 'log' as const } } : {}),
      },
    },
    layer: [
      { mark: { type: 'bar', color: '#4c78a8' } },
      {
        mark: { type: 'text', dy: -6 },
        encoding: { text: { field: 'value', type: 'quantitative', format: ',' } },
      },
    ],
  };
}
