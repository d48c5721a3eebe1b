/** Environment detection, in one place: Node or browser, WebGPU present, DEBUG level. */

interface ProcessLike {
  versions?: { node?: string };
  env?: Record<string, string | undefined>;
  getBuiltinModule?: (id: string) => unknown;
}

const proc = (globalThis as { process?: ProcessLike }).process;

export const isNode = typeof proc?.versions?.node === 'string';

export function envVar(name: string): string | undefined {
  return proc?.env?.[name];
}

/** DEBUG=1 logs each kernel dispatched; DEBUG=2 also prints its WGSL. */
export function debugLevel(): number {
  const v = envVar('DEBUG') ?? (globalThis as { LUMEN_DEBUG?: string }).LUMEN_DEBUG;
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

/** Node's builtin modules without a static import, so the browser build never sees them. */
export function nodeBuiltin<T>(id: string): T | undefined {
  if (!isNode || typeof proc?.getBuiltinModule !== 'function') return undefined;
  return proc.getBuiltinModule(id) as T;
}

export function requireWebGPUFromEnv(): boolean {
  return envVar('LUMEN_REQUIRE_WEBGPU') === '1';
}

let gcFn: (() => void) | null | undefined;

/**
 * Asks the JS engine for a garbage collection, where the host allows it (Node: via the V8 flag
 * --expose-gc set at run time; browsers: never). GPU tensors are small JS objects holding large
 * buffers, so the engine alone collects them far too late; the webgpu pool calls this when it has
 * grown a lot since the last collection. Unreachable tensors are then released at the next turn
 * of the event loop.
 */
export function requestGC(kind: 'major' | 'minor' = 'major'): boolean {
  if (gcFn === undefined) {
    gcFn = null;
    const g = (globalThis as { gc?: () => void }).gc;
    if (typeof g === 'function') gcFn = g;
    else {
      const v8 = nodeBuiltin<{ setFlagsFromString(flags: string): void }>('node:v8');
      const vm = nodeBuiltin<{ runInNewContext(code: string): unknown }>('node:vm');
      if (v8 && vm) {
        v8.setFlagsFromString('--expose-gc');
        const fn = vm.runInNewContext('gc');
        if (typeof fn === 'function') gcFn = fn as () => void;
      }
    }
  }
  if (!gcFn) return false;
  if (kind === 'minor') (gcFn as (o: { type: string }) => void)({ type: 'minor' });
  else gcFn();
  return true;
}
