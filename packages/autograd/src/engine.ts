import {
  ArgumentError,
  type AttrsOf,
  checkOptions,
  DeviceError,
  type GradFn,
  keep,
  type OpInput,
  type OpName,
  onesLike,
  ShapeError,
  Tensor,
  tidy,
} from '@lumen/tensor';
import { fail } from './errors.js';
import { isGradEnabled, noGrad, pendingAsyncGradModes } from './gradMode.js';
import { RULES, type RuleDef, type Saved } from './rules/index.js';

type Grads = readonly (Tensor | null)[];

/**
 * An op's rule bound to what one call of it recorded (its inputs, output and attributes): typed by
 * the op where it is made (bindRule), so the tape can hold any op's without casts.
 */
interface BoundRule {
  readonly name: string;
  readonly saves: (needs: (i: number) => boolean) => readonly Saved[];
  readonly backward: (g: Tensor, needs: (i: number) => boolean) => Grads;
  /** Set where this call's gradient has to be awaited (RuleDef.async). */
  readonly backwardAsync: ((g: Tensor, needs: (i: number) => boolean) => Promise<Grads>) | null;
}

function bindRule<Op extends OpName>(
  rule: RuleDef<Op>,
  inputs: readonly OpInput[],
  output: Tensor,
  attrs: AttrsOf<Op>,
): BoundRule {
  const ctx = { inputs, output, attrs };
  const async = rule.async?.needed(ctx) ? rule.async : null;
  return {
    name: typeof rule.name === 'string' ? rule.name : rule.name(ctx),
    saves: (needs) => (typeof rule.saves === 'function' ? rule.saves(needs, attrs) : rule.saves),
    backward: (g, needs) => rule.backward(g, { ...ctx, needs }),
    backwardAsync: async ? (g, needs) => async.backward(g, { ...ctx, needs }) : null,
  };
}

/**
 * One recorded op: the backward half of a tape entry. It keeps the op's inputs (what its rule needs)
 * until a backward pass without retainGraph frees them.
 */
export class Node implements GradFn {
  readonly name: string;
  private saved: { inputs: readonly OpInput[]; output: Tensor; rule: BoundRule | null } | null;
  /** Inputs that require grad, in input order (null where an input does not). */
  readonly next: readonly (Tensor | null)[];
  /** The version of every saved tensor when the op ran. */
  private readonly versions: { which: Saved; version: number }[] = [];

  constructor(
    readonly op: string,
    rule: BoundRule | null,
    inputs: readonly OpInput[],
    output: Tensor,
  ) {
    this.saved = { inputs, output, rule };
    this.next = inputs.map((x) => (typeof x !== 'number' && x.requiresGrad ? x : null));
    this.name = rule?.name ?? `${op[0]!.toUpperCase()}${op.slice(1)}Backward0`;
    if (rule) {
      for (const w of rule.saves((i) => this.next[i] !== null)) {
        const t = w === 'output' ? output : inputs[w];
        if (t !== undefined && typeof t !== 'number') this.versions.push({ which: w, version: t.version });
      }
    }
  }

  /** The tensors the rule reads in backward (PyTorch's saved tensors); empty once freed. */
  savedTensors(): Tensor[] {
    const s = this.saved;
    if (!s) return [];
    return this.versions.map(({ which }) => (which === 'output' ? s.output : (s.inputs[which] as Tensor)));
  }

  /** Every tensor the op recorded (its tensor inputs and its output); empty once freed. */
  recordedTensors(): Tensor[] {
    const s = this.saved;
    if (!s) return [];
    return [...s.inputs.filter((x): x is Tensor => typeof x !== 'number'), s.output];
  }

  /**
   * PyTorch's version check: a saved tensor written in place (copy_, an optimizer step) since the
   * op ran would silently give wrong gradients, so backward refuses it.
   */
  private checkVersions(): void {
    const s = this.saved!;
    for (const { which, version } of this.versions) {
      const t = which === 'output' ? s.output : (s.inputs[which] as Tensor);
      if (t.version === version) continue;
      const role =
        which === 'output' ? `, which is output 0 of ${this.name},` : ` (input ${which} of ${this.name})`;
      fail(
        'backward',
        `one of the variables needed for gradient computation has been modified by an inplace operation: [${t.dtype} [${t.shape.join(', ')}]]${role} is at version ${t.version}; expected version ${version} instead. Do in-place writes (copy_, optimizer steps) after backward(), or write into a clone()`,
      );
    }
  }

  /** Whether this op's gradient has to be awaited (see RuleDef.async); false once freed. */
  needsAsync(): boolean {
    return !!this.saved?.rule?.backwardAsync;
  }

  /** The checked rule, ready to run. */
  private ready(): BoundRule {
    const s = this.saved;
    if (s && !s.rule)
      fail(
        'backward',
        `no derivative rule for the op '${this.op}' (${this.name}); it is not differentiable in Lumen yet`,
      );
    if (!s) {
      fail(
        'backward',
        `trying to backward through the graph a second time (${this.name}'s saved values were freed by the first backward()); pass { retainGraph: true } to the first backward() or grad() call if you need to run backward twice`,
      );
    }
    this.checkVersions();
    return s.rule!;
  }

  /** Gradients for each input, given the output's gradient; a Promise where needsAsync(). */
  applyAsync(g: Tensor): Promise<Grads> | null {
    if (!this.needsAsync()) return null;
    return this.ready().backwardAsync!(g, (i) => this.next[i] !== null);
  }

  /** Gradients for each input, given the output's gradient. */
  apply(g: Tensor): Grads {
    return this.ready().backward(g, (i) => this.next[i] !== null);
  }

  free(): void {
    this.saved = null;
  }
}

/** The hook @lumen/tensor calls for every op on a tensor that requires grad. */
export function record<Op extends OpName>(
  op: Op,
  inputs: readonly OpInput[],
  output: Tensor,
  attrs: AttrsOf<Op>,
): void {
  if (!isGradEnabled()) return;
  // RULES has a rule for every OpName; a caller from plain JavaScript may still pass another name
  const rule: RuleDef<Op> | undefined = RULES[op];
  const node = new Node(op, rule ? bindRule(rule, inputs, output, attrs) : null, inputs, output);
  output.requiresGrad = true;
  output.gradFn = node;
}

/** Tensors reachable from the roots through recorded ops, each after everything that uses it. */
function reverseTopological(roots: readonly Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative post-order DFS: deep graphs (10,000 chained ops) must not overflow the JS stack.
  const stack: { t: Tensor; i: number }[] = [];
  for (const r of roots) {
    if (seen.has(r)) continue;
    seen.add(r);
    stack.push({ t: r, i: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const next = top.t.gradFn instanceof Node ? top.t.gradFn.next : [];
      if (top.i < next.length) {
        const child = next[top.i++];
        if (child && !seen.has(child)) {
          seen.add(child);
          stack.push({ t: child, i: 0 });
        }
      } else {
        order.push(top.t);
        stack.pop();
      }
    }
  }
  return order.reverse();
}

interface RunOptions {
  retainGraph: boolean;
  createGraph: boolean;
  /** When set, gradients are returned for these tensors instead of accumulated into leaves' .grad. */
  targets: ReadonlySet<Tensor> | null;
}

function checkGrad(where: string, t: Tensor, g: Tensor): void {
  if (g.shape.length !== t.shape.length || g.shape.some((d, i) => d !== t.shape[i])) {
    fail(
      where,
      `gradient shape [${g.shape.join(', ')}] does not match the tensor's shape [${t.shape.join(', ')}]`,
      ShapeError,
    );
  }
  if (g.device !== t.device)
    fail(where, `gradient is on ${g.device} but the tensor is on ${t.device}`, DeviceError);
}

/**
 * Reverse accumulation over the graph (micrograd's backward, with the tape's rules), as a generator
 * that yields where a gradient has to be awaited (RuleDef.async: one read back from the GPU) and is
 * resumed with it. backward() drives it synchronously, backwardAsync() awaits what it yields.
 */
function* walk(
  roots: readonly Tensor[],
  order: readonly Tensor[],
  rootGrads: readonly Tensor[],
  opts: RunOptions,
  found: Map<Tensor, Tensor>,
): Generator<Promise<Grads>, void, Grads> {
  const grads = new Map<Tensor, Tensor>();
  const rootStorages = new Set(rootGrads.map((g) => g.storage));
  const add = (t: Tensor, g: Tensor) => {
    const prev = grads.get(t);
    grads.set(t, prev ? prev.add(g) : g);
  };
  roots.forEach((r, i) => {
    add(r, rootGrads[i]!);
  });
  for (const t of order) {
    const g = grads.get(t);
    if (!g) continue;
    if (opts.targets?.has(t)) found.set(t, g);
    const node = t.gradFn;
    if (!(node instanceof Node)) {
      if (!opts.targets && t.requiresGrad) {
        let cast = g.dtype === t.dtype ? g : g.cast(t.dtype);
        // PyTorch's gradient layout contract: a contiguous leaf gets a contiguous .grad (not a
        // transposed or expanded view), which is what fused optimizer steps read.
        if (t.grad === null && !cast.isContiguous() && t.isContiguous()) cast = cast.contiguous();
        // A leaf's .grad never shares memory with the caller's `gradient` (x.backward(g) on a
        // leaf, or through a view): zeroGrad({ setToNone: false }) zeroes .grad in place.
        else if (t.grad === null && rootStorages.has(cast.storage)) cast = cast.clone();
        t.grad = keep(t.grad === null ? cast : t.grad.add(cast));
      }
      continue;
    }
    const pending = node.applyAsync(g);
    const inputGrads = pending ? yield pending : node.apply(g);
    node.next.forEach((input, i) => {
      const gi = inputGrads[i];
      if (input && gi) {
        checkGrad(`backward (${node.name}, input ${i})`, input, gi);
        add(input, gi);
      }
    });
    grads.delete(t);
    if (!opts.retainGraph) node.free();
  }
}

/** The first op in `order` whose gradient has to be awaited, or null. */
function asyncNode(order: readonly Tensor[]): Node | null {
  for (const t of order) if (t.gradFn instanceof Node && t.gradFn.needsAsync()) return t.gradFn;
  return null;
}

/**
 * Without createGraph, every intermediate gradient is freed when the pass ends (leaf grads are
 * kept, `found` is returned), instead of waiting for the garbage collector.
 */
function scoped<T>(opts: RunOptions, fn: () => T): T {
  return opts.createGraph ? fn() : tidy(() => noGrad(fn));
}

function run(
  where: string,
  roots: readonly Tensor[],
  rootGrads: readonly Tensor[],
  opts: RunOptions,
): Map<Tensor, Tensor> {
  // Refused before any gradient is accumulated, so a refused call leaves every .grad as it was.
  const order = reverseTopological(roots);
  const waits = asyncNode(order);
  if (waits) {
    fail(
      where,
      `the graph moves a gradient back from the GPU (${waits.name} of a cpu tensor moved with .to('webgpu')), which has to be awaited: use \`await loss.backwardAsync()\`${where === 'grad' ? ' (or await gradAsync(...))' : ''}`,
      DeviceError,
    );
  }
  const found = new Map<Tensor, Tensor>();
  return scoped(opts, () => {
    const steps = walk(roots, order, rootGrads, opts, found);
    if (!steps.next().done) fail(where, 'internal: a gradient had to be awaited after the check');
    return found;
  });
}

async function runAsync(
  roots: readonly Tensor[],
  rootGrads: readonly Tensor[],
  opts: RunOptions,
): Promise<Map<Tensor, Tensor>> {
  const found = new Map<Tensor, Tensor>();
  return scoped(opts, async () => {
    const steps = walk(roots, reverseTopological(roots), rootGrads, opts, found);
    for (let r = steps.next(); !r.done; r = steps.next(await r.value));
    return found;
  });
}

function rootGrad(where: string, t: Tensor, gradient: Tensor | undefined): Tensor {
  if (!t.requiresGrad) {
    fail(
      where,
      `the tensor does not require grad and has no gradFn: nothing to differentiate (set requiresGrad on a leaf before the ops)${
        pendingAsyncGradModes() > 0
          ? '. An async noGrad() callback is still running elsewhere: here the grad mode is one global flag, so ops recorded meanwhile by other code were not recorded; await it before building the graph'
          : ''
      }`,
    );
  }
  if (gradient === undefined || gradient === null) {
    if (t.size !== 1) {
      fail(
        where,
        `grad can be created implicitly only for one-element outputs, this one has shape [${t.shape.join(', ')}]; pass a gradient tensor`,
        ShapeError,
      );
    }
    return onesLike(t);
  }
  if (!(gradient instanceof Tensor))
    fail(where, `gradient must be a Tensor, got ${typeof gradient}`, ArgumentError);
  checkGrad(where, t, gradient);
  return gradient;
}

export interface BackwardOptions {
  /** Keep the graph so that backward can run through it again (default: createGraph). */
  retainGraph?: boolean;
  /** Record the backward pass itself, for higher-order gradients (default false). */
  createGraph?: boolean;
}

export function backward(t: Tensor, gradient: Tensor | undefined, options: BackwardOptions = {}): void {
  checkOptions('backward', options, ['retainGraph', 'createGraph']);
  const createGraph = options.createGraph ?? false;
  run('backward', [t], [rootGrad('backward', t, gradient)], {
    retainGraph: options.retainGraph ?? createGraph,
    createGraph,
    targets: null,
  });
}

/**
 * backward() for a graph that moves a gradient back from the GPU (a cpu tensor moved with
 * `.to('webgpu')`): the read-back is awaited. Any graph works; cpu-only graphs finish as backward().
 */
export async function backwardAsync(
  t: Tensor,
  gradient: Tensor | undefined,
  options: BackwardOptions = {},
): Promise<void> {
  checkOptions('backwardAsync', options, ['retainGraph', 'createGraph']);
  const createGraph = options.createGraph ?? false;
  await runAsync([t], [rootGrad('backwardAsync', t, gradient)], {
    retainGraph: options.retainGraph ?? createGraph,
    createGraph,
    targets: null,
  });
}

export interface GradOptions extends BackwardOptions {
  /** Gradients of the outputs (default: ones, for one-element outputs). */
  gradOutputs?: readonly (Tensor | undefined)[];
  /** Return null for inputs the outputs do not depend on, instead of throwing. */
  allowUnused?: boolean;
}

interface GradCall {
  ins: Tensor[];
  outs: Tensor[];
  rootGrads: Tensor[];
  opts: RunOptions;
}

function gradCall(
  where: string,
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  options: GradOptions,
): GradCall {
  checkOptions(where, options, ['retainGraph', 'createGraph', 'gradOutputs', 'allowUnused']);
  const outs = outputs instanceof Tensor ? [outputs] : [...outputs];
  const ins = inputs instanceof Tensor ? [inputs] : [...inputs];
  ins.forEach((x, i) => {
    if (!(x instanceof Tensor)) fail(where, `inputs[${i}] must be a Tensor, got ${typeof x}`, ArgumentError);
    if (!x.requiresGrad) fail(where, `inputs[${i}] does not require grad`);
  });
  const gos = options.gradOutputs;
  if (gos && gos.length !== outs.length)
    fail(where, `gradOutputs has ${gos.length} entries for ${outs.length} outputs`);
  const rootGrads = outs.map((o, i) => rootGrad(`${where} (outputs[${i}])`, o, gos?.[i]));
  const createGraph = options.createGraph ?? false;
  return {
    ins,
    outs,
    rootGrads,
    opts: { retainGraph: options.retainGraph ?? createGraph, createGraph, targets: new Set(ins) },
  };
}

function gradResults(
  where: string,
  ins: readonly Tensor[],
  found: Map<Tensor, Tensor>,
  options: GradOptions,
): (Tensor | null)[] {
  return ins.map((x, i) => {
    const g = found.get(x);
    if (g) return g;
    if (!options.allowUnused) {
      fail(
        where,
        `inputs[${i}] was not used to compute the outputs; pass { allowUnused: true } to get null for it`,
      );
    }
    return null;
  });
}

/**
 * torch.autograd.grad: gradients of `outputs` with respect to `inputs`, returned (not accumulated
 * into `.grad`).
 */
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  options: GradOptions = {},
): (Tensor | null)[] {
  const c = gradCall('grad', outputs, inputs, options);
  return gradResults('grad', c.ins, run('grad', c.outs, c.rootGrads, c.opts), options);
}

/** grad() for a graph that moves a gradient back from the GPU (see backwardAsync). */
export async function gradAsync(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  options: GradOptions = {},
): Promise<(Tensor | null)[]> {
  const c = gradCall('gradAsync', outputs, inputs, options);
  return gradResults('gradAsync', c.ins, await runAsync(c.outs, c.rootGrads, c.opts), options);
}
