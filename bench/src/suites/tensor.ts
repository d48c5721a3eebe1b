import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as L from '@lumen/tensor';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { type BenchContext, runPython, type Suite, timeInterleaved, timeIt } from '../harness.ts';
import { shareDawnWithTfjs, tfjsGpuSync } from '../tfjsGpu.ts';

/**
 * Our ops run inside tidy() so results go back to the pool, as in a training loop; tfjs disposes
 * its results through tf.tidy.
 *
 * @lumen/tensor against TensorFlow.js in one process, on the same inputs:
 *   f32 matmul 256–2048: our cpu vs tfjs-backend-cpu and -wasm; our webgpu vs tfjs-backend-webgpu
 *   on the same Dawn adapter; elementwise add of 4M floats (GB/s, vs a plain typed-array loop);
 *   softmax over [4096, 1024].
 */

const require = createRequire(import.meta.url);

async function useTf(name: 'cpu' | 'wasm' | 'webgpu'): Promise<boolean> {
  try {
    if (name === 'wasm') {
      // TFJS_WASM_DIR: where the .wasm files are when this suite runs bundled (outside node_modules).
      setWasmPaths(
        `${process.env.TFJS_WASM_DIR ?? dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`,
      );
    }
    if (name === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
    const ok = await tf.setBackend(name);
    await tf.ready();
    return ok && tf.getBackend() === name;
  } catch (e) {
    console.log(`  tfjs ${name}: unavailable (${(e as Error).message})`);
    return false;
  }
}

/** n values uniform in [-1, 1) from the seeded generator, as float32 (or, given the type, float64). */
function randomData<T extends typeof Float32Array | typeof Float64Array = typeof Float32Array>(
  n: number,
  seed: number,
  type?: T,
): InstanceType<T> {
  const g = new L.Generator(seed);
  const out = new (type ?? Float32Array)(n);
  for (let i = 0; i < n; i++) out[i] = g.random() * 2 - 1;
  return out as InstanceType<T>;
}

const TORCH_MATMUL = `
import json, sys, time
try:
    import torch
except ImportError:
    print(json.dumps({"skipped": "python3-torch not installed"})); sys.exit(0)
d = json.load(sys.stdin)
out = {"version": torch.__version__, "times": []}
for n, dtype, threads in d["cases"]:
    torch.set_num_threads(threads)
    dt = torch.float32 if dtype == "float32" else torch.float64
    g = torch.Generator().manual_seed(0)
    a = torch.rand(n, n, generator=g, dtype=dt) * 2 - 1
    b = torch.rand(n, n, generator=g, dtype=dt) * 2 - 1
    torch.mm(a, b)
    ts = []
    t_end = time.perf_counter() + 0.5
    while len(ts) < d["reps"] or time.perf_counter() < t_end:
        t0 = time.perf_counter(); torch.mm(a, b); ts.append(time.perf_counter() - t0)
    out["times"].append(min(ts))
print(json.dumps(out))
`;

/** PyTorch's seconds per n×n product (min of reps) for each case, or why there are none. */
function torchMatmul(
  cases: [number, 'float32' | 'float64', number][],
  reps: number,
): { times: number[]; note: string } | { skipped: string } {
  const out = runPython<{ times: number[]; version: string }>(
    TORCH_MATMUL,
    JSON.stringify({ cases, reps }),
    'python3-torch',
  );
  if ('skipped' in out) return out;
  return { times: out.times, note: `torch ${out.version} (OpenBLAS), MALLOC_* tuned` };
}

/**
 * Our cpu matmul (WebAssembly SIMD kernels; LUMEN_WASM=off for the TypeScript ones) on 1 thread
 * against tfjs-wasm (XNNPACK, which runs one thread under Node) and tfjs-cpu; on 2 threads (this
 * machine's cores) against PyTorch, f32 and f64.
 */
async function matmulCpu(ctx: BenchContext, sizes: number[]): Promise<void> {
  const reps = 5;
  const defaultThreads = L.getNumThreads();
  const kernels = L.cpuKernels();
  console.log(`  cpu kernels: ${kernels}`);
  for (const n of sizes) {
    const a = randomData(n * n, 1);
    const b = randomData(n * n, 2);
    const flop = 2 * n ** 3;
    // V8 runs a WebAssembly function first in its baseline tier and swaps in the optimized code a
    // few calls later (at 1024, about the seventh product): warm-up calls until it has, on every
    // side, so that the minimum times steady-state code as PyTorch's does.
    const warmup = n >= 2048 ? 3 : 10;
    const opts = { reps: n >= 2048 ? 3 : reps, minTime: n >= 1024 ? 0 : 0.5, warmup };
    const la = L.tensor(a, { shape: [n, n] });
    const lb = L.tensor(b, { shape: [n, n] });
    L.setNumThreads(1);
    for (const peer of ['cpu', 'wasm'] as const) {
      if (peer === 'cpu' && n >= 1024) continue; // tfjs-cpu: ~1 GFLOP/s, minutes at these sizes
      if (!(await useTf(peer))) continue;
      const ta = tf.tensor2d(a, [n, n]);
      const tb = tf.tensor2d(b, [n, n]);
      const [ours, theirs] = await timeInterleaved(
        [() => L.tidy(() => void la.matmul(lb)), () => tf.tidy(() => void tf.matMul(ta, tb).dataSync())],
        opts,
      );
      tf.dispose([ta, tb]);
      ctx.add({
        case: `matmul f32 ${n} (cpu, 1 thread, ${kernels})`,
        unit: 'GFLOP/s',
        ours: flop / ours! / 1e9,
        peerName: `tfjs-${peer} (1 thread)`,
        peer: flop / theirs! / 1e9,
      });
    }
    L.setNumThreads(2);
    const cases: [number, 'float32' | 'float64', number][] = [
      [n, 'float32', 2],
      [n, 'float64', 2],
    ];
    const torch = torchMatmul(cases, opts.reps);
    const ours32 = await timeIt(() => L.tidy(() => void la.matmul(lb)), { ...opts, minReps: opts.reps });
    const a64 = L.tensor(randomData(n * n, 1, Float64Array), { shape: [n, n] });
    const b64 = L.tensor(randomData(n * n, 2, Float64Array), { shape: [n, n] });
    const ours64 = await timeIt(() => L.tidy(() => void a64.matmul(b64)), { ...opts, minReps: opts.reps });
    for (const [k, [, dtype]] of cases.entries()) {
      const ours = dtype === 'float32' ? ours32 : ours64;
      ctx.add({
        case: `matmul ${dtype === 'float32' ? 'f32' : 'f64'} ${n} (cpu, 2 threads, ${kernels})`,
        unit: 'GFLOP/s',
        ours: flop / ours / 1e9,
        peerName: 'PyTorch CPU (2 threads)',
        peer: 'times' in torch ? flop / torch.times[k]! / 1e9 : null,
        note: 'times' in torch ? torch.note : torch.skipped,
      });
    }
  }
  L.setNumThreads(defaultThreads);
}

/**
 * How much of the machine the 2-thread product gets: ours on 2 threads, averaged over a window of
 * back-to-back products, against the sum of two single-thread processes running the same kernels
 * at the same time over the same window. The second side is what two cores give these kernels with
 * no threading at all (no split, no staging, no joins); on a machine whose two vCPUs share one
 * physical core's SIMD units, it is well below twice the single-thread figure. All children start
 * together: the window opens at one Date.now() value given to each. Once for the SIMD128 build
 * (Node 20's default) and once for the relaxed-SIMD build (fused multiply-add: Node 22 and Chrome
 * run it by default, Node 20 with --experimental-wasm-relaxed-simd).
 */
async function matmulSteady(ctx: BenchContext, n: number): Promise<void> {
  const ms = 3000;
  const script = fileURLToPath(new URL('../matmulSteady.ts', import.meta.url));
  const run = (threads: number, count: number, flags: string[]): Promise<number[] | string> => {
    const start = Date.now() + 4000; // after every child's warm-up
    return Promise.all(
      Array.from(
        { length: count },
        () =>
          new Promise<number>((resolve, reject) => {
            const args = [
              ...flags,
              '--import',
              'tsx',
              script,
              String(n),
              String(threads),
              String(start),
              String(ms),
            ];
            const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
            let out = '';
            let err = '';
            child.stdout.on('data', (d) => (out += d));
            child.stderr.on('data', (d) => (err += d));
            child.on('close', (code) =>
              code === 0
                ? resolve((JSON.parse(out.trim().split('\n').pop()!) as { gflops: number }).gflops)
                : reject(new Error(err.trim().split('\n').pop() ?? `exit ${code}`)),
            );
          }),
      ),
    ).catch((e: Error) => e.message);
  };
  for (const [kernels, flags] of [
    ['simd128', []],
    ['relaxed-simd', ['--experimental-wasm-relaxed-simd']],
  ] as const) {
    // Alternated, best of 3 windows each, as the machine's speed drifts.
    const ours: number[] = [];
    const pairs: number[] = [];
    for (let round = 0; round < 3; round++) {
      const o = await run(2, 1, [...flags]);
      const p = await run(1, 2, [...flags]);
      if (typeof o === 'string' || typeof p === 'string') {
        console.log(`  steady-state child (${kernels}) failed: ${typeof o === 'string' ? o : p}`);
        break;
      }
      ours.push(o[0]!);
      pairs.push(p[0]! + p[1]!);
    }
    if (ours.length === 0) continue;
    ctx.add({
      case: `matmul f32 ${n} (cpu, 2 threads, ${kernels}), steady ${ms / 1000} s`,
      unit: 'GFLOP/s',
      ours: Math.max(...ours),
      peerName: '2 processes × 1 thread, same kernels, at once',
      peer: Math.max(...pairs),
      note: `averages over ${ms / 1000} s windows, best of ${ours.length} alternated: ours ${ours.map((x) => x.toFixed(1)).join('/')}, pairs ${pairs.map((x) => x.toFixed(1)).join('/')}`,
    });
  }
}

/**
 * The relaxed-SIMD build (fused multiply-add), which Node 20 runs only with a V8 flag: a child
 * process with the flag measures it against tfjs-wasm on one thread, in that same process.
 */
function matmulRelaxed(ctx: BenchContext, sizes: number[]): void {
  const r = spawnSync(
    process.execPath,
    [
      '--experimental-wasm-relaxed-simd',
      '--import',
      'tsx',
      fileURLToPath(new URL('../relaxedMatmul.ts', import.meta.url)),
      ...sizes.map(String),
    ],
    { encoding: 'utf8', timeout: 600_000, maxBuffer: 16 * 1024 * 1024 },
  );
  if (r.error || r.status !== 0) {
    console.log(`  relaxed-SIMD child failed: ${r.error?.message ?? r.stderr.trim().split('\n').pop()}`);
    return;
  }
  const rows = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    n: number;
    ours: number;
    peer: number;
    kernels: string;
  }[];
  for (const row of rows) {
    ctx.add({
      case: `matmul f32 ${row.n} (cpu, 1 thread, ${row.kernels}, child process)`,
      unit: 'GFLOP/s',
      ours: row.ours,
      peerName: 'tfjs-wasm (1 thread, same process)',
      peer: row.peer,
    });
  }
}

async function matmulGpu(ctx: BenchContext, sizes: number[]): Promise<void> {
  const tfOk = await useTf('webgpu');
  for (const n of sizes) {
    const a = randomData(n * n, 1);
    const b = randomData(n * n, 2);
    const flop = 2 * n ** 3;
    // Several products per sync amortise the submit/readback, as in a real model.
    const reps = n <= 512 ? 8 : 2;
    const opts = { minReps: 2, minTime: 0.5 };
    const la = L.tensor(a, { shape: [n, n], device: 'webgpu' });
    const lb = L.tensor(b, { shape: [n, n], device: 'webgpu' });
    const ours =
      (flop * reps) /
      (await timeIt(async () => {
        await L.tidy(async () => {
          for (let r = 0; r < reps; r++) la.matmul(lb);
          await L.syncWebGPU();
        });
      }, opts)) /
      1e9;
    let peer: number | null = null;
    if (tfOk) {
      const ta = tf.tensor2d(a, [n, n]);
      const tb = tf.tensor2d(b, [n, n]);
      const t = await timeIt(async () => {
        const outs: tf.Tensor[] = [];
        for (let r = 0; r < reps; r++) outs.push(tf.matMul(ta, tb));
        await tfjsGpuSync(tf);
        tf.dispose(outs);
      }, opts);
      tf.dispose([ta, tb]);
      peer = (flop * reps) / t / 1e9;
    }
    ctx.add({ case: `matmul f32 ${n} (webgpu)`, unit: 'GFLOP/s', ours, peerName: 'tfjs-webgpu', peer });
  }
}

async function elementwise(ctx: BenchContext, gpu: boolean, gpuOnly = false): Promise<void> {
  const n = 4 * 1024 * 1024;
  const a = randomData(n, 3);
  const b = randomData(n, 4);
  const bytes = 3 * n * 4;
  const out = new Float32Array(n);
  if (gpuOnly) return elementwiseGpu(ctx, a, b, bytes);
  // The baseline a user would write: a function over typed arrays. (An inline loop over
  // module-level constants can be faster still, as V8 folds their lengths; no library gets that.)
  const plainAdd = (x: Float32Array, y: Float32Array, o: Float32Array) => {
    for (let i = 0; i < o.length; i++) o[i] = x[i]! + y[i]!;
  };
  const la = L.tensor(a);
  const lb = L.tensor(b);
  const [ours, plain] = await timeInterleaved(
    [() => L.tidy(() => void la.add(lb)), () => plainAdd(a, b, out)],
    { reps: 10 },
  );
  ctx.add({
    case: 'add 4M f32 (cpu)',
    unit: 'GB/s',
    ours: bytes / ours! / 1e9,
    peerName: 'plain Float32Array loop',
    peer: bytes / plain! / 1e9,
  });
  if (await useTf('cpu')) {
    const ta = tf.tensor1d(a);
    const tb = tf.tensor1d(b);
    const [o2, t] = await timeInterleaved([
      () => L.tidy(() => void la.add(lb)),
      () => tf.tidy(() => void tf.add(ta, tb).dataSync()),
    ]);
    tf.dispose([ta, tb]);
    ctx.add({
      case: 'add 4M f32 (cpu)',
      unit: 'GB/s',
      ours: bytes / o2! / 1e9,
      peerName: 'tfjs-cpu',
      peer: bytes / t! / 1e9,
    });
  }
  if (gpu) await elementwiseGpu(ctx, a, b, bytes);
}

async function elementwiseGpu(
  ctx: BenchContext,
  a: Float32Array,
  b: Float32Array,
  bytes: number,
): Promise<void> {
  const ga = L.tensor(a, { device: 'webgpu' });
  const gb = L.tensor(b, { device: 'webgpu' });
  const reps = 10;
  const oursGpu =
    (bytes * reps) /
    (await timeIt(async () => {
      await L.tidy(async () => {
        for (let r = 0; r < reps; r++) ga.add(gb);
        await L.syncWebGPU();
      });
    })) /
    1e9;
  let peer: number | null = null;
  if (await useTf('webgpu')) {
    const ta = tf.tensor1d(a);
    const tb = tf.tensor1d(b);
    const t = await timeIt(async () => {
      const outs: tf.Tensor[] = [];
      for (let r = 0; r < reps; r++) outs.push(tf.add(ta, tb));
      await tfjsGpuSync(tf);
      tf.dispose(outs);
    });
    tf.dispose([ta, tb]);
    peer = (bytes * reps) / t / 1e9;
  }
  ctx.add({ case: 'add 4M f32 (webgpu)', unit: 'GB/s', ours: oursGpu, peerName: 'tfjs-webgpu', peer });
}

async function softmax(ctx: BenchContext, gpu: boolean, gpuOnly = false): Promise<void> {
  const [r, c] = [4096, 1024];
  const x = randomData(r * c, 5);
  const lx = L.tensor(x, { shape: [r, c] });
  if (!gpuOnly && (await useTf('cpu'))) {
    const tx = tf.tensor2d(x, [r, c]);
    const [ours, t] = await timeInterleaved(
      [() => L.tidy(() => void lx.softmax(-1)), () => tf.tidy(() => void tf.softmax(tx).dataSync())],
      { reps: 3 },
    );
    tx.dispose();
    ctx.add(
      {
        case: 'softmax [4096, 1024] (cpu)',
        unit: 'ms',
        ours: ours! * 1e3,
        peerName: 'tfjs-cpu',
        peer: t! * 1e3,
      },
      false,
    );
  }
  if (!gpu) return;
  const reps = 5;
  const gx = L.tensor(x, { shape: [r, c], device: 'webgpu' });
  const oursGpu =
    ((await timeIt(async () => {
      await L.tidy(async () => {
        for (let k = 0; k < reps; k++) gx.softmax(-1);
        await L.syncWebGPU();
      });
    })) *
      1e3) /
    reps;
  let peer: number | null = null;
  if (await useTf('webgpu')) {
    const tx = tf.tensor2d(x, [r, c]);
    const t = await timeIt(async () => {
      const outs: tf.Tensor[] = [];
      for (let k = 0; k < reps; k++) outs.push(tf.softmax(tx));
      await tfjsGpuSync(tf);
      tf.dispose(outs);
    });
    tx.dispose();
    peer = (t * 1e3) / reps;
  }
  ctx.add(
    { case: 'softmax [4096, 1024] (webgpu)', unit: 'ms', ours: oursGpu, peerName: 'tfjs-webgpu', peer },
    false,
  );
}

/** `--only=` sections: cpu matmul rows, the 2-thread steady-state row, the relaxed-SIMD child, webgpu matmul, elementwise/softmax. */
const SECTIONS = ['matmul', 'steady', 'relaxed', 'webgpu', 'elementwise'];

const suite: Suite = {
  name: 'tensor',
  description: '@lumen/tensor vs TensorFlow.js (cpu, wasm, webgpu on the same Dawn adapter)',
  async run(ctx) {
    // One Dawn instance for both libraries: tfjs-webgpu looks for navigator.gpu.
    const { ok: gpu, adapter } = await shareDawnWithTfjs();
    console.log(gpu ? `  adapter: ${adapter}` : `  webgpu: no adapter (${adapter}), webgpu rows skipped`);
    const sizes = ctx.quick ? [256, 512] : [256, 512, 1024, 2048];
    // LUMEN_BENCH_GPU_ONLY=1 skips the cpu rows (for short runs on a lent GPU machine).
    const gpuOnly = process.env.LUMEN_BENCH_GPU_ONLY === '1';
    const unknown = ctx.only.filter((o) => !SECTIONS.includes(o));
    if (unknown.length > 0) {
      throw new Error(
        `--only: unknown section(s) ${unknown.join(', ')}; the tensor suite has ${SECTIONS.join(', ')}`,
      );
    }
    const wants = (section: string) => ctx.only.length === 0 || ctx.only.includes(section);
    if (!gpuOnly && wants('matmul')) await matmulCpu(ctx, sizes);
    if (!gpuOnly && wants('steady')) await matmulSteady(ctx, ctx.quick ? 512 : 1024);
    if (!gpuOnly && wants('relaxed')) matmulRelaxed(ctx, ctx.quick ? [512] : [512, 1024]);
    if (gpu && wants('webgpu')) await matmulGpu(ctx, sizes);
    if ((!gpuOnly || gpu) && wants('elementwise')) await elementwise(ctx, gpu, gpuOnly);
    if ((!gpuOnly || gpu) && wants('elementwise')) await softmax(ctx, gpu, gpuOnly);
  },
};
export default suite;
