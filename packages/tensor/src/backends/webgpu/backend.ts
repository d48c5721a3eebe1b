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
import type { BinaryOp, UnaryOp } from '../../ops/opTable.js';
import { collapseDims, contiguousStrides, isContiguous, numel } from '../../shape.js';
import { attentionSpec, attentionWords } from './attention.js';
import {
  binaryExpr,
  type ElementwiseDesc,
  elementwiseSpec,
  isVectorizable,
  type OperandDesc,
  operandParamOffsets,
  unaryExpr,
  VEC,
} from './elementwise.js';
import { adamSpec, sgdSpec } from './fused.js';
import { arangeSpec, fillSpec, gatherSpec, gatherWords, scatterSpec, scatterWords } from './indexing.js';
import { DIRECT_ROWS, MM_TILE, matmulDirectSpec, matmulSpec, matmulWords } from './matmul.js';
import { randomSpec } from './random.js';
import { type ReduceDesc, reduceSpec } from './reduce.js';
import type { GpuRuntime } from './runtime.js';
import { softmaxSpec } from './softmax.js';
import { computeType, elemType, Params } from './wgsl.js';

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
      src = { storage: temp, shape: v.shape, strides: contiguousStrides(v.shape), offset: 0, dtype: v.dtype };
    }
    const bytes = await this.rt.read(this.buf(src), src.offset * 4, n * 4);
    if (temp) this.release(temp);
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
    const strideSets = operands.filter((_, k) => !isScalar[k]).map((v) => v.strides);
    const outStrides = out ? out.strides : contiguousStrides(shape);
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
    const { words } = operandParamOffsets(desc);
    const p = new Params().u32(n);
    for (const d of cshape) p.u32(d);
    si = 0;
    operands.forEach((v, k) => {
      if (isScalar[k]) {
        p.as(T, (v.storage as GpuStorage).scalarValue!);
        return;
      }
      const st = collapsed.strides[si++]!;
      p.i32(v.offset);
      if (descs[k]!.layout === 'strided') for (const s of st) p.i32(s);
    });
    if (stridedOut) {
      p.i32(out!.offset);
      for (const s of outCollapsed) p.i32(s);
    }
    for (const v of pvals) p.as(T, v);
    if (p.length !== words) throw new Error(`internal: param count ${p.length} != ${words}`);
    const buffers = operands.filter((_, k) => !isScalar[k]).map((v) => this.buf(v));
    const threads = isVectorizable(desc) ? Math.ceil(n / VEC) : n;
    this.rt.dispatch(
      elementwiseSpec(desc),
      [...buffers, outStorage.buffer!],
      p.build(),
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
    const p = new Params().u32(nOut).u32(nIn).u32(nChunks).u32(chunk).i32(x.offset);
    for (const d of o.shape) p.u32(d);
    for (const s of o.strides[0]!) p.i32(s);
    for (const d of i.shape) p.u32(d);
    for (const s of i.strides[0]!) p.i32(s);
    const groups = nOut * nChunks;
    const grid = mode === 'serial' ? this.rt.grid(groups) : this.rt.grid(groups, 1);
    this.rt.dispatch(reduceSpec(first), [this.buf(x), target.buffer!], p.build(), grid);
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
    const p2 = new Params()
      .u32(nOut)
      .u32(nChunks)
      .u32(1)
      .u32(nChunks)
      .i32(0)
      .u32(nOut)
      .i32(nChunks)
      .u32(nChunks)
      .i32(1);
    this.rt.dispatch(
      reduceSpec(second),
      [target.buffer!, out.buffer!],
      p2.build(),
      emulated ? this.rt.grid(nOut) : this.rt.grid(nOut, 1),
    );
    this.release(target);
    return out;
  }

  // ---- matmul, softmax --------------------------------------------------------------------------------

  matmul(a: View, b: View, outDtype: DType): Storage {
    const nd = a.shape.length;
    const M = a.shape[nd - 2]!;
    const K = a.shape[nd - 1]!;
    const N = b.shape[nd - 1]!;
    const batch = collapseDims(a.shape.slice(0, nd - 2), [
      a.strides.slice(0, nd - 2),
      b.strides.slice(0, nd - 2),
    ]);
    const nBatch = numel(batch.shape);
    const out = this.alloc(outDtype, nBatch * M * N);
    if (nBatch * M * N === 0) return out;
    if (K === 0) return this.fillInto(out, 0);
    const T = computeType(outDtype);
    const r = batch.shape.length;
    const p = new Params().u32(M).u32(N).u32(K).u32(r);
    p.i32(a.offset)
      .i32(a.strides[nd - 2]!)
      .i32(a.strides[nd - 1]!);
    p.i32(b.offset)
      .i32(b.strides[nd - 2]!)
      .i32(b.strides[nd - 1]!);
    for (const d of batch.shape) p.u32(d);
    for (const s of batch.strides[0]!) p.i32(s);
    for (const s of batch.strides[1]!) p.i32(s);
    if (p.length !== matmulWords(r)) throw new Error('internal: matmul params');
    if (nBatch > this.rt.limits.maxWorkgroups)
      fail(
        'matmul',
        `batch of ${nBatch} exceeds the adapter's ${this.rt.limits.maxWorkgroups} workgroups per dimension`,
      );
    const buffers = [this.buf(a), this.buf(b), out.buffer!];
    if (this.rt.emulated) {
      this.rt.dispatch(matmulDirectSpec(T, r), buffers, p.build(), [
        Math.ceil(N / 32),
        Math.ceil(M / (8 * DIRECT_ROWS)),
        nBatch,
      ]);
    } else {
      this.rt.dispatch(matmulSpec(T, r), buffers, p.build(), [
        Math.ceil(N / MM_TILE),
        Math.ceil(M / MM_TILE),
        nBatch,
      ]);
    }
    return out;
  }

  softmax(x: View, rows: number, cols: number, log: boolean): Storage {
    const out = this.alloc(x.dtype, rows * cols);
    if (rows * cols === 0) return out;
    const mode = this.rt.emulated || cols <= 64 ? 'serial' : 'tree';
    const p = new Params().u32(rows).u32(cols).u32(x.offset);
    const grid = mode === 'serial' ? this.rt.grid(rows) : this.rt.grid(rows, 1);
    this.rt.dispatch(softmaxSpec(log, mode), [this.buf(x), out.buffer!], p.build(), grid);
    return out;
  }

  // ---- indexing ---------------------------------------------------------------------------------------

  gather(x: View, dim: number, index: View): Storage {
    const n = numel(index.shape);
    const out = this.alloc(x.dtype, n);
    if (n === 0) return out;
    const r = index.shape.length;
    const p = new Params().u32(n).u32(x.shape[dim]!).i32(x.strides[dim]!).i32(x.offset).i32(index.offset);
    for (const d of index.shape) p.u32(d);
    for (const s of index.strides) p.i32(s);
    for (const [d, s] of x.strides.entries()) p.i32(d === dim ? 0 : s);
    if (p.length !== gatherWords(r)) throw new Error('internal: gather params');
    this.rt.dispatch(
      gatherSpec(elemType(x.dtype), r),
      [this.buf(x), this.buf(index), out.buffer!],
      p.build(),
      this.rt.grid(n),
    );
    return out;
  }

  scatterAdd(outShape: readonly number[], dim: number, index: View, src: View): Storage {
    const out = this.alloc(src.dtype, numel(outShape));
    this.fillInto(out, 0);
    const n = numel(index.shape);
    if (n === 0) return out;
    const elem = elemType(src.dtype);
    if (elem === 'u32') fail('scatterAdd', 'not supported for bool tensors');
    const r = index.shape.length;
    const os = contiguousStrides(outShape);
    const p = new Params().u32(n).u32(outShape[dim]!).i32(os[dim]!).i32(src.offset).i32(index.offset);
    for (const d of index.shape) p.u32(d);
    for (const s of index.strides) p.i32(s);
    for (const s of src.strides) p.i32(s);
    for (const [d, s] of os.entries()) p.i32(d === dim ? 0 : s);
    if (p.length !== scatterWords(r)) throw new Error('internal: scatter params');
    this.rt.dispatch(
      scatterSpec(elem, r),
      [this.buf(src), this.buf(index), out.buffer!],
      p.build(),
      this.rt.grid(n),
    );
    return out;
  }

  // ---- creation --------------------------------------------------------------------------------------

  private fillInto(out: GpuStorage, value: number): GpuStorage {
    if (out.size === 0) return out;
    const elem = elemType(out.dtype);
    const p = new Params().u32(out.size).as(elem, value);
    this.rt.dispatch(fillSpec(elem), [out.buffer!], p.build(), this.rt.grid(out.size));
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
    const p = new Params().u32(size).as(T, start).as(T, step);
    this.rt.dispatch(arangeSpec(T), [out.buffer!], p.build(), this.rt.grid(size));
    return out;
  }

  random(kind: RandomKind, size: number, dtype: DType, r: RandomParams): Storage {
    const out = this.alloc(dtype, size);
    if (size === 0) return out;
    const T = computeType(dtype);
    const p = new Params()
      .u32(size)
      .u32(r.k0)
      .u32(r.k1)
      .u32(r.counter % 4294967296)
      .u32(Math.floor(r.counter / 4294967296));
    if (kind === 'randint') p.i32(r.a).u32(r.b - r.a);
    else p.f32(r.a).f32(r.b);
    this.rt.dispatch(randomSpec(kind, T), [out.buffer!], p.build(), this.rt.grid(size));
    return out;
  }

  attention(q: View, k: View, v: View, mask: View | null, o: { scale: number; causal: boolean }): Storage {
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
    const p = new Params()
      .u32(B)
      .u32(L)
      .u32(S)
      .u32(E)
      .u32(Ev)
      .f32(o.scale)
      .u32(o.causal ? 1 : 0)
      .u32(r);
    p.i32(q.offset)
      .i32(q.strides[nd - 2]!)
      .i32(q.strides[nd - 1]!);
    p.i32(k.offset)
      .i32(k.strides[nd - 2]!)
      .i32(k.strides[nd - 1]!);
    p.i32(v.offset)
      .i32(v.strides[nd - 2]!)
      .i32(v.strides[nd - 1]!);
    p.i32(mask?.offset ?? 0)
      .i32(mask?.strides[nd - 2] ?? 0)
      .i32(mask?.strides[nd - 1] ?? 0);
    for (const d of batch.shape) p.u32(d);
    for (const set of batch.strides) for (const st of set) p.i32(st);
    if (p.length !== attentionWords(r)) throw new Error('internal: attention params');
    const maskKind = mask ? (mask.dtype === 'bool' ? 'bool' : 'float') : 'none';
    const acc = Math.max(16, 2 ** Math.ceil(Math.log2(Math.max(Ev, 1))));
    const buffers = [this.buf(q), this.buf(k), this.buf(v)];
    if (mask) buffers.push(this.buf(mask));
    buffers.push(out.buffer!);
    this.rt.dispatch(attentionSpec(maskKind, r, acc), buffers, p.build(), this.rt.grid(B * L));
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
    const p = new Params().u32(n);
    for (const v of views) p.u32(v.offset);
    for (const [k, s] of scalars.entries()) {
      // Flags (maximize, amsgrad, nesterov, first…) travel as integers, the rest as f32.
      const isFlag = kind === 'adam' ? k >= 7 : k >= 4;
      if (isFlag) p.u32(s ? 1 : 0);
      else p.f32(s);
    }
    const spec = kind === 'adam' ? adamSpec(views.length === 5) : sgdSpec(views.length === 3);
    this.rt.dispatch(
      spec,
      views.map((v) => this.buf(v)),
      p.build(),
      this.rt.grid(n),
    );
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
