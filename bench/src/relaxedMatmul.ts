import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as L from '@lumen/tensor';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { timeInterleaved } from './harness.ts';

/**
 * Child process of the tensor suite, started with --experimental-wasm-relaxed-simd (Node 20 runs
 * relaxed SIMD only with the flag; Node 22 and Chrome by default): f32 matmul on one thread, ours
 * (relaxed-SIMD build) against tfjs-wasm in this same process. Prints one JSON line.
 */
const require = createRequire(import.meta.url);
const sizes = process.argv.slice(2).map(Number);
setWasmPaths(`${process.env.TFJS_WASM_DIR ?? dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
await tf.setBackend('wasm');
await tf.ready();
L.setNumThreads(1);
const rows: { n: number; ours: number; peer: number; kernels: string }[] = [];
for (const n of sizes) {
  const g = new L.Generator(1);
  const a = Float32Array.from({ length: n * n }, () => g.random() * 2 - 1);
  const b = Float32Array.from({ length: n * n }, () => g.random() * 2 - 1);
  const la = L.tensor(a, { shape: [n, n] });
  const lb = L.tensor(b, { shape: [n, n] });
  const ta = tf.tensor2d(a, [n, n]);
  const tb = tf.tensor2d(b, [n, n]);
  const [ours, theirs] = await timeInterleaved(
    [() => L.tidy(() => void la.matmul(lb)), () => tf.tidy(() => void tf.matMul(ta, tb).dataSync())],
    { reps: 5, minTime: 0, warmup: 1 },
  );
  tf.dispose([ta, tb]);
  rows.push({
    n,
    ours: (2 * n ** 3) / ours! / 1e9,
    peer: (2 * n ** 3) / theirs! / 1e9,
    kernels: L.cpuKernels(),
  });
}
console.log(JSON.stringify(rows));
