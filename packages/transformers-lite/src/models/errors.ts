import { LumenError } from '@lumen/tensor';

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
 * Warnings (as transformers' logger.warning) go to console.warn. Tests and applications that
 * want them elsewhere replace the handler with `setWarningHandler`.
 */
let warningHandler: (message: string) => void = (m) => console.warn(m);

export function warn(message: string): void {
  warningHandler(message);
}

/** Routes transformers-lite's warnings (model loading, generate) to `handler`; returns the previous one. */
export function setWarningHandler(handler: (message: string) => void): (message: string) => void {
  if (typeof handler !== 'function')
    fail('setWarningHandler', `handler must be a function, got ${describe(handler)}`);
  const previous = warningHandler;
  warningHandler = handler;
  return previous;
}
