/**
 * Issue 13's memory reproducer: a PyTorch-style training loop (zeroGrad, forward, backward, step)
 * written three ways — never awaiting, awaiting `loss.item()` every 100 steps, awaiting it every step —
 * printing RSS and memory() as it goes.
 *   node --import tsx --conditions=@lumen/source profile/loop-memory.ts <cpu|webgpu> <never|every100|every> [steps]
 */
import { AdamW, Linear, MSELoss, ReLU, Sequential } from '@lumen/nn';
import * as L from '@lumen/tensor';
import '@lumen/autograd';

const [device = 'cpu', mode = 'never', stepsArg = '3000'] = process.argv.slice(2);
const steps = Number(stepsArg);
if (device === 'webgpu' && !(await L.initWebGPU())) throw new Error('no WebGPU adapter');
L.setDefaultDevice(device as L.Device);
L.manualSeed(0);
const model = new Sequential(new Linear(2, 64), new ReLU(), new Linear(64, 1));
const opt = new AdamW(model.parameters(), { lr: 1e-3 });
const lossFn = new MSELoss();
const x = L.randn([32, 2]);
const y = L.randn([32, 1]);
const t0 = performance.now();
for (let step = 1; step <= steps; step++) {
  opt.zeroGrad();
  const loss = lossFn.forward(model.forward(x), y);
  loss.backward();
  opt.step();
  if (mode === 'every' || (mode === 'every100' && step % 100 === 0)) await loss.item();
  if (step % Math.max(1, Math.floor(steps / 10)) === 0) {
    const m = L.memory();
    console.log(
      `step ${step}: rss ${(process.memoryUsage.rss() / 2 ** 20).toFixed(0)} MB, live ${m.tensors} tensors ${(m.bytes / 2 ** 20).toFixed(1)} MB, ${((performance.now() - t0) / step).toFixed(2)} ms/step`,
    );
  }
}
