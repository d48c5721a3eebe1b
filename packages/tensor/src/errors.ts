/**
 * Every error Lumen throws names the op, the argument, what was expected and what came.
 * `LumenError` is exported so callers can tell ours from others.
 */
export class LumenError extends Error {
  override name = 'LumenError';
}

export function fail(op: string, message: string): never {
  throw new LumenError(`${op}: ${message}`);
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return `array(length ${x.length})`;
  if (ArrayBuffer.isView(x))
    return `${x.constructor.name}(length ${(x as unknown as ArrayLike<number>).length})`;
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'object';
  if (typeof x === 'string') return JSON.stringify(x);
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
