import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BertConfig,
  BertForMaskedLM,
  BertForSequenceClassification,
  BertModel,
  GPT2Config,
  GPT2LMHeadModel,
  GPT2Model,
  setWarningHandler,
} from '@lumen/transformers-lite';
import type { Rng } from '../rng.ts';
import type { FuzzTarget } from '../target.ts';

/**
 * Fuzzed model folders loaded with the public fromPretrained of the GPT-2 and BERT classes. Each
 * starts as a tiny valid checkpoint (one of a few sizes), then config.json gets values huge,
 * negative, fractional, of the wrong type or missing, a wrong model_type, odd labels; the weights
 * may come from a checkpoint of another size, lose or rename tensors, or be cut; sometimes the
 * folder is written to disk, sometimes given as `{ files }`, with `strict: false` or `numLabels`.
 */

const CLASSES = {
  GPT2Model,
  GPT2LMHeadModel,
  BertModel,
  BertForSequenceClassification,
  BertForMaskedLM,
} as const;
type ClassName = keyof typeof CLASSES;

interface Input {
  cls: ClassName;
  files: Record<string, string | Uint8Array>;
  onDisk: boolean;
  options: { strict?: boolean; numLabels?: number };
  notes: string[];
}

const GPT2_SIZES = [
  { vocabSize: 32, nPositions: 16, nEmbd: 8, nLayer: 1, nHead: 2 },
  { vocabSize: 48, nPositions: 24, nEmbd: 12, nLayer: 2, nHead: 3 },
];
const BERT_SIZES = [
  {
    vocabSize: 30,
    hiddenSize: 8,
    numHiddenLayers: 1,
    numAttentionHeads: 2,
    intermediateSize: 16,
    maxPositionEmbeddings: 16,
  },
  {
    vocabSize: 40,
    hiddenSize: 12,
    numHiddenLayers: 2,
    numAttentionHeads: 3,
    intermediateSize: 20,
    maxPositionEmbeddings: 24,
    numLabels: 3,
  },
];

/** Base checkpoints (config.json text, weights), built once per child process. */
const bases = new Map<string, Promise<{ config: Record<string, unknown>; weights: Uint8Array }>>();

function base(family: 'gpt2' | 'bert', size: number, head: boolean) {
  const key = `${family}${size}${head}`;
  let b = bases.get(key);
  if (!b) {
    b = (async () => {
      const model =
        family === 'gpt2'
          ? head
            ? new GPT2LMHeadModel(new GPT2Config(GPT2_SIZES[size]!))
            : new GPT2Model(new GPT2Config(GPT2_SIZES[size]!))
          : head
            ? new BertForSequenceClassification(new BertConfig(BERT_SIZES[size]!))
            : new BertForMaskedLM(new BertConfig(BERT_SIZES[size]!));
      const files = await model.toFiles();
      return {
        config: JSON.parse(files['config.json'] as string) as Record<string, unknown>,
        weights: files['model.safetensors'] as Uint8Array,
      };
    })();
    bases.set(key, b);
  }
  return b;
}

function oddValue(rng: Rng): unknown {
  return rng.pick<unknown>([
    1e9,
    1e300,
    2 ** 53,
    2 ** 31,
    100_000,
    16_777_217,
    4096,
    -1,
    0,
    -0.5,
    1.5,
    3.0000001,
    Number.MAX_VALUE,
    '16',
    '',
    null,
    true,
    [],
    [8],
    {},
    { a: 1 },
    rng.int(1, 64),
    rng.int(1, 2000),
  ]);
}

const GPT2_KEYS = [
  'vocab_size',
  'n_positions',
  'n_embd',
  'n_layer',
  'n_head',
  'n_inner',
  'activation_function',
  'resid_pdrop',
  'layer_norm_epsilon',
  'initializer_range',
  'bos_token_id',
  'eos_token_id',
  'pad_token_id',
  'scale_attn_weights',
  'use_cache',
  'torch_dtype',
];
const BERT_KEYS = [
  'vocab_size',
  'hidden_size',
  'num_hidden_layers',
  'num_attention_heads',
  'intermediate_size',
  'max_position_embeddings',
  'type_vocab_size',
  'hidden_act',
  'hidden_dropout_prob',
  'layer_norm_eps',
  'pad_token_id',
  'classifier_dropout',
  'position_embedding_type',
  'num_labels',
  'id2label',
  'problem_type',
];

function mutateConfig(rng: Rng, config: Record<string, unknown>, keys: string[], notes: string[]): void {
  for (let i = rng.int(1, 3); i > 0; i--) {
    const roll = rng.int(0, 9);
    const key = rng.pick(keys);
    if (roll <= 5) {
      config[key] = oddValue(rng);
      notes.push(`${key}=${JSON.stringify(config[key])}`);
    } else if (roll === 6) {
      delete config[key];
      notes.push(`-${key}`);
    } else if (roll === 7) {
      config.model_type = rng.pick<unknown>(['bert', 'gpt2', 'llama', null, 3, undefined]);
      notes.push(`model_type=${JSON.stringify(config.model_type)}`);
    } else if (roll === 8) {
      const n = rng.pick([0, 1, 3, 5, 200_000]);
      config.id2label = rng.bool()
        ? Object.fromEntries(
            Array.from({ length: Math.min(n, 1000) }, (_, j) => [String(rng.bool(0.9) ? j : -j), `L${j}`]),
          )
        : oddValue(rng);
      if (rng.bool()) config.num_labels = rng.bool() ? n : oddValue(rng);
      notes.push(`labels ${n}`);
    } else {
      config[`extra_${rng.int(0, 9)}`] = oddValue(rng);
      notes.push('extra key');
    }
  }
}

function mutateWeights(rng: Rng, weights: Uint8Array, notes: string[]): Uint8Array {
  const n = Number(new DataView(weights.buffer, weights.byteOffset, 8).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(weights.subarray(8, 8 + n))) as Record<string, unknown>;
  const data = weights.subarray(8 + n);
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  const name = rng.pick(names);
  switch (rng.int(0, 4)) {
    case 0: {
      notes.push(`drop ${name}`);
      // Dropping an entry leaves a hole the reader refuses; shrink it to zero bytes at the end instead.
      delete header[name];
      break;
    }
    case 1:
      notes.push(`rename ${name}`);
      header[`${name}.x`] = header[name];
      delete header[name];
      break;
    case 2: {
      const entry = header[name] as { shape: number[] };
      entry.shape = rng.bool() ? [...entry.shape].reverse() : [entry.shape.reduce((a, b) => a * b, 1)];
      notes.push(`reshape ${name}`);
      break;
    }
    case 3: {
      const entry = header[name] as { dtype: string };
      entry.dtype = rng.pick(['I32', 'U32', 'BOOL', 'F16']);
      notes.push(`dtype ${name} ${entry.dtype}`);
      break;
    }
    default:
      notes.push('cut');
      return weights.slice(0, rng.int(0, weights.length));
  }
  const text = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

async function generate(rng: Rng): Promise<Input> {
  const cls = rng.pick(Object.keys(CLASSES) as ClassName[]);
  const family = cls.startsWith('GPT2') ? 'gpt2' : 'bert';
  const notes: string[] = [cls];
  const own = await base(family, rng.int(0, 1), rng.bool());
  const config = structuredClone(own.config);
  let weights = own.weights;
  const roll = rng.int(0, 9);
  if (roll <= 5) mutateConfig(rng, config, family === 'gpt2' ? GPT2_KEYS : BERT_KEYS, notes);
  if (roll >= 5 && roll <= 6) {
    // Weights of a checkpoint of another size or family: config and weights disagree.
    const other = await base(
      rng.bool(0.8) ? family : family === 'gpt2' ? 'bert' : 'gpt2',
      rng.int(0, 1),
      rng.bool(),
    );
    weights = other.weights;
    notes.push('other weights');
  }
  if (roll >= 7) weights = mutateWeights(rng, weights, notes);
  const files: Record<string, string | Uint8Array> = {};
  const text = JSON.stringify(config);
  files['config.json'] = rng.bool(0.03) ? text.slice(0, rng.int(0, text.length)) : text;
  if (rng.bool(0.97)) files['model.safetensors'] = weights;
  else notes.push('no weights');
  if (rng.bool(0.1)) {
    files['generation_config.json'] = rng.pick(['{"max_length": 5}', '[]', '{', 'null']);
    notes.push('generation config');
  }
  const options: Input['options'] = {};
  if (rng.bool(0.2)) options.strict = false;
  if (rng.bool(0.1)) options.numLabels = rng.pick([1, 2, 5, 0, -1, 1.5, 1e9]);
  return { cls, files, onDisk: rng.bool(0.15), options, notes };
}

let scratch: string | null = null;
let folders = 0;

const target: FuzzTarget<Input> = {
  name: 'pretrained',
  description:
    'fuzzed model folders (config.json values, mismatched or damaged weights) through GPT-2/BERT fromPretrained',
  generate,
  async run({ cls, files, onDisk, options }) {
    let source: string | { files: Record<string, string | Uint8Array> } = { files };
    if (onDisk) {
      scratch ??= mkdtempSync(join(tmpdir(), 'lumen-fuzz-pretrained-'));
      const dir = join(scratch, String(folders++));
      mkdirSync(dir);
      for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
      source = dir;
    }
    const previous = setWarningHandler(() => {});
    try {
      // One signature for the five classes (each one's fromPretrained returns its own type).
      const load = CLASSES[cls] as unknown as {
        fromPretrained(s: typeof source, o: Input['options']): Promise<{ parameters(): unknown[] }>;
      };
      const model = await load.fromPretrained(source, options);
      return model.parameters().length;
    } finally {
      setWarningHandler(previous);
      if (typeof source === 'string') rmSync(source, { recursive: true, force: true });
    }
  },
  show: ({ notes, onDisk, options }) =>
    `${notes.join(', ')}${onDisk ? ' (on disk)' : ''}${Object.keys(options).length ? ` ${JSON.stringify(options)}` : ''}`,
  cleanup() {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  },
};
export default target;
