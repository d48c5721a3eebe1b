import { noGrad } from '@lumen/autograd';
import { type Tensor, tidy } from '@lumen/tensor';
import { fail } from '../errors.js';
import { assignParameter } from '../module/inPlace.js';

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
 * torch.optim.Optimizer. A subclass supplies `update`: the whole per-parameter update as one
 * function of (param, grad, state) returning the new values — the unit a fused device kernel can
 * take over. `step()` runs it for every parameter that has a gradient and writes the result into the
 * parameter (in place on cpu; see module/inPlace.ts for other devices).
 */
export abstract class Optimizer<H extends object, S extends object> {
  readonly paramGroups: ParamGroup<H>[];
  /** Per-parameter state (momentum buffers, moment estimates, step counts). */
  readonly state = new Map<Tensor, S>();
  protected readonly name: string;

  constructor(name: string, params: ParamsInput<H>, defaults: H & { lr: number }) {
    this.name = name;
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
      const ps = [...g.params];
      ps.forEach((p, i) => {
        if (!isTensorLike(p)) fail(name, `paramGroups[${gi}].params[${i}] must be a Tensor, got ${typeof p}`);
        if (!p.isLeaf)
          fail(
            name,
            `paramGroups[${gi}].params[${i}] is not a leaf tensor; optimizers update leaves (parameters)`,
          );
        if (seen.has(p)) fail(name, `paramGroups[${gi}].params[${i}] appears more than once`);
        seen.add(p);
      });
      const group = { ...defaults, ...g, params: ps } as ParamGroup<H>;
      this.validate(group, gi);
      return group;
    });
  }

  /** Throws on a bad hyperparameter, naming it. */
  protected abstract validate(group: ParamGroup<H>, index: number): void;

  /** The update for one parameter: new parameter values and new state. Pure: never mutates inputs. */
  protected abstract update(
    param: Tensor,
    grad: Tensor,
    state: S | undefined,
    group: ParamGroup<H>,
  ): { param: Tensor; state: S };

  /**
   * A fused update that writes the parameter and its state in place (see hostKernels.ts), or null
   * when it does not apply here and the composite `update` should run.
   */
  protected updateInPlace(
    _param: Tensor,
    _grad: Tensor,
    _state: S | undefined,
    _group: ParamGroup<H>,
  ): S | null {
    return null;
  }

  /** Sets every parameter's gradient to null (PyTorch's default set_to_none). */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.grad = null;
  }

  /** One optimisation step over every parameter that has a gradient. */
  step(): void {
    noGrad(() => {
      for (const group of this.paramGroups) {
        group.params.forEach((p, i) => {
          if (p.grad === null) return;
          const old = this.state.get(p);
          const fused = this.updateInPlace(p, p.grad, old, group);
          if (fused) {
            this.state.set(p, fused);
            return;
          }
          // The update's temporaries are freed at once (tidy), not left to the garbage collector.
          const { param, state } = tidy(() => this.update(p.detach(), p.grad!, old, group));
          const holder = assignParameter(`${this.name}.step`, p, param);
          if (holder !== param) param.dispose();
          if (old) disposeReplaced(old, state);
          if (holder !== p) {
            // Replaced rather than written in place (not cpu): follow the new tensor.
            group.params[i] = holder;
            this.state.delete(p);
          }
          this.state.set(holder, state);
        });
      }
    });
  }

  protected check(cond: boolean, index: number, what: string, value: unknown): void {
    if (!cond) fail(this.name, `invalid ${what} in paramGroups[${index}]: got ${JSON.stringify(value)}`);
  }
}

/** Frees the previous state's tensors that the new state no longer holds (they are the optimizer's own). */
function disposeReplaced(old: object, next: object): void {
  const kept = new Set(Object.values(next));
  for (const v of Object.values(old)) {
    if (isTensorLike(v) && !kept.has(v)) v.dispose();
  }
}
