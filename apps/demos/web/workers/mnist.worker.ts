/// <reference lib="webworker" />
import { PCA, TSNE } from '@lumen/sklearn-lite';
import { tensor } from '@lumen/tensor';
import { interleave } from '../../src/data/digits.ts';
import type { MnistMessage, MnistRequest } from './messages.ts';

/**
 * PCA and t-SNE off the page's thread: t-SNE's fit is one long synchronous call, so running it
 * here lets the page redraw the map from the snapshots this worker posts every few iterations.
 */
const send = (m: MnistMessage) => postMessage(m);

addEventListener('message', async (e: MessageEvent<MnistRequest>) => {
  const { urls, pcaRows, tsneRows, tsneIter } = e.data;
  const t0 = performance.now();
  try {
    send({ kind: 'status', text: 'fetching the 10 digit files…' });
    const perDigit = await Promise.all(
      urls.map(async (u) => ((await (await fetch(u)).json()) as { data: number[] }).data),
    );
    const { pixels, labels } = interleave(perDigit, pcaRows);
    const X = tensor(pixels, { shape: [labels.length, 784] });
    const label = (i: number) => String(labels[i]);

    send({ kind: 'status', text: `PCA 784 → 2 on ${labels.length} digits…` });
    const pca = new PCA({ nComponents: 2, randomState: 0 }).fit(X);
    const z = pca.transform(X).dataSync();
    send({
      kind: 'pca',
      points: Array.from(labels, (_, i) => ({ x: z[2 * i]!, y: z[2 * i + 1]!, label: label(i) })),
      ratio: Array.from(pca.explainedVarianceRatio_.dataSync()),
    });

    // t-SNE on a prefix (every digit is in it), after PCA to 30 dimensions as usual.
    const sub = X.slice(0, 0, tsneRows);
    const Z = new PCA({ nComponents: 30, randomState: 0 }).fitTransform(sub);
    const snapshot = (emb: Float64Array | Float32Array) =>
      Array.from({ length: tsneRows }, (_, i) => ({ x: emb[2 * i]!, y: emb[2 * i + 1]!, label: label(i) }));
    let kl: number | null = null;
    const tsne = new TSNE({
      maxIter: tsneIter,
      randomState: 0,
      onIteration: (p) => {
        if (p.klDivergence !== null) kl = p.klDivergence;
        if (p.iteration % 10 === 9)
          send({
            kind: 'tsne',
            iteration: p.iteration + 1,
            of: tsneIter,
            points: snapshot(p.embedding().dataSync() as Float64Array),
            kl,
          });
        return undefined;
      },
    });
    const E = tsne.fitTransform(Z).dataSync() as Float64Array;
    send({ kind: 'tsne', iteration: tsneIter, of: tsneIter, points: snapshot(E), kl: tsne.klDivergence_ });
    send({ kind: 'done', seconds: (performance.now() - t0) / 1000 });
  } catch (err) {
    send({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
  }
});
