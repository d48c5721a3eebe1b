import { noGrad } from '@lumen/autograd';
import { checkOptions, type Device, type Tensor } from '@lumen/tensor';
import { fail, fmtShape } from '../errors.js';
import { isParameter, isTensorLike, Parameter } from './parameter.js';
import { type ZeroGradOptions, zeroGrads } from './zeroGrad.js';

export type StateDict = Record<string, Tensor>;

export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** Per-module buffer registrations (kept off the instance so they never show up as properties). */
const BUFFERS = new WeakMap<Module, Map<string, { persistent: boolean }>>();

/**
 * torch.nn.Module. Subclasses declare submodules and parameters as class fields; they are found
 * from the instance's own properties, in declaration order (so `namedParameters()` order equals
 * PyTorch's for the same model):
 *   - a Module value is a child; an array of Modules is a list of children named `key.0`, `key.1`…
 *   - a Tensor made with `Parameter(t)`, or any tensor that requires grad, is a parameter
 *   - a tensor registered with `registerBuffer(name, t)` is a buffer (saved in the state dict)
 * Call the model with `model.forward(x)`.
 */
export class Module {
  /** Training mode (Dropout is active); `eval()` turns it off. */
  training = true;

  /** Direct children, with their names. */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module) out.push([key, value]);
      else if (Array.isArray(value) && value.length > 0 && value.every((v) => v instanceof Module)) {
        value.forEach((m: Module, i) => {
          out.push([`${key}.${i}`, m]);
        });
      }
    }
    return out;
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every descendant, with dotted names ('' for this one). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    const seen = new Set<Module>([this]);
    const walk = (m: Module, p: string) => {
      for (const [name, child] of m.namedChildren()) {
        if (seen.has(child)) continue;
        seen.add(child);
        const full = p ? `${p}.${name}` : name;
        out.push([full, child]);
        walk(child, full);
      }
    };
    walk(this, prefix);
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** This module's own parameters (not its children's), as [property name, tensor]. */
  protected ownParameters(): [string, Tensor][] {
    const buffers = BUFFERS.get(this);
    const out: [string, Tensor][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (buffers?.has(key)) continue;
      if (isParameter(value) || (isTensorLike(value) && value.requiresGrad)) out.push([key, value]);
    }
    return out;
  }

  protected ownBuffers(persistentOnly = false): [string, Tensor][] {
    const buffers = BUFFERS.get(this);
    if (!buffers) return [];
    const out: [string, Tensor][] = [];
    for (const [key, { persistent }] of buffers) {
      const value = (this as unknown as Record<string, unknown>)[key];
      if (isTensorLike(value) && (persistent || !persistentOnly)) out.push([key, value]);
    }
    return out;
  }

  /** Parameters with PyTorch-style dotted names ('fc1.weight'); a shared tensor is listed once. */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [modName, m] of this.namedModules(prefix)) {
      for (const [key, p] of m.ownParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([modName ? `${modName}.${key}` : key, p]);
      }
    }
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [modName, m] of this.namedModules(prefix)) {
      for (const [key, b] of m.ownBuffers()) out.push([modName ? `${modName}.${key}` : key, b]);
    }
    return out;
  }

  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  /** nn.Module.register_buffer: a tensor that is state but not a parameter (e.g. running stats). */
  registerBuffer(name: string, value: Tensor | null, options: { persistent?: boolean } = {}): void {
    checkOptions('registerBuffer', options, ['persistent']);
    if (typeof name !== 'string' || name === '' || name.includes('.')) {
      fail('registerBuffer', `name must be a non-empty string without '.', got ${JSON.stringify(name)}`);
    }
    if (value !== null && !isTensorLike(value))
      fail('registerBuffer', `value must be a Tensor or null, got ${typeof value}`);
    let map = BUFFERS.get(this);
    if (!map) BUFFERS.set(this, (map = new Map()));
    map.set(name, { persistent: options.persistent ?? true });
    (this as unknown as Record<string, unknown>)[name] = value;
  }

  /** Sets training mode here and in every descendant. */
  train(mode = true): this {
    if (typeof mode !== 'boolean') fail('train', `mode must be a boolean, got ${typeof mode}`);
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Calls fn on every descendant and then on this module (nn.Module.apply). */
  apply(fn: (m: Module) => void): this {
    const all = this.modules();
    for (let i = all.length - 1; i >= 0; i--) fn(all[i]!);
    return this;
  }

  /**
   * Resets every parameter's gradient: to null by default (PyTorch 2.x's set_to_none=True), or,
   * with `{ setToNone: false }`, by zeroing each gradient tensor in place (PyTorch 1.x's default).
   */
  zeroGrad(options?: ZeroGradOptions): void {
    zeroGrads(`${this.constructor.name}.zeroGrad`, this.parameters(), options);
  }

  /**
   * Moves every parameter and buffer to `device` (gradients too). A moved parameter is a new
   * tensor in the same module slot: create optimizers after moving the model, as in PyTorch.
   */
  to(device: Device): this {
    this.replaceTensors((t) => (t.device === device ? null : t.detach().to(device)));
    return this;
  }

  /** Like to(), for moves that must wait for the GPU (webgpu → cpu). */
  async toAsync(device: Device): Promise<this> {
    const moved = new Map<Tensor, Tensor>();
    for (const t of [...this.parameters(), ...this.buffers()]) {
      if (t.device === device) continue;
      moved.set(t, await t.detach().toAsync(device));
      if (t.grad) moved.set(t.grad, await t.grad.toAsync(device));
    }
    this.replaceTensors((t) => moved.get(t) ?? null);
    return this;
  }

  /** Puts move(t) in every slot holding t; move returns null to leave t where it is. */
  private replaceTensors(move: (t: Tensor) => Tensor | null): void {
    const done = new Map<Tensor, Tensor>();
    for (const m of this.modules()) {
      const slots = m as unknown as Record<string, Tensor | null>;
      for (const [key, p] of m.ownParameters()) {
        let q = done.get(p);
        if (!q) {
          const moved = move(p);
          q = moved === null ? p : Parameter(moved, p.requiresGrad);
          if (moved !== null) q.grad = p.grad ? (move(p.grad) ?? p.grad) : null;
          done.set(p, q);
        }
        slots[key] = q;
      }
      for (const [key, b] of m.ownBuffers()) slots[key] = move(b) ?? b;
    }
  }

  /** Parameters and persistent buffers by dotted name, detached (they share memory with the model). */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [name, p] of this.namedParameters()) out[name] = p.detach();
    for (const [modName, m] of this.namedModules()) {
      for (const [key, b] of m.ownBuffers(true)) out[modName ? `${modName}.${key}` : key] = b.detach();
    }
    return out;
  }

  /**
   * Copies values from `stateDict` into this model's parameters and buffers, in place (`copy_`), so
   * optimizers and anything else holding them see the new values. With `strict` (the default)
   * every key must match and the error lists all missing and unexpected keys and every shape
   * mismatch at once. Dtypes are converted to the model's; a value on another device is moved
   * there first (from webgpu, move the state dict to cpu with toAsync before loading into a cpu model).
   */
  loadStateDict(stateDict: StateDict, options: { strict?: boolean } = {}): LoadResult {
    if (typeof stateDict !== 'object' || stateDict === null)
      fail(
        'loadStateDict',
        `stateDict must be an object of tensors, got ${stateDict === null ? 'null' : typeof stateDict}`,
      );
    checkOptions('loadStateDict', options, ['strict']);
    const strict = options.strict ?? true;
    const own = this.stateDict();
    const targets = new Map<string, Tensor>([...this.namedParameters(), ...this.namedBuffers()]);
    const missingKeys = Object.keys(own).filter((k) => !(k in stateDict));
    const unexpectedKeys = Object.keys(stateDict).filter((k) => !(k in own));
    const mismatches: string[] = [];
    for (const [k, v] of Object.entries(stateDict)) {
      const target = targets.get(k);
      if (!target) continue;
      if (!isTensorLike(v)) mismatches.push(`${k}: expected a Tensor, got ${typeof v}`);
      else if (v.shape.length !== target.shape.length || v.shape.some((d, i) => d !== target.shape[i])) {
        mismatches.push(
          `${k}: the checkpoint has shape ${fmtShape(v.shape)}, the model ${fmtShape(target.shape)}`,
        );
      }
    }
    const problems: string[] = [];
    if (strict && missingKeys.length > 0) problems.push(`missing keys: ${missingKeys.join(', ')}`);
    if (strict && unexpectedKeys.length > 0) problems.push(`unexpected keys: ${unexpectedKeys.join(', ')}`);
    if (mismatches.length > 0) problems.push(`size mismatches: ${mismatches.join('; ')}`);
    if (problems.length > 0)
      fail(
        'loadStateDict',
        `error(s) loading the state dict for ${this.constructor.name}: ${problems.join('. ')}`,
      );
    noGrad(() => {
      for (const [k, v] of Object.entries(stateDict)) {
        const target = targets.get(k);
        if (!target) continue;
        // Cast before moving: a float64 checkpoint loads into a float32 webgpu model (no f64 there).
        const cast = v.device !== target.device && v.dtype !== target.dtype ? v.cast(target.dtype) : v;
        const source = cast.device === target.device ? cast : cast.to(target.device);
        target.copy_(source);
        for (const t of new Set([cast, source])) if (t !== v) t.dispose();
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /** Extra text for toString(), e.g. 'in_features=2, out_features=16'. */
  extraRepr(): string {
    return '';
  }

  /** Prints like PyTorch's module repr. */
  toString(): string {
    const children = this.namedChildren();
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (children.length === 0) return `${head})`;
    const lines = children.map(([name, m]) => `  (${name}): ${m.toString().replace(/\n/g, '\n  ')}`);
    return `${head}\n${lines.join('\n')}\n)`;
  }
}
