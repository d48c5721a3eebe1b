import * as L from '@lumen/tensor';

/**
 * Child process of the tensor suite: f32 matmul n×n on `threads` threads, warmed up until V8 has
 * tiered the kernels up, then run back to back from `start` (a Date.now() value the parent gives
 * every child, so that children started together measure the same window) for `ms` milliseconds.
 * Prints one JSON line: the average GFLOP/s over the window.
 *
 *   node [--experimental-wasm-relaxed-simd] --import tsx matmulSteady.ts <n> <threads> <start> <ms>
 */
const [n, threads, start, ms] = process.argv.slice(2).map(Number) as [number, number, number, number];
L.setNumThreads(threads);
const g = new L.Generator(1);
const a = L.tensor(
  Float32Array.from({ length: n * n }, () => g.random() * 2 - 1),
  { shape: [n, n] },
);
const b = L.tensor(
  Float32Array.from({ length: n * n }, () => g.random() * 2 - 1),
  { shape: [n, n] },
);
const step = () => L.tidy(() => void a.matmul(b));
// V8 runs a WebAssembly function first in its baseline tier and swaps in the optimized code a few
// calls later: warm up for a second (at least 10 calls) before the window.
const warmEnd = performance.now() + 1000;
for (let i = 0; i < 10 || performance.now() < warmEnd; i++) step();
while (Date.now() < start) await new Promise((r) => setTimeout(r, 5));
const t0 = performance.now();
let calls = 0;
while (performance.now() - t0 < ms) {
  step();
  calls++;
}
const seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ gflops: (calls * 2 * n ** 3) / seconds / 1e9, calls, kernels: L.cpuKernels() }));
