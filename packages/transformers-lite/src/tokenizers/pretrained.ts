import { checkOptions, type Tensor } from '@lumen/tensor';
import { HUB_OPTION_KEYS, type HubOptions } from '../hub/hub.js';
import { CallableObject } from './callable.js';
import { applyChatTemplate, type ChatMessage, type ChatTemplateOptions } from './chatTemplate.js';
import { describe, fail, isObject, type JsonObject } from './config.js';
import { batchDecodeIds, type DecodeOptions, decodeIds, idsToTokens } from './decoding.js';
import {
  type CallOptions,
  type EncodeOptions,
  Encoder,
  type EncodingOutput,
  type TextInput,
  type ValueOf,
} from './encoding.js';
import { type LoadedFiles, loadTokenizerFiles, readJsonFile, type TokenizerSource } from './files.js';
import { extraConfig, loadConfig, readSettings, saveTokenizerFiles, tokenizerFromJSON } from './io.js';
import { type SpecialTokenRole, SpecialTokens, type SpecialTokensInput } from './specialTokens.js';
import { Tokenizer, type TruncationSide } from './tokenizer.js';

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

/**
 * A ready-to-use tokenizer (transformers' `PreTrainedTokenizerFast`): the tokenizer.json pipeline
 * plus tokenizer_config.json's special tokens, maximum length, padding side and chat template.
 * Instances are callable: `tok(texts, { padding: true, truncation: true, returnTensors: true })`.
 * A facade: special tokens are `specialTokens.ts`, text to ids (options, truncation, padding)
 * `encoding.ts`, ids to text `decoding.ts`, chat templates `chatTemplate.ts`, files `io.ts`.
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
  private readonly specials: SpecialTokens;
  /** Config entries this class does not interpret, written back by savePretrained. */
  private readonly extraConfig: JsonObject;
  private readonly encoder = new Encoder(this);

  constructor(tokenizer: Tokenizer, config: JsonObject = {}) {
    super();
    if (!(tokenizer instanceof Tokenizer))
      fail(new.target.name, `expected a Tokenizer, got ${describe(tokenizer)}`);
    if (!isObject(config))
      fail(new.target.name, `config must be an object (tokenizer_config.json), got ${describe(config)}`);
    const cls = this.constructor as typeof PreTrainedTokenizer;
    this.backendTokenizer = tokenizer;
    const s = readSettings(config, {
      modelInputNames: cls.defaultModelInputNames,
      cleanUpTokenizationSpaces: cls.defaultCleanUpTokenizationSpaces,
    });
    this.modelMaxLength = s.modelMaxLength;
    this.paddingSide = s.paddingSide;
    this.truncationSide = s.truncationSide;
    this.modelInputNames = s.modelInputNames;
    this.cleanUpTokenizationSpaces = s.cleanUpTokenizationSpaces;
    this.chatTemplate = s.chatTemplate;
    this.specials = SpecialTokens.fromConfig(tokenizer, config, cls.defaultSpecialTokens);
    this.extraConfig = extraConfig(config);
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

  // ---- special tokens (specialTokens.ts) ------------------------------------------------------

  getSpecialToken(role: SpecialTokenRole): string | null {
    return this.specials.get(role);
  }
  /** Sets a special token role (`tok.setSpecialToken('pad', tok.eosToken)`), adding the token if new. */
  setSpecialToken(role: SpecialTokenRole, token: string | null): void {
    this.specials.set(role, token);
  }
  get bosToken(): string | null {
    return this.specials.get('bos');
  }
  get eosToken(): string | null {
    return this.specials.get('eos');
  }
  get unkToken(): string | null {
    return this.specials.get('unk');
  }
  get sepToken(): string | null {
    return this.specials.get('sep');
  }
  get padToken(): string | null {
    return this.specials.get('pad');
  }
  set padToken(token: string | null) {
    this.specials.set('pad', token);
  }
  get clsToken(): string | null {
    return this.specials.get('cls');
  }
  get maskToken(): string | null {
    return this.specials.get('mask');
  }
  get bosTokenId(): number | null {
    return this.specials.id('bos');
  }
  get eosTokenId(): number | null {
    return this.specials.id('eos');
  }
  get unkTokenId(): number | null {
    return this.specials.id('unk');
  }
  get sepTokenId(): number | null {
    return this.specials.id('sep');
  }
  get padTokenId(): number | null {
    return this.specials.id('pad');
  }
  get clsTokenId(): number | null {
    return this.specials.id('cls');
  }
  get maskTokenId(): number | null {
    return this.specials.id('mask');
  }
  get additionalSpecialTokens(): readonly string[] {
    return this.specials.additional;
  }
  /** Every special token: the roles' tokens, the additional ones, and added tokens marked special. */
  get allSpecialTokens(): string[] {
    return this.specials.all();
  }
  get allSpecialIds(): number[] {
    return this.specials.allIds();
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
    tokens: SpecialTokensInput,
    options: { replaceAdditionalSpecialTokens?: boolean } = {},
  ): number {
    return this.specials.add(tokens, options);
  }

  // ---- vocabulary -----------------------------------------------------------------------------

  /** Adds ordinary tokens (matched whole in text); returns how many were new to the vocabulary. */
  addTokens(tokens: string | readonly string[]): number {
    return this.specials.addOrdinary(tokens);
  }
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
    return this.encoder.convertTokensToIds(tokens);
  }
  convertIdsToTokens(id: number, opts?: { skipSpecialTokens?: boolean }): string;
  convertIdsToTokens(ids: readonly number[], opts?: { skipSpecialTokens?: boolean }): string[];
  convertIdsToTokens(
    ids: number | readonly number[],
    opts: { skipSpecialTokens?: boolean } = {},
  ): string | string[] {
    return idsToTokens(this.backendTokenizer, ids, opts);
  }

  // ---- encoding (encoding.ts) -----------------------------------------------------------------

  /** The tokens of a text (no special tokens unless asked). */
  tokenize(text: string, opts: { textPair?: string; addSpecialTokens?: boolean } = {}): string[] {
    return this.encoder.tokenize(text, opts);
  }
  /** The ids of a text (or pair), with special tokens by default. */
  encode(text: string, opts: EncodeOptions = {}): number[] {
    return this.encoder.encode(text, opts);
  }
  /** `tok(texts, opts)`: see the call signatures. */
  invoke(
    text: string | readonly TextInput[],
    opts: CallOptions = {},
  ): EncodingOutput<number[] | number[][] | Tensor> {
    return this.encoder.call(text, opts);
  }

  // ---- decoding (decoding.ts) -----------------------------------------------------------------

  /** Ids (an array or a 1-D int Tensor) back to text. */
  decode(ids: readonly number[] | Tensor, opts: DecodeOptions = {}): string {
    return decodeIds(this.backendTokenizer, this.cleanUpTokenizationSpaces, ids, opts);
  }
  /** Each row (arrays, or a 2-D Tensor such as generate()'s output) back to text. */
  batchDecode(sequences: readonly (readonly number[])[] | Tensor, opts: DecodeOptions = {}): string[] {
    return batchDecodeIds(this.backendTokenizer, this.cleanUpTokenizationSpaces, sequences, opts);
  }

  // ---- chat templates (chatTemplate.ts) -------------------------------------------------------

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
    const encodeRendered = (text: string) => this.encode(text, { addSpecialTokens: false });
    return applyChatTemplate(
      { chatTemplate: this.chatTemplate, specials: this.specials, encodeRendered },
      messages,
      opts,
    );
  }

  // ---- saving (io.ts) -------------------------------------------------------------------------

  /** Writes tokenizer.json, tokenizer_config.json and special_tokens_map.json (each atomically); returns the paths. */
  async savePretrained(dir: string, options: Record<string, never> = {}): Promise<string[]> {
    checkOptions(`${this.constructor.name}.savePretrained`, options, []);
    return saveTokenizerFiles(dir, {
      backend: this.backendTokenizer,
      specials: this.specials,
      settings: this,
      extraConfig: this.extraConfig,
      pythonClassName: (this.constructor as typeof PreTrainedTokenizer).pythonClassName,
    });
  }
}
