import { envVar, nodeBuiltin } from '../../../env.js';
import { LumenError } from '../../../errors.js';
import { relaxedPrivate, relaxedShared, simdPrivate, simdShared } from './modules.generated.js';

/**
 * The cpu backend's WebAssembly SIMD kernels (asm/gemm.ts, compiled by scripts/build-wasm.mjs).
 *
 * One instance per thread over one WebAssembly.Memory that grows to the high-water mark of what the
 * kernels were given and is then reused (never shrunk, never allocated per call). Where
 * SharedArrayBuffer exists the memory is shared, so the worker threads of threads.ts run the same
 * module on the same memory.
 *
 * Which build runs: relaxed SIMD (fused multiply-add) where WebAssembly.validate accepts it (Node ≥ 22,
 * current Chrome), else SIMD128 (Node 20), else none and the TypeScript kernels run. LUMEN_WASM
 * chooses by hand: `off` (TypeScript kernels), `simd` (SIMD128 even where relaxed SIMD validates),
 * `relaxed` (relaxed SIMD; on Node 20, whose V8 has it behind a flag, this turns that flag on for the
 * process; an error where it still does not validate).
 */
export type WasmKind = 'relaxed-simd' | 'simd128';
export type KernelMode = WasmKind | 'typescript';

export interface GemmExports {
  scratchBytes(bytes: number): number;
  gemmPath(M: number, N: number, K: number, brs: number, bcs: number): number;
  gemm_f32: GemmCall;
  gemm_f64: GemmCall;
  dynRows(bytes: number): number;
  dynWidth(K: number, bytes: number): number;
  dynScratchBytes(K: number, bytes: number): number;
  dynPath(N: number, K: number, bytes: number): number;
  gemm_dyn_f32: DynCall;
  gemm_dyn_f64: DynCall;
  gemm_packed_f32: GemmCall;
  gemm_packed_f64: GemmCall;
  gemm_skinny_f32: GemmCall;
  gemm_skinny_f64: GemmCall;
  exp_f32(n: number, x: number, out: number): void;
  exp_f64(n: number, x: number, out: number): void;
  tanh_f32(n: number, x: number, out: number): void;
  gelu_tanh_f32(n: number, x: number, out: number): void;
  erf_f32(n: number, x: number, out: number): void;
  gelu_f32(n: number, x: number, out: number): void;
  philox_words(n: number, cLo: number, cHi: number, k0: number, k1: number, words: number, out: number): void;
  layernorm_f32(
    rows: number,
    cols: number,
    x: number,
    w: number,
    b: number,
    eps: number,
    y: number,
    mean: number,
    rstd: number,
  ): void;
  layernorm_backward_f32(
    rows: number,
    cols: number,
    g: number,
    x: number,
    mean: number,
    rstd: number,
    w: number,
    dx: number,
    dw: number,
    db: number,
  ): void;
  xent_f32(
    rows: number,
    cols: number,
    x: number,
    target: number,
    ignore: number,
    loss: number,
    stats: number,
  ): void;
  xent_backward_f32(
    rows: number,
    cols: number,
    x: number,
    target: number,
    ignore: number,
    stats: number,
    g: number,
    dx: number,
  ): void;
  where_f32(n: number, c: number, a: number, as: number, b: number, bs: number, out: number): void;
  where_f64(n: number, c: number, a: number, as: number, b: number, bs: number, out: number): void;
  philox_uniform_f32_at(
    n: number,
    cLo: number,
    cHi: number,
    k0: number,
    k1: number,
    ab: number,
    out: number,
  ): void;
  philox_uniform_f32(
    n: number,
    cLo: number,
    cHi: number,
    k0: number,
    k1: number,
    a: number,
    b: number,
    out: number,
  ): void;
  softmax_f32(rows: number, cols: number, x: number, out: number, log: number): void;
  softmax_f64(rows: number, cols: number, x: number, out: number, log: number): void;
  adam_f32_at(
    n: number,
    p: number,
    g: number,
    m: number,
    v: number,
    vmax: number,
    sc: number,
    flags: number,
  ): void;
  adam_f64_at(
    n: number,
    p: number,
    g: number,
    m: number,
    v: number,
    vmax: number,
    sc: number,
    flags: number,
  ): void;
  adam_f32: AdamCall;
  adam_f64: AdamCall;
  add_f32: BinaryCall;
  sub_f32: BinaryCall;
  mul_f32: BinaryCall;
  div_f32: BinaryCall;
  add_f64: BinaryCall;
  sub_f64: BinaryCall;
  mul_f64: BinaryCall;
  div_f64: BinaryCall;
  reluBackward_f32: BinaryCall;
  reluBackward_f64: BinaryCall;
  geluBackward_f32: BinaryCall;
  compare_f32(op: number, n: number, a: number, as: number, b: number, bs: number, out: number): void;
  colsum_f32(rows: number, cols: number, x: number, acc: number, first: number): void;
  colsum_f64(rows: number, cols: number, x: number, acc: number, first: number): void;
  relu_f32(n: number, x: number, out: number): void;
  relu_f64(n: number, x: number, out: number): void;
  gram_f64(
    s0: number,
    s1: number,
    stripes: number,
    m: number,
    n: number,
    x: number,
    out: number,
    scratch: number,
  ): void;
  gramScratchBytes(n: number): number;
  center_f64(m: number, n: number, x: number, mean: number): void;
  lloydScratchBytes(k: number, gemmScratch: number): number;
  lloyd_f64(
    s0: number,
    s1: number,
    stripes: number,
    n: number,
    d: number,
    k: number,
    x: number,
    centers: number,
    cnorms: number,
    labels: number,
    sums: number,
    scratch: number,
  ): void;
}
type BinaryCall = (
  rows: number,
  cols: number,
  a: number,
  as: number,
  b: number,
  bs: number,
  out: number,
) => void;
type AdamCall = (
  n: number,
  p: number,
  g: number,
  m: number,
  v: number,
  vmax: number,
  beta1: number,
  beta2: number,
  eps: number,
  l2: number,
  decay: number,
  stepSize: number,
  bc2Sqrt: number,
  maximize: number,
  amsgrad: number,
) => void;
type GemmCall = (
  M: number,
  N: number,
  K: number,
  a: number,
  ars: number,
  acs: number,
  b: number,
  brs: number,
  bcs: number,
  c: number,
  ldc: number,
  scratch: number,
) => void;

/**
 * gemm_dyn_*: C (row stride N), the thread's scratch (its strip and one-item words first) and the
 * work area (see asm/gemm.ts) at the end. Returns the item it computed when told to stop after one,
 * else (and when none is left) -1.
 */
type DynCall = (
  M: number,
  N: number,
  K: number,
  a: number,
  ars: number,
  acs: number,
  b: number,
  brs: number,
  bcs: number,
  c: number,
  scratch: number,
  work: number,
) => number;

export interface WasmRuntime {
  readonly kind: WasmKind;
  readonly shared: boolean;
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly exports: GemmExports;
}

const PAGE = 65536;
/** The memory's limit in pages (4 GiB): reserved address space, committed only as it grows. */
export const MAX_PAGES = 65536;
/** Bytes below this address are left to the module (it keeps no data there today). */
export const HEAP_BASE = PAGE;

function decode(b64: string): Uint8Array<ArrayBuffer> {
  const g = globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } };
  if (g.Buffer) {
    const b = g.Buffer.from(b64, 'base64');
    return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  }
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

let runtime: WasmRuntime | null | undefined;
/** Set by tests to run the same suite on every path; null = from LUMEN_WASM and the host. */
let forced: KernelMode | null = null;
let generation = 0;

function canShare(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  const coi = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  return coi !== false;
}

function wanted(): KernelMode | 'auto' {
  if (forced) return forced;
  const v = envVar('LUMEN_WASM');
  if (v === undefined || v === '' || v === 'auto') return 'auto';
  if (v === 'off' || v === '0') return 'typescript';
  if (v === 'simd') return 'simd128';
  if (v === 'relaxed') return 'relaxed-simd';
  throw new LumenError(`LUMEN_WASM must be one of auto, off, simd, relaxed; got ${JSON.stringify(v)}`);
}

function load(): WasmRuntime | null {
  const want = wanted();
  if (want === 'typescript' || typeof WebAssembly !== 'object') return null;
  const shared = canShare();
  const candidates: [WasmKind, string][] = [];
  if (want === 'auto' || want === 'relaxed-simd')
    candidates.push(['relaxed-simd', shared ? relaxedShared : relaxedPrivate]);
  if (want === 'auto' || want === 'simd128') candidates.push(['simd128', shared ? simdShared : simdPrivate]);
  for (const [kind, b64] of candidates) {
    const bytes = decode(b64);
    if (!WebAssembly.validate(bytes) && !(kind === want && enableRelaxedSimd(bytes))) continue;
    let module: WebAssembly.Module;
    try {
      module = new WebAssembly.Module(bytes);
    } catch {
      // A browser's main thread refuses to compile more than a few KiB synchronously: compile in
      // the background and run the TypeScript kernels until it is done (cpuKernelsReady() waits).
      const gen = generation;
      pending = WebAssembly.compile(bytes)
        .then((m) => {
          if (gen === generation) {
            runtime = instantiate(kind, shared, m);
            generation++;
          }
        })
        .catch(() => {})
        .finally(() => {
          pending = null;
        });
      return null;
    }
    const rt = instantiate(kind, shared, module);
    if (rt) return rt;
  }
  if (want === 'relaxed-simd') {
    throw new LumenError(
      'LUMEN_WASM=relaxed: this host does not accept WebAssembly relaxed SIMD (Node >= 20 or a current browser needed)',
    );
  }
  return null;
}

/**
 * LUMEN_WASM=relaxed on Node 20: V8 11.3 implements relaxed SIMD behind --experimental-wasm-relaxed-simd
 * (on by default from V8 11.4: Node 22, Chrome 114). The user asked for those kernels, so turn the
 * flag on for this process, as `node --experimental-wasm-relaxed-simd` would, and validate again.
 * The worker threads get the compiled module, so they need nothing more.
 */
function enableRelaxedSimd(bytes: Uint8Array<ArrayBuffer>): boolean {
  const v8 = nodeBuiltin<{ setFlagsFromString(flags: string): void }>('node:v8');
  if (!v8) return false;
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(bytes);
}

function instantiate(kind: WasmKind, shared: boolean, module: WebAssembly.Module): WasmRuntime | null {
  try {
    const memory = new WebAssembly.Memory({
      initial: 2,
      maximum: MAX_PAGES,
      shared,
    } as WebAssembly.MemoryDescriptor);
    const instance = new WebAssembly.Instance(module, { env: { memory, abort: abortFromWasm } });
    return { kind, shared, module, memory, exports: instance.exports as unknown as GemmExports };
  } catch {
    // A host that refuses shared memory (or this much of it): the next build, then TypeScript.
    return null;
  }
}

let pending: Promise<void> | null = null;

/**
 * Resolves with the kernels the cpu backend runs once they are loaded. In Node they load on first
 * use, synchronously; a browser's main thread compiles them in the background, and until then the
 * cpu backend runs its TypeScript kernels (same results, slower): await this to start on them.
 */
export async function cpuKernelsReady(): Promise<KernelMode> {
  wasmRuntime();
  if (pending) await pending;
  return cpuKernels();
}

function abortFromWasm(): never {
  throw new LumenError('cpu kernel: WebAssembly module aborted');
}

/**
 * Runtimes already loaded, by what was asked for (a forced mode or 'auto'): forceKernels switches
 * back to one instead of loading another. Every load reserves a fresh shared memory's address
 * space, and V8 refuses new ones after about a hundred in one process (the kernels then fell back
 * to the private build, silently, in a test file that switched modes a few dozen times).
 */
const loaded = new Map<string, WasmRuntime | null>();

/** The kernels of this thread, loaded on first use; null when the TypeScript kernels run. */
export function wasmRuntime(): WasmRuntime | null {
  if (runtime === undefined) {
    const key = wanted();
    runtime = load();
    // not while a browser compiles in the background (the runtime comes later)
    if (!pending) loaded.set(key, runtime);
  }
  return runtime;
}

/** Which kernels the cpu backend runs here: 'relaxed-simd', 'simd128' or 'typescript'. */
export function cpuKernels(): KernelMode {
  return wasmRuntime()?.kind ?? 'typescript';
}

/**
 * Tests: run on one path (`null` = back to LUMEN_WASM and the host). The runtime of that path is
 * reused when it was loaded before (its memory and resident arrays as they were); `{ fresh: true }`
 * loads a new one with a fresh memory.
 */
export function forceKernels(mode: KernelMode | null, opts: { fresh?: boolean } = {}): void {
  forced = mode;
  let reuse: WasmRuntime | null | undefined;
  try {
    reuse = opts.fresh ? undefined : loaded.get(wanted());
  } catch {
    reuse = undefined; // a bad LUMEN_WASM: the next use says so
  }
  runtime = reuse;
  cache = null;
  generation++;
}

/** Bumped whenever the runtime is replaced (worker threads restart on a new one). */
export function runtimeGeneration(): number {
  return generation;
}

/** Grows the memory so that [0, bytes) is addressable; never shrinks. */
export function ensureBytes(rt: WasmRuntime, bytes: number): void {
  const have = rt.memory.buffer.byteLength;
  if (bytes <= have) return;
  const pages = Math.ceil(bytes / PAGE);
  if (pages > MAX_PAGES) {
    throw new LumenError(
      `cpu kernel: operands need ${bytes} bytes of WebAssembly memory, more than its 4 GiB limit`,
    );
  }
  rt.memory.grow(pages - have / PAGE);
}

interface Views {
  buffer: ArrayBufferLike;
  f32: Float32Array;
  f64: Float64Array;
}
let cache: Views | null = null;

/** Typed views of the whole memory, made again after it grew. */
export function views(rt: WasmRuntime): Views {
  const buffer = rt.memory.buffer;
  if (!cache || cache.buffer.byteLength !== buffer.byteLength || (!rt.shared && cache.buffer !== buffer)) {
    cache = { buffer, f32: new Float32Array(buffer), f64: new Float64Array(buffer) };
  }
  return cache;
}

/** Bytes of WebAssembly memory the cpu kernels hold now (their high-water mark). */
export function wasmMemoryBytes(): number {
  return runtime ? runtime.memory.buffer.byteLength : 0;
}
