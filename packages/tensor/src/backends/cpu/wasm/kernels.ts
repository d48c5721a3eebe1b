import type { TypedArray } from '../../../dtype.js';
import { PHILOX_CHUNK } from '../../../random.js';
import { type ParallelKernel, wasmParallel, wasmThreads } from '../threads.js';
import { residentAddress } from './resident.js';
import { type WasmRuntime, wasmRuntime } from './runtime.js';
import { copyOf, copyOut, stageIn } from './stage.js';

/**
 * The row and elementwise kernels of a training step on WebAssembly SIMD (asm/rows.ts): each
 * function copies its contiguous operands into the module's memory, runs the kernel there and
 * copies the results back, and returns false (nothing done) when the WebAssembly kernels do not
 * run here or the operands are too small to pay for the copies; the caller then runs its
 * TypeScript loop. They run on the calling thread only, between matrix products, and reuse the
 * same memory (see stage.ts).
 */
const MIN_ELEMENTS = 1024;
/**
 * Large operands go through in chunks of about this many bytes each, so that what is copied in is
 * still in cache when the kernel reads it and its result when it is copied out: a 150 MB gradient
 * then costs one pass over memory per operand, not three (copy in, kernel, copy out).
 */
const CHUNK_BYTES = 128 * 1024;
function chunkElements(E: number): number {
  return CHUNK_BYTES / E;
}

function floatKind(a: TypedArray): 4 | 8 | 0 {
  return a instanceof Float32Array ? 4 : a instanceof Float64Array ? 8 : 0;
}

export type WasmUnary = 'exp' | 'tanh' | 'geluTanh' | 'erf' | 'gelu' | 'relu';

/**
 * The float32 kernels that spend tens of vector operations per element (exp's and erf's
 * polynomials, a division): large operands split each chunk over the worker threads.
 */
const PARALLEL_UNARY: Partial<Record<WasmUnary, ParallelKernel>> = {
  exp: 'exp_f32',
  tanh: 'tanh_f32',
  erf: 'erf_f32',
  gelu: 'gelu_f32',
  geluTanh: 'gelu_tanh_f32',
};
/** Elementwise ops of at least this many elements use the worker threads too. */
const PARALLEL_ELEMENTWISE = 262144;
/**
 * Their chunks are much larger than CHUNK_BYTES: on these VMs waking a sleeping worker costs
 * ~100 µs, more than the arithmetic it takes over from a 128 KB chunk (GELU of 512k float32 on 2
 * threads: 2.8 ms in 128 KB chunks, 1.0 ms in one 4 MB chunk, 1.45 ms on one thread).
 */
const PARALLEL_CHUNK_BYTES = 4 * 1024 * 1024;

/** Elements of size E per staged chunk of an elementwise kernel run on `threads` threads. */
function stagedChunk(E: number, threads: number): number {
  return (threads > 1 ? PARALLEL_CHUNK_BYTES : CHUNK_BYTES) / E;
}

/**
 * Runs an elementwise kernel over the m elements staged in one chunk, cut into one contiguous range
 * per thread (a multiple of 16 elements each): args(count, firstElement) gives a range's arguments.
 * Every element goes through the same operations whichever range it falls in: the same bits for
 * any thread count. One thread runs it here, as one range.
 */
function splitRanges(
  rt: WasmRuntime,
  name: ParallelKernel,
  threads: number,
  m: number,
  args: (count: number, first: number) => number[],
): void {
  const per = Math.ceil(m / threads / 16) * 16;
  const jobs: number[][] = [];
  for (let j0 = 0; j0 < m; j0 += per) jobs.push(args(Math.min(per, m - j0), j0));
  wasmParallel(rt, name, jobs);
}

/** out[i] = op(x[xo + i]) for i < n; float32 (exp and relu also float64). */
export function wasmUnary(op: WasmUnary, X: TypedArray, xo: number, n: number, out: TypedArray): boolean {
  if (n < MIN_ELEMENTS) return false;
  const E = floatKind(X);
  if (E === 0 || floatKind(out) !== E || (E === 8 && op !== 'exp' && op !== 'relu')) return false;
  const rt = wasmRuntime();
  if (!rt) return false;
  const ex = rt.exports;
  const parallel = E === 4 && n >= PARALLEL_ELEMENTWISE ? PARALLEL_UNARY[op] : undefined;
  const threads = parallel ? wasmThreads(rt) : 1;
  const step = stagedChunk(E, threads);
  for (let c0 = 0; c0 < n; c0 += step) {
    const m = Math.min(step, n - c0);
    const { mem, at } = stageIn(rt, E, [copyOf(X, xo + c0, m), { n: m }]);
    const [xAt, oAt] = at as [number, number];
    if (parallel && threads > 1)
      splitRanges(rt, parallel, threads, m, (k, j) => [k, xAt + j * E, oAt + j * E]);
    else if (op === 'exp') (E === 4 ? ex.exp_f32 : ex.exp_f64)(m, xAt, oAt);
    else if (op === 'relu') (E === 4 ? ex.relu_f32 : ex.relu_f64)(m, xAt, oAt);
    else if (op === 'tanh') ex.tanh_f32(m, xAt, oAt);
    else if (op === 'erf') ex.erf_f32(m, xAt, oAt);
    else if (op === 'gelu') ex.gelu_f32(m, xAt, oAt);
    else ex.gelu_tanh_f32(m, xAt, oAt);
    copyOut(mem, oAt, m, out, c0);
  }
  return true;
}

/**
 * Runs a row kernel over the r rows staged in one chunk, cut into one run of whole rows per thread:
 * args(count, firstRow) gives a run's arguments. Each row is computed alone, so the same bits for
 * any thread count. One thread runs it here, as one run.
 */
function splitRows(
  rt: WasmRuntime,
  name: ParallelKernel,
  threads: number,
  r: number,
  args: (count: number, first: number) => number[],
): void {
  const per = Math.ceil(r / threads);
  const jobs: number[][] = [];
  for (let j0 = 0; j0 < r; j0 += per) jobs.push(args(Math.min(per, r - j0), j0));
  wasmParallel(rt, name, jobs);
}

/** Whole rows of `cols` elements of size E per staged chunk holding `arrays` such blocks (at least one row). */
function rowsPerChunk(E: number, threads: number, cols: number, arrays = 1): number {
  return Math.max(1, Math.floor(stagedChunk(E, threads) / (arrays * cols)));
}

/** Row-wise softmax / log-softmax of the contiguous rows×cols block of X at xo, into out. */
export function wasmSoftmax(
  X: TypedArray,
  xo: number,
  rows: number,
  cols: number,
  log: boolean,
  out: TypedArray,
): boolean {
  const n = rows * cols;
  if (n < MIN_ELEMENTS) return false;
  const E = floatKind(X);
  if (E === 0 || floatKind(out) !== E) return false;
  const rt = wasmRuntime();
  if (!rt) return false;
  // Large blocks split their rows over the worker threads.
  const threads = n >= PARALLEL_ELEMENTWISE ? wasmThreads(rt) : 1;
  const step = rowsPerChunk(E, threads, cols);
  for (let r0 = 0; r0 < rows; r0 += step) {
    const r = Math.min(step, rows - r0);
    const m = r * cols;
    const { mem, at } = stageIn(rt, E, [copyOf(X, xo + r0 * cols, m), { n: m }]);
    const [xAt, oAt] = at as [number, number];
    splitRows(rt, E === 4 ? 'softmax_f32' : 'softmax_f64', threads, r, (k, j) => [
      k,
      cols,
      xAt + j * cols * E,
      oAt + j * cols * E,
      log ? 1 : 0,
    ]);
    copyOut(mem, oAt, m, out, r0 * cols);
  }
  return true;
}

/**
 * The fused Adam/AdamW update over n contiguous elements (see Backend.fusedUpdate): param, grad,
 * exp_avg, exp_avg_sq and, with amsgrad, max_exp_avg_sq, each an array and an offset.
 */
export function wasmAdam(
  arrays: readonly TypedArray[],
  offsets: readonly number[],
  n: number,
  s: readonly number[],
): boolean {
  if (n < MIN_ELEMENTS) return false;
  const E = floatKind(arrays[0]!);
  if (E === 0 || arrays.some((a) => floatKind(a) !== E)) return false;
  const rt = wasmRuntime();
  if (!rt) return false;
  const amsgrad = s[8]! !== 0;
  const count = amsgrad ? 5 : 4;
  const maximize = s[7]! !== 0;
  const flags = (maximize ? 1 : 0) | (amsgrad ? 2 : 0);
  const name = E === 4 ? 'adam_f32_at' : 'adam_f64_at';
  // Arrays already in the kernels' memory (an optimizer's parameters and moments, see the cpu
  // backend's makeResident) are updated where they are; the others are copied in and out by chunks.
  const home = arrays.slice(0, count).map((a, k) => {
    const base = residentAddress(rt, a as Float32Array);
    return base < 0 ? -1 : base + offsets[k]! * E;
  });
  // A large update splits each chunk over the worker threads (elementwise: the same bits).
  const threads = n >= PARALLEL_ADAM ? wasmThreads(rt) : 1;
  // The threads' chunks are large: one wake-up of the workers per 4 MiB of gradient (in 128 KiB
  // chunks, 3.97M float32 parameters took 10–15 ms on 2 threads against 7–11 ms on one).
  const step = stagedChunk(E, threads);
  for (let c0 = 0; c0 < n; c0 += step) {
    const m = Math.min(step, n - c0);
    const { mem, at: staged } = stageIn(rt, E, [
      // β1, β2, ε, L2, decay, step size, √(bias correction 2): float64, as the kernel reads them
      {
        n: 56 / E,
        write: (mm, i) => new Float64Array(mm.buffer, mm.byteOffset + i * E, 7).set(s.slice(0, 7)),
      },
      ...arrays
        .slice(0, count)
        .map((src, k) => (home[k]! >= 0 ? { n: 0 } : copyOf(src, offsets[k]! + c0, m))),
    ]);
    const sc = staged[0]!;
    const at = staged.slice(1).map((a, k) => (home[k]! >= 0 ? home[k]! + c0 * E : a));
    splitRanges(rt, name, threads, m, (k, j) => {
      const o = j * E;
      return [k, at[0]! + o, at[1]! + o, at[2]! + o, at[3]! + o, amsgrad ? at[4]! + o : 0, sc, flags];
    });
    // param, exp_avg, exp_avg_sq (and max_exp_avg_sq) were updated; grad was only read.
    for (const k of amsgrad ? [0, 2, 3, 4] : [0, 2, 3])
      if (home[k]! < 0) copyOut(mem, at[k]!, m, arrays[k]!, offsets[k]! + c0);
  }
  return true;
}

export type WasmBinary = 'add' | 'sub' | 'mul' | 'div' | 'reluBackward' | 'geluBackward';

/** How an operand of a rows×cols binary op is laid out: 0 full, 1 one value, 2 one row; -1 none of these. */
function operandShape(strides: readonly number[], rows: number, cols: number): number {
  if (strides.length === 1) return strides[0] === 1 ? 0 : strides[0] === 0 ? 1 : -1;
  const [rs, cs] = strides as [number, number];
  if (cs === 1 && rs === cols) return 0;
  if (cs === 1 && rs === 0) return 2;
  if (cs === 0 && rs === 0) return 1;
  return rows === 1 && cs === 1 ? 0 : -1;
}

/**
 * out = a op b on a collapsed 1-d or 2-d shape where each operand is contiguous, a single value or
 * one row repeated (a bias): the shapes elementwise arithmetic of a training step takes. Both
 * operands and out of one float dtype. One IEEE operation per element: the same results as the
 * TypeScript loop.
 */
export function wasmBinary(
  op: WasmBinary,
  A: TypedArray,
  ao: number,
  aStrides: readonly number[],
  B: TypedArray,
  bo: number,
  bStrides: readonly number[],
  shape: readonly number[],
  out: TypedArray,
): boolean {
  if (shape.length > 2) return false;
  const rows = shape.length === 2 ? shape[0]! : 1;
  const cols = shape[shape.length - 1]!;
  const n = rows * cols;
  if (n < MIN_ELEMENTS) return false;
  const E = floatKind(out);
  if (E === 0 || floatKind(A) !== E || floatKind(B) !== E) return false;
  if (op === 'geluBackward' && E !== 4) return false; // float32 only (erf and exp as in gelu_f32)
  const as = operandShape(aStrides, rows, cols);
  const bs = operandShape(bStrides, rows, cols);
  if (as < 0 || bs < 0 || (as !== 0 && bs !== 0)) return false;
  if (op === 'geluBackward' && (as !== 0 || bs !== 0)) return false; // its kernel takes full operands
  const rt = wasmRuntime();
  if (!rt) return false;
  const kernel = rt.exports[`${op}_${E === 4 ? 'f32' : 'f64'}` as `${WasmBinary}_f32`];
  // GELU's gradient (erf, exp and a dozen more operations per element) splits over the threads.
  const threads = op === 'geluBackward' && n >= PARALLEL_ELEMENTWISE ? wasmThreads(rt) : 1;
  // Chunks: ranges of columns of a single row (a 1-d shape), else of whole rows. A full operand
  // moves with the chunk; a scalar or a repeated row stays where it is.
  const single = rows === 1;
  const chunk = stagedChunk(E, threads);
  const per = single ? chunk : Math.max(1, Math.floor(chunk / cols));
  const extent = single ? cols : rows;
  for (let s0 = 0; s0 < extent; s0 += per) {
    const len = Math.min(per, extent - s0);
    const r = single ? 1 : len;
    const c = single ? len : cols;
    const m = r * c;
    const first = single ? s0 : s0 * cols; // element offset of the chunk in a full operand
    const count = (s: number) => (s === 0 ? m : s === 1 ? 1 : c);
    const from = (s: number, o: number) => (s === 0 || (single && s === 2) ? o + first : o);
    const { mem, at } = stageIn(rt, E, [
      copyOf(A, from(as, ao), count(as)),
      copyOf(B, from(bs, bo), count(bs)),
      { n: m },
    ]);
    const [aAt, bAt, oAt] = at as [number, number, number];
    // Both operands are full here (geluBackward's kernel takes only those): contiguous elements.
    if (threads > 1)
      splitRanges(rt, 'geluBackward_f32', threads, m, (k, j) => [
        1,
        k,
        aAt + j * E,
        0,
        bAt + j * E,
        0,
        oAt + j * E,
      ]);
    else kernel(r, c, aAt, as, bAt, bs, oAt);
    copyOut(mem, oAt, m, out, first);
  }
  return true;
}

/**
 * out[i] = C[co + i] ? A[ao + i·as] : B[bo + i·bs] for i < n: C one byte per element (bool), A and
 * B full (stride 1) or one value (stride 0), out of A's float type. False when the kernels do not
 * run here, n is small or the operands do not fit that pattern.
 */
export function wasmWhere(
  C: TypedArray,
  co: number,
  A: TypedArray,
  ao: number,
  as: number,
  B: TypedArray,
  bo: number,
  bs: number,
  n: number,
  out: TypedArray,
): boolean {
  if (n < MIN_ELEMENTS || !(C instanceof Uint8Array)) return false;
  const E = floatKind(out);
  if (E === 0 || floatKind(A) !== E || floatKind(B) !== E) return false;
  if ((as !== 0 && as !== 1) || (bs !== 0 && bs !== 1)) return false;
  const rt = wasmRuntime();
  if (!rt) return false;
  const kernel = E === 4 ? rt.exports.where_f32 : rt.exports.where_f64;
  const step = chunkElements(E);
  for (let c0 = 0; c0 < n; c0 += step) {
    const m = Math.min(step, n - c0);
    const { mem, at } = stageIn(rt, E, [
      // the condition's bytes, in a region of whole elements
      {
        n: Math.ceil(m / E),
        write: (mem, at) =>
          new Uint8Array(mem.buffer, mem.byteOffset + at * E, m).set(C.subarray(co + c0, co + c0 + m)),
      },
      copyOf(A, as === 1 ? ao + c0 : ao, as === 1 ? m : 1),
      copyOf(B, bs === 1 ? bo + c0 : bo, bs === 1 ? m : 1),
      { n: m },
    ]);
    const [cAt, aAt, bAt, oAt] = at as [number, number, number, number];
    kernel(m, cAt, aAt, as, bAt, bs, oAt);
    copyOut(mem, oAt, m, out, c0);
  }
  return true;
}

/**
 * Layer normalization of the contiguous float32 rows at X[xo…] (rows × cols) into Y, with each
 * row's mean and rstd (see asm/rows.ts); W and B (cols each) may be null. Rows go through the
 * kernel a chunk at a time. False when the kernels do not run here or the operands are not float32.
 */
export function wasmLayerNorm(
  X: TypedArray,
  xo: number,
  rows: number,
  cols: number,
  W: TypedArray | null,
  wo: number,
  B: TypedArray | null,
  bo: number,
  eps: number,
  Y: TypedArray,
  mean: TypedArray,
  rstd: TypedArray,
): boolean {
  if (rows * cols < MIN_ELEMENTS || cols === 0) return false;
  if (floatKind(X) !== 4 || (W && floatKind(W) !== 4) || (B && floatKind(B) !== 4)) return false;
  const rt = wasmRuntime();
  if (!rt) return false;
  const per = Math.max(1, Math.floor(chunkElements(4) / cols));
  for (let r0 = 0; r0 < rows; r0 += per) {
    const r = Math.min(per, rows - r0);
    const m = r * cols;
    const { mem, at } = stageIn(rt, 4, [
      copyOf(X, xo + r0 * cols, m),
      W ? copyOf(W, wo, cols) : { n: 0 },
      B ? copyOf(B, bo, cols) : { n: 0 },
      { n: m },
      { n: r },
      { n: r },
    ]);
    const [xAt, wAt, bAt, yAt, mAt, sAt] = at as [number, number, number, number, number, number];
    rt.exports.layernorm_f32(r, cols, xAt, W ? wAt : 0, B ? bAt : 0, eps, yAt, mAt, sAt);
    copyOut(mem, yAt, m, Y, r0 * cols);
    copyOut(mem, mAt, r, mean, r0);
    copyOut(mem, sAt, r, rstd, r0);
  }
  return true;
}

/**
 * The backward of wasmLayerNorm: dX (or null), and dW, dB (float64, cols each, added into; or
 * null) from G, X (rows × cols, contiguous float32 from go and xo), mean, rstd and W (or null).
 */
export function wasmLayerNormBackward(
  G: TypedArray,
  go: number,
  X: TypedArray,
  xo: number,
  mean: TypedArray,
  mo: number,
  rstd: TypedArray,
  so: number,
  W: TypedArray | null,
  wo: number,
  rows: number,
  cols: number,
  dX: TypedArray | null,
  dW: Float64Array | null,
  dB: Float64Array | null,
): boolean {
  if (rows * cols < MIN_ELEMENTS || cols === 0) return false;
  if (floatKind(G) !== 4 || floatKind(X) !== 4 || floatKind(mean) !== 4 || floatKind(rstd) !== 4)
    return false;
  if (W && floatKind(W) !== 4) return false;
  const rt = wasmRuntime();
  if (!rt) return false;
  const per = Math.max(1, Math.floor(chunkElements(4) / (2 * cols)));
  // dW and dB stay in the kernel memory across chunks (float64, as 2·cols float32 slots each).
  for (let r0 = 0; r0 < rows; r0 += per) {
    const r = Math.min(per, rows - r0);
    const m = r * cols;
    const { mem, at } = stageIn(rt, 4, [
      dW
        ? { n: 2 * cols, write: (f, a) => new Float64Array(f.buffer, f.byteOffset + a * 4, cols).set(dW) }
        : { n: 0 },
      dB
        ? { n: 2 * cols, write: (f, a) => new Float64Array(f.buffer, f.byteOffset + a * 4, cols).set(dB) }
        : { n: 0 },
      copyOf(G, go + r0 * cols, m),
      copyOf(X, xo + r0 * cols, m),
      copyOf(mean, mo + r0, r),
      copyOf(rstd, so + r0, r),
      W ? copyOf(W, wo, cols) : { n: 0 },
      { n: dX ? m : 0 },
    ]);
    const [dwAt, dbAt, gAt, xAt, mAt, sAt, wAt, dxAt] = at as number[] as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    rt.exports.layernorm_backward_f32(
      r,
      cols,
      gAt,
      xAt,
      mAt,
      sAt,
      W ? wAt : 0,
      dX ? dxAt : 0,
      dW ? dwAt : 0,
      dB ? dbAt : 0,
    );
    if (dX) copyOut(mem, dxAt, m, dX, r0 * cols);
    if (dW) dW.set(new Float64Array(mem.buffer, mem.byteOffset + dwAt, cols));
    if (dB) dB.set(new Float64Array(mem.buffer, mem.byteOffset + dbAt, cols));
  }
  return true;
}

/** A region holding n int32 values of `src` from `offset`, in a float32 staging layout (same size). */
function int32Of(src: Int32Array, offset: number, n: number) {
  return {
    n,
    write: (mem: Float32Array | Float64Array, at: number) =>
      new Int32Array(mem.buffer, mem.byteOffset + at * 4, n).set(src.subarray(offset, offset + n)),
  };
}

/**
 * Cross-entropy of float32 rows X (rows × cols, contiguous from xo) against int32 class indices T:
 * per-row losses (0 where T == ignore) into `loss`, and each row's max and log-sum-exp into
 * `stats` (2 per row). False when the kernels do not run here or the operands are not float32.
 */
export function wasmCrossEntropy(
  X: TypedArray,
  xo: number,
  rows: number,
  cols: number,
  T: TypedArray,
  to: number,
  ignore: number,
  loss: TypedArray,
  stats: TypedArray,
): boolean {
  if (rows * cols < MIN_ELEMENTS || cols === 0) return false;
  if (floatKind(X) !== 4 || !(T instanceof Int32Array) || floatKind(loss) !== 4) return false;
  const rt = wasmRuntime();
  if (!rt) return false;
  const threads = rows * cols >= PARALLEL_ELEMENTWISE ? wasmThreads(rt) : 1;
  const per = rowsPerChunk(4, threads, cols);
  for (let r0 = 0; r0 < rows; r0 += per) {
    const r = Math.min(per, rows - r0);
    const { mem, at } = stageIn(rt, 4, [
      copyOf(X, xo + r0 * cols, r * cols),
      int32Of(T, to + r0, r),
      { n: r },
      { n: 2 * r },
    ]);
    const [xAt, tAt, lAt, sAt] = at as [number, number, number, number];
    splitRows(rt, 'xent_f32', threads, r, (k, j) => [
      k,
      cols,
      xAt + j * cols * 4,
      tAt + j * 4,
      ignore,
      lAt + j * 4,
      sAt + j * 8,
    ]);
    copyOut(mem, lAt, r, loss, r0);
    copyOut(mem, sAt, 2 * r, stats, 2 * r0);
  }
  return true;
}

/** The backward of wasmCrossEntropy: dX (rows × cols) from the per-row output gradient G. */
export function wasmCrossEntropyBackward(
  X: TypedArray,
  xo: number,
  rows: number,
  cols: number,
  T: TypedArray,
  to: number,
  ignore: number,
  stats: TypedArray,
  so: number,
  G: TypedArray,
  go: number,
  dX: TypedArray,
): boolean {
  if (rows * cols < MIN_ELEMENTS || cols === 0) return false;
  if (floatKind(X) !== 4 || !(T instanceof Int32Array) || floatKind(G) !== 4 || floatKind(stats) !== 4)
    return false;
  const rt = wasmRuntime();
  if (!rt) return false;
  const threads = rows * cols >= PARALLEL_ELEMENTWISE ? wasmThreads(rt) : 1;
  const per = rowsPerChunk(4, threads, cols, 2);
  for (let r0 = 0; r0 < rows; r0 += per) {
    const r = Math.min(per, rows - r0);
    const { mem, at } = stageIn(rt, 4, [
      copyOf(X, xo + r0 * cols, r * cols),
      int32Of(T, to + r0, r),
      copyOf(stats, so + 2 * r0, 2 * r),
      copyOf(G, go + r0, r),
      { n: r * cols },
    ]);
    const [xAt, tAt, sAt, gAt, dAt] = at as [number, number, number, number, number];
    splitRows(rt, 'xent_backward_f32', threads, r, (k, j) => [
      k,
      cols,
      xAt + j * cols * 4,
      tAt + j * 4,
      ignore,
      sAt + j * 8,
      gAt + j * 4,
      dAt + j * cols * 4,
    ]);
    copyOut(mem, dAt, r * cols, dX, r0 * cols);
  }
  return true;
}

export type WasmCompare = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
const COMPARE_CODE: Record<WasmCompare, number> = { eq: 0, ne: 1, lt: 2, le: 3, gt: 4, ge: 5 };

/**
 * out (bool bytes) = A op B over n float32 values, each operand contiguous or one value (a
 * dropout mask `rand(…).ge(p)`, a threshold): the comparison the TypeScript loop makes, in float32
 * (both operands are float32 values). False when the kernels do not run here, n is small or the
 * operands do not fit that pattern.
 */
export function wasmCompare(
  op: WasmCompare,
  A: TypedArray,
  ao: number,
  aStrides: readonly number[],
  B: TypedArray,
  bo: number,
  bStrides: readonly number[],
  shape: readonly number[],
  out: TypedArray,
): boolean {
  if (shape.length !== 1 || !(out instanceof Uint8Array)) return false;
  const n = shape[0]!;
  if (n < MIN_ELEMENTS || !(A instanceof Float32Array) || !(B instanceof Float32Array)) return false;
  const as = operandShape(aStrides, 1, n); // 0 contiguous, 1 one value, -1 neither
  const bs = operandShape(bStrides, 1, n);
  if (as < 0 || bs < 0 || (as === 1 && bs === 1)) return false;
  const rt = wasmRuntime();
  if (!rt) return false;
  const step = chunkElements(4);
  for (let c0 = 0; c0 < n; c0 += step) {
    const m = Math.min(step, n - c0);
    const { at } = stageIn(rt, 4, [
      copyOf(A, as === 0 ? ao + c0 : ao, as === 0 ? m : 1),
      copyOf(B, bs === 0 ? bo + c0 : bo, bs === 0 ? m : 1),
      { n: Math.ceil(m / 4) }, // m bytes
    ]);
    rt.exports.compare_f32(COMPARE_CODE[op], m, at[0]!, as, at[1]!, bs, at[2]!);
    out.set(new Uint8Array(rt.memory.buffer, at[2]!, m), c0);
  }
  return true;
}

/**
 * Column sums of the contiguous rows×cols matrix of X at xo into out (a bias's gradient: the sum
 * over the batch rows), accumulated in float64 row by row as the TypeScript loop does: the same
 * bits. False when the kernels do not run here or the matrix is small.
 */
export function wasmColumnSum(
  X: TypedArray,
  xo: number,
  rows: number,
  cols: number,
  out: TypedArray,
): boolean {
  if (rows * cols < MIN_ELEMENTS || rows < 2) return false;
  const E = floatKind(X);
  if (E === 0 || floatKind(out) !== E) return false;
  const rt = wasmRuntime();
  if (!rt) return false;
  const kernel = E === 4 ? rt.exports.colsum_f32 : rt.exports.colsum_f64;
  const per = Math.max(1, Math.floor(chunkElements(E) / cols));
  // The float64 sums stay in the first region: every chunk's layout is the same, so its address is.
  const accElements = (cols * 8) / E;
  let accAt = 0;
  for (let r0 = 0; r0 < rows; r0 += per) {
    const r = Math.min(per, rows - r0);
    const { at } = stageIn(rt, E, [{ n: accElements }, copyOf(X, xo + r0 * cols, r * cols)]);
    accAt = at[0]!;
    kernel(r, cols, at[1]!, accAt, r0 === 0 ? 1 : 0);
  }
  (out as Float32Array | Float64Array).set(new Float64Array(rt.memory.buffer, accAt, cols));
  return true;
}

/**
 * Philox4x32-10 words for counters counter … counter + size − 1 under key (k0, k1), `words` (1 or
 * 2) per counter, handed to `use` a chunk at a time as random.ts's philoxChunks does (the array is only
 * valid during the call; PHILOX_CHUNK counters keep the staged words at most 512 KiB). False when the WebAssembly kernels do not run here or size is small.
 */
export function wasmPhilox(
  size: number,
  counter: number,
  k0: number,
  k1: number,
  words: 1 | 2,
  use: (w: Uint32Array, start: number, n: number) => void,
): boolean {
  if (size < MIN_ELEMENTS) return false;
  const rt = wasmRuntime();
  if (!rt) return false;
  for (let start = 0; start < size; start += PHILOX_CHUNK) {
    const n = Math.min(PHILOX_CHUNK, size - start);
    const c = counter + start;
    const { at } = stageIn(rt, 4, [{ n: n * words }]);
    rt.exports.philox_words(n, c % 4294967296, Math.floor(c / 4294967296), k0, k1, words, at[0]!);
    use(new Uint32Array(rt.memory.buffer, at[0]!, n * words), start, n);
  }
  return true;
}

/**
 * Uniform float32 draws in [a, b) from counters counter … counter + size − 1 into `out` (the same
 * bits as random.ts's u01f32 of each counter's first word, scaled in float64): the words and the
 * conversion both in WebAssembly. False when the kernels do not run here or size is small.
 */
export function wasmUniformF32(
  size: number,
  counter: number,
  k0: number,
  k1: number,
  a: number,
  b: number,
  out: Float32Array,
): boolean {
  if (size < MIN_ELEMENTS) return false;
  const rt = wasmRuntime();
  if (!rt) return false;
  // Each value depends on its counter alone, so large draws split into ranges of counters over the
  // worker threads (the same bits for any thread count), in chunks of 4 MiB (one wake-up each).
  const threads = size >= PARALLEL_RANDOM ? wasmThreads(rt) : 1;
  const step = threads > 1 ? PARALLEL_CHUNK_BYTES / 4 : PHILOX_CHUNK;
  for (let start = 0; start < size; start += step) {
    const n = Math.min(step, size - start);
    const { mem, at } = stageIn(rt, 4, [
      { n: 4, write: (m, i) => new Float64Array(m.buffer, m.byteOffset + i * 4, 2).set([a, b]) },
      { n },
    ]);
    const [abAt, outAt] = at as [number, number];
    splitRanges(rt, 'philox_uniform_f32_at', threads, n, (k, j) => {
      const c = counter + start + j;
      return [k, c % 4294967296, Math.floor(c / 4294967296), k0, k1, abAt, outAt + j * 4];
    });
    copyOut(mem, outAt, n, out, start);
  }
  return true;
}

/** Adam updates of at least this many elements use the worker threads too. */
const PARALLEL_ADAM = 262144;

/** Draws at least this large use the worker threads too. */
const PARALLEL_RANDOM = 131072;
