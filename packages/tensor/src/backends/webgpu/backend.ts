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
import type { DType, TypedArray } from '../../dtype.js';
import { fail } from '../../errors.js';
import { yieldForFinalizers } from '../../memory.js';
import type { BinaryOp, UnaryOp } from '../../ops/opTable.js';
import { collapseDims, contiguousStrides, isContiguous, numel } from '../../shape.js';
import { attentionSpec, attentionUniforms } from './attention.js';
import {
  binaryExpr,
  type ElementwiseDesc,
  elementwiseKernel,
  isVectorizable,
  type OperandDesc,
  unaryExpr,
  VEC,
} from './elementwise.js';
import { fusedKernelFor } from './fused.js';
import {
  arangeSpec,
  arangeUniforms,
  fillSpec,
  fillUniforms,
  gatherSpec,
  gatherUniforms,
  scatterSpec,
  scatterUniforms,
} from './indexing.js';
import { directRows, MM_TILE, matmulDirectSpec, matmulSpec, matmulUniforms } from './matmul.js';
import { randomSpec, randomUniforms } from './random.js';
import { type ReduceDesc, reduceSpec, reduceUniforms } from './reduce.js';
import type { Binding, GpuRuntime, KernelSpec } from './runtime.js';
import { softmaxSpec, softmaxUniforms } from './softmax.js';
import { computeType, elemType } from './wgsl.js';

/** GPU memory for one tensor. A scalar made from a JS number has no buffer until a kernel needs one. */
export class GpuStorage implements Storage {
  readonly device = 'webgpu' as const;
  released = false;
  version = 0;
  readonly lease: Lease;
  constructor(
    readonly dtype: DType,
    readonly size: number,
    public buffer: GPUBuffer | null,
    release: (s: GpuStorage) => void,
    readonly scalarValue: number | null = null,
  ) {
    this.lease = {
      device: 'webgpu',
      byteSize: buffer ? size * 4 : 0,
      refs: 0,
      onCollected: () => release(this),
    };
  }
  get byteSize(): number {
    return this.buffer ? this.size * 4 : 0;
  }
}

/** A view's binding: the buffer or a window of it, and the view's offset inside that binding. */
interface Bound {
  b: Binding;
  off: number;
}

/** Elements [lo, hi) of its storage that a view can touch. */
function span(v: { offset: number; shape: readonly number[]; strides: readonly number[] }): [number, number] {
  let lo = v.offset;
  let hi = v.offset;
  for (let k = 0; k < v.shape.length; k++) {
    const d = v.shape[k]!;
    if (d === 0) return [v.offset, v.offset];
    const s = v.strides[k]! * (d - 1);
    if (s < 0) lo += s;
    else hi += s;
  }
  return [lo, hi + 1];
}

/** A contiguous view of all of a storage (a fresh output), flat unless a shape is given. */
function whole(s: Storage, shape: readonly number[] = [(s as GpuStorage).size]): View {
  return { storage: s, shape, strides: contiguousStrides(shape), offset: 0, dtype: (s as GpuStorage).dtype };
}

/** The view restricted to [start, start + len) along `dim`. */
function narrowView(v: View, dim: number, start: number, len: number): View {
  const shape = v.shape.slice();
  shape[dim] = len;
  return { ...v, shape, offset: v.offset + start * v.strides[dim]! };
}

const TWO_PASS_MIN = 32768;
const CHUNK = 4096;

export class WebGPUBackend implements Backend {
  readonly device = 'webgpu' as const;
  private readonly releaser = (s: GpuStorage) => this.release(s);
  constructor(readonly rt: GpuRuntime) {}

  // ---- memory -------------------------------------------------------------------------------------

  private alloc(dtype: DType, size: number): GpuStorage {
    elemType(dtype);
    return new GpuStorage(dtype, size, this.rt.createBuffer(Math.max(size, 1) * 4), this.releaser);
  }

  private buf(v: View | Storage): GPUBuffer {
    const s = ('storage' in v ? v.storage : v) as GpuStorage;
    if (s.released) fail('webgpu', 'use of a released buffer (a disposed tensor)');
    if (!s.buffer) {
      // A scalar used where a kernel needs memory: materialise it once.
      s.buffer = this.rt.createBuffer(4);
      this.rt.write(s.buffer, encode(s.dtype, [s.scalarValue ?? 0]));
    }
    return s.buffer;
  }

  /**
   * Binds a view: the whole buffer when the adapter allows, otherwise the window of it that the
   * view touches (started at the offset alignment). Null when even that window is larger than
   * maxStorageBufferBindingSize: the caller splits the work or gives up.
   */
  private tryBind(v: View): Bound | null {
    const buffer = this.buf(v);
    const { maxBinding, align } = this.rt.limits;
    if (buffer.size <= maxBinding) return { b: buffer, off: v.offset };
    const [lo, hi] = span(v);
    const per = Math.max(1, align / 4);
    const start = Math.floor(lo / per) * per;
    const size = (Math.max(hi, start + 1) - start) * 4;
    if (size > maxBinding) return null;
    return { b: { buffer, offset: start * 4, size }, off: v.offset - start };
  }

  private bind(v: View, op: string): Bound {
    const bound = this.tryBind(v);
    if (bound) return bound;
    const [lo, hi] = span(v);
    return fail(
      op,
      `on webgpu this ${op} reads or writes ${(hi - lo) * 4} bytes of one tensor, more than the adapter's maxStorageBufferBindingSize (${this.rt.limits.maxBinding} bytes), and ${op} cannot split that; keep the tensor on cpu`,
    );
  }

  /**
   * Runs a 1-d kernel that writes out[0, n) in chunks that each fit one binding;
   * `params(start, count)` builds the chunk's parameters.
   */
  private chunked(
    spec: KernelSpec,
    out: GpuStorage,
    n: number,
    params: (start: number, count: number) => Uint32Array,
  ): void {
    const buffer = this.buf(out);
    const { maxBinding, align } = this.rt.limits;
    if (buffer.size <= maxBinding) {
      this.rt.dispatch(spec, [buffer], params(0, n), this.rt.grid(n));
      return;
    }
    const per = (Math.floor(maxBinding / align) * align) / 4;
    for (let start = 0; start < n; start += per) {
      const count = Math.min(per, n - start);
      this.rt.dispatch(
        spec,
        [{ buffer, offset: start * 4, size: count * 4 }],
        params(start, count),
        this.rt.grid(count),
      );
    }
  }

  fromArray(data: TypedArray, dtype: DType): Storage {
    const s = this.alloc(dtype, data.length);
    if (data.length > 0) this.rt.write(s.buffer!, dtype === 'bool' ? Uint32Array.from(data) : data);
    return s;
  }

  scalar(value: number, dtype: DType): Storage {
    elemType(dtype);
    return new GpuStorage(dtype, 1, null, this.releaser, value);
  }

  release(s: Storage): void {
    const g = s as GpuStorage;
    if (g.released) return;
    g.released = true;
    if (g.buffer) this.rt.releaseBuffer(g.buffer);
    g.buffer = null;
  }

  async read(v: View): Promise<TypedArray> {
    const n = numel(v.shape);
    const s = v.storage as GpuStorage;
    if (n === 0) return decode(v.dtype, new ArrayBuffer(0));
    if (s.scalarValue !== null && !s.buffer)
      return decode(v.dtype, encode(v.dtype, new Array(n).fill(s.scalarValue)).buffer as ArrayBuffer);
    let src = v;
    let temp: Storage | null = null;
    if (!isContiguous(v.shape, v.strides)) {
      temp = this.unary('identity', v, v.dtype === 'bool' ? 'int32' : v.dtype, v.dtype);
      src = whole(temp, v.shape);
    }
    const bytes = await this.rt.read(this.buf(src), src.offset * 4, n * 4);
    if (temp) this.release(temp);
    // Dead tensors' buffers return to the pool, and Dawn's objects behind every kernel are freed,
    // only after a collection and a turn of the event loop: an awaited read is where they happen.
    const turn = yieldForFinalizers('webgpu', this.rt.takeCollectionDue());
    if (turn) await turn;
    return decode(v.dtype, bytes);
  }

  readSync(): TypedArray {
    fail(
      'dataSync',
      'cannot read a webgpu tensor synchronously; use `await t.data()` (or `await t.toArray()`)',
    );
  }

  /** Waits for all queued GPU work (benchmarks). */
  sync(): Promise<void> {
    return this.rt.sync();
  }

  // ---- elementwise ----------------------------------------------------------------------------------

  private elementwise(
    name: string,
    operands: readonly View[],
    names: readonly string[],
    compute: DType,
    outDtype: DType,
    expr: string,
    returnsBool: boolean,
    pvals: readonly number[],
    out?: { storage: GpuStorage; offset: number; strides: readonly number[] },
  ): GpuStorage {
    const shape = operands[0]!.shape;
    const n = numel(shape);
    const outStorage = out?.storage ?? this.alloc(outDtype, n);
    if (n === 0) return outStorage;
    const isScalar = operands.map(
      (v) => (v.storage as GpuStorage).scalarValue !== null && !(v.storage as GpuStorage).buffer,
    );
    const outStrides = out ? out.strides : contiguousStrides(shape);
    const outView: View = {
      storage: outStorage,
      shape,
      strides: outStrides,
      offset: out?.offset ?? 0,
      dtype: outDtype,
    };
    const bound = operands.map((v, k) => (isScalar[k] ? null : this.tryBind(v)));
    const outBound = this.tryBind(outView);
    if (!outBound || bound.some((b, k) => !b && !isScalar[k])) {
      // Too large for one binding: halve the first dim longer than 1, each half into its place.
      const d = shape.findIndex((len) => len > 1);
      if (d < 0) fail(name, 'internal: a single element does not fit one binding');
      const h = Math.floor(shape[d]! / 2);
      for (const [start, len] of [
        [0, h],
        [h, shape[d]! - h],
      ] as const) {
        const o = narrowView(outView, d, start, len);
        const parts = operands.map((v, k) =>
          isScalar[k] ? { ...v, shape: o.shape } : narrowView(v, d, start, len),
        );
        this.elementwise(name, parts, names, compute, outDtype, expr, returnsBool, pvals, {
          storage: outStorage,
          offset: o.offset,
          strides: outStrides,
        });
      }
      return outStorage;
    }
    const strideSets = operands.filter((_, k) => !isScalar[k]).map((v) => v.strides);
    const collapsed = collapseDims(shape, [...strideSets, outStrides]);
    const cshape = collapsed.shape;
    const cContig = contiguousStrides(cshape);
    const outCollapsed = collapsed.strides[collapsed.strides.length - 1]!;
    // A destination inside a larger buffer (cat) always goes through the strided-output path.
    const stridedOut = out !== undefined;
    let si = 0;
    const T = computeType(compute);
    const descs: OperandDesc[] = operands.map((v, k) => {
      if (isScalar[k]) return { name: names[k]!, layout: 'scalar', elem: elemType(v.dtype) };
      const st = collapsed.strides[si++]!;
      return {
        name: names[k]!,
        layout: sameArray(st, cContig) ? 'contig' : 'strided',
        elem: elemType(v.dtype),
      };
    });
    const desc: ElementwiseDesc = {
      name,
      rank: cshape.length,
      operands: descs,
      compute: T,
      outElem: elemType(outDtype),
      expr,
      returnsBool,
      params: pvals.length,
      stridedOut,
    };
    const kernel = elementwiseKernel(desc);
    const values: Record<string, number | readonly number[]> = { n, shape: cshape };
    si = 0;
    operands.forEach((v, k) => {
      if (isScalar[k]) {
        values[`s${k}`] = (v.storage as GpuStorage).scalarValue!;
        return;
      }
      const st = collapsed.strides[si++]!;
      values[`off${k}`] = bound[k]!.off;
      if (descs[k]!.layout === 'strided') values[`st${k}`] = st;
    });
    if (stridedOut) {
      values.dOff = outBound.off;
      values.dSt = outCollapsed;
    }
    pvals.forEach((v, k) => {
      values[`p${k}`] = v;
    });
    const buffers = bound.filter((b): b is Bound => b !== null).map((b) => b.b);
    const threads = isVectorizable(desc) ? Math.ceil(n / VEC) : n;
    this.rt.dispatch(
      kernel.spec,
      [...buffers, outBound.b],
      kernel.uniforms.pack(values),
      this.rt.grid(threads),
    );
    return outStorage;
  }

  unary(op: UnaryOp, x: View, computeDtype: DType, outDtype: DType, p0 = 0, p1 = 0): Storage {
    const { expr, returnsBool, params } = unaryExpr(op, computeType(computeDtype));
    return this.elementwise(
      op,
      [x],
      ['x'],
      computeDtype,
      outDtype,
      expr,
      returnsBool,
      [p0, p1].slice(0, params),
    );
  }

  binary(op: BinaryOp, a: View, b: View, computeDtype: DType, outDtype: DType): Storage {
    const { expr, returnsBool } = binaryExpr(op, computeType(computeDtype));
    return this.elementwise(op, [a, b], ['a', 'b'], computeDtype, outDtype, expr, returnsBool, []);
  }

  where(cond: View, a: View, b: View, dtype: DType): Storage {
    return this.elementwise(
      'where',
      [cond, a, b],
      ['c', 'a', 'b'],
      dtype,
      dtype,
      'select(b, a, c != T(0))',
      false,
      [],
    );
  }

  cat(inputs: readonly View[], dim: number, outShape: readonly number[], dtype: DType): Storage {
    const out = this.alloc(dtype, numel(outShape));
    const os = contiguousStrides(outShape);
    let start = 0;
    for (const v of inputs) {
      if (numel(v.shape) > 0) {
        this.elementwise('copy', [v], ['x'], dtype === 'bool' ? 'int32' : dtype, dtype, 'x', false, [], {
          storage: out,
          offset: start * os[dim]!,
          strides: os,
        });
      }
      start += v.shape[dim]!;
    }
    return out;
  }

  // ---- reductions -----------------------------------------------------------------------------------

  reduce(op: ReduceOp, x: View, outerRank: number, outDtype: DType): Storage {
    const outBytes = numel(x.shape.slice(0, outerRank)) * 4;
    if ((numel(x.shape) > 1 && !this.tryBind(x)) || outBytes > this.rt.limits.maxBinding)
      return this.reduceSplit(op, x, outerRank, outDtype);
    const o = collapseDims(x.shape.slice(0, outerRank), [x.strides.slice(0, outerRank)]);
    const i = collapseDims(x.shape.slice(outerRank), [x.strides.slice(outerRank)]);
    const nOut = numel(o.shape);
    const nIn = numel(i.shape);
    const out = this.alloc(outDtype, nOut);
    if (nOut === 0) return out;
    const inElem = elemType(x.dtype);
    const isArg = op === 'argmax' || op === 'argmin';
    const accType =
      op === 'sum' || op === 'prod' ? computeType(outDtype === 'bool' ? 'int32' : outDtype) : inElem;
    const outElem = elemType(outDtype);
    // On CPU-emulated adapters one invocation per output (and no barriers) is fastest; long
    // reductions into few outputs are split into chunks either way.
    const emulated = this.rt.emulated;
    const twoPass = !isArg && nOut <= 64 && nIn >= (emulated ? CHUNK * 2 : TWO_PASS_MIN);
    const nChunks = twoPass ? Math.ceil(nIn / CHUNK) : 1;
    const chunk = twoPass ? CHUNK : Math.max(nIn, 1);
    const mode = emulated || (!twoPass && nIn <= 64) ? 'serial' : 'tree';
    const first: ReduceDesc = {
      op,
      outerRank: o.shape.length,
      innerRank: i.shape.length,
      inElem,
      accType,
      outElem: twoPass ? accType : outElem,
      mode,
    };
    const target = twoPass ? this.alloc(outDtype === 'bool' ? 'int32' : outDtype, nOut * nChunks) : out;
    const xb = this.bind(x, op);
    const tb = this.bind(whole(target), op);
    const params = reduceUniforms(first).pack({
      nOut,
      nIn,
      nChunks,
      chunk,
      off: xb.off,
      outerShape: o.shape,
      outerStrides: o.strides[0]!,
      innerShape: i.shape,
      innerStrides: i.strides[0]!,
    });
    const groups = nOut * nChunks;
    const grid = mode === 'serial' ? this.rt.grid(groups) : this.rt.grid(groups, 1);
    this.rt.dispatch(reduceSpec(first), [xb.b, tb.b], params, grid);
    if (!twoPass) return out;
    // Second pass: reduce the [nOut, nChunks] partials (a sum of partial sums, a max of maxima…).
    const second: ReduceDesc = {
      op,
      outerRank: 1,
      innerRank: 1,
      inElem: accType,
      accType,
      outElem,
      mode: emulated ? 'serial' : 'tree',
    };
    const p2 = reduceUniforms(second).pack({
      nOut,
      nIn: nChunks,
      nChunks: 1,
      chunk: nChunks,
      off: 0,
      outerShape: [nOut],
      outerStrides: [nChunks],
      innerShape: [nChunks],
      innerStrides: [1],
    });
    this.rt.dispatch(
      reduceSpec(second),
      [tb.b, this.bind(whole(out), op).b],
      p2,
      emulated ? this.rt.grid(nOut) : this.rt.grid(nOut, 1),
    );
    this.release(target);
    return out;
  }

  /**
   * A reduction over more than one binding holds: x is halved where it spans most; halves of
   * kept dims are reduced apart and concatenated, halves of reduced dims are combined (a sum of
   * sums, a max of maxima…).
   */
  private reduceSplit(op: ReduceOp, x: View, outerRank: number, outDtype: DType): Storage {
    const outShape = x.shape.slice(0, outerRank);
    // An output too large is halved along a kept dim; an input too large where it spans most.
    let dim = -1;
    if (numel(outShape) * 4 > this.rt.limits.maxBinding) dim = outShape.findIndex((len) => len > 1);
    else {
      let widest = -1;
      for (let k = 0; k < x.shape.length; k++) {
        const w = Math.abs(x.strides[k]!) * (x.shape[k]! - 1);
        if (x.shape[k]! > 1 && w > widest) [dim, widest] = [k, w];
      }
    }
    if (dim >= outerRank && (op === 'argmax' || op === 'argmin')) {
      // The first flat index (within the reduced dims) where x equals its max (min).
      const innerShape = x.shape.slice(outerRank);
      const nIn = numel(innerShape);
      const extreme = this.reduce(op === 'argmax' ? 'max' : 'min', x, outerRank, x.dtype);
      const ex: View = {
        storage: extreme,
        shape: x.shape,
        strides: [...contiguousStrides(outShape), ...innerShape.map(() => 0)],
        offset: 0,
        dtype: x.dtype,
      };
      const hit = this.binary('eq', x, ex, x.dtype === 'bool' ? 'int32' : x.dtype, 'bool');
      const flat = this.arange(nIn, 0, 1, 'int32');
      const idx: View = {
        storage: flat,
        shape: x.shape,
        strides: [...outShape.map(() => 0), ...contiguousStrides(innerShape)],
        offset: 0,
        dtype: 'int32',
      };
      const cand = this.where(
        whole(hit, x.shape),
        idx,
        {
          storage: this.scalar(nIn, 'int32'),
          shape: x.shape,
          strides: x.shape.map(() => 0),
          offset: 0,
          dtype: 'int32',
        },
        'int32',
      );
      const out = this.reduce('min', whole(cand, x.shape), outerRank, 'int32');
      for (const t of [extreme, hit, flat, cand]) this.release(t);
      return out;
    }
    const len = x.shape[dim]!;
    const h = Math.floor(len / 2);
    const parts = [narrowView(x, dim, 0, h), narrowView(x, dim, h, len - h)].map((part) =>
      whole(this.reduce(op, part, outerRank, outDtype), part.shape.slice(0, outerRank)),
    );
    const compute = outDtype === 'bool' ? 'int32' : outDtype;
    const combine = { sum: 'add', prod: 'mul', max: 'maximum', min: 'minimum' } as const;
    const out =
      dim < outerRank
        ? this.cat(parts, dim, outShape, outDtype)
        : this.binary(combine[op as keyof typeof combine], parts[0]!, parts[1]!, compute, outDtype);
    for (const part of parts) this.release(part.storage);
    return out;
  }

  // ---- matmul, softmax --------------------------------------------------------------------------------

  matmul(a: View, b: View, outDtype: DType): Storage {
    const nd = a.shape.length;
    const M = a.shape[nd - 2]!;
    const K = a.shape[nd - 1]!;
    const N = b.shape[nd - 1]!;
    const outShape = [...a.shape.slice(0, nd - 2), M, N];
    const out = this.alloc(outDtype, numel(outShape));
    if (out.size === 0) return out;
    if (K === 0) return this.fillInto(out, 0);
    this.matmulInto(a, b, whole(out, outShape));
    return out;
  }

  /**
   * C = A @ B (or C += A @ B) into the view `c`. A product whose operands or result do not fit
   * one binding is halved, along the dim where the oversized one spans most, until the parts fit.
   */
  private matmulInto(a: View, b: View, c: View, accumulate = false): void {
    const nd = a.shape.length;
    const M = a.shape[nd - 2]!;
    const K = a.shape[nd - 1]!;
    const N = b.shape[nd - 1]!;
    const ab = this.tryBind(a);
    const bb = this.tryBind(b);
    const cb = this.tryBind(c);
    if (!ab || !bb || !cb) {
      // Halve the dim along which the oversized operand spans the most memory. Problem dims:
      // 0..nd-3 batch, nd-2 M, nd-1 N, nd K (a split along K accumulates into C).
      const big = !ab ? a : !bb ? b : c;
      const role = (k: number) =>
        k < nd - 2
          ? k
          : big === a
            ? k === nd - 2
              ? nd - 2
              : nd
            : big === b
              ? k === nd - 2
                ? nd
                : nd - 1
              : k;
      let dim = -1;
      let widest = 0;
      for (let k = 0; k < nd; k++) {
        const w = Math.abs(big.strides[k]!) * (big.shape[k]! - 1);
        if (big.shape[k]! > 1 && (dim < 0 || w > widest)) [dim, widest] = [role(k), w];
      }
      if (dim < 0) this.bind(big, 'matmul'); // throws: nothing left to halve
      const len = dim === nd ? K : c.shape[dim]!;
      const h = Math.floor(len / 2);
      for (const [start, n] of [
        [0, h],
        [h, len - h],
      ] as const) {
        if (dim === nd) {
          this.matmulInto(
            narrowView(a, nd - 1, start, n),
            narrowView(b, nd - 2, start, n),
            c,
            accumulate || start > 0,
          );
          continue;
        }
        this.matmulInto(
          dim === nd - 1 ? a : narrowView(a, dim, start, n),
          dim === nd - 2 ? b : narrowView(b, dim, start, n),
          narrowView(c, dim, start, n),
          accumulate,
        );
      }
      return;
    }
    const batch = collapseDims(a.shape.slice(0, nd - 2), [
      a.strides.slice(0, nd - 2),
      b.strides.slice(0, nd - 2),
      c.strides.slice(0, nd - 2),
    ]);
    const nBatch = numel(batch.shape);
    const T = computeType(c.dtype);
    const r = batch.shape.length;
    const [aBatchStrides, bBatchStrides, cBatchStrides] = batch.strides as [number[], number[], number[]];
    const params = matmulUniforms(r).pack({
      M,
      N,
      K,
      aOff: ab.off,
      aRowStride: a.strides[nd - 2]!,
      aColStride: a.strides[nd - 1]!,
      bOff: bb.off,
      bRowStride: b.strides[nd - 2]!,
      bColStride: b.strides[nd - 1]!,
      cOff: cb.off,
      cRowStride: c.strides[nd - 2]!,
      accumulate,
      batchShape: batch.shape,
      aBatchStrides,
      bBatchStrides,
      cBatchStrides,
    });
    if (nBatch > this.rt.limits.maxWorkgroups)
      fail(
        'matmul',
        `batch of ${nBatch} exceeds the adapter's ${this.rt.limits.maxWorkgroups} workgroups per dimension`,
      );
    const buffers = [ab.b, bb.b, cb.b];
    if (this.rt.emulated) {
      const rows = directRows(M);
      this.rt.dispatch(matmulDirectSpec(T, r, rows), buffers, params, [
        Math.ceil(N / 32),
        Math.ceil(M / (8 * rows)),
        nBatch,
      ]);
    } else {
      this.rt.dispatch(matmulSpec(T, r), buffers, params, [
        Math.ceil(N / MM_TILE),
        Math.ceil(M / MM_TILE),
        nBatch,
      ]);
    }
  }

  softmax(x: View, rows: number, cols: number, log: boolean): Storage {
    const flat = (v: View) => ({ ...v, shape: [rows * cols], strides: [1] });
    if (rows > 1 && (rows * cols * 4 > this.rt.limits.maxBinding || !this.tryBind(flat(x)))) {
      // Rows too many for one binding: each half apart, then concatenated.
      const h = Math.floor(rows / 2);
      const parts = [
        [0, h],
        [h, rows - h],
      ].map(([start, n]) => {
        const part = { ...x, shape: [n!, cols], strides: [cols, 1], offset: x.offset + start! * cols };
        return whole(this.softmax(part, n!, cols, log), [n!, cols]);
      });
      const out = this.cat(parts, 0, [rows, cols], x.dtype);
      for (const part of parts) this.release(part.storage);
      return out;
    }
    const out = this.alloc(x.dtype, rows * cols);
    if (rows * cols === 0) return out;
    const mode = this.rt.emulated || cols <= 64 ? 'serial' : 'tree';
    const name = log ? 'logSoftmax' : 'softmax';
    const xb = this.bind(flat(x), name);
    const ob = this.bind(whole(out), name);
    const params = softmaxUniforms.pack({ rows, cols, off: xb.off });
    const grid = mode === 'serial' ? this.rt.grid(rows) : this.rt.grid(rows, 1);
    this.rt.dispatch(softmaxSpec(log, mode), [xb.b, ob.b], params, grid);
    return out;
  }

  // ---- indexing ---------------------------------------------------------------------------------------

  gather(x: View, dim: number, index: View): Storage {
    const n = numel(index.shape);
    const out = this.alloc(x.dtype, n);
    if (n === 0) return out;
    this.indexedParts('gather', x, whole(out, index.shape), index, dim, (xp, op, ip, lo, hi) => {
      const r = index.shape.length;
      const params = gatherUniforms(r).pack({
        n: numel(ip.view.shape),
        dimSize: x.shape[dim]!,
        xDimStride: x.strides[dim]!,
        xOff: xp.off,
        idxOff: ip.off,
        lo,
        hi,
        outOff: op.off,
        shape: ip.view.shape,
        idxStrides: ip.view.strides,
        xStrides: x.strides.map((s, d) => (d === dim ? 0 : s)),
        outStrides: op.view.strides,
      });
      const grid = this.rt.grid(numel(ip.view.shape));
      this.rt.dispatch(gatherSpec(elemType(x.dtype), r), [xp.b, ip.b, op.b], params, grid);
    });
    return out;
  }

  scatterAdd(outShape: readonly number[], dim: number, index: View, src: View): Storage {
    const out = this.alloc(src.dtype, numel(outShape));
    this.fillInto(out, 0);
    const n = numel(index.shape);
    if (n === 0) return out;
    const elem = elemType(src.dtype);
    if (elem === 'u32') fail('scatterAdd', 'not supported for bool tensors');
    const o = whole(out, outShape);
    this.indexedParts('scatterAdd', o, src, index, dim, (op, sp, ip, lo, hi) => {
      const r = index.shape.length;
      const params = scatterUniforms(r).pack({
        n: numel(ip.view.shape),
        dimSize: outShape[dim]!,
        outDimStride: o.strides[dim]!,
        srcOff: sp.off,
        idxOff: ip.off,
        lo,
        hi,
        outOff: op.off,
        shape: ip.view.shape,
        idxStrides: ip.view.strides,
        srcStrides: sp.view.strides,
        outStrides: o.strides.map((s, d) => (d === dim ? 0 : s)),
      });
      const spec = scatterSpec(elem as 'f32' | 'i32', r);
      this.rt.dispatch(spec, [sp.b, ip.b, op.b], params, this.rt.grid(numel(ip.view.shape)));
    });
    return out;
  }

  /**
   * Runs an indexed op in parts that each fit one binding. gather reads `table` where `index` says
   * along `dim` into `partner`; scatterAdd adds `partner` into `table` there (partner and index have
   * the same shape). Off `dim`, only the table's first index.shape[d] entries are touched, so only
   * those are bound. What does not fit is halved: index and partner (and the table, off `dim`) along
   * a dim of the index, the table along `dim` into windows [lo, hi) — an embedding table over the
   * limit costs a few passes. `run` gets the parts' bindings (the table's starting at row `lo`).
   */
  private indexedParts(
    op: string,
    table: View,
    partner: View,
    index: View,
    dim: number,
    run: (t: Bound, p: Bound & { view: View }, i: Bound & { view: View }, lo: number, hi: number) => void,
  ): void {
    const split = (t: View, pv: View, iv: View, lo: number, hi: number): void => {
      const pb = this.tryBind(pv);
      const ib = this.tryBind(iv);
      // One row of the table along `dim` too large: halve along another dim, the table with it.
      const row = narrowView(t, dim, lo, 1);
      const rowFits = this.tryBind(row) !== null;
      if (!pb || !ib || !rowFits) {
        const d = iv.shape.findIndex((len, k) => len > 1 && (rowFits || k !== dim));
        if (d < 0) this.bind(!pb ? pv : !ib ? iv : row, op); // throws: nothing left to halve
        const len = iv.shape[d]!;
        const h = Math.floor(len / 2);
        for (const [start, n] of [
          [0, h],
          [h, len - h],
        ] as const) {
          const tp = d === dim ? t : narrowView(t, d, start, n);
          split(tp, narrowView(pv, d, start, n), narrowView(iv, d, start, n), lo, hi);
        }
        return;
      }
      const window = narrowView(t, dim, lo, hi - lo);
      const tb = this.tryBind(window);
      if (!tb) {
        if (hi - lo < 2) this.bind(window, op); // throws
        const mid = lo + Math.floor((hi - lo) / 2);
        split(t, pv, iv, lo, mid);
        split(t, pv, iv, mid, hi);
        return;
      }
      run(tb, { ...pb, view: pv }, { ...ib, view: iv }, lo, hi);
    };
    const touched: View = {
      ...table,
      shape: table.shape.map((len, d) => (d === dim ? len : index.shape[d]!)),
    };
    split(touched, partner, index, 0, table.shape[dim]!);
  }

  // ---- creation --------------------------------------------------------------------------------------

  private fillInto(out: GpuStorage, value: number): GpuStorage {
    if (out.size === 0) return out;
    const elem = elemType(out.dtype);
    this.chunked(fillSpec(elem), out, out.size, (_, count) => fillUniforms(elem).pack({ n: count, value }));
    return out;
  }

  fill(size: number, dtype: DType, value: number): Storage {
    return this.fillInto(this.alloc(dtype, size), dtype === 'bool' ? (value ? 1 : 0) : value);
  }

  arange(size: number, start: number, step: number, dtype: DType): Storage {
    const out = this.alloc(dtype, size);
    if (size === 0) return out;
    if (dtype === 'bool') fail('arange', 'dtype bool is not supported');
    const T = computeType(dtype);
    this.chunked(arangeSpec(T), out, size, (s, count) =>
      arangeUniforms(T).pack({ n: count, start: start + s * step, step }),
    );
    return out;
  }

  random(kind: RandomKind, size: number, dtype: DType, r: RandomParams): Storage {
    const out = this.alloc(dtype, size);
    if (size === 0) return out;
    const T = computeType(dtype);
    // Element i draws from counter + i, so a part starting at `start` continues the same stream.
    this.chunked(randomSpec(kind, T), out, size, (start, count) => {
      const counter = r.counter + start;
      const stream = {
        n: count,
        k0: r.k0,
        k1: r.k1,
        counterLo: counter % 4294967296,
        counterHi: Math.floor(counter / 4294967296),
      };
      return kind === 'randint'
        ? randomUniforms.int.pack({ ...stream, low: r.a, span: r.b - r.a })
        : randomUniforms.float.pack({ ...stream, a: r.a, b: r.b });
    });
    return out;
  }

  attention(
    q: View,
    k: View,
    v: View,
    mask: View | null,
    o: { scale: number; causal: boolean },
  ): Storage | null {
    const nd = q.shape.length;
    const L = q.shape[nd - 2]!;
    const E = q.shape[nd - 1]!;
    const S = k.shape[nd - 2]!;
    const Ev = v.shape[nd - 1]!;
    const batchShape = q.shape.slice(0, nd - 2);
    const strideSets = [q, k, v].map((t) => t.strides.slice(0, nd - 2));
    strideSets.push(mask ? mask.strides.slice(0, nd - 2) : batchShape.map(() => 0));
    const batch = collapseDims(batchShape, strideSets);
    const B = numel(batchShape);
    const out = this.alloc(q.dtype, B * L * Ev);
    if (B * L * Ev === 0) return out;
    const r = batch.shape.length;
    const qb = this.tryBind(q);
    const kb = this.tryBind(k);
    const vb = this.tryBind(v);
    const mb = mask ? this.tryBind(mask) : null;
    const ob = this.tryBind(whole(out));
    if (!qb || !kb || !vb || (mask && !mb) || !ob) {
      // Larger than one binding: the caller runs the composite, whose ops split.
      this.release(out);
      return null;
    }
    const [qBatchStrides, kBatchStrides, vBatchStrides, mBatchStrides] = batch.strides as [
      number[],
      number[],
      number[],
      number[],
    ];
    const params = attentionUniforms(r).pack({
      B,
      L,
      S,
      E,
      Ev,
      scale: o.scale,
      causal: o.causal,
      qOff: qb.off,
      qsL: q.strides[nd - 2]!,
      qsE: q.strides[nd - 1]!,
      kOff: kb.off,
      ksS: k.strides[nd - 2]!,
      ksE: k.strides[nd - 1]!,
      vOff: vb.off,
      vsS: v.strides[nd - 2]!,
      vsE: v.strides[nd - 1]!,
      mOff: mb?.off ?? 0,
      msL: mask?.strides[nd - 2] ?? 0,
      msS: mask?.strides[nd - 1] ?? 0,
      batchShape: batch.shape,
      qBatchStrides,
      kBatchStrides,
      vBatchStrides,
      mBatchStrides,
    });
    const maskKind = mask ? (mask.dtype === 'bool' ? 'bool' : 'float') : 'none';
    const acc = Math.max(16, 2 ** Math.ceil(Math.log2(Math.max(Ev, 1))));
    const buffers = [qb.b, kb.b, vb.b];
    if (mb) buffers.push(mb.b);
    buffers.push(ob.b);
    this.rt.dispatch(attentionSpec(maskKind, r, acc), buffers, params, this.rt.grid(B * L));
    return out;
  }

  // ---- in place ----------------------------------------------------------------------------------------

  assign(dst: View, src: View): void {
    if (numel(dst.shape) === 0) return;
    const out = dst.storage as GpuStorage;
    this.buf(out);
    this.elementwise(
      'copy',
      [src],
      ['x'],
      dst.dtype === 'bool' ? 'int32' : dst.dtype,
      dst.dtype,
      'x',
      false,
      [],
      {
        storage: out,
        offset: dst.offset,
        strides: dst.strides,
      },
    );
  }

  fusedUpdate(kind: FusedUpdate, views: readonly View[], scalars: readonly number[]): void {
    const n = numel(views[0]!.shape);
    if (n === 0) return;
    const kernel = fusedKernelFor(kind, views.length === (kind === 'adam' ? 5 : 3));
    // The tensors are contiguous and updated elementwise: a parameter larger than one binding is
    // updated in parts (each part's window may start up to one alignment early).
    const { maxBinding, align } = this.rt.limits;
    const fits = views.every((v) => this.buf(v).size <= maxBinding);
    const per = fits ? n : Math.floor((maxBinding - align) / 4);
    for (let start = 0; start < n; start += per) {
      const count = Math.min(per, n - start);
      const bound = views.map((v) =>
        this.bind({ ...v, shape: [count], strides: [1], offset: v.offset + start }, 'optimizer step'),
      );
      const values = kernel.values(
        count,
        bound.map((b) => b.off),
        scalars,
      );
      this.rt.dispatch(
        kernel.spec,
        bound.map((b) => b.b),
        kernel.uniforms.pack(values),
        this.rt.grid(count),
      );
    }
  }
}

function sameArray(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function encode(dtype: DType, values: ArrayLike<number>): Float32Array | Int32Array | Uint32Array {
  if (dtype === 'float32') return Float32Array.from(values);
  if (dtype === 'int32') return Int32Array.from(values);
  return Uint32Array.from(values, (v) => (v ? 1 : 0));
}

function decode(dtype: DType, bytes: ArrayBuffer): TypedArray {
  if (dtype === 'float32') return new Float32Array(bytes);
  if (dtype === 'int32') return new Int32Array(bytes);
  return Uint8Array.from(new Uint32Array(bytes));
}
