/** Node's builtins without an import statement, so browser bundles never see a `node:` module. */

import { fail } from './models/errors.js';

interface ProcessLike {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

const proc = (globalThis as { process?: ProcessLike }).process;

/**
 * A Node builtin (`node:fs/promises`, …), or undefined outside Node. `process.getBuiltinModule`
 * (Node ≥ 20.16) is a plain call: bundlers neither pull the module into a browser build nor warn
 * that they externalized it, as they do for `import('node:fs/promises')`.
 */
export function nodeBuiltin<T>(id: string): T | undefined {
  if (typeof proc?.versions?.node !== 'string' || typeof proc.getBuiltinModule !== 'function')
    return undefined;
  return proc.getBuiltinModule(id) as T;
}

/** `node:fs/promises` and `node:path` for reading or writing a folder; outside Node an error naming `op`. */
export function nodeFiles(op: string): {
  fs: typeof import('node:fs/promises');
  path: typeof import('node:path');
} {
  const fs = nodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises');
  const path = nodeBuiltin<typeof import('node:path')>('node:path');
  if (!fs || !path) {
    fail(op, 'reading or writing a folder needs Node; in a browser pass the files themselves ({ files })');
  }
  return { fs, path };
}

/** nodeFiles for loading the folder `dir`; outside Node, an error saying what works in a browser. */
export function nodeFolder(
  op: string,
  dir: string,
): { fs: typeof import('node:fs/promises'); path: typeof import('node:path') } {
  if (!nodeBuiltin('node:fs/promises'))
    fail(
      op,
      `${JSON.stringify(dir)} is not a Hub model id ('org/name'), and local folders load only in Node; ` +
        "in a browser pass a Hub id such as 'openai-community/gpt2' (fetched, kept in the Cache API) " +
        'or the files themselves ({ files })',
    );
  return nodeFiles(op);
}
