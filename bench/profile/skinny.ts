// sklearn-lite's tall-skinny float64 products (PCA's power iterations, KMeans' distances): ms and GB/s of A streamed.
//   node --import tsx --conditions=@lumen/source profile/skinny.ts [threads] [resident]
// `resident`: A lives in the kernels' memory (kernelArray), as sklearn-lite holds it while fitting.
import { gemm, kernelArray, setNumThreads } from '@lumen/tensor';

setNumThreads(Number(process.argv[2] ?? 2));
const M = 10000,
  K = 784;
const A = process.argv[3] === 'resident' ? kernelArray(M * K, Float64Array) : new Float64Array(M * K);
for (let i = 0; i < A.length; i++) A[i] = Math.random() - 0.5;
for (const l of [2, 10, 12, 16, 32]) {
  const Q = new Float64Array(l * K).map(() => Math.random() - 0.5);
  const Y = new Float64Array(M * l).map(() => Math.random() - 0.5);
  const out1 = new Float64Array(M * l);
  const out2 = new Float64Array(K * l);
  const cases: [string, () => void][] = [
    [
      `A·Qᵀ   ${M}×${K} · (${l}×${K})ᵀ`,
      () => gemm(M, l, K, A, { rowStride: K }, Q, { rowStride: 1, colStride: K }, out1),
    ],
    [
      `Aᵀ·Y   (${M}×${K})ᵀ · ${M}×${l}`,
      () => gemm(K, l, M, A, { rowStride: 1, colStride: K }, Y, { rowStride: l }, out2),
    ],
  ];
  for (const [name, f] of cases) {
    let best = Infinity;
    for (let r = 0; r < 10; r++) {
      const t0 = performance.now();
      f();
      best = Math.min(best, performance.now() - t0);
    }
    console.log(
      `${name.padEnd(34)} ${best.toFixed(2).padStart(7)} ms  ${((M * K * 8) / best / 1e6).toFixed(1).padStart(5)} GB/s  ${((2 * M * K * l) / best / 1e6).toFixed(1).padStart(5)} GFLOP/s`,
    );
  }
}
