import { record } from '../autogradHook.js';
import type { View } from '../backend.js';
import { isFloat } from '../dtype.js';
import { DeviceError, fail, ShapeError } from '../errors.js';
import { isContiguous } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { backendOf, wrap } from './core.js';

/**
 * torch.nn.functional.layer_norm: each slice over the trailing dims `normalizedShape` is centred and
 * scaled to unit (biased) variance, then multiplied by `weight` and shifted by `bias` (both of
 * `normalizedShape`, optional): y = (x − mean)/sqrt(var + eps)·weight + bias.
 *
 * On a backend with a fused kernel (cpu) it is one op for autograd: one pass per row forward, one
 * backward (layerNormBackward), instead of the ten elementwise ops and reductions of the
 * composite, which other backends (and float64 operands of mixed devices) run.
 */
export function layerNorm(
  x: Tensor,
  normalizedShape: readonly number[],
  weight?: Tensor | null,
  bias?: Tensor | null,
  eps = 1e-5,
): Tensor {
  const k = normalizedShape.length;
  const tail = x.shape.slice(x.ndim - k);
  if (k === 0 || k > x.ndim || tail.some((d, i) => d !== normalizedShape[i])) {
    fail(
      'layerNorm',
      `the input's trailing dims must be [${normalizedShape.join(', ')}], got input shape [${x.shape.join(', ')}]`,
      ShapeError,
    );
  }
  for (const [name, p] of [
    ['weight', weight],
    ['bias', bias],
  ] as const) {
    if (p && (p.ndim !== k || p.shape.some((d, i) => d !== normalizedShape[i]))) {
      fail(
        'layerNorm',
        `${name} must have shape [${normalizedShape.join(', ')}] (normalizedShape), got [${p.shape.join(', ')}]`,
        ShapeError,
      );
    }
  }
  if (typeof eps !== 'number' || !(eps >= 0))
    fail('layerNorm', `eps must be a number >= 0, got ${String(eps)}`);
  const cols = normalizedShape.reduce((a, b) => a * b, 1);
  const rows = cols === 0 ? 0 : x.size / cols;
  const b = backendOf(x, 'layerNorm');
  const params = [weight, bias].filter((p): p is Tensor => !!p);
  const fused =
    b.layerNorm !== undefined &&
    isFloat(x.dtype) &&
    rows > 0 &&
    params.every((p) => p.device === x.device && p.dtype === x.dtype);
  if (!fused) return composite(x, k, weight, bias, eps);
  const view = (t: Tensor): { v: View; temp: Tensor | null } => {
    if (isContiguous(t.shape, t.strides)) return { v: t, temp: null };
    const c = t.contiguous();
    return { v: c, temp: c };
  };
  const xv = view(x);
  const wv = weight ? view(weight) : null;
  const bv = bias ? view(bias) : null;
  const { y, mean, rstd } = b.layerNorm!(xv.v, rows, cols, wv?.v ?? null, bv?.v ?? null, eps);
  const out = wrap(y, x.shape);
  record('layerNorm', [x, weight ?? 0, bias ?? 0], out, {
    normalizedShape: normalizedShape.slice(),
    eps,
    hasWeight: !!weight,
    // the forward's per-row statistics, for the backward pass
    mean: wrap(mean, [rows]),
    rstd: wrap(rstd, [rows]),
  });
  for (const t of [xv.temp, wv?.temp, bv?.temp]) t?.dispose();
  return out;
}

function composite(
  x: Tensor,
  k: number,
  weight: Tensor | null | undefined,
  bias: Tensor | null | undefined,
  eps: number,
) {
  const dims = Array.from({ length: k }, (_, i) => x.ndim - k + i);
  const mean = x.mean(dims, { keepdim: true });
  const centered = x.sub(mean);
  const variance = centered.square().mean(dims, { keepdim: true });
  let y = centered.mul(variance.add(eps).rsqrt());
  if (weight) y = y.mul(weight);
  if (bias) y = y.add(bias);
  return y;
}

/**
 * The gradients of layerNorm (torch's native_layer_norm_backward), for autograd's rule: dx and, when
 * asked for, dweight and dbias (summed over the rows), from the output gradient `g`, the input `x`,
 * the forward's per-row `mean` and `rstd` ([rows]) and `weight`. Not differentiable itself (a
 * backward with createGraph takes the composite formula instead).
 */
export function layerNormBackward(
  g: Tensor,
  x: Tensor,
  mean: Tensor,
  rstd: Tensor,
  weight: Tensor | null,
  normalizedShape: readonly number[],
  want: { dx: boolean; dweight: boolean; dbias: boolean },
): { dx: Tensor | null; dweight: Tensor | null; dbias: Tensor | null } {
  const b = backendOf(x, 'layerNormBackward');
  if (!b.layerNormBackward) fail('layerNormBackward', `no fused kernel on ${x.device}`, DeviceError);
  const cols = normalizedShape.reduce((a, c) => a * c, 1);
  const rows = cols === 0 ? 0 : x.size / cols;
  const temps: Tensor[] = [];
  const c = (t: Tensor): Tensor => {
    if (isContiguous(t.shape, t.strides)) return t;
    const u = t.contiguous();
    temps.push(u);
    return u;
  };
  const r = b.layerNormBackward(c(g), c(x), c(mean), c(rstd), weight ? c(weight) : null, rows, cols, want);
  for (const t of temps) t.dispose();
  return {
    dx: r.dx ? wrap(r.dx, x.shape) : null,
    dweight: r.dweight ? wrap(r.dweight, normalizedShape) : null,
    dbias: r.dbias ? wrap(r.dbias, normalizedShape) : null,
  };
}
