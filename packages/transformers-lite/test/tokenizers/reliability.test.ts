import { readFileSync } from 'node:fs';
import { Tokenizer as Peer } from '@huggingface/tokenizers';
import { LumenError } from '@lumen/tensor';
import { getEncoding } from 'js-tiktoken';
import { beforeAll, describe, expect, it } from 'vitest';
import { AutoTokenizer, type PreTrainedTokenizer, Tokenizer } from '../../src/index.ts';
import { MAX_SEQUENCE_DEPTH } from '../../src/tokenizers/config.ts';
import { CORPUS, GENERATED } from './helpers.ts';

// Reproducers of issue 13 (items 5 and 6). Expected ids come from js-tiktoken (GPT-2) and
// @huggingface/tokenizers (BERT), never from our own output.
const r50k = getEncoding('r50k_base');
const gpt2Json = (): Record<string, unknown> =>
  JSON.parse(readFileSync(`${GENERATED}gpt2/tokenizer.json`, 'utf8'));
const bertJson = (): Record<string, unknown> =>
  JSON.parse(readFileSync(`${GENERATED}bert-base-uncased/tokenizer.json`, 'utf8'));
const load = (json: unknown) => AutoTokenizer.fromPretrained({ files: { 'tokenizer.json': json as never } });

/** The error `f` throws (sync or async), checked to be a library error. */
async function libraryError(f: () => unknown): Promise<string> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(LumenError);
    return (e as Error).message;
  }
  throw new Error('expected a library error, got none');
}

describe('long texts (more than 200,000 tokens) encode without overflowing the stack', () => {
  let gpt2: PreTrainedTokenizer;
  let bert: PreTrainedTokenizer;
  beforeAll(async () => {
    gpt2 = await AutoTokenizer.fromPretrained(`${GENERATED}gpt2`);
    bert = await AutoTokenizer.fromPretrained(`${GENERATED}bert-base-uncased`);
  });
  // The corpus, line by line, repeated: about 1 MB.
  const lines: string[] = [];
  for (let i = 0; lines.join('\n').length < 1_000_000; i++) lines.push(CORPUS[i % CORPUS.length]!);
  const text = lines.join('\n');

  it('GPT-2: the ids js-tiktoken gives for the whole text', { timeout: 60_000 }, () => {
    const ids = gpt2.encode(text);
    expect(ids.length).toBeGreaterThan(200_000);
    expect(ids).toEqual(r50k.encode(text));
    expect(gpt2.decode(ids)).toBe(text);
  });

  it('BERT: [CLS], the pieces @huggingface/tokenizers gives line by line, [SEP]', { timeout: 60_000 }, () => {
    // BERT splits at whitespace, so the whole is the concatenation of its lines' encodings.
    const peer = new Peer(bertJson(), {});
    const byLine = new Map(CORPUS.map((l) => [l, peer.encode(l, { add_special_tokens: false }).ids]));
    const expected = [101];
    for (const l of lines) for (const id of byLine.get(l)!) expected.push(id);
    expected.push(102);
    const out = bert.backendTokenizer.encode(text, null, { withTokens: false });
    expect(out.ids.length).toBeGreaterThan(200_000);
    expect(out.ids).toEqual(expected);
    expect(out.typeIds.length).toBe(expected.length);
    // A pair of long texts, and a batch padded to the longest.
    const pair = bert.backendTokenizer.encode(text, text, { withTokens: false });
    expect(pair.ids.length).toBe(2 * expected.length - 1);
    const batch = bert([text, 'short'], { padding: true });
    expect((batch.inputIds as number[][])[1]!.length).toBe(expected.length);
  });
});

describe('tokenizer.json ids are validated on load', () => {
  const withAddedId = (id: unknown) => {
    const json = gpt2Json();
    (json.added_tokens as Record<string, unknown>[])[0]!.id = id;
    return json;
  };
  it.each([
    [-1, '-1'],
    [1.5, '1.5'],
    [2 ** 53, '9007199254740992'],
    ['BPE', '"BPE"'],
    [null, 'null'],
  ])('an added token with id %s is refused, naming the field and the value', async (id, shown) => {
    const message = await libraryError(() => load(withAddedId(id)));
    expect(message).toContain('tokenizer.json');
    expect(message).toContain('added_tokens[0]');
    expect(message).toContain('"id" must be a token id (an integer from 0 to 16777215)');
    expect(message).toContain(`got ${shown}`);
  });

  it('vocabulary ids, unk_id and post-processor ids', async () => {
    const vocab = gpt2Json();
    (vocab.model as { vocab: Record<string, unknown> }).vocab.hello = 2 ** 40;
    expect(await libraryError(() => load(vocab))).toMatch(
      /model: BPE model: vocab entry "hello" must map to a non-negative integer id .*got 1099511627776/,
    );
    const bert = bertJson();
    const special = (bert.post_processor as { special_tokens: Record<string, { ids: unknown[] }> })
      .special_tokens['[CLS]']!;
    special.ids = [999_999];
    expect(await libraryError(() => load(bert))).toMatch(
      /post_processor: special token id 999999 is neither in the model's vocabulary nor an added token/,
    );
    special.ids = ['[CLS]'];
    expect(await libraryError(() => load(bert))).toMatch(
      /post_processor: TemplateProcessing special_tokens\["\[CLS\]"\]: "ids\[0\]" must be a token id .*got "\[CLS\]"/,
    );
    const legacy = { 'vocab.json': JSON.stringify({ a: 0, b: -1 }), 'merges.txt': '#version: 0.2\n' };
    expect(await libraryError(() => AutoTokenizer.fromPretrained({ files: legacy }))).toMatch(
      /vocab.json \(in \{ files \}\): "b" must map to a token id .*got number -1/,
    );
    const unigram = { model: { type: 'Unigram', unk_id: 1.5, vocab: [['<unk>', 0]] } };
    expect(await libraryError(() => Tokenizer.fromJSON(unigram))).toMatch(/"unk_id" must be a token id/);
  });

  it('an error about a deeply nested value stays a library error with a short preview', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const json = gpt2Json();
    (json.added_tokens as unknown[])[0] = { content: deep };
    const message = await libraryError(() => load(json));
    expect(message).toMatch(/added_tokens\[0\]: expected \{ id: number, content: string, \.\.\. \}/);
    expect(message.length).toBeLessThan(400);
  });
});

describe('Sequence nesting is bounded', () => {
  const nested = (depth: number, leaf: object, key: string) => {
    let node: object = leaf;
    for (let i = 0; i < depth; i++) node = { type: 'Sequence', [key]: [node] };
    return node;
  };
  it.each([
    ['normalizer', 'normalizers', { type: 'Lowercase' }],
    ['pre_tokenizer', 'pretokenizers', { type: 'ByteLevel', add_prefix_space: false }],
    ['decoder', 'decoders', { type: 'ByteLevel' }],
    ['post_processor', 'processors', { type: 'ByteLevel' }],
  ])('%s: %s levels load, 5,000 are refused', async (stage, key, leaf) => {
    const ok = gpt2Json();
    ok[stage] = nested(MAX_SEQUENCE_DEPTH, leaf, key);
    const tok = await load(ok);
    expect(tok.encode('hello world')).toEqual(r50k.encode('hello world'));
    const deep = gpt2Json();
    deep[stage] = nested(5000, leaf, key);
    const message = await libraryError(() => load(deep));
    expect(message).toContain(`Sequence stages nest deeper than ${MAX_SEQUENCE_DEPTH} levels`);
    expect(message).toContain(`${stage}${`.${key}[0]`.repeat(MAX_SEQUENCE_DEPTH - 1)}`);
  });
});

describe('regexes from tokenizer.json cannot backtrack catastrophically', () => {
  const split = (regex: string) => ({
    type: 'Sequence',
    pretokenizers: [
      { type: 'Split', pattern: { Regex: regex }, behavior: 'Isolated', invert: false },
      { type: 'ByteLevel', add_prefix_space: false, use_regex: false },
    ],
  });
  it.each(['(a+)+$', '(a|aa)*$', '(\\w|\\d)+$', '^(\\w+\\s?)*$', '(?=(a+)+$)', '(a)\\1'])(
    '%s is refused at load, quickly, naming the pattern',
    async (regex) => {
      const json = gpt2Json();
      json.pre_tokenizer = split(regex);
      const t0 = performance.now();
      const message = await libraryError(() => load(json));
      expect(performance.now() - t0).toBeLessThan(2000);
      expect(message).toContain('pre_tokenizer.pretokenizers[0]: Split: "pattern.Regex"');
      expect(message).toContain(JSON.stringify(regex));
      expect(message).toMatch(/backtrack catastrophically|backreference/);
    },
  );

  it('the same in a Replace normalizer; a refused pattern never runs (the 11 s input is not tried)', async () => {
    const json = gpt2Json();
    json.normalizer = { type: 'Replace', pattern: { Regex: '(a+)+$' }, content: 'x' };
    expect(await libraryError(() => load(json))).toMatch(
      /normalizer: Replace: "pattern.Regex" "\(a\+\)\+\$"/,
    );
  });

  it('the split patterns of GPT-2, GPT-4 and GPT-4o style tokenizers load and split as @huggingface/tokenizers does', async () => {
    for (const regex of [
      "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
      "'(?:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
      '[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+',
    ]) {
      const json = gpt2Json();
      json.pre_tokenizer = split(regex);
      const ours = await load(json);
      const peer = new Peer(json, {});
      for (const text of CORPUS) expect(ours.encode(text)).toEqual(peer.encode(text).ids);
    }
  });
});

describe('a 100,000-character added token', () => {
  it('loads and matches (the one big regex it used to build was too large for V8)', async () => {
    const long = 'x'.repeat(100_000);
    const json = gpt2Json();
    (json.added_tokens as unknown[]).push({
      id: 50257,
      content: long,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    });
    const tok = await load(json);
    expect(tok.encode(`a${long}b`)).toEqual([...r50k.encode('a'), 50257, ...r50k.encode('b')]);
    expect(tok.encode('Hello world')).toEqual(r50k.encode('Hello world'));
    expect(tok.decode(tok.encode(`a${long}b`))).toBe(`a${long}b`);
  });
});
