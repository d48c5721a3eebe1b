import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensor } from '@lumen/tensor';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AutoTokenizer, BertTokenizer, GPT2Tokenizer, PreTrainedTokenizer } from '../../src/index.ts';
import { GENERATED } from './helpers.ts';

let bert: BertTokenizer;
let gpt2: GPT2Tokenizer;
let scratch: string;
beforeAll(async () => {
  bert = await BertTokenizer.fromPretrained(`${GENERATED}bert-base-uncased`);
  gpt2 = await GPT2Tokenizer.fromPretrained(`${GENERATED}gpt2`);
  scratch = mkdtempSync(join(tmpdir(), 'lumen-tok-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('a tokenizer is callable', () => {
  it('is a function, an instance of its class, and tok(x) is tok.invoke(x)', () => {
    expect(typeof bert).toBe('function');
    expect(bert).toBeInstanceOf(BertTokenizer);
    expect(bert).toBeInstanceOf(PreTrainedTokenizer);
    expect(bert('hello world')).toEqual(bert.invoke('hello world'));
    expect(Reflect.apply(bert, null, ['hello'])).toEqual(bert('hello'));
    expect(typeof bert.bind).toBe('function');
    expect(bert.length).toBe(30522);
  });

  it('single text gives flat lists, a batch gives lists of lists, tensors are int32 [batch, length]', () => {
    expect(bert('hello world')).toEqual({
      inputIds: [101, 7592, 2088, 102],
      attentionMask: [1, 1, 1, 1],
      tokenTypeIds: [0, 0, 0, 0],
    });
    expect(bert(['hello world']).inputIds).toEqual([[101, 7592, 2088, 102]]);
    const t = bert('hello world', { returnTensors: true });
    expect(t.inputIds.shape).toEqual([1, 4]);
    expect(t.inputIds.dtype).toBe('int32');
    expect(t.attentionMask.arraySync()).toEqual([[1, 1, 1, 1]]);
    const pt = bert(['a', 'b c'], {
      padding: true,
      returnTensors: 'pt',
      returnTokenTypeIds: false,
      returnSpecialTokensMask: true,
    });
    expect(pt.tokenTypeIds).toBeUndefined();
    expect(pt.specialTokensMask.arraySync()).toEqual([
      [1, 0, 1, 1],
      [1, 0, 0, 1],
    ]);
    expect(bert('a', { returnAttentionMask: false })).toEqual({
      inputIds: [101, 1037, 102],
      tokenTypeIds: [0, 0, 0],
    });
  });

  it('encode, tokenize, convert tokens and ids, decode and batchDecode (arrays and tensors)', () => {
    expect(bert.tokenize("Don't stop")).toEqual(['don', "'", 't', 'stop']);
    expect(bert.tokenize('hi', { textPair: 'yo', addSpecialTokens: true })).toEqual([
      '[CLS]',
      'hi',
      '[SEP]',
      'yo',
      '[SEP]',
    ]);
    expect(bert.encode('hello', { textPair: 'world' })).toEqual([101, 7592, 102, 2088, 102]);
    expect(bert.encode('hello', { addSpecialTokens: false })).toEqual([7592]);
    expect(bert.convertTokensToIds(['hello', 'not-a-token'])).toEqual([7592, 100]);
    expect(bert.convertTokensToIds('[SEP]')).toBe(102);
    expect(bert.convertIdsToTokens([101, 7592, 102], { skipSpecialTokens: true })).toEqual(['hello']);
    expect(bert.decode([101, 2009, 1005, 1055, 1037, 3231, 1012, 102])).toBe("[CLS] it's a test. [SEP]");
    expect(bert.decode([2009, 1005, 1055], { cleanUpTokenizationSpaces: false })).toBe("it ' s");
    expect(bert.decode(tensor(Int32Array.from([7592, 2088])))).toBe('hello world');
    const batch = bert(['hello world', 'hi'], { padding: true, returnTensors: true });
    expect(bert.batchDecode(batch.inputIds, { skipSpecialTokens: true })).toEqual(['hello world', 'hi']);
    expect(gpt2.decode(gpt2.encode(' a , b'))).toBe(' a , b');
  });

  it('added and special tokens', async () => {
    const tok = await BertTokenizer.fromPretrained(`${GENERATED}bert-base-uncased`);
    expect(tok.addTokens(['lumenize', 'hello'])).toBe(1);
    expect(tok.tokenize('we lumenize hello')).toEqual(['we', 'lumenize', 'hello']);
    expect(tok.convertTokensToIds('lumenize')).toBe(30522);
    expect(tok.length).toBe(30523);
    expect(tok.vocabSize).toBe(30522);
    expect(tok.decode(tok.encode('we lumenize'))).toBe('[CLS] we lumenize [SEP]');
    expect(tok.addSpecialTokens({ additional: ['<ent>'] })).toBe(1);
    expect(tok.tokenize('a<ent>b')).toEqual(['a', '<ent>', 'b']);
    expect(tok.decode(tok.encode('a<ent>b'), { skipSpecialTokens: true })).toBe('a b');
    expect(tok.allSpecialTokens).toEqual(
      expect.arrayContaining(['[CLS]', '[SEP]', '[PAD]', '[UNK]', '[MASK]', '<ent>']),
    );

    const g = await GPT2Tokenizer.fromPretrained(`${GENERATED}gpt2`);
    g.padToken = g.eosToken;
    expect(g(['hi', 'hello there'], { padding: true })).toEqual({
      inputIds: [
        [5303, 50256],
        [31373, 612],
      ],
      attentionMask: [
        [1, 0],
        [1, 1],
      ],
    });
    expect(g(['hi', 'hello there'], { padding: true, paddingSide: 'left' }).inputIds).toEqual([
      [50256, 5303],
      [31373, 612],
    ]);
  });

  it('warns as transformers does about long sequences and implicit truncation', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const tok = bert;
    const long = 'word '.repeat(600);
    tok(long);
    tok(long);
    expect(
      warn.mock.calls.filter(([m]) =>
        String(m).startsWith(
          'Token indices sequence length is longer than the specified maximum sequence length for this model (602 > 512)',
        ),
      ),
    ).toHaveLength(1);
    expect(tok('a b c d e', { maxLength: 4 }).inputIds).toEqual([101, 1037, 1038, 102]);
    expect(
      warn.mock.calls.some(([m]) => String(m).includes("Defaulting to 'longest_first' truncation strategy")),
    ).toBe(true);
    warn.mockRestore();
  });
});

describe('bad input gets a clear error', () => {
  it('non-string texts and bad options', () => {
    const anyTok = bert as unknown as (...a: unknown[]) => unknown;
    expect(() => anyTok(5)).toThrow(
      /text must be a string, an array of strings, or an array of \[text, textPair\] pairs, got number 5/,
    );
    expect(() => anyTok(['a', 3])).toThrow(
      /text\[1\] must be a string or a \[text, textPair\] pair of strings, got number 3/,
    );
    expect(() => anyTok(['a', 'b'], { textPair: ['x'] })).toThrow(
      /with 2 texts, textPair must be an array of 2 strings/,
    );
    expect(() => anyTok('a', { padding: 'yes' })).toThrow(
      /padding must be true, false, 'longest', 'max_length' or 'do_not_pad', got "yes"/,
    );
    expect(() => anyTok('a', { truncation: 'middle' })).toThrow(
      /truncation must be true, false, 'longest_first'/,
    );
    expect(() => anyTok('a', { maxLength: -1 })).toThrow(
      /maxLength must be a non-negative integer, got number -1/,
    );
    expect(() => bert.encode(null as unknown as string)).toThrow(/encode: text must be a string, got null/);
    expect(() => bert(['a', 'b c'], { returnTensors: true })).toThrow(
      /returnTensors needs sequences of one length, got lengths 3, 4: pass padding: true/,
    );
    expect(() => bert('a b c', { truncation: true, maxLength: 1 })).toThrow(
      /maxLength 1 leaves no room: the special tokens alone take 2/,
    );
    expect(() => bert.decode([1e9])).toThrow(/decode: id 1000000000 is not in the vocabulary/);
    expect(() => bert.decode([1.5])).toThrow(/decode: ids must be integers, got number 1.5/);
    expect(() => bert.decode(tensor([[1, 2]], { dtype: 'int32' }))).toThrow(
      /expected a 1-D ids tensor, got shape \[1, 2\] \(use batchDecode for 2-D\)/,
    );
    expect(() => gpt2.convertIdsToTokens([99999999])).toThrow(/id number 99999999 is not in the vocabulary/);
  });

  it('missing and corrupt files name the file and what was wrong', async () => {
    await expect(AutoTokenizer.fromPretrained(join(scratch, 'nope'))).rejects.toThrow(
      /no such folder: .*nope/,
    );
    const empty = join(scratch, 'empty');
    mkdirSync(empty);
    await expect(AutoTokenizer.fromPretrained(empty)).rejects.toThrow(
      /has no tokenizer files: expected tokenizer.json, vocab.txt, or vocab.json \+ merges.txt/,
    );
    const bad = join(scratch, 'bad-json');
    mkdirSync(bad);
    writeFileSync(join(bad, 'tokenizer.json'), '{"model": ');
    await expect(AutoTokenizer.fromPretrained(bad)).rejects.toThrow(
      /tokenizer.json \(in .*bad-json\): is not valid JSON/,
    );
    writeFileSync(
      join(bad, 'tokenizer.json'),
      JSON.stringify({ model: { type: 'BPE', vocab: { a: 0 }, merges: ['a c'] } }),
    );
    await expect(AutoTokenizer.fromPretrained(bad)).rejects.toThrow(
      /tokenizer.json \(in .*bad-json\): model: BPE model: merge 0 "a c" uses "c"/,
    );
    const merges = join(scratch, 'bad-merges');
    mkdirSync(merges);
    writeFileSync(join(merges, 'vocab.json'), JSON.stringify({ a: 0, b: 1, ab: 2 }));
    writeFileSync(join(merges, 'merges.txt'), '#version: 0.2\na b\nab\n');
    await expect(AutoTokenizer.fromPretrained(merges)).rejects.toThrow(
      /merges.txt \(in .*bad-merges\): merges.txt line 3: expected "left right", got "ab"/,
    );
    writeFileSync(join(merges, 'vocab.json'), '[1, 2]');
    await expect(AutoTokenizer.fromPretrained(merges)).rejects.toThrow(
      /vocab.json \(in .*bad-merges\): must hold a JSON object, got array/,
    );
    await expect(BertTokenizer.fromPretrained({ files: { 'vocab.json': '{}' } })).rejects.toThrow(
      /\{ files \} has neither tokenizer.json nor vocab.txt/,
    );
    await expect(BertTokenizer.fromPretrained({ files: { 'model.bin': '' } })).rejects.toThrow(
      /unknown file "model.bin" in \{ files \}/,
    );
  });
});

describe('chat templates', () => {
  const chatml =
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
  const messages = [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Hi there!' },
  ];
  const withTemplate = (template: unknown) =>
    GPT2Tokenizer.fromPretrained({
      files: {
        'tokenizer.json': readFileSync(`${GENERATED}gpt2/tokenizer.json`),
        'tokenizer_config.json': {
          tokenizer_class: 'GPT2Tokenizer',
          model_max_length: 1024,
          chat_template: template,
          eos_token: '<|endoftext|>',
        } as Record<string, unknown>,
      },
    });

  it('renders the Jinja template of tokenizer_config.json', async () => {
    const tok = await withTemplate(chatml);
    const text = tok.applyChatTemplate(messages, { tokenize: false, addGenerationPrompt: true });
    expect(text).toBe(
      '<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHi there!<|im_end|>\n<|im_start|>assistant\n',
    );
    expect(tok.applyChatTemplate(messages, { tokenize: false })).toBe(
      '<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHi there!<|im_end|>\n',
    );
    const ids = tok.applyChatTemplate(messages, { addGenerationPrompt: true });
    expect(ids).toEqual(tok.encode(text, { addSpecialTokens: false }));
    const t = tok.applyChatTemplate(messages, { addGenerationPrompt: true, returnTensors: true });
    expect(t.shape).toEqual([1, ids.length]);
  });

  it('special tokens, named templates, raise_exception', async () => {
    const tok = await withTemplate([
      {
        name: 'default',
        template:
          "{% for m in messages %}{% if m.role == 'system' %}{{ raise_exception('no system messages') }}{% endif %}{{ m.content + eos_token }}{% endfor %}",
      },
      { name: 'plain', template: '{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}' },
    ]);
    expect(tok.applyChatTemplate([{ role: 'user', content: 'a' }], { tokenize: false })).toBe(
      'a<|endoftext|>',
    );
    expect(tok.applyChatTemplate(messages, { tokenize: false, chatTemplate: 'plain' })).toBe(
      '[system] You are terse.\n[user] Hi there!\n',
    );
    expect(() => tok.applyChatTemplate(messages, { tokenize: false })).toThrow('no system messages');
  });

  it('a tokenizer without a template says so', () => {
    expect(() => gpt2.applyChatTemplate(messages)).toThrow(/this tokenizer has no chat template/);
    expect(() => gpt2.applyChatTemplate('hi' as never)).toThrow(
      /messages must be an array of \{ role, content \}/,
    );
  });

  it('saves and reloads with its template, atomically', async () => {
    const tok = await withTemplate(chatml);
    tok.addTokens(['<|im_start|>', '<|im_end|>']);
    const dir = join(scratch, 'chat');
    await tok.savePretrained(dir);
    expect(readdirSync(dir).sort()).toEqual([
      'special_tokens_map.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    const again = await AutoTokenizer.fromPretrained(dir);
    expect(again).toBeInstanceOf(GPT2Tokenizer);
    expect(again.chatTemplate).toBe(chatml);
    const ids = again.applyChatTemplate(messages, { addGenerationPrompt: true });
    expect(ids).toEqual(tok.applyChatTemplate(messages, { addGenerationPrompt: true }));
    expect(again.convertIdsToTokens(ids[0]!)).toBe('<|im_start|>');
  });
});

describe('loading', () => {
  it('AutoTokenizer picks the class from the files present', async () => {
    const vocab = readFileSync(`${GENERATED}bert-base-uncased-legacy/vocab.txt`, 'utf8');
    expect(await AutoTokenizer.fromPretrained({ files: { 'vocab.txt': vocab } })).toBeInstanceOf(
      BertTokenizer,
    );
    expect(await AutoTokenizer.fromPretrained(`${GENERATED}gpt2-legacy`)).toBeInstanceOf(GPT2Tokenizer);
    const generic = await AutoTokenizer.fromPretrained({
      files: { 'tokenizer.json': readFileSync(`${GENERATED}gpt2/tokenizer.json`, 'utf8') },
    });
    expect(generic.constructor).toBe(PreTrainedTokenizer);
    expect(generic.encode('hello world')).toEqual([31373, 995]);
    // A vocab.txt with do_lower_case false keeps case.
    const cased = await AutoTokenizer.fromPretrained({
      files: { 'vocab.txt': vocab, 'tokenizer_config.json': { do_lower_case: false } },
    });
    expect(cased.tokenize('Hello')).toEqual(['[UNK]']);
  });
});

describe('tokenizer_config.json options win over tokenizer.json, as in transformers', () => {
  it("BERT's do_lower_case / strip_accents, GPT-2's add_prefix_space", async () => {
    const json = readFileSync(`${GENERATED}bert-base-uncased/tokenizer.json`, 'utf8');
    const cased = await BertTokenizer.fromPretrained({
      files: { 'tokenizer.json': json, 'tokenizer_config.json': { do_lower_case: false } },
    });
    // bert-base-uncased has no capital letters: kept capitals make unknown words.
    expect(cased.tokenize('Hello hello')).toEqual(['[UNK]', 'hello']);
    const saved = join(scratch, 'cased');
    await cased.savePretrained(saved);
    expect(
      (JSON.parse(readFileSync(join(saved, 'tokenizer.json'), 'utf8')) as { normalizer: unknown }).normalizer,
    ).toEqual({
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: false,
    });
    const gptJson = readFileSync(`${GENERATED}gpt2/tokenizer.json`, 'utf8');
    const spaced = await GPT2Tokenizer.fromPretrained({
      files: { 'tokenizer.json': gptJson, 'tokenizer_config.json': { add_prefix_space: true } },
    });
    expect(spaced.encode('hello')).toEqual(gpt2.encode(' hello'));
  });
});
