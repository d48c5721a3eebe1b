import { join } from 'node:path';
import { readCsv, writeCsv } from '@lumen/data';
import { IsolationForest, precisionScore, recallScore, StandardScaler, TSNE } from '@lumen/sklearn-lite';
import { Generator } from '@lumen/tensor';
import { barChart, heatmap, scatter } from '../charts/charts.ts';
import { syntheticFraudTable } from '../data/fraud.ts';
import type { Demo } from '../demo.ts';
import { expectAtLeast, pct } from '../lib/check.ts';
import { timed } from '../lib/timed.ts';

const FEATURES = [...Array.from({ length: 28 }, (_, i) => `V${i + 1}`), 'Amount'];

const demo: Demo = {
  name: 'fraud',
  description: 'a SYNTHETIC credit-card-fraud-shaped table: readCsv, describe, corr, t-SNE, IsolationForest',
  async run({ quick, outDir, log, progress, plot }) {
    // 0. The data: a seeded synthetic stand-in for Kaggle's creditcard.csv, written as CSV.
    const rows = quick ? 30_000 : 284_807;
    const csv = join(outDir, 'synthetic-creditcard.csv');
    await timed(log, `generated ${rows.toLocaleString('en-US')} SYNTHETIC transactions → ${csv}`, () =>
      writeCsv(syntheticFraudTable(rows, 0), csv, { index: false }),
    );
    log('(synthetic data shaped like the credit-card fraud set: no real transaction is in it)');

    // 1. pd.read_csv, shape, describe, class balance.
    const df = await timed(log, 'readCsv', () => readCsv(csv));
    log(`df.shape = [${df.shape}]\n`);
    log(df.describe().toString());
    const counts = df.col('Class').valueCounts();
    log(`\n${counts.toString()}`);
    const frauds = Number(df.col('Class').sum());
    log(`frauds: ${frauds} of ${df.shape[0]} (${((100 * frauds) / df.shape[0]).toFixed(3)}%)`);
    await plot(
      'fraud-class-balance',
      barChart({
        title: 'Class balance (log scale)',
        bars: [
          { label: '0 (normal)', value: df.shape[0] - frauds },
          { label: '1 (fraud)', value: frauds },
        ],
        xTitle: 'Class',
        yTitle: 'transactions',
        logY: true,
      }),
    );

    // 2. Correlations between every pair of columns.
    const corr = await timed(log, 'df.corr()', () => df.corr());
    const names = corr.columns;
    const cells = names.flatMap((row) =>
      names.map((col) => ({ row, col, value: corr.col(col).get(names.indexOf(row)) as number })),
    );
    await plot(
      'fraud-correlation',
      heatmap({
        title: 'Correlation matrix',
        cells,
        rowTitle: '',
        colTitle: '',
        diverging: true,
        order: names,
        cellSize: 14,
      }),
    );

    // 3. t-SNE of a sample (every fraud plus random normal rows) on standardized features.
    const sampleSize = quick ? 1000 : 5000;
    const g = new Generator(0);
    const cls = df.col('Class').values as Int32Array;
    const fraudRows = [...cls.keys()].filter((i) => cls[i] === 1);
    const normalRows = [...g.permutation(cls.length)].filter((i) => cls[i] === 0);
    const sample = df.iloc([...fraudRows, ...normalRows.slice(0, sampleSize - fraudRows.length)]);
    const Xs = new StandardScaler().fitTransform(sample.select(FEATURES));
    const maxIter = quick ? 300 : 1000;
    const bar = progress(`t-SNE of ${sampleSize} rows`, maxIter, 'iter');
    const tsne = new TSNE({
      perplexity: 30,
      maxIter,
      randomState: 0,
      onIteration: (p) => {
        bar.tick(1, p.klDivergence === null ? undefined : { KL: p.klDivergence });
        return undefined;
      },
    });
    const E = tsne.fitTransform(Xs).dataSync();
    bar.done({ KL: tsne.klDivergence_ });
    const sampleCls = sample.col('Class').values as Int32Array;
    await plot(
      'fraud-tsne',
      scatter({
        title: `t-SNE of ${sampleSize} transactions (all ${fraudRows.length} frauds)`,
        points: Array.from(sampleCls, (c, i) => ({
          x: E[2 * i]!,
          y: E[2 * i + 1]!,
          label: c ? 'fraud' : 'normal',
        })),
        xTitle: 't-SNE 1',
        yTitle: 't-SNE 2',
        colorTitle: 'Class',
        domain: ['normal', 'fraud'],
        colors: ['#9ecae1', '#d62728'],
        size: 10,
      }),
    );

    // 4. IsolationForest: flag the most isolated 1% of transactions, without looking at Class.
    const X = df.select(FEATURES);
    const forest = new IsolationForest({ contamination: 0.01, randomState: 0 });
    const flags = await timed(log, '\nIsolationForest(contamination=0.01).fitPredict', () =>
      forest.fitPredict(X),
    );
    const outlier = flags.eq(-1).int(); // 1 = flagged
    const y = df.col('Class').toTensor();
    const precision = precisionScore(y, outlier) as number; // a number for binary labels
    const recall = recallScore(y, outlier) as number;
    log(
      `flagged ${outlier.sum().itemSync()} transactions; against Class: precision ${pct(precision)}, recall ${pct(recall)}`,
    );
    log(`(a random 1% flag would have precision ${pct(frauds / df.shape[0])} and recall 1.0%)`);
    expectAtLeast('IsolationForest recall of frauds', recall, 0.5);
    expectAtLeast('IsolationForest precision', precision, 20 * (frauds / df.shape[0]));

    const v1 = df.col('V1').values as Float64Array;
    const v2 = df.col('V2').values as Float64Array;
    const flag = outlier.dataSync();
    const show = [...normalRows.slice(0, quick ? 4000 : 10000), ...fraudRows]; // frauds drawn last, on top
    await plot(
      'fraud-isolation-forest',
      scatter({
        title: 'IsolationForest flags on V1 vs V2',
        points: show.map((i) => ({
          x: v1[i]!,
          y: v2[i]!,
          label: `${flag[i] ? 'flagged' : 'inlier'}, ${cls[i] ? 'fraud' : 'normal'}`,
        })),
        xTitle: 'V1',
        yTitle: 'V2',
        colorTitle: 'flag, Class',
        domain: ['inlier, normal', 'flagged, normal', 'inlier, fraud', 'flagged, fraud'],
        colors: ['#c6dbef', '#fd8d3c', '#6a51a3', '#d62728'],
        size: 10,
      }),
    );
    return { summary: `IsolationForest precision ${pct(precision)}, recall ${pct(recall)} (SYNTHETIC data)` };
  },
};

export default demo;
