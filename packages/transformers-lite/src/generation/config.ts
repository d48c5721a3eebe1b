import { checkOptions, type Generator, type Tensor } from '@lumen/tensor';
import { describe, fail, warn } from '../models/errors.js';

/** Receives each step's new token of every batch row (the pad id for rows that have finished). */
export type StreamerCallback = (tokens: number[]) => void;
/** transformers' BaseStreamer shape: put() per step, end() once generation stops. */
export interface Streamer {
  put(tokens: number[]): void;
  end?(): void;
}

/**
 * generate()'s options: transformers' GenerationConfig fields in camelCase, with its defaults.
 * Lengths count tokens of the (padded) prompt too for `maxLength`/`minLength`, and only new
 * tokens for `maxNewTokens`/`minNewTokens`.
 */
export interface GenerateOptions {
  /** Total length, prompt included (default 20, as transformers'). Prefer maxNewTokens. */
  maxLength?: number;
  /** New tokens to generate at most; takes precedence over maxLength. */
  maxNewTokens?: number;
  /** The eos tokens are forbidden until the sequences are this long (prompt included). Default 0. */
  minLength?: number;
  /** The eos tokens are forbidden until this many new tokens exist. Default 0. */
  minNewTokens?: number;
  /** Sample from the distribution instead of taking the most likely token (default false: greedy). */
  doSample?: boolean;
  /** Divides the scores before sampling (default 1). Must be > 0 when sampling. */
  temperature?: number;
  /** Sample only among the k most likely tokens (default 50; 0 turns it off). */
  topK?: number;
  /** Sample only among the most likely tokens whose probabilities add up to topP (default 1: off). */
  topP?: number;
  /** > 1 discourages tokens already present, prompt included (default 1: off). */
  repetitionPenalty?: number;
  /** Generation stops for a row at any of these; default: generation_config.json, else config.json. */
  eosTokenId?: number | number[] | null;
  /** Fills finished rows and left padding; default: the model's, else the first eos token. */
  padTokenId?: number | null;
  /** (B, T) 1 for tokens, 0 for (left) padding; inferred from padTokenId when omitted. */
  attentionMask?: Tensor | number[][] | null;
  /** Seeds a generator of its own for sampling: the same seed gives the same tokens. */
  seed?: number;
  /** The generator to sample with (default: the one manualSeed seeds). */
  generator?: Generator;
  /** Called with each step's new tokens. */
  streamer?: StreamerCallback | Streamer | null;
  /** Reuse the keys and values of earlier positions (default true): each new token costs one position. */
  useCache?: boolean;
}

/** Options resolved against the model and the prompt. */
export interface ResolvedGeneration {
  maxLength: number;
  minLength: number;
  doSample: boolean;
  temperature: number;
  topK: number;
  topP: number;
  repetitionPenalty: number;
  eosTokenIds: number[];
  padTokenId: number | null;
  useCache: boolean;
}

interface ModelDefaults {
  /** The model: notices that transformers repeats on every call are given once per model. */
  owner?: object;
  eosTokenId: number | number[] | null;
  padTokenId: number | null;
  /** generation_config.json, when the model came with one. */
  generationConfig: { [key: string]: unknown } | null;
}

const KNOWN_OPTIONS = [
  'maxLength',
  'maxNewTokens',
  'minLength',
  'minNewTokens',
  'doSample',
  'temperature',
  'topK',
  'topP',
  'repetitionPenalty',
  'eosTokenId',
  'padTokenId',
  'attentionMask',
  'seed',
  'generator',
  'streamer',
  'useCache',
];

/** Notices already given, per model. */
const noticed = new WeakMap<object, Set<string>>();

/** warn(), but once per model and key (without an owner: every time). */
function warnOnce(owner: object | undefined, key: string, message: string): void {
  if (owner !== undefined) {
    let seen = noticed.get(owner);
    if (!seen) noticed.set(owner, (seen = new Set()));
    if (seen.has(key)) return;
    seen.add(key);
  }
  warn(message);
}

/** The snake_case name transformers uses, for warnings that match its wording. */
const PY: Record<string, string> = {
  maxLength: 'max_length',
  maxNewTokens: 'max_new_tokens',
  temperature: 'temperature',
  topK: 'top_k',
  topP: 'top_p',
};

function intOption(name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
    fail('generate', `${name} must be an integer ≥ ${min}, got ${describe(v)}`);
  return v;
}

function tokenIds(name: string, v: unknown): number[] {
  const list = Array.isArray(v) ? v : [v];
  for (const x of list) {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0)
      fail('generate', `${name} must be a token id or a list of them, got ${describe(v)}`);
  }
  return list as number[];
}

/**
 * Checks the options and fills transformers' defaults, warning where transformers warns (and in
 * the cases where Python users get surprised without a warning).
 */
export function resolveGeneration(
  options: GenerateOptions,
  model: ModelDefaults,
  promptLength: number,
): ResolvedGeneration {
  if (typeof options !== 'object' || options === null)
    fail('generate', `options must be an object, got ${describe(options)}`);
  checkOptions('generate', options, KNOWN_OPTIONS);
  const gc = model.generationConfig ?? {};
  const doSample = options.doSample ?? false;
  if (typeof doSample !== 'boolean')
    fail('generate', `doSample must be true or false, got ${describe(doSample)}`);

  const temperature = options.temperature ?? 1;
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature < 0)
    fail('generate', `temperature must be a positive number, got ${describe(temperature)}`);
  if (doSample && temperature === 0)
    fail(
      'generate',
      'temperature (=0) has to be a strictly positive number when doSample is true, otherwise the next-token scores are invalid (division by zero). ' +
        'For the most likely token at every step use greedy decoding: doSample: false (and leave temperature unset).',
    );
  const topK = intOption('topK', options.topK ?? 50, 0);
  const topP = options.topP ?? 1;
  if (typeof topP !== 'number' || !(topP > 0 && topP <= 1))
    fail('generate', `topP must be a number in (0, 1], got ${describe(topP)}`);
  const repetitionPenalty = options.repetitionPenalty ?? 1;
  if (
    typeof repetitionPenalty !== 'number' ||
    !(repetitionPenalty > 0) ||
    !Number.isFinite(repetitionPenalty)
  )
    fail('generate', `repetitionPenalty must be a positive number, got ${describe(repetitionPenalty)}`);
  if (!doSample) {
    // transformers' wording: these only shape the sampling distribution.
    const unused: [keyof GenerateOptions, unknown, unknown][] = [
      ['temperature', options.temperature, 1],
      ['topP', options.topP, 1],
      ['topK', options.topK, 50],
    ];
    for (const [name, value, dflt] of unused) {
      if (value !== undefined && value !== dflt)
        warn(
          `generate: \`doSample\` is false (greedy decoding). However, \`${name}\` (${PY[name]}) is set to ${value} -- this flag is only used in sample-based generation modes. You should set \`doSample: true\` or unset \`${name}\`.`,
        );
    }
  }

  let maxLength: number;
  if (options.maxNewTokens !== undefined) {
    const n = intOption('maxNewTokens', options.maxNewTokens, 0);
    if (options.maxLength !== undefined)
      warn(
        `generate: both \`maxNewTokens\` (=${n}) and \`maxLength\` (=${options.maxLength}) are set; \`maxNewTokens\` takes precedence.`,
      );
    maxLength = promptLength + n;
  } else if (options.maxLength !== undefined) {
    maxLength = intOption('maxLength', options.maxLength, 0);
  } else if (typeof gc.max_length === 'number') {
    maxLength = gc.max_length;
  } else if (typeof gc.max_new_tokens === 'number') {
    maxLength = promptLength + gc.max_new_tokens;
  } else {
    maxLength = 20;
    warn(
      'generate: using the model-agnostic default `maxLength` (=20, prompt included) to control the generation length. We recommend setting `maxNewTokens` to control the maximum length of the generation.',
    );
  }
  let minLength = options.minLength === undefined ? 0 : intOption('minLength', options.minLength, 0);
  if (options.minNewTokens !== undefined)
    minLength = Math.max(minLength, promptLength + intOption('minNewTokens', options.minNewTokens, 0));

  const eosRaw =
    options.eosTokenId !== undefined ? options.eosTokenId : (gc.eos_token_id ?? model.eosTokenId);
  const eosTokenIds = eosRaw === null || eosRaw === undefined ? [] : tokenIds('eosTokenId', eosRaw);
  let padTokenId: number | null;
  const padRaw =
    options.padTokenId !== undefined ? options.padTokenId : (gc.pad_token_id ?? model.padTokenId);
  if (padRaw === null || padRaw === undefined) {
    padTokenId = eosTokenIds[0] ?? null;
    // transformers prints this on every call; once per model is enough to learn it.
    if (padTokenId !== null)
      warnOnce(
        model.owner,
        `pad=${padTokenId}`,
        `generate: setting \`padTokenId\` to \`eosTokenId\`:${padTokenId} for open-end generation.`,
      );
  } else {
    padTokenId = tokenIds('padTokenId', padRaw)[0]!;
  }
  const useCache = options.useCache ?? true;
  if (typeof useCache !== 'boolean')
    fail('generate', `useCache must be true or false, got ${describe(useCache)}`);
  return {
    maxLength,
    minLength,
    doSample,
    temperature,
    topK,
    topP,
    repetitionPenalty,
    eosTokenIds,
    padTokenId,
    useCache,
  };
}
