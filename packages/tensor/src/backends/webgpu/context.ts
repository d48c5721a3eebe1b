import type { Backend, Lease, Storage, View } from '../../backend.js';
import type { DType } from '../../dtype.js';
import { contiguousStrides } from '../../shape.js';
import type { KernelPolicy } from './policy.js';
import type { Binding, GpuRuntime, KernelSpec } from './runtime.js';

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
  /** A JS number passed to kernels as a uniform: no buffer was ever needed. */
  get isUniform(): boolean {
    return this.scalarValue !== null && !this.buffer;
  }
}

export type GpuView = View<GpuStorage>;

/** A view's binding: the buffer or a window of it, and the view's offset inside that binding. */
export interface Bound {
  b: Binding;
  off: number;
}

/**
 * What a kernel module (elementwise.ts, reduce.ts, matmul.ts…) gets from the backend: memory,
 * bindings, the policy for the adapter, and the other primitives to compose with.
 */
export interface GpuContext extends Backend<GpuStorage> {
  readonly rt: GpuRuntime;
  readonly policy: KernelPolicy;
  /** A fresh storage of `size` elements (uninitialised). */
  alloc(dtype: DType, size: number): GpuStorage;
  /** The storage's buffer (a uniform scalar gets one); a released storage is an error. */
  buf(v: GpuView | GpuStorage): GPUBuffer;
  /**
   * Binds a view: the whole buffer when the adapter allows, otherwise the window of it that the
   * view touches. Null when even that window is larger than maxStorageBufferBindingSize: the
   * caller splits the work or gives up.
   */
  tryBind(v: GpuView): Bound | null;
  /** tryBind, or an error naming `op` and the limit. */
  bind(v: GpuView, op: string): Bound;
  /**
   * Runs a 1-d kernel that writes out[0, n) in chunks that each fit one binding;
   * `params(start, count)` packs the chunk's uniforms.
   */
  chunked(
    spec: KernelSpec,
    out: GpuStorage,
    n: number,
    params: (start: number, count: number) => Uint32Array,
  ): void;
}

/** A contiguous view of all of a storage (a fresh output), flat unless a shape is given. */
export function whole(s: GpuStorage, shape: readonly number[] = [s.size]): GpuView {
  return { storage: s, shape, strides: contiguousStrides(shape), offset: 0, dtype: s.dtype };
}

/** The view restricted to [start, start + len) along `dim`. */
export function narrowView(v: GpuView, dim: number, start: number, len: number): GpuView {
  const shape = v.shape.slice();
  shape[dim] = len;
  return { ...v, shape, offset: v.offset + start * v.strides[dim]! };
}

/** The two halves [0, h) and [h, len) of a length, for splitting work that does not fit. */
export function halves(len: number): readonly (readonly [number, number])[] {
  const h = Math.floor(len / 2);
  return [
    [0, h],
    [h, len - h],
  ];
}
