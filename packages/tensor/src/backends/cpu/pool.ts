import type { DType, TypedArray } from '../../dtype.js';
import { itemSize, typedArrayFor } from '../../dtype.js';
import { requestGC } from '../../env.js';
import { currentOp, LumenError } from '../../errors.js';

/**
 * Recycles ArrayBuffers. On these VMs every fresh large allocation is page-faulted in again, so a
 * training loop that allocates the same activation sizes each step is much faster when it gets
 * yesterday's buffers back; and below that, a fresh array of a few KB still costs a zeroed backing
 * store outside the JS heap (16 KB: ~4 µs against ~0.05 µs for a view on a recycled buffer), which
 * made allocation the top item of a small MLP's profile. Arrays under 1 KB (and every array while
 * the pool has none of its size) are made fresh.
 */
const MIN_POOLED_BYTES = 1024;
/** Size classes: 4 per power of two, so a buffer wastes at most 19%. */
function sizeClass(bytes: number): number {
  const p = 2 ** Math.floor(Math.log2(bytes));
  const step = p / 4;
  return Math.ceil(bytes / step) * step;
}

const free = new Map<number, ArrayBuffer[]>();
let pooledBytes = 0;
/** Upper bound on idle bytes kept; beyond it released buffers go back to the GC. */
const MAX_POOLED_BYTES = 1024 * 1024 * 1024;

export function allocArray(dtype: DType, size: number): TypedArray {
  const bytes = size * itemSize(dtype);
  if (bytes < MIN_POOLED_BYTES) return typedArrayFor(dtype, size);
  try {
    return allocPooled(dtype, size, bytes);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new LumenError(
      `${currentOp()}: cannot allocate the cpu result, ${size} ${dtype} elements (${bytes} bytes): ${e.message}`,
    );
  }
}

function allocPooled(dtype: DType, size: number, bytes: number): TypedArray {
  const cls = sizeClass(bytes);
  const list = free.get(cls);
  const buf = list?.pop();
  if (buf) {
    pooledBytes -= cls;
    return view(dtype, buf, size);
  }
  // The engine sees a tensor as a small object and collects dead ones late; large arrays made since
  // the last collection are the signal to ask for one (a synchronous loop then stays flat).
  freshBytes += cls;
  if (freshBytes > GC_AFTER_BYTES) {
    freshBytes = 0;
    requestGC();
  }
  return view(dtype, new ArrayBuffer(cls), size);
}

const GC_AFTER_BYTES = 256 * 1024 * 1024;
let freshBytes = 0;

/** Returns an array obtained from allocArray; the caller must not use it afterwards. */
export function recycleArray(a: TypedArray): void {
  const buf = a.buffer as ArrayBuffer;
  const cls = buf.byteLength;
  if (cls < MIN_POOLED_BYTES || a.byteOffset !== 0 || sizeClass(cls) !== cls) return;
  if (pooledBytes + cls > MAX_POOLED_BYTES) return;
  let list = free.get(cls);
  if (!list) free.set(cls, (list = []));
  list.push(buf);
  pooledBytes += cls;
}

function view(dtype: DType, buf: ArrayBuffer, size: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(buf, 0, size);
    case 'float64':
      return new Float64Array(buf, 0, size);
    case 'int32':
      return new Int32Array(buf, 0, size);
    case 'bool':
      return new Uint8Array(buf, 0, size);
  }
}
