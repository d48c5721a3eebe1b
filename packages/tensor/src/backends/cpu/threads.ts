import type { TypedArray } from '../../dtype.js';
import { envVar, nodeBuiltin } from '../../env.js';
import { ArgumentError, LumenError } from '../../errors.js';
import { warn } from '../../warnings.js';
import { type GemmFn, gemmSerial, makeGemm } from './matmul.js';
import { residentAddress } from './wasm/resident.js';
import { runtimeGeneration, type WasmRuntime, wasmRuntime } from './wasm/runtime.js';
import {
  align64,
  copyOut,
  extent,
  type Floats,
  planOperand,
  type Staged,
  stageIn,
  stageOperand,
} from './wasm/stage.js';

/**
 * The cpu GEMM on several cores, still synchronous for the caller (PyTorch's intra-op threads).
 *
 * In Node, worker threads run the same GEMM source (`makeGemm`) on shared memory: the caller copies
 * B and the workers' rows of A into a SharedArrayBuffer, wakes the workers with Atomics, computes
 * its own rows in place, then blocks in Atomics.wait until the workers' rows are done and copies
 * them out. Rows are split, never the K sum, so every element is computed by the same operations
 * in the same order as on one thread: results are bit-identical whatever the thread count.
 *
 * Threads: LUMEN_NUM_THREADS, else the machine's available parallelism (at most 8). Browsers
 * (no blocking waits on the main thread) and products below THREADED_MACS run on one thread.
 */
const THREADED_MACS = 4_000_000;
/** Each thread gets at least this many rows (fewer would not pay for the copies). */
const MIN_ROWS = 16;
/** In a product split by columns, each thread gets at least this many columns. */
const MIN_COLS = 64;

const IDLE = 0;
const JOB = 1;
const DONE = 2;
const FAILED = 3;
/**
 * ctrl words. TypeScript kernels: [state, dtype, M, N, K, aOff, bOff, cOff] (offsets in elements
 * of the shared buffer). WebAssembly kernels (CALL_JOB in the last word): ctrl[1] is the kernel's
 * index in CALLS, ctrl[2..2+ctrl[14]) its i32 arguments (byte addresses in the shared WebAssembly
 * memory, and counts).
 */
const CTRL_WORDS = 16;
const MODE_WORD = 15;
const CALL_JOB = 2;
/** The WebAssembly exports a CALL_JOB may run (see `wasmParallel`). */
const CALLS = [
  'gemm_dyn_f32',
  'gemm_dyn_f64',
  'gemm_packed_f32',
  'gemm_packed_f64',
  'gemm_skinny_f32',
  'gemm_skinny_f64',
  'lloyd_f64',
  'gram_f64',
  'philox_uniform_f32_at',
  'adam_f32_at',
  'adam_f64_at',
  'exp_f32',
  'tanh_f32',
  'erf_f32',
  'gelu_f32',
  'gelu_tanh_f32',
  'geluBackward_f32',
  'softmax_f32',
  'softmax_f64',
  'xent_f32',
  'xent_backward_f32',
] as const;
export type ParallelKernel = (typeof CALLS)[number];

interface WorkerLike {
  on(event: 'error', fn: (e: unknown) => void): void;
  unref(): void;
  terminate(): Promise<number>;
}
interface WorkerThreads {
  Worker: new (src: string, opts: { eval: true; workerData: unknown; transferList: unknown[] }) => WorkerLike;
  MessageChannel: new () => { port1: PortLike; port2: PortLike };
}
interface PortLike {
  postMessage(v: unknown): void;
  unref?(): void;
  close(): void;
}

interface Lane {
  worker: WorkerLike;
  ctrl: Int32Array;
  port: PortLike;
}

type SharedCtor = {
  new (buffer: SharedArrayBuffer, byteOffset: number, length: number): TypedArray;
  readonly BYTES_PER_ELEMENT: number;
};
const DTYPES = [Float32Array, Float64Array, Int32Array] as unknown as readonly SharedCtor[];

function workerSource(): string {
  // \`__name\`: bundlers that keep function names (esbuild's keepNames) call it inside the source.
  return `
// process.getBuiltinModule, not require: an eval'd worker is an ES module under --input-type=module.
const { workerData, receiveMessageOnPort } = typeof require === 'function'
  ? require('node:worker_threads')
  : process.getBuiltinModule('node:worker_threads');
const __name = (f) => f;
const DTYPES = [Float32Array, Float64Array, Int32Array];
const ctrl = new Int32Array(workerData.ctrl);
const port = workerData.port;
(function () {
  let gemm;
  let wasm = null;
  try {
    gemm = (${makeGemm.toString()})();
    if (workerData.module) {
      const abort = () => { throw new Error('WebAssembly module aborted'); };
      wasm = new WebAssembly.Instance(workerData.module, { env: { memory: workerData.memory, abort } }).exports;
    }
  } catch (e) {
    Atomics.store(ctrl, 0, ${FAILED});
    Atomics.notify(ctrl, 0);
    return;
  }
  let buffer = null;
  Atomics.store(ctrl, 0, ${IDLE});
  Atomics.notify(ctrl, 0);
  for (;;) {
    Atomics.wait(ctrl, 0, ${IDLE});
    if (Atomics.load(ctrl, 0) !== ${JOB}) continue;
    try {
      if (ctrl[${MODE_WORD}] === ${CALL_JOB}) {
        wasm[${JSON.stringify(CALLS)}[ctrl[1]]](...Array.from(ctrl.subarray(2, 2 + ctrl[14])));
        Atomics.store(ctrl, 0, ${DONE});
        Atomics.notify(ctrl, 0);
        continue;
      }
      let m;
      while ((m = receiveMessageOnPort(port))) buffer = m.message;
      const T = DTYPES[ctrl[1]];
      const M = ctrl[2], N = ctrl[3], K = ctrl[4];
      const bytes = T.BYTES_PER_ELEMENT;
      const A = new T(buffer, ctrl[5] * bytes, M * K);
      const B = new T(buffer, ctrl[6] * bytes, K * N);
      const C = new T(buffer, ctrl[7] * bytes, M * N);
      gemm(M, N, K, A, 0, K, 1, B, 0, N, 1, C, 0);
      Atomics.store(ctrl, 0, ${DONE});
    } catch (e) {
      Atomics.store(ctrl, 0, ${FAILED});
    }
    // Hold no reference between jobs: the caller posts the buffer with every job, so an idle
    // shared buffer can be collected once the caller lets go of it.
    buffer = null;
    Atomics.notify(ctrl, 0);
  }
})();
`;
}

let lanes: Lane[] | null = null;
/** The WebAssembly runtime generation the lanes were started for (-1: TypeScript kernels). */
let lanesFor = -1;
/**
 * The operands' shared copy (TypeScript kernels): grown as needed and kept for the next product.
 * After RELEASE_MS without one, it is dropped and those workers stop (an idle worker never collects
 * its garbage, so only its exit frees its hold on the buffer): a single large product must not pin
 * its memory for the process's life. The next large product starts them again (tens of
 * milliseconds). Workers of the WebAssembly kernels are kept (see scheduleRelease).
 */
let shared: SharedArrayBuffer | null = null;
const RELEASE_MS = 2000;
let lastUse = 0;
let releaseTimer: { unref?: () => void } | null = null;

function scheduleRelease(): void {
  lastUse = Date.now();
  if (releaseTimer) return;
  const check = () => {
    const idle = Date.now() - lastUse;
    if (idle >= RELEASE_MS) {
      shared = null;
      releaseTimer = null;
      // Workers of the WebAssembly kernels stay: they hold only the kernels' memory, which this
      // thread keeps anyway, and a restarted worker runs its first products slower (start-up and
      // its kernels' baseline code: a 1024 f32 product after a pause ran at 41 GFLOP/s, not 60).
      if (lanesFor < 0) shutdown();
      return;
    }
    releaseTimer = setTimeout(check, RELEASE_MS - idle) as { unref?: () => void };
    releaseTimer.unref?.();
  };
  releaseTimer = setTimeout(check, RELEASE_MS) as { unref?: () => void };
  releaseTimer.unref?.();
}

/** Bytes of the threads' shared operand buffer now held (0 once released). */
export function sharedBytes(): number {
  return shared?.byteLength ?? 0;
}
let wanted: number | null = null;
/** Set when workers could not start here: never tried again (one thread from then on). */
let unavailable = false;

/** The cores this process may use (1 where that cannot be known). */
function coreCount(): number {
  const os = nodeBuiltin<{ availableParallelism?: () => number; cpus: () => unknown[] }>('node:os');
  return os ? (os.availableParallelism ? os.availableParallelism() : os.cpus().length) : 1;
}

let warnedClamp = false;
/** More threads than cores only adds contention (they spin-wait for each other): capped, once said. */
function clampToCores(n: number, source: string): number {
  const cores = coreCount();
  if (n <= cores) return n;
  if (!warnedClamp) {
    warnedClamp = true;
    warn(
      'RuntimeWarning',
      `[lumen] ${source} asks for ${n} threads but this machine has ${cores} cores; using ${cores}`,
    );
  }
  return cores;
}

/**
 * The default count: LUMEN_NUM_THREADS, else the available cores (at most 8). Read when this module
 * loads, so a malformed LUMEN_NUM_THREADS is an error at import, not at the first large product.
 */
const defaultThreads: number = (() => {
  const env = envVar('LUMEN_NUM_THREADS');
  if (env === undefined || env === '') return Math.min(8, coreCount());
  const n = Number(env);
  if (!/^\s*\d+\s*$/.test(env) || !Number.isSafeInteger(n) || n < 1)
    throw new ArgumentError(`LUMEN_NUM_THREADS must be an integer >= 1, got ${JSON.stringify(env)}`);
  return clampToCores(n, 'LUMEN_NUM_THREADS');
})();

function threadCount(): number {
  return wanted ?? defaultThreads;
}

let warnedUnavailable = false;
/** Workers that cannot start here: one thread from then on, said once (not silently slower). */
function markUnavailable(why: string): void {
  unavailable = true;
  if (warnedUnavailable) return;
  warnedUnavailable = true;
  warn(
    'RuntimeWarning',
    `[lumen] cpu worker threads could not start (${why}); matrix products run on one thread`,
  );
}

/** Starts the workers once; none when this host cannot block on Atomics (a browser) or start them. */
function ensureLanes(rt: WasmRuntime | null): Lane[] {
  const want = unavailable ? 0 : Math.max(0, threadCount() - 1);
  const key = rt ? runtimeGeneration() : -1;
  if (lanes && lanes.length === want && lanesFor === key) return lanes;
  shutdown();
  lanes = [];
  lanesFor = key;
  if (want === 0 || typeof SharedArrayBuffer === 'undefined') return lanes;
  const wt = nodeBuiltin<WorkerThreads>('node:worker_threads');
  if (!wt) return lanes;
  const src = workerSource();
  for (let i = 0; i < want; i++) {
    const ctrl = new Int32Array(new SharedArrayBuffer(CTRL_WORDS * 4));
    ctrl[0] = -1; // not started
    const { port1, port2 } = new wt.MessageChannel();
    let worker: WorkerLike;
    try {
      worker = new wt.Worker(src, {
        eval: true,
        workerData: {
          ctrl: ctrl.buffer,
          port: port2,
          module: rt?.module ?? null,
          memory: rt?.memory ?? null,
        },
        transferList: [port2],
      });
    } catch (e) {
      markUnavailable(e instanceof Error ? e.message : String(e));
      break;
    }
    // A worker's uncaught error would otherwise be rethrown in this thread.
    worker.on('error', () => {});
    worker.unref();
    port1.unref?.();
    // Wait (bounded) for the worker to come up; a worker that does not is not used.
    Atomics.wait(ctrl, 0, -1, 10_000);
    if (Atomics.load(ctrl, 0) !== IDLE) {
      void worker.terminate();
      markUnavailable(Atomics.load(ctrl, 0) === FAILED ? 'the worker failed to set up' : 'no answer in 10 s');
      break;
    }
    lanes.push({ worker, ctrl, port: port1 });
  }
  return lanes;
}

function shutdown(): void {
  if (!lanes) return;
  for (const l of lanes) {
    void l.worker.terminate();
    l.port.close();
  }
  lanes = null;
}

/** Row blocks the workers computed, and those they failed (then computed here). */
export const stats = { done: 0, failed: 0 };

/**
 * For tests. `beforeStagingA`: called in a shared product after the workers start and before this
 * thread stages A, so that a test can hold the staging back and see that the workers wait for the
 * rows they need. `brokenWorkerScratch`: the workers of a shared product get a scratch region at
 * the very end of the memory, so that each takes an item and then traps (out of bounds) on its
 * first write of it: the recovery from a worker failing mid-product.
 */
export const hooks: { beforeStagingA: (() => void) | null; brokenWorkerScratch: boolean } = {
  beforeStagingA: null,
  brokenWorkerScratch: false,
};

/**
 * Blocks until the lane's job is over and sets it idle: true when it was done, false when the
 * worker failed it (the caller then computes that block itself). Counted in `stats`.
 */
function joinLane(lane: Lane): boolean {
  const c = lane.ctrl;
  while (Atomics.load(c, 0) === JOB) Atomics.wait(c, 0, JOB, 1000);
  const state = Atomics.load(c, 0);
  Atomics.store(c, 0, IDLE);
  if (state === DONE) {
    stats.done++;
    return true;
  }
  stats.failed++;
  return false;
}

/** Sets the number of threads the cpu GEMM uses (1 = this thread only); `null` restores the default. */
export function setCpuThreads(n: number | null): void {
  wanted = n;
  unavailable = false;
}

/** How many threads a large product would use now. */
export function cpuThreads(): number {
  return ensureLanes(sharedRuntime()).length + 1;
}

/** The WebAssembly kernels when their memory can be shared with worker threads. */
function sharedRuntime(): WasmRuntime | null {
  const rt = wasmRuntime();
  return rt?.shared ? rt : null;
}

/**
 * torch.set_num_threads: the threads the cpu backend's matrix products use (this one included).
 * 1 keeps everything on the calling thread. Without a call: LUMEN_NUM_THREADS, else the available
 * cores (at most 8). Browsers always use one.
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new ArgumentError(`setNumThreads: n must be an integer >= 1, got ${String(n)}`);
  }
  setCpuThreads(clampToCores(n, 'setNumThreads'));
}

/** torch.get_num_threads: the threads a large cpu matrix product uses here. */
export function getNumThreads(): number {
  return cpuThreads();
}

function dtypeCode(a: TypedArray): number {
  if (a instanceof Float32Array) return 0;
  if (a instanceof Float64Array) return 1;
  if (a instanceof Int32Array) return 2;
  return -1;
}

/**
 * C[M,N] = A[M,K] · B[K,N] on typed arrays (the cpu backend's kernel): A read at ao + i·ars + k·acs, B at bo + k·brs + j·bcs, C written contiguously
 * from co; A, B and C of one type (Float32Array, Float64Array or Int32Array). Several threads when
 * the product is large enough to pay for it.
 */
export const gemm: GemmFn = (M, N, K, A, ao, ars, acs, B, bo, brs, bcs, C, co) => {
  const floats =
    (C instanceof Float32Array && A instanceof Float32Array && B instanceof Float32Array) ||
    (C instanceof Float64Array && A instanceof Float64Array && B instanceof Float64Array);
  const rt = floats ? wasmRuntime() : null;
  if (rt) {
    wasmGemm(rt, M, N, K, A, ao, ars, acs, B, bo, brs, bcs, C, co);
    return;
  }
  if (M * N * K < THREADED_MACS || M < 2 * MIN_ROWS) {
    gemmSerial(M, N, K, A, ao, ars, acs, B, bo, brs, bcs, C, co);
    return;
  }
  const code = dtypeCode(C);
  if (code < 0 || dtypeCode(A) !== code || dtypeCode(B) !== code) {
    gemmSerial(M, N, K, A, ao, ars, acs, B, bo, brs, bcs, C, co);
    return;
  }
  const ls = ensureLanes(sharedRuntime());
  const parts = Math.min(ls.length + 1, Math.floor(M / MIN_ROWS));
  if (parts < 2) {
    gemmSerial(M, N, K, A, ao, ars, acs, B, bo, brs, bcs, C, co);
    return;
  }
  const T = DTYPES[code]!;
  const bytes = T.BYTES_PER_ELEMENT;
  // Row ranges: this thread takes the first, lane i the (i+1)-th. One shared buffer holds B once,
  // then each lane's rows of A, then each lane's rows of C.
  const per = Math.ceil(M / parts);
  const laneRows = M - per;
  const aBase = K * N;
  const cBase = aBase + laneRows * K;
  const need = (cBase + laneRows * N) * bytes;
  if (!shared || shared.byteLength < need) {
    shared = new SharedArrayBuffer(Math.max(need, Math.ceil((shared?.byteLength ?? 0) * 1.5)));
  }
  const sh = new T(shared, 0, cBase + laneRows * N);
  copyMatrix(B, bo, brs, bcs, K, N, sh, 0);
  const jobs: { lane: Lane; r0: number; rows: number; cOff: number }[] = [];
  for (let p = 1; p < parts; p++) {
    const r0 = p * per;
    const rows = Math.min(M, r0 + per) - r0;
    if (rows <= 0) break;
    const lane = ls[p - 1]!;
    const aOff = aBase + (r0 - per) * K;
    const cOff = cBase + (r0 - per) * N;
    copyMatrix(A, ao + r0 * ars, ars, acs, rows, K, sh, aOff);
    lane.port.postMessage(shared);
    const c = lane.ctrl;
    c[1] = code;
    c[2] = rows;
    c[3] = N;
    c[4] = K;
    c[5] = aOff;
    c[6] = 0;
    c[7] = cOff;
    c[MODE_WORD] = 0;
    Atomics.store(c, 0, JOB);
    Atomics.notify(c, 0);
    jobs.push({ lane, r0, rows, cOff });
  }
  gemmSerial(Math.min(per, M), N, K, A, ao, ars, acs, B, bo, brs, bcs, C, co);
  scheduleRelease();
  for (const j of jobs) {
    if (joinLane(j.lane)) C.set(sh.subarray(j.cOff, j.cOff + j.rows * N), co + j.r0 * N);
    else gemmSerial(j.rows, N, K, A, ao + j.r0 * ars, ars, acs, B, bo, brs, bcs, C, co + j.r0 * N);
  }
};

/** dst[off + i*cols + j] = src[so + i*rs + j*cs]: a strided rows×cols matrix made contiguous. */
function copyMatrix(
  src: TypedArray,
  so: number,
  rs: number,
  cs: number,
  rows: number,
  cols: number,
  dst: TypedArray,
  off: number,
): void {
  if (cs === 1 && rs === cols) {
    dst.set(src.subarray(so, so + rows * cols), off);
    return;
  }
  for (let i = 0; i < rows; i++) {
    const s = so + i * rs;
    const d = off + i * cols;
    if (cs === 1) dst.set(src.subarray(s, s + cols), d);
    else for (let j = 0; j < cols; j++) dst[d + j] = src[s + j * cs]!;
  }
}

const scratchSize = new Map<number, number>();

/** A resident operand: nothing to stage; [0][0] is `off` elements from the array's start. */
function inPlace(off: number, rs: number, cs: number): Staged {
  return { elements: 0, lo: -1, base: off, rs, cs };
}

/**
 * The product on the WebAssembly kernels: both operands are staged into the module's memory (see
 * stage.ts), C is computed there and copied out. A large product is split by rows or columns of C
 * between this thread and the workers, all on the one shared memory; never along K, and the kernel
 * computes each element the same way in any tile, so the result is the same bits for any thread
 * count.
 */
function wasmGemm(
  rt: WasmRuntime,
  M: number,
  N: number,
  K: number,
  A: TypedArray,
  ao: number,
  ars: number,
  acs: number,
  B: TypedArray,
  bo: number,
  brs: number,
  bcs: number,
  C: TypedArray,
  co: number,
): void {
  if (M === 0 || N === 0) return;
  if (K === 0) {
    C.fill(0, co, co + M * N);
    return;
  }
  const f32 = C instanceof Float32Array;
  const E = f32 ? 4 : 8;
  const ex = rt.exports;
  let sb = scratchSize.get(E);
  if (sb === undefined) scratchSize.set(E, (sb = align64(ex.scratchBytes(E))));
  // An operand that already lives in the kernels' memory (kernelArray) is read where it is.
  const raAt = residentAddress(rt, A);
  const rbAt = residentAddress(rt, B);
  const pa: Staged = raAt >= 0 ? inPlace(ao, ars, acs) : planOperand(ao, M, K, ars, acs);
  const pb: Staged = rbAt >= 0 ? inPlace(bo, brs, bcs) : planOperand(bo, K, N, brs, bcs);
  const path = ex.gemmPath(M, N, K, pb.rs, pb.cs);
  // Threads for large products, split along the longer side of C so that each thread packs only its
  // share of the operand on that side: rows (each thread packs its rows of A) or columns (its columns
  // of B: the lm head's h·Wᵀ with 50k columns). Products of a few rows (matrix-vector products,
  // batch-1 decoding) always split by columns, each thread streaming its share of B.
  let parts = 1;
  const skinny = path === 1 || path === 2;
  const byColumns = skinny || (path === 3 && N > M);
  if (rt.shared && M * N * K >= THREADED_MACS && (byColumns ? N >= 2 * MIN_COLS : M >= 2 * MIN_ROWS)) {
    parts = Math.min(wasmThreads(rt), Math.floor(byColumns ? N / MIN_COLS : M / MIN_ROWS));
  }
  const a: Operand = { src: A, off: ao, rows: M, cols: K, rs: ars, cs: acs, plan: pa, at: raAt };
  const b: Operand = { src: B, off: bo, rows: K, cols: N, rs: brs, cs: bcs, plan: pb, at: rbAt };
  if (parts >= 2 && path === 3 && !byColumns && ex.dynPath(N, K, E)) {
    dynamic(rt, E, parts, a, b, C, co);
    return;
  }
  if (parts >= 2) {
    threaded(rt, E, sb, parts, byColumns, skinny, a, b, C, co);
    return;
  }
  // One scratch region, then A, B and C.
  const { mem, at } = stageIn(rt, E, [{ n: sb / E }, region(a), region(b), { n: M * N }]);
  const [scratch, aAt, bAt, cAt] = at as [number, number, number, number];
  const [ap, bp] = [address(a, aAt, E), address(b, bAt, E)];
  (f32 ? ex.gemm_f32 : ex.gemm_f64)(M, N, K, ap, pa.rs, pa.cs, bp, pb.rs, pb.cs, cAt, N, scratch);
  copyOut(mem, cAt, M * N, C, co);
}

/** A rows×cols operand at `off` of `src` with strides (rs, cs), its staging plan, and its address in the kernels' memory when resident (else -1). */
interface Operand {
  src: TypedArray;
  off: number;
  rows: number;
  cols: number;
  rs: number;
  cs: number;
  plan: Staged;
  at: number;
}

/** The staging region of an operand (empty for a resident one: its plan holds no elements). */
function region(o: Operand): { n: number; write: (mem: Floats, i: number) => void } {
  return {
    n: o.plan.elements,
    write: (mem, i) => stageOperand(o.plan, o.src, o.off, o.rows, o.cols, o.rs, o.cs, mem, i),
  };
}

/** The byte address of an operand's [0][0]: where it lives if resident, else in its staged block. */
function address(o: Operand, stagedAt: number, E: number): number {
  return (o.at >= 0 ? o.at : stagedAt) + o.plan.base * E;
}

/** [start, length] of each thread's block of rows (whole micro-tiles of 4) or columns (vectors of 8). */
function splitBlocks(M: number, N: number, parts: number, byColumns: boolean): [number, number][] {
  const extent = byColumns ? N : M;
  const unit = byColumns ? 8 : 4;
  const per = Math.ceil(extent / parts / unit) * unit;
  const blocks: [number, number][] = [];
  for (let s0 = 0; s0 < extent; s0 += per) blocks.push([s0, Math.min(per, extent - s0)]);
  return blocks;
}

/**
 * A product split over threads, by rows of C (A's rows) or by columns (B's columns). The split
 * operand is staged block by block, so the copies overlap the workers' products: the shared operand
 * and the workers' blocks are staged first and the workers started; then this thread stages its
 * own block, runs it and copies its block of C out while the workers still compute; the workers'
 * blocks of C are copied out as each joins. Each block is staged the way the whole operand would
 * have been (one span, or gathered row by row; read in place when resident), so every kernel reads
 * the same values through the same kind of strides and takes the same path: the bits do not change.
 */
function threaded(
  rt: WasmRuntime,
  E: 4 | 8,
  sb: number,
  parts: number,
  byColumns: boolean,
  skinny: boolean,
  a: Operand,
  b: Operand,
  C: TypedArray,
  co: number,
): void {
  const [M, K, N] = [a.rows, a.cols, b.cols];
  const [split, shared] = byColumns ? [b, a] : [a, b];
  const blocks = splitBlocks(M, N, parts, byColumns);
  // The split operand's block t: rows s0.. of A, or columns s0.. of B.
  const blockOps: Operand[] = blocks.map(([s0, len]) => {
    const off = split.off + s0 * (byColumns ? split.cs : split.rs);
    const [rows, cols] = byColumns ? [K, len] : [len, K];
    const plan =
      split.at >= 0
        ? inPlace(off, split.rs, split.cs)
        : planLike(split.plan, off, rows, cols, split.rs, split.cs);
    return { ...split, off, rows, cols, plan };
  });
  const { mem, at } = stageIn(rt, E, [
    { n: (blocks.length * sb) / E },
    region(shared),
    // this thread's block is written after the workers start
    ...blockOps.map((p, t) => (t === 0 ? { n: p.plan.elements } : region(p))),
    { n: M * N },
  ]);
  const scratch0 = at[0]!;
  const sharedPtr = address(shared, at[1]!, E);
  const cAt = at[at.length - 1]!;
  const jobs = blocks.map(([s0, len], t) => {
    const p = blockOps[t]!;
    const ptr = address(p, at[2 + t]!, E);
    const scratch = scratch0 + t * sb;
    return byColumns
      ? [M, len, K, sharedPtr, a.plan.rs, a.plan.cs, ptr, p.plan.rs, p.plan.cs, cAt + s0 * E, N, scratch]
      : [len, N, K, ptr, p.plan.rs, p.plan.cs, sharedPtr, b.plan.rs, b.plan.cs, cAt + s0 * N * E, N, scratch];
  });
  const name: ParallelKernel = `gemm_${skinny ? 'skinny' : 'packed'}_${E === 4 ? 'f32' : 'f64'}`;
  const copyBlock = ([s0, len]: [number, number]) => {
    if (!byColumns) copyOut(mem, cAt + s0 * N * E, len * N, C, co + s0 * N);
    else for (let i = 0; i < M; i++) copyOut(mem, cAt + (i * N + s0) * E, len, C, co + i * N + s0);
  };
  const fn = (rt.exports as unknown as Record<string, (...args: number[]) => void>)[name]!;
  const started = startJobs(rt, name, jobs);
  region(blockOps[0]!).write(mem, at[2]! / E);
  fn(...jobs[0]!);
  copyBlock(blocks[0]!);
  finishJobs(started, (t) => {
    if (!started[t - 1]!.ok) fn(...jobs[t]!);
    copyBlock(blocks[t]!);
  });
}

/**
 * A packed product split by rows, shared as it goes: C is cut into items (a block of rows × a strip
 * of columns, see gemm_dyn in asm/gemm.ts) and every thread takes the next item until none is left,
 * so a thread that runs slower (another process on its core) simply does fewer; a static split
 * waits for the slowest. B is staged before the workers start; A, where its rows can be copied in
 * order, after: the workers pack their strip of B meanwhile, and wait for the rows of their first
 * item if they must. This thread then takes items one at a time and copies every finished block of
 * C out between its items, so the workers take more items while it copies. Same bits as one
 * thread: the kernel computes every element as `packed` does, whoever takes it.
 */
function dynamic(
  rt: WasmRuntime,
  E: 4 | 8,
  parts: number,
  a: Operand,
  b: Operand,
  C: TypedArray,
  co: number,
): void {
  const [M, K, N] = [a.rows, a.cols, b.cols];
  const ex = rt.exports;
  const starts = rowBlocks(M, parts, ex.dynRows(E));
  const chunks = starts.length - 1;
  const width = ex.dynWidth(K, E);
  const items = chunks * Math.ceil(N / width);
  // The work area: counter, row blocks, rows of A staged, the blocks' first rows, done flags.
  const flagsAt = 4 + chunks;
  const workWords = flagsAt + items;
  const sb = align64(ex.dynScratchBytes(K, E));
  // The threads' scratch regions, which also serve `packed` if a worker fails (see below).
  const scratchAll = Math.max(parts * sb, align64(ex.scratchBytes(E)));
  const stageRows = rowStager(a);
  const { mem, at } = stageIn(rt, E, [
    { n: scratchAll / E },
    { n: Math.ceil((workWords * 4) / E) },
    stageRows ? { n: a.plan.elements } : region(a),
    region(b),
    { n: M * N },
  ]);
  const [scratch0, workAt, aAt, bAt, cAt] = at as [number, number, number, number, number];
  const work = new Int32Array(mem.buffer, workAt, workWords);
  work.fill(0);
  work[1] = chunks;
  work[2] = stageRows ? 0 : M;
  work.set(starts, 3);
  for (let t = 0; t < parts; t++) {
    // Each thread's own words: no strip of B packed yet; this thread returns after each item.
    const own = new Int32Array(mem.buffer, scratch0 + t * sb, 2);
    own[0] = -1;
    own[1] = t === 0 ? 1 : 0;
  }
  const [ap, bp] = [address(a, aAt, E), address(b, bAt, E)];
  const args = [M, N, K, ap, a.plan.rs, a.plan.cs, bp, b.plan.rs, b.plan.cs, cAt];
  const jobs = Array.from({ length: parts }, (_, t) => [...args, scratch0 + t * sb, workAt]);
  if (hooks.brokenWorkerScratch) {
    const end = mem.buffer.byteLength - 64;
    new Int32Array(mem.buffer, end, 2).set([-1, 0]);
    for (const job of jobs.slice(1)) job[10] = end;
  }
  const name: ParallelKernel = E === 4 ? 'gemm_dyn_f32' : 'gemm_dyn_f64';
  const fn = (rt.exports as unknown as Record<string, (...args: number[]) => number>)[name]!;
  const copied = new Uint8Array(items);
  const copyDone = () => {
    for (let item = 0; item < items; item++) {
      if (copied[item] || Atomics.load(work, flagsAt + item) !== 1) continue;
      copied[item] = 1;
      const i0 = starts[item % chunks]!;
      const j0 = Math.floor(item / chunks) * width;
      const [rows, cols] = [starts[(item % chunks) + 1]! - i0, Math.min(width, N - j0)];
      if (cols === N) copyOut(mem, cAt + i0 * N * E, rows * N, C, co + i0 * N);
      else
        for (let r = i0; r < i0 + rows; r++) copyOut(mem, cAt + (r * N + j0) * E, cols, C, co + r * N + j0);
    }
  };
  const started = startJobs(rt, name, jobs);
  if (stageRows) {
    try {
      hooks.beforeStagingA?.();
      // Row block by row block, in the order the items take them.
      for (let k = 1; k <= chunks; k++) {
        stageRows(mem, aAt / E, starts[k - 1]!, starts[k]!);
        Atomics.store(work, 2, starts[k]!);
        Atomics.notify(work, 2);
      }
    } finally {
      // Never leave a worker waiting for rows (the product is thrown away if staging failed).
      Atomics.store(work, 2, M);
      Atomics.notify(work, 2);
    }
  }
  while (fn(...jobs[0]!) >= 0) copyDone();
  copyDone();
  let failed = false;
  finishJobs(started, (t) => {
    failed ||= !started[t - 1]!.ok;
  });
  if (failed && copied.some((c, item) => !c && work[flagsAt + item] !== 1)) {
    // A worker failed after taking an item: the whole product again here (same bits, one thread).
    const packed = (E === 4 ? ex.gemm_packed_f32 : ex.gemm_packed_f64) as (...a: number[]) => void;
    packed(...args, N, scratch0);
    copyOut(mem, cAt, M * N, C, co);
    return;
  }
  copyDone();
}

/**
 * Copies rows r0 ≤ i < r1 of a staged operand into its place in the staged block (at `at`, in
 * elements), for operands whose rows lie in order in their block: gathered ones (a row after row),
 * and spans whose rows do not interleave (positive strides, each row before the next). Null for the
 * others (transposed or flipped views), which are staged whole, and for resident ones (nothing to
 * stage).
 */
function rowStager(o: Operand): ((mem: Floats, at: number, r0: number, r1: number) => void) | null {
  const { plan, src, off, rows, cols, rs, cs } = o;
  if (o.at >= 0 || plan.elements === 0) return null;
  if (plan.lo < 0) {
    return (mem, at, r0, r1) =>
      stageOperand(plan, src, off + r0 * rs, r1 - r0, cols, rs, cs, mem, at + r0 * cols);
  }
  if (!(cs > 0 && rs >= (cols - 1) * cs + 1)) return null;
  // Row i starts at element off + i·rs of the source; the block starts at plan.lo.
  return (mem, at, r0, r1) => {
    const s0 = off + r0 * rs - plan.lo;
    const s1 = r1 === rows ? plan.elements : off + r1 * rs - plan.lo;
    mem.set((src as Floats).subarray(plan.lo + s0, plan.lo + s1), at + s0);
  };
}

/**
 * The first rows of a shared product's row blocks, ending with M: an A block (`most` rows) each, or
 * fewer so that each thread gets about four (multiples of the micro-tile's 4 rows; a 128-row
 * product in blocks of 96 and 32 rows would wait on the 96).
 */
function rowBlocks(M: number, parts: number, most: number): Int32Array {
  const per = Math.min(most, Math.ceil(M / (4 * parts) / 4) * 4);
  return Int32Array.from({ length: Math.ceil(M / per) + 1 }, (_, k) => Math.min(M, k * per));
}

/**
 * Plans a block of an operand the way `whole` was planned: gathered into rows when the whole was,
 * else copied as the one span it touches (read through the operand's own strides).
 */
function planLike(whole: Staged, off: number, rows: number, cols: number, rs: number, cs: number): Staged {
  if (rows * cols === 0) return { elements: 0, lo: -1, base: 0, rs: cols, cs: 1 };
  if (whole.lo < 0) return { elements: rows * cols, lo: -1, base: 0, rs: cols, cs: 1 };
  const [lo, hi] = extent(off, rows, cols, rs, cs);
  return { elements: hi - lo + 1, lo, base: off - lo, rs, cs };
}

/**
 * Threads a `wasmParallel` call can use on `rt`: this one plus the workers (1 where the memory is
 * not shared, e.g. a browser page that is not cross-origin isolated).
 */
export function wasmThreads(rt: WasmRuntime): number {
  return rt.shared ? ensureLanes(rt).length + 1 : 1;
}

/**
 * Runs the kernel `name` once per entry of `jobs` (its i32 arguments, at most 12), at the same time:
 * jobs[0] on this thread, the others on the workers (at most `wasmThreads(rt)` jobs in all). Each
 * job must touch its own output and scratch. Returns when all are done; a job a worker failed is
 * run again here.
 */
export function wasmParallel(
  rt: WasmRuntime,
  name: ParallelKernel,
  jobs: readonly (readonly number[])[],
): void {
  const fn = (rt.exports as unknown as Record<string, (...args: number[]) => void>)[name]!;
  if (jobs.length === 0) return;
  const started = startJobs(rt, name, jobs);
  fn(...jobs[0]!);
  finishJobs(started, (t) => {
    if (!started[t - 1]!.ok) fn(...jobs[t]!);
  });
}

interface Started {
  lane: Lane;
  /** Whether the worker finished the job (set by finishJobs before its callback). */
  ok: boolean;
}

/** Starts jobs[1..] on the workers (jobs[0] is the caller's to run). */
function startJobs(rt: WasmRuntime, name: ParallelKernel, jobs: readonly (readonly number[])[]): Started[] {
  const ls = jobs.length > 1 ? ensureLanes(rt) : [];
  if (jobs.length > ls.length + 1) {
    throw new LumenError(`wasmParallel: ${jobs.length} jobs for ${ls.length + 1} threads`);
  }
  const started: Started[] = [];
  for (let t = 1; t < jobs.length; t++) {
    const args = jobs[t]!;
    if (args.length > 12) throw new LumenError(`wasmParallel: at most 12 arguments, got ${args.length}`);
    const lane = ls[t - 1]!;
    const c = lane.ctrl;
    c[1] = CALLS.indexOf(name);
    for (let w = 0; w < args.length; w++) c[2 + w] = args[w]!;
    c[14] = args.length;
    c[MODE_WORD] = CALL_JOB;
    Atomics.store(c, 0, JOB);
    Atomics.notify(c, 0);
    started.push({ lane, ok: false });
  }
  return started;
}

/** Waits for each started job in turn, then calls `then(t)` with its index in the jobs (t ≥ 1). */
function finishJobs(started: Started[], then: (t: number) => void): void {
  if (started.length > 0) scheduleRelease();
  for (const [i, s] of started.entries()) {
    s.ok = joinLane(s.lane);
    then(i + 1);
  }
}
