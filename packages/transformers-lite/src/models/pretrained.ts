import { noGrad } from '@lumen/autograd';
import { Embedding, init, LayerNorm, Linear, Module, Parameter, type SafetensorsTensorInfo } from '@lumen/nn';
import { checkOptions, type Device, type Tensor, tidy } from '@lumen/tensor';
import { HUB_OPTION_KEYS, type HubOptions, hubOptionsOf } from '../hub/hub.js';
import { saveFolderAtomically } from './atomicFolder.js';
import { CONFIG_LIMITS, type ConfigDict, type PretrainedConfig } from './config.js';
import { randomInitSkipped, withoutRandomInit } from './construction.js';
import { Conv1D } from './conv1d.js';
import { describe, fail, fmtShape, warn } from './errors.js';
import {
  CONFIG_FILE,
  GENERATION_CONFIG_FILE,
  isModelFile,
  type ModelSource,
  readModelFiles,
  WEIGHTS_FILE,
} from './files.js';
import { type ResizeTokenEmbeddingsOptions, resizeEmbeddings } from './resize.js';
import { readWeights, readWeightsHeader, weightsFiles } from './weights.js';

/** The keys of FromPretrainedOptions. */
export const FROM_PRETRAINED_KEYS = ['device', 'strict', 'numLabels', 'config', ...HUB_OPTION_KEYS];

/** fromPretrained's options: the model's, and the Hub's (revision, cacheDir, localFilesOnly, token, onProgress). */
export interface FromPretrainedOptions extends HubOptions {
  /** Where the weights go ('cpu' by default); they are read straight onto it. */
  device?: Device;
  /**
   * With `strict` (the default) a backbone weight that is missing, unexpected or wrongly shaped
   * is an error listing all of them. A task head the checkpoint lacks (e.g. `classifier.*` when
   * fine-tuning from a pretrained encoder) is newly initialised with a warning, as transformers
   * does. `strict: false` loads what fits and warns about the rest.
   */
  strict?: boolean;
  /** Sets the config's numLabels (sequence classification heads). */
  numLabels?: number;
  /** Use this config instead of the folder's config.json. */
  config?: PretrainedConfig;
}

/** savePretrained's options. */
export interface SavePretrainedOptions {
  /**
   * Split weights larger than this into shards plus model.safetensors.index.json, as
   * transformers' max_shard_size: bytes, or a string such as '200MB', '5GB', '1GiB'.
   * Without it the weights are one model.safetensors.
   */
  maxShardSize?: number | string;
}

/** What fromPretrained matched, for callers who want to check (also in the warnings). */
export interface LoadingInfo {
  missingKeys: string[];
  unexpectedKeys: string[];
  mismatchedKeys: string[];
}

/** How a model class maps checkpoint keys onto its parameters. */
export interface LoadRules {
  /** The backbone's property name in head models ('bert', 'transformer'). */
  basePrefix: string;
  /** Checkpoint keys that are tied copies of another weight (transformers drops them when saving). */
  tiedKeys: string[];
  /** Checkpoint keys skipped silently: buffers older transformers saved, parts this class lacks. */
  ignoreUnexpected: RegExp[];
  /** Model keys that may be absent from a checkpoint and are then newly initialised (with a warning). */
  newHeadKeys: RegExp[];
}

type ModelClass<M> = {
  new (config: never): M;
  readonly name: string;
  readonly loadRules: LoadRules;
  configFromDict(dict: ConfigDict, where: string): PretrainedConfig;
};

/**
 * transformers' PreTrainedModel: a model built from a config, loaded from and saved to the
 * Hugging Face layout (config.json + model.safetensors, Hugging Face parameter names).
 */
export abstract class PreTrainedModel extends Module {
  abstract readonly config: PretrainedConfig;
  /** generation_config.json's contents when the model was loaded with one. */
  generationConfigDict: ConfigDict | null = null;
  /** Set by fromPretrained. */
  loadingInfo: LoadingInfo | null = null;

  static readonly loadRules: LoadRules = {
    basePrefix: '',
    tiedKeys: [],
    ignoreUnexpected: [],
    newHeadKeys: [],
  };

  /** Which device the parameters are on. */
  get device(): Device {
    return this.parameters()[0]?.device ?? 'cpu';
  }

  /**
   * transformers' `_init_weights` for every submodule: Linear/Conv1D weights ~ N(0,
   * initializerRange) with zero biases, embeddings ~ N(0, initializerRange) with a zero padding row,
   * LayerNorm 1 and 0. Draws come from the default generator (seed it with manualSeed).
   */
  protected initWeights(range: number, only: Set<Tensor> | null = null): void {
    noGrad(() => this.initEach(range, only));
  }

  /** Initialises the parameters in `only` (all when null) as transformers' _init_weights would. */
  initParameters(_only: Set<Tensor> | null): void {}

  /** End of a model constructor: initialise, unless building for fromPretrained (see construction.ts). */
  protected postInit(): void {
    if (!randomInitSkipped()) this.initParameters(null);
  }

  private initEach(range: number, only: Set<Tensor> | null): void {
    const done = new Set<Tensor>();
    const once = (t: Tensor | null, fn: (t: Tensor) => void) => {
      if (t && !done.has(t) && (!only || only.has(t))) {
        done.add(t);
        fn(t);
      }
    };
    const embeddings: Embedding[] = [];
    for (const m of this.modules()) {
      if (m instanceof Embedding) embeddings.push(m);
      else if (m instanceof Linear || m instanceof Conv1D) {
        if (!isTied(m.weight, embeddings)) once(m.weight, (w) => init.normal_(w, 0, range));
        once(m.bias, (b) => init.zeros_(b));
      } else if (m instanceof LayerNorm) {
        once(m.weight, (w) => init.ones_(w));
        once(m.bias, (b) => init.zeros_(b));
      }
    }
    // Embeddings last, so a decoder tied to one ends with its init (zero padding row included).
    for (const e of embeddings) {
      if (only && !only.has(e.weight)) continue;
      init.normal_(e.weight, 0, range);
      const pad = e.paddingIdx;
      if (pad !== null) tidy(() => void e.weight.select(0, pad).copy_(0)); // the row view goes back at once
    }
  }

  /**
   * Loads a model from a local folder (or `{ files }`) in the Hugging Face layout. The model is
   * returned in eval() mode, as transformers' from_pretrained does; call train() to fine-tune.
   */
  static async fromPretrained<M extends PreTrainedModel>(
    this: ModelClass<M>,
    source: ModelSource,
    options: FromPretrainedOptions = {},
  ): Promise<M> {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass it was called on (BertModel, GPT2LMHeadModel…)
    return loadPretrained(this, source, options);
  }

  /** The token embedding layer (transformers' get_input_embeddings). */
  abstract getInputEmbeddings(): Embedding;

  /**
   * transformers' resize_token_embeddings: gives the token embedding `newNumTokens` rows (after
   * `addTokens`/`addSpecialTokens`, pass `tok.length`). Existing rows are kept; new rows start as
   * the model's init draws embeddings (N(0, initializerRange), from the generator manualSeed seeds)
   * or, with `{ meanResizing: true }`, as transformers ≥ 4.46 does. A tied LM head (GPT-2's lm_head,
   * BERT's MLM decoder) stays tied to the new matrix, its bias padded with zeros; `config.vocabSize`
   * is updated. The weights are new tensors: create the optimizer after resizing. Without
   * `newNumTokens` nothing changes. Returns the embedding layer, as transformers does.
   */
  resizeTokenEmbeddings(newNumTokens?: number, options: ResizeTokenEmbeddingsOptions = {}): Embedding {
    const op = `${this.constructor.name}.resizeTokenEmbeddings`;
    const emb = this.getInputEmbeddings();
    if (newNumTokens === undefined || newNumTokens === null) {
      checkOptions(op, options, ['padToMultipleOf', 'meanResizing']);
      return emb;
    }
    const config = this.config as PretrainedConfig & { vocabSize: number; initializerRange: number };
    config.vocabSize = resizeEmbeddings(op, this, emb, newNumTokens, options, config.initializerRange);
    return this.getInputEmbeddings();
  }

  /**
   * The files savePretrained writes, in memory (for browsers): config.json and model.safetensors,
   * or with `maxShardSize` the shards and model.safetensors.index.json.
   */
  async toFiles(options: SavePretrainedOptions = {}): Promise<Record<string, string | Uint8Array>> {
    const op = `${this.constructor.name}.toFiles`;
    checkOptions(op, options, ['maxShardSize']);
    this.config.architectures = [this.constructor.name];
    const files: Record<string, string | Uint8Array> = {
      [CONFIG_FILE]: this.config.toJSONString(),
      ...(await weightsFiles(op, this.stateDict(), options.maxShardSize)),
    };
    if (this.generationConfigDict)
      files[GENERATION_CONFIG_FILE] = `${JSON.stringify(this.generationConfigDict, null, 2)}\n`;
    return files;
  }

  /**
   * Writes config.json and model.safetensors (Hugging Face names, tied weights stored once; plus
   * generation_config.json when the model has one) into `dir`, so transformers'
   * from_pretrained(dir) loads it unchanged. Atomic as a whole: after a crash or a failed write
   * (a full disk) `dir` holds the previous checkpoint or the new one, never a mix. Other files in
   * `dir` (a tokenizer, notes) are kept; stale model files (an old generation_config.json, weight
   * shards) are removed. See atomicFolder.ts. With `maxShardSize` (bytes, or '200MB', '5GB',
   * '1GiB' as transformers' max_shard_size) weights larger than that are split into shards
   * `model-00001-of-0000N.safetensors` plus model.safetensors.index.json, as transformers writes
   * them. Other transformers options (safe_serialization…) are refused: the output is always safetensors.
   */
  async savePretrained(dir: string, options: SavePretrainedOptions = {}): Promise<string[]> {
    const op = `${this.constructor.name}.savePretrained`;
    if (typeof dir !== 'string' || dir === '')
      fail(op, `dir must be a non-empty string, got ${describe(dir)}`);
    checkOptions(op, options, ['maxShardSize']);
    return saveFolderAtomically(dir, await this.toFiles(options), op, { owns: isModelFile });
  }
}

/** fromPretrained's body, for the class `cls` it was called on. */
async function loadPretrained<M extends PreTrainedModel>(
  cls: ModelClass<M>,
  source: ModelSource,
  options: FromPretrainedOptions,
): Promise<M> {
  const op = `${cls.name}.fromPretrained`;
  if (typeof options !== 'object' || options === null)
    fail(op, `options must be an object, got ${describe(options)}`);
  checkOptions(op, options, FROM_PRETRAINED_KEYS);
  const files = await readModelFiles(source, op, hubOptionsOf(options));
  const config = options.config ?? cls.configFromDict(files.config, `${CONFIG_FILE} (in ${files.where})`);
  if (options.numLabels !== undefined) {
    const n = options.numLabels;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0 || n > CONFIG_LIMITS.labels)
      fail(
        op,
        `options.numLabels must be a positive integer of at most ${CONFIG_LIMITS.labels}, got ${describe(n)}`,
      );
    config.numLabels = n;
  }
  const strict = options.strict ?? true;
  const weights = await files.weights();
  // The headers first: a config that disagrees with the files is refused before anything is allocated.
  const header = readWeightsHeader(op, files.where, weights);
  checkConfigAgainstWeights(config, header, cls.loadRules.basePrefix, { op, where: files.where, strict });
  const tensors = readWeights(op, files.where, weights, options.device ?? 'cpu');
  let model: M;
  try {
    model = withoutRandomInit(() => new (cls as unknown as new (c: PretrainedConfig) => M)(config));
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    fail(op, `cannot allocate ${cls.name} as ${CONFIG_FILE} (in ${files.where}) describes it: ${e.message}`);
  }
  const info = loadCheckpoint(model, cls.loadRules, tensors, { op, where: files.where, strict });
  model.loadingInfo = info;
  // Fast init: only what the checkpoint did not provide gets transformers' random init.
  const fresh = new Set([...info.missingKeys, ...info.mismatchedKeys]);
  if (fresh.size > 0)
    model.initParameters(
      new Set(
        model
          .namedParameters()
          .filter(([k]) => fresh.has(k))
          .map(([, p]) => p),
      ),
    );
  if (options.device) model.to(options.device);
  model.generationConfigDict = files.generationConfig;
  return model.eval();
}

/**
 * Checks the dimensions config.json gives (vocabulary, width, positions, MLP width, number of
 * blocks, a classifier's labels) against the tensors' shapes in the safetensors header, before any
 * parameter exists: a config.json with n_layer 1000 or vocab_size 1e6 beside a small file is named
 * and refused, not allocated. Only a task head's mismatch (num_labels) may be waved through with
 * `strict: false`; it is then newly initialised at the config's size.
 */
function checkConfigAgainstWeights(
  config: PretrainedConfig,
  header: Record<string, SafetensorsTensorInfo>,
  basePrefix: string,
  ctx: { op: string; where: string; strict: boolean },
): void {
  const prefix = basePrefix ? `${basePrefix}.` : '';
  const { weights, layers } = config.weightShapes();
  const problems: string[] = [];
  const headProblems: string[] = [];
  for (const w of weights) {
    const name = [w.key, ...(w.head ? [] : [prefix + w.key])].find((k) => Object.hasOwn(header, k));
    if (name === undefined) {
      if (!w.optional)
        problems.push(
          `${w.key}: missing from the checkpoint, which ${CONFIG_FILE} (${w.from}) says is ${fmtShape(w.shape)}`,
        );
      continue;
    }
    const found = header[name]!.shape;
    if (found.length !== w.shape.length || found.some((d, i) => d !== w.shape[i]))
      (w.head ? headProblems : problems).push(
        `${name}: the checkpoint has shape ${fmtShape(found)}, the model ${fmtShape(w.shape)} (from ${CONFIG_FILE}'s ${w.from})`,
      );
  }
  // The blocks the file holds: the largest index in `h.<i>.` / `encoder.layer.<i>.` keys.
  let last = -1;
  let lastKey = '';
  for (const key of Object.keys(header)) {
    const rest = key.startsWith(prefix + layers.prefix)
      ? key.slice(prefix.length + layers.prefix.length)
      : key.startsWith(layers.prefix)
        ? key.slice(layers.prefix.length)
        : null;
    const m = rest === null ? null : /^(\d+)\./.exec(rest);
    if (m && Number(m[1]) > last) {
      last = Number(m[1]);
      lastKey = key;
    }
  }
  // Fewer blocks in the config than in the file is no allocation risk: loadCheckpoint lists the rest as unexpected.
  if (last >= 0 && last + 1 < layers.count)
    problems.push(
      `${CONFIG_FILE}'s ${layers.from} asks for blocks ${layers.prefix}0 to ${layers.prefix}${layers.count - 1}, the checkpoint has ${last + 1} (its last is ${lastKey})`,
    );
  // The backbone's dimensions must match even with strict: false: a model built from a config
  // that is not these weights' would be all fresh weights, and its size is the config's word alone.
  if (problems.length)
    fail(
      ctx.op,
      `${CONFIG_FILE} does not match ${WEIGHTS_FILE} (in ${ctx.where}): ${[...problems, ...headProblems].join('; ')}. ` +
        `Check that ${CONFIG_FILE} belongs to these weights`,
    );
  if (headProblems.length === 0) return;
  if (ctx.strict)
    fail(
      ctx.op,
      `${CONFIG_FILE} does not match ${WEIGHTS_FILE} (in ${ctx.where}): ${headProblems.join('; ')}. ` +
        'Pass { strict: false } to start this head newly initialised (transformers: ignore_mismatched_sizes=True)',
    );
  warn(
    `${ctx.op}: loading with strict: false although ${headProblems.join('; ')}; the head is newly initialised`,
  );
}

function isTied(w: Tensor, embeddings: Embedding[]): boolean {
  return embeddings.some((e) => e.weight === w);
}

/**
 * Puts checkpoint tensors into the model's parameter slots, transformers' way: a head model
 * loads a bare backbone checkpoint (keys get the backbone prefix) and a backbone loads a head
 * model's checkpoint (the prefix is stripped, the other head's keys are reported and skipped).
 */
function loadCheckpoint(
  model: PreTrainedModel,
  rules: LoadRules,
  tensors: Record<string, Tensor>,
  ctx: { op: string; where: string; strict: boolean },
): LoadingInfo {
  const params = new Map(model.namedParameters());
  const prefix = rules.basePrefix ? `${rules.basePrefix}.` : '';
  const isHeadModel = prefix !== '' && [...params.keys()].some((k) => k.startsWith(prefix));
  const ckptHasPrefix = prefix !== '' && Object.keys(tensors).some((k) => k.startsWith(prefix));
  const className = model.constructor.name;

  const found = new Map<string, Tensor>();
  const unexpectedBackbone: string[] = [];
  const unexpectedHeads: string[] = [];
  const mismatched: string[] = [];
  const mismatchedKeys: string[] = [];
  for (const [rawKey, t] of Object.entries(tensors)) {
    let key = rawKey;
    let foreignHead = false;
    if (isHeadModel && !ckptHasPrefix && !params.has(key) && !rules.tiedKeys.includes(key))
      key = prefix + key;
    else if (!isHeadModel && ckptHasPrefix) {
      if (key.startsWith(prefix)) key = key.slice(prefix.length);
      else foreignHead = true;
    }
    if (rules.ignoreUnexpected.some((re) => re.test(key))) continue;
    const target = params.get(key);
    if (rules.tiedKeys.includes(key) && !target) continue; // a tied copy: the weight it equals is loaded
    if (!target) {
      const outsideBackbone = foreignHead || (isHeadModel && !key.startsWith(prefix));
      (outsideBackbone ? unexpectedHeads : unexpectedBackbone).push(rawKey);
      continue;
    }
    if (t.dtype !== 'float32' && t.dtype !== 'float64') {
      mismatched.push(`${rawKey}: the checkpoint holds ${t.dtype} values, the model float32`);
      mismatchedKeys.push(key);
      continue;
    }
    if (t.shape.length !== target.shape.length || t.shape.some((d, i) => d !== target.shape[i])) {
      mismatched.push(
        `${rawKey}: the checkpoint has shape ${fmtShape(t.shape)}, the model ${fmtShape(target.shape)}`,
      );
      mismatchedKeys.push(key);
      continue;
    }
    found.set(key, t.dtype === target.dtype ? t : t.cast(target.dtype));
  }
  const missing = [...params.keys()].filter((k) => !found.has(k) && !mismatchedKeys.includes(k));
  const newHeads = missing.filter(
    (k) => rules.newHeadKeys.some((re) => re.test(k)) || (isHeadModel && !k.startsWith(prefix)),
  );
  const missingBackbone = missing.filter((k) => !newHeads.includes(k));

  const problems: string[] = [];
  if (missingBackbone.length) problems.push(`missing weights: ${missingBackbone.join(', ')}`);
  if (unexpectedBackbone.length) problems.push(`unexpected weights: ${unexpectedBackbone.join(', ')}`);
  if (mismatched.length) problems.push(`wrongly shaped weights: ${mismatched.join('; ')}`);
  if (problems.length && ctx.strict) {
    fail(
      ctx.op,
      `the checkpoint in ${ctx.where} does not fit ${className} as configured by its config.json: ${problems.join('. ')}. ` +
        'Check that config.json belongs to these weights, or pass { strict: false } to load what fits and keep the rest newly initialised',
    );
  }
  if (problems.length) warn(`${ctx.op}: loading with strict: false despite ${problems.join('. ')}`);
  if (unexpectedHeads.length) {
    warn(
      `Some weights of the model checkpoint at ${ctx.where} were not used when initializing ${className}: ${unexpectedHeads.join(', ')}\n` +
        `- This IS expected if you are initializing ${className} from the checkpoint of a model trained on another task or with another architecture.`,
    );
  }
  if (newHeads.length) {
    warn(
      `Some weights of ${className} were not initialized from the model checkpoint at ${ctx.where} and are newly initialized: ${newHeads.join(', ')}\n` +
        'You should probably TRAIN this model on a down-stream task to be able to use it for predictions and inference.',
    );
  }

  // Swap the loaded tensors into every slot holding the old parameter (tied weights share one slot value).
  const replacement = new Map<Tensor, Tensor>();
  for (const [key, t] of found) replacement.set(params.get(key)!, Parameter(t));
  for (const m of model.modules()) {
    const slots = m as unknown as Record<string, unknown>;
    for (const [name, value] of Object.entries(slots)) {
      const next = replacement.get(value as Tensor);
      if (next) slots[name] = next;
    }
  }
  return {
    missingKeys: missing,
    unexpectedKeys: [...unexpectedBackbone, ...unexpectedHeads],
    mismatchedKeys,
  };
}
