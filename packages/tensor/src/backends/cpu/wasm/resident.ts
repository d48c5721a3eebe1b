import { ArgumentError, DtypeError } from '../../../errors.js';
import { ensureBytes, HEAP_BASE, type WasmRuntime, wasmRuntime } from './runtime.js';

/**
 * Arrays that live in the cpu kernels' WebAssembly memory, so a kernel reads them where they are
 * instead of copying them in for every call (stage.ts). For code that runs many products over one
 * large matrix (sklearn-lite's PCA power iterations, k-means' Lloyd iterations, least squares).
 *
 * Only where the memory is shared (Node, cross-origin isolated pages): a shared memory's views stay
 * valid when it grows, a private memory's are detached by growth. Elsewhere a plain array is
 * returned and the kernels copy it in as usual (same results, slower).
 *
 * Blocks are placed first-fit from HEAP_BASE; the per-call staging area starts above the highest
 * live block (stageBase). Released blocks are reused; the memory itself never shrinks.
 */
interface Block {
  at: number;
  bytes: number;
}

interface Residency {
  rt: WasmRuntime;
  /** Live blocks by address, ascending. */
  blocks: Block[];
  /** The SharedArrayBuffer objects the handed-out views were made on (a new one after each growth). */
  buffers: WeakSet<ArrayBufferLike>;
}

/**
 * One per runtime that handed out arrays. Usually there is one runtime; tests switch between the
 * SIMD and relaxed-SIMD modules, and each memory keeps its own blocks (forgetting one runtime's
 * live blocks on a switch would let a later array overlap them on the way back).
 */
const residencies = new Map<WasmRuntime, Residency>();

function residency(rt: WasmRuntime): Residency {
  let r = residencies.get(rt);
  if (!r) residencies.set(rt, (r = { rt, blocks: [], buffers: new WeakSet() }));
  return r;
}

const align = (b: number) => Math.ceil(b / 64) * 64;

/** Where the per-call staging area of `rt` starts: above every live resident block. */
export function stageBase(rt: WasmRuntime): number {
  const r = residencies.get(rt);
  if (!r || r.blocks.length === 0) return HEAP_BASE;
  const last = r.blocks[r.blocks.length - 1]!;
  return align(last.at + last.bytes);
}

type FloatCtor = Float32ArrayConstructor | Float64ArrayConstructor;

/**
 * A zero-filled array of `length` elements in the kernels' memory (a plain array where that memory
 * is not shared or the WebAssembly kernels do not run). Give it back with `releaseKernelArray`:
 * it is not freed by garbage collection. `{ zeroed: false }` skips the fill, as `torch.empty` does,
 * for an array about to be overwritten whole (e.g. by `t.dataSync(out)`): its values are then
 * whatever the memory held.
 */
export function kernelArray<C extends FloatCtor>(
  length: number,
  type: C,
  opts?: { zeroed?: boolean },
): InstanceType<C> {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new ArgumentError(`kernelArray: length must be an integer >= 0, got ${String(length)}`);
  }
  if (type !== Float32Array && type !== Float64Array) {
    throw new DtypeError(
      `kernelArray: type must be Float32Array or Float64Array, got ${String((type as { name?: string })?.name ?? type)}`,
    );
  }
  let zeroed = true;
  if (opts !== undefined) {
    for (const key of Object.keys(opts)) {
      if (key !== 'zeroed')
        throw new ArgumentError(`kernelArray: unknown option ${JSON.stringify(key)}; the options are zeroed`);
    }
    if (opts.zeroed !== undefined && typeof opts.zeroed !== 'boolean') {
      throw new ArgumentError(`kernelArray: zeroed must be a boolean, got ${String(opts.zeroed)}`);
    }
    zeroed = opts.zeroed ?? true;
  }
  const rt = wasmRuntime();
  if (!rt?.shared || length === 0) return new type(length) as InstanceType<C>;
  const r = residency(rt);
  const bytes = length * type.BYTES_PER_ELEMENT;
  // First fit between live blocks, else above the last one.
  let at = HEAP_BASE;
  let index = 0;
  for (; index < r.blocks.length; index++) {
    const b = r.blocks[index]!;
    if (at + bytes <= b.at) break;
    at = align(b.at + b.bytes);
  }
  ensureBytes(rt, at + bytes);
  r.blocks.splice(index, 0, { at, bytes });
  const buffer = rt.memory.buffer;
  r.buffers.add(buffer);
  const view = new type(buffer, at, length) as InstanceType<C>;
  if (zeroed) view.fill(0); // a reused block holds an earlier array's (or a staging area's) bytes
  return view;
}

/** Gives back an array from `kernelArray` (a plain array, or one given back already, is ignored). */
export function releaseKernelArray(a: Float32Array | Float64Array): void {
  for (const r of residencies.values()) {
    if (!r.buffers.has(a.buffer)) continue;
    const i = r.blocks.findIndex((b) => b.at === a.byteOffset);
    if (i >= 0) r.blocks.splice(i, 1);
    if (r.blocks.length === 0) residencies.delete(r.rt); // nothing left to track (a replaced runtime's memory can go)
    return;
  }
}

/**
 * The byte address of `a[0]` in `rt`'s memory when `a` lies within a live resident block, else -1
 * (then it is copied in like any array).
 */
export function residentAddress(
  rt: WasmRuntime,
  a: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number },
): number {
  const r = residencies.get(rt);
  if (!r || r.blocks.length === 0 || !r.buffers.has(a.buffer)) return -1;
  const lo = a.byteOffset;
  const hi = lo + a.byteLength;
  for (const b of r.blocks) if (lo >= b.at && hi <= b.at + b.bytes) return lo;
  return -1;
}

/** Bytes held by live resident arrays, over every runtime (tests). */
export function residentBytes(): number {
  let n = 0;
  for (const r of residencies.values()) for (const b of r.blocks) n += b.bytes;
  return n;
}
