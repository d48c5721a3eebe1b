import type { DType, TypedArray } from './dtype.js';

/**
 * PyTorch-style printing: `tensor([[ 0.5000, -1.2500], ...])`, 4 decimals, scientific notation
 * when magnitudes span more than 1e3 or leave [1e-4, 1e8), integral floats as `1.`, and summaries
 * (first/last 3 per dim) beyond 1000 elements.
 */
const EDGE = 3;
const THRESHOLD = 1000;
const LINE_WIDTH = 80;

export function formatTensor(
  data: TypedArray,
  shape: readonly number[],
  dtype: DType,
  suffix: string[],
): string {
  const summarize = data.length > THRESHOLD;
  const fmt = formatter(data, dtype, summarize ? sampleIndices(shape) : null);
  const prefix = 'tensor(';
  let body: string;
  if (shape.length === 0) body = fmt.format(data[0]!);
  else if (data.length === 0) body = '[]';
  else body = block(data, shape, 0, 0, fmt, prefix.length, summarize);
  const extra = suffix.length ? `, ${suffix.join(', ')}` : '';
  const sizeNote = data.length === 0 && shape.length > 1 ? `, size=(${shape.join(', ')})` : '';
  return `${prefix}${body}${sizeNote}${extra})`;
}

interface Formatter {
  format(v: number): string;
  readonly width: number;
}

function sampleIndices(shape: readonly number[]): number[] {
  // Flat indices of the elements a summary shows, so formatting width matches what is printed.
  const out: number[] = [];
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const rec = (dim: number, base: number) => {
    const n = shape[dim]!;
    const idx = n > 2 * EDGE ? [0, 1, 2, n - 3, n - 2, n - 1] : Array.from({ length: n }, (_, i) => i);
    for (const i of idx) {
      if (dim === shape.length - 1) out.push(base + i);
      else rec(dim + 1, base + i * strides[dim]!);
    }
  };
  rec(0, 0);
  return out;
}

function formatter(data: TypedArray, dtype: DType, indices: number[] | null): Formatter {
  const values = indices ? indices.map((i) => data[i]!) : Array.from(data);
  if (dtype === 'bool') {
    const width = values.some((v) => !v) ? 5 : 4;
    return { width, format: (v) => (v ? 'True' : 'False').padStart(width) };
  }
  if (dtype === 'int32') {
    const width = Math.max(1, ...values.map((v) => String(v).length));
    return { width, format: (v) => String(v).padStart(width) };
  }
  const finite = values.filter((v) => Number.isFinite(v));
  const nonzero = finite.filter((v) => v !== 0).map(Math.abs);
  const intMode = finite.every((v) => Number.isInteger(v));
  let sci = false;
  let render: (v: number) => string;
  if (nonzero.length === 0) {
    render = (v) => (Number.isFinite(v) ? (intMode ? `${v.toFixed(0)}.` : v.toFixed(4)) : special(v));
  } else {
    const mx = Math.max(...nonzero);
    const mn = Math.min(...nonzero);
    if (intMode) {
      sci = mx / mn > 1000 || mx > 1e8;
      render = sci ? (v) => sciFmt(v) : (v) => (Number.isFinite(v) ? `${v.toFixed(0)}.` : special(v));
    } else {
      sci = mx / mn > 1000 || mx > 1e8 || mn < 1e-4;
      render = sci ? (v) => sciFmt(v) : (v) => (Number.isFinite(v) ? v.toFixed(4) : special(v));
    }
  }
  const width = Math.max(1, ...values.map((v) => render(v).length));
  return { width, format: (v) => render(v).padStart(width) };
}

function special(v: number): string {
  return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
}

function sciFmt(v: number): string {
  if (!Number.isFinite(v)) return special(v);
  const [m, e] = v.toExponential(4).split('e');
  const exp = Number(e);
  return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

function block(
  data: TypedArray,
  shape: readonly number[],
  dim: number,
  base: number,
  fmt: Formatter,
  indent: number,
  summarize: boolean,
): string {
  const n = shape[dim]!;
  const stride = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
  const idx =
    summarize && n > 2 * EDGE ? [0, 1, 2, -1, n - 3, n - 2, n - 1] : Array.from({ length: n }, (_, i) => i);
  if (dim === shape.length - 1) {
    // As PyTorch's _vector_str: ' ...' is an element, and lines wrap at 80 columns.
    const items = idx.map((i) => (i < 0 ? ' ...' : fmt.format(data[base + i]!)));
    const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent) / (fmt.width + 2)));
    const lines: string[] = [];
    for (let k = 0; k < items.length; k += perLine) lines.push(items.slice(k, k + perLine).join(', '));
    return `[${lines.join(`,\n${' '.repeat(indent + 1)}`)}]`;
  }
  const sep = `,${'\n'.repeat(shape.length - dim - 1)}${' '.repeat(indent + 1)}`;
  const items = idx.map((i) =>
    i < 0 ? '...' : block(data, shape, dim + 1, base + i * stride, fmt, indent + 1, summarize),
  );
  return `[${items.join(sep)}]`;
}
