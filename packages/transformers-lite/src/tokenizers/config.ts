import { LumenError } from '@lumen/tensor';

/** A parsed JSON object from tokenizer.json or tokenizer_config.json. */
export type JsonObject = { [key: string]: unknown };

export function fail(where: string, message: string): never {
  throw new LumenError(`${where}: ${message}`);
}

export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return `array(length ${x.length})`;
  if (typeof x === 'string') return JSON.stringify(x.length > 60 ? `${x.slice(0, 57)}...` : x);
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'object';
  return `${typeof x} ${String(x)}`;
}

export function isObject(x: unknown): x is JsonObject {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Typed readers for one field of a stage's JSON. A missing field (undefined or null) takes the
 * default when one is given; anything of the wrong type is an error naming the stage and field.
 */
export function readString(cfg: JsonObject, key: string, where: string, dflt?: string): string {
  const v = cfg[key];
  if ((v === undefined || v === null) && dflt !== undefined) return dflt;
  if (typeof v !== 'string') fail(where, `"${key}" must be a string, got ${describe(v)}`);
  return v;
}

export function readBool(cfg: JsonObject, key: string, where: string, dflt?: boolean): boolean {
  const v = cfg[key];
  if ((v === undefined || v === null) && dflt !== undefined) return dflt;
  if (typeof v !== 'boolean') fail(where, `"${key}" must be true or false, got ${describe(v)}`);
  return v;
}

export function readInt(cfg: JsonObject, key: string, where: string, dflt?: number): number {
  const v = cfg[key];
  if ((v === undefined || v === null) && dflt !== undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v))
    fail(where, `"${key}" must be an integer, got ${describe(v)}`);
  return v;
}

export function readArray(cfg: JsonObject, key: string, where: string): unknown[] {
  const v = cfg[key];
  if (!Array.isArray(v)) fail(where, `"${key}" must be an array, got ${describe(v)}`);
  return v;
}

export function readObject(cfg: JsonObject, key: string, where: string): JsonObject {
  const v = cfg[key];
  if (!isObject(v)) fail(where, `"${key}" must be an object, got ${describe(v)}`);
  return v;
}

/** The `type` tag of a stage, checked to be a string. */
export function stageType(cfg: unknown, stage: string): string {
  if (!isObject(cfg)) fail(stage, `expected an object with a "type" field, got ${describe(cfg)}`);
  const t = cfg.type;
  if (typeof t !== 'string') fail(stage, `"type" must be a string, got ${describe(t)}`);
  return t;
}

/** `{ "String": "x" }` or `{ "Regex": "x" }` (Split, Replace) as a global, Unicode-aware RegExp. */
export function readPattern(cfg: JsonObject, where: string): { regex: RegExp; json: JsonObject } {
  const p = readObject(cfg, 'pattern', where);
  if (typeof p.String === 'string') {
    return { regex: new RegExp(escapeRegExp(p.String), 'gu'), json: { String: p.String } };
  }
  if (typeof p.Regex === 'string') {
    try {
      return { regex: new RegExp(p.Regex, 'gu'), json: { Regex: p.Regex } };
    } catch (e) {
      fail(
        where,
        `"pattern.Regex" ${JSON.stringify(p.Regex)} is not a valid regular expression: ${(e as Error).message}`,
      );
    }
  }
  fail(where, `"pattern" must be { "String": ... } or { "Regex": ... }, got ${JSON.stringify(p)}`);
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
