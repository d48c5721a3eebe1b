import { manualSeed, tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import {
  BertConfig,
  BertForMaskedLM,
  BertForSequenceClassification,
  BertModel,
  GPT2Config,
  GPT2LMHeadModel,
  GPT2Model,
  type PreTrainedModel,
} from '../../src/index.ts';
import { folder, maxDiff } from './helpers.ts';

// transformers' resize_token_embeddings (mean_resizing=False, the < 4.46 default): old rows kept,
// new rows drawn by the model's _init_weights (N(0, initializer_range)), the LM head stays tied to
// the new matrix, a tied decoder bias is padded with zeros, config.vocab_size follows.
function rows(m: PreTrainedModel): number[][] {
  return m.getInputEmbeddings().weight.arraySync() as number[][];
}

describe('resizeTokenEmbeddings', () => {
  it('GPT-2 LM: old rows and old-token logits unchanged, lm_head tied, new rows ~ N(0, initializerRange)', async () => {
    const model = await GPT2LMHeadModel.fromPretrained(folder('gpt2-lm'));
    const ids = tensor([[5, 17, 42, 98]], { dtype: 'int32' });
    const before = model.forward({ inputIds: ids }).logits;
    const oldRows = rows(model);
    manualSeed(0);
    const emb = model.resizeTokenEmbeddings(99 + 400);
    expect(emb).toBe(model.transformer.wte);
    expect(emb.weight.shape).toEqual([499, 32]);
    expect(emb.numEmbeddings).toBe(499);
    expect(model.config.vocabSize).toBe(499);
    expect(model.lm_head.weight).toBe(model.transformer.wte.weight); // still tied
    expect(model.lm_head.outFeatures).toBe(499);
    expect(model.parameters()).toContain(emb.weight);
    expect(model.parameters().length).toBe(new Set(model.parameters()).size);
    const now = rows(model);
    expect(now.slice(0, 99)).toEqual(oldRows);
    const added = now.slice(99).flat();
    const mean = added.reduce((a, b) => a + b, 0) / added.length;
    const std = Math.sqrt(added.reduce((a, b) => a + (b - mean) ** 2, 0) / added.length);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(std).toBeGreaterThan(0.19); // initializer_range 0.2
    expect(std).toBeLessThan(0.21);
    const after = model.forward({ inputIds: ids }).logits;
    expect(after.shape).toEqual([1, 4, 499]);
    expect(await maxDiff(after.slice(2, 0, 99), before)).toBe(0);
    // a new token id now embeds and trains
    const loss = model.forward({
      inputIds: tensor([[5, 450]], { dtype: 'int32' }),
      labels: tensor([[5, 450]], { dtype: 'int32' }),
    }).loss!;
    loss.backward();
    expect(emb.weight.grad!.shape).toEqual([499, 32]);
  });

  it('round-trips through savePretrained/fromPretrained (vocab_size in config.json, tied head stored once)', async () => {
    const model = await GPT2LMHeadModel.fromPretrained(folder('gpt2-lm'));
    model.resizeTokenEmbeddings(101, { padToMultipleOf: 8 });
    expect(model.config.vocabSize).toBe(104);
    const files = await model.toFiles();
    expect(JSON.parse(files['config.json'] as string).vocab_size).toBe(104);
    const again = await GPT2LMHeadModel.fromPretrained({ files });
    expect(again.lm_head.weight).toBe(again.transformer.wte.weight);
    expect(rows(again)).toEqual(rows(model));
  });

  it('shrinks, and without a size changes nothing', async () => {
    const model = new GPT2Model(
      new GPT2Config({ vocabSize: 50, nEmbd: 8, nLayer: 1, nHead: 2, nPositions: 16 }),
    );
    const old = rows(model);
    expect(model.resizeTokenEmbeddings()).toBe(model.wte);
    expect(model.wte.weight.shape).toEqual([50, 8]);
    model.resizeTokenEmbeddings(30);
    expect(rows(model)).toEqual(old.slice(0, 30));
    expect(model.config.vocabSize).toBe(30);
    expect(() => model.resizeTokenEmbeddings(0)).toThrow(
      'GPT2Model.resizeTokenEmbeddings: newNumTokens must be a positive integer, got number 0',
    );
    expect(() => model.resizeTokenEmbeddings(40, { pad_to_multiple_of: 8 } as never)).toThrow(
      'did you mean `padToMultipleOf`?',
    );
  });

  it('BERT MLM: decoder tied to the new matrix, its bias padded with zeros (predictions.bias too)', async () => {
    const model = await BertForMaskedLM.fromPretrained(folder('bert-mlm'));
    const n0 = model.config.vocabSize;
    const ids = tensor([[1, 2, 3]], { dtype: 'int32' });
    const before = model.forward({ inputIds: ids }).logits;
    const oldBias = model.cls.predictions.bias.arraySync() as number[];
    model.resizeTokenEmbeddings(n0 + 3);
    const word = model.bert.embeddings.word_embeddings;
    expect(model.cls.predictions.decoder.weight).toBe(word.weight);
    expect(model.cls.predictions.bias).toBe(model.cls.predictions.decoder.bias);
    expect(model.cls.predictions.bias.arraySync()).toEqual([...oldBias, 0, 0, 0]);
    const after = model.forward({ inputIds: ids }).logits;
    expect(after.shape).toEqual([1, 3, n0 + 3]);
    expect(await maxDiff(after.slice(2, 0, n0), before)).toBe(0);
    const saved = await model.toFiles();
    const again = await BertForMaskedLM.fromPretrained({ files: saved });
    expect(again.cls.predictions.bias.arraySync()).toEqual([...oldBias, 0, 0, 0]);
  });

  it('every model class has it (BertModel, BertForSequenceClassification keep the padding row)', () => {
    const config = () =>
      new BertConfig({
        vocabSize: 20,
        hiddenSize: 8,
        numHiddenLayers: 1,
        numAttentionHeads: 2,
        intermediateSize: 16,
        maxPositionEmbeddings: 16,
      });
    for (const model of [new BertModel(config()), new BertForSequenceClassification(config())]) {
      const emb = model.getInputEmbeddings();
      expect(emb.paddingIdx).toBe(0);
      const pad = (emb.weight.arraySync() as number[][])[0];
      model.resizeTokenEmbeddings(25);
      expect(model.getInputEmbeddings().weight.shape).toEqual([25, 8]);
      expect((model.getInputEmbeddings().weight.arraySync() as number[][])[0]).toEqual(pad);
      expect(model.config.vocabSize).toBe(25);
    }
  });

  it('meanResizing: new rows at the old rows’ mean (transformers ≥ 4.46), to 1e-4 of the spread', async () => {
    const model = await GPT2LMHeadModel.fromPretrained(folder('gpt2-lm'));
    const old = rows(model);
    const mean = old[0]!.map((_, j) => old.reduce((a, r) => a + r[j]!, 0) / old.length);
    model.resizeTokenEmbeddings(102, { meanResizing: true });
    for (const r of rows(model).slice(99))
      for (let j = 0; j < r.length; j++) expect(Math.abs(r[j]! - mean[j]!)).toBeLessThan(1e-4);
  });
});
