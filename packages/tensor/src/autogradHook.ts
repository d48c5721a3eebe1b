import type { AttrsOf, OpName } from './ops/registry.js';
import type { Tensor } from './tensor.js';

/**
 * The one seam between @lumen/tensor and @lumen/autograd. Tensor ops report themselves here when
 * one of their inputs requires grad; autograd decides what to record. Without autograd installed,
 * requiresGrad is just a flag.
 */
export type OpInput = Tensor | number;
/** Any op's attributes, as the engine stores them (each op's own are `AttrsOf<Op>`). */
export type OpAttrs = AttrsOf<OpName>;

export interface AutogradEngine {
  record<Op extends OpName>(op: Op, inputs: readonly OpInput[], output: Tensor, attrs: AttrsOf<Op>): void;
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
export function record<Op extends OpName>(
  op: Op,
  inputs: readonly OpInput[],
  output: Tensor,
  attrs: AttrsOf<Op>,
): void {
  if (engine === null) return;
  for (const x of inputs) {
    if (typeof x !== 'number' && x.requiresGrad) {
      engine.record(op, inputs, output, attrs);
      return;
    }
  }
}
