import type { Tensor } from '@lumen/tensor';
import { fail } from '../errors.js';
import { Module } from '../module/module.js';

/** A module with a forward(x) → Tensor, as Sequential chains them. */
export interface Callable {
  forward(x: Tensor): Tensor;
}

/** nn.Sequential: children named '0', '1', …; forward feeds each output to the next. */
export class Sequential extends Module {
  private readonly layers: (Module & Callable)[];

  constructor(...layers: (Module & Callable)[]) {
    super();
    layers.forEach((m, i) => {
      if (!(m instanceof Module) || typeof (m as Partial<Callable>).forward !== 'function') {
        fail(
          'Sequential',
          `argument ${i} must be a Module with a forward(x) method, got ${m === null ? 'null' : typeof m}`,
        );
      }
    });
    this.layers = layers;
  }

  override namedChildren(): [string, Module][] {
    return this.layers.map((m, i) => [String(i), m]);
  }

  get length(): number {
    return this.layers.length;
  }

  /** The i-th layer (negative counts from the end). */
  at(i: number): Module & Callable {
    const m = this.layers.at(i);
    if (!m) fail('Sequential.at', `index ${i} is out of range for ${this.layers.length} layers`);
    return m;
  }

  append(m: Module & Callable): this {
    this.layers.push(m);
    return this;
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (const m of this.layers) y = m.forward(y);
    return y;
  }

  [Symbol.iterator](): Iterator<Module & Callable> {
    return this.layers[Symbol.iterator]();
  }
}
