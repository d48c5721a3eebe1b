import { type Device, initWebGPU, manualSeed, randn, type Tensor, tensor } from '@lumen/tensor';
import type { Demo } from '../demo.ts';

/** A matmul and a softmax, printed on cpu and (when an adapter exists) on webgpu, with timings. */
const demo: Demo = {
  name: 'tensor',
  description: 'tensors on cpu and webgpu: a matmul, a softmax, and a 1024x1024 product timed on each device',
  async run({ device, quick, log }) {
    manualSeed(0);
    const a = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = randn([3, 4]);
    const devices: Device[] = device === 'cpu' ? ['cpu'] : ['cpu', 'webgpu'];
    const rows: { device: Device; ms: number; gflops: number }[] = [];
    for (const d of devices) {
      if (d === 'webgpu' && !(await initWebGPU())) {
        log('webgpu: no WebGPU adapter on this machine, showing cpu only');
        continue;
      }
      const x = a.to(d);
      const w = b.to(d);
      const product = x.matmul(w);
      log(`\n[${d}] a @ b =`);
      log(await show(product));
      log(`[${d}] softmax(a @ b, dim=-1) =`);
      log(await show(product.softmax(-1)));
      const n = quick ? 256 : 1024;
      const m = randn([n, n], { device: d });
      await m.matmul(m).data();
      const t0 = performance.now();
      const r = m.matmul(m);
      await r.sum().item();
      const ms = performance.now() - t0;
      rows.push({ device: d, ms, gflops: (2 * n ** 3) / (ms / 1e3) / 1e9 });
    }
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
