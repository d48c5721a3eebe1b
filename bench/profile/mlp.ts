/**
 * The nn bench's MLP step (2 → 64 → ReLU → 1, batch 64, BCEWithLogits, Adam lr 0.01) on cpu, for
 * profiles: ms/step as the fastest of 5 blocks.
 *   node [--cpu-prof] --import tsx --conditions=@lumen/source profile/mlp.ts [steps per block]
 */
import { Adam, BCEWithLogitsLoss, Linear, ReLU, Sequential } from '@lumen/nn';
import * as L from '@lumen/tensor';
import '@lumen/autograd';

const steps = Number(process.argv[2] ?? 2000);
L.manualSeed(0);
const model = new Sequential(new Linear(2, 64), new ReLU(), new Linear(64, 1));
const opt = new Adam(model.parameters(), { lr: 0.01 });
const lossFn = new BCEWithLogitsLoss();
const x = L.randn([64, 2]);
const y = L.rand([64, 1]).gt(0.5).float();
const best: number[] = [];
for (let r = 0; r < 5; r++) {
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    lossFn.forward(model.forward(x), y).backward();
    opt.step();
  }
  best.push((performance.now() - t0) / steps);
}
console.log(
  `MLP step: ${Math.min(...best).toFixed(3)} ms (blocks: ${best.map((b) => b.toFixed(3)).join(' ')})`,
);
