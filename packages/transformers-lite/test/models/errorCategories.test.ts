import { FileFormatError, LumenError, ShapeError, tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { GPT2Config, GPT2LMHeadModel } from '../../src/index.ts';

describe('models: errors by category', () => {
  const model = new GPT2LMHeadModel(
    new GPT2Config({ vocabSize: 16, nPositions: 8, nEmbd: 8, nLayer: 1, nHead: 2 }),
  );

  it('input ids that are not (batch, length) are a ShapeError', () => {
    const ids = tensor([1, 2, 3], { dtype: 'int32' });
    let e: unknown;
    try {
      model.forward({ inputIds: ids });
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(ShapeError);
    expect(e).toBeInstanceOf(LumenError);
    expect((e as Error).message).toMatch(/inputIds must be 2-d \(batch, length\), got shape \[3\]$/);
  });

  it('a config.json that is not JSON is a FileFormatError', async () => {
    const files = { 'config.json': '{ not json', 'model.safetensors': new Uint8Array(8) };
    const e = await GPT2LMHeadModel.fromPretrained({ files }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(FileFormatError);
    expect((e as Error).message).toMatch(/config\.json .*is not valid JSON/);
  });
});
