import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AutoTokenizer, BertTokenizer, GPT2Tokenizer, trainBpe } from '../../src/index.ts';
import { GENERATED } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'lumen-tok-options-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('tokenizer options are never silently ignored', () => {
  it('tok(texts, { max_length }) says did you mean `maxLength` instead of padding to 512', async () => {
    const tok = await BertTokenizer.fromPretrained(`${GENERATED}bert-base-uncased`);
    expect(() => tok(['a b', 'c'], { max_length: 8, padding: 'max_length' } as never)).toThrow(
      'tokenizer(text): unknown option "max_length" (did you mean `maxLength`?); the options are textPair, addSpecialTokens, padding, truncation, maxLength',
    );
    expect(() => tok('a', { return_tensors: 'pt' } as never)).toThrow('did you mean `returnTensors`?');
    expect(tok(['a b', 'c'], { maxLength: 8, padding: 'max_length' }).inputIds[1]!.length).toBe(8);
    expect(() => tok.encode('a', { add_special_tokens: false } as never)).toThrow(
      'encode: unknown option "add_special_tokens" (did you mean `addSpecialTokens`?)',
    );
    expect(() => tok.tokenize('a', { padding: true } as never)).toThrow('tokenize: unknown option "padding"');
    expect(() => tok.decode([1, 2], { skip_special_tokens: true } as never)).toThrow(
      'decode: unknown option "skip_special_tokens" (did you mean `skipSpecialTokens`?)',
    );
    expect(() => tok.batchDecode([[1, 2]], { skipSpecialToken: true } as never)).toThrow(
      'did you mean `skipSpecialTokens`?',
    );
    expect(() => tok.convertIdsToTokens([1], { skip: true } as never)).toThrow(
      'convertIdsToTokens: unknown option',
    );
    expect(() =>
      tok.applyChatTemplate([{ role: 'user', content: 'hi' }], { add_generation_prompt: true } as never),
    ).toThrow('did you mean `addGenerationPrompt`?');
  });

  it('fromPretrained and savePretrained refuse options they do not take', async () => {
    await expect(
      AutoTokenizer.fromPretrained(`${GENERATED}gpt2`, { use_fast: true } as never),
    ).rejects.toThrow(
      'AutoTokenizer.fromPretrained: unknown option "use_fast"; the options are revision, cacheDir',
    );
    await expect(
      GPT2Tokenizer.fromPretrained(`${GENERATED}gpt2`, { padding_side: 'left' } as never),
    ).rejects.toThrow('GPT2Tokenizer.fromPretrained: unknown option "padding_side"');
    await expect(GPT2Tokenizer.fromPretrained({ files: {}, file: {} } as never)).rejects.toThrow(
      'unknown option "file" (did you mean `files`?)',
    );
    const tok = await GPT2Tokenizer.fromPretrained(`${GENERATED}gpt2`);
    await expect(tok.savePretrained(tmp, { legacy_format: false } as never)).rejects.toThrow(
      'GPT2Tokenizer.savePretrained: unknown option "legacy_format"; it takes no options',
    );
    expect(() => trainBpe(['a b'], { vocabSize: 300, min_frequency: 1 } as never)).toThrow(
      'did you mean `minFrequency`?',
    );
  });
});

describe('addSpecialTokens({ additionalSpecialTokens }) as transformers add_special_tokens', () => {
  it('accepts the camelCase key, keeps `additional`, and writes/reads additional_special_tokens', async () => {
    const tok = await GPT2Tokenizer.fromPretrained(`${GENERATED}gpt2`);
    const n = tok.length;
    expect(tok.addSpecialTokens({ pad: '<pad>', additionalSpecialTokens: ['<ent>', '</ent>'] })).toBe(3);
    expect(tok.length).toBe(n + 3);
    expect(tok.additionalSpecialTokens).toEqual(['<ent>', '</ent>']);
    expect(tok.tokenize('a<ent>b</ent>')).toEqual(['a', '<ent>', 'b', '</ent>']);
    // transformers' default replace_additional_special_tokens=True: the list is replaced...
    expect(tok.addSpecialTokens({ additionalSpecialTokens: ['<x>'] })).toBe(1);
    expect(tok.additionalSpecialTokens).toEqual(['<x>']);
    // ...unless asked to extend it; `additional` (the older name) still works
    expect(tok.addSpecialTokens({ additional: ['<ent>'] }, { replaceAdditionalSpecialTokens: false })).toBe(
      0,
    );
    expect(tok.additionalSpecialTokens).toEqual(['<x>', '<ent>']);

    await tok.savePretrained(tmp);
    const config = JSON.parse(readFileSync(join(tmp, 'tokenizer_config.json'), 'utf8'));
    const map = JSON.parse(readFileSync(join(tmp, 'special_tokens_map.json'), 'utf8'));
    expect(config.additional_special_tokens).toEqual(['<x>', '<ent>']);
    expect(map.additional_special_tokens).toEqual(['<x>', '<ent>']);
    expect(map.pad_token).toBe('<pad>');
    const again = await AutoTokenizer.fromPretrained(tmp);
    expect(again.additionalSpecialTokens).toEqual(['<x>', '<ent>']);
    expect(again.padToken).toBe('<pad>');
    expect(again.length).toBe(n + 4);
  });

  it('Python key names get a did-you-mean', async () => {
    const tok = await GPT2Tokenizer.fromPretrained(`${GENERATED}gpt2`);
    expect(() => tok.addSpecialTokens({ additional_special_tokens: ['<e>'] } as never)).toThrow(
      'addSpecialTokens: unknown option "additional_special_tokens" (did you mean `additionalSpecialTokens`?); the options are bos, eos, unk, sep, pad, cls, mask, additionalSpecialTokens, additional',
    );
    expect(() => tok.addSpecialTokens({ pad_token: '<pad>' } as never)).toThrow(
      'unknown option "pad_token" (did you mean `pad`?)',
    );
    expect(() => tok.addSpecialTokens({ padToken: '<pad>' } as never)).toThrow('did you mean `pad`?');
    expect(() => tok.addSpecialTokens({ additionalSpecialTokens: '<e>' } as never)).toThrow(
      'additionalSpecialTokens must be an array of non-empty strings, got "<e>"',
    );
  });
});
