/** Environment detection in one place: are we in Node, and Node's builtins without a static import. */

interface ProcessLike {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

const proc = (globalThis as { process?: ProcessLike }).process;

export const isNode = typeof proc?.versions?.node === 'string';

/**
 * A Node builtin (`node:fs`, …) or undefined in the browser. `process.getBuiltinModule` (Node
 * ≥ 20.16) keeps bundlers from pulling Node modules into a browser build.
 */
export function nodeBuiltin<T>(id: string): T | undefined {
  if (!isNode || typeof proc?.getBuiltinModule !== 'function') return undefined;
  return proc.getBuiltinModule(id) as T;
}
