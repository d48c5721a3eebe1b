/**
 * Whether ops are being recorded. PyTorch keeps this per thread. In Node the mode follows the async
 * context (AsyncLocalStorage, as tidy scopes do): an async noGrad() callback that awaits does not
 * switch recording off for other tasks running meanwhile. Where there is no AsyncLocalStorage
 * (browsers) it is one flag, and a callback that returns a promise keeps the mode until the promise
 * settles — code running concurrently in the meantime sees the same mode (backward's error then says so).
 */
import { ArgumentError } from '@lumen/tensor';
import { fail } from './errors.js';

interface Mode {
  enabled: boolean;
}

interface AsyncLocalStorageLike<T> {
  getStore(): T | undefined;
  run<R>(store: T, fn: () => R): R;
}

const als = (() => {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.('node:async_hooks') as
    | { AsyncLocalStorage: new <T>() => AsyncLocalStorageLike<T> }
    | undefined;
  return mod ? new mod.AsyncLocalStorage<Mode>() : undefined;
})();

/** The mode outside every noGrad/enableGrad callback. */
const root: Mode = { enabled: true };
/** Without AsyncLocalStorage: async callbacks whose mode is still in force (for the error hint). */
let pendingAsync = 0;

function current(): Mode {
  return als?.getStore() ?? root;
}

export function isGradEnabled(): boolean {
  return current().enabled;
}

/**
 * Where the mode is one global flag, the number of async noGrad/enableGrad callbacks still running:
 * ops other code records meanwhile follow their mode (always 0 in Node, where the mode is per task).
 */
export function pendingAsyncGradModes(): number {
  return pendingAsync;
}

function withMode<T>(op: string, mode: boolean, fn: () => T): T {
  if (typeof fn !== 'function') fail(op, `fn must be a callback function, got ${typeof fn}`, ArgumentError);
  if (als) return als.run({ enabled: mode }, fn);
  const previous = root.enabled;
  root.enabled = mode;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    root.enabled = previous;
    throw e;
  }
  if (result instanceof Promise) {
    pendingAsync++;
    return result.finally(() => {
      pendingAsync--;
      root.enabled = previous;
    }) as T;
  }
  root.enabled = previous;
  return result;
}

/** Runs fn without recording ops (torch.no_grad()); returns fn's value. */
export function noGrad<T>(fn: () => T): T {
  return withMode('noGrad', false, fn);
}

/** Runs fn with recording on, also inside noGrad (torch.enable_grad()). */
export function enableGrad<T>(fn: () => T): T {
  return withMode('enableGrad', true, fn);
}

/**
 * Switches recording on or off until switched again (torch.set_grad_enabled). Inside a noGrad or
 * enableGrad callback it lasts until the callback ends, as in PyTorch's context managers.
 */
export function setGradEnabled(mode: boolean): void {
  if (typeof mode !== 'boolean')
    fail('setGradEnabled', `mode must be a boolean, got ${typeof mode}`, ArgumentError);
  current().enabled = mode;
}
