import { scatter } from '../../src/charts/charts.ts';
import { draw } from '../chart.ts';
import { DIGIT_URLS } from '../mnistFiles.ts';
import type { MnistMessage, MnistRequest } from '../workers/messages.ts';
import type { Panel } from './panel.ts';

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** PCA of the MNIST digits, then a t-SNE map redrawn as it converges (computed in a worker). */
export const mnistPanel: Panel = {
  id: 'mnist',
  run(_device, status) {
    const section = document.getElementById('mnist')!;
    const pcaEl = document.getElementById('mnist-pca')!;
    const tsneEl = document.getElementById('mnist-tsne')!;
    const worker = new Worker(new URL('../workers/mnist.worker.ts', import.meta.url), { type: 'module' });
    const request: MnistRequest = { urls: DIGIT_URLS, pcaRows: 5000, tsneRows: 1000, tsneIter: 400 };
    // Draw only the newest t-SNE snapshot: the worker may post faster than the page draws.
    let latest: Extract<MnistMessage, { kind: 'tsne' }> | null = null;
    let drawing: Promise<void> | null = null;
    const drawLatest = async () => {
      while (latest) {
        const m = latest;
        latest = null;
        await draw(
          tsneEl,
          scatter({
            title: `t-SNE of ${m.points.length} digits, iteration ${m.iteration}/${m.of}`,
            points: m.points,
            xTitle: '',
            yTitle: '',
            colorTitle: 'digit',
            domain: DIGITS,
            size: 10,
            width: 360,
            height: 320,
          }),
        );
        section.dataset.tsneIteration = String(m.iteration);
        section.dataset.tsnePoints = String(m.points.length);
        status(`t-SNE iteration ${m.iteration}/${m.of}${m.kl === null ? '' : ` · KL ${m.kl.toFixed(3)}`}`);
      }
      drawing = null;
    };
    return new Promise<void>((resolve, reject) => {
      worker.onmessage = async (e: MessageEvent<MnistMessage>) => {
        const m = e.data;
        if (m.kind === 'status') status(m.text);
        else if (m.kind === 'pca') {
          await draw(
            pcaEl,
            scatter({
              title: `PCA 784 → 2 (${m.points.length} digits, ${(100 * (m.ratio[0]! + m.ratio[1]!)).toFixed(1)}% of the variance)`,
              points: m.points,
              xTitle: 'PC 1',
              yTitle: 'PC 2',
              colorTitle: 'digit',
              domain: DIGITS,
              size: 6,
              width: 360,
              height: 320,
            }),
          );
          section.dataset.pcaPoints = String(m.points.length);
          section.dataset.pcaRatio = m.ratio.join(',');
        } else if (m.kind === 'tsne') {
          latest = m;
          drawing ??= drawLatest();
        } else if (m.kind === 'done') {
          await drawing;
          status(
            `done in ${m.seconds.toFixed(1)} s: PCA of ${request.pcaRows} digits, t-SNE of ${request.tsneRows}`,
          );
          worker.terminate();
          resolve();
        } else {
          worker.terminate();
          reject(new Error(m.message));
        }
      };
      worker.onerror = (e) => {
        worker.terminate();
        reject(new Error(e.message));
      };
      worker.postMessage(request);
    });
  },
};
