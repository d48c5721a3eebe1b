import { LumenError, warn as warnInChannel } from '@lumen/tensor';

/** Errors name the call and the argument, what was expected and what came. */
export function fail(where: string, message: string): never {
  throw new LumenError(`${where}: ${message}`);
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return `array(length ${x.length})`;
  if (typeof x === 'string') return JSON.stringify(x.length > 60 ? `${x.slice(0, 57)}...` : x);
  if (typeof x === 'object') {
    const shape = (x as { shape?: unknown }).shape;
    if (Array.isArray(shape)) return `Tensor ${fmtShape(shape)} (${(x as { dtype?: string }).dtype})`;
    return (x as object).constructor?.name ?? 'object';
  }
  return `${typeof x} ${String(x)}`;
}

/**
 * Warnings (as transformers' logger.warning) go through @lumen/tensor's one warning channel as
 * UserWarnings: console.warn by default; `setWarningHandler` (the same function as tensor's,
 * re-exported) routes them, and tensor's `simpleFilter` silences, deduplicates or raises them.
 */
export function warn(message: string): void {
  warnInChannel('UserWarning', message);
}
