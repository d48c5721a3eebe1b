import { join } from 'node:path';
import { noGrad } from '@lumen/autograd';
import { DataLoader, RandomSampler, TensorDataset, trainTestSplit } from '@lumen/data';
import { AdamW, clipGradNorm, linearWarmupSchedule } from '@lumen/nn';
import { accuracyScore, classificationReport } from '@lumen/sklearn-lite';
import { cat, Generator, manualSeed, type Tensor, tensor } from '@lumen/tensor';
import {
  BertConfig,
  BertForMaskedLM,
  BertForSequenceClassification,
  type PreTrainedTokenizer,
  setWarningHandler,
  trainWordPiece,
} from '@lumen/transformers-lite';
import { lineChart } from '../charts/charts.ts';
import { loadSentences } from '../data/sentences.ts';
import type { Demo } from '../demo.ts';
import { expectAtLeast, pct } from '../lib/check.ts';

/**
 * BERT's recipe on real sentences: a WordPiece vocabulary trained on the corpus, a small BERT
 * pre-trained briefly with masked-language modelling, saved in Hugging Face's layout, loaded
 * again as a sequence classifier and fine-tuned (AdamW, linear warmup, gradient clipping).
 */

/**
 * BERT's masking: 15% of the real tokens become targets; of those 80% are replaced by [MASK],
 * 10% by a random token and 10% stay. Labels are -100 everywhere else (ignored by the loss).
 */
export function maskTokens(
  ids: Tensor,
  tok: PreTrainedTokenizer,
  g: Generator,
): { inputs: Tensor; labels: Tensor } {
  const inputs = Int32Array.from(ids.dataSync() as Int32Array);
  const labels = new Int32Array(inputs.length).fill(-100);
  const special = new Set(tok.allSpecialIds);
  for (let i = 0; i < inputs.length; i++) {
    if (special.has(inputs[i]!) || g.random() >= 0.15) continue;
    labels[i] = inputs[i]!;
    const r = g.random();
    if (r < 0.8) inputs[i] = tok.maskTokenId!;
    else if (r < 0.9) inputs[i] = g.randint(0, tok.vocabSize);
  }
  return {
    inputs: tensor(inputs, { shape: ids.shape.slice() }),
    labels: tensor(labels, { shape: ids.shape.slice() }),
  };
}

/** AdamW without weight decay on biases and LayerNorm weights, the usual BERT grouping. */
function adamW(model: BertForMaskedLM | BertForSequenceClassification, lr: number): AdamW {
  const decay: Tensor[] = [];
  const noDecay: Tensor[] = [];
  for (const [name, p] of model.namedParameters())
    (name.endsWith('bias') || name.includes('LayerNorm') ? noDecay : decay).push(p);
  return new AdamW(
    [
      { params: decay, weightDecay: 0.01 },
      { params: noDecay, weightDecay: 0 },
    ],
    { lr },
  );
}

const demo: Demo = {
  name: 'sentiment',
  description: 'BERT on the UCI sentiment sentences: WordPiece, masked-LM pre-training, fine-tuning',
  async run({ device, quick, outDir, log, progress, plot }) {
    manualSeed(42);
    // Quick mode: a BERT of width 32 (what 2 CPU cores train in half a minute); full: width 64.
    const size = quick
      ? { vocab: 1500, hidden: 32, maxLength: 20, mlmSteps: 16, epochs: 2, dropout: 0, lr: 6e-3, batch: 64 }
      : {
          vocab: 2000,
          hidden: 64,
          maxLength: 32,
          mlmSteps: 400,
          epochs: 4,
          dropout: 0.1,
          lr: 2e-3,
          batch: 32,
        };
    const previousWarningHandler = setWarningHandler((message) => log(`  (transformers-lite: ${message})`));
    const { texts, labels } = loadSentences();
    log(
      `${texts.length} labelled sentences (IMDb, Yelp, Amazon), ${pct(labels.filter((l) => l === 1).length / labels.length)} positive`,
    );
    log(`e.g. "${texts[0]}" → ${labels[0]}`);

    // 1. A WordPiece vocabulary learned from the training sentences only.
    const [trainTexts, testTexts, trainLabels, testLabels] = trainTestSplit(texts, labels, {
      testSize: 0.2,
      randomState: 0,
    });
    const tok = trainWordPiece(trainTexts, { vocabSize: size.vocab, minFrequency: 2 });
    log(`\nWordPiece vocabulary: ${tok.vocabSize} tokens; "${testTexts[0]}" →`);
    log(`  ${tok.tokenize(testTexts[0]!).join(' ')}`);
    const { maxLength } = size;
    const encode = (t: string[]) =>
      tok(t, { padding: 'max_length', truncation: true, maxLength, returnTensors: true });
    const train = encode(trainTexts);
    const test = encode(testTexts);

    // 2. Masked-LM pre-training on the training sentences (their labels unused).
    const config = new BertConfig({
      vocabSize: tok.vocabSize,
      hiddenSize: size.hidden,
      numHiddenLayers: 2,
      numAttentionHeads: 2,
      intermediateSize: 2 * size.hidden,
      maxPositionEmbeddings: maxLength,
      hiddenDropoutProb: size.dropout,
      attentionProbsDropoutProb: size.dropout,
    });
    const mlm = new BertForMaskedLM(config).to(device);
    const g = new Generator(0);
    const { mlmSteps, epochs } = size;
    const mlmOptimizer = adamW(mlm, 1e-3);
    const n = train.inputIds.shape[0]!;
    let bar = progress('masked-LM pre-training', mlmSteps, 'step');
    const mlmCurve: { x: number; y: number; series: string }[] = [];
    for (let step = 1; step <= mlmSteps; step++) {
      const rows = tensor(
        Array.from({ length: 32 }, () => g.randint(0, n)),
        { dtype: 'int32' },
      );
      const { inputs, labels: targets } = maskTokens(train.inputIds.indexSelect(0, rows), tok, g);
      mlmOptimizer.zeroGrad();
      const { loss } = mlm.forward({
        inputIds: inputs.to(device),
        attentionMask: train.attentionMask.indexSelect(0, rows).to(device),
        labels: targets.to(device),
      });
      loss!.backward();
      clipGradNorm(mlm.parameters(), 1.0);
      mlmOptimizer.step();
      const l = Number(await loss!.item());
      mlmCurve.push({ x: step, y: l, series: 'masked-LM loss' });
      bar.tick(1, { loss: l });
    }
    bar.done();
    const pretrained = join(outDir, 'sentiment-bert-mlm');
    await mlm.savePretrained(pretrained);
    await tok.savePretrained(pretrained);
    log(`saved the pre-trained model and tokenizer (Hugging Face layout) to ${pretrained}`);

    // 3. Fine-tuning: the same weights under a fresh classification head.
    const model = await BertForSequenceClassification.fromPretrained(pretrained, { numLabels: 2, device });
    const yTrain = tensor(trainLabels, { dtype: 'int32' });
    const yTest = tensor(testLabels, { dtype: 'int32' });
    const trainData = new TensorDataset(train.inputIds, train.attentionMask, yTrain);
    const loader = new DataLoader(trainData, {
      sampler: new RandomSampler(trainData),
      batchSize: size.batch,
    });
    const optimizer = adamW(model, size.lr);
    const scheduler = linearWarmupSchedule(optimizer, {
      warmupSteps: 20,
      totalSteps: epochs * loader.length,
    });
    const evaluate = async (): Promise<Int32Array> => {
      model.eval();
      const chunks: Tensor[] = [];
      for (let i = 0; i < test.inputIds.shape[0]!; i += 200) {
        const ids = test.inputIds.slice(0, i, i + 200).to(device);
        const mask = test.attentionMask.slice(0, i, i + 200).to(device);
        chunks.push(noGrad(() => model.forward({ inputIds: ids, attentionMask: mask }).logits.argmax(1)));
      }
      return (await cat(chunks).toAsync('cpu')).dataSync() as Int32Array;
    };
    const curve: { x: number; y: number; series: string }[] = [];
    const majority =
      Math.max(...[0, 1].map((c) => testLabels.filter((l) => l === c).length)) / testLabels.length;
    bar = progress('fine-tuning', epochs * loader.length, 'batch');
    let predicted: Int32Array = new Int32Array();
    for (let epoch = 1; epoch <= epochs; epoch++) {
      model.train();
      for (const [ids, mask, y] of loader) {
        optimizer.zeroGrad();
        const { loss } = model.forward({
          inputIds: ids!.to(device),
          attentionMask: mask!.to(device),
          labels: y!.to(device),
        });
        loss!.backward();
        clipGradNorm(model.parameters(), 1.0);
        optimizer.step();
        scheduler.step();
        bar.tick(1, { epoch, loss: Number(await loss!.item()) });
      }
      predicted = await evaluate();
      const acc = accuracyScore(yTest, predicted);
      curve.push(
        { x: epoch, y: acc, series: 'held-out accuracy' },
        { x: epoch, y: majority, series: 'majority class' },
      );
    }
    bar.done();
    const acc = accuracyScore(yTest, predicted);
    log(
      `\nheld-out accuracy per epoch: ${curve
        .filter((c) => c.series !== 'majority class')
        .map((c) => pct(c.y))
        .join(', ')}; majority class ${pct(majority)}\n`,
    );
    log(classificationReport(yTest, predicted, { targetNames: ['negative', 'positive'], digits: 3 }));
    expectAtLeast('sentiment accuracy above the majority baseline', acc, majority + 0.05);

    await plot(
      'sentiment-accuracy',
      lineChart({
        title: 'Fine-tuning: held-out accuracy per epoch',
        rows: curve,
        xTitle: 'epoch',
        integerX: true,
        yTitle: 'accuracy',
      }),
    );
    await plot(
      'sentiment-mlm-loss',
      lineChart({
        title: 'Masked-LM pre-training loss',
        rows: mlmCurve,
        xTitle: 'step',
        yTitle: 'cross-entropy',
      }),
    );
    setWarningHandler(previousWarningHandler);
    return { summary: `held-out accuracy ${pct(acc)} vs majority class ${pct(majority)}` };
  },
};

export default demo;
