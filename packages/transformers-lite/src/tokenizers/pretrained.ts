import { checkOptions, type Tensor, tensor, warn as warnInChannel } from '@lumen/tensor';
import { HUB_OPTION_KEYS, type HubOptions } from '../hub/hub.js';
import { type AddedToken, addedTokenFromJSON } from './addedTokens.js';
import { CallableObject } from './callable.js';
import { type ChatMessage, checkMessages, renderChatTemplate } from './chatTemplate.js';
import { describe, fail, isObject, type JsonObject } from './config.js';
import { cleanUpTokenization } from './decoders/index.js';
import {
  hasFile,
  type LoadedFiles,
  loadTokenizerFiles,
  readJsonFile,
  readTextFile,
  type TokenizerSource,
  writeFilesAtomically,
} from './files.js';
import type { Encoding } from './postProcessors/index.js';
import { Tokenizer, type TruncationSide, type TruncationStrategy } from './tokenizer.js';

/** Python's names for addSpecialTokens' keys (`pad_token`), and camelCase ones (`padToken`), point at ours. */
const SPECIAL_KEY_ALIASES: Record<string, string> = {
  additional_special_tokens: 'additionalSpecialTokens',
  ...Object.fromEntries(
    (['bos', 'eos', 'unk', 'sep', 'pad', 'cls', 'mask'] as const).flatMap((r) => [
      [`${r}_token`, r],
      [`${r}Token`, r],
    ]),
  ),
};

/** transformers' stand-in for "no limit" when a model declares no maximum length. */
export const VERY_LARGE_INTEGER = 1e30;

export type SpecialTokenRole = 'bos' | 'eos' | 'unk' | 'sep' | 'pad' | 'cls' | 'mask';
const ROLES: readonly SpecialTokenRole[] = ['bos', 'eos', 'unk', 'sep', 'pad', 'cls', 'mask'];

export type PaddingOption = boolean | 'longest' | 'max_length' | 'do_not_pad';
export type TruncationOption = boolean | TruncationStrategy | 'do_not_truncate';
/** One input: a text, or a `[text, textPair]` pair. */
export type TextInput = string | readonly [string, string];

export interface EncodeOptions {
  textPair?: string;
  /** Add [CLS]/[SEP] and the like (default true). */
  addSpecialTokens?: boolean;
  truncation?: TruncationOption;
  maxLength?: number;
}

export interface CallOptions {
  /** Second text(s) of pairs: a string with a single text, an array as long as the batch. */
  textPair?: string | readonly string[];
  addSpecialTokens?: boolean;
  /** `true`/'longest': pad to the longest in the batch; 'max_length': to `maxLength` (or the model's). */
  padding?: PaddingOption;
  /** `true`/'longest_first': cut the longer of a pair first, one token at a time. */
  truncation?: TruncationOption;
  maxLength?: number;
  padToMultipleOf?: number;
  paddingSide?: 'left' | 'right';
  truncationSide?: TruncationSide;
  /** Return int32 Tensors of shape [batch, length] ('pt' is accepted, as in Python). */
  returnTensors?: boolean | 'pt';
  returnAttentionMask?: boolean;
  returnTokenTypeIds?: boolean;
  returnSpecialTokensMask?: boolean;
}

export interface DecodeOptions {
  skipSpecialTokens?: boolean;
  /** Remove spaces before punctuation and in contractions (default: the tokenizer's setting). */
  cleanUpTokenizationSpaces?: boolean;
}

export interface ChatTemplateOptions {
  addGenerationPrompt?: boolean;
  /** Return ids (default) or the rendered text (`tokenize: false`). */
  tokenize?: boolean;
  returnTensors?: boolean | 'pt';
  /** A template to use instead of the tokenizer's (or the name of one of its named templates). */
  chatTemplate?: string;
  /** Tool definitions and documents, passed to the template as `tools` / `documents`. */
  tools?: readonly unknown[];
  documents?: readonly unknown[];
  /** Further variables for the template. */
  templateVars?: Record<string, unknown>;
}

type ValueOf<O, A> = O extends { returnTensors: true | 'pt' } ? Tensor : A;
/** What calling a tokenizer returns; with `returnTensors` every field is an int32 Tensor [batch, length]. */
export type EncodingOutput<T, O = CallOptions> = { inputIds: T } & (O extends { returnAttentionMask: false }
  ? { attentionMask?: undefined }
  : { attentionMask: T }) &
  (O extends { returnTokenTypeIds: true }
    ? { tokenTypeIds: T }
    : O extends { returnTokenTypeIds: false }
      ? { tokenTypeIds?: undefined }
      : { tokenTypeIds?: T }) &
  (O extends { returnSpecialTokensMask: true }
    ? { specialTokensMask: T }
    : { specialTokensMask?: undefined });

// Calling a tokenizer, as in Python: `tok(text)`, `tok([a, b])`, `tok([[a, b]])`, `tok(a, { textPair: b })`.
export interface PreTrainedTokenizer {
  // biome-ignore lint/complexity/noBannedTypes: `{}` means "no options given"
  <const O extends CallOptions = {}>(text: string, opts?: O): EncodingOutput<ValueOf<O, number[]>, O>;
  // biome-ignore lint/complexity/noBannedTypes: `{}` means "no options given"
  <const O extends CallOptions = {}>(
    texts: readonly TextInput[],
    opts?: O,
  ): EncodingOutput<ValueOf<O, number[][]>, O>;
}

interface ResolvedCall {
  padding: 'none' | 'longest' | 'max_length';
  truncation: TruncationStrategy | null;
  maxLength: number | undefined;
}

/**
 * A ready-to-use tokenizer (transformers' `PreTrainedTokenizerFast`): the tokenizer.json pipeline
 * plus tokenizer_config.json's special tokens, maximum length, padding side and chat template.
 * Instances are callable: `tok(texts, { padding: true, truncation: true, returnTensors: true })`.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: see the interface above
export class PreTrainedTokenizer extends CallableObject {
  /** The name transformers gives this class in tokenizer_config.json. */
  static readonly pythonClassName: string = 'PreTrainedTokenizerFast';
  /** Special tokens a class assumes when the config names none. */
  protected static readonly defaultSpecialTokens: Partial<Record<SpecialTokenRole, string>> = {};
  protected static readonly defaultModelInputNames: readonly string[] = [
    'input_ids',
    'token_type_ids',
    'attention_mask',
  ];
  protected static readonly defaultCleanUpTokenizationSpaces: boolean = false;

  /** The five-stage pipeline (transformers' `backend_tokenizer`). */
  readonly backendTokenizer: Tokenizer;
  modelMaxLength: number;
  paddingSide: 'left' | 'right';
  truncationSide: TruncationSide;
  readonly modelInputNames: readonly string[];
  cleanUpTokenizationSpaces: boolean;
  /** The Jinja chat template (or named templates) from tokenizer_config.json, if any. */
  chatTemplate: string | Record<string, string> | null;
  private readonly specialTokens = new Map<SpecialTokenRole, string>();
  private additional: string[] = [];
  /** Config entries this class does not interpret, written back by savePretrained. */
  private readonly extraConfig: JsonObject;
  private readonly warned = new Set<string>();

  constructor(tokenizer: Tokenizer, config: JsonObject = {}) {
    super();
    if (!(tokenizer instanceof Tokenizer))
      fail(new.target.name, `expected a Tokenizer, got ${describe(tokenizer)}`);
    if (!isObject(config))
      fail(new.target.name, `config must be an object (tokenizer_config.json), got ${describe(config)}`);
    const cls = this.constructor as typeof PreTrainedTokenizer;
    this.backendTokenizer = tokenizer;
    const where = 'tokenizer_config.json';
    const num = (key: string, dflt: number): number => {
      const v = config[key];
      if (v === undefined || v === null) return dflt;
      if (typeof v !== 'number' || v <= 0)
        fail(where, `"${key}" must be a positive number, got ${describe(v)}`);
      return v;
    };
    const side = (key: string): 'left' | 'right' => {
      const v = config[key] ?? 'right';
      if (v !== 'left' && v !== 'right')
        fail(where, `"${key}" must be "left" or "right", got ${describe(v)}`);
      return v;
    };
    this.modelMaxLength = num('model_max_length', VERY_LARGE_INTEGER);
    this.paddingSide = side('padding_side');
    this.truncationSide = side('truncation_side');
    const names = config.model_input_names;
    this.modelInputNames = Array.isArray(names) ? (names as string[]) : cls.defaultModelInputNames;
    const cleanUp = config.clean_up_tokenization_spaces;
    this.cleanUpTokenizationSpaces =
      typeof cleanUp === 'boolean' ? cleanUp : cls.defaultCleanUpTokenizationSpaces;
    this.chatTemplate = readChatTemplate(config.chat_template);

    for (const role of ROLES) {
      const key = `${role}_token`;
      const v =
        key in config
          ? tokenContent(config[key], `${where} "${key}"`)
          : (cls.defaultSpecialTokens[role] ?? null);
      if (v !== null) this.specialTokens.set(role, v);
    }
    const extra = config.additional_special_tokens;
    if (Array.isArray(extra))
      this.additional = extra.map((t, i) => tokenContent(t, `${where} additional_special_tokens[${i}]`)!);
    // Every special token must be matched whole in text and skipped by decode({ skipSpecialTokens }).
    const specials = [...this.specialTokens.values(), ...this.additional];
    const known = new Set(tokenizer.addedTokens.map((t) => t.content));
    const missing = specials.filter((t) => !known.has(t));
    if (missing.length)
      tokenizer.addTokens(
        missing.map((content) => ({ content, special: true, normalized: false })),
        true,
      );

    const managed = new Set([
      ...ROLES.map((r) => `${r}_token`),
      'additional_special_tokens',
      'model_max_length',
      'padding_side',
      'truncation_side',
      'clean_up_tokenization_spaces',
      'chat_template',
      'added_tokens_decoder',
      'tokenizer_class',
      'model_input_names',
    ]);
    this.extraConfig = Object.fromEntries(Object.entries(config).filter(([k]) => !managed.has(k)));
  }

  /**
   * Loads from a Hub model id (downloaded into the Hugging Face cache; see HubOptions), a local
   * folder (or `{ files }`): tokenizer.json when present, else the class's older layout.
   */
  static async fromPretrained<T extends typeof PreTrainedTokenizer>(
    this: T,
    source: TokenizerSource,
    options: HubOptions = {},
  ): Promise<InstanceType<T>> {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass called (BertTokenizer.fromPretrained)
    const op = `${this.name}.fromPretrained`;
    // transformers' from_pretrained keywords (use_fast, padding_side…) are refused, not ignored:
    // set tok.paddingSide and the like on the loaded tokenizer.
    checkOptions(op, options, HUB_OPTION_KEYS);
    const files = await loadTokenizerFiles(source, op, options);
    // biome-ignore lint/complexity/noThisInStatic: as above
    return this.fromFiles(files) as InstanceType<T>;
  }

  /** Builds from already loaded files; subclasses add their older layouts. */
  static fromFiles<T extends typeof PreTrainedTokenizer>(this: T, files: LoadedFiles): InstanceType<T> {
    const config = loadConfig(files);
    const json = readJsonFile(files, 'tokenizer.json');
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass called, which knows its older layouts
    const tokenizer = json ? tokenizerFromJSON(json, files) : this.fromLegacyFiles(files, config);
    return new this(tokenizer, config) as InstanceType<T>;
  }

  /** The pipeline for folders without tokenizer.json. */
  protected static fromLegacyFiles(files: LoadedFiles, _config: JsonObject): Tokenizer {
    fail('PreTrainedTokenizer.fromPretrained', `${files.where} has no tokenizer.json`);
  }

  // ---- special tokens -------------------------------------------------------------------------

  getSpecialToken(role: SpecialTokenRole): string | null {
    return this.specialTokens.get(role) ?? null;
  }
  /** Sets a special token role (`tok.setSpecialToken('pad', tok.eosToken)`), adding the token if new. */
  setSpecialToken(role: SpecialTokenRole, token: string | null): void {
    if (!ROLES.includes(role))
      fail('setSpecialToken', `role must be one of ${ROLES.join(', ')}, got ${describe(role)}`);
    if (token === null) {
      this.specialTokens.delete(role);
      return;
    }
    if (typeof token !== 'string' || token.length === 0)
      fail('setSpecialToken', `token must be a non-empty string or null, got ${describe(token)}`);
    this.backendTokenizer.addTokens([{ content: token, special: true, normalized: false }], true);
    this.specialTokens.set(role, token);
  }
  private specialId(role: SpecialTokenRole): number | null {
    const t = this.specialTokens.get(role);
    return t === undefined ? null : (this.backendTokenizer.tokenToId(t) ?? null);
  }

  get bosToken(): string | null {
    return this.getSpecialToken('bos');
  }
  get eosToken(): string | null {
    return this.getSpecialToken('eos');
  }
  get unkToken(): string | null {
    return this.getSpecialToken('unk');
  }
  get sepToken(): string | null {
    return this.getSpecialToken('sep');
  }
  get padToken(): string | null {
    return this.getSpecialToken('pad');
  }
  set padToken(token: string | null) {
    this.setSpecialToken('pad', token);
  }
  get clsToken(): string | null {
    return this.getSpecialToken('cls');
  }
  get maskToken(): string | null {
    return this.getSpecialToken('mask');
  }
  get bosTokenId(): number | null {
    return this.specialId('bos');
  }
  get eosTokenId(): number | null {
    return this.specialId('eos');
  }
  get unkTokenId(): number | null {
    return this.specialId('unk');
  }
  get sepTokenId(): number | null {
    return this.specialId('sep');
  }
  get padTokenId(): number | null {
    return this.specialId('pad');
  }
  get clsTokenId(): number | null {
    return this.specialId('cls');
  }
  get maskTokenId(): number | null {
    return this.specialId('mask');
  }
  get additionalSpecialTokens(): readonly string[] {
    return this.additional;
  }
  /** Every special token: the roles' tokens, the additional ones, and added tokens marked special. */
  get allSpecialTokens(): string[] {
    const all = new Set([...this.specialTokens.values(), ...this.additional]);
    for (const t of this.backendTokenizer.addedTokens) if (t.special) all.add(t.content);
    return [...all];
  }
  get allSpecialIds(): number[] {
    return this.allSpecialTokens.map((t) => this.backendTokenizer.tokenToId(t)!);
  }

  /** Adds ordinary tokens (matched whole in text); returns how many were new to the vocabulary. */
  addTokens(tokens: string | readonly string[]): number {
    const list = typeof tokens === 'string' ? [tokens] : tokens;
    if (!Array.isArray(list) || list.some((t) => typeof t !== 'string')) {
      fail('addTokens', `tokens must be a string or an array of strings, got ${describe(tokens)}`);
    }
    return this.backendTokenizer.addTokens(list);
  }

  /**
   * transformers' add_special_tokens: sets special token roles (`{ pad: '[PAD]' }`) and/or extra
   * special tokens (`{ additionalSpecialTokens: ['<ent>'] }`, Python's `additional_special_tokens`;
   * `additional` is the older name). Returns how many tokens were new to the vocabulary: grow the
   * model with `model.resizeTokenEmbeddings(tok.length)`. As in transformers, the given list
   * replaces the additional special tokens (the old ones stay in the vocabulary, still special);
   * `{ replaceAdditionalSpecialTokens: false }` appends to it instead.
   */
  addSpecialTokens(
    tokens: Partial<Record<SpecialTokenRole, string>> & {
      additionalSpecialTokens?: readonly string[];
      /** The older name of additionalSpecialTokens. */
      additional?: readonly string[];
    },
    options: { replaceAdditionalSpecialTokens?: boolean } = {},
  ): number {
    const op = 'addSpecialTokens';
    if (!isObject(tokens))
      fail(
        op,
        `expected an object like { pad: '[PAD]', additionalSpecialTokens: [...] }, got ${describe(tokens)}`,
      );
    checkOptions(op, tokens, [...ROLES, 'additionalSpecialTokens', 'additional'], SPECIAL_KEY_ALIASES);
    checkOptions(op, options, ['replaceAdditionalSpecialTokens']);
    const replace = options.replaceAdditionalSpecialTokens ?? true;
    if (typeof replace !== 'boolean')
      fail(op, `replaceAdditionalSpecialTokens must be true or false, got ${describe(replace)}`);
    if (tokens.additional !== undefined && tokens.additionalSpecialTokens !== undefined)
      fail(op, 'give additionalSpecialTokens or its older name additional, not both');
    const before = this.backendTokenizer.vocabSize;
    for (const [key, value] of Object.entries(tokens)) {
      if (value === undefined) continue;
      if (key === 'additional' || key === 'additionalSpecialTokens') {
        const list = value as unknown;
        if (!Array.isArray(list) || list.some((t) => typeof t !== 'string' || t.length === 0))
          fail(op, `${key} must be an array of non-empty strings, got ${describe(list)}`);
        this.backendTokenizer.addTokens(
          list.map((content: string) => ({ content, special: true, normalized: false })),
          true,
        );
        const fresh = [...new Set(list as string[])];
        this.additional = replace
          ? fresh
          : [...this.additional, ...fresh.filter((t) => !this.additional.includes(t))];
      } else this.setSpecialToken(key as SpecialTokenRole, value as string);
    }
    return this.backendTokenizer.vocabSize - before;
  }

  // ---- vocabulary -----------------------------------------------------------------------------

  /** Size of the base vocabulary (transformers' `vocab_size`, without added tokens). */
  get vocabSize(): number {
    return this.backendTokenizer.model.vocabSize;
  }
  /** Size including added tokens (Python's `len(tokenizer)`). */
  get length(): number {
    return this.backendTokenizer.vocabSize;
  }
  getVocab(): Map<string, number> {
    return this.backendTokenizer.getVocab();
  }

  convertTokensToIds(token: string): number;
  convertTokensToIds(tokens: readonly string[]): number[];
  convertTokensToIds(tokens: string | readonly string[]): number | number[] {
    const one = (t: unknown): number => {
      if (typeof t !== 'string') fail('convertTokensToIds', `tokens must be strings, got ${describe(t)}`);
      const id = this.backendTokenizer.tokenToId(t) ?? this.unkTokenId;
      if (id === null)
        fail('convertTokensToIds', `${JSON.stringify(t)} is not in the vocabulary and there is no unk token`);
      return id;
    };
    if (typeof tokens === 'string') return one(tokens);
    if (!Array.isArray(tokens))
      fail('convertTokensToIds', `expected a string or an array of strings, got ${describe(tokens)}`);
    return tokens.map(one);
  }

  convertIdsToTokens(id: number, opts?: { skipSpecialTokens?: boolean }): string;
  convertIdsToTokens(ids: readonly number[], opts?: { skipSpecialTokens?: boolean }): string[];
  convertIdsToTokens(
    ids: number | readonly number[],
    opts: { skipSpecialTokens?: boolean } = {},
  ): string | string[] {
    const one = (id: unknown): string => {
      const t = typeof id === 'number' ? this.backendTokenizer.idToToken(id) : undefined;
      if (t === undefined)
        fail('convertIdsToTokens', `id ${describe(id)} is not in the vocabulary (size ${this.length})`);
      return t;
    };
    checkOptions('convertIdsToTokens', opts, ['skipSpecialTokens']);
    if (typeof ids === 'number') return one(ids);
    if (!Array.isArray(ids))
      fail('convertIdsToTokens', `expected a number or an array of numbers, got ${describe(ids)}`);
    const keep = opts.skipSpecialTokens ? ids.filter((id) => !this.backendTokenizer.isSpecialId(id)) : ids;
    return keep.map(one);
  }

  // ---- encoding -------------------------------------------------------------------------------

  /** The tokens of a text (no special tokens unless asked). */
  tokenize(text: string, opts: { textPair?: string; addSpecialTokens?: boolean } = {}): string[] {
    checkText(text, 'tokenize', 'text');
    checkOptions('tokenize', opts, ['textPair', 'addSpecialTokens']);
    if (opts.textPair !== undefined) checkText(opts.textPair, 'tokenize', 'textPair');
    return this.backendTokenizer.encode(text, opts.textPair ?? null, {
      addSpecialTokens: opts.addSpecialTokens ?? false,
    }).tokens;
  }

  /** The ids of a text (or pair), with special tokens by default. */
  encode(text: string, opts: EncodeOptions = {}): number[] {
    checkText(text, 'encode', 'text');
    checkOptions('encode', opts, ['textPair', 'addSpecialTokens', 'truncation', 'maxLength']);
    if (opts.textPair !== undefined) checkText(opts.textPair, 'encode', 'textPair');
    const r = this.resolve({ ...opts, padding: false }, 'encode');
    return this.encodeOne(text, opts.textPair ?? null, opts.addSpecialTokens ?? true, r, opts, false).ids;
  }

  /** `tok(texts, opts)`: see the call signatures. */
  invoke(
    text: string | readonly TextInput[],
    opts: CallOptions = {},
  ): EncodingOutput<number[] | number[][] | Tensor> {
    const op = 'tokenizer(text)';
    if (typeof opts !== 'object' || opts === null || Array.isArray(opts))
      fail(op, `options must be an object, got ${describe(opts)}`);
    checkOptions(op, opts, CALL_KEYS);
    const single = typeof text === 'string';
    const inputs = toPairs(text, opts.textPair, op);
    const r = this.resolve(opts, op);
    const addSpecial = opts.addSpecialTokens ?? true;
    const encodings = inputs.map(([a, b]) => this.encodeOne(a, b, addSpecial, r, opts, false));
    this.pad(encodings, r, opts);

    const wantMask = opts.returnAttentionMask ?? this.modelInputNames.includes('attention_mask');
    const wantTypes = opts.returnTokenTypeIds ?? this.modelInputNames.includes('token_type_ids');
    const fields: [keyof EncodingOutput<unknown>, (e: PaddedEncoding) => number[]][] = [
      ['inputIds', (e) => e.ids],
    ];
    if (wantMask) fields.push(['attentionMask', (e) => e.attentionMask]);
    if (wantTypes) fields.push(['tokenTypeIds', (e) => e.typeIds]);
    if (opts.returnSpecialTokensMask) fields.push(['specialTokensMask', (e) => e.specialTokensMask]);

    const out: Record<string, unknown> = {};
    const tensors = opts.returnTensors === true || opts.returnTensors === 'pt';
    if (
      opts.returnTensors !== undefined &&
      typeof opts.returnTensors !== 'boolean' &&
      opts.returnTensors !== 'pt'
    ) {
      fail(op, `returnTensors must be true, false or 'pt', got ${describe(opts.returnTensors)}`);
    }
    if (tensors) {
      const lengths = new Set(encodings.map((e) => e.ids.length));
      if (lengths.size > 1) {
        fail(
          op,
          `returnTensors needs sequences of one length, got lengths ${[...lengths].join(', ')}: pass padding: true (and truncation: true for texts longer than the model allows)`,
        );
      }
      const length = encodings[0]?.ids.length ?? 0;
      for (const [name, get] of fields) {
        const flat = new Int32Array(encodings.length * length);
        encodings.forEach((e, i) => {
          flat.set(get(e), i * length);
        });
        out[name] = tensor(flat, { dtype: 'int32', shape: [encodings.length, length] });
      }
    } else {
      for (const [name, get] of fields) out[name] = single ? get(encodings[0]!) : encodings.map(get);
    }
    return out as EncodingOutput<number[] | number[][] | Tensor>;
  }

  private resolve(opts: CallOptions | EncodeOptions, op: string): ResolvedCall {
    const padOpt = 'padding' in opts ? opts.padding : false;
    let padding: ResolvedCall['padding'];
    if (padOpt === undefined || padOpt === false || padOpt === 'do_not_pad') padding = 'none';
    else if (padOpt === true || padOpt === 'longest') padding = 'longest';
    else if (padOpt === 'max_length') padding = 'max_length';
    else
      fail(
        op,
        `padding must be true, false, 'longest', 'max_length' or 'do_not_pad', got ${describe(padOpt)}`,
      );

    let maxLength = opts.maxLength;
    if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < 0)) {
      fail(op, `maxLength must be a non-negative integer, got ${describe(maxLength)}`);
    }
    let trOpt = opts.truncation;
    if (trOpt === undefined && maxLength !== undefined && padding === 'none') {
      this.warnOnce(
        'truncation-defaulted',
        "Truncation was not explicitly activated but `maxLength` is provided a specific value, please use `truncation: true` to explicitly truncate examples to max length. Defaulting to 'longest_first' truncation strategy.",
      );
      trOpt = 'longest_first';
    }
    let truncation: TruncationStrategy | null;
    if (trOpt === undefined || trOpt === false || trOpt === 'do_not_truncate') truncation = null;
    else if (trOpt === true) truncation = 'longest_first';
    else if (trOpt === 'longest_first' || trOpt === 'only_first' || trOpt === 'only_second')
      truncation = trOpt;
    else
      fail(
        op,
        `truncation must be true, false, 'longest_first', 'only_first', 'only_second' or 'do_not_truncate', got ${describe(trOpt)}`,
      );

    if (maxLength === undefined) {
      const noLimit = this.modelMaxLength >= VERY_LARGE_INTEGER;
      if (padding === 'max_length') {
        if (noLimit) {
          this.warnOnce(
            'pad-no-max',
            'Asking to pad to max_length but no maximum length is provided and the model has no predefined maximum length. Default to no padding.',
          );
          padding = 'none';
        } else maxLength = this.modelMaxLength;
      }
      if (truncation !== null) {
        if (noLimit) {
          this.warnOnce(
            'truncate-no-max',
            'Asking to truncate to max_length but no maximum length is provided and the model has no predefined maximum length. Default to no truncation.',
          );
          truncation = null;
        } else maxLength = this.modelMaxLength;
      }
    }
    if (padding !== 'none' && this.padTokenId === null) {
      fail(
        op,
        "asking to pad but the tokenizer has no padding token: set one, e.g. tok.padToken = tok.eosToken, or tok.addSpecialTokens({ pad: '[PAD]' })",
      );
    }
    const multiple = 'padToMultipleOf' in opts ? opts.padToMultipleOf : undefined;
    if (multiple !== undefined && (!Number.isInteger(multiple) || multiple <= 0))
      fail(op, `padToMultipleOf must be a positive integer, got ${describe(multiple)}`);
    if (
      truncation !== null &&
      padding === 'max_length' &&
      multiple !== undefined &&
      maxLength! % multiple !== 0
    ) {
      fail(
        op,
        `truncation and padding to maxLength ${maxLength} need maxLength to be a multiple of padToMultipleOf (${multiple})`,
      );
    }
    return { padding, truncation, maxLength };
  }

  private encodeOne(
    a: string,
    b: string | null,
    addSpecialTokens: boolean,
    r: ResolvedCall,
    opts: CallOptions | EncodeOptions,
    withTokens: boolean,
  ): Encoding {
    const side = ('truncationSide' in opts ? opts.truncationSide : undefined) ?? this.truncationSide;
    const truncation =
      r.truncation && r.maxLength !== undefined
        ? { maxLength: r.maxLength, strategy: r.truncation, side }
        : null;
    const e = this.backendTokenizer.encode(a, b, { addSpecialTokens, truncation, withTokens });
    if (r.maxLength === undefined && e.ids.length > this.modelMaxLength) {
      this.warnOnce(
        'sequence-too-long',
        `Token indices sequence length is longer than the specified maximum sequence length for this model (${e.ids.length} > ${this.modelMaxLength}). Running this sequence through the model will result in indexing errors`,
      );
    }
    return e;
  }

  private pad(
    encodings: Encoding[],
    r: ResolvedCall,
    opts: CallOptions,
  ): asserts encodings is PaddedEncoding[] {
    for (const e of encodings) (e as PaddedEncoding).attentionMask = new Array(e.ids.length).fill(1);
    if (r.padding === 'none') return;
    let target = r.maxLength ?? 0;
    if (r.padding === 'longest') {
      target = 0; // a loop, not Math.max(...lengths): a spread of a large batch overflows the stack
      for (const e of encodings) target = Math.max(target, e.ids.length);
    }
    const multiple = opts.padToMultipleOf;
    if (multiple !== undefined && target % multiple !== 0) target += multiple - (target % multiple);
    const side = opts.paddingSide ?? this.paddingSide;
    if (side !== 'left' && side !== 'right')
      fail('tokenizer(text)', `paddingSide must be 'left' or 'right', got ${describe(side)}`);
    const padId = this.padTokenId!;
    const padToken = this.padToken!;
    for (const e of encodings as PaddedEncoding[]) {
      const n = target - e.ids.length;
      if (n <= 0) continue;
      const fill = <T>(xs: T[], v: T) => {
        const pad = new Array<T>(n).fill(v);
        return side === 'right' ? xs.concat(pad) : pad.concat(xs);
      };
      e.ids = fill(e.ids, padId);
      e.tokens = fill(e.tokens, padToken);
      e.typeIds = fill(e.typeIds, 0);
      e.specialTokensMask = fill(e.specialTokensMask, 1);
      e.attentionMask = fill(e.attentionMask, 0);
    }
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    warnInChannel('UserWarning', message);
  }

  // ---- decoding -------------------------------------------------------------------------------

  /** Ids (an array or a 1-D int Tensor) back to text. */
  decode(ids: readonly number[] | Tensor, opts: DecodeOptions = {}): string {
    checkOptions('decode', opts, DECODE_KEYS);
    const list = idList(ids, 'decode');
    const text = this.backendTokenizer.decode(list, opts.skipSpecialTokens ?? false);
    return (opts.cleanUpTokenizationSpaces ?? this.cleanUpTokenizationSpaces)
      ? cleanUpTokenization(text)
      : text;
  }

  /** Each row (arrays, or a 2-D Tensor such as generate()'s output) back to text. */
  batchDecode(sequences: readonly (readonly number[])[] | Tensor, opts: DecodeOptions = {}): string[] {
    checkOptions('batchDecode', opts, DECODE_KEYS);
    if (Array.isArray(sequences)) return sequences.map((s) => this.decode(s, opts));
    const t = sequences as Tensor;
    if (!t || typeof t !== 'object' || !('shape' in t) || t.shape.length !== 2) {
      fail('batchDecode', `expected an array of id arrays or a 2-D Tensor, got ${describe(sequences)}`);
    }
    const data = Array.from(readIds(t, 'batchDecode'));
    const [rows, cols] = t.shape as [number, number];
    return Array.from({ length: rows }, (_, i) => this.decode(data.slice(i * cols, (i + 1) * cols), opts));
  }

  // ---- chat templates -------------------------------------------------------------------------

  /** Renders `messages` with the tokenizer's Jinja chat template; ids by default, text with `tokenize: false`. */
  applyChatTemplate(
    messages: readonly ChatMessage[],
    opts: ChatTemplateOptions & { tokenize: false },
  ): string;
  applyChatTemplate(
    messages: readonly ChatMessage[],
    opts: ChatTemplateOptions & { returnTensors: true | 'pt' },
  ): Tensor;
  applyChatTemplate(messages: readonly ChatMessage[], opts?: ChatTemplateOptions): number[];
  applyChatTemplate(
    messages: readonly ChatMessage[],
    opts: ChatTemplateOptions = {},
  ): string | number[] | Tensor {
    const op = 'applyChatTemplate';
    checkMessages(messages, op);
    checkOptions(op, opts, [
      'addGenerationPrompt',
      'tokenize',
      'returnTensors',
      'chatTemplate',
      'tools',
      'documents',
      'templateVars',
    ]);
    const source = this.pickChatTemplate(opts.chatTemplate, op);
    const specials: Record<string, string> = {};
    for (const [role, token] of this.specialTokens) specials[`${role}_token`] = token;
    const text = renderChatTemplate(
      source,
      {
        ...specials,
        additional_special_tokens: this.additional,
        ...(opts.templateVars ?? {}),
        messages,
        tools: opts.tools,
        documents: opts.documents,
        add_generation_prompt: opts.addGenerationPrompt ?? false,
      },
      op,
    );
    if (opts.tokenize === false) return text;
    // The template already wrote the special tokens it wants.
    const ids = this.encode(text, { addSpecialTokens: false });
    return opts.returnTensors === true || opts.returnTensors === 'pt'
      ? tensor(Int32Array.from(ids), { dtype: 'int32', shape: [1, ids.length] })
      : ids;
  }

  private pickChatTemplate(requested: string | undefined, op: string): string {
    const own = this.chatTemplate;
    if (requested !== undefined) {
      if (typeof requested !== 'string')
        fail(op, `chatTemplate must be a string, got ${describe(requested)}`);
      if (own && typeof own === 'object' && requested in own) return own[requested]!;
      return requested;
    }
    if (typeof own === 'string') return own;
    if (own && typeof own === 'object') {
      if (own.default !== undefined) return own.default;
      fail(
        op,
        `this tokenizer has several chat templates (${Object.keys(own).join(', ')}) and none named "default": pass { chatTemplate: name }`,
      );
    }
    fail(
      op,
      'this tokenizer has no chat template (no "chat_template" in tokenizer_config.json, no chat_template.jinja): set tok.chatTemplate or pass { chatTemplate }',
    );
  }

  // ---- saving ---------------------------------------------------------------------------------

  /** Writes tokenizer.json, tokenizer_config.json and special_tokens_map.json (each atomically); returns the paths. */
  async savePretrained(dir: string, options: Record<string, never> = {}): Promise<string[]> {
    checkOptions(`${this.constructor.name}.savePretrained`, options, []);
    const cls = this.constructor as typeof PreTrainedTokenizer;
    const specialsMap: JsonObject = {};
    for (const [role, token] of this.specialTokens) specialsMap[`${role}_token`] = token;
    if (this.additional.length) specialsMap.additional_special_tokens = this.additional;
    const addedTokensDecoder: JsonObject = {};
    for (const t of [...this.backendTokenizer.addedTokens].sort((a, b) => a.id - b.id)) {
      addedTokensDecoder[String(t.id)] = {
        content: t.content,
        lstrip: t.lstrip,
        normalized: t.normalized,
        rstrip: t.rstrip,
        single_word: t.singleWord,
        special: t.special,
      };
    }
    const config: JsonObject = {
      ...this.extraConfig,
      added_tokens_decoder: addedTokensDecoder,
      ...specialsMap,
      clean_up_tokenization_spaces: this.cleanUpTokenizationSpaces,
      model_max_length: this.modelMaxLength,
      padding_side: this.paddingSide,
      truncation_side: this.truncationSide,
      tokenizer_class: cls.pythonClassName,
    };
    if (this.chatTemplate !== null) config.chat_template = this.chatTemplate;
    const pretty = (x: unknown) => `${JSON.stringify(x, null, 2)}\n`;
    return writeFilesAtomically(
      dir,
      {
        'tokenizer.json': pretty(this.backendTokenizer.toJSON()),
        'tokenizer_config.json': pretty(config),
        'special_tokens_map.json': pretty(specialsMap),
      },
      'savePretrained',
    );
  }
}

type PaddedEncoding = Encoding & { attentionMask: number[] };

/** The keys of CallOptions (what `tok(text, opts)` accepts). */
const CALL_KEYS = [
  'textPair',
  'addSpecialTokens',
  'padding',
  'truncation',
  'maxLength',
  'padToMultipleOf',
  'paddingSide',
  'truncationSide',
  'returnTensors',
  'returnAttentionMask',
  'returnTokenTypeIds',
  'returnSpecialTokensMask',
];
const DECODE_KEYS = ['skipSpecialTokens', 'cleanUpTokenizationSpaces'];

function checkText(text: unknown, op: string, name: string): asserts text is string {
  if (typeof text !== 'string') fail(op, `${name} must be a string, got ${describe(text)}`);
}

function toPairs(text: unknown, textPair: unknown, op: string): [string, string | null][] {
  if (typeof text === 'string') {
    if (textPair !== undefined && typeof textPair !== 'string')
      fail(op, `with a single text, textPair must be a string, got ${describe(textPair)}`);
    return [[text, (textPair as string | undefined) ?? null]];
  }
  if (!Array.isArray(text)) {
    fail(
      op,
      `text must be a string, an array of strings, or an array of [text, textPair] pairs, got ${describe(text)}`,
    );
  }
  if (textPair !== undefined && (!Array.isArray(textPair) || textPair.length !== text.length)) {
    fail(
      op,
      `with ${text.length} texts, textPair must be an array of ${text.length} strings, got ${describe(textPair)}`,
    );
  }
  return text.map((item: unknown, i): [string, string | null] => {
    if (typeof item === 'string') {
      const pair = textPair ? (textPair as unknown[])[i] : null;
      if (pair !== null && typeof pair !== 'string')
        fail(op, `textPair[${i}] must be a string, got ${describe(pair)}`);
      return [item, pair as string | null];
    }
    if (
      Array.isArray(item) &&
      item.length === 2 &&
      typeof item[0] === 'string' &&
      typeof item[1] === 'string'
    ) {
      if (textPair !== undefined)
        fail(op, `give pairs either as [text, textPair] items or with the textPair option, not both`);
      return [item[0], item[1]];
    }
    return fail(
      op,
      `text[${i}] must be a string or a [text, textPair] pair of strings, got ${describe(item)}`,
    );
  });
}

function readIds(t: Tensor, op: string): ArrayLike<number> {
  if (t.dtype !== 'int32') fail(op, `ids tensor must be int32, got ${t.dtype}`);
  return t.dataSync() as Int32Array;
}

function idList(ids: unknown, op: string): number[] {
  if (Array.isArray(ids)) {
    for (const id of ids) if (!Number.isInteger(id)) fail(op, `ids must be integers, got ${describe(id)}`);
    return ids as number[];
  }
  if (ids && typeof ids === 'object' && 'shape' in ids && 'dtype' in ids) {
    const t = ids as Tensor;
    if (t.shape.length !== 1)
      fail(op, `expected a 1-D ids tensor, got shape [${t.shape.join(', ')}] (use batchDecode for 2-D)`);
    return Array.from(readIds(t, op));
  }
  fail(op, `ids must be an array of integers or a 1-D int32 Tensor, got ${describe(ids)}`);
}

function tokenContent(v: unknown, where: string): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.content === 'string') return v.content;
  fail(where, `must be a string or { content: string }, got ${describe(v)}`);
}

function readChatTemplate(v: unknown): string | Record<string, string> | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  // Several named templates: [{ name, template }, ...]
  if (Array.isArray(v)) {
    const out: Record<string, string> = {};
    v.forEach((entry, i) => {
      if (!isObject(entry) || typeof entry.name !== 'string' || typeof entry.template !== 'string') {
        fail(
          'tokenizer_config.json',
          `chat_template[${i}] must be { name, template }, got ${describe(entry)}`,
        );
      }
      out[entry.name] = entry.template;
    });
    return out;
  }
  fail(
    'tokenizer_config.json',
    `"chat_template" must be a string or a list of { name, template }, got ${describe(v)}`,
  );
}

/** tokenizer_config.json, with special_tokens_map.json and chat_template.jinja filling what it lacks. */
export function loadConfig(files: LoadedFiles): JsonObject {
  const config: JsonObject = { ...(readJsonFile(files, 'tokenizer_config.json') ?? {}) };
  const map = readJsonFile(files, 'special_tokens_map.json');
  if (map)
    for (const [k, v] of Object.entries(map))
      if (config[k] === undefined || config[k] === null) config[k] = v;
  const jinja = readTextFile(files, 'chat_template.jinja');
  if (jinja !== undefined && config.chat_template === undefined) config.chat_template = jinja;
  return config;
}

function tokenizerFromJSON(json: JsonObject, files: LoadedFiles): Tokenizer {
  try {
    return Tokenizer.fromJSON(json);
  } catch (e) {
    (e as Error).message = `tokenizer.json (in ${files.where}): ${(e as Error).message}`;
    throw e;
  }
}

/** Added tokens a tokenizer_config.json declares (`added_tokens_decoder`) and added_tokens.json lists. */
export function legacyAddedTokens(files: LoadedFiles, config: JsonObject): AddedToken[] {
  const out: AddedToken[] = [];
  const decoder = config.added_tokens_decoder;
  if (isObject(decoder)) {
    for (const [id, entry] of Object.entries(decoder)) {
      out.push(
        addedTokenFromJSON(
          { ...(entry as JsonObject), id: Number(id) },
          `tokenizer_config.json added_tokens_decoder[${id}]`,
        ),
      );
    }
  }
  const extra = readJsonFile(files, 'added_tokens.json');
  if (extra) {
    for (const [content, id] of Object.entries(extra)) {
      if (typeof id !== 'number')
        fail(
          `added_tokens.json (in ${files.where})`,
          `${JSON.stringify(content)} must map to an id, got ${describe(id)}`,
        );
      if (!out.some((t) => t.content === content))
        out.push(addedTokenFromJSON({ id, content, special: false }, 'added_tokens.json'));
    }
  }
  return out;
}

export { hasFile };
