import { gemm, setNumThreads } from '@lumen/tensor';

setNumThreads(Number(process.argv[2] ?? 1));
const cases: [string, number, number, number, boolean, boolean][] = [
  ['lm fwd h·Wᵀ', 256, 50257, 256, false, true],
  ['lm dh = dY·W', 256, 256, 50257, false, false],
  ['lm dW = dYᵀ·h', 50257, 256, 256, true, false],
  ['mlp fwd', 256, 1024, 256, false, false],
  ['mlp dW = Xᵀ·dY', 256, 1024, 256, true, false],
];
for (const [name, M, N, K, aT, bT] of cases) {
  const A = new Float32Array(M * K).map(() => Math.random() - 0.5);
  const B = new Float32Array(K * N).map(() => Math.random() - 0.5);
  const C = new Float32Array(M * N);
  const al = aT ? { rowStride: 1, colStride: M } : { rowStride: K };
  const bl = bT ? { rowStride: 1, colStride: K } : { rowStride: N };
  let best = Infinity;
  for (let r = 0; r < 4; r++) {
    const t0 = performance.now();
    gemm(M, N, K, A, al, B, bl, C);
    best = Math.min(best, performance.now() - t0);
  }
  console.log(
    `${name.padEnd(16)} ${M}x${N}x${K}: ${best.toFixed(1)} ms, ${((2 * M * N * K) / best / 1e6).toFixed(1)} GFLOP/s`,
  );
}
