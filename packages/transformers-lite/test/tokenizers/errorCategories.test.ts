import { FileFormatError, LumenError } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { Tokenizer } from '../../src/index.ts';

describe('tokenizer.json errors are FileFormatErrors', () => {
  it('a field of the wrong type', () => {
    const unigram = { model: { type: 'Unigram', unk_id: 1.5, vocab: [['<unk>', 0]] } };
    let e: unknown;
    try {
      Tokenizer.fromJSON(unigram);
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(FileFormatError);
    expect(e).toBeInstanceOf(LumenError);
    expect((e as Error).message).toMatch(
      /"unk_id" must be a token id \(an integer from 0 to 16777215\), got 1\.5/,
    );
  });

  it('a stage whose "type" is not a string', () => {
    expect(() => Tokenizer.fromJSON({ model: { type: 42 } })).toThrow(FileFormatError);
  });
});
