import { checkOptions } from '@lumen/tensor';
import { BertTokenizer } from '../bert.js';
import { describe, fail, isObject } from '../config.js';
import { ByteLevelDecoder, WordPieceDecoder } from '../decoders/index.js';
import { GPT2Tokenizer } from '../gpt2.js';
import { BPE, WordPiece } from '../models/index.js';
import { BertNormalizer, type Normalizer } from '../normalizers/index.js';
import { ByteLevelProcessing, TemplateProcessing } from '../postProcessors/index.js';
import { BertPreTokenizer, ByteLevelPreTokenizer, type PreTokenizer } from '../preTokenizers/index.js';
import { Tokenizer } from '../tokenizer.js';
import { BYTE_TO_CHAR } from '../unicode.js';
import { learnBpe } from './learnBpe.js';

export interface TrainOptions {
  /** Target vocabulary size, special tokens and alphabet included. */
  vocabSize: number;
  /** Pairs seen fewer times than this are not merged (default 2). */
  minFrequency?: number;
  /** Tokens placed first in the vocabulary, in this order. */
  specialTokens?: readonly string[];
  /** tokenizer_config.json's model_max_length for the result. */
  modelMaxLength?: number;
}

const TRAIN_KEYS = ['vocabSize', 'minFrequency', 'specialTokens', 'modelMaxLength'];

export interface TrainWordPieceOptions extends TrainOptions {
  /** Lowercase and strip accents, as bert-base-uncased (default true). */
  lowercase?: boolean;
  /** Keep at most this many distinct characters (default 1000, as Hugging Face). */
  limitAlphabet?: number;
}

function checkTrainInput(
  texts: unknown,
  opts: unknown,
  op: string,
  valid: readonly string[],
): asserts texts is Iterable<string> {
  if (
    typeof texts === 'string' ||
    texts === null ||
    typeof texts !== 'object' ||
    !(Symbol.iterator in texts)
  ) {
    fail(op, `texts must be an array (or iterable) of strings, got ${describe(texts)}`);
  }
  if (!isObject(opts)) fail(op, `options must be an object like { vocabSize }, got ${describe(opts)}`);
  checkOptions(op, opts, valid);
  const { vocabSize, minFrequency } = opts as Record<string, unknown>;
  if (!Number.isInteger(vocabSize) || (vocabSize as number) <= 0)
    fail(op, `vocabSize must be a positive integer, got ${describe(vocabSize)}`);
  if (minFrequency !== undefined && (!Number.isInteger(minFrequency) || (minFrequency as number) < 0)) {
    fail(op, `minFrequency must be a non-negative integer, got ${describe(minFrequency)}`);
  }
}

/** Counts the words of `texts` as the tokenizer's own normalizer and pre-tokenizer would cut them. */
function countWords(
  texts: Iterable<string>,
  normalizer: Normalizer | null,
  preTokenizer: PreTokenizer,
  op: string,
): Map<string, number> {
  const counts = new Map<string, number>();
  let i = 0;
  for (const text of texts) {
    if (typeof text !== 'string') fail(op, `texts[${i}] must be a string, got ${describe(text)}`);
    const normalized = normalizer ? normalizer.normalize(text) : text;
    for (const w of preTokenizer.preTokenize(normalized, true)) counts.set(w, (counts.get(w) ?? 0) + 1);
    i++;
  }
  return counts;
}

/**
 * Trains a GPT-2-style byte-level BPE tokenizer on your texts (Hugging Face's
 * `ByteLevelBPETokenizer.train_from_iterator`): every byte is in the alphabet, so any text encodes
 * and decodes back exactly. The first special token (default `<|endoftext|>`) is bos/eos/unk.
 */
export function trainBpe(texts: Iterable<string>, opts: TrainOptions): GPT2Tokenizer {
  const op = 'trainBpe';
  checkTrainInput(texts, opts, op, TRAIN_KEYS);
  const specialTokens = opts.specialTokens ?? ['<|endoftext|>'];
  const preTokenizer = new ByteLevelPreTokenizer(false);
  const words = countWords(texts, null, preTokenizer, op);
  const { vocab, merges } = learnBpe(words, {
    vocabSize: opts.vocabSize,
    minFrequency: opts.minFrequency ?? 2,
    specialTokens,
    initialAlphabet: BYTE_TO_CHAR,
  });
  const tokenizer = new Tokenizer({
    preTokenizer,
    model: new BPE(vocab, merges),
    postProcessor: new ByteLevelProcessing(true, false),
    decoder: new ByteLevelDecoder(),
    addedTokens: specialTokens.map((content) => ({
      id: vocab.get(content)!,
      content,
      singleWord: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
  });
  const first = specialTokens[0];
  return new GPT2Tokenizer(tokenizer, {
    bos_token: first ?? null,
    eos_token: first ?? null,
    unk_token: first ?? null,
    additional_special_tokens: specialTokens.slice(1),
    model_max_length: opts.modelMaxLength ?? 1024,
  });
}

/**
 * Trains a BERT-style WordPiece tokenizer (Hugging Face's `BertWordPieceTokenizer.train`): BPE
 * merges with `##` continuations, used as a WordPiece vocabulary. Special tokens default to
 * [PAD] [UNK] [CLS] [SEP] [MASK] (ids 0–4).
 */
export function trainWordPiece(texts: Iterable<string>, opts: TrainWordPieceOptions): BertTokenizer {
  const op = 'trainWordPiece';
  checkTrainInput(texts, opts, op, [...TRAIN_KEYS, 'lowercase', 'limitAlphabet']);
  const specialTokens = opts.specialTokens ?? ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  for (const needed of ['[UNK]', '[CLS]', '[SEP]']) {
    if (!specialTokens.includes(needed))
      fail(
        op,
        `specialTokens must include ${needed} (BERT's pipeline uses it), got ${JSON.stringify(specialTokens)}`,
      );
  }
  const lowercase = opts.lowercase ?? true;
  const normalizer = new BertNormalizer(true, true, null, lowercase);
  const preTokenizer = new BertPreTokenizer();
  const words = countWords(texts, normalizer, preTokenizer, op);
  const { vocab } = learnBpe(words, {
    vocabSize: opts.vocabSize,
    minFrequency: opts.minFrequency ?? 2,
    specialTokens,
    limitAlphabet: opts.limitAlphabet ?? 1000,
    continuingSubwordPrefix: '##',
  });
  const id = (t: string) => vocab.get(t)!;
  const tokenizer = new Tokenizer({
    normalizer,
    preTokenizer,
    model: new WordPiece(vocab, '[UNK]', '##', 100),
    postProcessor: TemplateProcessing.bert(['[CLS]', id('[CLS]')], ['[SEP]', id('[SEP]')]),
    decoder: new WordPieceDecoder('##', true),
    addedTokens: specialTokens.map((content) => ({
      id: id(content),
      content,
      singleWord: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
  });
  const role = (t: string) => (specialTokens.includes(t) ? t : null);
  return new BertTokenizer(tokenizer, {
    do_lower_case: lowercase,
    unk_token: '[UNK]',
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: role('[PAD]'),
    mask_token: role('[MASK]'),
    additional_special_tokens: specialTokens.filter(
      (t) => !['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].includes(t),
    ),
    model_max_length: opts.modelMaxLength ?? 512,
  });
}
