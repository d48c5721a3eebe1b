import { noGrad } from '@lumen/autograd';
import { DataLoader, TensorDataset, trainTestSplit } from '@lumen/data';
import { Adam, BCEWithLogitsLoss, Linear, Module, ReLU } from '@lumen/nn';
import { makeBlobs } from '@lumen/sklearn-lite';
import { type Device, manualSeed, type Tensor, tensor } from '@lumen/tensor';
import { decisionBoundary, lineChart, type Point } from '../charts/charts.ts';
import type { Demo } from '../demo.ts';
import { expectAtLeast, pct } from '../lib/check.ts';

/** The notes' binary classifier: Linear → ReLU → Linear, one logit out. */
export class BlobsNet extends Module {
  fc1 = new Linear(2, 16);
  act = new ReLU();
  fc2 = new Linear(16, 1);
  forward(x: Tensor): Tensor {
    return this.fc2.forward(this.act.forward(this.fc1.forward(x)));
  }
}

/** Two Gaussian blobs around (−2, −2) and (2, 2), split 80/20 into float32 tensors on `device`. */
export function blobsData(nSamples: number, device: Device) {
  const { X, y } = makeBlobs({
    nSamples,
    centers: [
      [-2, -2],
      [2, 2],
    ],
    clusterStd: 1,
    randomState: 42,
  });
  const [Xtrain, Xtest, ytrain, ytest] = trainTestSplit(X.float(), y.float().unsqueeze(1), {
    testSize: 0.2,
    randomState: 42,
  });
  return {
    Xtrain: Xtrain.to(device),
    Xtest: Xtest.to(device),
    ytrain: ytrain.to(device),
    ytest: ytest.to(device),
  };
}

/** P(class 1) over an n × n grid covering [lo, hi]², for the decision-boundary plot. */
export async function probabilityGrid(model: BlobsNet, device: Device, n = 50, lo = -6, hi = 6) {
  const step = (hi - lo) / (n - 1);
  const xy: number[][] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) xy.push([lo + j * step, lo + i * step]);
  const p = await noGrad(() => model.forward(tensor(xy, { device })).sigmoid()).data();
  return { step, grid: xy.map(([x, y], k) => ({ x: x!, y: y!, p: p[k]! })) };
}

/** Accuracy of the logits' sign against 0/1 labels. */
export async function accuracy(logits: Tensor, y: Tensor): Promise<number> {
  return Number(await logits.gt(0).float().eq(y).float().mean().item());
}

export async function toPoints(X: Tensor, y: Tensor): Promise<Point[]> {
  const [xs, ys] = [await X.data(), await y.data()];
  return Array.from(ys, (label, i) => ({ x: xs[2 * i]!, y: xs[2 * i + 1]!, label: String(label) }));
}

const demo: Demo = {
  name: 'blobs',
  description: 'makeBlobs → Linear-ReLU-Linear with BCEWithLogitsLoss and Adam, a decision boundary',
  async run({ device, quick, log, progress, plot }) {
    manualSeed(0);
    const { Xtrain, Xtest, ytrain, ytest } = blobsData(quick ? 600 : 2000, device);
    log(`train ${Xtrain.shape}, test ${Xtest.shape} on ${device}`);

    const model = new BlobsNet().to(device);
    const lossFn = new BCEWithLogitsLoss();
    const optimizer = new Adam(model.parameters(), { lr: 0.01 });
    const loader = new DataLoader(new TensorDataset(Xtrain, ytrain), { batchSize: 32, shuffle: true });
    const epochs = quick ? 10 : 30;

    const curve: { x: number; y: number; series: string }[] = [];
    const bar = progress('training', epochs * Math.ceil(Xtrain.shape[0]! / 32), 'batch');
    for (let epoch = 1; epoch <= epochs; epoch++) {
      model.train();
      let total = 0;
      for (const [xb, yb] of loader) {
        optimizer.zeroGrad();
        const loss = lossFn.forward(model.forward(xb!), yb!);
        loss.backward();
        optimizer.step();
        total += Number(await loss.item()) * xb!.shape[0]!;
        bar.tick();
      }
      // Evaluation: eval mode and no graph.
      model.eval();
      const testLoss = Number(await noGrad(() => lossFn.forward(model.forward(Xtest), ytest)).item());
      curve.push(
        { x: epoch, y: total / Xtrain.shape[0]!, series: 'train' },
        { x: epoch, y: testLoss, series: 'test' },
      );
      bar.tick(0, { epoch, loss: total / Xtrain.shape[0]! });
    }
    bar.done();

    const acc = await accuracy(
      noGrad(() => model.forward(Xtest)),
      ytest,
    );
    log(`test accuracy: ${pct(acc)}`);
    expectAtLeast('blobs test accuracy', acc, 0.97);

    const { grid, step } = await probabilityGrid(model, device);
    await plot(
      'blobs-decision-boundary',
      decisionBoundary({
        title: `Decision boundary (test accuracy ${pct(acc)})`,
        grid,
        step,
        points: await toPoints(Xtest, ytest),
      }),
    );
    await plot(
      'blobs-loss',
      lineChart({
        title: 'BCEWithLogitsLoss per epoch',
        rows: curve,
        xTitle: 'epoch',
        yTitle: 'loss',
        integerX: true,
      }),
    );
    return { summary: `test accuracy ${pct(acc)} (≥ 97%)` };
  },
};

export default demo;
