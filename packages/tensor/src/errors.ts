/**
 * Every error Lumen throws names the op, the argument, what was expected and what came.
 * `LumenError` is exported so callers can tell ours from others; its subclasses name a category
 * that callers can catch (`e instanceof ShapeError`), as Python code catches ValueError.
 */
export class LumenError extends Error {
  override name = 'LumenError';
}

/** Shapes that do not fit: broadcasting, a product's inner dimensions, a view, concatenation. */
export class ShapeError extends LumenError {
  override name = 'ShapeError';
}

/** A dtype the op does not take, or operands whose dtypes differ where they must agree. */
export class DtypeError extends LumenError {
  override name = 'DtypeError';
}

/** Tensors on different devices, a backend that is not initialized, a GPU read that must be awaited. */
export class DeviceError extends LumenError {
  override name = 'DeviceError';
}

/** An argument of the wrong type or value (Python's TypeError/ValueError), e.g. an unknown option. */
export class ArgumentError extends LumenError {
  override name = 'ArgumentError';
}

/** A fitted attribute or a fitted-only method used before `fit` (scikit-learn's NotFittedError). */
export class NotFittedError extends LumenError {
  override name = 'NotFittedError';
}

/** A file (or buffer) that does not parse as its format: CSV, Parquet, Arrow, safetensors, tokenizer.json. */
export class FileFormatError extends LumenError {
  override name = 'FileFormatError';
}

/** LumenError or one of its categories: what `fail` throws. */
export type LumenErrorClass = new (message: string) => LumenError;

/**
 * Throws `kind` (LumenError unless a category is given) with the message `op: message`. Every
 * package's errors go through this one helper.
 */
export function fail(op: string, message: string, kind: LumenErrorClass = LumenError): never {
  throw new kind(`${op}: ${message}`);
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Strings longer than this are cut (to DESCRIBE_MAX - 3 characters and "...") by `describe`. */
export const DESCRIBE_MAX = 60;

/**
 * A short description of any value for an error message: `null`, `number 3`, `"text"` (cut after
 * DESCRIBE_MAX characters), `array(length 4)`, `Float32Array(length 4)`, `Tensor [2, 3] (float32)`,
 * `a function`, or an object's class name.
 */
export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return `array(length ${x.length})`;
  if (ArrayBuffer.isView(x)) {
    const n = (x as unknown as ArrayLike<number>).length ?? x.byteLength;
    return `${x.constructor.name}(length ${n})`;
  }
  if (typeof x === 'string')
    return JSON.stringify(x.length > DESCRIBE_MAX ? `${x.slice(0, DESCRIBE_MAX - 3)}...` : x);
  if (typeof x === 'function') return 'a function';
  if (typeof x === 'object') {
    const name = (x as object).constructor?.name ?? 'object';
    const { shape, dtype } = x as { shape?: unknown; dtype?: unknown };
    return name === 'Tensor' && Array.isArray(shape) ? `Tensor ${fmtShape(shape)} (${dtype})` : name;
  }
  return `${typeof x} ${String(x)}`;
}

/** The op that last asked for a backend (getBackend): what an allocation failure in a kernel names. */
let lastOp = 'tensor';
export function currentOp(): string {
  return lastOp;
}
export function setCurrentOp(op: string): void {
  lastOp = op;
}

/**
 * A bounded one-line rendering of an untrusted value (a parsed file's field) for an error message:
 * at most 3 levels deep, 8 array items, 4 object keys and 80 characters, so a value nested 5,000 deep
 * or a 50 MB string cannot blow up the error path (JSON.stringify would overflow or flood it).
 */
export function preview(value: unknown, depth = 3): string {
  const out = previewInner(value, depth);
  return out.length > 80 ? `${out.slice(0, 77)}...` : out;
}

function previewInner(value: unknown, depth: number): string {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === undefined) return 'undefined';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) {
    if (depth <= 0) return '[...]';
    const items = value.slice(0, 8).map((v) => previewInner(v, depth - 1));
    if (value.length > 8) items.push(`... ${value.length - 8} more`);
    return `[${items.join(', ')}]`;
  }
  if (typeof value === 'object') {
    if (depth <= 0) return '{...}';
    const keys = Object.keys(value);
    const items = keys
      .slice(0, 4)
      .map((k) => `${previewInner(k, 0)}: ${previewInner((value as Record<string, unknown>)[k], depth - 1)}`);
    if (keys.length > 4) items.push(`... ${keys.length - 4} more`);
    return `{${items.join(', ')}}`;
  }
  return typeof value;
}
