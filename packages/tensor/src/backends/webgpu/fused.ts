import type { KernelSpec } from './runtime.js';
import { FLAT_INDEX, MAIN_1D, paramsDecl } from './wgsl.js';

/**
 * Optimizer updates as one kernel per parameter: read param, grad and state once, write param and
 * state once (a composite Adam step is ~12 kernels and as many temporaries). The arithmetic follows
 * PyTorch 1.13's _single_tensor_adam / _single_tensor_sgd term by term, as the cpu loop does.
 *
 * Params: [n, offsets of each buffer..., scalars as f32 bits...].
 */
export function adamSpec(amsgrad: boolean): KernelSpec {
  return { key: `fused:adam:${amsgrad}`, name: 'adam_step', source: () => adamSource(amsgrad) };
}

export function sgdSpec(hasBuffer: boolean): KernelSpec {
  return { key: `fused:sgd:${hasBuffer}`, name: 'sgd_step', source: () => sgdSource(hasBuffer) };
}

function adamSource(amsgrad: boolean): string {
  const nb = amsgrad ? 5 : 4;
  const s = 1 + nb;
  const f = (k: number) => `bitcast<f32>(P(${s + k}u))`;
  return `${paramsDecl(s + 9)}
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> expAvg: array<f32>;
@group(0) @binding(4) var<storage, read_write> expAvgSq: array<f32>;
${amsgrad ? '@group(0) @binding(5) var<storage, read_write> maxExpAvgSq: array<f32>;' : ''}
${MAIN_1D} {
  ${FLAT_INDEX}
  if (i >= P(0u)) { return; }
  let beta1 = ${f(0)}; let beta2 = ${f(1)}; let eps = ${f(2)}; let l2 = ${f(3)};
  let decay = ${f(4)}; let stepSize = ${f(5)}; let bc2Sqrt = ${f(6)};
  let ip = P(1u) + i; let ia = P(3u) + i; let ib = P(4u) + i;
  let p = param[ip];
  var g = grad[P(2u) + i];
  if (P(${s + 7}u) != 0u) { g = -g; }
  g = g + l2 * p;
  let m = expAvg[ia] * beta1 + g * (1.0 - beta1);
  let v = expAvgSq[ib] * beta2 + g * g * (1.0 - beta2);
  expAvg[ia] = m;
  expAvgSq[ib] = v;
  var den = v;
  ${amsgrad ? 'let ic = P(5u) + i; den = max(maxExpAvgSq[ic], v); maxExpAvgSq[ic] = den;' : ''}
  param[ip] = p * decay - stepSize * (m / (sqrt(den) / bc2Sqrt + eps));
}`;
}

function sgdSource(hasBuffer: boolean): string {
  const nb = hasBuffer ? 3 : 2;
  const s = 1 + nb;
  const f = (k: number) => `bitcast<f32>(P(${s + k}u))`;
  const u = (k: number) => `P(${s + k}u)`;
  return `${paramsDecl(s + 8)}
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
${hasBuffer ? '@group(0) @binding(3) var<storage, read_write> buf: array<f32>;' : ''}
${MAIN_1D} {
  ${FLAT_INDEX}
  if (i >= P(0u)) { return; }
  let lr = ${f(0)}; let momentum = ${f(1)}; let dampening = ${f(2)}; let weightDecay = ${f(3)};
  let ip = P(1u) + i;
  let p = param[ip];
  var d = grad[P(2u) + i];
  if (${u(5)} != 0u) { d = -d; }
  d = d + weightDecay * p;
  ${
    hasBuffer
      ? `let ib = P(3u) + i;
  var b = d;
  if (${u(6)} == 0u) { b = buf[ib] * momentum + d * (1.0 - dampening); }
  buf[ib] = b;
  if (${u(4)} != 0u) { d = d + momentum * b; } else { d = b; }`
      : ''
  }
  param[ip] = p - lr * d;
}`;
}
