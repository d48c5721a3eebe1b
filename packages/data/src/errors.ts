import { LumenError } from '@lumen/tensor';

/**
 * Every error names the function, the argument, what was expected and what came. We throw
 * @lumen/tensor's `LumenError` so callers can tell Lumen's errors from others with one check.
 */
export function fail(op: string, message: string): never {
  throw new LumenError(`${op}: ${message}`);
}

/** A short description of a value for error messages. */
export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return `array(length ${x.length})`;
  if (ArrayBuffer.isView(x))
    return `${x.constructor.name}(length ${(x as unknown as ArrayLike<number>).length})`;
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'object';
  if (typeof x === 'string') return JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x);
  return `${typeof x} ${String(x)}`;
}

/** `["a", "b", "c"]`, cut after 20 names so a wide frame does not flood the message. */
export function listNames(names: readonly string[]): string {
  const shown = names.slice(0, 20).map((n) => JSON.stringify(n));
  return `[${shown.join(', ')}${names.length > 20 ? `, … (${names.length} in all)` : ''}]`;
}
