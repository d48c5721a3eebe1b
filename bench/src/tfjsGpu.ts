import * as L from '@lumen/tensor';
import type * as tfCore from '@tensorflow/tfjs-core';

/**
 * tfjs-backend-webgpu in Node: it looks for navigator.gpu, so both libraries share one Dawn
 * instance (and one adapter). Returns whether our webgpu backend started.
 */
export async function shareDawnWithTfjs(): Promise<{ ok: boolean; adapter: string }> {
  try {
    const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
    if (!nav?.gpu) {
      const { create, globals } = (await import('webgpu')) as unknown as {
        create(f: string[]): GPU;
        globals: object;
      };
      Object.assign(globalThis, globals);
      Object.defineProperty(globalThis, 'navigator', { value: { gpu: create([]) }, configurable: true });
    }
    const ok = await L.initWebGPU();
    const gpu = (globalThis as unknown as { navigator: { gpu: GPU } }).navigator.gpu;
    const info = (await gpu.requestAdapter())?.info;
    return {
      ok,
      adapter: info ? `${info.vendor} ${info.architecture} ${info.description ?? ''}`.trim() : 'none',
    };
  } catch (e) {
    return { ok: false, adapter: `unavailable (${(e as Error).message})` };
  }
}

/** Waits for tfjs-webgpu's queued work (it batches commands like we do). */
export async function tfjsGpuSync(tf: typeof tfCore): Promise<void> {
  const b = tf.backend() as unknown as {
    endComputePassEncoder?: () => void;
    commandEncoder?: unknown;
    submitQueue?: () => void;
    queue?: GPUQueue;
  };
  if (!b.queue) return;
  b.endComputePassEncoder?.();
  if (b.commandEncoder) b.submitQueue?.();
  await b.queue.onSubmittedWorkDone();
}
