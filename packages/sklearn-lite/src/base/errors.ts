import { LumenError } from '@lumen/tensor';

/** Thrown when a fitted attribute or a fitted-only method is used before `fit`. */
export class NotFittedError extends LumenError {
  override name = 'NotFittedError';
}

/** Throws a LumenError that names the operation, the argument, what was expected and what came. */
export function fail(op: string, message: string): never {
  throw new LumenError(`${op}: ${message}`);
}

/** A short description of any value, for error messages. */
export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return `array(length ${x.length})`;
  if (ArrayBuffer.isView(x))
    return `${x.constructor.name}(length ${(x as unknown as ArrayLike<number>).length})`;
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'object';
  if (typeof x === 'string') return JSON.stringify(x);
  if (typeof x === 'function') return 'a function';
  return `${typeof x} ${String(x)}`;
}
