import { checkOptions, FileFormatError } from '@lumen/tensor';
import { describe, fail } from './errors.js';

/** A parsed config.json. */
export type ConfigDict = { [key: string]: unknown };

type FieldKind = 'int' | 'number' | 'prob' | 'string' | 'bool' | 'intOrNull' | 'numberOrNull' | 'tokenId';

/** One config field: its camelCase property, its config.json key, its kind, default and upper bound. */
interface Field {
  prop: string;
  key: string;
  kind: FieldKind;
  dflt: unknown;
  max?: number;
}

const f = (prop: string, key: string, kind: FieldKind, dflt: unknown, max?: number): Field => ({
  prop,
  key,
  kind,
  dflt,
  max,
});

/**
 * Sane bounds, far above any released BERT or GPT-2 (vocabularies of 250k, 48 layers), far below
 * what would hang or exhaust the process before the weights could be checked.
 */
export const CONFIG_LIMITS = {
  /** vocab sizes, widths, position counts. */
  dim: 2 ** 24,
  layers: 1024,
  /** numLabels: the classifier's rows, and id2label's entries. */
  labels: 100_000,
  /** Token ids are int32. */
  tokenId: 2 ** 31 - 1,
} as const;

/** Fields every config has (transformers' PretrainedConfig). */
const COMMON: Field[] = [
  f('padTokenId', 'pad_token_id', 'tokenId', null),
  f('bosTokenId', 'bos_token_id', 'tokenId', null),
  f('eosTokenId', 'eos_token_id', 'tokenId', null),
  f('problemType', 'problem_type', 'string', null),
  f('torchDtype', 'torch_dtype', 'string', 'float32'),
];

const PROBLEM_TYPES = ['regression', 'single_label_classification', 'multi_label_classification'];

function checkValue(where: string, field: Field, v: unknown): unknown {
  if (v === null && field.dflt === null) return null;
  const bad = (expected: string): never =>
    fail(where, `${field.prop} ("${field.key}") must be ${expected}, got ${describe(v)}`);
  switch (field.kind) {
    case 'int':
    case 'intOrNull': {
      const max = field.max ?? CONFIG_LIMITS.dim;
      if (field.kind === 'intOrNull' && v === null) return v;
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0 || v > max)
        bad(`a positive integer of at most ${max}${field.kind === 'intOrNull' ? ' or null' : ''}`);
      return v;
    }
    case 'tokenId': {
      const isId = (x: unknown) =>
        typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 && x <= CONFIG_LIMITS.tokenId;
      const expected = `a token id (an integer in [0, ${CONFIG_LIMITS.tokenId}]), a list of them, or null`;
      if (v === null) return null;
      if (Array.isArray(v)) {
        if (v.length === 0 || v.length > 1000 || !v.every(isId)) bad(expected);
        return [...v];
      }
      if (!isId(v)) bad(expected);
      return v;
    }
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) bad('a positive number');
      return v;
    case 'numberOrNull':
      if (v !== null && (typeof v !== 'number' || !(v >= 0 && v < 1))) bad('a probability in [0, 1) or null');
      return v;
    case 'prob':
      if (typeof v !== 'number' || !(v >= 0 && v < 1)) bad('a probability in [0, 1)');
      return v;
    case 'string':
      if (typeof v !== 'string') bad('a string');
      return v;
    case 'bool':
      if (typeof v !== 'boolean') bad('true or false');
      return v;
  }
}

/**
 * A weight whose shape the config fixes, checked against the safetensors header before any
 * parameter is allocated. `key` is the backbone's name (without 'bert.' / 'transformer.').
 */
export interface ConfigWeight {
  key: string;
  shape: number[];
  /** The config.json fields that give the shape, with their values: "vocab_size 50257, n_embd 768". */
  from: string;
  /** Checked only when the file has it (a task head that may be newly initialised). */
  optional?: boolean;
  /** A head outside the backbone (never prefixed). */
  head?: boolean;
}

/** How a config's blocks show in checkpoint keys: `h.<i>.` / `encoder.layer.<i>.`, and how many. */
export interface ConfigLayers {
  prefix: string;
  count: number;
  from: string;
}

/**
 * transformers' PretrainedConfig: typed camelCase properties for the fields a model uses,
 * read from and written to config.json's snake_case keys. Keys this class does not know are
 * kept and written back unchanged, so a config survives a round trip through Lumen.
 */
export abstract class PretrainedConfig {
  /** transformers' `model_type` ('bert', 'gpt2'). */
  abstract readonly modelType: string;
  /** The model classes the checkpoint was saved from (config.json's `architectures`). */
  architectures: string[] | null = null;
  /** Class names by label id; its size is `numLabels`. */
  id2label: Record<number, string> = { 0: 'LABEL_0', 1: 'LABEL_1' };
  padTokenId: number | null = null;
  bosTokenId: number | null = null;
  eosTokenId: number | number[] | null = null;
  /** 'regression' | 'single_label_classification' | 'multi_label_classification' | null (inferred). */
  problemType: string | null = null;
  torchDtype = 'float32';
  /** config.json keys this class does not model, written back as they came. */
  extra: ConfigDict = {};

  protected abstract fields(): Field[];

  /** The weights whose shapes this config fixes, and its blocks (fromPretrained checks them first). */
  abstract weightShapes(): { weights: ConfigWeight[]; layers: ConfigLayers };

  /** Sets fields from camelCase options (constructor use) or from config.json's keys (`fromDict`). */
  protected assign(values: ConfigDict, fromJson: boolean, where: string): void {
    const all = [...COMMON, ...this.fields()];
    const self = this as unknown as Record<string, unknown>;
    // config.json may hold keys of its own (kept in `extra`); options given in code may not: a
    // snake_case key there (n_embd) would otherwise be silently ignored.
    if (!fromJson)
      checkOptions(where, values, [...all.map((f) => f.prop), 'architectures', 'id2label', 'numLabels']);
    for (const field of all) {
      const name = fromJson ? field.key : field.prop;
      if (!(name in values) || values[name] === undefined) continue;
      self[field.prop] = checkValue(where, field, values[name]);
    }
    if (this.problemType !== null && !PROBLEM_TYPES.includes(this.problemType))
      fail(
        where,
        `problemType must be one of ${PROBLEM_TYPES.join(', ')} or null, got ${describe(this.problemType)}`,
      );
    const archKey = 'architectures';
    if (values[archKey] !== undefined && values[archKey] !== null) {
      const a = values[archKey];
      if (!Array.isArray(a) || a.some((x) => typeof x !== 'string'))
        fail(where, `architectures must be a list of class names, got ${describe(a)}`);
      this.architectures = [...(a as string[])];
    }
    const labels = values.id2label;
    if (labels !== undefined) this.id2label = readId2Label(where, labels);
    const n = fromJson ? values.num_labels : values.numLabels;
    if (n !== undefined) {
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0 || n > CONFIG_LIMITS.labels)
        fail(
          where,
          `numLabels (${fromJson ? '"num_labels"' : 'numLabels'}) must be a positive integer of at most ${CONFIG_LIMITS.labels}, got ${describe(n)}`,
        );
      this.numLabels = n;
    }
    if (fromJson) {
      const known = new Set([
        ...all.map((x) => x.key),
        'architectures',
        'id2label',
        'label2id',
        'num_labels',
        'model_type',
      ]);
      for (const [k, v] of Object.entries(values)) if (!known.has(k)) this.extra[k] = v;
    }
  }

  get numLabels(): number {
    return Object.keys(this.id2label).length;
  }

  /** Setting it resets the labels to LABEL_0… unless the count already matches (as transformers). */
  set numLabels(n: number) {
    if (!Number.isSafeInteger(n) || n <= 0 || n > CONFIG_LIMITS.labels)
      fail('numLabels', `must be a positive integer of at most ${CONFIG_LIMITS.labels}, got ${describe(n)}`);
    if (n === this.numLabels) return;
    this.id2label = Object.fromEntries(Array.from({ length: n }, (_, i) => [i, `LABEL_${i}`]));
  }

  get label2id(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.id2label).map(([i, l]) => [l, Number(i)]));
  }

  /** config.json's contents: snake_case keys, the fields transformers writes. */
  toDict(): ConfigDict {
    const out: ConfigDict = { ...this.extra };
    const self = this as unknown as Record<string, unknown>;
    for (const field of [...COMMON, ...this.fields()]) {
      const v = self[field.prop];
      // transformers leaves unset special-token ids out of config.json; keep that.
      if (v === null && field.kind === 'tokenId') continue;
      out[field.key] = v;
    }
    if (this.problemType === null) delete out.problem_type;
    out.architectures = this.architectures;
    out.id2label = Object.fromEntries(Object.entries(this.id2label).map(([i, l]) => [String(i), l]));
    out.label2id = this.label2id;
    out.model_type = this.modelType;
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  toJSONString(): string {
    return `${JSON.stringify(this.toDict(), null, 2)}\n`;
  }
}

function readId2Label(where: string, v: unknown): Record<number, string> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    fail(where, `id2label must be an object { "0": "label", ... }, got ${describe(v)}`);
  const out: Record<number, string> = {};
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length > CONFIG_LIMITS.labels)
    fail(where, `id2label may have at most ${CONFIG_LIMITS.labels} labels, got ${entries.length}`);
  for (const [k, label] of entries) {
    const i = Number(k);
    if (!Number.isInteger(i) || i < 0 || i >= entries.length || typeof label !== 'string')
      fail(
        where,
        `id2label must map the ids 0..n-1 to label strings, got ${JSON.stringify(k)}: ${describe(label)}`,
      );
    out[i] = label;
  }
  return out;
}

const ACTIVATIONS = ['gelu', 'gelu_new', 'gelu_pytorch_tanh', 'gelu_fast', 'relu', 'tanh', 'silu', 'swish'];

function checkActivation(where: string, name: string, v: string): void {
  if (!ACTIVATIONS.includes(v))
    fail(where, `${name} must be one of ${ACTIVATIONS.join(', ')}, got ${JSON.stringify(v)}`);
}

function checkHeads(where: string, hidden: number, heads: number, names: [string, string]): void {
  if (hidden % heads !== 0)
    fail(where, `${names[0]} (${hidden}) must be a multiple of ${names[1]} (${heads})`);
}

export interface BertConfigOptions {
  vocabSize?: number;
  hiddenSize?: number;
  numHiddenLayers?: number;
  numAttentionHeads?: number;
  intermediateSize?: number;
  hiddenAct?: string;
  hiddenDropoutProb?: number;
  attentionProbsDropoutProb?: number;
  maxPositionEmbeddings?: number;
  typeVocabSize?: number;
  initializerRange?: number;
  layerNormEps?: number;
  padTokenId?: number | null;
  classifierDropout?: number | null;
  numLabels?: number;
  id2label?: Record<number, string>;
  problemType?: string | null;
  architectures?: string[];
}

/** transformers' BertConfig, with its defaults (bert-base-uncased's shape). */
export class BertConfig extends PretrainedConfig {
  readonly modelType = 'bert';
  vocabSize = 30522;
  hiddenSize = 768;
  numHiddenLayers = 12;
  numAttentionHeads = 12;
  intermediateSize = 3072;
  /** 'gelu' is the exact erf GELU (transformers' default for BERT). */
  hiddenAct = 'gelu';
  hiddenDropoutProb = 0.1;
  attentionProbsDropoutProb = 0.1;
  maxPositionEmbeddings = 512;
  typeVocabSize = 2;
  initializerRange = 0.02;
  layerNormEps = 1e-12;
  /** Only 'absolute' position embeddings are implemented. */
  positionEmbeddingType = 'absolute';
  /** Dropout before the classifier; null means hiddenDropoutProb. */
  classifierDropout: number | null = null;
  useCache = true;

  constructor(options: BertConfigOptions = {}) {
    super();
    this.padTokenId = 0;
    this.assign(options as ConfigDict, false, 'BertConfig');
    this.validate('BertConfig');
  }

  /** From config.json's contents. */
  static fromDict(dict: ConfigDict, where = 'BertConfig.fromDict'): BertConfig {
    const c = new BertConfig();
    c.assign(dict, true, where);
    c.validate(where);
    return c;
  }

  protected fields(): Field[] {
    return [
      f('vocabSize', 'vocab_size', 'int', 30522),
      f('hiddenSize', 'hidden_size', 'int', 768),
      f('numHiddenLayers', 'num_hidden_layers', 'int', 12, CONFIG_LIMITS.layers),
      f('numAttentionHeads', 'num_attention_heads', 'int', 12),
      f('intermediateSize', 'intermediate_size', 'int', 3072),
      f('hiddenAct', 'hidden_act', 'string', 'gelu'),
      f('hiddenDropoutProb', 'hidden_dropout_prob', 'prob', 0.1),
      f('attentionProbsDropoutProb', 'attention_probs_dropout_prob', 'prob', 0.1),
      f('maxPositionEmbeddings', 'max_position_embeddings', 'int', 512),
      f('typeVocabSize', 'type_vocab_size', 'int', 2),
      f('initializerRange', 'initializer_range', 'number', 0.02),
      f('layerNormEps', 'layer_norm_eps', 'number', 1e-12),
      f('positionEmbeddingType', 'position_embedding_type', 'string', 'absolute'),
      f('classifierDropout', 'classifier_dropout', 'numberOrNull', null),
      f('useCache', 'use_cache', 'bool', true),
    ];
  }

  weightShapes(): { weights: ConfigWeight[]; layers: ConfigLayers } {
    const h = this.hiddenSize;
    const hidden = `hidden_size ${h}`;
    return {
      weights: [
        {
          key: 'embeddings.word_embeddings.weight',
          shape: [this.vocabSize, h],
          from: `vocab_size ${this.vocabSize}, ${hidden}`,
        },
        {
          key: 'embeddings.position_embeddings.weight',
          shape: [this.maxPositionEmbeddings, h],
          from: `max_position_embeddings ${this.maxPositionEmbeddings}, ${hidden}`,
        },
        {
          key: 'embeddings.token_type_embeddings.weight',
          shape: [this.typeVocabSize, h],
          from: `type_vocab_size ${this.typeVocabSize}, ${hidden}`,
        },
        {
          key: 'encoder.layer.0.intermediate.dense.weight',
          shape: [this.intermediateSize, h],
          from: `intermediate_size ${this.intermediateSize}, ${hidden}`,
        },
        {
          key: 'classifier.weight',
          shape: [this.numLabels, h],
          from: `num_labels ${this.numLabels}, ${hidden}`,
          optional: true,
          head: true,
        },
        {
          key: 'cls.predictions.bias',
          shape: [this.vocabSize],
          from: `vocab_size ${this.vocabSize}`,
          optional: true,
          head: true,
        },
      ],
      layers: {
        prefix: 'encoder.layer.',
        count: this.numHiddenLayers,
        from: `num_hidden_layers ${this.numHiddenLayers}`,
      },
    };
  }

  private validate(where: string): void {
    checkHeads(where, this.hiddenSize, this.numAttentionHeads, ['hiddenSize', 'numAttentionHeads']);
    checkActivation(where, 'hiddenAct', this.hiddenAct);
    if (this.positionEmbeddingType !== 'absolute')
      fail(
        where,
        `positionEmbeddingType ${JSON.stringify(this.positionEmbeddingType)} is not implemented; only 'absolute' is`,
      );
    if (this.padTokenId !== null && this.padTokenId >= this.vocabSize)
      fail(where, `padTokenId (${this.padTokenId}) must be below vocabSize (${this.vocabSize})`);
  }
}

export interface GPT2ConfigOptions {
  vocabSize?: number;
  nPositions?: number;
  nEmbd?: number;
  nLayer?: number;
  nHead?: number;
  nInner?: number | null;
  activationFunction?: string;
  residPdrop?: number;
  embdPdrop?: number;
  attnPdrop?: number;
  layerNormEpsilon?: number;
  initializerRange?: number;
  scaleAttnWeights?: boolean;
  scaleAttnByInverseLayerIdx?: boolean;
  bosTokenId?: number | null;
  eosTokenId?: number | number[] | null;
  padTokenId?: number | null;
  architectures?: string[];
}

/** transformers' GPT2Config, with its defaults (GPT-2 small). */
export class GPT2Config extends PretrainedConfig {
  readonly modelType = 'gpt2';
  vocabSize = 50257;
  /** The longest sequence the position embeddings cover. */
  nPositions = 1024;
  nEmbd = 768;
  nLayer = 12;
  nHead = 12;
  /** Width of the MLP; null means 4 × nEmbd. */
  nInner: number | null = null;
  /** 'gelu_new' is the tanh approximation. */
  activationFunction = 'gelu_new';
  residPdrop = 0.1;
  embdPdrop = 0.1;
  attnPdrop = 0.1;
  layerNormEpsilon = 1e-5;
  initializerRange = 0.02;
  scaleAttnWeights = true;
  scaleAttnByInverseLayerIdx = false;
  reorderAndUpcastAttn = false;
  useCache = true;

  constructor(options: GPT2ConfigOptions = {}) {
    super();
    this.bosTokenId = 50256;
    this.eosTokenId = 50256;
    this.assign(options as ConfigDict, false, 'GPT2Config');
    this.validate('GPT2Config');
  }

  static fromDict(dict: ConfigDict, where = 'GPT2Config.fromDict'): GPT2Config {
    const c = new GPT2Config();
    c.assign(dict, true, where);
    c.validate(where);
    return c;
  }

  protected fields(): Field[] {
    return [
      f('vocabSize', 'vocab_size', 'int', 50257),
      f('nPositions', 'n_positions', 'int', 1024),
      f('nEmbd', 'n_embd', 'int', 768),
      f('nLayer', 'n_layer', 'int', 12, CONFIG_LIMITS.layers),
      f('nHead', 'n_head', 'int', 12),
      f('nInner', 'n_inner', 'intOrNull', null),
      f('activationFunction', 'activation_function', 'string', 'gelu_new'),
      f('residPdrop', 'resid_pdrop', 'prob', 0.1),
      f('embdPdrop', 'embd_pdrop', 'prob', 0.1),
      f('attnPdrop', 'attn_pdrop', 'prob', 0.1),
      f('layerNormEpsilon', 'layer_norm_epsilon', 'number', 1e-5),
      f('initializerRange', 'initializer_range', 'number', 0.02),
      f('scaleAttnWeights', 'scale_attn_weights', 'bool', true),
      f('scaleAttnByInverseLayerIdx', 'scale_attn_by_inverse_layer_idx', 'bool', false),
      f('reorderAndUpcastAttn', 'reorder_and_upcast_attn', 'bool', false),
      f('useCache', 'use_cache', 'bool', true),
    ];
  }

  weightShapes(): { weights: ConfigWeight[]; layers: ConfigLayers } {
    const e = this.nEmbd;
    const inner = this.nInner ?? 4 * e;
    return {
      weights: [
        { key: 'wte.weight', shape: [this.vocabSize, e], from: `vocab_size ${this.vocabSize}, n_embd ${e}` },
        {
          key: 'wpe.weight',
          shape: [this.nPositions, e],
          from: `n_positions ${this.nPositions}, n_embd ${e}`,
        },
        {
          key: 'h.0.mlp.c_fc.weight',
          shape: [e, inner],
          from: `n_embd ${e}, n_inner ${this.nInner === null ? `null (4 × n_embd = ${inner})` : inner}`,
        },
      ],
      layers: { prefix: 'h.', count: this.nLayer, from: `n_layer ${this.nLayer}` },
    };
  }

  private validate(where: string): void {
    checkHeads(where, this.nEmbd, this.nHead, ['nEmbd', 'nHead']);
    checkActivation(where, 'activationFunction', this.activationFunction);
  }
}

/** The config class for a config.json's contents, chosen by its `model_type`. */
export function configFromDict(dict: ConfigDict, where: string): BertConfig | GPT2Config {
  if (typeof dict !== 'object' || dict === null || Array.isArray(dict))
    fail(where, `config.json must hold a JSON object, got ${describe(dict)}`, FileFormatError);
  const type = dict.model_type;
  if (type === 'bert') return BertConfig.fromDict(dict, where);
  if (type === 'gpt2') return GPT2Config.fromDict(dict, where);
  fail(where, `unknown model_type ${describe(type)} in config.json; supported: "bert", "gpt2"`);
}
