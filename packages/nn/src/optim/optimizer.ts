import { noGrad } from '@lumen/autograd';
import { checkOptions, type Tensor } from '@lumen/tensor';
import { fail } from '../errors.js';
import { type ZeroGradOptions, zeroGrads } from '../module/zeroGrad.js';

/** A group of parameters sharing hyperparameters; `lr` is what schedulers change. */
export type ParamGroup<H> = H & { params: Tensor[]; lr: number; initialLr?: number };

/** What an optimizer accepts: tensors, or groups `{ params, ...overrides }` as in PyTorch. */
export type ParamsInput<H> =
  | Iterable<Tensor>
  | readonly (Partial<H> & { params: Iterable<Tensor>; lr?: number })[];

function isTensorLike(x: unknown): x is Tensor {
  return typeof x === 'object' && x !== null && 'shape' in x && 'requiresGrad' in x;
}

/**
 * torch.optim.Optimizer. A subclass supplies `updateParam`: one parameter's whole update, done in
 * place by one fused @lumen/tensor step (`adamStep`, `sgdStep`: one loop on cpu, one kernel on
 * webgpu). Parameters and state tensors keep their identity across steps on every device, so the
 * model, the optimizer and user code all see the new values, as in PyTorch.
 */
export abstract class Optimizer<H extends object, S extends object> {
  readonly paramGroups: ParamGroup<H>[];
  /** Per-parameter state (momentum buffers, moment estimates, step counts). */
  readonly state = new Map<Tensor, S>();
  protected readonly name: string;

  /**
   * `defaults` holds every hyperparameter's default, overridden by the user's `options` (checked:
   * an unknown key is an error with a did-you-mean, as are unknown keys in a parameter group).
   */
  constructor(name: string, params: ParamsInput<H>, defaults: H & { lr: number }, options?: object) {
    this.name = name;
    const valid = Object.keys(defaults);
    checkOptions(name, options, valid);
    if (
      params === null ||
      params === undefined ||
      typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function'
    ) {
      fail(
        name,
        `params must be an iterable of tensors or of parameter groups, got ${params === null ? 'null' : typeof params}`,
      );
    }
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) fail(name, 'got an empty parameter list');
    const groups = isTensorLike(list[0])
      ? [{ params: list as Tensor[] }]
      : (list as (Partial<H> & { params: Iterable<Tensor> })[]);
    const seen = new Set<Tensor>();
    this.paramGroups = groups.map((g, gi) => {
      checkOptions(`${name} paramGroups[${gi}]`, g, ['params', ...valid, 'initialLr']);
      const ps = [...g.params];
      ps.forEach((p, i) => {
        if (!isTensorLike(p)) fail(name, `paramGroups[${gi}].params[${i}] must be a Tensor, got ${typeof p}`);
        if (!p.isLeaf)
          fail(
            name,
            `paramGroups[${gi}].params[${i}] is not a leaf tensor; optimizers update leaves (parameters)`,
          );
        if (p.dtype !== 'float32' && p.dtype !== 'float64')
          fail(name, `paramGroups[${gi}].params[${i}] must be a float tensor, got ${p.dtype}`);
        if (seen.has(p)) fail(name, `paramGroups[${gi}].params[${i}] appears more than once`);
        seen.add(p);
      });
      const group = { ...defaults, ...options, ...g, params: ps } as ParamGroup<H>;
      this.validate(group, gi);
      return group;
    });
  }

  /** Throws on a bad hyperparameter, naming it. */
  protected abstract validate(group: ParamGroup<H>, index: number): void;

  /**
   * Updates `param` (and its state) in place from `grad`, which has param's dtype, device and
   * layout; returns the state to keep (created on the first step).
   */
  protected abstract updateParam(param: Tensor, grad: Tensor, state: S | undefined, group: ParamGroup<H>): S;

  /**
   * Resets every parameter's gradient: to null by default (PyTorch 2.x's set_to_none=True), or,
   * with `{ setToNone: false }`, by zeroing each gradient tensor in place (PyTorch 1.x's default).
   */
  zeroGrad(options?: ZeroGradOptions): void {
    zeroGrads(
      `${this.name}.zeroGrad`,
      this.paramGroups.flatMap((g) => g.params),
      options,
    );
  }

  /** One optimisation step over every parameter that has a gradient. */
  step(): void {
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          if (p.grad === null) continue;
          const grad = this.gradFor(p, p.grad);
          this.state.set(p, this.updateParam(p, grad, this.state.get(p), group));
          if (grad !== p.grad) grad.dispose();
        }
      }
    });
  }

  /**
   * The gradient as the fused step reads it: param's dtype and a contiguous layout (autograd gives
   * that already; a gradient set by hand may not have it).
   */
  private gradFor(p: Tensor, grad: Tensor): Tensor {
    if (grad.device !== p.device)
      fail(this.name, `a gradient is on ${grad.device} but its parameter is on ${p.device}`);
    let g = grad.dtype === p.dtype ? grad : grad.cast(p.dtype);
    if (!g.isContiguous()) {
      const c = g.contiguous();
      if (g !== grad) g.dispose();
      g = c;
    }
    return g;
  }

  protected check(cond: boolean, index: number, what: string, value: unknown): void {
    if (!cond) fail(this.name, `invalid ${what} in paramGroups[${index}]: got ${JSON.stringify(value)}`);
  }
}
