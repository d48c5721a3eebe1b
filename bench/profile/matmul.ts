// f32/f64 matmul GFLOP/s on the cpu backend at 1 and 2 threads (run with --experimental-wasm-relaxed-simd
// on Node 20 to measure the relaxed-SIMD build):
//   node [--experimental-wasm-relaxed-simd] --import tsx --conditions=@lumen/source profile/matmul.ts [n]
import { cpuKernels, gemm, setNumThreads } from '@lumen/tensor';

const n = Number(process.argv[2] ?? 1024);
for (const T of [Float32Array, Float64Array]) {
  const A = new T(n * n).map(() => Math.random() - 0.5);
  const B = new T(n * n).map(() => Math.random() - 0.5);
  const C = new T(n * n);
  for (const threads of [1, 2]) {
    setNumThreads(threads);
    let best = Infinity;
    for (let r = 0; r < 6; r++) {
      const t0 = performance.now();
      gemm(n, n, n, A, { rowStride: n }, B, { rowStride: n }, C);
      best = Math.min(best, performance.now() - t0);
    }
    console.log(
      `${cpuKernels()} ${T.name} ${n}, ${threads} thread(s): ${((2 * n ** 3) / best / 1e6).toFixed(1)} GFLOP/s`,
    );
  }
}
