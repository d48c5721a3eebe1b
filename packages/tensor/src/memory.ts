import type { Lease, Storage } from './backend.js';
import type { Device } from './dtype.js';
import { nodeBuiltin } from './env.js';

/**
 * Lifetime of device memory. A storage is shared by a tensor and its views; it goes back to its
 * backend's pool when the last of them is disposed or garbage-collected (FinalizationRegistry).
 * `tidy(fn)` disposes what fn created except what it returns, also across `await`.
 */

export interface DeviceMemory {
  tensors: number;
  bytes: number;
}
export interface MemoryInfo extends DeviceMemory {
  byDevice: Record<Device, DeviceMemory>;
}

const live: Record<Device, DeviceMemory> = {
  cpu: { tensors: 0, bytes: 0 },
  webgpu: { tensors: 0, bytes: 0 },
};

type Releaser = (s: Storage) => void;
const releasers: Partial<Record<Device, Releaser>> = {};

export function setReleaser(device: Device, fn: Releaser): void {
  releasers[device] = fn;
}

/** Something that owns one reference to a storage (a Tensor). */
export interface StorageOwner {
  readonly storage: Storage;
  dispose(): void;
  readonly isDisposed: boolean;
}

const registry = new FinalizationRegistry<Lease>((lease) => {
  live[lease.device].tensors--;
  if (unref(lease)) lease.onCollected();
});

export function retain(owner: StorageOwner): void {
  const l = owner.storage.lease;
  if (l.refs === 0) live[l.device].bytes += l.byteSize;
  l.refs++;
  live[l.device].tensors++;
  registry.register(owner, l, owner);
  currentScope()?.tensors.push(owner);
}

/** Drops owner's reference now (dispose); the last one returns the memory to its pool. */
export function releaseOwner(owner: StorageOwner): void {
  registry.unregister(owner);
  const l = owner.storage.lease;
  live[l.device].tensors--;
  if (unref(l) && !owner.storage.released) releasers[l.device]?.(owner.storage);
}

/** True when this was the last reference. */
function unref(l: Lease): boolean {
  l.refs--;
  if (l.refs !== 0) return false;
  live[l.device].bytes -= l.byteSize;
  return true;
}

export function memory(): MemoryInfo {
  const cpu = { ...live.cpu };
  const webgpu = { ...live.webgpu };
  return {
    tensors: cpu.tensors + webgpu.tensors,
    bytes: cpu.bytes + webgpu.bytes,
    byDevice: { cpu, webgpu },
  };
}

// ---- tidy scopes ------------------------------------------------------------------------------

interface Disposable {
  dispose(): void;
  readonly isDisposed: boolean;
}

interface Scope {
  tensors: Disposable[];
}

const keptForever = new WeakSet<Disposable>();

interface AsyncLocalStorageLike<T> {
  getStore(): T | undefined;
  run<R>(store: T, fn: () => R): R;
}

/** In Node, scopes follow async context, so concurrent async tidy() calls never mix. */
const als = (() => {
  const mod = nodeBuiltin<{ AsyncLocalStorage: new <T>() => AsyncLocalStorageLike<T> }>('node:async_hooks');
  return mod ? new mod.AsyncLocalStorage<Scope | undefined>() : undefined;
})();
/** Elsewhere, a stack (an async tidy then also collects tensors made by code running meanwhile). */
const stack: Scope[] = [];

function currentScope(): Scope | undefined {
  return als ? als.getStore() : stack[stack.length - 1];
}

/** Excludes a tensor from every enclosing tidy scope's cleanup. */
export function keep<T extends Disposable>(t: T): T {
  keptForever.add(t);
  return t;
}

function collectResult(value: unknown, out: Set<unknown>, depth = 0): void {
  if (value === null || typeof value !== 'object' || depth > 4) return;
  if (isDisposable(value)) {
    out.add(value);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collectResult(v, out, depth + 1);
  else if (value instanceof Map) for (const v of value.values()) collectResult(v, out, depth + 1);
  else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collectResult(v, out, depth + 1);
  }
}

function isDisposable(v: object): v is Disposable {
  return typeof (v as Disposable).dispose === 'function' && 'isDisposed' in v;
}

function endScope(scope: Scope, parent: Scope | undefined, result: unknown): void {
  const keepSet = new Set<unknown>();
  collectResult(result, keepSet);
  for (const t of scope.tensors) {
    if (keptForever.has(t)) continue;
    if (keepSet.has(t)) {
      if (parent && !t.isDisposed) parent.tensors.push(t);
    } else if (!t.isDisposed) t.dispose();
  }
}

/**
 * Runs fn and disposes every tensor it created except those it returns (a tensor, or arrays and
 * plain objects holding tensors) and those passed to keep(). An async fn is awaited first.
 */
export function tidy<T>(fn: () => T): T {
  const scope: Scope = { tensors: [] };
  const parent = currentScope();
  const run = (): T => {
    if (!als) stack.push(scope);
    let result: T;
    let popped = false;
    const pop = () => {
      if (!als && !popped) {
        popped = true;
        stack.splice(stack.lastIndexOf(scope), 1);
      }
    };
    try {
      result = fn();
    } catch (e) {
      pop();
      endScope(scope, parent, undefined);
      throw e;
    }
    if (result instanceof Promise) {
      return result.then(
        (v) => {
          pop();
          endScope(scope, parent, v);
          return v;
        },
        (e) => {
          pop();
          endScope(scope, parent, undefined);
          throw e;
        },
      ) as T;
    }
    pop();
    endScope(scope, parent, result);
    return result;
  };
  return als ? als.run(scope, run) : run();
}
