import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer as Peer } from '@huggingface/tokenizers';
import { AutoTokenizer as TjsAutoTokenizer } from '@huggingface/transformers';
import { afterAll, describe, expect, it } from 'vitest';
import { AutoTokenizer, BertTokenizer, GPT2Tokenizer, trainBpe, trainWordPiece } from '../../src/index.ts';
import { learnBpe } from '../../src/tokenizers/trainers/learnBpe.ts';
import { CORPUS } from './helpers.ts';

const TEXT = [
  ...CORPUS,
  'The tokenizer learns the most frequent pairs first, then the pairs of pairs, until the vocabulary is full.',
  'Training a tokenizer on your own data needs no hub: the trainer counts words and merges the frequent pairs.',
  'the the the then there these those other another mother brother',
];
const scratch = mkdtempSync(join(tmpdir(), 'lumen-train-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('learnBpe', () => {
  // The Hugging Face course's example corpus: merges by count, ties to the smaller pair of ids.
  it('learns the merges of the Hugging Face course example', () => {
    const words = new Map([
      ['hug', 10],
      ['pug', 5],
      ['pun', 12],
      ['bun', 4],
      ['hugs', 5],
    ]);
    const { vocab, merges } = learnBpe(words, { vocabSize: 13, minFrequency: 0, specialTokens: [] });
    expect([...vocab.keys()].slice(0, 7)).toEqual(['b', 'g', 'h', 'n', 'p', 's', 'u']);
    expect(merges).toEqual([
      ['u', 'g'],
      ['u', 'n'],
      ['h', 'ug'],
      ['p', 'un'],
      ['p', 'ug'],
      ['hug', 's'],
    ]);
    expect(learnBpe(words, { vocabSize: 100, minFrequency: 10, specialTokens: ['<s>'] }).merges).toEqual([
      ['u', 'g'],
      ['u', 'n'],
      ['h', 'ug'],
      ['p', 'un'],
    ]);
  });
});

describe('trainBpe (byte-level)', () => {
  const tok = trainBpe(TEXT, { vocabSize: 400, minFrequency: 2, specialTokens: ['<|endoftext|>', '<pad>'] });

  it('fills the vocabulary: specials first, then the 256 bytes, then merges', () => {
    expect(tok).toBeInstanceOf(GPT2Tokenizer);
    expect(tok.length).toBe(400);
    expect(tok.convertIdsToTokens([0, 1])).toEqual(['<|endoftext|>', '<pad>']);
    expect(tok.eosTokenId).toBe(0);
    expect(tok.tokenize(' the')).toEqual(['Ġthe']);
  });

  it('encodes any text and decodes it back exactly', () => {
    for (const text of [...CORPUS, 'unseen: 😀 ∮ Ωmega<|endoftext|>'])
      expect(tok.decode(tok.encode(text))).toBe(text);
  });

  it('is deterministic, saves, reloads, and @huggingface/tokenizers reads the same ids', async () => {
    const again = trainBpe(TEXT, {
      vocabSize: 400,
      minFrequency: 2,
      specialTokens: ['<|endoftext|>', '<pad>'],
    });
    expect(again.backendTokenizer.toJSON()).toEqual(tok.backendTokenizer.toJSON());
    const dir = join(scratch, 'bpe');
    await tok.savePretrained(dir);
    const reloaded = await AutoTokenizer.fromPretrained(dir);
    const peer = new Peer(JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')), {});
    for (const text of CORPUS) {
      expect(reloaded.encode(text)).toEqual(tok.encode(text));
      expect(peer.encode(text).ids).toEqual(tok.encode(text));
    }
  });

  it('rejects bad input', () => {
    expect(() => trainBpe('just a string' as unknown as string[], { vocabSize: 300 })).toThrow(
      /texts must be an array \(or iterable\) of strings, got "just a string"/,
    );
    expect(() => trainBpe(['a', 5 as unknown as string], { vocabSize: 300 })).toThrow(
      /texts\[1\] must be a string, got number 5/,
    );
    expect(() => trainBpe(['a'], { vocabSize: 0 })).toThrow(
      /vocabSize must be a positive integer, got number 0/,
    );
  });
});

describe('trainWordPiece (BERT-style)', () => {
  const tok = trainWordPiece(TEXT, { vocabSize: 500, minFrequency: 2 });

  it('has BERT special tokens and ## continuations', () => {
    expect(tok).toBeInstanceOf(BertTokenizer);
    expect(tok.convertIdsToTokens([0, 1, 2, 3, 4])).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
    expect(tok.tokenize('the tokenizer')).toContain('the');
    const pieces = tok.tokenize('tokenizers');
    expect(pieces.slice(1).every((p) => p.startsWith('##'))).toBe(true);
    expect(tok.encode('the')).toEqual([2, tok.convertTokensToIds('the'), 3]);
    expect(tok.tokenize('⌘')).toEqual(['[UNK]']);
  });

  it('saves in a form transformers.js loads with identical ids', async () => {
    const dir = join(scratch, 'wordpiece');
    await tok.savePretrained(dir);
    const peer = await TjsAutoTokenizer.from_pretrained(dir, { local_files_only: true });
    const reloaded = await AutoTokenizer.fromPretrained(dir);
    for (const text of CORPUS.slice(0, 30)) {
      const want = (peer(text, { return_tensor: false }) as { input_ids: number[] }).input_ids;
      expect(tok.encode(text)).toEqual(want);
      expect(reloaded.encode(text)).toEqual(want);
    }
  });

  it('needs [UNK], [CLS] and [SEP]', () => {
    expect(() => trainWordPiece(TEXT, { vocabSize: 100, specialTokens: ['[PAD]'] })).toThrow(
      /specialTokens must include \[UNK\]/,
    );
  });
});
