import { registerBackend, unregisterBackend } from '../../device.js';
import { isNode, requireWebGPUFromEnv } from '../../env.js';
import { DeviceError } from '../../errors.js';
import { checkOptions } from '../../options.js';
import { WebGPUBackend } from './backend.js';
import { GpuRuntime } from './runtime.js';

/**
 * `gpu` and `adapter` are held for the backend's lifetime: in Node, Dawn's instance dies with its
 * JS wrapper, and a collected instance crashes the next event processing (seen as a segfault in
 * InstanceBase::ProcessEvents while awaiting a read).
 */
let current: {
  backend: WebGPUBackend;
  ownsDevice: boolean;
  gpu: GPU | null;
  adapter: GPUAdapter | null;
} | null = null;
let pending: Promise<boolean> | null = null;

export interface InitWebGPUOptions {
  /** Use this device instead of requesting one (e.g. shared with your own rendering code). */
  device?: GPUDevice;
  powerPreference?: GPUPowerPreference;
}

/** The package that brings Dawn to Node: an optional peer dependency, imported only when asked for. */
let dawnPackage = 'webgpu';

/** Tests point this at a package that is not installed, to see what a user without Dawn sees. */
export function setDawnPackageForTests(name: string): void {
  dawnPackage = name;
}

/** Why the last initWebGPU() resolved false (null before any call, and after one that succeeded). */
let unavailable: string | null = null;

/** Where the WebGPU API comes from: the browser's navigator.gpu, or Dawn via the `webgpu` package in Node. */
async function findGpu(): Promise<{ gpu: GPU | null; why: string }> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return { gpu: nav.gpu, why: '' };
  if (!isNode)
    return { gpu: null, why: 'this browser has no navigator.gpu (WebGPU disabled or unsupported)' };
  const name = dawnPackage;
  let mod: { create: (flags: string[]) => GPU; globals: object };
  try {
    mod = await import(/* @vite-ignore */ name);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const missing =
      (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || code === undefined) &&
      new RegExp(`Cannot find (package|module) '${name}'`).test((e as Error).message);
    return {
      gpu: null,
      why: missing
        ? `WebGPU in Node needs Dawn, the optional peer dependency '${name}', which is not installed: run \`npm install ${name}\` (pnpm: \`pnpm add ${name}\`, and allow its build); everything runs on cpu meanwhile`
        : `the '${name}' package (Dawn for Node) is installed but failed to load: ${(e as Error).message}`,
    };
  }
  try {
    Object.assign(globalThis, mod.globals);
    return { gpu: mod.create([]), why: '' };
  } catch (e) {
    return {
      gpu: null,
      why: `the '${name}' package (Dawn for Node) failed to start: ${(e as Error).message}`,
    };
  }
}

/**
 * Why WebGPU is not available: the reason the last `initWebGPU()` resolved false (for example, in
 * Node, that the optional `webgpu` package is not installed and `npm install webgpu` brings it), or
 * null before the first call and once it succeeded.
 */
export function webgpuUnavailableReason(): string | null {
  return current ? null : unavailable;
}

/**
 * Starts the webgpu backend. Resolves true when a GPU adapter was found and tensors can now use
 * `device: 'webgpu'`, false when this machine has none (everything keeps working on cpu);
 * `webgpuUnavailableReason()` then says why and what to install.
 * With LUMEN_REQUIRE_WEBGPU=1 in the environment, a missing adapter throws instead.
 */
export function initWebGPU(opts: InitWebGPUOptions = {}): Promise<boolean> {
  checkOptions('initWebGPU', opts, ['device', 'powerPreference']);
  if (current) return Promise.resolve(true);
  if (!pending) {
    pending = start(opts).finally(() => {
      pending = null;
    });
  }
  return pending;
}

async function start(opts: InitWebGPUOptions): Promise<boolean> {
  let device = opts.device;
  let why = '';
  let gpu: GPU | null = null;
  let adapter: GPUAdapter | null = null;
  if (!device) {
    const found = await findGpu();
    gpu = found.gpu;
    why = found.why;
    adapter = gpu ? await gpu.requestAdapter({ powerPreference: opts.powerPreference }) : null;
    if (found.gpu && !adapter) {
      why =
        'no WebGPU adapter was found (in Node on Linux without a GPU, install Mesa lavapipe >= 25: see .ci/system-deps.sh)';
    }
    if (adapter) {
      const lim = adapter.limits;
      device = await adapter.requestDevice({
        requiredLimits: {
          maxStorageBufferBindingSize: lim.maxStorageBufferBindingSize,
          maxBufferSize: lim.maxBufferSize,
          maxComputeWorkgroupStorageSize: lim.maxComputeWorkgroupStorageSize,
          // Finer windows when a tensor larger than one binding is bound in parts.
          minStorageBufferOffsetAlignment: lim.minStorageBufferOffsetAlignment,
        },
      });
    }
  }
  if (!device) {
    unavailable = why || 'no WebGPU device';
    if (requireWebGPUFromEnv()) throw new DeviceError(`initWebGPU: LUMEN_REQUIRE_WEBGPU=1 but ${why}`);
    return false;
  }
  unavailable = null;
  const backend = new WebGPUBackend(
    new GpuRuntime(device, adapter?.info ?? (device as { adapterInfo?: GPUAdapterInfo }).adapterInfo),
  );
  current = { backend, ownsDevice: !opts.device, gpu, adapter };
  registerBackend(backend);
  return true;
}

/** Waits until every queued GPU command has finished (for timing). No-op without webgpu. */
export async function syncWebGPU(): Promise<void> {
  if (current) await current.backend.sync();
}

/** Releases the GPU device; webgpu tensors become unusable. initWebGPU() can start it again. */
export function destroyWebGPU(): void {
  if (!current) return;
  const { backend, ownsDevice } = current;
  current = null;
  unregisterBackend('webgpu');
  if (ownsDevice) backend.rt.destroy();
  else backend.rt.flush();
}

/** GPU memory held by the pool (allocated vs idle), for memory tests and diagnostics. */
export function webgpuPoolStats(): { allocatedBytes: number; freeBytes: number } | null {
  return current ? current.backend.rt.poolStats() : null;
}

/** The live backend (not exported from the package: tests use it to exercise kernel variants). */
export function currentWebGPUBackend(): WebGPUBackend | null {
  return current?.backend ?? null;
}

export interface WebGPUAdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  /** True for CPU-emulated adapters (Mesa lavapipe/llvmpipe, SwiftShader): real GPU timings differ. */
  emulated: boolean;
  /**
   * Largest storage binding in bytes (maxStorageBufferBindingSize, or LUMEN_WEBGPU_MAX_BINDING
   * when lower): larger tensors are bound in windows and ops on them split.
   */
  maxBindingBytes: number;
  /** Largest tensor in bytes (maxBufferSize). */
  maxBufferBytes: number;
}

/** What the webgpu backend runs on, or null before initWebGPU() succeeded. */
export function webgpuAdapterInfo(): WebGPUAdapterInfo | null {
  if (!current) return null;
  const info =
    current.adapter?.info ?? (current.backend.rt.device as { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    description: info?.description ?? '',
    emulated: current.backend.rt.emulatedAdapter,
    maxBindingBytes: current.backend.rt.limits.maxBinding,
    maxBufferBytes: current.backend.rt.limits.maxBuffer,
  };
}
