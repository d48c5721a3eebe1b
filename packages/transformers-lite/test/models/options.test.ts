import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensor } from '@lumen/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AutoModelForCausalLM,
  BertConfig,
  BertForSequenceClassification,
  GPT2Config,
  GPT2LMHeadModel,
  KVCache,
  OpenRouterClient,
  setWarningHandler,
} from '../../src/index.ts';
import { captureWarnings, folder } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'lumen-model-options-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let model: GPT2LMHeadModel;
beforeAll(async () => {
  model = await GPT2LMHeadModel.fromPretrained(folder('gpt2-lm'));
});

describe('model option bags are checked', () => {
  it('fromPretrained, savePretrained, generate, forward', async () => {
    await expect(
      GPT2LMHeadModel.fromPretrained(folder('gpt2-lm'), { num_labels: 2 } as never),
    ).rejects.toThrow(
      'GPT2LMHeadModel.fromPretrained: unknown option "num_labels" (did you mean `numLabels`?); the options are device, strict, numLabels, config',
    );
    await expect(
      AutoModelForCausalLM.fromPretrained(folder('gpt2-lm'), { torch_dtype: 'auto' } as never),
    ).rejects.toThrow('AutoModelForCausalLM.fromPretrained: unknown option "torch_dtype"');
    await expect(model.savePretrained(tmp, { safe_serialization: true } as never)).rejects.toThrow(
      'GPT2LMHeadModel.savePretrained: unknown option "safe_serialization"; the options are maxShardSize',
    );
    await expect(model.generate([[1, 2]], { max_new_tokens: 2 } as never)).rejects.toThrow(
      'generate: unknown option "max_new_tokens" (did you mean `maxNewTokens`?)',
    );
    const ids = tensor([[1, 2]], { dtype: 'int32' });
    expect(() => model.forward({ input_ids: ids } as never)).toThrow(
      'GPT2LMHeadModel.forward: unknown option "input_ids" (did you mean `inputIds`?)',
    );
    expect(() => model.transformer.forward({ inputIds: ids, labels: ids } as never)).toThrow(
      'GPT2Model.forward: unknown option "labels"',
    );
    expect(() => new GPT2Config({ n_embd: 16 } as never)).toThrow('GPT2Config: unknown option "n_embd"');
    const bert = new BertForSequenceClassification(
      new BertConfig({
        vocabSize: 20,
        hiddenSize: 8,
        numHiddenLayers: 1,
        numAttentionHeads: 2,
        intermediateSize: 8,
      }),
    );
    expect(() => bert.forward({ inputIds: ids, label: ids } as never)).toThrow(
      'BertForSequenceClassification.forward: unknown option "label" (did you mean `labels`?)',
    );
    expect(() => new KVCache({ maxLength: 8 } as never)).toThrow('KVCache: unknown option "maxLength"');
    expect(() => new OpenRouterClient({ apiKey: 'k', api_key: 'k' } as never)).toThrow(
      'did you mean `apiKey`?',
    );
  });
});

describe('the "setting padTokenId to eosTokenId" notice', () => {
  it('is given once per model, through setWarningHandler, not on every generate() call', async () => {
    const fresh = await GPT2LMHeadModel.fromPretrained(folder('gpt2-lm'));
    const { warnings } = await captureWarnings(setWarningHandler, async () => {
      for (let i = 0; i < 3; i++) await fresh.generate([[1, 2, 3]], { maxNewTokens: 2 });
    });
    expect(warnings).toEqual(['generate: setting `padTokenId` to `eosTokenId`:98 for open-end generation.']);
    // another model gets its own notice
    const other = await GPT2LMHeadModel.fromPretrained(folder('gpt2-lm'));
    const second = await captureWarnings(setWarningHandler, () =>
      other.generate([[1, 2, 3]], { maxNewTokens: 2 }),
    );
    expect(second.warnings).toHaveLength(1);
  });
});
