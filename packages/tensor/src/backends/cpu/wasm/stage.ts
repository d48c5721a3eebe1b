import type { TypedArray } from '../../../dtype.js';
import { stageBase } from './resident.js';
import { ensureBytes, views, type WasmRuntime } from './runtime.js';

export type Floats = Float32Array | Float64Array;

/** The first and last element a rows×cols view at `off` with strides (rs, cs) touches (rows, cols > 0). */
export function extent(off: number, rows: number, cols: number, rs: number, cs: number): [number, number] {
  return [
    off + Math.min(0, (rows - 1) * rs) + Math.min(0, (cols - 1) * cs),
    off + Math.max(0, (rows - 1) * rs) + Math.max(0, (cols - 1) * cs),
  ];
}

/**
 * Getting strided operands into WebAssembly memory without reordering them: the elements a
 * rows×cols view touches are copied as one block (a memcpy) and the kernel reads them through
 * the view's own strides, so transposed, sliced or flipped operands cost the same as contiguous
 * ones. Only a view that touches a small part of a large block (a narrow slice of a big
 * tensor) is gathered element by element instead.
 */
export interface Staged {
  /** Elements the operand takes in WebAssembly memory. */
  readonly elements: number;
  /** Where the block starts in the source, or -1 to gather. */
  readonly lo: number;
  /** Element offset of [0][0] within the staged block, and the strides to read it with. */
  readonly base: number;
  readonly rs: number;
  readonly cs: number;
}

export function planOperand(off: number, rows: number, cols: number, rs: number, cs: number): Staged {
  const n = rows * cols;
  if (n === 0) return { elements: 0, lo: -1, base: 0, rs: cols, cs: 1 };
  const [lo, hi] = extent(off, rows, cols, rs, cs);
  const span = hi - lo + 1;
  if (span <= 2 * n + 4096) return { elements: span, lo, base: off - lo, rs, cs };
  return { elements: n, lo: -1, base: 0, rs: cols, cs: 1 };
}

/** Copies the operand planned by `planOperand` into `dst` from element `at` on. */
export function stageOperand(
  plan: Staged,
  src: TypedArray,
  off: number,
  rows: number,
  cols: number,
  rs: number,
  cs: number,
  dst: Floats,
  at: number,
): void {
  if (plan.elements === 0) return;
  if (plan.lo >= 0) {
    dst.set(src.subarray(plan.lo, plan.lo + plan.elements) as Float32Array & Float64Array, at);
    return;
  }
  for (let i = 0; i < rows; i++) {
    const s = off + i * rs;
    const d = at + i * cols;
    if (cs === 1) dst.set(src.subarray(s, s + cols) as Float32Array & Float64Array, d);
    else for (let j = 0; j < cols; j++) dst[d + j] = src[s + j * cs]!;
  }
}

/** Rounds a byte count up to a multiple of 64 (a cache line; v128 loads are then aligned). */
export function align64(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}

/**
 * A region of WebAssembly memory: `n` elements, filled by `write` (given the memory and the
 * region's first element index) when given.
 */
export interface Region {
  n: number;
  write?: (mem: Floats, at: number) => void;
}

/** A region holding n elements of `src` from `offset` (a memcpy). */
export function copyOf(src: TypedArray, offset: number, n: number): Region {
  return { n, write: (mem, at) => mem.set((src as Floats).subarray(offset, offset + n), at) };
}

/**
 * Lays regions out one after another from the staging base (above any resident arrays, see
 * resident.ts; each region 64-byte aligned), grows the memory to fit, writes them, and returns the
 * memory's view of element size E and each region's byte address. Every kernel call does this
 * afresh: the memory is only ever as large as the largest call's layout.
 */
export function stageIn(
  rt: WasmRuntime,
  E: 4 | 8,
  regions: readonly Region[],
): { mem: Floats; at: number[] } {
  const at: number[] = [];
  let p = stageBase(rt);
  for (const r of regions) {
    at.push(p);
    p = align64(p + r.n * E);
  }
  ensureBytes(rt, p);
  const v = views(rt);
  const mem: Floats = E === 4 ? v.f32 : v.f64;
  for (const [k, r] of regions.entries()) r.write?.(mem, at[k]! / E);
  return { mem, at };
}

/** Copies n elements at byte address `at` of `mem` out to `dst` from `offset`. */
export function copyOut(mem: Floats, at: number, n: number, dst: TypedArray, offset = 0): void {
  const E = mem.BYTES_PER_ELEMENT;
  (dst as Floats).set(mem.subarray(at / E, at / E + n), offset);
}
