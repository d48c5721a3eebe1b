import { Tokenizer as Peer } from '@huggingface/tokenizers';
import fc from 'fast-check';
import { getEncoding } from 'js-tiktoken';
import { beforeAll, describe, expect, it } from 'vitest';
import { GPT2Tokenizer, Tokenizer, Unigram } from '../../src/index.ts';
import { CORPUS, GENERATED } from './helpers.ts';
import { bpeTokenizerJson, unigramTokenizerJson } from './models.helpers.ts';

// The peer: @huggingface/tokenizers (the JS port behind transformers.js), run on the same tokenizer.json.
describe.each([
  ['Unigram (SentencePiece-style, fused unknowns)', () => unigramTokenizerJson(false)],
  ['BPE with byte fallback', () => bpeTokenizerJson({ byteFallback: true, ignoreMerges: false })],
  [
    'BPE with [UNK], fuse_unk and ignore_merges',
    () => bpeTokenizerJson({ byteFallback: false, ignoreMerges: true }),
  ],
])('%s against @huggingface/tokenizers', (_name, make) => {
  const json = make();
  const peer = new Peer(json, { clean_up_tokenization_spaces: false });
  const ours = Tokenizer.fromJSON(json);
  it.each(CORPUS.map((text, i) => [i, text]))('line %i: same ids and tokens', (_i, text) => {
    const want = peer.encode(text as string);
    const got = ours.encode(text as string);
    expect(got.ids).toEqual(want.ids);
    expect(got.tokens).toEqual(want.tokens);
  });
});

describe('model details', () => {
  it('byte fallback decodes back to the input exactly', () => {
    const ours = Tokenizer.fromJSON(bpeTokenizerJson({ byteFallback: true, ignoreMerges: false }));
    for (const text of CORPUS) expect(ours.decode(ours.encode(text).ids)).toBe(text);
    expect(ours.encode('é').tokens).toEqual(['▁', '<0xC3>', '<0xA9>']);
  });

  it('ignore_merges takes whole vocabulary words', () => {
    const json = bpeTokenizerJson({ byteFallback: false, ignoreMerges: true });
    expect(Tokenizer.fromJSON(json).encode('quickfox').tokens).toEqual(['▁quickfox']);
    (json.model as Record<string, unknown>).ignore_merges = false;
    const merged = Tokenizer.fromJSON(json).encode('quickfox').tokens;
    expect(merged).toEqual(new Peer(json, {}).encode('quickfox').tokens);
    expect(merged).not.toEqual(['▁quickfox']);
  });

  // Hugging Face's Unigram with byte_fallback spells unknown runs as <0xXX> bytes (the JS peer does not).
  it('Unigram byte fallback spells unknown characters as bytes', () => {
    const model = new Unigram(
      [
        ['<unk>', 0],
        ['<0xC3>', 0],
        ['<0xA9>', 0],
        ['a', -1],
        ['b', -2],
        ['ab', -2.5],
      ],
      0,
      true,
    );
    expect(model.tokenize('abéa')).toEqual({ ids: [5, 1, 2, 3], tokens: ['ab', '<0xC3>', '<0xA9>', 'a'] });
    // Without it, the unknown run is one [UNK] whose token keeps the text.
    const plain = new Unigram([...model.pieces], 0, false);
    expect(plain.tokenize('abééa')).toEqual({ ids: [5, 0, 3], tokens: ['ab', 'éé', 'a'] });
  });

  it('Unigram prefers the best total score, not the longest piece', () => {
    const model = new Unigram(
      [
        ['<unk>', 0],
        ['a', -1],
        ['b', -1],
        ['ab', -3],
      ],
      0,
    );
    expect(model.tokenize('ab').tokens).toEqual(['a', 'b']);
  });
});

describe('BPE merge order on long words (heap path) against js-tiktoken', () => {
  const r50k = getEncoding('r50k_base');
  let gpt2: GPT2Tokenizer;
  beforeAll(async () => {
    gpt2 = await GPT2Tokenizer.fromPretrained(`${GENERATED}gpt2`);
  });
  it('random strings over a small alphabet', () => {
    const alphabet = fc.constantFrom('a', 'b', 'e', 'r', 't', 'h', ' ', "'", 'é', '中', '😀', '\n', '1', '.');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 300 }), (chars) => {
        const text = chars.join('');
        expect(gpt2.encode(text)).toEqual(r50k.encode(text));
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});
