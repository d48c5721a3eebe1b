import type { FusedUpdate, RandomKind, RandomParams, ReduceOp } from '../../backend.js';
import type { DType, TypedArray } from '../../dtype.js';
import { fail } from '../../errors.js';
import { yieldForFinalizers } from '../../memory.js';
import type { BinaryOp, UnaryOp } from '../../ops/opTable.js';
import { isContiguous, numel } from '../../shape.js';
import * as attention from './attention.js';
import { type Bound, type GpuContext, GpuStorage, type GpuView, whole } from './context.js';
import * as elementwise from './elementwise.js';
import * as fused from './fused.js';
import * as indexing from './indexing.js';
import * as matmul from './matmul.js';
import type { KernelPolicy } from './policy.js';
import * as random from './random.js';
import * as reduce from './reduce.js';
import type { GpuRuntime, KernelSpec } from './runtime.js';
import * as softmax from './softmax.js';
import { elemType } from './wgsl.js';

export { GpuStorage } from './context.js';

/**
 * The webgpu backend: memory (storages over pooled buffers), bindings (whole buffers, or the
 * window a view touches when a buffer is larger than one binding) and the generic splitter. Each
 * family of kernels — its WGSL, its uniforms and its dispatch and split policy — is a module of
 * its own (elementwise.ts, reduce.ts, matmul.ts, softmax.ts, indexing.ts, random.ts,
 * attention.ts, fused.ts), called with this backend as its GpuContext.
 */
export class WebGPUBackend implements GpuContext {
  readonly device = 'webgpu' as const;
  private readonly releaser = (s: GpuStorage) => this.release(s);
  constructor(readonly rt: GpuRuntime) {}

  /** The kernel variants for this adapter (runtime.ts reads it from the adapter and environment). */
  get policy(): KernelPolicy {
    return this.rt.policy;
  }

  // ---- memory -------------------------------------------------------------------------------------

  alloc(dtype: DType, size: number): GpuStorage {
    elemType(dtype);
    return new GpuStorage(dtype, size, this.rt.createBuffer(Math.max(size, 1) * 4), this.releaser);
  }

  buf(v: GpuView | GpuStorage): GPUBuffer {
    const s = v instanceof GpuStorage ? v : v.storage;
    if (s.released) fail('webgpu', 'use of a released buffer (a disposed tensor)');
    if (!s.buffer) {
      // A scalar used where a kernel needs memory: materialise it once.
      s.buffer = this.rt.createBuffer(4);
      this.rt.write(s.buffer, encode(s.dtype, [s.scalarValue ?? 0]));
    }
    return s.buffer;
  }

  fromArray(data: TypedArray, dtype: DType): GpuStorage {
    const s = this.alloc(dtype, data.length);
    if (data.length > 0) this.rt.write(s.buffer!, dtype === 'bool' ? Uint32Array.from(data) : data);
    return s;
  }

  scalar(value: number, dtype: DType): GpuStorage {
    elemType(dtype);
    return new GpuStorage(dtype, 1, null, this.releaser, value);
  }

  release(s: GpuStorage): void {
    if (s.released) return;
    s.released = true;
    if (s.buffer) this.rt.releaseBuffer(s.buffer);
    s.buffer = null;
  }

  async read(v: GpuView): Promise<TypedArray> {
    const n = numel(v.shape);
    const s = v.storage;
    if (n === 0) return decode(v.dtype, new ArrayBuffer(0));
    if (s.isUniform)
      return decode(v.dtype, encode(v.dtype, new Array(n).fill(s.scalarValue)).buffer as ArrayBuffer);
    let src = v;
    let temp: GpuStorage | null = null;
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

  // ---- bindings and the generic splitter ----------------------------------------------------------

  tryBind(v: GpuView): Bound | null {
    const buffer = this.buf(v);
    const { maxBinding, align } = this.rt.limits;
    if (buffer.size <= maxBinding) return { b: buffer, off: v.offset };
    // The window the view touches, started at the offset alignment.
    const [lo, hi] = span(v);
    const per = Math.max(1, align / 4);
    const start = Math.floor(lo / per) * per;
    const size = (Math.max(hi, start + 1) - start) * 4;
    if (size > maxBinding) return null;
    return { b: { buffer, offset: start * 4, size }, off: v.offset - start };
  }

  bind(v: GpuView, op: string): Bound {
    const bound = this.tryBind(v);
    if (bound) return bound;
    const [lo, hi] = span(v);
    return fail(
      op,
      `on webgpu this ${op} reads or writes ${(hi - lo) * 4} bytes of one tensor, more than the adapter's maxStorageBufferBindingSize (${this.rt.limits.maxBinding} bytes), and ${op} cannot split that; keep the tensor on cpu`,
    );
  }

  chunked(
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
      const window = { buffer, offset: start * 4, size: count * 4 };
      this.rt.dispatch(spec, [window], params(start, count), this.rt.grid(count));
    }
  }

  // ---- kernels: each family's module ---------------------------------------------------------------

  unary(op: UnaryOp, x: GpuView, computeDtype: DType, outDtype: DType, p0 = 0, p1 = 0): GpuStorage {
    return elementwise.unary(this, op, x, computeDtype, outDtype, p0, p1);
  }
  binary(op: BinaryOp, a: GpuView, b: GpuView, computeDtype: DType, outDtype: DType): GpuStorage {
    return elementwise.binary(this, op, a, b, computeDtype, outDtype);
  }
  where(cond: GpuView, a: GpuView, b: GpuView, dtype: DType): GpuStorage {
    return elementwise.where(this, cond, a, b, dtype);
  }
  cat(inputs: readonly GpuView[], dim: number, outShape: readonly number[], dtype: DType): GpuStorage {
    return elementwise.cat(this, inputs, dim, outShape, dtype);
  }
  assign(dst: GpuView, src: GpuView): void {
    elementwise.assign(this, dst, src);
  }
  reduce(op: ReduceOp, x: GpuView, outerRank: number, outDtype: DType): GpuStorage {
    return reduce.reduce(this, op, x, outerRank, outDtype);
  }
  matmul(a: GpuView, b: GpuView, outDtype: DType): GpuStorage {
    return matmul.matmul(this, a, b, outDtype);
  }
  softmax(x: GpuView, rows: number, cols: number, log: boolean): GpuStorage {
    return softmax.softmax(this, x, rows, cols, log);
  }
  gather(x: GpuView, dim: number, index: GpuView): GpuStorage {
    return indexing.gather(this, x, dim, index);
  }
  scatterAdd(outShape: readonly number[], dim: number, index: GpuView, src: GpuView): GpuStorage {
    return indexing.scatterAdd(this, outShape, dim, index, src);
  }
  fill(size: number, dtype: DType, value: number): GpuStorage {
    return indexing.fill(this, size, dtype, value);
  }
  arange(size: number, start: number, step: number, dtype: DType): GpuStorage {
    return indexing.arange(this, size, start, step, dtype);
  }
  random(kind: RandomKind, size: number, dtype: DType, r: RandomParams): GpuStorage {
    return random.random(this, kind, size, dtype, r);
  }
  attention(
    q: GpuView,
    k: GpuView,
    v: GpuView,
    mask: GpuView | null,
    o: { scale: number; causal: boolean },
  ): GpuStorage | null {
    return attention.attention(this, q, k, v, mask, o);
  }
  fusedUpdate(kind: FusedUpdate, views: readonly GpuView[], scalars: readonly number[]): void {
    fused.fusedUpdate(this, kind, views, scalars);
  }
}

/** Elements [lo, hi) of its storage that a view can touch. */
function span(v: GpuView): [number, number] {
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
