// Batch-1 decoding shapes of GPT-2 small on the cpu backend: GB/s of weights streamed per product.
//   node --import tsx --conditions=@lumen/source profile/gemv.ts [threads]
import { gemm, setNumThreads } from '@lumen/tensor';

setNumThreads(Number(process.argv[2] ?? 2));
const cases: [string, number, number, boolean][] = [
  ['c_attn x·W (W 768×2304)', 768, 2304, false],
  ['mlp c_fc x·W (W 768×3072)', 768, 3072, false],
  ['lm head x·Wᵀ (W 50257×768)', 768, 50257, true],
];
for (const [name, K, N, t] of cases) {
  const x = new Float32Array(K).map(() => Math.random() - 0.5);
  const W = new Float32Array(K * N).map(() => Math.random() - 0.5);
  const out = new Float32Array(N);
  const bl = t ? { rowStride: 1, colStride: K } : { rowStride: N };
  let best = Infinity;
  for (let r = 0; r < 20; r++) {
    const t0 = performance.now();
    gemm(1, N, K, x, { rowStride: K }, W, bl, out);
    best = Math.min(best, performance.now() - t0);
  }
  console.log(`${name.padEnd(30)} ${best.toFixed(2)} ms  ${((K * N * 4) / best / 1e6).toFixed(1)} GB/s`);
}
