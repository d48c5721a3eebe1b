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
