import { noGrad } from '@lumen/autograd';
import { Adam, BCEWithLogitsLoss } from '@lumen/nn';
import { manualSeed } from '@lumen/tensor';
import { decisionBoundary, lineChart } from '../../src/charts/charts.ts';
import { accuracy, BlobsNet, blobsData, probabilityGrid, toPoints } from '../../src/demos/blobs.ts';
import { draw, nextFrame } from '../chart.ts';
import type { Panel } from './panel.ts';

/** The blobs classifier of `pnpm demo blobs`, trained full-batch and redrawn after every few steps. */
export const blobsPanel: Panel = {
  id: 'blobs',
  async run(device, status) {
    manualSeed(0);
    const { Xtrain, Xtest, ytrain, ytest } = blobsData(600, device);
    const model = new BlobsNet().to(device);
    const lossFn = new BCEWithLogitsLoss();
    const optimizer = new Adam(model.parameters(), { lr: 0.05 });
    const points = await toPoints(Xtest, ytest);
    const curve: { x: number; y: number; series: string }[] = [];
    const boundary = document.getElementById('blobs-boundary')!;
    const lossEl = document.getElementById('blobs-loss')!;
    const steps = 60;
    let acc = 0;
    const t0 = performance.now();
    for (let step = 1; step <= steps; step++) {
      model.train();
      optimizer.zeroGrad();
      const loss = lossFn.forward(model.forward(Xtrain), ytrain);
      loss.backward();
      optimizer.step();
      curve.push({ x: step, y: Number(await loss.item()), series: 'train' });
      if (step % 5 === 0 || step === steps) {
        model.eval();
        acc = await accuracy(
          noGrad(() => model.forward(Xtest)),
          ytest,
        );
        const { grid, step: cell } = await probabilityGrid(model, device, 30);
        await draw(
          boundary,
          decisionBoundary({
            title: `Step ${step}: test accuracy ${(100 * acc).toFixed(1)}%`,
            grid,
            step: cell,
            points,
            width: 320,
            height: 320,
          }),
        );
        await draw(
          lossEl,
          lineChart({
            title: 'BCEWithLogitsLoss',
            rows: curve,
            xTitle: 'step',
            yTitle: 'loss',
            width: 320,
            height: 280,
          }),
        );
        const rate = step / ((performance.now() - t0) / 1000);
        status(
          `step ${step}/${steps} · loss ${curve.at(-1)!.y.toFixed(4)} · ${rate.toFixed(1)} steps/s · test accuracy ${(100 * acc).toFixed(1)}%`,
        );
        await nextFrame();
      }
    }
    document.getElementById('blobs')!.dataset.accuracy = String(acc);
  },
};
