import { describe, expect, it } from 'vitest';
import {
  createDecoder,
  createModel,
  createNormalizer,
  createPostProcessor,
  createPreTokenizer,
  Tokenizer,
} from '../../src/index.ts';

// Expected values below are the examples of Hugging Face's Rust tokenizers' own unit tests and docs.
const pre = (cfg: Record<string, unknown>, text: string, first = true) =>
  createPreTokenizer(cfg).preTokenize(text, first);

describe('pre-tokenizers (cases from tokenizers/src/pre_tokenizers/*.rs)', () => {
  it('Whitespace and WhitespaceSplit', () => {
    expect(pre({ type: 'Whitespace' }, 'Hey man!')).toEqual(['Hey', 'man', '!']);
    expect(pre({ type: 'Whitespace' }, 'How are you doing?')).toEqual(['How', 'are', 'you', 'doing', '?']);
    expect(pre({ type: 'Whitespace' }, '\n')).toEqual([]);
    // Rust's \w is Unicode-aware: accented words stay whole.
    expect(pre({ type: 'Whitespace' }, 'Café naïve')).toEqual(['Café', 'naïve']);
    expect(pre({ type: 'WhitespaceSplit' }, 'Hey, man, Good?')).toEqual(['Hey,', 'man,', 'Good?']);
  });

  it('Punctuation, each behavior', () => {
    expect(pre({ type: 'Punctuation' }, 'Hey friend!     How are you?!?')).toEqual([
      'Hey friend',
      '!',
      '     How are you',
      '?',
      '!',
      '?',
    ]);
    const s = 'the-final--countdown';
    const split = (behavior: string) =>
      pre({ type: 'Split', pattern: { String: '-' }, behavior, invert: false }, s);
    expect(split('Removed')).toEqual(['the', 'final', 'countdown']);
    expect(split('Isolated')).toEqual(['the', '-', 'final', '-', '-', 'countdown']);
    expect(split('MergedWithPrevious')).toEqual(['the-', 'final-', '-', 'countdown']);
    expect(split('MergedWithNext')).toEqual(['the', '-final', '-', '-countdown']);
    expect(split('Contiguous')).toEqual(['the', '-', 'final', '--', 'countdown']);
  });

  it('Split with a regex, inverted', () => {
    const cfg = { type: 'Split', pattern: { Regex: '\\w+|[^\\w\\s]+' }, behavior: 'Removed', invert: true };
    expect(pre(cfg, 'Hey man!')).toEqual(['Hey', 'man', '!']);
    expect(
      pre({ type: 'Split', pattern: { String: ' ' }, behavior: 'Removed', invert: false }, 'Hello, world!'),
    ).toEqual(['Hello,', 'world!']);
  });

  it('Digits', () => {
    expect(pre({ type: 'Digits', individual_digits: false }, 'Hey 123 friend!')).toEqual([
      'Hey ',
      '123',
      ' friend!',
    ]);
    expect(pre({ type: 'Digits', individual_digits: true }, 'Hey 123 friend!')).toEqual([
      'Hey ',
      '1',
      '2',
      '3',
      ' friend!',
    ]);
  });

  it('Metaspace: replacement, prepend scheme, split', () => {
    expect(pre({ type: 'Metaspace', replacement: '▁', prepend_scheme: 'always' }, 'Hey friend!')).toEqual([
      '▁Hey',
      '▁friend!',
    ]);
    expect(pre({ type: 'Metaspace', replacement: '▁', prepend_scheme: 'always' }, 'Hey   friend!')).toEqual([
      '▁Hey',
      '▁',
      '▁',
      '▁friend!',
    ]);
    expect(pre({ type: 'Metaspace', replacement: '▁', prepend_scheme: 'never' }, 'Hey friend!')).toEqual([
      'Hey',
      '▁friend!',
    ]);
    expect(
      pre({ type: 'Metaspace', replacement: '▁', prepend_scheme: 'first' }, 'Hey friend!', false),
    ).toEqual(['Hey', '▁friend!']);
    expect(
      pre({ type: 'Metaspace', replacement: '▁', add_prefix_space: true, split: false }, 'Hey friend!'),
    ).toEqual(['▁Hey▁friend!']);
  });

  it('BertPreTokenizer and ByteLevel', () => {
    expect(pre({ type: 'BertPreTokenizer' }, 'Hey friend!     How are you?!?')).toEqual([
      'Hey',
      'friend',
      '!',
      'How',
      'are',
      'you',
      '?',
      '!',
      '?',
    ]);
    expect(
      pre(
        { type: 'ByteLevel', add_prefix_space: true, use_regex: true },
        'Hello my friend, how is your day going?',
      ),
    ).toEqual(['ĠHello', 'Ġmy', 'Ġfriend', ',', 'Ġhow', 'Ġis', 'Ġyour', 'Ġday', 'Ġgoing', '?']);
  });

  it('Sequence', () => {
    const cfg = {
      type: 'Sequence',
      pretokenizers: [{ type: 'WhitespaceSplit' }, { type: 'Digits', individual_digits: true }],
    };
    expect(pre(cfg, 'Hey friend!     How are you?!? 123')).toEqual([
      'Hey',
      'friend!',
      'How',
      'are',
      'you?!?',
      '1',
      '2',
      '3',
    ]);
  });
});

describe('normalizers', () => {
  const norm = (cfg: Record<string, unknown>, text: string) => createNormalizer(cfg).normalize(text);
  it('StripAccents after NFKD (tokenizers/src/normalizers/strip.rs)', () => {
    const seq = {
      type: 'Sequence',
      normalizers: [{ type: 'NFKD' }, { type: 'StripAccents' }, { type: 'Lowercase' }],
    };
    expect(norm(seq, 'ậ…')).toBe('a...');
    expect(norm(seq, 'ำน\u0e49ำ3ลำ')).toBe('านา3ลา');
    expect(norm({ type: 'StripAccents' }, 'e\u0304\u0304\u0304o')).toBe('eo');
  });
  it('Strip, Replace, Prepend, NFC', () => {
    expect(norm({ type: 'Strip', strip_left: true, strip_right: false }, '  hi  ')).toBe('hi  ');
    expect(norm({ type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' $1' }, 'a   b')).toBe('a $1b');
    expect(norm({ type: 'Prepend', prepend: '▁' }, 'hi')).toBe('▁hi');
    expect(norm({ type: 'Prepend', prepend: '▁' }, '')).toBe('');
    expect(norm({ type: 'NFC' }, 'e\u0301')).toBe('é');
  });
  it('BertNormalizer', () => {
    const bert = {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    };
    expect(norm(bert, 'Héllo\u0000\tWörld 中文\u200b')).toBe('hello world  中  文 ');
    expect(norm({ ...bert, lowercase: false }, 'Héllo')).toBe('Héllo');
    expect(norm({ ...bert, strip_accents: true, lowercase: false }, 'Héllo')).toBe('Hello');
  });
});

describe('decoders (cases from tokenizers/src/decoders/*.rs)', () => {
  const dec = (cfg: Record<string, unknown>, tokens: string[]) =>
    createDecoder(cfg).decodeChain(tokens).join('');
  it('WordPiece, BPEDecoder, Metaspace, ByteLevel', () => {
    expect(
      dec({ type: 'WordPiece', prefix: '##', cleanup: false }, [
        '##uelo',
        'Ara',
        '##új',
        '##o',
        'No',
        '##guera',
      ]),
    ).toBe('##uelo Araújo Noguera');
    expect(dec({ type: 'BPEDecoder', suffix: '</w>' }, ['My</w>', 'na', 'me</w>'])).toBe('My name');
    expect(dec({ type: 'Metaspace', replacement: '▁', prepend_scheme: 'always' }, ['▁Hey', '▁friend!'])).toBe(
      'Hey friend!',
    );
    expect(dec({ type: 'Metaspace', replacement: '▁', prepend_scheme: 'never' }, ['▁Hey', '▁friend!'])).toBe(
      ' Hey friend!',
    );
    expect(
      dec({ type: 'ByteLevel' }, [
        'Hello',
        'Ġmy',
        'Ġfriend',
        ',',
        'Ġhow',
        'Ġis',
        'Ġyour',
        'Ġday',
        'Ġgoing',
        '?',
      ]),
    ).toBe('Hello my friend, how is your day going?');
  });
  it('ByteFallback, Fuse, Strip, Replace, Sequence', () => {
    const bf = (tokens: string[]) => createDecoder({ type: 'ByteFallback' }).decodeChain(tokens);
    expect(bf(['Hey', 'friend!'])).toEqual(['Hey', 'friend!']);
    expect(bf(['<0x61>'])).toEqual(['a']);
    expect(bf(['<0xE5>'])).toEqual(['\uFFFD']);
    expect(bf(['<0xE5>', '<0x8f>'])).toEqual(['\uFFFD', '\uFFFD']);
    expect(bf(['<0xE5>', '<0x8f>', '<0xab>'])).toEqual(['叫']);
    expect(bf(['<0xE5>', '<0x8f>', '<0xab>', 'a'])).toEqual(['叫', 'a']);
    expect(createDecoder({ type: 'Fuse' }).decodeChain(['Hey', ' friend!'])).toEqual(['Hey friend!']);
    expect(
      createDecoder({ type: 'Strip', content: 'H', start: 1, stop: 0 }).decodeChain([
        'Hey',
        ' friend!',
        'HHH',
      ]),
    ).toEqual(['ey', ' friend!', 'HH']);
    expect(dec({ type: 'Replace', pattern: { String: '▁' }, content: ' ' }, ['▁a', '▁b'])).toBe(' a b');
    expect(
      dec(
        {
          type: 'Sequence',
          decoders: [
            { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
            { type: 'Fuse' },
            { type: 'Strip', content: ' ', start: 1, stop: 0 },
          ],
        },
        ['▁Hey', '▁friend'],
      ),
    ).toBe('Hey friend');
  });
});

describe('post-processors (cases from tokenizers/src/processors/*.rs)', () => {
  const enc = (ids: number[], tokens: string[]) => ({
    ids,
    tokens,
    typeIds: ids.map(() => 0),
    specialTokensMask: ids.map(() => 0),
  });
  it('RobertaProcessing: <s> A </s></s> B </s>, all type ids 0', () => {
    const p = createPostProcessor({
      type: 'RobertaProcessing',
      sep: ['</s>', 2],
      cls: ['<s>', 0],
      trim_offsets: true,
      add_prefix_space: true,
    });
    expect(p.addedTokens(true)).toBe(4);
    const out = p.process(enc([12, 14], ['Hello', 'there']), enc([15], ['pair']), true);
    expect(out.ids).toEqual([0, 12, 14, 2, 2, 15, 2]);
    expect(out.typeIds).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(out.specialTokensMask).toEqual([1, 0, 0, 1, 1, 0, 1]);
    expect(p.process(enc([12, 14], ['Hello', 'there']), enc([15], ['pair']), false).ids).toEqual([
      12, 14, 15,
    ]);
  });
  it('BertProcessing: [CLS] A [SEP] B [SEP]', () => {
    const p = createPostProcessor({ type: 'BertProcessing', sep: ['[SEP]', 102], cls: ['[CLS]', 101] });
    const out = p.process(enc([7], ['a']), { ...enc([8, 9], ['b', 'c']), typeIds: [1, 1] }, true);
    expect(out.ids).toEqual([101, 7, 102, 8, 9, 102]);
    expect(out.typeIds).toEqual([0, 0, 0, 1, 1, 1]);
    expect(out.tokens).toEqual(['[CLS]', 'a', '[SEP]', 'b', 'c', '[SEP]']);
  });
});

describe('errors name what is wrong', () => {
  it('unknown stage types', () => {
    expect(() => createPreTokenizer({ type: 'FixedLength' })).toThrow(
      'Unknown pre-tokenizer type: FixedLength',
    );
    expect(() => createNormalizer({ type: 'Precompiled' })).toThrow('Unknown normalizer type: Precompiled');
    expect(() => createDecoder({ type: 'CTC' })).toThrow('Unknown decoder type: CTC');
    expect(() => createPostProcessor({ type: 'Nope' })).toThrow('Unknown post-processor type: Nope');
    expect(() => createModel({ type: 'WordLevel', vocab: {} })).toThrow('Unknown model type: WordLevel');
  });
  it('bad fields', () => {
    expect(() =>
      createPreTokenizer({ type: 'Split', pattern: { Regex: '(' }, behavior: 'Isolated' }),
    ).toThrow(/Split: "pattern.Regex" "\(" is not a valid regular expression/);
    expect(() =>
      createPreTokenizer({ type: 'Split', pattern: { String: 'x' }, behavior: 'Sideways' }),
    ).toThrow(/"behavior" must be one of Removed/);
    expect(() => createPreTokenizer({ type: 'Metaspace', prepend_scheme: 'sometimes' })).toThrow(
      /"prepend_scheme" must be/,
    );
    expect(() => createModel({ type: 'BPE', vocab: { a: 0 }, merges: ['a b'] })).toThrow(
      /merge 0 "a b" uses "b", which is not in the vocabulary/,
    );
    expect(() => createModel({ type: 'WordPiece', vocab: { a: 0 }, unk_token: '[UNK]' })).toThrow(
      /unk_token "\[UNK\]" is not in the vocabulary/,
    );
    expect(() => createModel({ type: 'BPE', vocab: { a: -1 }, merges: [] })).toThrow(
      /vocab entry "a" must map to a non-negative integer id/,
    );
    expect(() => Tokenizer.fromJSON([])).toThrow(/tokenizer.json: expected a JSON object, got array/);
    expect(() => Tokenizer.fromJSON({ normalizer: null })).toThrow(/has no "model" entry/);
    expect(() => createNormalizer('Lowercase')).toThrow(
      /normalizer: expected an object with a "type" field, got "Lowercase"/,
    );
  });
});

describe('fast paths equal the plain definitions', () => {
  it('BertPreTokenizer and BertNormalizer on random Unicode text', async () => {
    const fc = (await import('fast-check')).default;
    const { PUNCTUATION, WHITESPACE } = await import('../../src/tokenizers/unicode.ts');
    const bertWords = new RegExp(`[^${WHITESPACE}${PUNCTUATION}]+|[${PUNCTUATION}]`, 'gu');
    const bertPre = createPreTokenizer({ type: 'BertPreTokenizer' });
    const bertNorm = createNormalizer({
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    });
    const slowNorm = (t: string) =>
      t
        .replace(/(?![\t\n\r])[\p{C}\uFFFD]/gu, '')
        .replace(/\p{White_Space}/gu, ' ')
        .replace(
          /[\u4E00-\u9FFF\u3400-\u4DBF\u{20000}-\u{2A6DF}\u{2A700}-\u{2B73F}\u{2B740}-\u{2B81F}\u{2B820}-\u{2CEAF}\uF900-\uFAFF\u{2F800}-\u{2FA1F}]/gu,
          ' $& ',
        )
        .normalize('NFD')
        .replace(/\p{Mn}/gu, '')
        .toLowerCase();
    const text = fc.oneof(
      fc.string({ unit: 'grapheme-ascii' }),
      fc.string({ unit: 'binary' }),
      fc.string({ unit: 'grapheme' }),
    );
    fc.assert(
      fc.property(text, (t) => {
        expect(bertPre.preTokenize(t, true)).toEqual(t.match(bertWords) ?? []);
        if (!t.includes('Σ')) expect(bertNorm.normalize(t)).toBe(slowNorm(t));
      }),
      { numRuns: 500, seed: 11 },
    );
  });
});
