import type {
  Backend,
  FusedUpdate,
  Lease,
  RandomKind,
  RandomParams,
  ReduceOp,
  Storage,
  View,
} from '../../backend.js';
import { type DType, itemSize, type TypedArray, typedArrayFor } from '../../dtype.js';
import { ArgumentError, fail } from '../../errors.js';
import { yieldForFinalizers } from '../../memory.js';
import type { BinaryOp, UnaryOp } from '../../ops/opTable.js';
import { mulhi32, philoxChunks, u01f32, u01f64, u01Open } from '../../random.js';
import { collapseDims, contiguousStrides, numel } from '../../shape.js';
import { BINARY_KERNELS, UNARY_KERNELS } from './elementwise.generated.js';
import { allocArray, recycleArray } from './pool.js';
import { gemm } from './threads.js';
import {
  type WasmBinary,
  type WasmCompare,
  type WasmUnary,
  wasmAdam,
  wasmBinary,
  wasmColumnSum,
  wasmCompare,
  wasmCrossEntropy,
  wasmCrossEntropyBackward,
  wasmLayerNorm,
  wasmLayerNormBackward,
  wasmPhilox,
  wasmSoftmax,
  wasmUnary,
  wasmUniformF32,
  wasmWhere,
} from './wasm/kernels.js';
import { kernelArray, releaseKernelArray } from './wasm/resident.js';
import { wasmRuntime } from './wasm/runtime.js';

/** Unary ops with a WebAssembly SIMD kernel for contiguous float operands (wasm/kernels.ts). */
const WASM_UNARY = new Set<UnaryOp>(['exp', 'tanh', 'geluTanh', 'erf', 'gelu', 'relu']);
const COMPARE_OPS: Readonly<Record<string, true>> = {
  eq: true,
  ne: true,
  lt: true,
  le: true,
  gt: true,
  ge: true,
};
const WASM_BINARY = new Set<BinaryOp>(['add', 'sub', 'mul', 'div', 'reluBackward', 'geluBackward']);

export class CpuStorage implements Storage {
  readonly device = 'cpu' as const;
  released = false;
  version = 0;
  /** Moved into the kernels' memory (see makeResident); given back when collected or disposed. */
  resident = false;
  /** Taken over from a caller (adopt): may share memory with something outside, so never moved. */
  external = false;
  /** The engine frees a collected tensor's array itself; only dispose() recycles it into the pool. */
  readonly lease: Lease;
  constructor(
    public data: TypedArray,
    readonly dtype: DType,
  ) {
    this.lease = { device: 'cpu', byteSize: data.length * itemSize(dtype), refs: 0, onCollected: noop };
  }
  get size(): number {
    return this.data.length;
  }
  get byteSize(): number {
    return this.data.length * itemSize(this.dtype);
  }
}

function noop(): void {}

/**
 * Long-lived arrays that kernels read and write over and over — an optimizer's parameters and its
 * moment estimates — are moved once into the WebAssembly kernels' memory (where it is shared, see
 * wasm/resident.ts), so every later update and every product with them works in place instead of
 * copying them in and out. At most this many bytes are moved; beyond that arrays stay where they are.
 */
const RESIDENT_BUDGET = 1024 * 1024 * 1024;
const RESIDENT_MIN_BYTES = 64 * 1024;
let residentMoved = 0;

function makeResident(v: View): void {
  const st = v.storage as CpuStorage;
  if (st.resident || st.external || st.released || st.lease.tracked === false) return;
  if (!wasmRuntime()?.shared) return; // plain (or no) kernel memory: nothing to gain
  const a = st.data;
  if (!(a instanceof Float32Array || a instanceof Float64Array)) return;
  const bytes = a.byteLength;
  if (bytes < RESIDENT_MIN_BYTES || residentMoved + bytes > RESIDENT_BUDGET) return;
  const k = kernelArray(a.length, a instanceof Float32Array ? Float32Array : Float64Array, { zeroed: false });
  k.set(a);
  st.data = k;
  st.resident = true;
  residentMoved += bytes;
  st.lease.onCollected = () => giveBackResident(st);
}

function giveBackResident(st: CpuStorage): void {
  if (!st.resident) return;
  st.resident = false;
  residentMoved -= st.data.byteLength;
  releaseKernelArray(st.data as Float32Array | Float64Array);
}

function arr(v: View): TypedArray {
  const s = v.storage as CpuStorage;
  if (s.released) fail('cpu', 'read of a released storage (a disposed tensor)');
  return s.data;
}

function isIntCompute(d: DType): boolean {
  return d === 'int32' || d === 'bool';
}

/** Calls fn(offsets…) for every element of `shape` in row-major order, one offset per stride set. */
function forEachOffset(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
  bases: readonly number[],
  fn: (o: number, offs: Float64Array) => void,
): void {
  const n = numel(shape);
  if (n === 0) return;
  const nd = shape.length;
  const k = strides.length;
  const offs = new Float64Array(k);
  for (let j = 0; j < k; j++) offs[j] = bases[j]!;
  const idx = new Int32Array(nd);
  for (let o = 0; o < n; o++) {
    fn(o, offs);
    for (let d = nd - 1; d >= 0; d--) {
      const c = idx[d]! + 1;
      if (c < shape[d]!) {
        idx[d] = c;
        for (let j = 0; j < k; j++) offs[j]! += strides[j]![d]!;
        break;
      }
      idx[d] = 0;
      for (let j = 0; j < k; j++) offs[j]! -= strides[j]![d]! * (shape[d]! - 1);
    }
  }
}

/**
 * dst[d] = src[s] over `shape`, both strided: the inner dim is a tight loop, outer dims an
 * odometer (no per-element callback). Used by cat, copy_ and contiguous copies into views.
 */
function copyStrided(
  S: TypedArray,
  so: number,
  ss: readonly number[],
  D: TypedArray,
  dOff: number,
  ds: readonly number[],
  shape: readonly number[],
): void {
  const nd = shape.length;
  if (nd === 0) {
    D[dOff] = S[so]!;
    return;
  }
  const inner = shape[nd - 1]!;
  const si = ss[nd - 1]!;
  const di = ds[nd - 1]!;
  let outer = 1;
  for (let d = 0; d < nd - 1; d++) outer *= shape[d]!;
  const idx = new Int32Array(Math.max(nd - 1, 1));
  let sb = so;
  let db = dOff;
  for (let r = 0; r < outer; r++) {
    if (si === 1 && di === 1) D.set(S.subarray(sb, sb + inner), db);
    else for (let j = 0, ps = sb, pd = db; j < inner; j++, ps += si, pd += di) D[pd] = S[ps]!;
    for (let d = nd - 2; d >= 0; d--) {
      const c = idx[d]! + 1;
      if (c < shape[d]!) {
        idx[d] = c;
        sb += ss[d]!;
        db += ds[d]!;
        break;
      }
      idx[d] = 0;
      sb -= ss[d]! * (shape[d]! - 1);
      db -= ds[d]! * (shape[d]! - 1);
    }
  }
}

/** out = C ? A : B over `shape` (contiguous out), inner dim as a tight loop. */
function whereLoop(
  C: TypedArray,
  co: number,
  cs: readonly number[],
  A: TypedArray,
  ao: number,
  as: readonly number[],
  B: TypedArray,
  bo: number,
  bs: readonly number[],
  shape: readonly number[],
  O: TypedArray,
): void {
  const nd = shape.length;
  if (nd === 0) {
    O[0] = C[co] ? A[ao]! : B[bo]!;
    return;
  }
  const inner = shape[nd - 1]!;
  const ci = cs[nd - 1]!;
  const ai = as[nd - 1]!;
  const bi = bs[nd - 1]!;
  let outer = 1;
  for (let d = 0; d < nd - 1; d++) outer *= shape[d]!;
  const idx = new Int32Array(Math.max(nd - 1, 1));
  let cb = co;
  let ab = ao;
  let bb = bo;
  let o = 0;
  for (let r = 0; r < outer; r++) {
    for (let j = 0, pc = cb, pa = ab, pb = bb; j < inner; j++, pc += ci, pa += ai, pb += bi) {
      O[o++] = C[pc] ? A[pa]! : B[pb]!;
    }
    for (let d = nd - 2; d >= 0; d--) {
      const c = idx[d]! + 1;
      if (c < shape[d]!) {
        idx[d] = c;
        cb += cs[d]!;
        ab += as[d]!;
        bb += bs[d]!;
        break;
      }
      idx[d] = 0;
      cb -= cs[d]! * (shape[d]! - 1);
      ab -= as[d]! * (shape[d]! - 1);
      bb -= bs[d]! * (shape[d]! - 1);
    }
  }
}

/**
 * A 2-d gather/scatter along dim 0 whose index is one value per row (stride 0 along the row, as
 * indexSelect and its gradient make it) over rows that are contiguous in `data`: row copies.
 */
function rowIndexed(dim: number, index: View, data: View): boolean {
  return (
    dim === 0 &&
    index.shape.length === 2 &&
    data.shape.length === 2 &&
    index.strides[1] === 0 &&
    data.strides[1] === 1 &&
    index.shape[1] === data.shape[1]
  );
}

export class CpuBackend implements Backend {
  readonly device = 'cpu' as const;

  private wrap(data: TypedArray, dtype: DType): CpuStorage {
    return new CpuStorage(data, dtype);
  }

  alloc(dtype: DType, size: number): CpuStorage {
    return this.wrap(allocArray(dtype, size), dtype);
  }

  fromArray(data: TypedArray, dtype: DType): Storage {
    const out = allocArray(dtype, data.length);
    out.set(data);
    return this.wrap(out, dtype);
  }

  /** Takes ownership of `data` without copying (internal use: readers, loaders). */
  adopt(data: TypedArray, dtype: DType): CpuStorage {
    const st = this.wrap(data, dtype);
    st.external = true;
    return st;
  }

  scalar(value: number, dtype: DType): Storage {
    const a = typedArrayFor(dtype, 1);
    a[0] = value;
    return this.wrap(a, dtype);
  }

  release(s: Storage): void {
    const c = s as CpuStorage;
    if (c.released) return;
    c.released = true;
    if (c.resident) giveBackResident(c);
    else if (!c.external) recycleArray(c.data); // an adopted array is still its owner's
  }

  async read(v: View): Promise<TypedArray> {
    const out = this.readSync(v);
    // An awaited read is where a loop that never yields otherwise lets finalizers run (memory.ts).
    const turn = yieldForFinalizers('cpu');
    if (turn) await turn;
    return out;
  }

  readSync(v: View, into?: TypedArray): TypedArray {
    const n = numel(v.shape);
    const src = arr(v);
    const out = into ?? typedArrayFor(v.dtype, n);
    const { shape, strides } = collapseDims(v.shape, [v.strides]);
    if (shape.length <= 1 && (shape.length === 0 || strides[0]![0] === 1)) {
      out.set(src.subarray(v.offset, v.offset + n));
      return out;
    }
    UNARY_KERNELS.identity![0](src, v.offset, strides[0]!, shape, out, 0, 0);
    return out;
  }

  unary(op: UnaryOp, x: View, computeDtype: DType, outDtype: DType, p0 = 0, p1 = 0): Storage {
    const n = numel(x.shape);
    const out = allocArray(outDtype, n);
    if (n > 0) {
      const { shape, strides } = collapseDims(x.shape, [x.strides]);
      if (
        shape.length === 1 &&
        strides[0]![0] === 1 &&
        WASM_UNARY.has(op) &&
        x.dtype === computeDtype &&
        outDtype === computeDtype &&
        wasmUnary(op as WasmUnary, arr(x), x.offset, n, out)
      ) {
        return this.wrap(out, outDtype);
      }
      const kernel = UNARY_KERNELS[op]![isIntCompute(computeDtype) ? 1 : 0];
      kernel(arr(x), x.offset, strides[0]!, shape, out, p0, p1);
    }
    return this.wrap(out, outDtype);
  }

  binary(op: BinaryOp, a: View, b: View, computeDtype: DType, outDtype: DType): Storage {
    // x ** 2 as x · x, as PyTorch computes it: one multiply instead of a call to pow per element.
    if (
      op === 'pow' &&
      !isIntCompute(computeDtype) &&
      b.strides.every((s) => s === 0) &&
      arr(b)[b.offset] === 2
    )
      return this.binary('mul', a, a, computeDtype, outDtype);
    const n = numel(a.shape);
    const out = allocArray(outDtype, n);
    if (n > 0) {
      const { shape, strides } = collapseDims(a.shape, [a.strides, b.strides]);
      if (
        WASM_BINARY.has(op) &&
        a.dtype === computeDtype &&
        b.dtype === computeDtype &&
        outDtype === computeDtype &&
        wasmBinary(op as WasmBinary, arr(a), a.offset, strides[0]!, arr(b), b.offset, strides[1]!, shape, out)
      ) {
        return this.wrap(out, outDtype);
      }
      if (
        op in COMPARE_OPS &&
        computeDtype === 'float32' &&
        wasmCompare(
          op as WasmCompare,
          arr(a),
          a.offset,
          strides[0]!,
          arr(b),
          b.offset,
          strides[1]!,
          shape,
          out,
        )
      ) {
        return this.wrap(out, outDtype);
      }
      const kernel = BINARY_KERNELS[op]![isIntCompute(computeDtype) ? 1 : 0];
      kernel(arr(a), a.offset, strides[0]!, arr(b), b.offset, strides[1]!, shape, out);
    }
    return this.wrap(out, outDtype);
  }

  where(cond: View, a: View, b: View, dtype: DType): Storage {
    const n = numel(cond.shape);
    const out = allocArray(dtype, n);
    if (n > 0) {
      const { shape, strides } = collapseDims(cond.shape, [cond.strides, a.strides, b.strides]);
      const [cs, as, bs] = strides as [number[], number[], number[]];
      if (
        shape.length === 1 &&
        cs[0] === 1 &&
        wasmWhere(arr(cond), cond.offset, arr(a), a.offset, as[0]!, arr(b), b.offset, bs[0]!, n, out)
      )
        return this.wrap(out, dtype);
      whereLoop(
        arr(cond),
        cond.offset,
        strides[0]!,
        arr(a),
        a.offset,
        strides[1]!,
        arr(b),
        b.offset,
        strides[2]!,
        shape,
        out,
      );
    }
    return this.wrap(out, dtype);
  }

  reduce(op: ReduceOp, x: View, outerRank: number, outDtype: DType): Storage {
    const outerShape = x.shape.slice(0, outerRank);
    const innerShape = x.shape.slice(outerRank);
    const nOut = numel(outerShape);
    const nIn = numel(innerShape);
    const out = allocArray(outDtype, nOut);
    const X = arr(x);
    if (nOut === 0) return this.wrap(out, outDtype);
    if (nIn === 0) {
      if (op === 'sum') out.fill(0);
      else if (op === 'prod') out.fill(1);
      else fail(op, 'cannot reduce over a zero-size dimension: the operation has no identity');
      return this.wrap(out, outDtype);
    }
    const o = collapseDims(outerShape, [x.strides.slice(0, outerRank)]);
    const i = collapseDims(innerShape, [x.strides.slice(outerRank)]);
    // A column-wise sum over a contiguous matrix walks memory row by row instead of down columns.
    if ((op === 'sum' || op === 'max' || op === 'min') && o.shape.length === 1 && i.shape.length === 1) {
      const os = o.strides[0]![0]!;
      const is = i.strides[0]![0]!;
      if (is > os) {
        const cols = o.shape[0]!;
        if (op === 'sum' && os === 1 && is === cols && wasmColumnSum(X, x.offset, i.shape[0]!, cols, out))
          return this.wrap(out, outDtype);
        reduceColumns(op, X, x.offset, cols, os, i.shape[0]!, is, out);
        return this.wrap(out, outDtype);
      }
    }
    const contiguousInner = i.shape.length === 1 && i.strides[0]![0] === 1;
    if (contiguousInner) {
      forEachOffset(o.shape, o.strides, [x.offset], (k, p) => {
        out[k] = reduceRun(op, X, p[0]!, nIn);
      });
      return this.wrap(out, outDtype);
    }
    // The inner offsets, once for every output (only where the reduced elements are strided).
    const innerOffsets = new Float64Array(nIn);
    forEachOffset(i.shape, i.strides, [0], (k, p) => {
      innerOffsets[k] = p[0]!;
    });
    forEachOffset(o.shape, o.strides, [x.offset], (k, p) => {
      out[k] = reduceGather(op, X, p[0]!, innerOffsets);
    });
    return this.wrap(out, outDtype);
  }

  matmul(a: View, b: View, outDtype: DType): Storage {
    const nd = a.shape.length;
    const M = a.shape[nd - 2]!;
    const K = a.shape[nd - 1]!;
    const N = b.shape[nd - 1]!;
    const batchShape = a.shape.slice(0, nd - 2);
    const batch = numel(batchShape);
    const out = allocArray(outDtype, batch * M * N);
    const A = arr(a);
    const B = arr(b);
    forEachOffset(
      batchShape,
      [a.strides.slice(0, nd - 2), b.strides.slice(0, nd - 2)],
      [a.offset, b.offset],
      (k, p) => {
        gemm(
          M,
          N,
          K,
          A,
          p[0]!,
          a.strides[nd - 2]!,
          a.strides[nd - 1]!,
          B,
          p[1]!,
          b.strides[nd - 2]!,
          b.strides[nd - 1]!,
          out,
          k * M * N,
        );
      },
    );
    return this.wrap(out, outDtype);
  }

  gather(x: View, dim: number, index: View): Storage {
    const n = numel(index.shape);
    const out = allocArray(x.dtype, n);
    const X = arr(x);
    const I = arr(index);
    const size = x.shape[dim]!;
    const ds = x.strides[dim]!;
    if (rowIndexed(dim, index, x)) {
      // Whole rows by one index each (indexSelect along dim 0, an embedding lookup): row copies.
      const [rows, cols] = index.shape as [number, number];
      for (let r = 0; r < rows; r++) {
        const j = I[index.offset + r * index.strides[0]!]!;
        if (j < 0 || j >= size)
          fail('gather', `index ${j} is out of bounds for dim ${dim} with size ${size}`, ArgumentError);
        const from = x.offset + j * ds;
        if (cols >= 32) out.set(X.subarray(from, from + cols) as Float32Array & Float64Array, r * cols);
        else for (let c = 0; c < cols; c++) out[r * cols + c] = X[from + c]!;
      }
      return this.wrap(out, x.dtype);
    }
    const xs = x.strides.map((s, d) => (d === dim ? 0 : s));
    forEachOffset(index.shape, [index.strides, xs], [index.offset, x.offset], (o, p) => {
      const j = I[p[0]!]!;
      if (j < 0 || j >= size)
        fail('gather', `index ${j} is out of bounds for dim ${dim} with size ${size}`, ArgumentError);
      out[o] = X[p[1]! + j * ds]!;
    });
    return this.wrap(out, x.dtype);
  }

  scatterAdd(outShape: readonly number[], dim: number, index: View, src: View): Storage {
    const out = allocArray(src.dtype, numel(outShape));
    out.fill(0);
    const I = arr(index);
    const S = arr(src);
    const os = contiguousStrides(outShape);
    const size = outShape[dim]!;
    const ds = os[dim]!;
    if (rowIndexed(dim, index, src)) {
      // Whole rows of src added into the rows the index names (the gradient of an embedding).
      const [rows, cols] = index.shape as [number, number];
      for (let r = 0; r < rows; r++) {
        const j = I[index.offset + r * index.strides[0]!]!;
        if (j < 0 || j >= size)
          fail('scatterAdd', `index ${j} is out of bounds for dim ${dim} with size ${size}`, ArgumentError);
        const to = j * ds;
        const from = src.offset + r * src.strides[0]!;
        for (let c = 0; c < cols; c++) out[to + c]! += S[from + c]!;
      }
      return this.wrap(out, src.dtype);
    }
    const masked = os.map((s, d) => (d === dim ? 0 : s));
    forEachOffset(
      index.shape,
      [index.strides, src.strides, masked],
      [index.offset, src.offset, 0],
      (_, p) => {
        const j = I[p[0]!]!;
        if (j < 0 || j >= size)
          fail('scatterAdd', `index ${j} is out of bounds for dim ${dim} with size ${size}`, ArgumentError);
        out[p[2]! + j * ds]! += S[p[1]!]!;
      },
    );
    return this.wrap(out, src.dtype);
  }

  cat(inputs: readonly View[], dim: number, outShape: readonly number[], dtype: DType): Storage {
    const out = allocArray(dtype, numel(outShape));
    const os = contiguousStrides(outShape);
    let start = 0;
    for (const v of inputs) {
      if (numel(v.shape) > 0) {
        const { shape, strides } = collapseDims(v.shape, [v.strides, os]);
        copyStrided(arr(v), v.offset, strides[0]!, out, start * os[dim]!, strides[1]!, shape);
      }
      start += v.shape[dim]!;
    }
    return this.wrap(out, dtype);
  }

  fill(size: number, dtype: DType, value: number): Storage {
    const out = allocArray(dtype, size);
    out.fill(dtype === 'bool' ? (value ? 1 : 0) : value);
    return this.wrap(out, dtype);
  }

  arange(size: number, start: number, step: number, dtype: DType): Storage {
    const out = allocArray(dtype, size);
    for (let i = 0; i < size; i++) out[i] = start + i * step;
    return this.wrap(out, dtype);
  }

  random(kind: RandomKind, size: number, dtype: DType, p: RandomParams): Storage {
    const out = allocArray(dtype, size);
    const { a, b } = p;
    // The generator's words come a chunk at a time, from the WebAssembly kernel where it runs
    // (~3× faster) or from the TypeScript one (the same words); one transform serves both.
    if (
      kind === 'uniform' &&
      dtype === 'float32' &&
      wasmUniformF32(size, p.counter, p.k0, p.k1, a, b, out as Float32Array)
    )
      return this.wrap(out, dtype);
    const words = kind === 'normal' || (kind === 'uniform' && dtype === 'float64') ? 2 : 1;
    const fill = (w: Uint32Array, start: number, n: number) => {
      if (kind === 'uniform' && dtype === 'float64') {
        for (let i = 0; i < n; i++) out[start + i] = a + u01f64(w[2 * i]!, w[2 * i + 1]!) * (b - a);
      } else if (kind === 'uniform') {
        for (let i = 0; i < n; i++) out[start + i] = a + u01f32(w[i]!) * (b - a);
      } else if (kind === 'normal') {
        for (let i = 0; i < n; i++) {
          const z =
            Math.sqrt(-2 * Math.log(u01Open(w[2 * i]!))) * Math.cos(2 * Math.PI * u01f32(w[2 * i + 1]!));
          out[start + i] = a + b * z;
        }
      } else {
        for (let i = 0; i < n; i++) out[start + i] = a + mulhi32(w[i]!, b - a);
      }
    };
    if (!wasmPhilox(size, p.counter, p.k0, p.k1, words, fill))
      philoxChunks(size, p.counter, p.k0, p.k1, words, fill);
    return this.wrap(out, dtype);
  }

  softmax(x: View, rows: number, cols: number, log: boolean): Storage {
    const out = allocArray(x.dtype, rows * cols);
    const X = arr(x);
    if (wasmSoftmax(X, x.offset, rows, cols, log, out)) return this.wrap(out, x.dtype);
    for (let r = 0; r < rows; r++) {
      const base = x.offset + r * cols;
      const ob = r * cols;
      let m = -Infinity;
      for (let j = 0; j < cols; j++) {
        const v = X[base + j]!;
        if (v > m || v !== v) m = v;
      }
      if (m === -Infinity) m = 0;
      let s = 0;
      for (let j = 0; j < cols; j++) s += Math.exp(X[base + j]! - m);
      if (log) {
        const ls = Math.log(s) + m;
        for (let j = 0; j < cols; j++) out[ob + j] = X[base + j]! - ls;
      } else {
        const inv = 1 / s;
        for (let j = 0; j < cols; j++) out[ob + j] = Math.exp(X[base + j]! - m) * inv;
      }
    }
    return this.wrap(out, x.dtype);
  }

  bceWithLogits(x: View, target: View, n: number): Storage {
    const out = allocArray(x.dtype, n);
    const X = arr(x);
    const T = arr(target);
    const xo = x.offset;
    const to = target.offset;
    for (let i = 0; i < n; i++) {
      const v = X[xo + i]!;
      // (1 − y)·x + softplus(−x), softplus(−x) = max(−x, 0) + log1p(e^−|x|) (PyTorch's order)
      out[i] = (1 - T[to + i]!) * v + Math.max(-v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
    }
    return this.wrap(out, x.dtype);
  }

  bceWithLogitsBackward(
    g: View,
    x: View,
    target: View,
    n: number,
    wantTarget: boolean,
  ): { dx: Storage; dtarget: Storage | null } {
    const dx = allocArray(x.dtype, n);
    const dt = wantTarget ? allocArray(x.dtype, n) : null;
    const G = arr(g);
    const X = arr(x);
    const T = arr(target);
    const [go, xo, to] = [g.offset, x.offset, target.offset];
    for (let i = 0; i < n; i++) {
      const v = X[xo + i]!;
      const gi = G[go + i]!;
      dx[i] = gi * (1 / (1 + Math.exp(-v)) - T[to + i]!);
      if (dt) dt[i] = -gi * v;
    }
    return { dx: this.wrap(dx, x.dtype), dtarget: dt ? this.wrap(dt, x.dtype) : null };
  }

  crossEntropy(
    x: View,
    target: View,
    rows: number,
    cols: number,
    ignoreIndex: number,
  ): { loss: Storage; stats: Storage } {
    const dt = x.dtype;
    const loss = allocArray(dt, rows);
    const stats = allocArray(dt, 2 * rows);
    const X = arr(x);
    const T = arr(target);
    const done = wasmCrossEntropy(X, x.offset, rows, cols, T, target.offset, ignoreIndex, loss, stats);
    if (!done) {
      // the reference: log-softmax of each row as softmax() computes it, then the target's entry
      for (let r = 0; r < rows; r++) {
        const base = x.offset + r * cols;
        let m = -Infinity;
        for (let j = 0; j < cols; j++) {
          const v = X[base + j]!;
          if (v > m || v !== v) m = v;
        }
        if (m === -Infinity) m = 0;
        let s = 0;
        for (let j = 0; j < cols; j++) s += Math.exp(X[base + j]! - m);
        const ls = Math.log(s);
        stats[2 * r] = m;
        stats[2 * r + 1] = ls;
        const t = T[target.offset + r]!;
        loss[r] = t === ignoreIndex ? 0 : -(X[base + t]! - m - ls);
      }
    }
    return { loss: this.wrap(loss, dt), stats: this.wrap(stats, dt) };
  }

  crossEntropyBackward(
    x: View,
    target: View,
    stats: View,
    g: View,
    rows: number,
    cols: number,
    ignoreIndex: number,
  ): Storage {
    const dt = x.dtype;
    const dx = allocArray(dt, rows * cols);
    const X = arr(x);
    const T = arr(target);
    const S = arr(stats);
    const G = arr(g);
    if (
      wasmCrossEntropyBackward(
        X,
        x.offset,
        rows,
        cols,
        T,
        target.offset,
        ignoreIndex,
        S,
        stats.offset,
        G,
        g.offset,
        dx,
      )
    )
      return this.wrap(dx, dt);
    const f32 = dt === 'float32';
    for (let r = 0; r < rows; r++) {
      const base = x.offset + r * cols;
      const o = r * cols;
      const t = T[target.offset + r]!;
      if (t === ignoreIndex) {
        dx.fill(0, o, o + cols);
        continue;
      }
      const m = S[stats.offset + 2 * r]!;
      const ls = S[stats.offset + 2 * r + 1]!;
      const gi = G[g.offset + r]!;
      for (let j = 0; j < cols; j++) {
        const lp = X[base + j]! - m - ls; // log-softmax, rounded as a float32 output would be
        dx[o + j] = gi * Math.exp(f32 ? Math.fround(lp) : lp);
      }
      dx[o + t]! -= gi;
    }
    return this.wrap(dx, dt);
  }

  layerNorm(
    x: View,
    rows: number,
    cols: number,
    weight: View | null,
    bias: View | null,
    eps: number,
  ): { y: Storage; mean: Storage; rstd: Storage } {
    const dt = x.dtype;
    const y = allocArray(dt, rows * cols);
    const mean = allocArray(dt, rows);
    const rstd = allocArray(dt, rows);
    const X = arr(x);
    const W = weight ? arr(weight) : null;
    const B = bias ? arr(bias) : null;
    const wo = weight?.offset ?? 0;
    const bo = bias?.offset ?? 0;
    const wrap = () => ({ y: this.wrap(y, dt), mean: this.wrap(mean, dt), rstd: this.wrap(rstd, dt) });
    if (wasmLayerNorm(X, x.offset, rows, cols, W, wo, B, bo, eps, y, mean, rstd)) return wrap();
    // The reference: two passes per row in float64, rounded once into the output's type.
    for (let r = 0; r < rows; r++) {
      const base = x.offset + r * cols;
      let s = 0;
      for (let j = 0; j < cols; j++) s += X[base + j]!;
      const mu = s / cols;
      let q = 0;
      for (let j = 0; j < cols; j++) {
        const d = X[base + j]! - mu;
        q += d * d;
      }
      const rs = 1 / Math.sqrt(q / cols + eps);
      mean[r] = mu;
      rstd[r] = rs;
      const ob = r * cols;
      for (let j = 0; j < cols; j++) {
        let v = (X[base + j]! - mu) * rs;
        if (W) v *= W[wo + j]!;
        if (B) v += B[bo + j]!;
        y[ob + j] = v;
      }
    }
    return wrap();
  }

  layerNormBackward(
    g: View,
    x: View,
    mean: View,
    rstd: View,
    weight: View | null,
    rows: number,
    cols: number,
    want: { dx: boolean; dweight: boolean; dbias: boolean },
  ): { dx: Storage | null; dweight: Storage | null; dbias: Storage | null } {
    const dt = x.dtype;
    const dx = want.dx ? allocArray(dt, rows * cols) : null;
    const dw = want.dweight ? new Float64Array(cols) : null;
    const db = want.dbias ? new Float64Array(cols) : null;
    const G = arr(g);
    const X = arr(x);
    const M = arr(mean);
    const S = arr(rstd);
    const W = weight ? arr(weight) : null;
    const wo = weight?.offset ?? 0;
    const done = wasmLayerNormBackward(
      G,
      g.offset,
      X,
      x.offset,
      M,
      mean.offset,
      S,
      rstd.offset,
      W,
      wo,
      rows,
      cols,
      dx,
      dw,
      db,
    );
    if (!done) {
      for (let r = 0; r < rows; r++) {
        const gb = g.offset + r * cols;
        const xb = x.offset + r * cols;
        const mu = M[mean.offset + r]!;
        const rs = S[rstd.offset + r]!;
        let a = 0;
        let c = 0;
        for (let j = 0; j < cols; j++) {
          const gh = W ? G[gb + j]! * W[wo + j]! : G[gb + j]!;
          a += gh;
          c += gh * (X[xb + j]! - mu) * rs;
        }
        a /= cols;
        c /= cols;
        for (let j = 0; j < cols; j++) {
          const gj = G[gb + j]!;
          const xh = (X[xb + j]! - mu) * rs;
          if (dx) dx[r * cols + j] = rs * ((W ? gj * W[wo + j]! : gj) - a - xh * c);
          if (dw) dw[j]! += gj * xh;
          if (db) db[j]! += gj;
        }
      }
    }
    const small = (v: Float64Array | null) => {
      if (!v) return null;
      const out = allocArray(dt, cols);
      for (let j = 0; j < cols; j++) out[j] = v[j]!;
      return this.wrap(out, dt);
    };
    return { dx: dx ? this.wrap(dx, dt) : null, dweight: small(dw), dbias: small(db) };
  }

  assign(dst: View, src: View): void {
    if (numel(dst.shape) === 0) return;
    const { shape, strides } = collapseDims(dst.shape, [src.strides, dst.strides]);
    copyStrided(arr(src), src.offset, strides[0]!, arr(dst), dst.offset, strides[1]!, shape);
  }

  fusedUpdate(kind: FusedUpdate, views: readonly View[], s: readonly number[]): void {
    const n = numel(views[0]!.shape);
    // parameters and moments in place in the kernels' memory (the gradient is new every step)
    if (kind === 'adam') for (let i = 0; i < views.length; i++) if (i !== 1) makeResident(views[i]!);
    const arrays = views.map(arr);
    const offsets = views.map((v) => v.offset);
    if (kind === 'adam' && wasmAdam(arrays, offsets, n, s)) return;
    const [P, G, A, B, C] = arrays;
    const [po, go, ao, bo, co] = offsets;
    if (kind === 'adam') {
      const [beta1, beta2, eps, l2, decay, stepSize, bc2Sqrt, maximize, amsgrad] = s as number[];
      for (let i = 0; i < n; i++) {
        const p = P![po! + i]!;
        let g = G![go! + i]!;
        if (maximize) g = -g;
        if (l2 !== 0) g += l2! * p;
        const m = (A![ao! + i] = A![ao! + i]! * beta1! + g * (1 - beta1!));
        const v = (B![bo! + i] = B![bo! + i]! * beta2! + g * g * (1 - beta2!));
        let den = v;
        if (amsgrad) den = C![co! + i] = Math.max(C![co! + i]!, v);
        P![po! + i] = p * decay! - stepSize! * (m / (Math.sqrt(den) / bc2Sqrt! + eps!));
      }
    } else {
      const [lr, momentum, dampening, weightDecay, nesterov, maximize, first, hasBuffer] = s as number[];
      for (let i = 0; i < n; i++) {
        const p = P![po! + i]!;
        let d = G![go! + i]!;
        if (maximize) d = -d;
        if (weightDecay !== 0) d += weightDecay! * p;
        if (hasBuffer) {
          const b = (A![ao! + i] = first ? d : A![ao! + i]! * momentum! + d * (1 - dampening!));
          d = nesterov ? d + momentum! * b : b;
        }
        P![po! + i] = p - lr! * d;
      }
    }
  }
}

function reduceRun(op: ReduceOp, X: TypedArray, base: number, n: number): number {
  switch (op) {
    case 'sum': {
      let s = 0;
      for (let j = 0; j < n; j++) s += X[base + j]!;
      return s;
    }
    case 'prod': {
      let s = 1;
      for (let j = 0; j < n; j++) s *= X[base + j]!;
      return s;
    }
    case 'max': {
      let m = X[base]!;
      for (let j = 1; j < n; j++) {
        const v = X[base + j]!;
        if (v > m || v !== v) m = v;
        if (m !== m) break;
      }
      return m;
    }
    case 'min': {
      let m = X[base]!;
      for (let j = 1; j < n; j++) {
        const v = X[base + j]!;
        if (v < m || v !== v) m = v;
        if (m !== m) break;
      }
      return m;
    }
    case 'argmax': {
      let m = X[base]!;
      let k = 0;
      for (let j = 1; j < n && m === m; j++) {
        const v = X[base + j]!;
        if (v > m || v !== v) {
          m = v;
          k = j;
        }
      }
      return k;
    }
    case 'argmin': {
      let m = X[base]!;
      let k = 0;
      for (let j = 1; j < n && m === m; j++) {
        const v = X[base + j]!;
        if (v < m || v !== v) {
          m = v;
          k = j;
        }
      }
      return k;
    }
  }
}

function reduceGather(op: ReduceOp, X: TypedArray, base: number, offs: Float64Array): number {
  const n = offs.length;
  let m = X[base + offs[0]!]!;
  let k = 0;
  switch (op) {
    case 'sum':
      for (let j = 1; j < n; j++) m += X[base + offs[j]!]!;
      return m;
    case 'prod':
      for (let j = 1; j < n; j++) m *= X[base + offs[j]!]!;
      return m;
    case 'max':
    case 'argmax':
      for (let j = 1; j < n && m === m; j++) {
        const v = X[base + offs[j]!]!;
        if (v > m || v !== v) {
          m = v;
          k = j;
        }
      }
      return op === 'max' ? m : k;
    case 'min':
    case 'argmin':
      for (let j = 1; j < n && m === m; j++) {
        const v = X[base + offs[j]!]!;
        if (v < m || v !== v) {
          m = v;
          k = j;
        }
      }
      return op === 'min' ? m : k;
  }
}

/** out[o] = reduce_r X[base + o*os + r*is], walking r in the outer loop (rows of a matrix). */
function reduceColumns(
  op: 'sum' | 'max' | 'min',
  X: TypedArray,
  base: number,
  nOut: number,
  os: number,
  nIn: number,
  is: number,
  out: TypedArray,
): void {
  const acc = new Float64Array(nOut);
  for (let o = 0; o < nOut; o++) acc[o] = X[base + o * os]!;
  for (let r = 1; r < nIn; r++) {
    const rb = base + r * is;
    if (op === 'sum') for (let o = 0; o < nOut; o++) acc[o]! += X[rb + o * os]!;
    else if (op === 'max')
      for (let o = 0; o < nOut; o++) {
        const v = X[rb + o * os]!;
        if (v > acc[o]! || v !== v) acc[o] = v;
      }
    else
      for (let o = 0; o < nOut; o++) {
        const v = X[rb + o * os]!;
        if (v < acc[o]! || v !== v) acc[o] = v;
      }
  }
  out.set(acc);
}
