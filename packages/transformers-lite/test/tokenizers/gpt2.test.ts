import { getEncoding } from 'js-tiktoken';
import { beforeAll, describe, expect, it } from 'vitest';
import { AutoTokenizer, GPT2Tokenizer, type PreTrainedTokenizer } from '../../src/index.ts';
import { CORPUS, GENERATED } from './helpers.ts';

// The peer: js-tiktoken's r50k_base is GPT-2's vocabulary and merges, implemented independently.
const r50k = getEncoding('r50k_base');

describe.each(['gpt2', 'gpt2-legacy'])('GPT-2 (%s) against js-tiktoken r50k_base', (folder) => {
  let tok: PreTrainedTokenizer;
  beforeAll(async () => {
    tok = await AutoTokenizer.fromPretrained(`${GENERATED}${folder}`);
  });

  it('is a GPT2Tokenizer', () => {
    expect(tok).toBeInstanceOf(GPT2Tokenizer);
    expect(tok.eosToken).toBe('<|endoftext|>');
    expect(tok.eosTokenId).toBe(50256);
    expect(tok.length).toBe(50257);
  });

  it.each(CORPUS.map((text, i) => [i, text]))('line %i: same ids, and decode(encode(x)) == x', (_i, text) => {
    const ids = tok.encode(text as string);
    expect(ids).toEqual(r50k.encode(text as string));
    expect(tok.decode(ids)).toBe(text);
  });

  it('whole corpus as one text', () => {
    const text = CORPUS.join('\n');
    const ids = tok.encode(text);
    expect(ids).toEqual(r50k.encode(text));
    expect(tok.decode(ids)).toBe(text);
  });

  it('matches <|endoftext|> in text as one special token', () => {
    const text = 'Hello<|endoftext|> world';
    expect(tok.encode(text)).toEqual(r50k.encode(text, 'all'));
    expect(tok.decode(tok.encode(text), { skipSpecialTokens: true })).toBe('Hello world');
  });

  it('GPT-2 returns no token type ids by default and has no pad token', () => {
    const out = tok('hi there');
    expect(out).toEqual({ inputIds: r50k.encode('hi there'), attentionMask: [1, 1] });
    expect(() => tok(['a', 'b c'], { padding: true })).toThrow(/no padding token.*padToken = tok\.eosToken/);
  });
});

describe('GPT-2 long and odd inputs', () => {
  it('long words (heap merge path) and lone surrogates', async () => {
    const tok = await GPT2Tokenizer.fromPretrained(`${GENERATED}gpt2`);
    for (const text of [
      'x'.repeat(1000),
      'ab'.repeat(300),
      `${'é'.repeat(200)}z`,
      '🤖'.repeat(64),
      'a\uD800b',
    ]) {
      expect(tok.encode(text)).toEqual(r50k.encode(text));
    }
  });
});
