import { LumenError } from '@lumen/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BertConfig,
  BertForSequenceClassification,
  BertModel,
  GPT2Config,
  GPT2LMHeadModel,
  GPT2Model,
  setWarningHandler,
} from '../../src/index.ts';
import { captureWarnings } from './helpers.ts';

/** config.json (parsed) and model.safetensors bytes of a tiny GPT-2 and a tiny BERT. */
let gpt2: { config: Record<string, unknown>; weights: Uint8Array };
let bert: { config: Record<string, unknown>; weights: Uint8Array };

beforeAll(async () => {
  const g = await new GPT2LMHeadModel(
    new GPT2Config({ vocabSize: 64, nPositions: 32, nEmbd: 16, nLayer: 2, nHead: 2 }),
  ).toFiles();
  gpt2 = { config: JSON.parse(g['config.json'] as string), weights: g['model.safetensors'] as Uint8Array };
  const b = await new BertForSequenceClassification(
    new BertConfig({
      vocabSize: 40,
      hiddenSize: 8,
      numHiddenLayers: 2,
      numAttentionHeads: 2,
      intermediateSize: 12,
      maxPositionEmbeddings: 16,
      numLabels: 3,
    }),
  ).toFiles();
  bert = { config: JSON.parse(b['config.json'] as string), weights: b['model.safetensors'] as Uint8Array };
});

const gpt2With = (changes: Record<string, unknown>) => ({
  files: { 'config.json': { ...gpt2.config, ...changes }, 'model.safetensors': gpt2.weights },
});
const bertWith = (changes: Record<string, unknown>) => ({
  files: { 'config.json': { ...bert.config, ...changes }, 'model.safetensors': bert.weights },
});

/** Loads, expecting a LumenError quickly (no allocation from the bad config). */
async function refused(load: () => Promise<unknown>, message: RegExp): Promise<void> {
  const start = performance.now();
  const err = await load().then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LumenError);
  expect((err as Error).message).toMatch(message);
  expect(performance.now() - start).toBeLessThan(2000);
}

describe('fromPretrained checks config.json before allocating', () => {
  it('refuses values out of sane bounds, naming the field (the issue 13 reproducers)', async () => {
    await refused(
      () => GPT2LMHeadModel.fromPretrained(gpt2With({ n_layer: 100000 })),
      /nLayer \("n_layer"\) must be a positive integer of at most 1024, got number 100000/,
    );
    await refused(
      () => GPT2LMHeadModel.fromPretrained(gpt2With({ vocab_size: 1e9 })),
      /vocabSize \("vocab_size"\) must be a positive integer of at most 16777216, got number 1000000000/,
    );
    await refused(
      () => GPT2LMHeadModel.fromPretrained(gpt2With({ n_positions: 1e300 })),
      /nPositions \("n_positions"\) must be a positive integer of at most 16777216, got number 1e\+300/,
    );
    for (const [value, shown] of [
      [-16, 'number -16'],
      [16.5, 'number 16.5'],
      ['16', '"16"'],
      [null, 'null'],
      [0, 'number 0'],
    ] as const) {
      await refused(
        () => GPT2Model.fromPretrained(gpt2With({ n_embd: value })),
        new RegExp(
          `nEmbd \\("n_embd"\\) must be a positive integer of at most 16777216, got ${shown.replace('+', '\\+')}`,
        ),
      );
    }
    await refused(
      () => GPT2Model.fromPretrained(gpt2With({ n_head: 3 })),
      /nEmbd \(16\) must be a multiple of nHead \(3\)/,
    );
    await refused(
      () => GPT2Model.fromPretrained(gpt2With({ eos_token_id: 2 ** 40 })),
      /eosTokenId \("eos_token_id"\) must be a token id \(an integer in \[0, 2147483647\]\)/,
    );
    await refused(
      () => BertForSequenceClassification.fromPretrained(bertWith({ num_labels: 1e9, id2label: undefined })),
      /numLabels \("num_labels"\) must be a positive integer of at most 100000, got number 1000000000/,
    );
    await refused(
      () => BertForSequenceClassification.fromPretrained(bertWith({}), { numLabels: 1.5 }),
      /BertForSequenceClassification\.fromPretrained: options\.numLabels must be a positive integer of at most 100000, got number 1\.5/,
    );
    await refused(
      () => BertModel.fromPretrained(bertWith({ num_hidden_layers: 2000 })),
      /numHiddenLayers \("num_hidden_layers"\) must be a positive integer of at most 1024/,
    );
  });

  it('cross-checks dimensions with the safetensors header: the tensor, the shape from the config, the shape in the file', async () => {
    await refused(
      () => GPT2LMHeadModel.fromPretrained(gpt2With({ vocab_size: 1_000_000 })),
      /config\.json does not match model\.safetensors \(in \{ files \}\): transformer\.wte\.weight: the checkpoint has shape \[64, 16\], the model \[1000000, 16\] \(from config\.json's vocab_size 1000000, n_embd 16\)/,
    );
    await refused(
      () => GPT2LMHeadModel.fromPretrained(gpt2With({ n_positions: 4_000_000 })),
      /transformer\.wpe\.weight: the checkpoint has shape \[32, 16\], the model \[4000000, 16\]/,
    );
    await refused(
      () => GPT2LMHeadModel.fromPretrained(gpt2With({ n_layer: 1000 })),
      /config\.json's n_layer 1000 asks for blocks h\.0 to h\.999, the checkpoint has 2 \(its last is transformer\.h\.1\./,
    );
    await refused(
      () => GPT2LMHeadModel.fromPretrained(gpt2With({ n_inner: 4096 })),
      /transformer\.h\.0\.mlp\.c_fc\.weight: the checkpoint has shape \[16, 64\], the model \[16, 4096\] \(from config\.json's n_embd 16, n_inner 4096\)/,
    );
    // A missing field takes transformers' default, which the file then contradicts.
    const { n_embd: _, ...noWidth } = gpt2.config;
    await refused(
      () =>
        GPT2LMHeadModel.fromPretrained({
          files: { 'config.json': noWidth, 'model.safetensors': gpt2.weights },
        }),
      /transformer\.wte\.weight: the checkpoint has shape \[64, 16\], the model \[64, 768\]/,
    );
    await refused(
      () => BertModel.fromPretrained(bertWith({ num_hidden_layers: 24 })),
      /num_hidden_layers 24 asks for blocks encoder\.layer\.0 to encoder\.layer\.23, the checkpoint has 2/,
    );
    await refused(
      () => BertForSequenceClassification.fromPretrained(bertWith({ type_vocab_size: 100000 })),
      /bert\.embeddings\.token_type_embeddings\.weight: the checkpoint has shape \[2, 8\], the model \[100000, 8\]/,
    );
    await refused(
      () => BertForSequenceClassification.fromPretrained(bertWith({}), { numLabels: 5 }),
      /classifier\.weight: the checkpoint has shape \[3, 8\], the model \[5, 8\] \(from config\.json's num_labels 5/,
    );
    // A weight the config needs that the file lacks.
    const header = JSON.stringify({
      'wpe.weight': { dtype: 'F32', shape: [32, 16], data_offsets: [0, 2048] },
    });
    const bytes = new Uint8Array(8 + header.length + 2048);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
    bytes.set(new TextEncoder().encode(header), 8);
    await refused(
      () => GPT2Model.fromPretrained({ files: { 'config.json': gpt2.config, 'model.safetensors': bytes } }),
      /wte\.weight: missing from the checkpoint, which config\.json \(vocab_size 64, n_embd 16\) says is \[64, 16\]/,
    );
  });

  it('strict: false waves through a task head of another size (newly initialised), never the backbone', async () => {
    const { result, warnings } = await captureWarnings(setWarningHandler, () =>
      BertForSequenceClassification.fromPretrained(bertWith({}), { numLabels: 5, strict: false }),
    );
    expect(result.classifier.weight.shape).toEqual([5, 8]);
    expect(warnings.join('\n')).toMatch(
      /strict: false although classifier\.weight: the checkpoint has shape \[3, 8\], the model \[5, 8\].*newly initialised/,
    );
    await refused(
      () => GPT2Model.fromPretrained(gpt2With({ vocab_size: 80 }), { strict: false }),
      /transformer\.wte\.weight: the checkpoint has shape \[64, 16\], the model \[80, 16\].*Check that config\.json belongs to these weights/,
    );
  });

  it('a valid folder still loads, and options.config is checked the same way', async () => {
    const model = await GPT2LMHeadModel.fromPretrained(gpt2With({}));
    expect(model.config.nLayer).toBe(2);
    await refused(
      () =>
        GPT2LMHeadModel.fromPretrained(gpt2With({}), {
          config: new GPT2Config({ vocabSize: 64, nPositions: 32, nEmbd: 16, nLayer: 6, nHead: 2 }),
        }),
      /n_layer 6 asks for blocks h\.0 to h\.5, the checkpoint has 2/,
    );
    const seqcls = await BertForSequenceClassification.fromPretrained(bertWith({}));
    expect(seqcls.config.numLabels).toBe(3);
  });
});
