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
