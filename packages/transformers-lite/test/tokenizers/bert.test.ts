import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env, AutoTokenizer as TjsAutoTokenizer } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutoTokenizer, BertTokenizer, type PreTrainedTokenizer } from '../../src/index.ts';
import { CORPUS, GENERATED, readJson } from './helpers.ts';

// The peer: transformers.js's BertTokenizer, loaded from the same local folder (no network).
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = GENERATED;

// biome-ignore lint/suspicious/noExplicitAny: one text gives number[], a batch number[][]
type TjsOut = { input_ids: any; attention_mask: any; token_type_ids: any };
// biome-ignore lint/suspicious/noExplicitAny: transformers.js's tokenizer typings are loose
let peer: any;
let tok: PreTrainedTokenizer;
let legacy: PreTrainedTokenizer;

beforeAll(async () => {
  peer = await TjsAutoTokenizer.from_pretrained('bert-base-uncased');
  tok = await AutoTokenizer.fromPretrained(`${GENERATED}bert-base-uncased`);
  legacy = await AutoTokenizer.fromPretrained(`${GENERATED}bert-base-uncased-legacy`);
});

const peerCall = (text: string | string[], opts: Record<string, unknown> = {}): TjsOut =>
  peer(text, { return_tensor: false, ...opts }) as TjsOut;

describe('BERT (bert-base-uncased) against transformers.js', () => {
  it('loads as BertTokenizer from tokenizer.json and from vocab.txt', () => {
    expect(tok).toBeInstanceOf(BertTokenizer);
    expect(legacy).toBeInstanceOf(BertTokenizer);
    expect([tok.clsTokenId, tok.sepTokenId, tok.padTokenId, tok.unkTokenId, tok.maskTokenId]).toEqual([
      101, 102, 0, 100, 103,
    ]);
    expect(tok.modelMaxLength).toBe(512);
    expect(tok.vocabSize).toBe(30522);
  });

  it.each(CORPUS.map((text, i) => [i, text]))(
    'line %i: tokens, ids, masks, type ids and decode',
    (_i, text) => {
      const t = text as string;
      const expected = peerCall(t);
      const tokens = peer.tokenize(t);
      for (const ours of [tok, legacy]) {
        expect(ours.tokenize(t)).toEqual(tokens);
        expect(ours(t)).toEqual({
          inputIds: expected.input_ids,
          attentionMask: expected.attention_mask,
          tokenTypeIds: expected.token_type_ids,
        });
        expect(ours.decode(expected.input_ids)).toBe(peer.decode(expected.input_ids));
        expect(ours.decode(expected.input_ids, { skipSpecialTokens: true })).toBe(
          peer.decode(expected.input_ids, { skip_special_tokens: true }),
        );
      }
    },
  );

  it('pairs of corpus lines: [CLS] A [SEP] B [SEP] with type ids 0…0 1…1', () => {
    for (let i = 0; i + 1 < CORPUS.length; i++) {
      const [a, b] = [CORPUS[i]!, CORPUS[i + 1]!];
      // transformers.js treats an empty text_pair as no pair at all (by hand below).
      if (b === '') continue;
      const e = peerCall(a, { text_pair: b });
      const want = { inputIds: e.input_ids, attentionMask: e.attention_mask, tokenTypeIds: e.token_type_ids };
      expect(tok(a, { textPair: b })).toEqual(want);
      expect(tok([[a, b]])).toEqual({
        inputIds: [want.inputIds],
        attentionMask: [want.attentionMask],
        tokenTypeIds: [want.tokenTypeIds],
      });
    }
  });

  it('a padded batch (the whole corpus), as lists and as int32 tensors', () => {
    const e = peerCall(CORPUS, { padding: true });
    const ours = tok(CORPUS, { padding: true });
    expect(ours).toEqual({
      inputIds: e.input_ids,
      attentionMask: e.attention_mask,
      tokenTypeIds: e.token_type_ids,
    });
    const t = tok(CORPUS, { padding: true, returnTensors: true });
    expect(t.inputIds.dtype).toBe('int32');
    expect(t.inputIds.shape).toEqual([CORPUS.length, ours.inputIds[0]!.length]);
    expect(t.inputIds.arraySync()).toEqual(e.input_ids);
    expect(t.attentionMask.arraySync()).toEqual(e.attention_mask);
    expect(t.tokenTypeIds!.arraySync()).toEqual(e.token_type_ids);
  });

  it('a padded batch of pairs', () => {
    const a = CORPUS.slice(0, 20);
    const b = CORPUS.slice(20, 40);
    const e = peerCall(a, { text_pair: b, padding: true });
    expect(tok(a, { textPair: b, padding: true })).toEqual({
      inputIds: e.input_ids,
      attentionMask: e.attention_mask,
      tokenTypeIds: e.token_type_ids,
    });
  });

  it('batchDecode matches', () => {
    const e = peerCall(CORPUS, { padding: true });
    expect(tok.batchDecode(e.input_ids, { skipSpecialTokens: true })).toEqual(
      peer.batch_decode(e.input_ids, { skip_special_tokens: true }),
    );
  });
});

describe('BERT cases written by hand from the Hugging Face rules', () => {
  // transformers.js 4.3.1 does not space out CJK ideographs outside the BMP; Hugging Face's
  // BertNormalizer does (U+20000–U+2A6DF is in its list), so each one is a word: [UNK] here.
  it('CJK Extension B characters are split one per word', () => {
    expect(tok.tokenize('𠀀𠀁x中')).toEqual(['[UNK]', '[UNK]', 'x', '中']);
    expect(tok.tokenize('a𠀀b')).toEqual(['a', '[UNK]', 'b']);
  });

  // Python and Rust encode an empty text_pair as a pair; transformers.js drops it.
  it('an empty text pair still gets its [SEP]', () => {
    expect(tok('hello', { textPair: '' })).toEqual({
      inputIds: [101, 7592, 102, 102],
      attentionMask: [1, 1, 1, 1],
      tokenTypeIds: [0, 0, 0, 1],
    });
  });

  // Rust lowercases char by char: a final capital sigma becomes 'σ', not JS's contextual 'ς'.
  it('lowercases char by char (final sigma)', () => {
    expect(tok.backendTokenizer.normalizer!.normalize('ΣΊΣΥΦΟΣ')).toBe('σισυφοσ');
  });

  // Truncation as the Rust tokenizers do it: special tokens kept, content cut before they are added.
  it('truncation of one text keeps [CLS] and the final [SEP]', () => {
    const ids = tok.encode('the quick brown fox jumps over the lazy dog', { truncation: true, maxLength: 6 });
    expect(tok.convertIdsToTokens(ids)).toEqual(['[CLS]', 'the', 'quick', 'brown', 'fox', '[SEP]']);
    const left = tok('the quick brown fox jumps', { truncation: true, maxLength: 5, truncationSide: 'left' });
    expect(tok.convertIdsToTokens(left.inputIds)).toEqual(['[CLS]', 'brown', 'fox', 'jumps', '[SEP]']);
  });

  it('longest_first: the longer text loses tokens first, then both share what is left', () => {
    const words = (n: number) =>
      Array.from(
        { length: n },
        (_, i) => 'one two three four five six seven eight nine ten'.split(' ')[i % 10],
      ).join(' ');
    const lengths = (a: number, b: number, max: number) => {
      const out = tok(words(a), { textPair: words(b), truncation: true, maxLength: max });
      const sep = out.inputIds.indexOf(102);
      return [sep - 1, out.inputIds.length - sep - 2, out.inputIds.length];
    };
    // maxLength 10 leaves 7 for content (3 special tokens); from tokenizers' own truncation tests:
    expect(lengths(2, 8, 10)).toEqual([2, 5, 10]);
    expect(lengths(4, 4, 10)).toEqual([3, 4, 10]);
    expect(lengths(4, 8, 10)).toEqual([3, 4, 10]);
    expect(lengths(8, 2, 10)).toEqual([5, 2, 10]);
    expect(lengths(8, 4, 10)).toEqual([4, 3, 10]);
    expect(lengths(8, 8, 10)).toEqual([3, 4, 10]);
    expect(lengths(2, 2, 10)).toEqual([2, 2, 7]);
    const out = tok('one two three four', {
      textPair: 'five six seven eight',
      truncation: 'longest_first',
      maxLength: 10,
    });
    expect(tok.convertIdsToTokens(out.inputIds)).toEqual([
      '[CLS]',
      'one',
      'two',
      'three',
      '[SEP]',
      'five',
      'six',
      'seven',
      'eight',
      '[SEP]',
    ]);
    expect(out.tokenTypeIds).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
  });

  it('only_first / only_second cut one side, and fail when it is too short', () => {
    const a = 'one two three four five';
    const b = 'six seven';
    const first = tok(a, { textPair: b, truncation: 'only_first', maxLength: 7 });
    expect(tok.convertIdsToTokens(first.inputIds)).toEqual([
      '[CLS]',
      'one',
      'two',
      '[SEP]',
      'six',
      'seven',
      '[SEP]',
    ]);
    const second = tok(b, { textPair: a, truncation: 'only_second', maxLength: 7 });
    expect(tok.convertIdsToTokens(second.inputIds)).toEqual([
      '[CLS]',
      'six',
      'seven',
      '[SEP]',
      'one',
      'two',
      '[SEP]',
    ]);
    expect(() => tok(b, { textPair: a, truncation: 'only_first', maxLength: 5 })).toThrow(
      /only has 2|has only 2/,
    );
  });

  it('padding to max_length, to a multiple, on the left', () => {
    const out = tok(['hello world', 'hi'], { padding: 'max_length', maxLength: 6 });
    expect(out.inputIds).toEqual([
      [101, 7592, 2088, 102, 0, 0],
      [101, 7632, 102, 0, 0, 0],
    ]);
    expect(out.attentionMask).toEqual([
      [1, 1, 1, 1, 0, 0],
      [1, 1, 1, 0, 0, 0],
    ]);
    const left = tok(['hello world', 'hi'], { padding: true, paddingSide: 'left', padToMultipleOf: 8 });
    expect(left.inputIds).toEqual([
      [0, 0, 0, 0, 101, 7592, 2088, 102],
      [0, 0, 0, 0, 0, 101, 7632, 102],
    ]);
    expect(left.tokenTypeIds).toEqual([new Array(8).fill(0), new Array(8).fill(0)]);
  });

  it('truncation: true without maxLength uses model_max_length (512)', () => {
    const long = 'word '.repeat(600);
    expect(tok(long, { truncation: true }).inputIds).toHaveLength(512);
    expect(
      tok([long, 'short'], { truncation: true, padding: 'max_length', returnTensors: true }).inputIds.shape,
    ).toEqual([2, 512]);
  });
});

describe('BERT files', () => {
  let dir: string;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('savePretrained from vocab.txt writes the tokenizer.json transformers would, and it reloads', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lumen-bert-'));
    const files = await legacy.savePretrained(dir);
    expect(readdirSync(dir).sort()).toEqual([
      'special_tokens_map.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    expect(files).toHaveLength(3);
    const written = readJson(join(dir, 'tokenizer.json'));
    expect(written).toEqual(readJson(`${GENERATED}bert-base-uncased/tokenizer.json`));
    const config = readJson(join(dir, 'tokenizer_config.json')) as Record<string, unknown>;
    expect(config).toMatchObject({
      tokenizer_class: 'BertTokenizer',
      model_max_length: 512,
      do_lower_case: true,
      cls_token: '[CLS]',
    });
    const reloaded = await AutoTokenizer.fromPretrained(dir);
    expect(reloaded).toBeInstanceOf(BertTokenizer);
    for (const text of CORPUS) expect(reloaded(text)).toEqual(tok(text));
    // transformers.js reads what we wrote, too.
    const peerReloaded = await TjsAutoTokenizer.from_pretrained(dir, { local_files_only: true });
    expect(peerReloaded.tokenize(CORPUS[2]!)).toEqual(tok.tokenize(CORPUS[2]!));
    expect(readFileSync(join(dir, 'special_tokens_map.json'), 'utf8')).toContain('"mask_token": "[MASK]"');
  });
});
