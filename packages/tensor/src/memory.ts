import type { Lease, Storage } from './backend.js';
import type { Device } from './dtype.js';
import { nodeBuiltin, requestGC } from './env.js';

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

/*
 * Finalization callbacks run only when the event loop turns (a macrotask), never inside a loop that
 * runs synchronously or awaits only settled promises (a cpu `await loss.item()` is a microtask).
 * Until then each registration holds a few hundred bytes, so such a loop grew without bound. Two
 * rules keep it flat:
 *  - cpu tensors need no finalizer to free memory (the engine frees a dead tensor's array with it;
 *    only dispose() recycles it), only to be counted. Once REGISTER_LIMIT registrations are waiting
 *    for a turn, new cpu storages are made untracked: no registration, not counted by memory(),
 *    until the loop turns again.
 *  - an awaited cpu read (item(), toArray()…) lets the loop turn once that backlog passes
 *    READ_TURN_AFTER, so a loop that awaits its loss now and then keeps exact counts.
 * webgpu buffers come back to the pool only through the finalizer: see the webgpu runtime's limit.
 */
const REGISTER_LIMIT = 10_000;
const READ_TURN_AFTER = 1_000;

/** Runs fn on the next macrotask (setImmediate in Node, a MessageChannel message in browsers). */
export const nextMacrotask: (fn: () => void) => void = (() => {
  const si = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
  if (typeof si === 'function') return (fn: () => void) => void si(fn);
  if (typeof MessageChannel === 'function') {
    const queue: (() => void)[] = [];
    const ch = new MessageChannel();
    ch.port1.onmessage = () => queue.shift()?.();
    return (fn: () => void) => {
      queue.push(fn);
      ch.port2.postMessage(null);
    };
  }
  return (fn: () => void) => void setTimeout(fn, 0);
})();

/** Counts events since the event loop last turned: the first one schedules the macrotask that resets it. */
export class TurnCounter {
  count = 0;
  private pending = false;
  private readonly reset = () => {
    this.pending = false;
    this.count = 0;
  };
  /** One more event; returns the count since the last turn, this one included. */
  bump(): number {
    if (!this.pending) {
      this.pending = true;
      nextMacrotask(this.reset);
    }
    return ++this.count;
  }
}

/** cpu and webgpu registrations waiting for a turn of the event loop. */
const registrations = new TurnCounter();

/** Tensors counted right after the last collection this module asked for, per device. */
const liveAfterGC: Record<Device, number> = { cpu: 0, webgpu: 0 };
const GC_SLACK = 5_000;

/**
 * Called by an awaited read (item(), toArray()…). When many registrations wait for a turn, resolves
 * after the loop turned (so their callbacks run); when the device's count has grown well past what
 * was live after the last collection (or `collect` says so), asks for one first: tensors that lived
 * through a few scavenges are only found dead by a full collection, which the engine may put off
 * for a long time in a loop of small arrays. Otherwise null: the read resolves at once.
 */
export function yieldForFinalizers(device: Device, collect = false): Promise<void> | null {
  collect ||= live[device].tensors > 2 * liveAfterGC[device] + GC_SLACK;
  if (!collect && (device !== 'cpu' || registrations.count < READ_TURN_AFTER)) return null;
  // A collection queues the finalizers' task, which runs in a following turn (two turns: the first
  // may come before the task's).
  requestGC(collect ? 'major' : 'minor');
  return new Promise((resolve) =>
    nextMacrotask(() =>
      nextMacrotask(() => {
        if (collect) liveAfterGC[device] = live[device].tensors;
        resolve();
      }),
    ),
  );
}

/**
 * Takes a reference for owner (a new tensor). Returns whether it is watched by the registry and
 * counted by memory(); releaseOwner needs that answer back.
 */
export function retain(owner: StorageOwner): boolean {
  const l = owner.storage.lease;
  const starving = l.device === 'cpu' && registrations.count >= REGISTER_LIMIT;
  if (l.refs === 0) {
    l.tracked = !starving;
    if (l.tracked) live[l.device].bytes += l.byteSize;
  }
  // An untracked view of a tracked storage still holds a reference (so dispose() of the others
  // cannot recycle memory it reads); never released, that reference only costs a late recycle.
  l.refs++;
  const tracked = !starving && l.tracked !== false;
  if (tracked) {
    live[l.device].tensors++;
    registry.register(owner, l, owner);
    registrations.bump();
  }
  currentScope()?.tensors.push(owner);
  return tracked;
}

/** Drops owner's reference now (dispose); the last one returns the memory to its pool. */
export function releaseOwner(owner: StorageOwner, tracked: boolean): void {
  const l = owner.storage.lease;
  if (tracked) {
    registry.unregister(owner);
    live[l.device].tensors--;
  }
  if (unref(l) && !owner.storage.released) releasers[l.device]?.(owner.storage);
}

/** True when this was the last reference. */
function unref(l: Lease): boolean {
  l.refs--;
  if (l.refs !== 0) return false;
  if (l.tracked !== false) live[l.device].bytes -= l.byteSize;
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
