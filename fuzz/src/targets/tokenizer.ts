import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AutoTokenizer } from '@lumen/transformers-lite';
import type { Rng } from '../rng.ts';
import type { FuzzTarget } from '../target.ts';

/**
 * Mutated tokenizer.json documents loaded through the public API (`AutoTokenizer.fromPretrained`
 * with `{ files }`, the document as parsed JSON or as text), then used: encode, decode, tokenize and
 * a padded, truncated pair call on random strings (empty, ASCII, any Unicode, lone surrogates, long
 * runs, the added tokens' own text). Each document starts from a real one (GPT-2's and BERT's
 * tokenizer.json, also cut down to a few thousand tokens so that most inputs load fast, and a small
 * Unigram one) and gets one to four mutations: values replaced by other types or out-of-range
 * numbers (-1, 1.5, 2^53, "BPE"), fields deleted or duplicated, ids changed, added tokens with odd
 * ids, flags and contents up to 100,000 characters, Sequence stages nested up to 6,000 deep,
 * Split/Replace regexes drawn from a small grammar (nested and overlapping repetitions included).
 */

type Json = Record<string, unknown>;
interface Input {
  base: string;
  mutations: string[];
  doc: Json;
  asText: boolean;
  config: Json | null;
  texts: string[];
}

const PKG = fileURLToPath(new URL('../../../packages/transformers-lite/', import.meta.url));
const GENERATED = `${PKG}test/fixtures/generated/`;

let bases: Record<string, Json> | null = null;
function loadBases(): Record<string, Json> {
  if (bases) return bases;
  // The real vocabularies are written by the package's fixture script (git-ignored output).
  if (
    !existsSync(`${GENERATED}gpt2/tokenizer.json`) ||
    !existsSync(`${GENERATED}bert-base-uncased/tokenizer.json`)
  )
    execFileSync(process.execPath, [`${PKG}scripts/build-fixtures.mjs`], { stdio: 'ignore' });
  const gpt2 = JSON.parse(readFileSync(`${GENERATED}gpt2/tokenizer.json`, 'utf8')) as Json;
  const bert = JSON.parse(readFileSync(`${GENERATED}bert-base-uncased/tokenizer.json`, 'utf8')) as Json;
  bases = {
    gpt2,
    bert,
    gpt2Small: shrinkGpt2(gpt2, 2000),
    bertSmall: shrinkBert(bert, 3000),
    unigram: unigram(),
  };
  return bases;
}

/** GPT-2 with its first `merges` merges: the vocabulary is the 256 bytes plus one token per merge. */
function shrinkGpt2(doc: Json, merges: number): Json {
  const model = doc.model as Json;
  const vocab = Object.fromEntries(
    Object.entries(model.vocab as Record<string, number>).filter(([, id]) => id < 256 + merges),
  );
  return {
    ...doc,
    added_tokens: [{ ...(doc.added_tokens as Json[])[0]!, id: 256 + merges }],
    model: { ...model, vocab, merges: (model.merges as unknown[]).slice(0, merges) },
  };
}

/** BERT with the tokens of id < n (the special tokens, the characters and the commonest words). */
function shrinkBert(doc: Json, n: number): Json {
  const model = doc.model as Json;
  const vocab = Object.fromEntries(
    Object.entries(model.vocab as Record<string, number>).filter(([, id]) => id < n),
  );
  return { ...doc, model: { ...model, vocab } };
}

/** A SentencePiece-style Unigram tokenizer over the character n-grams of a short text. */
function unigram(): Json {
  const text =
    '▁the▁quick▁brown▁fox▁jumps▁over▁the▁lazy▁dog▁and▁then▁it▁runs▁away▁from▁the▁hunters▁who▁follow';
  const counts = new Map<string, number>();
  for (let i = 0; i < text.length; i++)
    for (let n = 1; n <= 4 && i + n <= text.length; n++) {
      const g = text.slice(i, i + n);
      counts.set(g, (counts.get(g) ?? 0) + 1);
    }
  const pieces: [string, number][] = [['<unk>', 0]];
  for (const [g, c] of counts) pieces.push([g, Math.log(c / text.length)]);
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
        { type: 'NFKC' },
        { type: 'Prepend', prepend: '▁' },
        { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
      ],
    },
    pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    post_processor: null,
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    model: { type: 'Unigram', unk_id: 0, vocab: pieces, byte_fallback: false },
  };
}

// ---- random values ----------------------------------------------------------------------------

const ODD_NUMBERS = [
  -1,
  0,
  1,
  1.5,
  -0.5,
  2 ** 31,
  2 ** 32,
  2 ** 53,
  2 ** 53 + 2,
  1e300,
  -1e300,
  1e-300,
  50256,
  30522,
];
const CHARS = [
  'a',
  'b',
  ' ',
  '\n',
  '\t',
  'é',
  'e\u0301',
  '中',
  '😀',
  '\uD800',
  '\u0000',
  '▁',
  'Ġ',
  '#',
  '<',
  '|',
  '[',
  '\\',
  '"',
];

function randomString(rng: Rng, max = 40): string {
  const n = rng.size(max);
  let s = '';
  for (let i = 0; i < n; i++)
    s += rng.bool(0.7) ? rng.pick(CHARS) : String.fromCodePoint(rng.int(0x20, 0x2fff));
  return s;
}

function deepValue(rng: Rng, depth: number): unknown {
  let v: unknown = rng.bool() ? 1 : 'x';
  for (let i = 0; i < depth; i++) v = rng.bool() ? [v] : { a: v };
  return v;
}

function randomValue(rng: Rng): unknown {
  switch (rng.int(0, 9)) {
    case 0:
      return rng.pick(ODD_NUMBERS);
    case 1:
      return rng.int(-5, 60000);
    case 2:
      return randomString(rng);
    case 3:
      return 'x'.repeat(rng.pick([0, 1, 1000, 100_000]));
    case 4:
      return null;
    case 5:
      return rng.bool();
    case 6:
      return [];
    case 7:
      return {};
    case 8:
      return deepValue(rng, rng.size(6000));
    default:
      return rng.pick(['BPE', 'WordPiece', 'Unigram', 'Sequence', 'Split', 'ByteLevel', 'A', 'B', '[CLS]']);
  }
}

// ---- regexes ----------------------------------------------------------------------------------

const KNOWN_REGEXES = [
  '(a+)+$',
  '(a|aa)*$',
  '(\\w|\\d)+$',
  '^(\\w+\\s?)*$',
  '(.*a){12}',
  '(a)\\1',
  '(?=(a+)+$)',
  '\\s*\\s*\\s*x',
  "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
  '[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+',
  ' {2,}',
  '\\p{N}',
  '',
  '(',
  '[',
  '\\',
  '(?i:a)',
];
const ATOMS = [
  'a',
  'b',
  ' ',
  '!',
  'é',
  '\\s',
  '\\S',
  '\\w',
  '\\d',
  '\\p{L}',
  '\\p{N}',
  '[^\\s\\p{L}]',
  '[a-c]',
  '.',
  '\\n',
];
const QUANTIFIERS = ['', '', '', '*', '+', '?', '{1,3}', '{2,}', '*?', '+?'];

function randomRegex(rng: Rng, depth = 0): string {
  const seq = () => {
    let s = '';
    for (let i = rng.int(1, 4); i > 0; i--) {
      const roll = rng.int(0, 9);
      let atom: string;
      if (roll < 6 || depth > 3) atom = rng.pick(ATOMS);
      else if (roll === 6) atom = `(${randomRegex(rng, depth + 1)})`;
      else if (roll === 7) atom = `(?:${randomRegex(rng, depth + 1)})`;
      else if (roll === 8) atom = `(?${rng.pick(['=', '!'])}${randomRegex(rng, depth + 1)})`;
      else atom = rng.pick(['^', '$', '\\b', '\\1']);
      s +=
        atom +
        (atom.length > 2 && atom.startsWith('(?') && !atom.startsWith('(?:') ? '' : rng.pick(QUANTIFIERS));
    }
    return s;
  };
  const parts = [seq()];
  while (rng.bool(0.3) && parts.length < 4) parts.push(seq());
  return parts.join('|');
}

function regex(rng: Rng): string {
  return rng.bool(0.3) ? rng.pick(KNOWN_REGEXES) : randomRegex(rng);
}

// ---- mutations --------------------------------------------------------------------------------

const STAGES = ['normalizer', 'pre_tokenizer', 'decoder', 'post_processor'] as const;
const SEQUENCE_KEY: Record<string, string> = {
  normalizer: 'normalizers',
  pre_tokenizer: 'pretokenizers',
  decoder: 'decoders',
  post_processor: 'processors',
};

/** A random object or array inside `doc` (never descending into big vocabularies), with the path to it. */
function randomContainer(rng: Rng, doc: Json): { node: Json | unknown[]; path: string } {
  let node: Json | unknown[] = doc;
  let path = '';
  for (let depth = 0; depth < 6 && rng.bool(0.75); depth++) {
    const keys = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    if (keys.length === 0 || keys.length > 64) break;
    const k = rng.pick(keys as (string | number)[]);
    const child = (node as Record<string | number, unknown>)[k];
    if (typeof child !== 'object' || child === null) break;
    node = child as Json | unknown[];
    path += `.${k}`;
  }
  return { node, path: path || '(root)' };
}

function mutate(rng: Rng, doc: Json, done: string[]): void {
  const isJson = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
  const model: Json = isJson(doc.model) ? doc.model : {};
  switch (rng.int(0, 11)) {
    case 0:
    case 1: {
      // Replace, delete or duplicate a field anywhere.
      const { node, path } = randomContainer(rng, doc);
      const keys = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
      if (keys.length === 0 || keys.length > 100_000) return;
      const k = rng.pick(keys as (string | number)[]);
      const op = rng.int(0, 2);
      const target = node as Record<string | number, unknown>;
      if (op === 0) target[k] = randomValue(rng);
      else if (op === 1) {
        if (Array.isArray(node)) node.splice(k as number, 1);
        else delete target[k];
      } else if (Array.isArray(node)) node.push(node[k as number]);
      else target[`${k}_copy`] = target[k];
      done.push(`${['set', 'delete', 'duplicate'][op]} ${path}.${k}`);
      return;
    }
    case 2: {
      // An added token with an odd id, flags or content.
      const added = Array.isArray(doc.added_tokens) ? doc.added_tokens : (doc.added_tokens = []);
      const id = rng.bool(0.5) ? rng.pick(ODD_NUMBERS) : rng.int(0, 60000);
      const content = rng.bool(0.3) ? 'x'.repeat(rng.pick([1000, 100_000])) : randomString(rng, 12) || '<t>';
      added.push({
        id: rng.bool(0.1) ? rng.pick(['BPE', null, '7']) : id,
        content,
        single_word: rng.bool(),
        lstrip: rng.bool(),
        rstrip: rng.bool(),
        normalized: rng.bool(),
        special: rng.bool(),
      });
      done.push(`added token id ${String(id)} content length ${content.length}`);
      return;
    }
    case 3: {
      // Nest a stage in Sequences.
      const stage = rng.pick(STAGES);
      const depth = rng.bool(0.5) ? rng.int(1, 70) : rng.size(6000);
      let node: unknown = doc[stage] ?? { type: stage === 'normalizer' ? 'Lowercase' : 'ByteLevel' };
      for (let i = 0; i < depth; i++) node = { type: 'Sequence', [SEQUENCE_KEY[stage]!]: [node] };
      doc[stage] = node;
      done.push(`${stage} nested ${depth} deep`);
      return;
    }
    case 4:
    case 5: {
      // A user regex in a Split pre-tokenizer or a Replace normalizer/decoder.
      const src = regex(rng);
      const pattern = rng.bool(0.85) ? { Regex: src } : { String: src };
      const where = rng.int(0, 2);
      if (where === 0) {
        const split = {
          type: 'Split',
          pattern,
          behavior: rng.pick(['Isolated', 'Removed', 'MergedWithNext', 'Contiguous', 'Sideways']),
          invert: rng.bool(0.2),
        };
        doc.pre_tokenizer = rng.bool()
          ? { type: 'Sequence', pretokenizers: [split, doc.pre_tokenizer ?? { type: 'WhitespaceSplit' }] }
          : split;
      } else if (where === 1) {
        const replace = { type: 'Replace', pattern, content: randomString(rng, 4) };
        doc.normalizer = doc.normalizer
          ? { type: 'Sequence', normalizers: [replace, doc.normalizer] }
          : replace;
      } else {
        const replace = { type: 'Replace', pattern, content: randomString(rng, 4) };
        doc.decoder = doc.decoder ? { type: 'Sequence', decoders: [replace, doc.decoder] } : replace;
      }
      done.push(
        `regex ${JSON.stringify(src)} in ${['Split', 'Replace normalizer', 'Replace decoder'][where]}`,
      );
      return;
    }
    case 6: {
      // Vocabulary ids and entries.
      const vocab = model.vocab;
      if (Array.isArray(vocab) && vocab.length) {
        vocab[rng.int(0, vocab.length - 1)] = rng.bool()
          ? [randomString(rng, 6), randomValue(rng)]
          : randomValue(rng);
      } else if (vocab && typeof vocab === 'object') {
        const v = vocab as Record<string, unknown>;
        v[rng.bool() ? randomString(rng, 8) : 'x'.repeat(rng.pick([300, 100_000]))] = rng.bool(0.6)
          ? rng.pick(ODD_NUMBERS)
          : rng.int(0, 60000);
      }
      done.push('vocabulary entry');
      return;
    }
    case 7: {
      // Model options.
      const key = rng.pick([
        'unk_token',
        'unk_id',
        'continuing_subword_prefix',
        'end_of_word_suffix',
        'max_input_chars_per_word',
        'byte_fallback',
        'fuse_unk',
        'ignore_merges',
        'dropout',
        'type',
      ]);
      model[key] = rng.bool(0.3) ? rng.pick(['[UNK]', '<unk>', '##', '</w>', 'Ġ', '']) : randomValue(rng);
      doc.model = model;
      done.push(`model.${key}`);
      return;
    }
    case 8: {
      // Merges.
      const merges = model.merges;
      if (Array.isArray(merges) && merges.length) {
        const i = rng.int(0, merges.length - 1);
        merges[i] = rng.pick([
          randomValue(rng),
          'a',
          ['a'],
          ['Ġ', 't', 'x'],
          `${randomString(rng, 3)} ${randomString(rng, 3)}`,
        ]);
        done.push(`merges[${i}]`);
      }
      return;
    }
    case 9: {
      // Post-processor ids, type ids and templates.
      const pp = doc.post_processor;
      if (isJson(pp) && pp.type === 'TemplateProcessing' && isJson(pp.special_tokens)) {
        const specials = pp.special_tokens as Record<string, Json>;
        const name = rng.pick(Object.keys(specials).concat('[NEW]'));
        specials[name] = {
          id: name,
          ids: [rng.bool() ? rng.pick(ODD_NUMBERS) : randomValue(rng)],
          tokens: [rng.bool() ? name : randomValue(rng)],
        };
        done.push(`post_processor special ${name}`);
      } else {
        doc.post_processor = rng.pick([
          { type: 'BertProcessing', sep: ['[SEP]', randomValue(rng)], cls: ['[CLS]', 101] },
          { type: 'RobertaProcessing', sep: ['</s>', rng.pick(ODD_NUMBERS)], cls: ['<s>', 0] },
          {
            type: 'TemplateProcessing',
            single: [
              { SpecialToken: { id: 'X', type_id: randomValue(rng) } },
              { Sequence: { id: 'A', type_id: 0 } },
            ],
            pair: [],
            special_tokens: { X: { id: 'X', ids: [rng.int(0, 100)], tokens: ['X'] } },
          },
        ]);
        done.push('post_processor replaced');
      }
      return;
    }
    case 10: {
      // Other stage types and options.
      const stage = rng.pick(STAGES);
      doc[stage] = rng.pick([
        {
          type: 'Metaspace',
          replacement: rng.pick(['▁', '', 'ab', 'x'.repeat(300)]),
          prepend_scheme: rng.pick(['always', 'first', 'never', 'sometimes']),
          split: rng.bool(),
        },
        {
          type: 'Strip',
          content: ' ',
          start: randomValue(rng),
          stop: rng.int(-3, 3),
          strip_left: rng.bool(),
          strip_right: rng.bool(),
        },
        { type: 'Prepend', prepend: rng.pick(['▁', 'x'.repeat(300), '']) },
        { type: 'Digits', individual_digits: randomValue(rng) },
        { type: 'Punctuation', behavior: rng.pick(['Isolated', 'Contiguous', 7]) },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'WordPiece', prefix: '##', cleanup: rng.bool() },
        { type: 'BPEDecoder', suffix: rng.pick(['</w>', '', 5]) },
        { type: 'NFKD' },
        { type: 'BertNormalizer', lowercase: randomValue(rng) },
        { type: randomString(rng, 8) },
        randomValue(rng),
      ]);
      done.push(`${stage} replaced`);
      return;
    }
    default: {
      // Whole sections dropped or swapped for other types.
      const key = rng.pick([
        'model',
        'added_tokens',
        'normalizer',
        'pre_tokenizer',
        'decoder',
        'post_processor',
        'version',
      ]);
      if (rng.bool()) delete doc[key];
      else doc[key] = randomValue(rng);
      done.push(`${key} dropped or replaced`);
    }
  }
}

function randomText(rng: Rng, doc: Json): string {
  switch (rng.int(0, 7)) {
    case 0:
      return '';
    case 1:
      return 'The quick brown fox jumps over the lazy dog. Héllo, wörld! 123 中文 😀';
    case 2:
      return `${'a'.repeat(rng.int(10, 40))}!`;
    case 3: {
      // Long runs and long mixed text.
      const unit = rng.bool() ? rng.pick(CHARS) : randomString(rng, 10) || 'x';
      return unit.repeat(Math.ceil(rng.size(20_000) / unit.length));
    }
    case 4: {
      const added = Array.isArray(doc.added_tokens) ? (doc.added_tokens as Json[]) : [];
      const contents = added
        .map((t) => t?.content)
        .filter((c): c is string => typeof c === 'string' && c.length < 200);
      let s = '';
      for (let i = rng.int(1, 6); i > 0; i--)
        s += (contents.length && rng.bool() ? rng.pick(contents) : '') + randomString(rng, 8);
      return s;
    }
    case 5: {
      let s = '';
      for (let i = rng.size(2000); i > 0; i--) s += String.fromCharCode(rng.int(0, 0xffff));
      return s;
    }
    default:
      return randomString(rng, 200);
  }
}

const target: FuzzTarget<Input> = {
  name: 'tokenizer',
  description:
    'mutated tokenizer.json documents (GPT-2, BERT, Unigram) loaded with AutoTokenizer, then encode/decode',
  generate(rng) {
    const all = loadBases();
    const r = rng.float();
    const base =
      r < 0.03 ? 'gpt2' : r < 0.06 ? 'bert' : r < 0.45 ? 'gpt2Small' : r < 0.8 ? 'bertSmall' : 'unigram';
    const doc = structuredClone(all[base]!);
    const mutations: string[] = [];
    for (let i = rng.bool(0.1) ? 0 : rng.int(1, 4); i > 0; i--) mutate(rng, doc, mutations);
    const config = rng.bool(0.2)
      ? {
          tokenizer_class: rng.pick(['BertTokenizer', 'GPT2Tokenizer', 'PreTrainedTokenizerFast']),
          model_max_length: rng.pick([8, 512, 1e30]),
          pad_token: rng.pick(['[PAD]', '<|endoftext|>', '<pad>']),
        }
      : null;
    const texts = Array.from({ length: rng.int(1, 4) }, () => randomText(rng, doc));
    // Sometimes as text (the file as read from disk); documents nested too deep for JSON.stringify stay objects.
    let asText = rng.bool(0.3);
    if (asText) {
      try {
        JSON.stringify(doc);
      } catch {
        asText = false;
      }
    }
    return { base, mutations, doc, asText, config, texts };
  },
  run(input) {
    const files: Record<string, string | Json> = {
      'tokenizer.json': input.asText ? JSON.stringify(input.doc) : input.doc,
    };
    if (input.config) files['tokenizer_config.json'] = input.config;
    return AutoTokenizer.fromPretrained({ files }).then((tok) => {
      for (const text of input.texts) {
        const ids = tok.encode(text);
        tok.decode(ids);
        tok.decode(ids, { skipSpecialTokens: true });
        tok.tokenize(text);
      }
      const [a, b] = [input.texts[0]!, input.texts.at(-1)!];
      if (tok.padTokenId !== null)
        tok([a, b], { textPair: [b, a], padding: true, truncation: 'longest_first', maxLength: 64 });
    });
  },
  show: (input) =>
    `${input.base}${input.asText ? ' (text)' : ''}: ${input.mutations.join('; ') || 'unmutated'}; texts ${input.texts.map((t) => t.length).join(',')} chars`,
};
export default target;
