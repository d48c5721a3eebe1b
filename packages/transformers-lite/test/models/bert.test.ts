import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noGrad } from '@lumen/autograd';
import { parseSafetensors, serializeSafetensors } from '@lumen/nn';
import { manualSeed, tensor } from '@lumen/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AutoConfig,
  AutoModel,
  AutoModelForMaskedLM,
  AutoModelForSequenceClassification,
  BertConfig,
  BertForMaskedLM,
  BertForSequenceClassification,
  BertModel,
  setWarningHandler,
} from '../../src/index.ts';
import { captureWarnings, expectClose, fixture, folder, maxDiff, type TJ, t } from './helpers.ts';

interface BertFixture {
  inputIds: TJ;
  attentionMask: TJ;
  tokenTypeIds: TJ;
  seqcls: {
    labels: TJ;
    loss: number;
    logits: TJ;
    lastHiddenState: TJ;
    pooled: TJ;
    logitsNoMask: TJ;
    multiLabel: { labels: TJ; loss: number };
  };
  regression: { labels: TJ; loss: number; logits: TJ };
  mlm: { labels: TJ; loss: number; logits: TJ };
  stateDictKeys: { seqcls: string[]; mlm: string[] };
}

const fx = fixture<BertFixture>('bert.json');
const inputs = () => ({
  inputIds: t(fx.inputIds),
  attentionMask: t(fx.attentionMask),
  tokenTypeIds: t(fx.tokenTypeIds),
});
let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'lumen-bert-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('BERT matches the PyTorch reference (float32, 1e-4)', () => {
  it('BertForSequenceClassification: logits, pooled output, hidden states and cross-entropy loss', async () => {
    const model = await BertForSequenceClassification.fromPretrained(folder('bert-seqcls'));
    expect(model.training).toBe(false);
    expect(model.numLabels).toBe(3);
    expect(model.config.id2label).toEqual({ 0: 'negative', 1: 'neutral', 2: 'positive' });
    const out = noGrad(() => model.forward({ ...inputs(), labels: t(fx.seqcls.labels) }));
    await expectClose(out.logits, fx.seqcls.logits, 1e-4);
    expect(Math.abs((out.loss!.itemSync() as number) - fx.seqcls.loss)).toBeLessThan(1e-4);
    const base = model.bert.forward(inputs());
    await expectClose(base.lastHiddenState, fx.seqcls.lastHiddenState, 1e-4);
    await expectClose(base.poolerOutput!, fx.seqcls.pooled, 1e-4);
    // Without attentionMask and tokenTypeIds: all tokens attended, segment 0 everywhere.
    await expectClose(model.forward({ inputIds: t(fx.inputIds) }).logits, fx.seqcls.logitsNoMask, 1e-4);
  });

  it('float multi-hot labels give the multi-label BCE loss; problemType is honoured', async () => {
    const model = await BertForSequenceClassification.fromPretrained(folder('bert-seqcls'));
    const labels = t(fx.seqcls.multiLabel.labels);
    const loss = model.forward({ ...inputs(), labels }).loss!;
    expect(Math.abs((loss.itemSync() as number) - fx.seqcls.multiLabel.loss)).toBeLessThan(1e-4);
    model.config.problemType = 'single_label_classification';
    expect(() => model.forward({ ...inputs(), labels })).toThrow(/int32 class ids/);
  });

  it('numLabels = 1 is regression with the MSE loss', async () => {
    const model = await BertForSequenceClassification.fromPretrained(folder('bert-regression'));
    expect(model.numLabels).toBe(1);
    const out = model.forward({ ...inputs(), labels: t(fx.regression.labels) });
    await expectClose(out.logits, fx.regression.logits, 1e-4);
    expect(Math.abs((out.loss!.itemSync() as number) - fx.regression.loss)).toBeLessThan(1e-4);
  });

  it('BertForMaskedLM: logits (decoder tied to the word embeddings) and the loss over non-ignored labels', async () => {
    const model = await BertForMaskedLM.fromPretrained(folder('bert-mlm'));
    expect(model.cls.predictions.decoder.weight).toBe(model.bert.embeddings.word_embeddings.weight);
    expect(model.cls.predictions.decoder.bias).toBe(model.cls.predictions.bias);
    const out = model.forward({ ...inputs(), labels: t(fx.mlm.labels) });
    await expectClose(out.logits, fx.mlm.logits, 1e-4);
    expect(Math.abs((out.loss!.itemSync() as number) - fx.mlm.loss)).toBeLessThan(1e-4);
  });

  it('the Auto classes pick the class from model_type', async () => {
    const config = await AutoConfig.fromPretrained(folder('bert-seqcls'));
    expect(config).toBeInstanceOf(BertConfig);
    expect((config as BertConfig).layerNormEps).toBe(1e-12);
    expect(await AutoModelForSequenceClassification.fromPretrained(folder('bert-seqcls'))).toBeInstanceOf(
      BertForSequenceClassification,
    );
    expect(await AutoModelForMaskedLM.fromPretrained(folder('bert-mlm'))).toBeInstanceOf(BertForMaskedLM);
    await expect(AutoModelForSequenceClassification.fromPretrained(folder('gpt2-lm'))).rejects.toThrow(
      /no SequenceClassification model for model_type "gpt2".*supported: bert/,
    );
  });
});

describe('dropout follows train() and eval()', () => {
  it('eval() is deterministic, train() is not and is reproducible under manualSeed', async () => {
    const model = await BertForSequenceClassification.fromPretrained(folder('bert-seqcls'));
    const a = model.forward(inputs()).logits;
    expect(await maxDiff(model.forward(inputs()).logits, a)).toBe(0);
    model.train();
    manualSeed(7);
    const b = model.forward(inputs()).logits;
    manualSeed(7);
    const c = model.forward(inputs()).logits;
    expect(await maxDiff(b, c)).toBe(0);
    expect(await maxDiff(b, a)).toBeGreaterThan(1e-3);
  });
});

describe('loading checkpoints the way transformers does', () => {
  it('a pretraining checkpoint (NSP head, position_ids buffer, tied decoder copy) fine-tunes into a classifier, with warnings', async () => {
    const { result: model, warnings } = await captureWarnings(setWarningHandler, () =>
      BertForSequenceClassification.fromPretrained(folder('bert-pretraining'), { numLabels: 4 }),
    );
    expect(model.numLabels).toBe(4);
    expect(model.loadingInfo!.missingKeys.sort()).toEqual(['classifier.bias', 'classifier.weight']);
    expect(warnings.join('\n')).toMatch(
      /were not used when initializing BertForSequenceClassification: cls\.predictions\.bias/,
    );
    expect(warnings.join('\n')).toMatch(/newly initialized: classifier\.weight, classifier\.bias/);
    expect(warnings.join('\n')).not.toMatch(/position_ids/);
    // Only the new head gets a random init (config initializerRange 0.2), the rest comes from the file.
    const w = model.classifier.weight.dataSync();
    const std = Math.sqrt(Array.from(w).reduce((a, v) => a + v * v, 0) / w.length);
    expect(std).toBeGreaterThan(0.1);
    expect(std).toBeLessThan(0.3);
    expect([...model.classifier.bias!.dataSync()]).toEqual([0, 0, 0, 0]);
    // The encoder is the pretraining checkpoint's: same hidden states as the classifier fixture.
    await expectClose(model.bert.forward(inputs()).lastHiddenState, fx.seqcls.lastHiddenState, 1e-4);
  });

  it('a bare BertModel loads a head model checkpoint (prefix stripped) and a head model loads a bare one', async () => {
    const { result: base } = await captureWarnings(setWarningHandler, () =>
      AutoModel.fromPretrained(folder('bert-seqcls')),
    );
    expect(base).toBeInstanceOf(BertModel);
    await expectClose((base as BertModel).forward(inputs()).lastHiddenState, fx.seqcls.lastHiddenState, 1e-4);
    const files = await (base as BertModel).toFiles();
    const keys = Object.keys(parseSafetensors(files['model.safetensors'] as Uint8Array).tensors);
    expect(keys.every((k) => !k.startsWith('bert.'))).toBe(true);
    const { result: head, warnings } = await captureWarnings(setWarningHandler, () =>
      BertForSequenceClassification.fromPretrained({ files }, { numLabels: 3 }),
    );
    expect(warnings.join('\n')).toMatch(/newly initialized: classifier/);
    await expectClose(head.bert.forward(inputs()).lastHiddenState, fx.seqcls.lastHiddenState, 1e-4);
  });

  it('a missing, unexpected or wrongly shaped backbone weight is one error listing all of them', async () => {
    const bytes = readFileSync(join(folder('bert-seqcls'), 'model.safetensors'));
    const sd = parseSafetensors(new Uint8Array(bytes)).tensors;
    delete sd['bert.encoder.layer.1.output.dense.bias'];
    sd['bert.encoder.layer.0.attention.self.query.weight'] = tensor(new Float32Array(32 * 31), {
      shape: [32, 31],
    });
    sd['bert.encoder.layer.9.output.dense.bias'] = tensor(new Float32Array(32));
    const files = {
      'config.json': readFileSync(join(folder('bert-seqcls'), 'config.json'), 'utf8'),
      'model.safetensors': await serializeSafetensors(sd),
    };
    const err = await BertForSequenceClassification.fromPretrained({ files }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toMatch(/missing weights: bert\.encoder\.layer\.1\.output\.dense\.bias/);
    expect(msg).toMatch(/unexpected weights: bert\.encoder\.layer\.9\.output\.dense\.bias/);
    expect(msg).toMatch(
      /bert\.encoder\.layer\.0\.attention\.self\.query\.weight: the checkpoint has shape \[32, 31\], the model \[32, 32\]/,
    );
    expect(msg).toMatch(/strict: false/);
    const { result: loose, warnings } = await captureWarnings(setWarningHandler, () =>
      BertForSequenceClassification.fromPretrained({ files }, { strict: false }),
    );
    expect(loose.loadingInfo!.mismatchedKeys).toEqual(['bert.encoder.layer.0.attention.self.query.weight']);
    expect(warnings.join('\n')).toMatch(/strict: false/);
  });

  it('a config that does not fit the weights names the shapes; bad files name themselves', async () => {
    const config = JSON.parse(readFileSync(join(folder('bert-seqcls'), 'config.json'), 'utf8'));
    const bytes = new Uint8Array(readFileSync(join(folder('bert-seqcls'), 'model.safetensors')));
    await expect(
      BertForSequenceClassification.fromPretrained({
        files: { 'config.json': { ...config, intermediate_size: 40 }, 'model.safetensors': bytes },
      }),
    ).rejects.toThrow(
      /intermediate\.dense\.weight: the checkpoint has shape \[37, 32\], the model \[40, 32\]/,
    );
    await expect(
      BertForSequenceClassification.fromPretrained({
        files: { 'config.json': '{oops', 'model.safetensors': bytes },
      }),
    ).rejects.toThrow(/config\.json \(in \{ files \}\): is not valid JSON/);
    await expect(
      BertForSequenceClassification.fromPretrained({
        files: { 'config.json': { ...config, hidden_size: 30 } },
      }),
    ).rejects.toThrow(/hiddenSize \(30\) must be a multiple of numAttentionHeads \(4\)/);
    await expect(BertForSequenceClassification.fromPretrained(join(scratch, 'nope'))).rejects.toThrow(
      /no such folder/,
    );
    await expect(
      BertForSequenceClassification.fromPretrained({
        files: { 'config.json': config, 'model.safetensors': bytes.slice(0, 100) },
      }),
    ).rejects.toThrow(/cannot read model\.safetensors/);
  });
});

describe('savePretrained writes what transformers loads', () => {
  it('the same keys, shapes and format metadata as transformers, config.json keys, and a lossless round trip', async () => {
    const model = await BertForSequenceClassification.fromPretrained(folder('bert-seqcls'));
    const dir = join(scratch, 'seqcls');
    await model.savePretrained(dir);
    const saved = parseSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))));
    expect(saved.metadata).toEqual({ format: 'pt' });
    expect(Object.keys(saved.tensors).sort()).toEqual([...fx.stateDictKeys.seqcls].sort());
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    const reference = JSON.parse(readFileSync(join(folder('bert-seqcls'), 'config.json'), 'utf8'));
    for (const [k, v] of Object.entries(reference)) expect(config[k], k).toEqual(v);
    expect(config.label2id).toEqual({ negative: 0, neutral: 1, positive: 2 });
    const again = await BertForSequenceClassification.fromPretrained(dir);
    expect(await maxDiff(again.forward(inputs()).logits, model.forward(inputs()).logits)).toBe(0);
  });

  it('BertForMaskedLM stores the tied decoder once, as transformers does', async () => {
    const model = await BertForMaskedLM.fromPretrained(folder('bert-mlm'));
    const files = await model.toFiles();
    const keys = Object.keys(parseSafetensors(files['model.safetensors'] as Uint8Array).tensors);
    expect(keys.sort()).toEqual([...fx.stateDictKeys.mlm].sort());
    expect(keys).not.toContain('cls.predictions.decoder.weight');
  });

  it('writes atomically: no temporary files are left and an existing folder is updated in place', async () => {
    const model = new BertModel(
      new BertConfig({
        vocabSize: 20,
        hiddenSize: 8,
        numHiddenLayers: 1,
        numAttentionHeads: 2,
        intermediateSize: 16,
      }),
    );
    const dir = join(scratch, 'atomic');
    await model.savePretrained(dir);
    writeFileSync(join(dir, 'keep.txt'), 'x');
    await model.savePretrained(dir);
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'keep.txt', 'model.safetensors']);
  });
});

describe('BERT built from a config', () => {
  it('initialises as transformers does and checks its inputs', () => {
    manualSeed(0);
    const config = new BertConfig({
      vocabSize: 50,
      hiddenSize: 16,
      numHiddenLayers: 2,
      numAttentionHeads: 2,
      intermediateSize: 32,
      maxPositionEmbeddings: 10,
    });
    const model = new BertForSequenceClassification(config);
    expect(model.training).toBe(true);
    const names = model.namedParameters().map(([n]) => n);
    expect(names.slice(0, 4)).toEqual([
      'bert.embeddings.word_embeddings.weight',
      'bert.embeddings.position_embeddings.weight',
      'bert.embeddings.token_type_embeddings.weight',
      'bert.embeddings.LayerNorm.weight',
    ]);
    const w = model.bert.embeddings.word_embeddings.weight.dataSync();
    expect([...w.slice(0, 16)].every((v) => v === 0)).toBe(true); // the [PAD] row
    let sq = 0;
    for (const v of w.slice(16)) sq += v * v;
    expect(Math.sqrt(sq / (w.length - 16))).toBeGreaterThan(0.015);
    expect(Math.sqrt(sq / (w.length - 16))).toBeLessThan(0.025);
    expect([...model.classifier.bias!.dataSync()]).toEqual([0, 0]);
    const ids = tensor([[1, 2, 3]], { dtype: 'int32' });
    expect(() => model.forward({ inputIds: tensor([[1, 2, 3]]) })).toThrow(/inputIds must be int32/);
    expect(() => model.forward({ inputIds: tensor(new Int32Array(11), { shape: [1, 11] }) })).toThrow(
      /11 tokens but the model takes at most maxPositionEmbeddings = 10/,
    );
    expect(() => model.forward({ inputIds: ids, attentionMask: tensor([[1, 1]]) })).toThrow(
      /attentionMask must have shape \[1, 3\], got \[1, 2\]/,
    );
    expect(() => model.forward(ids as never)).toThrow(/expects an object \{ inputIds/);
    expect(() => new BertConfig({ hiddenAct: 'mish' })).toThrow(/hiddenAct must be one of/);
  });
});
