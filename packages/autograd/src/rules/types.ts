import type { AttrsOf, OpInput, OpName, Tensor } from '@lumen/tensor';

/** What a derivative rule sees: the op's inputs (numbers for scalar operands), its output, its attrs. */
export interface RuleContext<Op extends OpName = OpName> {
  readonly inputs: readonly OpInput[];
  readonly output: Tensor;
  readonly attrs: AttrsOf<Op>;
  /** Whether input i needs a gradient (skip work for the others). */
  needs(i: number): boolean;
}

/** Gradient of the loss with respect to each input, given the gradient `g` of the output. */
export type Rule<Op extends OpName = OpName> = (
  g: Tensor,
  ctx: RuleContext<Op>,
) => readonly (Tensor | null)[];

/** A recorded value a rule reads in backward: input i's values, or the output's. */
export type Saved = number | 'output';

export interface RuleDef<Op extends OpName = OpName> {
  /** PyTorch's grad_fn name, e.g. 'MulBackward0'. */
  name: string | ((ctx: Omit<RuleContext<Op>, 'needs'>) => string);
  /**
   * The values `backward` reads (PyTorch's saved tensors; shapes and dtypes do not count), given
   * which inputs need gradients. An in-place write into one of them between the forward op and
   * backward makes backward throw instead of using the new values.
   */
  saves: readonly Saved[] | ((needs: (i: number) => boolean, attrs: AttrsOf<Op>) => readonly Saved[]);
  backward: Rule<Op>;
  /**
   * For an op whose gradient can only be produced asynchronously in some cases (a gradient read back
   * from the GPU: `to` from cpu to webgpu): whether this recorded op needs it, and the async rule.
   * backward() refuses such a graph (naming backwardAsync); backwardAsync() awaits the rule.
   */
  async?: {
    needed(ctx: Omit<RuleContext<Op>, 'needs'>): boolean;
    backward(g: Tensor, ctx: RuleContext<Op>): Promise<readonly (Tensor | null)[]>;
  };
}

/** The rules for the ops `Ops`, each typed against the attributes its op records. */
export type Rules<Ops extends OpName> = { readonly [Op in Ops]: RuleDef<Op> };
