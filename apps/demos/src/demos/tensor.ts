import { type Device, manualSeed, randn, type Tensor, tensor } from '@lumen/tensor';
import type { Demo } from '../demo.ts';
import { expectClose } from '../lib/check.ts';

/** A matmul and a softmax on cpu and (when the demo runs on webgpu) on webgpu, with timings. */
const demo: Demo = {
  name: 'tensor',
  description: 'tensors on cpu and webgpu: a matmul, a softmax, and a large product timed on each device',
  async run({ device, quick, log }) {
    manualSeed(0);
    const a = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = randn([3, 4]);
    const devices: Device[] = device === 'webgpu' ? ['cpu', 'webgpu'] : ['cpu'];
    const rows: { device: Device; ms: number; gflops: number }[] = [];
    const softmaxRows: number[][] = [];
    for (const d of devices) {
      const product = a.to(d).matmul(b.to(d));
      log(`\n[${d}] a @ b =`);
      log(await show(product));
      const soft = product.softmax(-1);
      log(`[${d}] softmax(a @ b, dim=-1) =`);
      log(await show(soft));
      softmaxRows.push(...((await soft.toArray()) as number[][]));

      const n = quick ? 256 : 1024;
      const m = randn([n, n], { device: d });
      await m.matmul(m).data(); // warm-up: compiles the kernel on webgpu
      const t0 = performance.now();
      await m.matmul(m).sum().item();
      const ms = performance.now() - t0;
      rows.push({ device: d, ms, gflops: (2 * n ** 3) / (ms / 1e3) / 1e9 });
    }
    for (const row of softmaxRows)
      expectClose(
        'a softmax row sum',
        row.reduce((s, v) => s + v, 0),
        1,
        1e-5,
      );

    log('\nmatmul timing (includes reading the result back):');
    for (const r of rows)
      log(`  ${r.device.padEnd(7)} ${r.ms.toFixed(1).padStart(8)} ms  ${r.gflops.toFixed(2)} GFLOP/s`);
    return { summary: rows.map((r) => `${r.device} ${r.gflops.toFixed(2)} GFLOP/s`).join(', ') };
  },
};

/** Prints like PyTorch; webgpu tensors are read back first. */
async function show(t: Tensor): Promise<string> {
  return (await t.toAsync('cpu')).toString();
}

export default demo;
