import type { Tensor } from './tensor.js';

/**
 * The one seam between @lumen/tensor and @lumen/autograd. Tensor ops report themselves here when
 * one of their inputs requires grad; autograd decides what to record. Without autograd installed,
 * requiresGrad is just a flag.
 */
export type OpInput = Tensor | number;
export type OpAttrs = Readonly<Record<string, unknown>>;

export interface AutogradEngine {
  record(op: string, inputs: readonly OpInput[], output: Tensor, attrs: OpAttrs): void;
  backward(t: Tensor, gradient: Tensor | undefined, options: { retainGraph?: boolean }): void;
  /** backward() that awaits gradients read back from the GPU (a cpu tensor moved with .to('webgpu')). */
  backwardAsync?(t: Tensor, gradient: Tensor | undefined, options: { retainGraph?: boolean }): Promise<void>;
  /** Whether ops are being recorded now (false inside noGrad). In-place writes check it. */
  isGradEnabled?(): boolean;
}

let engine: AutogradEngine | null = null;

/** Called by @lumen/autograd when it is imported. */
export function installAutograd(e: AutogradEngine): void {
  engine = e;
}

export function autogradEngine(): AutogradEngine | null {
  return engine;
}

/** Reports an op to autograd when any tensor input requires grad. */
export function record(op: string, inputs: readonly OpInput[], output: Tensor, attrs: OpAttrs = {}): void {
  if (engine === null) return;
  for (const x of inputs) {
    if (typeof x !== 'number' && x.requiresGrad) {
      engine.record(op, inputs, output, attrs);
      return;
    }
  }
}
