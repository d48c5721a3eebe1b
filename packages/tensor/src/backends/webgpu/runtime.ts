import { debugLevel, envVar, isNode, requestGC } from '../../env.js';
import { ArgumentError, DeviceError, LumenError } from '../../errors.js';
import { TurnCounter } from '../../memory.js';
import { warn } from '../../warnings.js';
import { type KernelPolicy, policyFor } from './policy.js';

/**
 * Owns the GPUDevice: caches pipelines by shader key, pools buffers by size class, records
 * dispatches into one open compute pass and submits them in batches. Uniform parameters of every
 * dispatch in a batch live in shared chunks written once at submit.
 *
 * Reuse rule: a buffer released while commands that use it are not yet submitted goes to
 * `pendingFree` and becomes reusable only after the next submit, so a queue.writeBuffer into a
 * recycled buffer can never overtake a recorded command that still reads it.
 */

const USAGE_STORAGE = 0x0080 | 0x0004 | 0x0008; // STORAGE | COPY_SRC | COPY_DST
const USAGE_UNIFORM = 0x0040 | 0x0008; // UNIFORM | COPY_DST
const USAGE_READBACK = 0x0001 | 0x0008; // MAP_READ | COPY_DST
const MAP_READ = 0x0001;

const PARAM_SLOT = 256; // minUniformBufferOffsetAlignment on every adapter we target
const PARAM_CHUNK = 256 * PARAM_SLOT;
const MAX_BATCH = 256;
const STAGE_COMPUTE = 0x4; // GPUShaderStage.COMPUTE, without relying on the global

export interface KernelSpec {
  /** Cache key: every input that changes the WGSL text must be in it. */
  readonly key: string;
  /** Human-readable name for DEBUG logs. */
  readonly name: string;
  readonly source: () => string;
}

/**
 * What a storage binding names: a whole buffer, or a window of one. Buffers larger than the
 * adapter's maxStorageBufferBindingSize exist (up to maxBufferSize) and are bound in windows.
 */
export type Binding = GPUBuffer | { buffer: GPUBuffer; offset: number; size: number };

interface Pipeline {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  /** Binding signature: one char per storage binding, 'r' (read) or 'w' (read_write). */
  sig: string;
}

function sizeClass(bytes: number): number {
  const b = Math.max(bytes, 256);
  const p = 2 ** Math.floor(Math.log2(b));
  const step = Math.max(p / 4, 256);
  return Math.ceil(b / step) * step;
}

export class GpuRuntime {
  readonly device: GPUDevice;
  readonly queue: GPUQueue;
  readonly limits: {
    maxWorkgroups: number;
    /** Largest storage binding in bytes (LUMEN_WEBGPU_MAX_BINDING may lower it, for tests). */
    maxBinding: number;
    maxBuffer: number;
    /** minStorageBufferOffsetAlignment: where a binding window may start, in bytes. */
    align: number;
  };
  private readonly pipelines = new Map<string, Pipeline>();
  private readonly free = new Map<number, GPUBuffer[]>();
  private pendingFree: GPUBuffer[] = [];
  private freeBytes = 0;
  /** Idle pooled bytes kept before released buffers are destroyed instead. */
  maxPoolBytes = 512 * 1024 * 1024;
  allocatedBytes = 0;
  /** Fresh bytes allocated since the last GC request (see requestGC). */
  private grownSinceGC = 0;

  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private dispatches = 0;
  private paramChunks: { buffer: GPUBuffer; data: Uint8Array }[] = [];
  private paramUsed = PARAM_CHUNK;
  private readonly uniformFree: GPUBuffer[] = [];
  private errors: string[] = [];
  private readonly layouts = new Map<string, { bgl: GPUBindGroupLayout; pl: GPUPipelineLayout }>();
  /**
   * Kernels recorded since the event loop last turned, and the most allowed (Node only). Dawn in
   * Node frees bind groups and command buffers, and the pool gets dead tensors' buffers back, only
   * between turns of the event loop: a loop that never yields grows until the process dies of a
   * signal. Past the limit dispatch() throws an error that says so, instead.
   */
  private readonly sinceTurn = new TurnCounter();
  maxDispatchesWithoutTurn = isNode ? 20_000 : Number.POSITIVE_INFINITY;
  /** DEBUG level, read once (reading the environment on every dispatch is measurable). */
  private readonly debug = debugLevel();

  /** Whether the adapter is CPU-emulated (Mesa llvmpipe/lavapipe, SwiftShader). */
  readonly emulatedAdapter: boolean;
  /**
   * Which kernel variants run (policy.ts): the adapter's own kind unless LUMEN_WEBGPU_KERNELS
   * says otherwise; tests swap it to run both.
   */
  policy: KernelPolicy;

  constructor(device: GPUDevice, info?: GPUAdapterInfo) {
    this.device = device;
    const arch = `${info?.architecture ?? ''} ${info?.description ?? ''} ${info?.vendor ?? ''}`.toLowerCase();
    this.emulatedAdapter = /llvmpipe|lavapipe|swiftshader/.test(arch);
    this.policy = policyFor(this.emulatedAdapter);
    this.queue = device.queue;
    this.limits = {
      maxWorkgroups: device.limits.maxComputeWorkgroupsPerDimension,
      maxBinding: bindingLimit(device.limits.maxStorageBufferBindingSize),
      maxBuffer: device.limits.maxBufferSize,
      align: device.limits.minStorageBufferOffsetAlignment,
    };
    device.addEventListener('uncapturederror', (ev) => {
      const msg = (ev as GPUUncapturedErrorEvent).error.message;
      this.errors.push(msg);
      warn('RuntimeWarning', `[lumen webgpu] ${msg}`);
    });
    // Not `device.lost.then(...)`: in Node, Dawn polls its event queue on every tick while any
    // promise of its is pending, and `lost` stays pending for the device's whole life (a quarter
    // of a small-op loop's CPU time went to that polling). A lost device surfaces as an error.
  }

  // ---- buffers ------------------------------------------------------------------------------------

  createBuffer(bytes: number): GPUBuffer {
    if (bytes > this.limits.maxBuffer) {
      throw new DeviceError(
        `webgpu: a tensor of ${bytes} bytes exceeds this adapter's maxBufferSize (${this.limits.maxBuffer} bytes); keep it on cpu or split it`,
      );
    }
    const cls = Math.max(bytes, Math.min(sizeClass(bytes), this.limits.maxBuffer));
    const list = this.free.get(cls);
    const reused = list?.pop();
    if (reused) {
      this.freeBytes -= cls;
      return reused;
    }
    this.allocatedBytes += cls;
    this.grownSinceGC += cls;
    if (this.grownSinceGC > Math.max(32 * 1024 * 1024, this.allocatedBytes / 2)) {
      this.grownSinceGC = 0;
      requestGC();
    }
    return this.device.createBuffer({ size: cls, usage: USAGE_STORAGE });
  }

  releaseBuffer(buf: GPUBuffer): void {
    if (this.encoder) this.pendingFree.push(buf);
    else this.recycle(buf);
  }

  private recycle(buf: GPUBuffer): void {
    const cls = buf.size;
    if (this.freeBytes + cls > this.maxPoolBytes) {
      buf.destroy();
      this.allocatedBytes -= cls;
      return;
    }
    let list = this.free.get(cls);
    if (!list) this.free.set(cls, (list = []));
    list.push(buf);
    this.freeBytes += cls;
  }

  poolStats(): { allocatedBytes: number; freeBytes: number } {
    return { allocatedBytes: this.allocatedBytes, freeBytes: this.freeBytes };
  }

  write(buf: GPUBuffer, data: ArrayBufferView, byteOffset = 0): void {
    this.queue.writeBuffer(buf, byteOffset, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
  }

  // ---- pipelines and dispatch -----------------------------------------------------------------------

  private pipelineFor(spec: KernelSpec): Pipeline {
    let p = this.pipelines.get(spec.key);
    if (!p) {
      const code = spec.source();
      if (this.debug >= 2) console.log(`[lumen webgpu] compile ${spec.name} (${spec.key})\n${code}`);
      const sig = bindingSignature(code);
      const { bgl, pl } = this.layoutFor(sig);
      const module = this.device.createShaderModule({ code, label: spec.key });
      const pipeline = this.device.createComputePipeline({
        layout: pl,
        compute: { module, entryPoint: 'main' },
        label: spec.key,
      });
      p = { pipeline, layout: bgl, sig };
      this.pipelines.set(spec.key, p);
    }
    return p;
  }

  private layoutFor(sig: string): { bgl: GPUBindGroupLayout; pl: GPUPipelineLayout } {
    let l = this.layouts.get(sig);
    if (!l) {
      const entries: GPUBindGroupLayoutEntry[] = [
        { binding: 0, visibility: STAGE_COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true } },
      ];
      for (let k = 0; k < sig.length; k++) {
        entries.push({
          binding: k + 1,
          visibility: STAGE_COMPUTE,
          buffer: { type: sig[k] === 'r' ? 'read-only-storage' : 'storage' },
        });
      }
      const bgl = this.device.createBindGroupLayout({ entries, label: `lumen:${sig}` });
      l = { bgl, pl: this.device.createPipelineLayout({ bindGroupLayouts: [bgl] }) };
      this.layouts.set(sig, l);
    }
    return l;
  }

  private paramSlot(params: Uint32Array): { buffer: GPUBuffer; offset: number } {
    if (params.byteLength > PARAM_SLOT)
      throw new LumenError(`webgpu: kernel parameters too large (${params.byteLength} bytes)`);
    if (this.paramUsed + PARAM_SLOT > PARAM_CHUNK) {
      const buffer =
        this.uniformFree.pop() ?? this.device.createBuffer({ size: PARAM_CHUNK, usage: USAGE_UNIFORM });
      this.paramChunks.push({ buffer, data: new Uint8Array(PARAM_CHUNK) });
      this.paramUsed = 0;
    }
    const chunk = this.paramChunks[this.paramChunks.length - 1]!;
    const offset = this.paramUsed;
    chunk.data.set(new Uint8Array(params.buffer, params.byteOffset, params.byteLength), offset);
    this.paramUsed += PARAM_SLOT;
    return { buffer: chunk.buffer, offset };
  }

  /**
   * Records one dispatch. Binding 0 is the uniform parameter block, bindings 1.. are `buffers` in
   * order (the shader declares each as read or read_write).
   */
  dispatch(
    spec: KernelSpec,
    buffers: readonly Binding[],
    params: Uint32Array,
    workgroups: readonly [number, number, number],
  ): void {
    if (workgroups[0] === 0 || workgroups[1] === 0 || workgroups[2] === 0) return;
    if (this.sinceTurn.bump() > this.maxDispatchesWithoutTurn) this.starved(spec.name);
    this.sinceCollection++;
    const { pipeline, layout } = this.pipelineFor(spec);
    const slot = this.paramSlot(params);
    // One bind group per dispatch. (A cache of bind groups keyed by buffers was tried: it saved
    // JS time in tidy loops, but lavapipe intermittently crashed in vkCreateDescriptorPool under
    // it, so it is gone until that is understood.)
    const entries: GPUBindGroupEntry[] = [
      { binding: 0, resource: { buffer: slot.buffer, offset: 0, size: PARAM_SLOT } },
    ];
    for (let i = 0; i < buffers.length; i++) {
      const b = buffers[i]!;
      entries.push({ binding: i + 1, resource: 'buffer' in b ? b : { buffer: b } });
    }
    const bindGroup = this.device.createBindGroup({ layout, entries });
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    if (!this.pass) this.pass = this.encoder.beginComputePass();
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, bindGroup, [slot.offset]);
    this.pass.dispatchWorkgroups(workgroups[0], workgroups[1], workgroups[2]);
    if (this.debug >= 1) console.log(`[lumen webgpu] dispatch ${spec.name} [${workgroups.join(', ')}]`);
    if (++this.dispatches >= MAX_BATCH) this.flush();
  }

  /** Kernels recorded since the last collection an awaited read asked for (their JS objects hold Dawn's). */
  private sinceCollection = 0;
  /** True (once) when enough kernels ran that the next awaited read should ask for a collection. */
  takeCollectionDue(): boolean {
    if (this.sinceCollection < 10_000) return false;
    this.sinceCollection = 0;
    return true;
  }

  private starved(kernel: string): never {
    // Not reset here: every further dispatch throws too, until the loop turns.
    throw new DeviceError(
      `webgpu: ${this.maxDispatchesWithoutTurn} kernels (the last: ${kernel}) were queued without the event loop turning once. In Node, WebGPU frees its objects and dead tensors' buffers return to the pool only between turns of the event loop, so a loop that never awaits grows until the process crashes. Await something in the loop now and then: \`await loss.item()\` every few steps, or \`await syncWebGPU()\``,
    );
  }

  /** Workgroup grid for `n` invocations of a 1-d kernel with workgroup size `wg`. */
  grid(n: number, wg = 256): [number, number, number] {
    const groups = Math.ceil(n / wg);
    if (groups === 0) return [0, 1, 1];
    const x = Math.min(groups, this.limits.maxWorkgroups);
    return [x, Math.ceil(groups / x), 1];
  }

  copyBuffer(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    this.encoder.copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  }

  /** Submits everything recorded so far. */
  flush(): void {
    if (!this.encoder) return;
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
    this.paramChunks.forEach((c, i) => {
      const bytes = i === this.paramChunks.length - 1 ? this.paramUsed : PARAM_CHUNK;
      if (bytes > 0) this.queue.writeBuffer(c.buffer, 0, c.data.buffer as ArrayBuffer, 0, bytes);
    });
    this.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    this.dispatches = 0;
    for (const c of this.paramChunks) this.uniformFree.push(c.buffer);
    this.paramChunks = [];
    this.paramUsed = PARAM_CHUNK;
    const pending = this.pendingFree;
    this.pendingFree = [];
    for (const b of pending) this.recycle(b);
  }

  /** Copies `bytes` from buf (at offset) to the host once the GPU has finished. */
  async read(buf: GPUBuffer, offset: number, bytes: number): Promise<ArrayBuffer> {
    const size = Math.max(4, Math.ceil(bytes / 4) * 4);
    const staging = this.device.createBuffer({ size, usage: USAGE_READBACK });
    this.copyBuffer(buf, offset, staging, 0, size);
    this.flush();
    await staging.mapAsync(MAP_READ);
    const out = staging.getMappedRange().slice(0, bytes);
    staging.unmap();
    staging.destroy();
    this.throwErrors();
    return out;
  }

  /** Resolves when all submitted work is done (for benchmarks). */
  async sync(): Promise<void> {
    this.flush();
    await this.queue.onSubmittedWorkDone();
    this.throwErrors();
  }

  private throwErrors(): void {
    if (this.errors.length) {
      const msgs = this.errors;
      this.errors = [];
      throw new DeviceError(`webgpu: ${msgs.join('\n')}`);
    }
  }

  destroy(): void {
    this.flush();
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    for (const b of this.uniformFree) b.destroy();
    this.device.destroy();
  }
}

/**
 * The adapter's binding limit, or LUMEN_WEBGPU_MAX_BINDING bytes when that is set and smaller
 * (tests lower it to run the split paths on small tensors). A malformed value is an error.
 */
function bindingLimit(adapterMax: number): number {
  const raw = envVar('LUMEN_WEBGPU_MAX_BINDING');
  if (!raw) return adapterMax;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 256 || v % 4 !== 0) {
    throw new ArgumentError(
      `LUMEN_WEBGPU_MAX_BINDING must be a whole number of bytes, a multiple of 4 and at least 256; got '${raw}'`,
    );
  }
  return Math.min(v, adapterMax);
}

/** 'r'/'w' per storage binding, in binding order, read off the generated WGSL. */
function bindingSignature(code: string): string {
  const found: [number, string][] = [];
  for (const m of code.matchAll(/@binding\((\d+)\)\s*var<storage,\s*(read_write|read)>/g)) {
    found.push([Number(m[1]), m[2] === 'read' ? 'r' : 'w']);
  }
  found.sort((a, b) => a[0] - b[0]);
  found.forEach(([b], i) => {
    if (b !== i + 1)
      throw new LumenError(`webgpu: internal: storage bindings must be 1..n in order, got ${b} at ${i + 1}`);
  });
  return found.map(([, c]) => c).join('');
}
