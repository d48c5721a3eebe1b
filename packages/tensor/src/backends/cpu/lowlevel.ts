import type { TypedArray } from '../../dtype.js';
import { ArgumentError, DtypeError, describe, ShapeError } from '../../errors.js';
import { gemm as kernel, wasmParallel, wasmThreads } from './threads.js';
import { residentAddress } from './wasm/resident.js';
import { wasmRuntime } from './wasm/runtime.js';
import { align64, copyOf, copyOut, extent, stageIn } from './wasm/stage.js';

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
  checkInts('gemm', { m, n, k, cOffset }, 0);
  const kind = c instanceof Float32Array ? Float32Array : c instanceof Float64Array ? Float64Array : null;
  if (!kind) throw new DtypeError(`gemm: c must be a Float32Array or Float64Array, got ${describe(c)}`);
  if (!(a instanceof kind)) throw new DtypeError(`gemm: a must be a ${kind.name} like c, got ${describe(a)}`);
  if (!(b instanceof kind)) throw new DtypeError(`gemm: b must be a ${kind.name} like c, got ${describe(b)}`);
  const [ao, ars, acs] = layout('a', aLayout);
  const [bo, brs, bcs] = layout('b', bLayout);
  inBounds('a', a, ao, m, k, ars, acs);
  inBounds('b', b, bo, k, n, brs, bcs);
  if (cOffset + m * n > c.length) {
    throw new ShapeError(`gemm: c needs ${cOffset + m * n} elements (cOffset + m·n), got ${c.length}`);
  }
  kernel(m, n, k, a as TypedArray, ao, ars, acs, b as TypedArray, bo, brs, bcs, c as TypedArray, cOffset);
}

/** Each named array must be a Float64Array. */
function checkFloat64(op: string, arrays: Record<string, unknown>): void {
  for (const [name, a] of Object.entries(arrays)) {
    if (!(a instanceof Float64Array))
      throw new DtypeError(`${op}: ${name} must be a Float64Array, got ${describe(a)}`);
  }
}

/** Each named array must hold at least `need` elements (`what` says where the count comes from). */
function checkLengths(op: string, arrays: [string, { length: number }, number, string?][]): void {
  for (const [name, a, need, what = ''] of arrays) {
    if (a.length < need)
      throw new ShapeError(`${op}: ${name} needs ${what}${need} elements, got ${a.length}`);
  }
}

/**
 * The jobs of a kernel whose rows are cut into `stripes` fixed stripes: thread t runs stripes
 * [s0, s1), a contiguous share, so every stripe is computed the same way whatever the thread count.
 */
function stripeJobs(
  stripes: number,
  threads: number,
  job: (s0: number, s1: number, t: number) => number[],
): number[][] {
  const jobs: number[][] = [];
  for (let t = 0; t < threads; t++) {
    jobs.push(job(Math.floor((t * stripes) / threads), Math.floor(((t + 1) * stripes) / threads), t));
  }
  return jobs;
}

/** Each named count must be an integer >= min; the error names the first that is not. */
function checkInts(op: string, values: Record<string, number>, min: number): void {
  for (const [name, v] of Object.entries(values)) {
    if (!Number.isInteger(v) || v < min)
      throw new ArgumentError(`${op}: ${name} must be an integer >= ${min}, got ${v}`);
  }
}

function layout(name: string, l: MatrixLayout): [number, number, number] {
  if (typeof l !== 'object' || l === null) {
    throw new ArgumentError(
      `gemm: ${name}Layout must be { offset?, rowStride, colStride? }, got ${describe(l)}`,
    );
  }
  for (const key of Object.keys(l)) {
    if (key !== 'offset' && key !== 'rowStride' && key !== 'colStride') {
      throw new ArgumentError(
        `gemm: ${name}Layout has an unknown key "${key}" (offset, rowStride, colStride)`,
      );
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
    if (!Number.isInteger(v))
      throw new ArgumentError(`gemm: ${name}Layout.${k} must be an integer, got ${v}`);
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
    throw new ArgumentError(
      `gemm: ${name} (${rows}×${cols}, offset ${o}, strides ${rs}, ${cs}) reads elements ${lo}..${hi}, outside its ${x.length}`,
    );
  }
}

/** Stripes of a Lloyd step's partial sums: fixed by the row count alone (see asm/cluster.ts). */
const LLOYD_STRIPES = 8;
const LLOYD_CHUNK = 256;

/**
 * One Lloyd iteration of k-means on the cpu kernels (sklearn-lite's KMeans; scikit-learn's
 * lloyd_iter_chunked_dense), for rows x (n×d, contiguous) that live in the kernels' memory
 * (`kernelArray`): labels[i] = argmin_c centerNorms[c] − 2·x_i·c (first on ties), sums (k×d) the
 * sum of each cluster's rows, counts (k) their number. Chunks of rows run on the worker threads;
 * the sums are the same bits for any thread count. Returns false, doing nothing, when x is not in
 * the kernels' memory (the WebAssembly kernels do not run here, or the memory is not shared): the
 * caller then runs its own loop.
 */
export function lloydStep(
  n: number,
  d: number,
  k: number,
  x: Float64Array,
  centers: Float64Array,
  centerNorms: Float64Array,
  labels: Int32Array,
  sums: Float64Array,
  counts: Float64Array,
): boolean {
  const rt = wasmRuntime();
  if (!rt) return false;
  const xAt = residentAddress(rt, x);
  if (xAt < 0) return false;
  checkInts('lloydStep', { n, d, k }, 1);
  checkLengths('lloydStep', [
    ['x', x, n * d],
    ['centers', centers, k * d],
    ['centerNorms', centerNorms, k],
    ['labels', labels, n],
    ['sums', sums, k * d],
    ['counts', counts, k],
  ]);
  const ex = rt.exports;
  const stripes = Math.min(LLOYD_STRIPES, Math.ceil(n / LLOYD_CHUNK));
  const threads = Math.min(wasmThreads(rt), stripes);
  const scratch = align64(ex.lloydScratchBytes(k, align64(ex.scratchBytes(8)))) / 8;
  const per = k * d + k;
  const { mem, at } = stageIn(rt, 8, [
    copyOf(centers, 0, k * d),
    copyOf(centerNorms, 0, k),
    { n: Math.ceil(n / 2) }, // labels, i32
    { n: stripes * per },
    { n: threads * scratch },
  ]);
  const [cAt, nAt, lAt, sAt, tAt] = at as [number, number, number, number, number];
  wasmParallel(
    rt,
    'lloyd_f64',
    stripeJobs(stripes, threads, (s0, s1, t) => [
      s0,
      s1,
      stripes,
      n,
      d,
      k,
      xAt,
      cAt,
      nAt,
      lAt,
      sAt,
      tAt + t * scratch * 8,
    ]),
  );
  labels.set(new Int32Array(mem.buffer, lAt, n));
  const base = sAt / 8;
  sums.fill(0, 0, k * d);
  counts.fill(0, 0, k);
  for (let s = 0; s < stripes; s++) {
    const o = base + s * per;
    for (let i = 0; i < k * d; i++) sums[i]! += mem[o + i]!;
    for (let c = 0; c < k; c++) counts[c]! += mem[o + k * d + c]!;
  }
  return true;
}

/** Stripes of a Gram matrix's partial sums: fixed by the row count alone (see asm/gram.ts). */
const GRAM_STRIPES = 8;
const GRAM_MIN_STRIPE_ROWS = 256;

/**
 * BLAS's syrk for a tall float64 matrix: c (n×n, row-major, both triangles written) = aᵀ·a for the
 * m×n rows of `a` (row stride n) when they live in the kernels' memory (`kernelArray`, or a
 * subarray of one). Half a GEMM's work (the upper triangle, mirrored), read in place without
 * packing, on the worker threads; the same bits for any thread count. Returns false, doing nothing,
 * when `a` is not in the kernels' memory: the caller then uses `gemm`.
 */
export function syrk(m: number, n: number, a: Float64Array, c: Float64Array): boolean {
  checkInts('syrk', { m, n }, 0);
  checkFloat64('syrk', { a, c });
  checkLengths('syrk', [
    ['a', a, m * n, 'm·n = '],
    ['c', c, n * n, 'n·n = '],
  ]);
  if (m === 0 || n === 0) {
    c.fill(0, 0, n * n);
    return true;
  }
  const rt = wasmRuntime();
  if (!rt) return false;
  const aAt = residentAddress(rt, a);
  if (aAt < 0) return false;
  const stripes = Math.max(1, Math.min(GRAM_STRIPES, Math.floor(m / GRAM_MIN_STRIPE_ROWS)));
  const threads = Math.min(wasmThreads(rt), stripes);
  const scratch = align64(rt.exports.gramScratchBytes(n)) / 8;
  const { mem, at } = stageIn(rt, 8, [{ n: stripes * n * n }, { n: threads * scratch }]);
  const [out, tAt] = at as [number, number];
  wasmParallel(
    rt,
    'gram_f64',
    stripeJobs(stripes, threads, (s0, s1, t) => [s0, s1, stripes, m, n, aAt, out, tAt + t * scratch * 8]),
  );
  const base = out / 8;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let v = 0;
      for (let s = 0; s < stripes; s++) v += mem[base + s * n * n + i * n + j]!;
      c[i * n + j] = v;
      c[j * n + i] = v;
    }
  }
  return true;
}

/**
 * Centres the m×n float64 rows of `x` (row stride n) in place and writes their column means to
 * `mean` (n), in WebAssembly SIMD when x lives in the kernels' memory (`kernelArray`): the same bits
 * as `mean[j] += x[i][j]` down the rows, `/ m`, then `x[i][j] -= mean[j]`. Returns false, doing
 * nothing, when x is not in the kernels' memory.
 */
export function centerColumns(m: number, n: number, x: Float64Array, mean: Float64Array): boolean {
  checkInts('centerColumns', { m, n }, 1);
  checkFloat64('centerColumns', { x, mean });
  checkLengths('centerColumns', [
    ['x', x, m * n, 'm·n = '],
    ['mean', mean, n, 'n = '],
  ]);
  const rt = wasmRuntime();
  if (!rt) return false;
  const xAt = residentAddress(rt, x);
  if (xAt < 0) return false;
  const { mem, at } = stageIn(rt, 8, [{ n }]);
  rt.exports.center_f64(m, n, xAt, at[0]!);
  copyOut(mem, at[0]!, n, mean);
  return true;
}
