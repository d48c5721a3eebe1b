import { LumenError } from './errors.js';

/**
 * One Tensor per process. Two copies of @lumen/tensor (a nested install after `npm update`, two
 * versions pinned by two packages, a bundle that inlined one) make two Tensor classes and two
 * autograd hooks: tensors from one copy fail `instanceof` in the other and backward() finds no tape.
 * The first copy to load claims a global slot; any other copy throws at import, naming both.
 */

// Replaced by tsup with package.json's version; 'source' when the workspace runs src/ directly.
declare const __LUMEN_TENSOR_VERSION__: string | undefined;
export const VERSION = typeof __LUMEN_TENSOR_VERSION__ === 'string' ? __LUMEN_TENSOR_VERSION__ : 'source';

const SLOT = Symbol.for('@lumen/tensor:loaded');

interface Claim {
  url: string;
  version: string;
}

/** A module URL without query or hash (dev servers re-evaluate a module with `?t=…`: same copy). */
function where(url: string): string {
  const bare = url.replace(/[?#].*$/, '');
  if (!bare.startsWith('file://')) return bare;
  try {
    return decodeURIComponent(new URL(bare).pathname).replace(/^\/([A-Za-z]:\/)/, '$1');
  } catch {
    return bare;
  }
}

/** Records this copy of @lumen/tensor (its module URL) or throws when another copy already loaded. */
export function claimSingleCopy(url: string, version: string = VERSION): void {
  const g = globalThis as unknown as Record<symbol, Claim | undefined>;
  const first = g[SLOT];
  if (first === undefined) {
    Object.defineProperty(globalThis, SLOT, { value: { url, version }, configurable: true });
    return;
  }
  if (where(first.url) === where(url)) return;
  throw new LumenError(
    [
      '@lumen/tensor is loaded twice in this process:',
      `  ${where(first.url)} (version ${first.version}, loaded first)`,
      `  ${where(url)} (version ${version})`,
      'Two copies make two Tensor classes: tensors from one are rejected by the other, and autograd',
      'installs into one only. Every @lumen package must share one @lumen/tensor (it is their peer',
      'dependency): install matching versions and dedupe (`npm dedupe`, `pnpm dedupe` or `yarn dedupe`;',
      '`npm ls @lumen/tensor` shows what pulls in each), or in a bundler resolve @lumen/tensor to one path.',
    ].join('\n'),
  );
}
