import { checkOptions, type Tensor, tensor, warn as warnInChannel } from '@lumen/tensor';
import { describe, fail } from './config.js';
import type { Encoding } from './postProcessors/index.js';
import type { Tokenizer, TruncationSide, TruncationStrategy } from './tokenizer.js';

/** transformers' stand-in for "no limit" when a model declares no maximum length. */
export const VERY_LARGE_INTEGER = 1e30;

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

export type ValueOf<O, A> = O extends { returnTensors: true | 'pt' } ? Tensor : A;
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

/** What encoding reads from the tokenizer (PreTrainedTokenizer's public fields). */
export interface EncodingContext {
  readonly backendTokenizer: Tokenizer;
  readonly modelMaxLength: number;
  readonly paddingSide: 'left' | 'right';
  readonly truncationSide: TruncationSide;
  readonly modelInputNames: readonly string[];
  readonly padToken: string | null;
  readonly padTokenId: number | null;
  readonly unkTokenId: number | null;
}

interface ResolvedCall {
  padding: 'none' | 'longest' | 'max_length';
  truncation: TruncationStrategy | null;
  maxLength: number | undefined;
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

/**
 * Text to ids for one tokenizer: option resolution (transformers' padding/truncation strategies and
 * their warnings, each given once per tokenizer), truncation, padding and the output fields.
 */
export class Encoder {
  private readonly warned = new Set<string>();

  constructor(private readonly tok: EncodingContext) {}

  /** The tokens of a text (no special tokens unless asked). */
  tokenize(text: string, opts: { textPair?: string; addSpecialTokens?: boolean }): string[] {
    checkText(text, 'tokenize', 'text');
    checkOptions('tokenize', opts, ['textPair', 'addSpecialTokens']);
    if (opts.textPair !== undefined) checkText(opts.textPair, 'tokenize', 'textPair');
    return this.tok.backendTokenizer.encode(text, opts.textPair ?? null, {
      addSpecialTokens: opts.addSpecialTokens ?? false,
    }).tokens;
  }

  /** The ids of a text (or pair), with special tokens by default. */
  encode(text: string, opts: EncodeOptions): number[] {
    checkText(text, 'encode', 'text');
    checkOptions('encode', opts, ['textPair', 'addSpecialTokens', 'truncation', 'maxLength']);
    if (opts.textPair !== undefined) checkText(opts.textPair, 'encode', 'textPair');
    const r = this.resolve({ ...opts, padding: false }, 'encode');
    return this.encodeOne(text, opts.textPair ?? null, opts.addSpecialTokens ?? true, r, opts).ids;
  }

  /** `tok(texts, opts)`. */
  call(
    text: string | readonly TextInput[],
    opts: CallOptions,
  ): EncodingOutput<number[] | number[][] | Tensor> {
    const op = 'tokenizer(text)';
    if (typeof opts !== 'object' || opts === null || Array.isArray(opts))
      fail(op, `options must be an object, got ${describe(opts)}`);
    checkOptions(op, opts, CALL_KEYS);
    const single = typeof text === 'string';
    const inputs = toPairs(text, opts.textPair, op);
    const r = this.resolve(opts, op);
    const addSpecial = opts.addSpecialTokens ?? true;
    const encodings = inputs.map(([a, b]) => this.encodeOne(a, b, addSpecial, r, opts));
    this.pad(encodings, r, opts);

    const names = this.tok.modelInputNames;
    const wantMask = opts.returnAttentionMask ?? names.includes('attention_mask');
    const wantTypes = opts.returnTokenTypeIds ?? names.includes('token_type_ids');
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

  /** Tokens to ids; a token outside the vocabulary becomes the unk token's id. */
  convertTokensToIds(tokens: string | readonly string[]): number | number[] {
    const one = (t: unknown): number => {
      if (typeof t !== 'string') fail('convertTokensToIds', `tokens must be strings, got ${describe(t)}`);
      const id = this.tok.backendTokenizer.tokenToId(t) ?? this.tok.unkTokenId;
      if (id === null)
        fail('convertTokensToIds', `${JSON.stringify(t)} is not in the vocabulary and there is no unk token`);
      return id;
    };
    if (typeof tokens === 'string') return one(tokens);
    if (!Array.isArray(tokens))
      fail('convertTokensToIds', `expected a string or an array of strings, got ${describe(tokens)}`);
    return tokens.map(one);
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
      const noLimit = this.tok.modelMaxLength >= VERY_LARGE_INTEGER;
      if (padding === 'max_length') {
        if (noLimit) {
          this.warnOnce(
            'pad-no-max',
            'Asking to pad to max_length but no maximum length is provided and the model has no predefined maximum length. Default to no padding.',
          );
          padding = 'none';
        } else maxLength = this.tok.modelMaxLength;
      }
      if (truncation !== null) {
        if (noLimit) {
          this.warnOnce(
            'truncate-no-max',
            'Asking to truncate to max_length but no maximum length is provided and the model has no predefined maximum length. Default to no truncation.',
          );
          truncation = null;
        } else maxLength = this.tok.modelMaxLength;
      }
    }
    if (padding !== 'none' && this.tok.padTokenId === null) {
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
  ): Encoding {
    const side = ('truncationSide' in opts ? opts.truncationSide : undefined) ?? this.tok.truncationSide;
    const truncation =
      r.truncation && r.maxLength !== undefined
        ? { maxLength: r.maxLength, strategy: r.truncation, side }
        : null;
    const e = this.tok.backendTokenizer.encode(a, b, { addSpecialTokens, truncation, withTokens: false });
    const max = this.tok.modelMaxLength;
    if (r.maxLength === undefined && e.ids.length > max) {
      this.warnOnce(
        'sequence-too-long',
        `Token indices sequence length is longer than the specified maximum sequence length for this model (${e.ids.length} > ${max}). Running this sequence through the model will result in indexing errors`,
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
    const side = opts.paddingSide ?? this.tok.paddingSide;
    if (side !== 'left' && side !== 'right')
      fail('tokenizer(text)', `paddingSide must be 'left' or 'right', got ${describe(side)}`);
    const padId = this.tok.padTokenId!;
    const padToken = this.tok.padToken!;
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
}

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
