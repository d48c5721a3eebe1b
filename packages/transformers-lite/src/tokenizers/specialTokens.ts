import { checkOptions } from '@lumen/tensor';
import { describe, fail, isObject, type JsonObject } from './config.js';
import type { Tokenizer } from './tokenizer.js';

export type SpecialTokenRole = 'bos' | 'eos' | 'unk' | 'sep' | 'pad' | 'cls' | 'mask';
export const ROLES: readonly SpecialTokenRole[] = ['bos', 'eos', 'unk', 'sep', 'pad', 'cls', 'mask'];

/** Python's names for addSpecialTokens' keys (`pad_token`), and camelCase ones (`padToken`), point at ours. */
const SPECIAL_KEY_ALIASES: Record<string, string> = {
  additional_special_tokens: 'additionalSpecialTokens',
  ...Object.fromEntries(
    ROLES.flatMap((r) => [
      [`${r}_token`, r],
      [`${r}Token`, r],
    ]),
  ),
};

/** What addSpecialTokens takes: roles' tokens and/or extra special tokens. */
export type SpecialTokensInput = Partial<Record<SpecialTokenRole, string>> & {
  additionalSpecialTokens?: readonly string[];
  /** The older name of additionalSpecialTokens. */
  additional?: readonly string[];
};

/**
 * A tokenizer's special tokens: the token of each role (bos, eos, pad…) and the additional ones,
 * kept in the pipeline's added tokens so they are matched whole and skipped by decode.
 */
export class SpecialTokens {
  readonly roles = new Map<SpecialTokenRole, string>();
  additional: string[] = [];

  constructor(private readonly backend: Tokenizer) {}

  /** tokenizer_config.json's `<role>_token` and additional_special_tokens, else the class's defaults. */
  static fromConfig(
    backend: Tokenizer,
    config: JsonObject,
    defaults: Partial<Record<SpecialTokenRole, string>>,
  ): SpecialTokens {
    const where = 'tokenizer_config.json';
    const s = new SpecialTokens(backend);
    for (const role of ROLES) {
      const key = `${role}_token`;
      const v = key in config ? tokenContent(config[key], `${where} "${key}"`) : (defaults[role] ?? null);
      if (v !== null) s.roles.set(role, v);
    }
    const extra = config.additional_special_tokens;
    if (Array.isArray(extra))
      s.additional = extra.map((t, i) => tokenContent(t, `${where} additional_special_tokens[${i}]`)!);
    // Every special token must be matched whole in text and skipped by decode({ skipSpecialTokens }).
    const known = new Set(backend.addedTokens.map((t) => t.content));
    const missing = [...s.roles.values(), ...s.additional].filter((t) => !known.has(t));
    if (missing.length)
      backend.addTokens(
        missing.map((content) => ({ content, special: true, normalized: false })),
        true,
      );
    return s;
  }

  get(role: SpecialTokenRole): string | null {
    return this.roles.get(role) ?? null;
  }

  set(role: SpecialTokenRole, token: string | null): void {
    if (!ROLES.includes(role))
      fail('setSpecialToken', `role must be one of ${ROLES.join(', ')}, got ${describe(role)}`);
    if (token === null) {
      this.roles.delete(role);
      return;
    }
    if (typeof token !== 'string' || token.length === 0)
      fail('setSpecialToken', `token must be a non-empty string or null, got ${describe(token)}`);
    this.backend.addTokens([{ content: token, special: true, normalized: false }], true);
    this.roles.set(role, token);
  }

  id(role: SpecialTokenRole): number | null {
    const t = this.roles.get(role);
    return t === undefined ? null : (this.backend.tokenToId(t) ?? null);
  }

  /** The roles' tokens, the additional ones, and added tokens marked special. */
  all(): string[] {
    const all = new Set([...this.roles.values(), ...this.additional]);
    for (const t of this.backend.addedTokens) if (t.special) all.add(t.content);
    return [...all];
  }

  allIds(): number[] {
    return this.all().map((t) => this.backend.tokenToId(t)!);
  }

  /** Adds ordinary tokens (matched whole in text); returns how many were new to the vocabulary. */
  addOrdinary(tokens: string | readonly string[]): number {
    const list = typeof tokens === 'string' ? [tokens] : tokens;
    if (!Array.isArray(list) || list.some((t) => typeof t !== 'string')) {
      fail('addTokens', `tokens must be a string or an array of strings, got ${describe(tokens)}`);
    }
    return this.backend.addTokens(list);
  }

  /** transformers' add_special_tokens (see PreTrainedTokenizer.addSpecialTokens). */
  add(tokens: SpecialTokensInput, options: { replaceAdditionalSpecialTokens?: boolean }): number {
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
    const before = this.backend.vocabSize;
    for (const [key, value] of Object.entries(tokens)) {
      if (value === undefined) continue;
      if (key === 'additional' || key === 'additionalSpecialTokens') {
        const list = value as unknown;
        if (!Array.isArray(list) || list.some((t) => typeof t !== 'string' || t.length === 0))
          fail(op, `${key} must be an array of non-empty strings, got ${describe(list)}`);
        this.backend.addTokens(
          list.map((content: string) => ({ content, special: true, normalized: false })),
          true,
        );
        const fresh = [...new Set(list as string[])];
        this.additional = replace
          ? fresh
          : [...this.additional, ...fresh.filter((t) => !this.additional.includes(t))];
      } else this.set(key as SpecialTokenRole, value as string);
    }
    return this.backend.vocabSize - before;
  }

  /** special_tokens_map.json's content: `{ pad_token: '[PAD]', …, additional_special_tokens }`. */
  toJSON(): JsonObject {
    const out: JsonObject = {};
    for (const [role, token] of this.roles) out[`${role}_token`] = token;
    if (this.additional.length) out.additional_special_tokens = this.additional;
    return out;
  }
}

function tokenContent(v: unknown, where: string): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.content === 'string') return v.content;
  fail(where, `must be a string or { content: string }, got ${describe(v)}`);
}
