import { type Tensor, zeros } from '@lumen/tensor';
import type { AdamOptions, AdamState } from './adam.js';
import type { SGDOptions, SGDState } from './sgd.js';

/**
 * Fused cpu updates: one loop per parameter over host memory, updating the parameter and the
 * optimizer state in place, instead of a dozen elementwise ops with their temporaries. They follow
 * `adamUpdate` / `sgdUpdate` term by term (test/optimHost.test.ts checks them against those
 * composites). They apply to float cpu tensors that own contiguous memory; anything else returns
 * null and the composite path runs. The lead's backend may later take these over as a primitive.
 */

type Host = Float32Array | Float64Array;

/** The writable host array behind a cpu float tensor that covers its whole contiguous storage. */
export function hostArray(t: Tensor): Host | null {
  if (
    t.device !== 'cpu' ||
    (t.dtype !== 'float32' && t.dtype !== 'float64') ||
    !t.isContiguous() ||
    t.offset !== 0
  )
    return null;
  const data = (t.storage as unknown as { data?: unknown }).data;
  if (!(data instanceof Float32Array || data instanceof Float64Array) || data.length < t.size) return null;
  return data;
}

function ownZeros(like: Tensor): { t: Tensor; a: Host } {
  const t = zeros([...like.shape], { dtype: like.dtype });
  return { t, a: hostArray(t)! };
}

export function adamStepHost(
  param: Tensor,
  grad: Tensor,
  state: AdamState | undefined,
  h: AdamOptions,
  decoupled: boolean,
): AdamState | null {
  const p = hostArray(param);
  if (!p || grad.device !== 'cpu') return null;
  const m = state ? { t: state.expAvg, a: hostArray(state.expAvg) } : ownZeros(param);
  const v = state ? { t: state.expAvgSq, a: hostArray(state.expAvgSq) } : ownZeros(param);
  const mx = h.amsgrad
    ? state?.maxExpAvgSq
      ? { t: state.maxExpAvgSq, a: hostArray(state.maxExpAvgSq) }
      : ownZeros(param)
    : null;
  if (!m.a || !v.a || (mx && !mx.a)) return null;
  const g = grad.dataSync();
  const [beta1, beta2] = h.betas;
  const step = (state?.step ?? 0) + 1;
  const stepSize = h.lr / (1 - beta1 ** step);
  const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
  const decay = decoupled ? 1 - h.lr * h.weightDecay : 1;
  const l2 = decoupled ? 0 : h.weightDecay;
  const ma = m.a;
  const va = v.a;
  const xa = mx?.a ?? null;
  for (let i = 0; i < p.length && i < param.size; i++) {
    const pi = p[i]!;
    let gi = h.maximize ? -g[i]! : g[i]!;
    if (l2 !== 0) gi += l2 * pi;
    const mi = (ma[i] = ma[i]! * beta1 + gi * (1 - beta1));
    const vi = (va[i] = va[i]! * beta2 + gi * gi * (1 - beta2));
    let s = vi;
    if (xa) s = xa[i] = Math.max(xa[i]!, vi);
    p[i] = pi * decay - stepSize * (mi / (Math.sqrt(s) / bc2Sqrt + h.eps));
  }
  return { step, expAvg: m.t, expAvgSq: v.t, maxExpAvgSq: mx ? mx.t : null };
}

export function sgdStepHost(
  param: Tensor,
  grad: Tensor,
  state: SGDState | undefined,
  h: SGDOptions,
): SGDState | null {
  const p = hostArray(param);
  if (!p || grad.device !== 'cpu') return null;
  let buf: { t: Tensor; a: Host | null } | null = null;
  if (h.momentum !== 0)
    buf = state?.momentumBuffer
      ? { t: state.momentumBuffer, a: hostArray(state.momentumBuffer) }
      : ownZeros(param);
  if (buf && !buf.a) return null;
  const first = !state?.momentumBuffer;
  const g = grad.dataSync();
  const b = buf?.a ?? null;
  for (let i = 0; i < p.length && i < param.size; i++) {
    const pi = p[i]!;
    let d = h.maximize ? -g[i]! : g[i]!;
    if (h.weightDecay !== 0) d += h.weightDecay * pi;
    if (b) {
      const bi = (b[i] = first ? d : b[i]! * h.momentum + d * (1 - h.dampening));
      d = h.nesterov ? d + h.momentum * bi : bi;
    }
    p[i] = pi - h.lr * d;
  }
  return { momentumBuffer: buf ? buf.t : null };
}
