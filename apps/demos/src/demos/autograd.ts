import { grad, noGrad } from '@lumen/autograd';
import { type Device, linspace, type Tensor, tensor } from '@lumen/tensor';
import { lineChart } from '../charts/charts.ts';
import type { Demo } from '../demo.ts';
import { expectAllClose, expectClose, expectTrue } from '../lib/check.ts';

/**
 * Autograd as in PyTorch: leaves with `requiresGrad`, a small graph, `backward()`, gradients that
 * add up over two `backward()` calls, `noGrad`, `grad()`, and the same graph on each device.
 */
const demo: Demo = {
  name: 'autograd',
  description: 'requiresGrad, a small graph, backward(), gradient accumulation, noGrad, devices',
  async run({ device, log, plot }) {
    // 1. A small graph: a linear model's squared error, loss = (w·x + b − 3)².
    const x = tensor([1, 2, 3]);
    const w = tensor([0.5, -1, 2], { requiresGrad: true });
    const b = tensor(0.1, { requiresGrad: true });
    const pred = w.mul(x).sum().add(b); // 0.5 − 2 + 6 + 0.1 = 4.6
    const loss = pred.sub(3).square(); // 1.6² = 2.56
    log(`pred = ${Number(pred.itemSync()).toFixed(4)}   (gradFn ${pred.gradFn?.name})`);
    log(`loss = ${Number(loss.itemSync()).toFixed(4)}   (gradFn ${loss.gradFn?.name})`);
    log(`leaves: w.isLeaf=${w.isLeaf}, x.requiresGrad=${x.requiresGrad}, pred.isLeaf=${pred.isLeaf}`);

    loss.backward();
    // By hand: dloss/dw = 2(pred − 3)·x = 3.2·x, dloss/db = 2(pred − 3) = 3.2.
    log(`\nafter loss.backward():`);
    log(`  w.grad = ${w.grad?.toString()}   (by hand: 3.2·x = [3.2, 6.4, 9.6])`);
    log(`  b.grad = ${b.grad?.toString()}   (by hand: 3.2)`);
    const byHand = [3.2, 6.4, 9.6];
    expectAllClose('w.grad', w.grad!.dataSync(), byHand, 1e-5);
    expectClose('b.grad', Number(b.grad!.itemSync()), 3.2, 1e-5);

    // 2. Gradients accumulate: a second backward() through a fresh graph adds to .grad.
    w.mul(x).sum().add(b).sub(3).square().backward();
    log(`\nafter a second backward(): w.grad = ${w.grad?.toString()}   (twice the first)`);
    expectAllClose(
      'accumulated w.grad',
      w.grad!.dataSync(),
      byHand.map((g) => 2 * g),
      1e-5,
    );
    w.grad = null; // what optimizer.zeroGrad() does
    b.grad = null;

    // 3. noGrad: nothing is recorded (inference, evaluation loops, parameter updates).
    const frozen = noGrad(() => w.mul(2));
    log(`\nnoGrad(() => w.mul(2)).requiresGrad = ${frozen.requiresGrad}`);
    expectTrue('noGrad records nothing', !frozen.requiresGrad && frozen.gradFn === null);

    // 4. grad() returns gradients without touching .grad; d/dx tanh(x) = 1 − tanh²(x).
    const xs = linspace(-4, 4, 161, { requiresGrad: true });
    const [dydx] = grad(xs.tanh().sum(), xs) as [Tensor];
    const xv = xs.detach().dataSync();
    const got = dydx.dataSync();
    const maxErr = Math.max(...Array.from(xv, (v, i) => Math.abs(got[i]! - (1 - Math.tanh(v) ** 2))));
    log(`\ngrad(tanh(x).sum(), x) vs 1 − tanh²(x) in float64: max |difference| = ${maxErr.toExponential(2)}`);
    expectClose('autograd derivative of tanh', maxErr, 0, 1e-6);
    const rows = [
      ...series('tanh(x)', xv, noGrad(() => xs.tanh()).dataSync()),
      ...series('d/dx by autograd', xv, dydx.dataSync()),
    ];
    await plot(
      'autograd-tanh',
      lineChart({ title: 'tanh and its gradient from grad()', rows, xTitle: 'x', yTitle: 'y' }),
    );

    // 5. Devices: the same graph on each device gives the same gradients.
    const devices: Device[] = device === 'webgpu' ? ['cpu', 'webgpu'] : ['cpu'];
    const grads: number[][] = [];
    for (const d of devices) {
      const wd = tensor([0.5, -1, 2], { requiresGrad: true, device: d });
      const xd = tensor([1, 2, 3], { device: d });
      wd.mul(xd).sum().add(0.1).sub(3).square().backward();
      const g = Array.from(await wd.grad!.data());
      log(`[${d}] w.grad = [${g.map((v) => v.toFixed(4)).join(', ')}]`);
      grads.push(g);
    }
    for (const g of grads) expectAllClose('w.grad on every device', g, byHand, 1e-5);
    return {
      summary: `gradients equal the hand-derived ones on ${devices.join(' and ')}; accumulation doubles them`,
    };
  },
};

function series(name: string, x: ArrayLike<number>, y: ArrayLike<number>) {
  return Array.from(x, (xv, i) => ({ x: xv, y: y[i]!, series: name }));
}

export default demo;
