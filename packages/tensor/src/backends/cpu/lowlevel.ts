import type { TypedArray } from '../../dtype.js';
import { LumenError } from '../../errors.js';
import { gemm as kernel } from './threads.js';
import { extent } from './wasm/stage.js';

/** Where a matrix lives in a typed array: element [i][j] is at `offset + i·rowStride + j·colStride`. */
export interface MatrixLayout {
  offset?: number;
  rowStride: number;
  colStride?: number;
}

/**
 * Low-level entry to the cpu backend's matrix product for code whose inner loops cannot afford a
 * Tensor per call (sklearn-lite's solvers): C[m×n] = A[m×k] · B[k×n] on typed arrays, with the same
 * kernels (WebAssembly SIMD, worker threads) that `matmul` uses. A and B are read through their
 * layouts (a transposed operand is just other strides); C is written contiguously (row stride n)
 * from `cOffset`. A, B and C must be all Float32Array or all Float64Array.
 *
 * ```ts
 * gemm(m, n, k, x, { rowStride: k }, w, { rowStride: 1, colStride: k }, out); // out = x · wᵀ
 * ```
 */
export function gemm(
  m: number,
  n: number,
  k: number,
  a: Float32Array | Float64Array,
  aLayout: MatrixLayout,
  b: Float32Array | Float64Array,
  bLayout: MatrixLayout,
  c: Float32Array | Float64Array,
  cOffset = 0,
): void {
  for (const [name, v] of [
    ['m', m],
    ['n', n],
    ['k', k],
    ['cOffset', cOffset],
  ] as const) {
    if (!Number.isInteger(v) || v < 0)
      throw new LumenError(`gemm: ${name} must be an integer >= 0, got ${v}`);
  }
  const kind = c instanceof Float32Array ? Float32Array : c instanceof Float64Array ? Float64Array : null;
  if (!kind) throw new LumenError(`gemm: c must be a Float32Array or Float64Array, got ${describe(c)}`);
  if (!(a instanceof kind)) throw new LumenError(`gemm: a must be a ${kind.name} like c, got ${describe(a)}`);
  if (!(b instanceof kind)) throw new LumenError(`gemm: b must be a ${kind.name} like c, got ${describe(b)}`);
  const [ao, ars, acs] = layout('a', aLayout);
  const [bo, brs, bcs] = layout('b', bLayout);
  inBounds('a', a, ao, m, k, ars, acs);
  inBounds('b', b, bo, k, n, brs, bcs);
  if (cOffset + m * n > c.length) {
    throw new LumenError(`gemm: c needs ${cOffset + m * n} elements (cOffset + m·n), got ${c.length}`);
  }
  kernel(m, n, k, a as TypedArray, ao, ars, acs, b as TypedArray, bo, brs, bcs, c as TypedArray, cOffset);
}

function describe(x: unknown): string {
  return x === null ? 'null' : typeof x === 'object' ? (x.constructor?.name ?? 'object') : typeof x;
}

function layout(name: string, l: MatrixLayout): [number, number, number] {
  if (typeof l !== 'object' || l === null) {
    throw new LumenError(
      `gemm: ${name}Layout must be { offset?, rowStride, colStride? }, got ${describe(l)}`,
    );
  }
  for (const key of Object.keys(l)) {
    if (key !== 'offset' && key !== 'rowStride' && key !== 'colStride') {
      throw new LumenError(`gemm: ${name}Layout has an unknown key "${key}" (offset, rowStride, colStride)`);
    }
  }
  const o = l.offset ?? 0;
  const rs = l.rowStride;
  const cs = l.colStride ?? 1;
  for (const [k, v] of [
    ['offset', o],
    ['rowStride', rs],
    ['colStride', cs],
  ] as const) {
    if (!Number.isInteger(v)) throw new LumenError(`gemm: ${name}Layout.${k} must be an integer, got ${v}`);
  }
  return [o, rs, cs];
}

function inBounds(
  name: string,
  x: ArrayLike<number>,
  o: number,
  rows: number,
  cols: number,
  rs: number,
  cs: number,
): void {
  if (rows === 0 || cols === 0) return;
  const [lo, hi] = extent(o, rows, cols, rs, cs);
  if (lo < 0 || hi >= x.length) {
    throw new LumenError(
      `gemm: ${name} (${rows}×${cols}, offset ${o}, strides ${rs}, ${cs}) reads elements ${lo}..${hi}, outside its ${x.length}`,
    );
  }
}
