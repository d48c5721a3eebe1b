/**
 * Writes what check-with-transformers.py verifies with Hugging Face transformers (which cannot be
 * installed here, but can be wherever PyTorch is): folders saved by our savePretrained, and our
 * logits and greedy generations for them.
 *
 *   cd bench && npx tsx --conditions=@lumen/source ../packages/transformers-lite/scripts/export-hf-check.ts OUT_DIR
 *   python3 packages/transformers-lite/scripts/check-with-transformers.py OUT_DIR
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { manualSeed, type Tensor, tensor } from '@lumen/tensor';
import {
  BertConfig,
  BertForMaskedLM,
  BertForSequenceClassification,
  GPT2Config,
  GPT2LMHeadModel,
  setWarningHandler,
} from '../src/index.ts';

const out = process.argv[2];
if (!out) throw new Error('usage: export-hf-check.ts OUT_DIR');
setWarningHandler(() => {});
const fixtures = fileURLToPath(new URL('../test/fixtures/models/', import.meta.url));
const bert = JSON.parse(readFileSync(join(fixtures, 'bert.json'), 'utf8'));
const gpt2 = JSON.parse(readFileSync(join(fixtures, 'gpt2.json'), 'utf8'));
const fromFixture = (x: { dtype: string; shape: number[]; data: number[] }) =>
  tensor(Int32Array.from(x.data), { shape: x.shape, dtype: 'int32' });
const flat = (t: Tensor) => ({ shape: [...t.shape], data: Array.from(t.dataSync()) });

const bertInputs = {
  inputIds: fromFixture(bert.inputIds),
  attentionMask: fromFixture(bert.attentionMask),
  tokenTypeIds: fromFixture(bert.tokenTypeIds),
};
const report: Record<string, unknown> = { bertInputs: bert.inputIds, gpt2Inputs: gpt2.inputIds };
mkdirSync(out, { recursive: true });

// Round trips of the reference checkpoints through our loader and writer.
const seqcls = await BertForSequenceClassification.fromPretrained(join(fixtures, 'bert-seqcls'));
await seqcls.savePretrained(join(out, 'bert-seqcls'));
report['bert-seqcls'] = flat(seqcls.forward(bertInputs).logits);
const mlm = await BertForMaskedLM.fromPretrained(join(fixtures, 'bert-mlm'));
await mlm.savePretrained(join(out, 'bert-mlm'));
report['bert-mlm'] = flat(mlm.forward(bertInputs).logits);
const lm = await GPT2LMHeadModel.fromPretrained(join(fixtures, 'gpt2-lm'));
await lm.savePretrained(join(out, 'gpt2-lm'));
report['gpt2-lm'] = flat(lm.forward({ inputIds: fromFixture(gpt2.inputIds) }).logits);

// Models built here from a config (our init, our config.json from scratch).
manualSeed(123);
const freshBert = new BertForSequenceClassification(
  new BertConfig({
    vocabSize: 99,
    hiddenSize: 32,
    numHiddenLayers: 2,
    numAttentionHeads: 4,
    intermediateSize: 37,
    numLabels: 2,
  }),
).eval();
await freshBert.savePretrained(join(out, 'bert-fresh'));
report['bert-fresh'] = flat(freshBert.forward(bertInputs).logits);
const freshGpt = new GPT2LMHeadModel(
  new GPT2Config({
    vocabSize: 99,
    nPositions: 64,
    nEmbd: 32,
    nLayer: 2,
    nHead: 4,
    initializerRange: 0.3,
    bosTokenId: 98,
    eosTokenId: 98,
  }),
).eval();
await freshGpt.savePretrained(join(out, 'gpt2-fresh'));
report['gpt2-fresh'] = flat(freshGpt.forward({ inputIds: fromFixture(gpt2.inputIds) }).logits);
report['gpt2-fresh-generate'] = (
  await freshGpt.generate(
    [
      [11, 22, 33],
      [5, 6],
    ],
    { maxNewTokens: 10, padTokenId: 98, eosTokenId: null },
  )
).arraySync();

writeFileSync(join(out, 'ours.json'), JSON.stringify(report));
console.log(`wrote ${out}`);
