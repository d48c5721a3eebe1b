import { ADAM_SCALARS, type FusedUpdate, SGD_SCALARS } from '../../backend.js';
import { numel } from '../../shape.js';
import type { GpuContext, GpuView } from './context.js';
import type { KernelSpec } from './runtime.js';
import { type Field, type Uniforms, uniforms, type Word } from './uniforms.js';
import { FLAT_INDEX, MAIN_1D } from './wgsl.js';

/**
 * Optimizer updates as one kernel per parameter: read param, grad and state once, write param and
 * state once (a composite Adam step is ~12 kernels and as many temporaries). The arithmetic follows
 * PyTorch 1.13's _single_tensor_adam / _single_tensor_sgd term by term, as the cpu loop does.
 *
 * Uniforms (fusedUniforms): n, each buffer's offset `<buffer>Off`, then the scalars under their
 * names in ADAM_SCALARS / SGD_SCALARS (flags as bools, the rest as f32).
 */
const ADAM_BUFFERS = ['param', 'grad', 'expAvg', 'expAvgSq', 'maxExpAvgSq'] as const;
const SGD_BUFFERS = ['param', 'grad', 'buf'] as const;
const ADAM_TYPES = {
  beta1: 'f32',
  beta2: 'f32',
  eps: 'f32',
  l2: 'f32',
  decay: 'f32',
  stepSize: 'f32',
  bc2Sqrt: 'f32',
  maximize: 'bool',
  amsgrad: 'bool',
} as const satisfies Record<(typeof ADAM_SCALARS)[number], Word>;
const SGD_TYPES = {
  lr: 'f32',
  momentum: 'f32',
  dampening: 'f32',
  weightDecay: 'f32',
  nesterov: 'bool',
  maximize: 'bool',
  first: 'bool',
  hasBuffer: 'bool',
} as const satisfies Record<(typeof SGD_SCALARS)[number], Word>;

export interface FusedKernel {
  readonly spec: KernelSpec;
  readonly uniforms: Uniforms<Record<string, Field>>;
  /** The uniforms' values: `count` elements of the buffers at `offsets`, and the scalars. */
  values(count: number, offsets: readonly number[], scalars: readonly number[]): Record<string, number>;
}

function fusedKernel(
  spec: KernelSpec,
  buffers: readonly string[],
  names: readonly string[],
  types: Record<string, Word>,
): FusedKernel {
  const fields: Record<string, Field> = { n: 'u32' };
  for (const b of buffers) fields[`${b}Off`] = 'u32';
  for (const name of names) fields[name] = types[name]!;
  return {
    spec,
    uniforms: uniforms(fields),
    values(count, offsets, scalars) {
      const v: Record<string, number> = { n: count };
      buffers.forEach((b, k) => {
        v[`${b}Off`] = offsets[k]!;
      });
      names.forEach((name, k) => {
        v[name] = scalars[k]!;
      });
      return v;
    },
  };
}

const kernels = {
  adam: [false, true].map((amsgrad) =>
    fusedKernel(
      { key: `fused:adam:${amsgrad}`, name: 'adam_step', source: () => adamSource(amsgrad) },
      ADAM_BUFFERS.slice(0, amsgrad ? 5 : 4),
      ADAM_SCALARS,
      ADAM_TYPES,
    ),
  ),
  sgd: [false, true].map((hasBuffer) =>
    fusedKernel(
      { key: `fused:sgd:${hasBuffer}`, name: 'sgd_step', source: () => sgdSource(hasBuffer) },
      SGD_BUFFERS.slice(0, hasBuffer ? 3 : 2),
      SGD_SCALARS,
      SGD_TYPES,
    ),
  ),
};

/** Adam with or without the amsgrad buffer; SGD with or without a momentum buffer. */
export function fusedKernelFor(kind: 'adam' | 'sgd', extraBuffer: boolean): FusedKernel {
  return kernels[kind][extraBuffer ? 1 : 0]!;
}

function adamSource(amsgrad: boolean): string {
  return `${fusedKernelFor('adam', amsgrad).uniforms.wgsl()}
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> expAvg: array<f32>;
@group(0) @binding(4) var<storage, read_write> expAvgSq: array<f32>;
${amsgrad ? '@group(0) @binding(5) var<storage, read_write> maxExpAvgSq: array<f32>;' : ''}
${MAIN_1D} {
  ${FLAT_INDEX}
  if (i >= u_n()) { return; }
  let beta1 = u_beta1(); let beta2 = u_beta2(); let eps = u_eps(); let l2 = u_l2();
  let decay = u_decay(); let stepSize = u_stepSize(); let bc2Sqrt = u_bc2Sqrt();
  let ip = u_paramOff() + i; let ia = u_expAvgOff() + i; let ib = u_expAvgSqOff() + i;
  let p = param[ip];
  var g = grad[u_gradOff() + i];
  if (u_maximize()) { g = -g; }
  g = g + l2 * p;
  let m = expAvg[ia] * beta1 + g * (1.0 - beta1);
  let v = expAvgSq[ib] * beta2 + g * g * (1.0 - beta2);
  expAvg[ia] = m;
  expAvgSq[ib] = v;
  var den = v;
  ${amsgrad ? 'let ic = u_maxExpAvgSqOff() + i; den = max(maxExpAvgSq[ic], v); maxExpAvgSq[ic] = den;' : ''}
  param[ip] = p * decay - stepSize * (m / (sqrt(den) / bc2Sqrt + eps));
}`;
}

function sgdSource(hasBuffer: boolean): string {
  return `${fusedKernelFor('sgd', hasBuffer).uniforms.wgsl()}
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
${hasBuffer ? '@group(0) @binding(3) var<storage, read_write> buf: array<f32>;' : ''}
${MAIN_1D} {
  ${FLAT_INDEX}
  if (i >= u_n()) { return; }
  let lr = u_lr(); let momentum = u_momentum(); let dampening = u_dampening(); let weightDecay = u_weightDecay();
  let ip = u_paramOff() + i;
  let p = param[ip];
  var d = grad[u_gradOff() + i];
  if (u_maximize()) { d = -d; }
  d = d + weightDecay * p;
  ${
    hasBuffer
      ? `let ib = u_bufOff() + i;
  var b = d;
  if (!u_first()) { b = buf[ib] * momentum + d * (1.0 - dampening); }
  buf[ib] = b;
  if (u_nesterov()) { d = d + momentum * b; } else { d = b; }`
      : ''
  }
  param[ip] = p - lr * d;
}`;
}

export function fusedUpdate(
  gpu: GpuContext,
  kind: FusedUpdate,
  views: readonly GpuView[],
  scalars: readonly number[],
): void {
  const n = numel(views[0]!.shape);
  if (n === 0) return;
  const kernel = fusedKernelFor(kind, views.length === (kind === 'adam' ? 5 : 3));
  // The tensors are contiguous and updated elementwise: a parameter larger than one binding is
  // updated in parts (each part's window may start up to one alignment early).
  const { maxBinding, align } = gpu.rt.limits;
  const fits = views.every((v) => gpu.buf(v).size <= maxBinding);
  const per = fits ? n : Math.floor((maxBinding - align) / 4);
  for (let start = 0; start < n; start += per) {
    const count = Math.min(per, n - start);
    const bound = views.map((v) =>
      gpu.bind({ ...v, shape: [count], strides: [1], offset: v.offset + start }, 'optimizer step'),
    );
    const values = kernel.values(
      count,
      bound.map((b) => b.off),
      scalars,
    );
    gpu.rt.dispatch(
      kernel.spec,
      bound.map((b) => b.b),
      kernel.uniforms.pack(values),
      gpu.rt.grid(count),
    );
  }
}
