import type { OpAttrs, OpInput, Tensor } from '@lumen/tensor';

/** What a derivative rule sees: the op's inputs (numbers for scalar operands), its output, its attrs. */
export interface RuleContext {
  readonly inputs: readonly OpInput[];
  readonly output: Tensor;
  readonly attrs: OpAttrs;
  /** Whether input i needs a gradient (skip work for the others). */
  needs(i: number): boolean;
}

/** Gradient of the loss with respect to each input, given the gradient `g` of the output. */
export type Rule = (g: Tensor, ctx: RuleContext) => readonly (Tensor | null)[];

export interface RuleDef {
  /** PyTorch's grad_fn name, e.g. 'MulBackward0'. */
  name: string | ((ctx: Omit<RuleContext, 'needs'>) => string);
  backward: Rule;
}
