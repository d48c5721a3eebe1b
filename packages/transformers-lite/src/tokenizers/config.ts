import { describe, FileFormatError, fail, LumenError, preview } from '@lumen/tensor';

export { describe, fail, preview };

import { MAX_PATTERN_LENGTH, unsafeRegexReason } from './safeRegex.js';

/** A parsed JSON object from tokenizer.json or tokenizer_config.json. */
export type JsonObject = { [key: string]: unknown };

/** Errors whose message already names their place in tokenizer.json (so outer stages do not add theirs). */
const located = new WeakSet<Error>();

/**
 * Builds the stage at `path` in tokenizer.json (`pre_tokenizer.pretokenizers[2]`): a library error
 * from inside gets the path in front of its message, once (the innermost stage names itself).
 */
export function atPath<T>(path: string, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (e instanceof LumenError && !located.has(e)) {
      e.message = `${path}: ${e.message}`;
      located.add(e);
    }
    throw e;
  }
}

/**
 * How deep Sequence stages may nest (normalizers, pre-tokenizers, decoders, post-processors).
 * Real files nest one or two levels; the bound keeps a hostile file from overflowing the stack.
 */
export const MAX_SEQUENCE_DEPTH = 64;

export function checkDepth(depth: number, path: string): void {
  if (depth > MAX_SEQUENCE_DEPTH)
    fail(
      path,
      `Sequence stages nest deeper than ${MAX_SEQUENCE_DEPTH} levels; refusing the file`,
      FileFormatError,
    );
}

/**
 * The largest token id accepted (2^24 - 1): real vocabularies stay under a few hundred thousand,
 * and ids index arrays (BPE packs two ids into one key, which must stay exact).
 */
export const MAX_TOKEN_ID = 2 ** 24 - 1;

/** A token id: a non-negative integer <= MAX_TOKEN_ID (and below `size`, the vocabulary size, when given). */
export function readIdValue(v: unknown, where: string, field: string, size?: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > MAX_TOKEN_ID) {
    fail(
      where,
      `"${field}" must be a token id (an integer from 0 to ${MAX_TOKEN_ID}), got ${preview(v)}`,
      FileFormatError,
    );
  }
  if (size !== undefined && v >= size)
    fail(where, `"${field}" is id ${v}, outside the vocabulary (size ${size})`, FileFormatError);
  return v;
}

/** Longest string accepted in a stage's short text fields (prefixes, replacements, contents). */
export const MAX_FIELD_LENGTH = 256;

export function isObject(x: unknown): x is JsonObject {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Typed readers for one field of a stage's JSON. A missing field (undefined or null) takes the
 * default when one is given; anything of the wrong type is an error naming the stage and field.
 */
export function readString(
  cfg: JsonObject,
  key: string,
  where: string,
  dflt?: string,
  maxLength = MAX_FIELD_LENGTH,
): string {
  const v = cfg[key];
  if ((v === undefined || v === null) && dflt !== undefined) return dflt;
  if (typeof v !== 'string') fail(where, `"${key}" must be a string, got ${describe(v)}`, FileFormatError);
  if (v.length > maxLength)
    fail(where, `"${key}" must be at most ${maxLength} characters, got ${v.length}`, FileFormatError);
  return v;
}

export function readBool(cfg: JsonObject, key: string, where: string, dflt?: boolean): boolean {
  const v = cfg[key];
  if ((v === undefined || v === null) && dflt !== undefined) return dflt;
  if (typeof v !== 'boolean')
    fail(where, `"${key}" must be true or false, got ${describe(v)}`, FileFormatError);
  return v;
}

export function readInt(cfg: JsonObject, key: string, where: string, dflt?: number): number {
  const v = cfg[key];
  if ((v === undefined || v === null) && dflt !== undefined) return dflt;
  if (typeof v !== 'number' || !Number.isSafeInteger(v))
    fail(where, `"${key}" must be an integer, got ${describe(v)}`, FileFormatError);
  return v;
}

export function readArray(cfg: JsonObject, key: string, where: string): unknown[] {
  const v = cfg[key];
  if (!Array.isArray(v)) fail(where, `"${key}" must be an array, got ${describe(v)}`, FileFormatError);
  return v;
}

export function readObject(cfg: JsonObject, key: string, where: string): JsonObject {
  const v = cfg[key];
  if (!isObject(v)) fail(where, `"${key}" must be an object, got ${describe(v)}`, FileFormatError);
  return v;
}

/** Throws a library error whose place is added by the enclosing `atPath`. */
export function failHere(message: string): never {
  throw new FileFormatError(message);
}

/** The `type` tag of a stage, checked to be a string (called inside `atPath`, which names the place). */
export function stageType(cfg: unknown, _stage: string): string {
  if (!isObject(cfg)) failHere(`expected an object with a "type" field, got ${describe(cfg)}`);
  const t = cfg.type;
  if (typeof t !== 'string') failHere(`"type" must be a string, got ${describe(t)}`);
  return t;
}

/**
 * `{ "String": "x" }` or `{ "Regex": "x" }` (Split, Replace) as a global, Unicode-aware RegExp.
 * A regex that can backtrack catastrophically is refused (safeRegex.ts explains the test).
 */
export function readPattern(cfg: JsonObject, where: string): { regex: RegExp; json: JsonObject } {
  const p = readObject(cfg, 'pattern', where);
  const source = typeof p.String === 'string' ? p.String : typeof p.Regex === 'string' ? p.Regex : null;
  const field = typeof p.String === 'string' ? 'pattern.String' : 'pattern.Regex';
  if (source !== null && source.length > MAX_PATTERN_LENGTH) {
    fail(
      where,
      `"${field}" must be at most ${MAX_PATTERN_LENGTH} characters, got ${source.length}`,
      FileFormatError,
    );
  }
  if (typeof p.String === 'string') {
    return { regex: new RegExp(escapeRegExp(p.String), 'gu'), json: { String: p.String } };
  }
  if (typeof p.Regex === 'string') {
    let regex: RegExp;
    try {
      regex = new RegExp(p.Regex, 'gu');
    } catch (e) {
      fail(
        where,
        `"pattern.Regex" ${preview(p.Regex)} is not a valid regular expression: ${(e as Error).message}`,
        FileFormatError,
      );
    }
    const unsafe = unsafeRegexReason(p.Regex);
    if (unsafe) fail(where, `"pattern.Regex" ${preview(p.Regex)} ${unsafe}; refused`, FileFormatError);
    return { regex, json: { Regex: p.Regex } };
  }
  fail(where, `"pattern" must be { "String": ... } or { "Regex": ... }, got ${preview(p)}`, FileFormatError);
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
